"""Hypothesis strategies for records, shared by the property tests."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from archivekit.record.fields import MAX_WORD_COUNT
from archivekit.record.model import Record

# Anything but control characters and lone surrogates; tab is allowed.
_CHARS = st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\t")
_BODY_CHARS = st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\t\n")

hosts = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True)
paths = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Z"), blacklist_characters="#?"), max_size=40
)
urls = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    hosts,
    paths,
)
one_line = st.text(_CHARS, min_size=1, max_size=80).map(str.strip).filter(bool)
keyword = one_line.map(lambda s: s.replace(",", ";").strip()).filter(bool)
keywords = st.lists(keyword, max_size=8, unique=True).map(tuple)
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
word_counts = st.integers(min_value=0, max_value=MAX_WORD_COUNT)
bodies = st.text(_BODY_CHARS, min_size=1, max_size=400).map(str.strip).filter(bool)

records = st.builds(
    Record,
    url=urls,
    headline=one_line,
    keywords=keywords,
    date=dates,
    word_count=word_counts,
    body=bodies,
)
