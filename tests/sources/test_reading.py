"""sources/reading.py: a canonical archive file is digested from its bytes when it may be."""

from __future__ import annotations

from pathlib import Path

from archivekit.formats import FormatOptions
from archivekit.record import fast
from archivekit.record.model import Record
from archivekit.rules import RuleOptions
from archivekit.selection import Selection
from archivekit.sources.inputs import iter_sources
from archivekit.sources.reading import ReadOptions, read_sources
from tests.support import write_batch


def _from_record(record: Record) -> object:
    return ("record", record.url)


def _from_fields(fields: fast.Fields, words: int, characters: int) -> object:
    return ("fields", fields[0].decode())


def _digests(folder: Path, options: ReadOptions, jobs: int) -> list[object]:
    sources = iter_sources([str(folder)], max_bytes=options.formats.rules.max_bytes)
    return [item.digest for item in read_sources(sources, options, jobs=jobs)]


def test_canonical_files_are_digested_from_their_bytes_the_others_from_the_record(
    tmp_path: Path,
) -> None:
    paths = write_batch(tmp_path, 300)  # past the pool threshold: workers too
    canonical = [fast.check(p.read_bytes()) is not None for p in sorted(paths)]
    assert 0 < canonical.count(False) < len(canonical)  # bodies over several lines
    checking = FormatOptions(keep_records=False)
    options = ReadOptions(checking, digest=_from_record, digest_fields=_from_fields)
    for jobs in (1, 2):
        digests = _digests(tmp_path, options, jobs)
        kinds = [d[0] == "fields" for d in digests if isinstance(d, tuple)]
        assert kinds == canonical, jobs
    # A selection looks at the record, as do opt-in rules: no shortcut then.
    picking = ReadOptions(
        checking, digest=_from_record, digest_fields=_from_fields, pick=Selection()
    )
    strict = FormatOptions(rules=RuleOptions(word_count_tolerance=0.5), keep_records=False)
    other_rules = ReadOptions(strict, digest=_from_record, digest_fields=_from_fields)
    for other in (picking, other_rules):
        assert {d[0] for d in _digests(tmp_path, other, 1) if isinstance(d, tuple)} == {"record"}
