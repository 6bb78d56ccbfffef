"""archive convert from the command line: every format both ways, batches, inputs of every kind."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import orjson
import pytest

from archivekit.formats import FORMAT_BY_NAME, FORMATS
from archivekit.formats.base import FormatOptions
from tests.conftest import SEED
from tests.support import Cli, files, read_all, write_batch

MANY_ONLY = ["jsonl", "csv"]


def test_formats_lists_every_format(cli: Cli) -> None:
    result = cli("formats")
    assert result.exit_code == 0
    for fmt in FORMATS:
        assert fmt.name in result.stdout_bytes.decode()
    assert ".ndjson" in result.stdout_bytes.decode()
    assert "one or many" in result.stdout_bytes.decode()


def test_help_has_examples_and_registry_choices(cli: Cli) -> None:
    result = cli("convert", "--help")
    assert result.exit_code == 0
    text = result.stdout_bytes.decode()
    assert "Examples" in text
    wrong = cli("convert", SEED, "--to", "nope")
    assert wrong.exit_code == 2
    for fmt in FORMATS:  # the choices come from the registry
        assert fmt.name in wrong.stderr


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "md", "archive"])
def test_batch_round_trip_through_the_cli(cli: Cli, tmp_path: Path, fmt: str) -> None:
    """2,000 generated files to F and back: the same bytes, the same relative paths."""
    source = tmp_path / "in"
    write_batch(source, 2000)
    back = tmp_path / "back"
    if fmt in ("json", "jsonl", "csv"):
        out = tmp_path / f"all.{fmt}"
        first = cli("convert", source, "--to", fmt, "-o", out, "-q")
        assert first.exit_code == 0, first.stderr
        second = cli("convert", out, "--to", "archive", "--output-dir", back, "-q")
        assert second.exit_code == 0, second.stderr
        originals = sorted(files(source).values())
        assert sorted(files(back).values()) == originals
        # F -> archive -> F: the same records (in name order now: the names come from them).
        again = cli("convert", back, "--to", fmt, "-o", tmp_path / f"again.{fmt}", "-q")
        assert again.exit_code == 0
        fmt_ = FORMAT_BY_NAME[fmt]
        first_records = read_all(fmt_, out.read_bytes(), FormatOptions())
        again_records = read_all(fmt_, (tmp_path / f"again.{fmt}").read_bytes(), FormatOptions())
        assert sorted(first_records, key=repr) == sorted(again_records, key=repr)
    else:
        middle = tmp_path / "mid"
        assert cli("convert", source, "--to", fmt, "--output-dir", middle, "-q").exit_code == 0
        assert len(files(middle)) == 2000
        # A folder is read as archive files unless --from says otherwise.
        assert (
            cli(
                "convert", middle, "--from", fmt, "--to", "archive", "--output-dir", back, "-q"
            ).exit_code
            == 0
        )
        assert files(back) == files(source)


def test_many_to_one_names_come_from_the_records(cli: Cli, tmp_path: Path) -> None:
    jsonl = cli("convert", SEED, SEED, "--to", "jsonl").stdout_bytes
    assert jsonl.count(b"\n") == 2
    result = cli(
        "convert", "-", "--from", "jsonl", "--to", "md", "--output-dir", tmp_path, input=jsonl
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(files(tmp_path)) == ["2011-08-25-26drugs-2.md", "2011-08-25-26drugs.md"]


def test_one_record_outputs_mirror_relative_paths(cli: Cli, tmp_path: Path) -> None:
    write_batch(tmp_path / "in", 6)
    assert cli("convert", tmp_path / "in", "--to", "json", "-d", tmp_path / "out").exit_code == 0
    assert sorted(files(tmp_path / "out")) == [
        "part0/00000.json",
        "part0/00003.json",
        "part1/00001.json",
        "part1/00004.json",
        "part2/00002.json",
        "part2/00005.json",
    ]


def test_input_order_is_kept_with_workers(cli: Cli, tmp_path: Path) -> None:
    paths = write_batch(tmp_path / "in", 700)
    result = cli("convert", tmp_path / "in", "--to", "jsonl", "--jobs", "2", "-q")
    assert result.exit_code == 0
    urls = [orjson.loads(line)["url"] for line in result.stdout_bytes.splitlines()]
    expected = [p.read_text().split("\n", 1)[0] for p in sorted(paths, key=lambda p: p.as_posix())]
    assert urls == expected


def test_stdin_archive_and_gzip_inputs(cli: Cli, tmp_path: Path) -> None:
    seed = SEED.read_bytes()
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(seed))
    jsonl = cli("convert", "-", "--to", "jsonl", input=seed)
    assert jsonl.exit_code == 0
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(jsonl.stdout_bytes))
    result = cli("convert", tmp_path / "a.txt.gz", tmp_path / "b.jsonl.gz", "--to", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == jsonl.stdout_bytes * 2


def test_tar_and_zip_members_are_read_without_extracting(cli: Cli, tmp_path: Path) -> None:
    seed = SEED.read_bytes()
    with tarfile.open(tmp_path / "a.tar.gz", "w:gz") as tar:
        for name in ("x/one.txt", "x/skip.bin", "two.txt"):
            info = tarfile.TarInfo(name)
            info.size = len(seed)
            tar.addfile(info, io.BytesIO(seed))
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as archive:
        archive.writestr("three.txt", seed)
        archive.writestr("../evil.txt", seed)
    out = tmp_path / "out"
    result = cli(
        "convert",
        tmp_path / "a.tar.gz",
        tmp_path / "b.zip",
        "--to",
        "md",
        "-d",
        out,
        "--skip-invalid",
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(files(out)) == ["three.md", "two.md", "x/one.md"]
    assert "unsafe member name" in result.stderr
    assert not (tmp_path / "evil.md").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar.gz", "b.zip", "out"]


def test_globs_and_from(cli: Cli, tmp_path: Path) -> None:
    write_batch(tmp_path / "in", 4)
    result = cli("convert", f"{tmp_path}/in/**/*.txt", "--to", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.count(b"\n") == 4
    (tmp_path / "odd.rec").write_bytes(SEED.read_bytes())
    assert cli("convert", tmp_path / "odd.rec", "--to", "jsonl").exit_code == 2
    assert cli("convert", tmp_path / "odd.rec", "--from", "archive", "--to", "jsonl").exit_code == 0


def test_csv_keyword_and_excel_options(cli: Cli, tmp_path: Path) -> None:
    json_cell = cli("convert", SEED, "--to", "csv", "--csv-keywords", "json")
    assert b'"[""Drug Cartels"",""Mexico""' in json_cell.stdout_bytes
    back = cli(
        "convert",
        "-",
        "--from",
        "csv",
        "--csv-keywords",
        "json",
        "--to",
        "archive",
        "-d",
        tmp_path,
        input=json_cell.stdout_bytes,
    )
    assert back.exit_code == 0, back.stderr
    (only,) = files(tmp_path).values()
    assert only == SEED.read_bytes()
    excel = cli("convert", SEED, "--to", "csv", "--excel")
    assert excel.stdout_bytes.startswith(b"\xef\xbb\xbf")


def test_gzip_output(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl.gz"
    assert cli("convert", SEED, "--to", "jsonl", "-o", out).exit_code == 0
    assert orjson.loads(gzip.decompress(out.read_bytes()))["word_count"] == 8304


@pytest.mark.parametrize(
    "args",
    [
        ["--to", "md"],  # one-record format without --output-dir
        ["--to", "jsonl", "-d", "x"],  # many-record format into a folder
        ["--to", "nope"],
        ["--to", "json", "-o", "a", "-d", "b"],
        ["--to", "jsonl", "--rejects", "r.jsonl"],  # rejects without --skip-invalid
    ],
)
def test_usage_errors_exit_2(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("convert", SEED, *args)
    assert result.exit_code == 2
    assert "archive: error" in result.stderr or "Invalid value" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_input_exits_2(cli: Cli) -> None:
    result = cli("convert", "no/such/file.txt", "--to", "jsonl")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_empty_folder_warns_and_writes_an_empty_output(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("convert", tmp_path / "empty", "--to", "json")
    assert result.exit_code == 0
    assert result.stdout_bytes == b"[]\n"
    assert "no records found" in result.stderr
