"""archive convert from the command line: every format both ways, batches, inputs of every kind,
and the defects a new-user trial found (each pinned by a test)."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from archivekit.formats import FORMAT_BY_NAME, FORMATS, FormatOptions
from tests.conftest import SEED
from tests.support import BAD_DATE, Cli, files, read_all, temporaries, write_batch

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
    copy = tmp_path.parent / f"{tmp_path.name}-copy.txt"  # a path named twice is read once
    copy.write_bytes(SEED.read_bytes())
    jsonl = cli("convert", SEED, copy, "--to", "jsonl").stdout_bytes
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
    # A named file whose extension names no format is read as the archive format, as
    # validate and stats read it.
    assert cli("convert", tmp_path / "odd.rec", "--to", "jsonl").exit_code == 0
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


USAGE_ERRORS = {
    ("--to", "md"): "archive: error: md holds one record per file: give --output-dir DIR\n",
    ("--to", "jsonl", "-d", "x"): (
        "archive: error: jsonl holds many records in one file: write it with -o FILE or to "
        "standard output, not --output-dir\n"
    ),
    ("--to", "json", "-o", "a", "-d", "b"): (
        "archive: error: give either -o/--output or --output-dir, not both\n"
    ),
    ("--to", "jsonl", "--rejects", "r.jsonl"): (
        "archive: error: --rejects lists the records --skip-invalid skips: give both\n"
    ),
}


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
    if args == ["--to", "nope"]:  # click's own message, in a box rich wraps to the width
        text = " ".join(result.stderr.replace("\u2502", " ").split())
        assert "Invalid value for '--to' / '-t': 'nope' is not one of" in text
    else:
        assert result.stderr == USAGE_ERRORS[tuple(args)]
    assert list(tmp_path.iterdir()) == []


def test_missing_input_exits_2(cli: Cli) -> None:
    result = cli("convert", "no/such/file.txt", "--to", "jsonl")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_empty_folder_fails_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("convert", tmp_path / "empty", "--to", "json")
    assert result.exit_code == 1
    assert result.stdout_bytes == b""
    assert "no records found" in result.stderr
    # An empty file named on its own is no mistake: an empty output, exit 0.
    (tmp_path / "none.jsonl").write_bytes(b"")
    result = cli("convert", tmp_path / "none.jsonl", "--to", "json")
    assert result.exit_code == 0
    assert result.stdout_bytes == b"[]\n"


# Defects a new-user trial of ``archive convert`` found.


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
    # JSON Lines: at the field's key on the line.
    column = jsonl.read_text().index('"date"') + 1
    assert f"{jsonl}:1:{column}: error[date-invalid] date: " in result.stderr
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
    assert not out.exists()  # made before the batch failed, and removed again
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


def test_gzip_output_is_the_same_bytes_on_every_run(cli: Cli, tmp_path: Path) -> None:
    # The gzip header named the random temporary file: two runs differed byte for byte.
    write_batch(tmp_path / "in", 5)
    out = tmp_path / "all.jsonl.gz"
    assert cli("convert", tmp_path / "in", "--to", "jsonl", "-o", out).exit_code == 0
    first = out.read_bytes()
    assert cli("convert", tmp_path / "in", "--to", "jsonl", "-o", out, "--force").exit_code == 0
    assert out.read_bytes() == first
    assert first[10:20] == b"all.jsonl\0"  # FNAME in the header: the output's own name
    assert len(gzip.decompress(first).splitlines()) == 5


def test_a_named_file_without_extension_is_read_as_the_archive_format(
    cli: Cli, tmp_path: Path
) -> None:
    # validate and stats read it so; convert refused it with a usage error, and said the
    # same misleading thing of a FIFO.
    plain = tmp_path / "article"
    plain.write_bytes(SEED.read_bytes())
    out = tmp_path / "out.jsonl"
    result = cli("convert", plain, "--to", "jsonl", "-o", out)
    assert result.exit_code == 0, result.output
    assert orjson.loads(out.read_bytes())["url"].startswith("http")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = cli("convert", fifo, "--to", "jsonl", "-o", tmp_path / "f.jsonl")
    assert result.exit_code == 1
    assert "read-error" in result.stderr
    assert "extension names no format" not in result.stderr
