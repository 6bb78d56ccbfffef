"""archive stats writes text, JSON, Markdown and HTML, to standard output or a file."""

from __future__ import annotations

import html
import os
from pathlib import Path

import orjson
import pytest

from archivekit.stats.labels import bar
from tests.conftest import SEEDS
from tests.support import Cli, write_mixed


def test_text_is_a_summary_with_bars_and_no_colour_in_a_pipe(cli: Cli) -> None:
    result = cli("stats", SEEDS)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("22 records: 11 valid, 11 invalid")
    for heading in ("Records per year", "Sites", "Top keywords", "Findings per rule"):
        assert heading in out
    assert "█" in out
    assert "\x1b[" not in out
    assert "nytimes.com" in out
    assert "date-invalid" in out


def test_text_has_colour_when_forced(cli: Cli) -> None:
    result = cli("stats", SEEDS, env={"FORCE_COLOR": "1"})
    assert "\x1b[" in result.stdout


def test_markdown_is_a_job_summary(cli: Cli) -> None:
    out = cli("stats", SEEDS, "--format", "markdown").stdout
    assert out.startswith("## Archive statistics")
    assert "| 2011 | 10 |" in out
    assert "|---|---:|---:|---|" in out


def test_markdown_cells_cannot_break_the_table(cli: Cli, tmp_path: Path) -> None:
    body = "http://a.com/x\nA | B <script> - Site\nk|1\nAug. 3, 2011\n5\nBody."
    (tmp_path / "a.txt").write_text(body, encoding="utf-8")
    out = cli("stats", tmp_path, "-f", "markdown").stdout
    assert "k\\|1" in out
    assert "<script>" not in out


