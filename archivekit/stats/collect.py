"""Streaming accumulators of ``archive stats``: memory bounded by distinct keywords and sites."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import Counter
from typing import Any

from archivekit.diagnostics import ParseResult
from archivekit.rules import Severity
from archivekit.stats.digest import Digest
from archivekit.urls import SeenSet

#: Version of the JSON figures (docs/stats.md): bumped when a key changes meaning.
STATS_VERSION = 1
#: Relative accuracy of the quantiles (p10, p50, p90, p99): 1 %.
ACCURACY = 0.01
_GAMMA = (1 + ACCURACY) / (1 - ACCURACY)
_LOG_GAMMA = math.log(_GAMMA)
#: Histogram edges of counts (words, characters): 0, 1, 2, 5, 10, 20, 50 ...
COUNT_EDGES: tuple[float, ...] = (0, *(m * 10**e for e in range(7) for m in (1, 2, 5)))
#: Histogram edges of declared / counted words: 0.9 to 1.1 is "within 10 %".
RATIO_EDGES: tuple[float, ...] = (0, 0.25, 0.5, 0.8, 0.9, 1.1, 1.25, 2, 4, 8)


#: The sketch bucket of zero (no logarithm); far below any real bucket.
_ZERO = -(2**31)
#: Values whose places a Distribution remembers: the most frequent are met early, and
#: memory stays small (about 0.5 MB a distribution) whatever the data.
_PLACES = 4096


class Distribution:
    """Count, min, max and mean exactly; quantiles within 1 %; a histogram on fixed edges.

    The quantiles come from a log-bucketed sketch (as DDSketch): memory grows
    with the logarithm of the range of values, never with their number.
    """

    __slots__ = (
        "_buckets",
        "_edges",
        "_histogram",
        "_places",
        "_remember",
        "count",
        "maximum",
        "minimum",
        "total",
        "zeros",
    )

    def __init__(self, edges: tuple[float, ...] = COUNT_EDGES, *, remember: bool = True) -> None:
        self.count = 0
        self.total = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf
        self.zeros = 0
        self._buckets: Counter[int] = Counter()
        self._edges = edges
        self._histogram = [0] * len(edges)
        # Where a value goes (sketch bucket, histogram bin), for values seen before:
        # word counts and lengths repeat, and this runs once per record in the parent.
        self._places: dict[float, tuple[int, int]] = {}
        self._remember = remember

    def add(self, value: float) -> int:
        """Count one value (>= 0); returns its histogram bin."""
        self.count += 1
        self.total += value
        if value < self.minimum:
            self.minimum = value
        if value > self.maximum:
            self.maximum = value
        place = self._places.get(value)
        if place is None:
            bucket = math.ceil(math.log(value) / _LOG_GAMMA) if value > 0 else _ZERO
            place = (bucket, bisect.bisect_right(self._edges, value) - 1)
            if self._remember and len(self._places) < _PLACES:
                self._places[value] = place
        bucket, number = place
        if bucket == _ZERO:
            self.zeros += 1
        else:
            self._buckets[bucket] += 1
        self._histogram[number] += 1
        return number

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile (0 to 1), within 1 % of a true one; None when empty."""
        if not self.count:
            return None
        # Nearest rank: the smallest value with at least q of the values at or below it.
        rank = max(math.ceil(q * self.count) - 1, 0)
        seen = self.zeros
        if rank < seen:
            return 0.0
        for index in sorted(self._buckets):
            seen += self._buckets[index]
            if rank < seen:
                estimate = 2 * _GAMMA**index / (_GAMMA + 1)
                return min(max(estimate, self.minimum), self.maximum)
        return self.maximum

    def figures(self, *, digits: int = 0) -> dict[str, Any]:
        """Everything known, as plain data (docs/stats.md ``distribution``)."""

        def rounded(value: float | None) -> float | int | None:
            if value is None:
                return None
            return round(value, digits) if digits else round(value)

        empty = not self.count
        bins = []
        for number, count in enumerate(self._histogram):
            high = self._edges[number + 1] if number + 1 < len(self._edges) else None
            bins.append([self._edges[number], high, count])
        while bins and bins[-1][2] == 0:
            bins.pop()
        start = 0
        while start < len(bins) and bins[start][2] == 0:
            start += 1
        return {
            "count": self.count,
            "min": None if empty else rounded(self.minimum),
            "max": None if empty else rounded(self.maximum),
            "mean": None if empty else round(self.total / self.count, 3),
            "p10": rounded(self.quantile(0.1)),
            "p50": rounded(self.quantile(0.5)),
            "p90": rounded(self.quantile(0.9)),
            "p99": rounded(self.quantile(0.99)),
            "histogram": bins[start:],
        }


