"""What ``archive stats`` needs of one record, made in the worker that read it."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, NamedTuple

from archivekit.record import fast
from archivekit.text import word_count
from archivekit.urls import site_and_key, url_key

if TYPE_CHECKING:
    from archivekit.record.model import Record

#: What separates a site's name from the headline: "Title - The New York Times",
#: "Title | AL.com", "Title · The A.V. Club", "Title :: PIXNET".
_SUFFIX = re.compile(r" (?:-|\||–|—|·|::|:|») ")
#: A suffix is a site's name: short. A longer tail is part of the headline.
MAX_SUFFIX_WORDS = 5
MAX_SUFFIX_CHARS = 40


class Digest(NamedTuple):
    """One valid record, summarised: a few hundred bytes instead of its body.

    ``day``: the date's ordinal (None: no date, ``--profile scraped``);
    ``declared``: the declared word count (None: none given); ``counted``:
    the body's whitespace-separated words; ``length``: the body's
    characters; ``exact`` and ``normal``: keys of the URL as written and
    normalised (:func:`archivekit.urls.url_key`).
    """

    day: int | None
    site: str
    suffix: str
    keywords: tuple[str, ...]
    declared: int | None
    counted: int
    length: int
    exact: int
    normal: int


def headline_suffix(headline: str) -> str:
    """The site name a headline ends with (``The New York Times``), or '' when none."""
    parts = _SUFFIX.split(headline)
    if len(parts) < 2:
        return ""
    tail = parts[-1].strip()
    if not tail or len(tail) > MAX_SUFFIX_CHARS or len(tail.split()) > MAX_SUFFIX_WORDS:
        return ""
    return tail


def digest(record: Record) -> Digest:
    """The :class:`Digest` of ``record`` (ReadOptions.digest: runs in the workers)."""
    date = getattr(record, "date", None)
    declared = getattr(record, "word_count", None)
    url = record.url
    site, normal = site_and_key(url)
    return Digest(
        None if date is None else date.toordinal(),
        site,
        headline_suffix(record.headline),
        record.keywords,
        declared,
        word_count(record.body),
        len(record.body),
        url_key(url),
        url_key(normal),
    )


def digest_fields(fields: fast.Fields, words: int, characters: int) -> Digest:
    """:func:`digest` of a canonical record, from what :func:`fast.measured` gave of it.

    No record is built: each figure is taken from the checked bytes
    (tests/record/test_fast.py proves it equal to :func:`digest` of the
    record the full parser builds).
    """
    url_bytes, headline, keywords, iso, count, _body = fields
    # Not remembered: a fraction of a microsecond, where a cache costs memory a day.
    day = dt.date.fromisoformat(iso.decode("ascii")).toordinal()
    url = url_bytes.decode("utf-8")
    site, normal = site_and_key(url)
    return Digest(
        day,
        site,
        headline_suffix(headline.decode("utf-8")),
        tuple(keywords.decode("utf-8").split(",")) if keywords else (),
        int(count),
        words,
        characters,
        url_key(url),
        url_key(normal),
    )
