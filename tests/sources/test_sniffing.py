"""Inputs recognised by content: standard input, a .json of JSON Lines, folders of any format."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from archivekit.formats import sniff
from tests.conftest import SEED
from tests.support import Cli, write_batch


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"PAR1\x15\x04", "parquet"),
        (b"SQLite format 3\x00", "sqlite"),
        (b"---\ntitle: x\n", "md"),
        (b'\xef\xbb\xbf[{"url": 1}]', "json"),
        (b'{"url": "http://a"}\n{"url": "http://b"}\n', "jsonl"),
        (b'{\n  "url": "http://a"\n}\n', "json"),
        (b",url,headline,keywords,date,word_count,body\r\n0,a", "csv"),
        (b"http://example.com/a,b\nHeadline\n", "archive"),
        (b"", "archive"),
    ],
)
def test_sniff(head: bytes, name: str) -> None:
    assert sniff(head) == name


@pytest.fixture
def jsonl(cli: Cli, tmp_path: Path) -> Path:
    write_batch(tmp_path / "in", 5)
    out = tmp_path / "a.jsonl"
    assert cli("convert", tmp_path / "in", "--to", "jsonl", "-o", out).exit_code == 0
    return out


def test_standard_input_of_json_lines_is_read_as_such(cli: Cli, jsonl: Path) -> None:
    result = cli("convert", "-", "--to", "csv", input=jsonl.read_bytes())
    assert result.exit_code == 0, result.output
    assert "read standard input as jsonl" in result.stderr
    assert result.stdout_bytes.count(b"\nhttp://") == 5  # five records under the header
    # The archive text format is still read without a note.
    result = cli("convert", "-", "--to", "jsonl", input=SEED.read_bytes())
    assert result.exit_code == 0
    assert "note" not in result.stderr


def test_a_json_file_holding_json_lines(cli: Cli, jsonl: Path, tmp_path: Path) -> None:
    lying = tmp_path / "lying.json"
    lying.write_bytes(jsonl.read_bytes())
    result = cli("convert", lying, "--to", "jsonl")
    assert result.exit_code == 0, result.output
    assert "warning[format-guessed]" in result.stderr
    assert result.stdout_bytes == jsonl.read_bytes()


def test_a_folder_of_markdown_without_from(cli: Cli, jsonl: Path, tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    assert cli("convert", jsonl, "--to", "md", "-d", posts).exit_code == 0
    result = cli("convert", posts, "--to", "jsonl")
    assert result.exit_code == 0, result.output
    assert "no *.txt archive files: reading every known format" in result.stderr
    assert "read 5 md files" in result.stderr
    lines = result.stdout_bytes.splitlines()
    assert sorted(orjson.loads(line)["url"] for line in lines) == sorted(
        orjson.loads(line)["url"] for line in jsonl.read_bytes().splitlines()
    )


def test_no_records_in_a_named_folder_exits_1(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.rtf").write_text("x")
    result = cli("convert", tmp_path / "empty", "--to", "jsonl")
    assert result.exit_code == 1
    assert "no records found" in result.stderr


def _validated(out: bytes) -> int:
    return int(out.split(b" records)")[0].rsplit(b"(", 1)[1])


def _counted(out: bytes) -> int:
    return int(orjson.loads(out)["records"])


def _lines(out: bytes) -> int:
    return out.count(b"\n")


#: Each command that reads records, and how it says how many it read.
COMMANDS: dict[str, tuple[tuple[str, ...], Callable[[bytes], int]]] = {
    "convert": (("--to", "jsonl"), _lines),
    "validate": ((), _validated),
    "stats": (("-f", "json"), _counted),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_sniffs_standard_input(cli: Cli, jsonl: Path, command: str) -> None:
    options, records = COMMANDS[command]
    result = cli(command, "-", *options, input=jsonl.read_bytes())
    assert result.exit_code == 0, result.output
    assert "archive: note: read standard input as jsonl" in result.stderr
    assert records(result.stdout_bytes) == 5


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_reads_a_folder_without_txt_for_every_format(
    cli: Cli, jsonl: Path, tmp_path: Path, command: str
) -> None:
    posts = tmp_path / "posts"
    assert cli("convert", jsonl, "--to", "md", "-d", posts / "md").exit_code == 0
    (posts / "more.jsonl").write_bytes(jsonl.read_bytes())
    options, _ = COMMANDS[command]
    result = cli(command, posts, *options)
    assert result.exit_code == 0, result.output
    assert "no *.txt archive files: reading every known format" in result.stderr
    assert "read 1 jsonl, 5 md files" in result.stderr
    if command == "validate":
        # The JSON Lines file repeats the Markdown records' URLs.
        assert result.stdout.endswith("6 files (10 records), 0 errors, 5 warnings\n")
    else:
        assert COMMANDS[command][1](result.stdout_bytes) == 10
    # A folder that holds archive files is read for them only, without a note.
    write_batch(posts / "txt", 2)
    result = cli(command, posts, *options)
    assert "note" not in result.stderr
    if command != "validate":
        assert COMMANDS[command][1](result.stdout_bytes) == 2


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_current_folder_is_read_once(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # "." used to look empty to the fallback (./a.txt against "./"): every file was read twice.
    write_batch(tmp_path, 3)
    monkeypatch.chdir(tmp_path)
    options, records = COMMANDS[command]
    result = cli(command, ".", *options)
    assert result.exit_code == 0, result.output
    assert "note" not in result.stderr
    if command == "validate":
        assert result.stdout.endswith("3 files, 0 errors, 0 warnings\n")
    else:
        assert records(result.stdout_bytes) == 3


@pytest.mark.parametrize("content", ["csv", "jsonl", "json"])
def test_a_txt_file_whose_content_is_another_format(
    cli: Cli, jsonl: Path, tmp_path: Path, content: str
) -> None:
    # A .txt that fails as an archive record, and is plainly CSV or JSON: read as that.
    lying = tmp_path / "records.txt"
    made = cli("convert", jsonl, "--to", content, "-o", lying, "--force")
    assert made.exit_code == 0, made.output
    result = cli("validate", lying)
    assert result.exit_code == 0, result.output
    what = {
        "csv": "CSV with a header row",
        "jsonl": "JSON Lines (one object per line)",
        "json": "one JSON document",
    }[content]
    guessed = f"{lying}:1:1: warning[format-guessed] this file holds {what}, not an archive record"
    assert guessed in result.stdout
    assert result.stdout.endswith("1 file (5 records), 0 errors, 1 warning\n")
    converted = cli("convert", lying, "--to", "jsonl")
    assert converted.stdout_bytes == jsonl.read_bytes()
    # Each record's own URL (not the file's first line) is compared for duplicates.
    twice = tmp_path / "twice.txt"
    twice.write_bytes(lying.read_bytes())
    both = cli("validate", lying, twice)
    assert both.stdout.count("warning[duplicate-url]") == 5, both.stdout


def test_a_failing_file_that_only_looks_like_another_format_keeps_its_findings(
    cli: Cli, tmp_path: Path
) -> None:
    # Read as JSON, it gives no valid record either: its own findings are the useful ones.
    broken = tmp_path / "broken.txt"
    broken.write_text("[not a url\nHeadline\nk\nAug. 25, 2011\n3\nbody")
    result = cli("validate", broken)
    assert result.exit_code == 1
    assert "format-guessed" not in result.stdout
    assert f"{broken}:1:5: error[url-invalid]" in result.stdout


@pytest.mark.parametrize("body_size", [10_000, 100_000])
def test_json_lines_with_long_lines_on_a_real_pipe(tmp_path: Path, body_size: int) -> None:
    # A pipe shows 4 KiB at a time (peek): a 10 KB first line was cut and taken for JSON.
    record = {
        "url": "http://example.com/a",
        "headline": "H",
        "keywords": ["k"],
        "date": "2011-08-25",
        "word_count": 3,
        "body": "word " * (body_size // 5) + "end",
    }
    lines = b"".join(orjson.dumps({**record, "url": f"http://e.com/{n}"}) + b"\n" for n in range(3))
    archive = Path(sys.executable).parent / "archive"
    for command in (["validate", "-", "--strict"], ["stats", "-", "-f", "json"]):
        result = subprocess.run(
            [str(archive), *command], input=lines, capture_output=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert b"read standard input as jsonl" in result.stderr
        if command[0] == "stats":
            assert orjson.loads(result.stdout)["records"] == 3
