"""Nothing lost: invalid batches write nothing, outputs are never clobbered, interrupts clean up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from archivekit.convert import Conversion, ConvertOptions
from archivekit.files import atomic
from archivekit.files.atomic import TEMP_PREFIX
from tests.conftest import SEED
from tests.support import BAD_DATE, BAD_URL, Cli, files, temporaries, write_batch


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A folder of 5 good records and 2 bad ones (in a sub-folder and at the end)."""
    folder = tmp_path / "in"
    write_batch(folder, 5)
    (folder / "part1" / "bad-date.txt").write_bytes(BAD_DATE)
    (folder / "zz-bad-url.txt").write_bytes(BAD_URL)
    return folder


@pytest.mark.parametrize(
    "to",
    [["--to", "jsonl", "-o", "OUT/all.jsonl"], ["--to", "md", "-d", "OUT/md"], ["--to", "csv"]],
)
def test_any_invalid_record_writes_nothing_and_reports_all(
    cli: Cli, mixed: Path, to: list[str]
) -> None:
    out = mixed.parent / "OUT"
    out.mkdir()
    result = cli("convert", mixed, *[a.replace("OUT", str(out)) for a in to])
    assert result.exit_code == 1
    assert f"{mixed}/part1/bad-date.txt:4:6: error[date-invalid]" in result.stderr
    assert f"{mixed}/zz-bad-url.txt:1:1: error[url-invalid]" in result.stderr
    assert "wrote nothing" in result.stderr
    assert result.stdout_bytes == b""
    assert files(out) == {}
    assert temporaries(mixed.parent) == []


def test_a_run_that_writes_nothing_leaves_no_new_output_folder(cli: Cli, mixed: Path) -> None:
    """The output folder is made at the start (staging sits in it): gone again if unused."""
    out = mixed.parent / "new" / "md"
    result = cli("convert", mixed, "--to", "md", "--output-dir", out)
    assert result.exit_code == 1
    assert sorted(p.name for p in mixed.parent.iterdir()) == ["in"]
    result = cli("convert", mixed / "part1" / "00001.txt", "--to", "md", "--output-dir", out)
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["00001.md"]


def test_invalid_records_inside_a_many_record_file_are_numbered(cli: Cli, tmp_path: Path) -> None:
    good = cli("convert", SEED, "--to", "jsonl").stdout_bytes
    data = good + b'{"url": 5}\n' + good + b"not json\n"
    result = cli("convert", "-", "--from", "jsonl", "--to", "csv", input=data)
    assert result.exit_code == 1
    assert "<stdin>:2:2: error[field-type]" in result.stderr  # at the key "url"
    assert "<stdin>:4:1: error[json-invalid]" in result.stderr
    assert result.stdout_bytes == b""


def test_skip_invalid_writes_the_rest_and_rejects_say_why(
    cli: Cli, mixed: Path, tmp_path: Path
) -> None:
    out, rejects = tmp_path / "all.jsonl", tmp_path / "rejects.jsonl"
    result = cli(
        "convert", mixed, "--to", "jsonl", "-o", out, "--skip-invalid", "--rejects", rejects
    )
    assert result.exit_code == 0
    assert "2 invalid (skipped)" in result.stderr
    assert "error[date-invalid]" in result.stderr
    assert len(out.read_bytes().splitlines()) == 5
    lines = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert [(r["path"], [e["code"] for e in r["errors"]]) for r in lines] == [
        (f"{mixed}/part1/bad-date.txt", ["date-invalid"]),
        (f"{mixed}/zz-bad-url.txt", ["url-invalid"]),
    ]
    assert lines[0]["errors"][0]["line"] == 4


