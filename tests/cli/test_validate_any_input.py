"""Fuzz ``archive validate``: any input exits 0, 1 or 2, with findings and no traceback."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.formats import sniff
from archivekit.record.parse import parse
from archivekit.rules import RuleOptions, Severity
from archivekit.sources.inputs import SNIFF_BYTES
from tests.mutations import SEEDS, mutate
from tests.support import Cli

pytestmark = [pytest.mark.fuzz, pytest.mark.property]


def check_validate(cli: Cli, data: bytes, *options: str) -> None:
    """The CLI says exactly what parse() finds: the same findings, the exit code they imply.

    Standard input that looks like another format (``[``, ``{``, ``---``, a CSV
    header) is read as that format, with a note: then only the exit code is checked.
    """
    if sniff(data[:SNIFF_BYTES]) != "archive":
        sniffed = cli("validate", *options, "-", input=data)
        assert sniffed.exit_code in (0, 1), sniffed.output
        assert "Traceback" not in sniffed.output
        assert "archive: note: read standard input as" in sniffed.stderr
        return
    enable = frozenset(["word-count-mismatch"]) if "--enable" in options else frozenset()
    found = parse(data, path="<stdin>", options=RuleOptions(enable=enable)).diagnostics
    errors = sum(d.severity is Severity.ERROR for d in found)
    failing = errors + (len(found) - errors if "--strict" in options else 0)
    result = cli("validate", *options, "-", input=data)
    assert result.exit_code == (1 if failing else 0), result.output
    if failing:
        assert isinstance(result.exception, SystemExit), result.exception
    else:
        assert result.exception is None, result.exception
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines, "no summary"
    # Every finding names its place and rule, in parse()'s order.
    assert [line.split(" ", 2)[:2] for line in lines[:-1]] == [
        [f"<stdin>:{d.line}:{d.column}:", f"{d.severity.value}[{d.code}]"] for d in found
    ]
    warnings = len(found) - errors
    assert lines[-1] == (
        f"1 file, {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    )


@given(st.binary(max_size=1500))
def test_validate_arbitrary_bytes(cli: Cli, data: bytes) -> None:
    check_validate(cli, data)


@given(
    st.sampled_from(SEEDS),
    st.randoms(use_true_random=False),
    st.sampled_from([(), ("--strict",), ("--enable", "word-count-mismatch")]),
)
def test_validate_mutated_seeds(
    cli: Cli, seed: bytes, rng: random.Random, options: tuple[str, ...]
) -> None:
    check_validate(cli, mutate(seed, rng), *options)


# No "/" or ".": a generated path must not name a real folder (walking / would take ages).
@given(st.lists(st.text(st.characters(exclude_characters="/."), max_size=12), max_size=4))
def test_validate_arbitrary_arguments(cli: Cli, args: list[str]) -> None:
    """Junk options and paths are usage errors (2) or findings, never a crash."""
    result = cli("validate", *args, input=b"")
    # Not one exact code: it depends on which junk the arguments happen to hold (a usage
    # error is 2, "-" reads the empty standard input: file-empty, 1, or 0 with --exit-zero;
    # --help is 0). What must hold for all of them: an exit, never an exception.
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code:
        assert isinstance(result.exception, SystemExit), result.exception
    else:
        assert result.exception is None, result.exception
    assert "Traceback" not in result.output
