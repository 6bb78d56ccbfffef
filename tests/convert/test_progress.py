"""The progress bar: only on a terminal, only for large batches, and it never drops a record."""

from __future__ import annotations

import io
from pathlib import Path

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


def test_progress_shows_a_total_when_the_walk_knows_it(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = io.StringIO()

    def make_console() -> object:
        from rich.console import Console

        return Console(file=drawn, force_terminal=True, width=120)

    monkeypatch.setattr(console, "_console", make_console)
    items = outcomes(2000)
    shown = console.progress(iter(items), enabled=True, what="converting", total=lambda: 2000)
    assert list(shown) == items
    assert "/2000 records" in drawn.getvalue()


def test_expected_records_counts_one_record_files(tmp_path: Path) -> None:
    from archivekit.convert import Conversion, ConvertOptions
    from tests.support import write_batch

    write_batch(tmp_path / "in", 30)
    run = Conversion([str(tmp_path / "in")], ConvertOptions(to="jsonl"))
    assert run.expected_records() == 30
    (tmp_path / "in" / "more.jsonl").write_bytes(b"")
    many = Conversion(
        [str(tmp_path / "in"), str(tmp_path / "in" / "more.jsonl")], ConvertOptions(to="jsonl")
    )
    assert many.expected_records() is None
