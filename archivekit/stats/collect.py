"""Streaming accumulators of ``archive stats``: memory bounded by distinct keywords and sites."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
import operator
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from archivekit.diagnostics import ParseResult
from archivekit.rules import Severity
from archivekit.stats.digest import Digest

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


#: Distinct values a Distribution holds before putting them in its buckets and bins:
#: word counts and lengths repeat, and counting them is one C call a batch.
_PLACES = 4096
#: Float values are summed exactly, as integers in units of 2**-_SCALE (every
#: double, subnormals included, is a whole number of them): the mean then does
#: not depend on the order of the sums, nor on which worker added what.
_SCALE = 1100
#: Digests held by a Tally before they are counted, a column at a time.
_BATCH = 1024
#: A count's histogram bin, plus one (bisect_right): the joint counts' keys.
_count_bin = functools.partial(bisect.bisect_right, COUNT_EDGES)


def _bucket(value: float) -> int:
    """The sketch bucket of a value > 0: values within 1 % of each other share one."""
    return math.ceil(math.log(value) / _LOG_GAMMA)


def _scaled(value: float) -> int:
    """``value * 2**_SCALE``, exactly."""
    numerator, denominator = value.as_integer_ratio()  # the denominator: a power of 2
    return numerator << (_SCALE + 1 - denominator.bit_length())


class Distribution:
    """Count, min, max and mean exactly; quantiles within 1 %; a histogram on fixed edges.

    The quantiles come from a log-bucketed sketch (as DDSketch): memory grows
    with the logarithm of the range of values, never with their number.
    Values are counted a batch at a time (:meth:`add_many`, one C call),
    and put in their bucket and bin once per distinct value when the figures
    are read or more than 4,096 are held; two distributions :meth:`merge`.
    ``integral``: the values are integers (else floats, summed exactly).
    """

    __slots__ = (
        "_buckets",
        "_edges",
        "_histogram",
        "_scale",
        "_total",
        "_values",
        "_zeros",
        "count",
        "maximum",
        "minimum",
    )

    def __init__(self, edges: tuple[float, ...] = COUNT_EDGES, *, integral: bool = True) -> None:
        self.count = 0
        self.minimum: float = math.inf
        self.maximum: float = -math.inf
        self._zeros = 0
        self._buckets: Counter[int] = Counter()
        self._edges = edges
        self._histogram = [0] * len(edges)
        # Values not yet in their bucket and bin, with how often each was met.
        self._values: Counter[float] = Counter()
        # The sum of the values settled (integral), else of the values * 2**_SCALE.
        self._total = 0
        self._scale = 0 if integral else _SCALE

    def add(self, value: float) -> None:
        """Count one value (>= 0)."""
        self.add_many((value,))

    def add_many(self, values: Sequence[float]) -> None:
        """Count each of ``values`` (each >= 0)."""
        self.count += len(values)
        held = self._values
        held.update(values)
        if len(held) > _PLACES:
            self.settle()

    def merge(self, other: Distribution) -> None:
        """Count every value ``other`` counted (same edges)."""
        self.count += other.count
        self._total += other._total
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)
        self._zeros += other._zeros
        _add_counts(self._buckets, other._buckets)
        self._histogram = [a + b for a, b in zip(self._histogram, other._histogram, strict=True)]
        _add_counts(self._values, other._values)
        if len(self._values) > _PLACES:
            self.settle()

    def settle(self) -> None:
        """Put the values held into their buckets and bins (done when read, or when many).

        The values are sorted, and each bucket and bin takes a run of them
        (found by bisection, the bucket function deciding at each end of a
        run): the work grows with the buckets met, not with the values.
        """
        held = self._values
        if not held:
            return
        values = sorted(held)
        times = list(map(held.__getitem__, values))
        held.clear()
        before = [0, *itertools.accumulate(times)]  # before[i]: values met below values[i]
        size = len(values)
        self.minimum = min(self.minimum, values[0])
        self.maximum = max(self.maximum, values[-1])
        weights = map(_scaled, values) if self._scale else values
        self._total += sum(map(operator.mul, weights, times))
        start = bisect.bisect_right(values, 0)
        self._zeros += before[start]
        buckets = self._buckets
        while start < size:
            bucket = _bucket(values[start])
            end = max(bisect.bisect_right(values, _GAMMA**bucket, start), start + 1)
            while end - 1 > start and _bucket(values[end - 1]) != bucket:
                end -= 1
            while end < size and _bucket(values[end]) == bucket:
                end += 1
            buckets[bucket] += before[end] - before[start]
            start = end
        edges, histogram = self._edges, self._histogram
        low = 0
        for number in range(len(edges)):
            high = (
                bisect.bisect_left(values, edges[number + 1]) if number + 1 < len(edges) else size
            )
            histogram[number] += before[high] - before[low]
            low = high

    @property
    def zeros(self) -> int:
        """How many values were 0."""
        self.settle()
        return self._zeros

    def mean(self) -> float | None:
        """The mean, correctly rounded; None when empty."""
        if not self.count:
            return None
        self.settle()
        return self._total / (self.count << self._scale)

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile (0 to 1), within 1 % of a true one; None when empty."""
        if not self.count:
            return None
        # Nearest rank: the smallest value with at least q of the values at or below it.
        rank = max(math.ceil(q * self.count) - 1, 0)
        self.settle()
        seen = self._zeros
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
        self.settle()
        bins = []
        for number, count in enumerate(self._histogram):
            high = self._edges[number + 1] if number + 1 < len(self._edges) else None
            bins.append([self._edges[number], high, count])
        while bins and bins[-1][2] == 0:
            bins.pop()
        start = 0
        while start < len(bins) and bins[start][2] == 0:
            start += 1
        mean = self.mean()
        return {
            "count": self.count,
            "min": None if empty else rounded(self.minimum),
            "max": None if empty else rounded(self.maximum),
            "mean": None if mean is None else round(mean, 3),
            "p10": rounded(self.quantile(0.1)),
            "p50": rounded(self.quantile(0.5)),
            "p90": rounded(self.quantile(0.9)),
            "p99": rounded(self.quantile(0.99)),
            "histogram": bins[start:],
        }


