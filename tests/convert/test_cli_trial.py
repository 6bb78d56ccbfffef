"""Defects a new-user trial of ``archive convert`` found, each pinned by a test."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.conftest import SEED
from tests.support import BAD_DATE, Cli, files, temporaries, write_batch


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def mixed(folder: Path) -> Path:
    write_batch(folder, 3)
    (folder / "bad.txt").write_bytes(BAD_DATE)
    return folder


# 1. --rejects -


def test_rejects_dash_is_refused_when_the_records_go_to_stdout(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for out in ([], ["-o", "-"]):
        result = cli("convert", SEED, "--to", "jsonl", "--skip-invalid", "--rejects", "-", *out)
        assert result.exit_code == 2
        assert "--rejects -: standard output carries the records" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_rejects_dash_goes_to_stdout_when_the_records_go_to_a_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = mixed(tmp_path / "in")
    out = tmp_path / "all.jsonl"
    result = cli("convert", folder, "--to", "jsonl", "-o", out, "--skip-invalid", "--rejects", "-")
    assert result.exit_code == 0, result.stderr
    (reject,) = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    assert reject["path"] == f"{folder}/bad.txt"
    assert len(out.read_bytes().splitlines()) == 3
    assert not (tmp_path / "-").exists()


# 2. file modes


@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize("name", ["all.jsonl", "all.jsonl.gz"])
def test_single_file_outputs_honour_the_umask(cli: Cli, tmp_path: Path, name: str) -> None:
    folder = mixed(tmp_path / "in")
    out, rejects = tmp_path / name, tmp_path / "rejects.jsonl"
    result = cli(
        "convert", folder, "--to", "jsonl", "-o", out, "--skip-invalid", "--rejects", rejects
    )
    assert result.exit_code == 0, result.stderr
    assert mode(out) == 0o644
    assert mode(rejects) == 0o644
    os.umask(0o002)
    other = tmp_path / f"other-{name}"
    assert cli("convert", SEED, "--to", "jsonl", "-o", other).exit_code == 0
    assert mode(other) == 0o664


@pytest.mark.usefixtures("umask")
def test_force_keeps_the_mode_of_the_file_it_replaces(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    out.write_bytes(b"old")
    out.chmod(0o640)
    assert cli("convert", SEED, "--to", "csv", "-o", out, "--force").exit_code == 0
    assert out.read_bytes().startswith(b"url,")
    assert mode(out) == 0o640
    folder = tmp_path / "md"
    assert cli("convert", SEED, "--to", "md", "-d", folder).exit_code == 0
    (page,) = folder.iterdir()
    assert mode(page) == 0o644
    page.chmod(0o600)
    assert cli("convert", SEED, "--to", "md", "-d", folder, "--force").exit_code == 0
    assert mode(page) == 0o600
    assert temporaries(tmp_path) == []


# 3. what a folder walk reads


def test_folders_read_archive_files_only_unless_from_or_glob(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_batch(folder, 2)
    jsonl = cli("convert", SEED, "--to", "jsonl").stdout_bytes
    (folder / "README.md").write_text("# Samples\n\nSome notes.\n")
    (folder / "MANIFEST.json").write_text('{"files": 2}')
    (folder / "records.jsonl").write_bytes(jsonl)
    result = cli("convert", folder, "--to", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout_bytes.splitlines()) == 2
    from_jsonl = cli("convert", folder, "--from", "jsonl", "--to", "jsonl")
    assert from_jsonl.exit_code == 0, from_jsonl.stderr
    assert from_jsonl.stdout_bytes == jsonl
    globbed = cli("convert", folder, "--glob", "*.jsonl", "--to", "jsonl")
    assert globbed.stdout_bytes == jsonl
    named = cli("convert", folder / "records.jsonl", "--to", "jsonl")  # by extension
    assert named.stdout_bytes == jsonl


# 4. an output folder inside an input folder


def test_an_output_folder_inside_an_input_folder_is_refused(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_batch(folder, 2)
    before = files(folder)
    cases: list[list[str | Path]] = [
        ["--to", "archive", "-d", folder / "back"],
        ["--to", "archive", "-d", folder / "part1" / "back"],
        ["--to", "md", "-d", folder / "site", "--glob", "*"],
        ["--to", "md", "-d", folder / "site", "--from", "md"],
    ]
    for args in cases:
        result = cli("convert", folder, *args)
        assert result.exit_code == 2, args
        assert "is inside the input folder" in result.stderr
    assert files(folder) == before
    # The walk would not read .md files back, and hidden folders are never walked.
    assert cli("convert", folder, "--to", "md", "-d", folder / "site").exit_code == 0
    assert cli("convert", folder, "--to", "archive", "-d", folder / ".back").exit_code == 0
    again = cli("convert", folder, "--to", "jsonl")
    assert len(again.stdout_bytes.splitlines()) == 2


# -f is gone


def test_convert_has_no_f_short_option(cli: Cli) -> None:
    result = cli("convert", SEED, "-f", "archive", "--to", "jsonl")
    assert result.exit_code == 2
    assert "--from" in cli("convert", "--help").stdout_bytes.decode()


# 5. columns in JSON Lines and CSV findings


def test_jsonl_and_csv_findings_point_at_the_record_and_name_the_field(
    cli: Cli, tmp_path: Path
) -> None:
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_bytes(
        b'{"url":"http://a.com/x","headline":"H","keywords":["k"],'
        b'"date":"2011-02-30","word_count":5,"body":"B."}\n'
    )
    result = cli("convert", jsonl, "--to", "csv")
    assert result.exit_code == 1
    assert f"{jsonl}:1:1: error[date-invalid] date: " in result.stderr
    csv = tmp_path / "bad.csv"
    csv.write_bytes(
        b"url,headline,keywords,date,word_count,body\r\nhttp://a.com/x, H ,k,2011-02-30,5,B.\r\n"
    )
    result = cli("convert", csv, "--to", "jsonl")
    assert f"{csv}:2:1: error[date-invalid] date: " in result.stderr
    assert f"{csv}:2:1: warning[whitespace] headline: " in result.stderr


# 6. CRLF inside CSV cells


def test_csv_crlf_inside_a_cell_is_read_as_lf_with_a_warning(cli: Cli, tmp_path: Path) -> None:
    csv = tmp_path / "excel.csv"
    csv.write_bytes(
        b"url,headline,keywords,date,word_count,body\r\n"
        b'http://a.com/x,H,k,2011-08-25,5,"First.\r\nSecond."\r\n'
    )
    result = cli("convert", csv, "--to", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert f"{csv}:2:1: warning[crlf]" in result.stderr
    assert "control-char" not in result.stderr
    assert orjson.loads(result.stdout_bytes)["body"] == "First.\nSecond."


# 7. unsafe archive members


def test_an_unsafe_member_is_not_read_and_fails_the_batch_unless_skipped(
    cli: Cli, tmp_path: Path
) -> None:
    seed = SEED.read_bytes()
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("good.txt", seed)
        zipped.writestr("../evil.txt", seed)
        zipped.writestr("/abs.txt", seed)
    out = tmp_path / "out"
    result = cli("convert", archive, "--to", "archive", "-d", out)
    assert result.exit_code == 1
    assert (
        "error[read-error] unsafe member name '../evil.txt' (absolute or outside the "
        "archive): not read" in result.stderr
    )
    assert "'/abs.txt'" in result.stderr
    assert not out.exists() or files(out) == {}
    rejects = tmp_path / "rejects.jsonl"
    skipped = cli(
        "convert", archive, "--to", "archive", "-d", out, "--skip-invalid", "--rejects", rejects
    )
    assert skipped.exit_code == 0, skipped.stderr
    assert files(out) == {"good.txt": seed}
    assert [
        orjson.loads(line)["errors"][0]["code"] for line in rejects.read_bytes().splitlines()
    ] == ["read-error", "read-error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zip", "out", "rejects.jsonl"]


def test_help_says_what_a_folder_walk_reads(cli: Cli) -> None:
    # Rich wraps option help inside a box: drop the box's sides before joining the words.
    text = " ".join(cli("convert", "--help").stdout_bytes.decode().replace("\u2502", " ").split())
    assert "Folders are walked for archive files (*.txt) unless --from FORMAT" in text
    assert "standard output, only when the records go to -o FILE or --output-dir" in text
