"""Selecting records (convert and stats): by date, keyword and site, deduplicated, sampled.

A :class:`Selection` is applied in two halves. Its filters (``since``,
``until``, ``keywords``, ``domains``) look at one record at a time: they run
where the record is read, in the worker processes (``ReadOptions.pick``).
``dedupe`` and ``sample`` depend on the records before: a :class:`Picker`
applies them in the parent, in input order. Filters come first, then
``dedupe`` (the first record of each normalised URL among those kept), then
``sample`` (reservoir sampling: one pass, memory for ``sample`` records, the
same records for the same seed). Only valid records are selected: an invalid
record has no fields to select by, and is reported as always.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from archivekit.errors import UsageError
from archivekit.record.dates import parse_date
from archivekit.urls import SeenSet, domain_matches, host, normalise_url, url_key

if TYPE_CHECKING:
    from archivekit.record.model import Record

T = TypeVar("T")

_YEAR = re.compile(r"[0-9]{4}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


def keyword_key(keyword: str) -> str:
    """How ``--keyword`` compares keywords: letter case and runs of spaces ignored."""
    return " ".join(keyword.casefold().split())


def parse_bound(text: str, *, end: bool, option: str = "--since") -> dt.date:
    """A ``--since``/``--until`` date: ISO (``2015-03-01``), AP (``March 1, 2015``), or
    a year (``2015``) or month (``2015-03``), which mean their first day, or with
    ``end`` their last. Raises :class:`UsageError` saying what is wrong.
    """
    value = text.strip()
    if _YEAR.fullmatch(value):
        year = int(value)
        if year < 1:
            raise UsageError(f"{option} {text!r}: there is no year 0")
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    month = _MONTH.fullmatch(value)
    if month is not None:
        year, number = int(month[1]), int(month[2])
        if year < 1 or not 1 <= number <= 12:
            raise UsageError(f"{option} {text!r}: not a year and month (YYYY-MM)")
        last = calendar.monthrange(year, number)[1]
        return dt.date(year, number, last if end else 1)
    parsed = parse_date(value)
    if isinstance(parsed, dt.date):
        return parsed
    if parsed.code == "date-invalid":  # the right shape, but no such day
        raise UsageError(f"{option} {parsed.message}")
    raise UsageError(
        f"{option} {text!r}: not a date: give 2015-03-01, 'March 1, 2015', 2015-03 or 2015"
    )


@dataclass(frozen=True, slots=True)
class Selection:
    """Which records to keep: every field optional, the empty selection keeps everything.

    ``since``/``until``: the record's date, both ends included. ``keywords``:
    records holding any of them (all of them with ``all_keywords``), compared
    without letter case and with runs of spaces as one (``obama barack``
    finds ``Obama  Barack``). ``domains``: records whose URL's host is one
    of them or a subdomain (``www.`` ignored: ``nytimes.com`` finds
    ``www.nytimes.com`` and ``cooking.nytimes.com``). ``dedupe``: the first
    record of each normalised URL (:func:`archivekit.urls.normalise_url`).
    ``sample``: that many records, drawn with ``random.Random(seed)``
    (Algorithm R), given back in input order. Picklable: the filters run
    in worker processes (the selection is its own ``pick`` function).
    """

    since: dt.date | None = None
    until: dt.date | None = None
    keywords: tuple[str, ...] = ()
    all_keywords: bool = False
    domains: tuple[str, ...] = ()
    sample: int | None = None
    seed: int = 0
    dedupe: bool = False
    _keys: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise UsageError(f"--since {self.since} is after --until {self.until}: nothing to keep")
        if self.all_keywords and not self.keywords:
            raise UsageError("--all-keywords goes with --keyword K (one or more)")
        if self.sample is not None and self.sample < 1:
            raise UsageError(f"--sample {self.sample}: give a number of records, 1 or more")
        keys = frozenset(keyword_key(k) for k in self.keywords)
        if "" in keys:
            raise UsageError("--keyword: give a keyword, not an empty string")
        object.__setattr__(self, "_keys", keys)
        for wanted in self.domains:
            if not wanted or "/" in wanted or wanted != wanted.strip().lower():
                raise UsageError(f"--domain {wanted!r}: give a host name such as nytimes.com")

    @classmethod
    def from_options(
        cls,
        *,
        since: str | None = None,
        until: str | None = None,
        keywords: Sequence[str] = (),
        all_keywords: bool = False,
        domains: Sequence[str] = (),
        sample: int | None = None,
        seed: int | None = None,
        dedupe: bool = False,
    ) -> Selection:
        """The selection the command-line options describe (dates and hosts as typed)."""
        if seed is not None and sample is None:
            raise UsageError("--seed goes with --sample N")
        return cls(
            since=None if since is None else parse_bound(since, end=False, option="--since"),
            until=None if until is None else parse_bound(until, end=True, option="--until"),
            keywords=tuple(keywords),
            all_keywords=all_keywords,
            domains=tuple(_domain(d) for d in domains),
            sample=sample,
            seed=0 if seed is None else seed,
            dedupe=dedupe,
        )

    @property
    def filters(self) -> bool:
        """Whether any per-record filter is set (``pick`` has work to do)."""
        return bool(
            self.since is not None or self.until is not None or self.keywords or self.domains
        )

    @property
    def ordered(self) -> bool:
        """Whether ``dedupe`` or ``sample`` is set: decided in input order, by a :class:`Picker`."""
        return self.dedupe or self.sample is not None

    @property
    def active(self) -> bool:
        """Whether this selection can leave any record out."""
        return self.filters or self.ordered

    def __call__(self, record: Record) -> bool:
        """Whether ``record`` passes the filters (``dedupe`` and ``sample`` aside)."""
        return self.matches(date=record.date, keywords=record.keywords, url=record.url)

    def matches(self, *, date: dt.date | None, keywords: Sequence[str], url: str) -> bool:
        """The filters on a record's fields; a record without a date fails a date bound."""
        if self.since is not None or self.until is not None:
            if date is None:
                return False
            if self.since is not None and date < self.since:
                return False
            if self.until is not None and date > self.until:
                return False
        if self._keys:
            held = {keyword_key(k) for k in keywords}
            if not (self._keys <= held if self.all_keywords else self._keys & held):
                return False
        if self.domains:
            site = host(url)
            if not any(domain_matches(site, wanted) for wanted in self.domains):
                return False
        return True

    def describe(self) -> dict[str, Any]:
        """The selection as plain data (``archive stats --format json``)."""
        return {
            "since": None if self.since is None else self.since.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
            "keywords": list(self.keywords),
            "all_keywords": self.all_keywords,
            "domains": list(self.domains),
            "dedupe": self.dedupe,
            "sample": self.sample,
            "seed": self.seed if self.sample is not None else None,
        }


