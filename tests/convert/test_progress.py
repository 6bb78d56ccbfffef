"""The progress bar: only on a terminal, only for large batches, and it never drops a record."""

from __future__ import annotations

import io

import pytest

from archivekit.cli import console
from archivekit.convert import Outcome


def outcomes(count: int) -> list[Outcome]:
    return [Outcome(f"f{n}", None, 1, ()) for n in range(count)]


@pytest.mark.parametrize("count", [0, 10, console.PROGRESS_AFTER, 1200])
def test_progress_passes_every_outcome_through_in_order(count: int) -> None:
    items = outcomes(count)
    assert list(console.progress(iter(items), enabled=True, what="converting")) == items
    assert list(console.progress(iter(items), enabled=False, what="converting")) == items


def test_progress_draws_on_a_terminal_only_for_large_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn = io.StringIO()

    def make_console() -> object:
        from rich.console import Console

        return Console(file=drawn, force_terminal=True)

    monkeypatch.setattr(console, "_console", make_console)
    list(console.progress(iter(outcomes(100)), enabled=True, what="converting"))
    assert drawn.getvalue() == ""
    list(console.progress(iter(outcomes(2000)), enabled=True, what="converting"))
    assert "records" in drawn.getvalue()
