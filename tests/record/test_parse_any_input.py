"""Fuzz parse(): arbitrary and mutated input gives a result with known rule codes, never a crash."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz_checks import check_parse
from tests.mutations import MUTATORS, SEEDS, mutate, with_surrogate

pytestmark = [pytest.mark.fuzz, pytest.mark.property]

# Every code point, lone surrogates included (hypothesis leaves them out by default).
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())


@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    check_parse(data)


@given(st.text(ANY_CHAR, max_size=500))
def test_arbitrary_text(text: str) -> None:
    check_parse(text)


@given(st.lists(st.text(ANY_CHAR, max_size=40), min_size=0, max_size=9))
def test_arbitrary_lines(lines: list[str]) -> None:
    """Six-ish lines reach the field checks, which whole random blobs rarely do."""
    check_parse("\n".join(lines))
    check_parse("\n".join(lines).encode("utf-8", "surrogatepass"))


@given(st.sampled_from(SEEDS), st.randoms(use_true_random=False))
def test_mutated_seeds(seed: bytes, rng: random.Random) -> None:
    check_parse(mutate(seed, rng))


@given(st.sampled_from(SEEDS), st.sampled_from(MUTATORS), st.randoms(use_true_random=False))
def test_each_mutator(seed: bytes, mutator, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    check_parse(mutator(seed, rng))


@given(st.sampled_from(SEEDS), st.randoms(use_true_random=False))
def test_lone_surrogates_in_text(seed: bytes, rng: random.Random) -> None:
    result = check_parse(with_surrogate(seed.decode("utf-8"), rng))
    assert not result.ok  # a surrogate is no character: such a record could never be written
    assert any(d.code == "control-char" for d in result.diagnostics)