def _domain(text: str) -> str:
    """A ``--domain`` as typed (``www.NYTimes.com``, ``https://nytimes.com/``) as a host."""
    value = text.strip()
    if "://" in value:
        return host(value) or value
    value = value.lower().rstrip(".")
    return value[4:] if value.startswith("www.") else value


class Picker(Generic[T]):
    """The parent's half of a selection: ``dedupe`` then ``sample``, in input order.

    Offer each record that passed the filters, in input order, with its URL;
    :meth:`offer` gives it back when it is kept now, and :meth:`sampled`
    gives the sample at the end, in input order. Memory: the normalised URLs
    seen (16 to 32 bytes each, for ``dedupe``) and ``sample`` records.
    """

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        #: Records offered (they passed the filters).
        self.matched = 0
        #: Records dropped by ``dedupe``.
        self.duplicates = 0
        self._seen = SeenSet() if selection.dedupe else None
        self._rng = random.Random(selection.seed)
        self._reservoir: list[tuple[int, T]] = []
        self._candidates = 0

    def offer(self, item: T, url: str | None, *, key: int | None = None) -> T | None:
        """``item`` if it is kept now; None if ``dedupe`` drops it or ``sample`` holds it.

        ``key``: :func:`~archivekit.urls.url_key` of the normalised URL, when
        already computed (by a worker); else it is computed from ``url``.
        """
        self.matched += 1
        if self._seen is not None and (key is not None or url is not None):
            if key is None:
                assert url is not None
                key = url_key(normalise_url(url))
            if not self._seen.add(key):
                self.duplicates += 1
                return None
        size = self.selection.sample
        if size is None:
            return item
        # Algorithm R: the i-th candidate replaces a random one of the reservoir
        # with probability size / (i + 1). One draw per candidate past the first
        # ``size``: the same seed gives the same sample, whatever --jobs says.
        number = self._candidates
        self._candidates += 1
        if number < size:
            self._reservoir.append((number, item))
        else:
            slot = self._rng.randrange(number + 1)
            if slot < size:
                self._reservoir[slot] = (number, item)
        return None

    def passed(self) -> None:
        """Count a record that passed the filters, kept as it is: no ``dedupe``, no ``sample``.

        For a record counted elsewhere (``archive stats``: by its worker), not offered.
        """
        if self.selection.ordered:
            raise ValueError("passed() is for selections without dedupe or sample: offer() it")
        self.matched += 1

    def sampled(self) -> list[T]:
        """The sample, in input order (empty without ``sample``)."""
        return [item for _, item in sorted(self._reservoir, key=lambda pair: pair[0])]

    @property
    def kept(self) -> int:
        """Records the selection keeps so far (final once every record is offered)."""
        if self.selection.sample is not None:
            return len(self._reservoir)
        return self.matched - self.duplicates
