"""Fuzz ``archive validate``: any input exits 0, 1 or 2, with findings and no traceback."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.mutations import SEEDS, mutate
from tests.support import Cli

pytestmark = [pytest.mark.fuzz, pytest.mark.property]


def check_validate(cli: Cli, data: bytes, *options: str) -> None:
    result = cli("validate", *options, "-", input=data)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines, "no summary"
    for line in lines[:-1]:  # every finding names its rule
        assert line.startswith("<stdin>:"), line
        assert "error[" in line or "warning[" in line, line
    assert lines[-1].startswith("1 file, ")


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
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.output