def test_existing_output_is_kept_without_force_and_replaced_with_it(
    cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "all.jsonl"
    out.write_bytes(b"precious\n")
    refused = cli("convert", SEED, "--to", "jsonl", "-o", out)
    assert refused.exit_code == 2
    assert "already exists" in refused.stderr
    assert out.read_bytes() == b"precious\n"
    forced = cli("convert", SEED, "--to", "jsonl", "-o", out, "--force")
    assert forced.exit_code == 0
    assert orjson.loads(out.read_bytes())["word_count"] == 8304
    assert temporaries(tmp_path) == []


def test_existing_file_in_output_dir_is_kept_without_force(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "md"
    out.mkdir()
    (out / "000_1010b656ba4bd7c5.md").write_bytes(b"mine")
    (out / "other.md").write_bytes(b"other")
    refused = cli("convert", SEED, "--to", "md", "-d", out)
    assert refused.exit_code == 2
    assert files(out) == {"000_1010b656ba4bd7c5.md": b"mine", "other.md": b"other"}
    assert cli("convert", SEED, "--to", "md", "-d", out, "--force").exit_code == 0
    assert files(out)["000_1010b656ba4bd7c5.md"].startswith(b"---\ntitle:")
    assert temporaries(tmp_path) == []


def test_failed_run_leaves_the_old_output_intact(cli: Cli, mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    out.write_bytes(b"old")
    assert cli("convert", mixed, "--to", "csv", "-o", out, "--force").exit_code == 1
    assert out.read_bytes() == b"old"
    assert temporaries(tmp_path) == []


def test_an_output_that_is_also_an_input_is_refused(cli: Cli, tmp_path: Path) -> None:
    write_batch(tmp_path / "in", 3)
    before = files(tmp_path / "in")
    one = next((tmp_path / "in").rglob("*.txt"))
    also_an_input = "archive: error: {}: is also an input; write the output elsewhere\n"
    inside = (
        f"archive: error: {tmp_path / 'in'}: is inside the input folder {tmp_path / 'in'}, so "
        "the next run would read the output back as input; write it elsewhere\n"
    )
    cases: list[tuple[list[str | Path], str]] = [
        ([one, "--to", "jsonl", "-o", one, "--force"], also_an_input.format(one)),
        (
            [tmp_path / "in", "--to", "json", "-o", tmp_path / "in" / "part0" / "00000.txt"],
            also_an_input.format(tmp_path / "in" / "part0" / "00000.txt"),
        ),
        ([tmp_path / "in", "--to", "archive", "-d", tmp_path / "in", "--force"], inside),
        (
            [tmp_path / "in", "--to", "jsonl", "--skip-invalid", "--rejects", one, "--force"],
            also_an_input.format(one),
        ),
    ]
    for case, message in cases:
        result = cli("convert", *case)
        assert result.exit_code == 2, case
        assert result.stderr == message, case
    assert files(tmp_path / "in") == before
    assert temporaries(tmp_path) == []


def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    code = "from archivekit.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_temporary(folder: Path, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):  # up to a minute on a loaded machine; not a timing assertion
        if temporaries(folder) or process.poll() is not None:
            return
        time.sleep(0.1)


@pytest.mark.hostile
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
@pytest.mark.parametrize(
    "target", [["--to", "jsonl", "-o", "out/all.jsonl"], ["--to", "md", "-d", "out"]]
)
def test_interrupted_run_leaves_no_partial_file_and_no_temporary(
    cli: Cli, tmp_path: Path, signum: int, code: int, target: list[str]
) -> None:
    (tmp_path / "out").mkdir()
    process = _start(["convert", "-", "--from", "jsonl", *target], tmp_path)
    assert process.stdin is not None
    record = cli("convert", SEED, "--to", "jsonl").stdout_bytes
    # Half a batch: the run is under way (a temporary exists), waiting for more input.
    process.stdin.write(record * 50)
    process.stdin.flush()
    _wait_for_temporary(tmp_path, process)
    assert temporaries(tmp_path), process.stderr.read() if process.stderr else ""
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert b"Traceback" not in err
    assert b"nothing was written" in err
    assert files(tmp_path / "out") == {}
    assert temporaries(tmp_path) == []


@pytest.mark.hostile
def test_damaged_archives_are_reported_not_raised(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "junk.tar.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip" * 20)
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really zip")
    (tmp_path / "bad.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    result = cli(
        "convert",
        tmp_path / "junk.tar.gz",
        tmp_path / "junk.zip",
        tmp_path / "bad.txt.gz",
        "--to",
        "jsonl",
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # the exit of code 1, nothing raised
    assert result.exception.code == 1
    assert result.stderr.count("error[read-error]") == 3


@pytest.mark.hostile
def test_a_device_output_is_written_in_place_not_replaced(cli: Cli, tmp_path: Path) -> None:
    result = cli("convert", SEED, "--to", "jsonl", "-o", "/dev/null")
    assert result.exit_code == 0
    assert Path("/dev/null").is_char_device()
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(TEMP_PREFIX)]


@pytest.mark.parametrize(
    "target", [["--to", "jsonl", "-o", "OUT/all.jsonl"], ["--to", "md", "-d", "OUT"]]
)
def test_a_write_failure_is_one_clear_error_and_leaves_nothing(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: list[str]
) -> None:
    import archivekit.files.atomic as outputs

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", str(out))

    monkeypatch.setattr(outputs, "_place", disk_full)  # -o FILE
    monkeypatch.setattr(outputs.Staging, "_place_one", disk_full)  # --output-dir
    out = tmp_path / "OUT"
    out.mkdir()
    write_batch(tmp_path / "in", 3)
    result = cli("convert", tmp_path / "in", *[a.replace("OUT", str(out)) for a in target])
    assert result.exit_code == 2
    assert "cannot write the output: No space left on device" in result.stderr
    assert files(out) == {}
    assert temporaries(tmp_path) == []


def _staged_all(tmp_path: Path, target: str, expected: int) -> bool:
    """Are the 600 files' outputs all staged (md files), or spliced in (the jsonl temporary)?"""
    if target == "md":
        staged = [p for p in temporaries(tmp_path) if p.is_dir()]
        return bool(staged) and sum(1 for _ in staged[0].rglob("*.md")) == 600
    out = tmp_path / "out"
    written = [p for p in out.iterdir() if p.name.startswith(TEMP_PREFIX) and p.is_file()]
    return bool(written) and written[0].stat().st_size == expected


def _run_waiting_on_stdin(tmp_path: Path, target: str) -> subprocess.Popen[bytes]:
    """A convert of 600 files with workers, its outputs all staged, waiting on standard input."""
    write_batch(tmp_path / "in", 600)  # enough for worker processes
    (tmp_path / "out").mkdir()
    expected = 0
    if target == "jsonl":
        options = ConvertOptions(to="jsonl", output=str(tmp_path / "expected.jsonl"), jobs=1)
        list(Conversion([str(tmp_path / "in")], options))
        expected = (tmp_path / "expected.jsonl").stat().st_size
        (tmp_path / "expected.jsonl").unlink()
    output = ["-d", "out"] if target == "md" else ["-o", "out/all.jsonl"]
    code = "from archivekit.cli import main; main()"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "convert",
            "in",
            "-",  # read after the files, in order: it waits on a pipe nobody writes to
            "--to",
            target,
            *output,
            "--jobs",
            "2",
            "-q",
        ],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    # The 600 files are staged (or spliced) once the workers are done; then the run
    # waits on standard input, with its workers alive: a deterministic moment to signal.
    for _ in range(1200):
        done = _staged_all(tmp_path, target, expected)
        if done or process.poll() is not None:
            break
        time.sleep(0.1)
    assert done
    return process


@pytest.mark.hostile
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("target", ["md", "jsonl"])
def test_signal_to_the_whole_process_group_with_workers_running(
    tmp_path: Path, signum: int, target: str
) -> None:
    """CI runners and container stops signal the whole group: workers die too, nothing hangs.

    With jsonl the workers write their blocks into a scratch folder beside the output:
    it goes too.
    """
    process = _run_waiting_on_stdin(tmp_path, target)
    os.killpg(process.pid, signum)
    try:
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:  # hung (the bug this test is for): leave nothing running
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 128 + signum, err
    assert b"Traceback" not in err
    assert temporaries(tmp_path) == []
    assert files(tmp_path / "out") == {}


@pytest.mark.hostile
@pytest.mark.parametrize("target", ["md", "jsonl"])
def test_what_a_killed_run_left_is_removed_by_the_next(
    cli: Cli, tmp_path: Path, target: str
) -> None:
    """kill -9 runs no cleanup: the next run writing there removes the dead run's temporaries."""
    process = _run_waiting_on_stdin(tmp_path, target)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    left = temporaries(tmp_path / "out")
    assert left, "nothing staged to leave behind"
    # A live run's temporaries (this process's) and another host's are left alone.
    live = tmp_path / "out" / f"{TEMP_PREFIX}{atomic._HOST}-{os.getpid()}.live"
    other = tmp_path / "out" / f"{TEMP_PREFIX}0badc0de-{process.pid}.other"
    live.write_bytes(b"")
    other.write_bytes(b"")
    atomic._swept.clear()  # this test process sweeps once per folder
    output: list[str | Path] = (
        ["-d", tmp_path / "out"] if target == "md" else ["-o", tmp_path / "out" / "b.jsonl"]
    )
    assert cli("convert", SEED, "--to", target, *output).exit_code == 0
    assert sorted(temporaries(tmp_path / "out")) == sorted([live, other])


@pytest.mark.hostile
def test_a_reader_that_goes_away_stops_the_run_quietly(tmp_path: Path) -> None:
    """``archive convert … | head``: exit 141 like other filters, no error, no traceback."""
    (tmp_path / "in").mkdir()
    for number in range(600):  # 5 MB: far more than any pipe buffer holds
        (tmp_path / "in" / f"{number}.txt").write_bytes(SEED.read_bytes())
    code = "from archivekit.cli import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "convert", "in", "--to", "jsonl"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stdout.read(10) == b'{"url":"ht'
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 141
    assert b"Traceback" not in err
    assert b"error" not in err
    assert temporaries(tmp_path) == []