class Tally:
    """Every figure of ``archive stats``, added to one record at a time.

    Memory: counters keyed by year, month, site, headline suffix, keyword
    and rule (bounded by what is distinct, not by records), fixed-size
    histograms, and the URL keys seen for the duplicate counts: 16 to 32
    bytes a record (:class:`~archivekit.urls.SeenSet`), the one figure that
    must remember every record.
    """

    def __init__(self, *, top: int = 20) -> None:
        self.top = top
        self.records = 0
        self.valid = 0
        self.invalid = 0
        self.findings: Counter[str] = Counter()
        self.severities: Counter[str] = Counter()
        self.days: Counter[int] = Counter()  # ordinal -> records: bounded by distinct days
        self.no_date = 0
        self.sites: Counter[str] = Counter()
        self.suffixes: Counter[str] = Counter()
        self.keywords: Counter[str] = Counter()
        self.no_keywords = 0
        self.per_record = Distribution()
        self.declared = Distribution()
        self.no_declared = 0
        self.counted = Distribution()
        self.ratio = Distribution(RATIO_EDGES, remember=False)  # ratios seldom repeat
        self.joint: Counter[tuple[int, int]] = Counter()
        self.length = Distribution()
        self._exact = SeenSet()
        self._normal = SeenSet()
        self.exact_duplicates = 0
        self.normal_duplicates = 0

    def add_result(self, result: ParseResult) -> None:
        """Count one record's validity and findings (every record read)."""
        self.records += 1
        for diagnostic in result.diagnostics:
            self.findings[diagnostic.code] += 1
            self.severities[diagnostic.severity.value] += 1
        if any(d.severity is Severity.ERROR for d in result.diagnostics):
            self.invalid += 1
        else:
            self.valid += 1

    def add(self, record: Digest) -> None:
        """Count one valid record's fields."""
        if record.day is None:
            self.no_date += 1
        else:
            self.days[record.day] += 1
        self.sites[record.site] += 1
        self.suffixes[record.suffix] += 1
        keywords = record.keywords
        self.keywords.update(keywords)
        if not keywords:
            self.no_keywords += 1
        self.per_record.add(len(keywords))
        counted = record.counted
        counted_bin = self.counted.add(counted)
        self.length.add(record.length)
        declared = record.declared
        if declared is None:
            self.no_declared += 1
        else:
            declared_bin = self.declared.add(declared)
            if counted:
                self.ratio.add(declared / counted)
            self.joint[declared_bin, counted_bin] += 1
        if not self._exact.add(record.exact):
            self.exact_duplicates += 1
        if not self._normal.add(record.normal):
            self.normal_duplicates += 1

    def figures(self) -> dict[str, Any]:
        """Every figure as plain data, with the stable keys of docs/stats.md."""
        years: Counter[str] = Counter()
        months: Counter[str] = Counter()
        for ordinal, count in self.days.items():
            day = dt.date.fromordinal(ordinal)
            years[f"{day.year:04d}"] += count
            months[f"{day.year:04d}-{day.month:02d}"] += count
        first = dt.date.fromordinal(min(self.days)).isoformat() if self.days else None
        last = dt.date.fromordinal(max(self.days)).isoformat() if self.days else None
        people = Counter({k: n for k, n in self.keywords.items() if _is_person(k)})
        topics = Counter({k: n for k, n in self.keywords.items() if not _is_person(k)})
        ratio = self.ratio
        within = sum(count for low, _, count in ratio.figures(digits=3)["histogram"] if low == 0.9)
        return {
            "stats_version": STATS_VERSION,
            "records": self.records,
            "valid": self.valid,
            "invalid": self.invalid,
            "findings": dict(_ranked(self.findings)),
            "findings_by_severity": {
                "error": self.severities.get("error", 0),
                "warning": self.severities.get("warning", 0),
            },
            "dates": {"first": first, "last": last, "missing": self.no_date},
            "by_year": dict(sorted(years.items())),
            "by_month": dict(sorted(months.items())),
            "by_domain": dict(_ranked(self.sites)),
            "by_suffix": dict(_ranked(self.suffixes)),
            "keywords": {
                "distinct": len(self.keywords),
                "people_distinct": len(people),
                "records_without": self.no_keywords,
                "per_record": self.per_record.figures(),
            },
            "top_keywords": [[k, n] for k, n in _ranked(topics)[: self.top]],
            "top_people": [[k, n] for k, n in _ranked(people)[: self.top]],
            "word_count": {
                "declared": self.declared.figures(),
                "declared_missing": self.no_declared,
                "declared_zero": self.declared.zeros,
                "counted": self.counted.figures(),
                "ratio": ratio.figures(digits=3),
                "ratio_within_10_percent": within,
                "joint": {
                    "edges": list(COUNT_EDGES),
                    "counts": [[d, c, n] for (d, c), n in sorted(self.joint.items())],
                },
            },
            "body_length": self.length.figures(),
            "duplicates": {
                "exact": self.exact_duplicates,
                "normalised": self.normal_duplicates,
            },
        }


def _is_person(keyword: str) -> bool:
    """A person keyword: ``Last  First`` (two spaces)."""
    return "  " in keyword


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    """Most frequent first; ties by name, so that the output is stable."""
    return sorted(counter.items(), key=lambda pair: (-pair[1], pair[0]))
