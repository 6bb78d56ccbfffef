"""Hypothesis strategies for records: the one ``records()`` every property test draws from."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from archivekit.formats import FormatOptions
from archivekit.record.fields import MAX_WORD_COUNT
from archivekit.record.model import Record

# Text every format can hold in a one-line field: no controls but tab, no line
# breaks (Cc), no surrogates (Cs), no line/paragraph separators (Zl, Zp).
_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), whitelist_characters="\t")
_BODY_CHARS = st.one_of(_CHARS, st.sampled_from("\n\t.,\"'“”’—"))


def _trimmed(chars: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    return st.text(chars, min_size=1, max_size=max_size).map(str.strip).filter(bool)


hosts = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z]{2,6}){0,2}", fullmatch=True)
paths = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Z")), max_size=40)
urls = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    hosts,
    paths,
)
keyword = _trimmed(_CHARS, 30).filter(lambda k: "," not in k)
keywords = st.lists(keyword, max_size=8, unique=True).map(tuple)
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
word_counts = st.integers(min_value=0, max_value=MAX_WORD_COUNT)

_RECORDS = st.builds(
    Record,
    url=urls,
    headline=_trimmed(_CHARS, 80),
    keywords=keywords,
    date=dates,
    word_count=word_counts,
    body=_trimmed(_BODY_CHARS, 400),
)


def records() -> st.SearchStrategy[Record]:
    """Valid records, awkward text included, that every format writes and reads back."""
    return _RECORDS


format_options = st.builds(
    FormatOptions, csv_keywords=st.sampled_from(["comma", "json"]), paragraphs=st.booleans()
)
