"""A baseline: findings recorded once and hidden after, to adopt the checks on an old archive."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, replace

import orjson

from archivekit.diagnostics import ParseResult
from archivekit.errors import BaselineError
from archivekit.files.atomic import write_atomic
from archivekit.files.globs import relative
from archivekit.files.read import DEFAULT_MAX_BYTES, over_limit, read_file, too_large_message
from archivekit.text import safe_path

VERSION = 1

#: (path relative to the baseline's folder, rule code, field): lines move when a
#: file is edited, these do not.
Key = tuple[str, str, str | None]


@dataclass(frozen=True, slots=True)
class StaleEntry:
    """A recorded finding that no longer occurs: it was fixed, so the entry can go."""

    path: str
    code: str
    field: str | None
    count: int


class Baseline:
    """Hides findings recorded in a baseline file, counting each key's occurrences."""

    def __init__(self, path: str, counts: Counter[Key] | None = None) -> None:
        self.path = path
        self.root = os.path.dirname(os.path.abspath(path))
        self._left: Counter[Key] = Counter(counts or {})
        self._visited: set[str] = set()
        self.hidden = 0

    @classmethod
    def load(
        cls, path: str, *, missing_ok: bool = False, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> Baseline:
        """Read ``path``; an empty baseline if it does not exist and ``missing_ok``.

        The file goes through the bounded reader: over ``max_bytes`` (the
        file-size limit, ``--max-bytes``) it is refused unread, since its
        decoded entries cost about ten times its size in memory.
        """
        try:
            data, size = read_file(path, max_bytes)
            if over_limit(data, size, max_bytes):
                raise BaselineError(
                    f"{path}: {too_large_message(size, max_bytes, what='baseline')}"
                )
            document = orjson.loads(data)
        except FileNotFoundError:
            if missing_ok:
                return cls(path)
            raise BaselineError(
                f"{path}: no such baseline (write one with --update-baseline)"
            ) from None
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror}") from None
        except orjson.JSONDecodeError as exc:
            raise BaselineError(f"{path}: not JSON: {exc}") from None
        try:
            if document["version"] != VERSION:
                raise BaselineError(
                    f"{path}: baseline version {document['version']!r} is not {VERSION}"
                )
            counts: Counter[Key] = Counter()
            for entry in document["findings"]:
                counts[(entry["path"], entry["code"], entry.get("field"))] += int(entry["count"])
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"{path}: not an archivekit baseline") from None
        return cls(path, counts)

    def filter(self, result: ParseResult) -> ParseResult:
        """``result`` without the findings the baseline records (each key as often as recorded)."""
        rel = safe_path(relative(result.path, self.root))
        self._visited.add(rel)
        if not result.diagnostics or not self._left:
            return result
        kept = []
        for d in result.diagnostics:
            key = (rel, d.code, d.field)
            if self._left[key] > 0:
                self._left[key] -= 1
                self.hidden += 1
            else:
                kept.append(d)
        if len(kept) == len(result.diagnostics):
            return result
        return replace(result, diagnostics=tuple(kept))

    def stale(self) -> list[StaleEntry]:
        """Entries of the files checked in this run that matched nothing: fixed since."""
        return [
            StaleEntry(path, code, field, n)
            for (path, code, field), n in sorted(self._left.items(), key=str)
            if n > 0 and path in self._visited
        ]


class BaselineWriter:
    """Collects a run's findings and writes them as the new baseline.

    Entries for files this run did not check are kept, so that updating with a
    subset of the archive (``--changed-since``) does not forget the rest.
    """

    def __init__(self, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.root = os.path.dirname(os.path.abspath(path))
        self._old = Baseline.load(path, missing_ok=True, max_bytes=max_bytes)._left
        self._new: Counter[Key] = Counter()
        self._visited: set[str] = set()

    def add(self, result: ParseResult) -> None:
        """Record every finding of ``result``."""
        rel = safe_path(relative(result.path, self.root))
        self._visited.add(rel)
        for d in result.diagnostics:
            self._new[(rel, d.code, d.field)] += 1

    def write(self) -> int:
        """Write the baseline atomically; returns how many findings of this run it records.

        :attr:`kept` then holds how many it keeps for files this run did not check.
        """
        kept = Counter({k: n for k, n in self._old.items() if k[0] not in self._visited})
        counts = self._new + kept
        #: Findings kept from the old baseline, of files this run did not check.
        self.kept = sum(kept.values())
        findings = [
            {"path": p, "code": c, "field": f, "count": n}
            for (p, c, f), n in sorted(counts.items(), key=str)
        ]
        data = (
            orjson.dumps({"version": VERSION, "findings": findings}, option=orjson.OPT_INDENT_2)
            + b"\n"
        )
        try:
            write_atomic(self.path, data)
        except OSError as exc:
            raise BaselineError(f"{self.path}: cannot write: {exc.strerror or exc}") from None
        return sum(self._new.values())