class Keys:
    """64-bit keys (hashes of URLs), 8 bytes each, and how many repeat one met before.

    Kept in 16 arrays by their top 4 bits, so that the repeats are counted a
    sixteenth at a time (a set of one part: memory for a sixteenth of them).
    """

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts = [array("Q") for _ in range(16)]

    def __len__(self) -> int:
        return sum(map(len, self._parts))

    def add_many(self, keys: Iterable[int]) -> None:
        """Remember each of ``keys`` (0 to 2**64 - 1)."""
        ordered = sorted(keys)  # each part a run: found by bisection, copied in C
        start = 0
        for number, part in enumerate(self._parts):
            end = bisect.bisect_left(ordered, (number + 1) << 60, start)
            if end > start:
                part.extend(ordered[start:end])
            start = end

    def merge(self, other: Keys) -> None:
        """Remember every key of ``other`` too."""
        for mine, theirs in zip(self._parts, other._parts, strict=True):
            mine.extend(theirs)

    def repeats(self) -> int:
        """How many keys were met before (every key but the first of each value)."""
        return sum(len(part) - len(set(part)) for part in self._parts)


class Tally:
    """Every figure of ``archive stats``, added to one record at a time.

    Memory: counters keyed by year, month, site, headline suffix, keyword
    and rule (bounded by what is distinct, not by records), fixed-size
    histograms, and the URL keys for the duplicate counts: 16 bytes a
    record (:class:`Keys`), the one figure that must remember every record.

    :meth:`add` holds a batch of digests and counts them a column at a time
    (C calls: ``Counter.update`` of a column, ``sum``); the workers each
    tally the records of their chunk, and the parent :meth:`merge` s those
    tallies in, so that its own work grows with what is distinct in a chunk,
    not with its records.
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
        self.ratio = Distribution(RATIO_EDGES, integral=False)
        # (declared, counted) histogram bins, each plus one (_count_bin) -> records.
        self.joint: Counter[tuple[int, int]] = Counter()
        self.length = Distribution()
        self._exact = Keys()
        self._normal = Keys()
        self._pending: list[Digest] = []

    def add_result(self, result: ParseResult) -> None:
        """Count one record's validity and findings (every record read)."""
        self.records += 1
        if not result.diagnostics:  # most records: nothing to count but them
            self.valid += 1
            return
        for diagnostic in result.diagnostics:
            self.findings[diagnostic.code] += 1
            self.severities[diagnostic.severity.value] += 1
        if any(d.severity is Severity.ERROR for d in result.diagnostics):
            self.invalid += 1
        else:
            self.valid += 1

    def add(self, record: Digest) -> None:
        """Count one valid record's fields (its validity: :meth:`add_result`)."""
        pending = self._pending
        pending.append(record)
        if len(pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        """Count the digests held by :meth:`add` (before the tally is read, merged or sent)."""
        pending = self._pending
        if not pending:
            return
        self._pending = []
        days, sites, suffixes, keywords, declared, counted, length, exact, normal = zip(
            *pending, strict=True
        )
        if None in days:
            self.no_date += days.count(None)
            days = tuple(day for day in days if day is not None)
        self.days.update(days)
        self.sites.update(sites)
        self.suffixes.update(suffixes)
        sizes = tuple(map(len, keywords))
        self.no_keywords += sizes.count(0)
        self.per_record.add_many(sizes)
        self.keywords.update(itertools.chain.from_iterable(keywords))
        self.counted.add_many(counted)
        self.length.add_many(length)
        if None in declared:
            self.no_declared += declared.count(None)
            known = [(d, c) for d, c in zip(declared, counted, strict=True) if d is not None]
            declared = tuple(d for d, _ in known)
            counted = tuple(c for _, c in known)
        self.declared.add_many(declared)
        self.ratio.add_many([d / c for d, c in zip(declared, counted, strict=True) if c])
        self.joint.update(zip(map(_count_bin, declared), map(_count_bin, counted), strict=True))
        self._exact.add_many(exact)
        self._normal.add_many(normal)

    def merge(self, other: Tally) -> None:
        """Count everything ``other`` counted too (a worker's tally of its chunk)."""
        self.flush()
        other.flush()
        self.records += other.records
        self.valid += other.valid
        self.invalid += other.invalid
        _add_counts(self.findings, other.findings)
        _add_counts(self.severities, other.severities)
        _add_counts(self.days, other.days)
        self.no_date += other.no_date
        _add_counts(self.sites, other.sites)
        _add_counts(self.suffixes, other.suffixes)
        _add_counts(self.keywords, other.keywords)
        self.no_keywords += other.no_keywords
        self.no_declared += other.no_declared
        for mine, theirs in zip(self._distributions(), other._distributions(), strict=True):
            mine.merge(theirs)
        _add_counts(self.joint, other.joint)
        self._exact.merge(other._exact)
        self._normal.merge(other._normal)

    def __getstate__(self) -> dict[str, Any]:
        # Sent from a worker to the parent: the digests held are counted first. The
        # distinct values travel as they are: the parent settles thousands at once.
        self.flush()
        return self.__dict__

    def _distributions(self) -> tuple[Distribution, ...]:
        return (self.per_record, self.declared, self.counted, self.ratio, self.length)

    def figures(self) -> dict[str, Any]:
        """Every figure as plain data, with the stable keys of docs/stats.md."""
        self.flush()
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
        joint = sorted((d - 1, c - 1, n) for (d, c), n in self.joint.items())
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
                    "counts": [[d, c, n] for d, c, n in joint],
                },
            },
            "body_length": self.length.figures(),
            "duplicates": {
                "exact": self._exact.repeats(),
                "normalised": self._normal.repeats(),
            },
        }


def _add_counts(into: Counter[Any], other: Counter[Any]) -> None:
    """``into.update(other)`` in C: each key repeated its count times, counted by
    ``Counter``'s C loop (``update`` of a mapping is a Python loop over its keys)."""
    into.update(itertools.chain.from_iterable(map(itertools.repeat, other.keys(), other.values())))


def _is_person(keyword: str) -> bool:
    """A person keyword: ``Last  First`` (two spaces)."""
    return "  " in keyword


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    """Most frequent first; ties by name, so that the output is stable."""
    return sorted(counter.items(), key=lambda pair: (-pair[1], pair[0]))