def test_output_file_is_written_whole_and_replaced(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "out" / "stats.json"
    target.parent.mkdir()
    target.write_text("old")
    result = cli("stats", SEEDS, "-f", "json", "-o", target, "--force")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    assert orjson.loads(target.read_bytes())["records"] == 22
    assert [p.name for p in target.parent.iterdir()] == ["stats.json"]  # no temporary left


def test_unwritable_output_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("stats", SEEDS, "-o", tmp_path / "missing" / "x.txt")
    assert result.exit_code == 2
    assert "cannot write the report" in result.stderr


def test_no_records_in_a_folder_fails(cli: Cli, tmp_path: Path) -> None:
    # A folder named and nothing read from it (a mistyped path, most likely): exit 1,
    # as convert does; the figures of nothing are still written.
    result = cli("stats", tmp_path, "-f", "json")
    assert result.exit_code == 1
    assert "no records found" in result.stderr
    figures = orjson.loads(result.stdout_bytes)
    assert figures["records"] == 0
    assert figures["dates"]["first"] is None


def test_every_format_reads_every_input_kind(cli: Cli, tmp_path: Path) -> None:
    write_mixed(tmp_path / "txt", 20)
    jsonl = tmp_path / "all.jsonl"
    assert cli("convert", tmp_path / "txt", "--to", "jsonl", "-o", jsonl).exit_code == 0
    from_txt = orjson.loads(cli("stats", tmp_path / "txt", "-f", "json").stdout_bytes)
    from_jsonl = orjson.loads(cli("stats", jsonl, "-f", "json").stdout_bytes)
    for key in ("records", "by_year", "by_domain", "top_keywords", "word_count", "duplicates"):
        assert from_txt[key] == from_jsonl[key]
    piped = cli("stats", "-", "--from", "jsonl", "-f", "json", input=jsonl.read_bytes())
    assert orjson.loads(piped.stdout_bytes)["by_year"] == from_txt["by_year"]


def test_selection_shapes_the_figures(cli: Cli, tmp_path: Path) -> None:
    write_mixed(tmp_path, 120)
    everything = orjson.loads(cli("stats", tmp_path, "-f", "json").stdout_bytes)
    picked = orjson.loads(
        cli("stats", tmp_path, "-f", "json", "--since", "2000", "--dedupe").stdout_bytes
    )
    chosen = picked["selection"]
    assert chosen["active"]
    assert chosen["read"] == 120
    assert (
        chosen["selected"] == picked["records"] == chosen["matched"] - chosen["duplicates_dropped"]
    )
    assert min(picked["by_year"]) >= "2000"
    assert picked["duplicates"]["normalised"] == 0  # --dedupe left one of each
    assert not everything["selection"]["active"]
    sample: list[str | Path] = ["stats", tmp_path, "-f", "json", "--sample", "9", "--seed", "4"]
    once, twice = (orjson.loads(cli(*sample).stdout_bytes) for _ in range(2))
    assert once == twice
    assert once["records"] == 9
    text = cli("stats", tmp_path, "--domain", "al.com", "--dedupe").stdout
    assert "selected" in text
    assert "duplicate(s)" in text


def test_html_without_matplotlib_names_the_extra(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    result = cli("stats", SEEDS, "-f", "html")
    assert result.exit_code == 2
    assert "pip install 'archivekit[stats]'" in result.stderr


def test_bars_are_proportional() -> None:
    assert bar(10, 10, 8) == "█" * 8
    assert bar(5, 10, 8) == "█" * 4
    assert bar(1, 1000, 8) == "▏"  # never invisible
    assert bar(0, 10) == ""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_output_into_a_fifo_is_written_through(cli: Cli, tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = cli("stats", SEEDS, "-f", "json", "-o", fifo)
    reader.join(10)
    assert result.exit_code == 0
    assert fifo.exists()
    assert orjson.loads(got[0])["records"] == 22


def test_every_json_key_is_documented(cli: Cli) -> None:
    from tests.conftest import ROOT

    docs = (ROOT / "docs" / "stats.md").read_text(encoding="utf-8")
    figures = orjson.loads(cli("stats", SEEDS, "-f", "json").stdout_bytes)
    missing = [key for key in figures if f"`{key}`" not in docs]
    assert missing == []
    for nested in ("word_count", "keywords", "selection", "dates", "duplicates"):
        assert [k for k in figures[nested] if f'"{k}"' not in docs] == [], nested


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_an_output_that_is_an_input_is_refused_and_kept(cli: Cli, tmp_path: Path, fmt: str) -> None:
    write_mixed(tmp_path / "txt", 3)
    records = tmp_path / "r.jsonl"
    assert cli("convert", tmp_path / "txt", "--to", "jsonl", "-o", records).exit_code == 0
    before = records.read_bytes()
    for out in (str(records), f"{tmp_path}/./r.jsonl"):
        result = cli("stats", records, "--format", fmt, "-o", out, "--force")
        assert result.exit_code == 2, result.output
        assert f"{out}: is also an input" in result.stderr
    # A record file the walk of a folder reads is an input too.
    result = cli("stats", tmp_path / "txt", "-f", fmt, "-o", tmp_path / "txt" / "r.txt", "--force")
    assert result.exit_code == 2
    assert "is also an input" in result.stderr
    assert records.read_bytes() == before


def test_an_existing_output_is_replaced_only_with_force(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_bytes(b"keep me")
    result = cli("stats", SEEDS, "--format", "json", "-o", out)
    assert result.exit_code == 2
    assert "already exists (use --force to replace it)" in result.stderr
    assert out.read_bytes() == b"keep me"
    result = cli("stats", SEEDS, "--format", "json", "-o", out, "--force")
    assert result.exit_code == 0, result.output
    assert orjson.loads(out.read_bytes())["records"] == 22


@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_an_unreadable_input_is_no_record_is_shown_and_fails(
    cli: Cli, tmp_path: Path, quiet: list[str]
) -> None:
    bad = tmp_path / "bad.txt.gz"
    bad.write_bytes(b"junk")
    result = cli("stats", *quiet, "-f", "json", bad, SEEDS)
    assert result.exit_code == 1, result.output
    assert f"archive: error: {bad}: cannot read the file" in result.stderr
    assert "[read-error]" in result.stderr
    figures = orjson.loads(result.stdout_bytes)
    assert figures["records"] == 22
    assert [u["code"] for u in figures["unread"]] == ["read-error"]
    assert "read-error" not in figures["findings"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_report_says_which_inputs_were_not_read(cli: Cli, tmp_path: Path, fmt: str) -> None:
    # Not only standard error: a report read later must not look complete.
    if fmt == "html":
        pytest.importorskip("matplotlib")
    bad = tmp_path / "bad<b>.txt.gz"
    bad.write_bytes(b"junk")
    out = tmp_path / f"report.{fmt}"
    result = cli("stats", "-f", fmt, "-o", out, bad, SEEDS)
    assert result.exit_code == 1, result.output
    report = out.read_text()
    assert "1 input could not be read and is not counted:" in report
    shown = {"text": str(bad), "markdown": str(bad).replace("<", "&lt;")}.get(fmt)
    assert f"{shown or html.escape(str(bad))}: cannot read the file" in report
    if fmt != "text":
        assert "bad<b>" not in report  # the name is text, never markup
