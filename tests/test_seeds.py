"""Every bundled seed: the real record is clean and canonical; each broken one breaks its rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes
from archivekit.rules import RULE_BY_CODE, RuleOptions, Severity
from tests.conftest import SEED, SEEDS

INVALID = sorted((SEEDS / "invalid").glob("*.txt"))
VALID = sorted((SEEDS / "valid").glob("*.txt"))
#: Rules that compare files, so no one seed file can break them (tests/test_batch_rules.py).
CROSS_FILE = {"duplicate-url"}


def test_the_seed_is_clean_and_canonical() -> None:
    data = SEED.read_bytes()
    result = parse(data, path=str(SEED))
    assert result.diagnostics == ()
    assert result.record is not None
    assert dump_bytes(result.record) == data
    assert result.record.word_count == 8304
    assert "Calderon  Felipe" in result.record.keywords


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_each_invalid_seed_fails_with_its_own_code(path: Path) -> None:
    code = path.stem
    assert RULE_BY_CODE[code].severity is Severity.ERROR
    result = parse(path.read_bytes(), path=str(path))
    assert not result.ok
    assert result.record is None
    assert code in {d.code for d in result.errors}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_each_valid_seed_warns_with_its_own_code_only(path: Path) -> None:
    code = path.stem
    options = RuleOptions(enable=frozenset({code})) if RULE_BY_CODE[code].opt_in else None
    result = parse(path.read_bytes(), path=str(path), options=options)
    assert result.ok
    assert result.record is not None
    assert {d.code for d in result.diagnostics} == {code}
    assert all(d.severity is Severity.WARNING for d in result.diagnostics)


def test_every_rule_that_a_text_file_can_break_has_a_seed() -> None:
    # read-error needs an unreadable file; keyword-invalid and the readers' own rules come
    # only from other formats (tested in tests/test_formats_readers.py); the size limits
    # need files too large to bundle (tested in tests/test_hostile_sizes.py).
    untestable = {
        "read-error",
        "keyword-invalid",
        "json-invalid",
        "field-type",
        "csv-header",
        "csv-row",
        "front-matter-invalid",
        "field-unknown",
        "format-guessed",
        "file-too-large",
        "keyword-too-many",
        # JSON objects, archives inside archives, convert's output names: not a text file.
        "json-duplicate-key",
        "archive-nested",
        "output-name",
    }
    seeded = {p.stem for p in INVALID + VALID}
    assert seeded == set(RULE_BY_CODE) - untestable - CROSS_FILE


def test_opt_in_seed_is_clean_by_default() -> None:
    path = SEEDS / "valid" / "word-count-mismatch.txt"
    assert parse(path.read_bytes()).diagnostics == ()
