"""The CLI never ends in a traceback: internal errors, signals, closed pipes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from archivekit.cli import guard
from archivekit.cli.app import app
from tests.conftest import SEED

pytestmark = pytest.mark.hostile

ARCHIVE = [sys.executable, "-c", "from archivekit.cli import main; main()"]
#: A CLI whose per-chunk work announces itself and then waits, so that a test
#: can signal it at a known moment instead of guessing with a sleep.
STALLING = [
    sys.executable,
    "-c",
    """
import sys, time
import archivekit.sources.reading as v
real = v._read_chunk
def stall(*args, **kwargs):
    sys.stderr.write("working\\n"); sys.stderr.flush(); time.sleep(600)
    return real(*args, **kwargs)
v._read_chunk = stall
real_one = v.read_source
def stall_one(*args, **kwargs):
    sys.stderr.write("working\\n"); sys.stderr.flush(); time.sleep(600)
    yield from ()
v.read_source = stall_one if "--serial" in sys.argv else real_one
if "--no-pdeathsig" in sys.argv:  # the portable fallback alone: end-of-file on the pipe
    import archivekit.workers
    archivekit.workers._die_with_parent = lambda pid: None
sys.argv = [a for a in sys.argv if a not in ("--serial", "--no-pdeathsig")]
from archivekit.cli import main
main()
""",
]


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["archive", *args])
    monkeypatch.setattr(guard, "DEBUG", False)
    # Signals are tested in subprocesses: keep pytest's own handlers here.
    monkeypatch.setattr(guard, "install_signal_handlers", lambda: None)
    monkeypatch.delenv("ARCHIVEKIT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        guard.run(app)
    code = exit_info.value.code
    assert isinstance(code, int)
    return code


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom\nsecond line")


def test_an_internal_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("archivekit.validate.Validation.run", _boom)
    assert run_main(monkeypatch, "validate", str(SEED)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(
        "archive: internal error: RuntimeError: boom second line — please "
        "report it to the archivekit maintainers "
    )
    assert "--debug" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("how", ["option", "env"])
def test_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    monkeypatch.setattr("archivekit.validate.Validation.run", _boom)
    args = ["validate", str(SEED)]
    if how == "option":
        args.insert(0, "--debug")
    else:
        monkeypatch.setenv("ARCHIVEKIT_DEBUG", "1")
    monkeypatch.setattr(sys, "argv", ["archive", *args])
    monkeypatch.setattr(guard, "DEBUG", False)
    monkeypatch.setattr(guard, "install_signal_handlers", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        guard.run(app)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "RuntimeError: boom" in err


def test_a_memory_error_is_an_internal_error_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def oom(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr("archivekit.validate.Validation.run", oom)
    assert run_main(monkeypatch, "validate", str(SEED)) == 2
    assert capsys.readouterr().err.startswith("archive: internal error: MemoryError — ")


def test_usage_errors_and_findings_keep_their_codes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("x")
    assert run_main(monkeypatch, "validate", str(SEED)) == 0
    assert run_main(monkeypatch, "validate", str(bad)) == 1
    assert run_main(monkeypatch, "validate", "--no-such-option", str(SEED)) == 2
    assert run_main(monkeypatch, "validate", str(tmp_path / "missing.txt")) == 2


def _start(args: list[str], tmp_path: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        cwd=tmp_path,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == b"working\n"  # it is inside the work now
    return process


def _files(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "many"
    folder.mkdir()
    data = SEED.read_bytes()
    for i in range(count):
        (folder / f"{i:04}.txt").write_bytes(data)
    return folder


def test_sigterm_exits_143_without_a_traceback(tmp_path: Path) -> None:
    process = _start([*STALLING, "validate", "--serial", str(SEED)], tmp_path)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 143  # without the handler: -15, killed
    assert b"Traceback" not in err


def test_sigterm_stops_the_worker_pool(tmp_path: Path) -> None:
    folder = _files(tmp_path, 300)
    process = _start([*STALLING, "validate", "--jobs", "2", str(folder)], tmp_path)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 143
    assert b"Traceback" not in err
    assert b"Process ForkPoolWorker" not in err


def test_ctrl_c_exits_130_and_workers_stay_quiet(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group: each pool worker used to print a traceback."""
    folder = _files(tmp_path, 300)
    process = _start([*STALLING, "validate", "--jobs", "2", str(folder)], tmp_path)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert b"Traceback" not in err
    assert b"KeyboardInterrupt" not in err
    assert b"Process ForkPoolWorker" not in err


def test_sighup_exits_129_and_workers_stay_quiet(tmp_path: Path) -> None:
    """A closed terminal hangs up the whole group: clean up like SIGTERM, no worker traceback."""
    folder = _files(tmp_path, 300)
    process = _start([*STALLING, "validate", "--jobs", "2", str(folder)], tmp_path)
    os.killpg(process.pid, signal.SIGHUP)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 129  # without the handler: -1, killed
    assert b"Traceback" not in err


@pytest.mark.parametrize("fallback", [False, True])
def test_workers_exit_when_the_parent_is_killed(tmp_path: Path, fallback: bool) -> None:
    """``kill -9`` of the parent: its workers used to live on, holding the caller's pipes open."""
    folder = _files(tmp_path, 300)
    args = [*STALLING, "validate", "--jobs", "2", str(folder)]
    process = subprocess.Popen(
        [*args, "--no-pdeathsig"] if fallback else args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        cwd=tmp_path,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == b"working\n"  # a worker is inside a task
    process.kill()  # the parent alone, as the OOM killer does
    try:
        # Returns once every holder of the pipes' write ends is gone: the workers too.
        process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # leave nothing running
        process.communicate()
        pytest.fail("the workers outlived their parent and held its pipes open")


def test_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    """``archive validate big/ | head -1``: no traceback, no "Exception ignored", exit 141."""
    folder = tmp_path / "bad"
    folder.mkdir()
    nuls = b"http://e.com/\nH\n\nAug. 25, 2011\n5\n" + b"\x00" * 20
    for i in range(400):  # 4,000 findings: far more than a pipe buffer holds
        (folder / f"{i:04}.txt").write_bytes(nuls)
    process = subprocess.Popen(
        [*ARCHIVE, "validate", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert b"error[control-char]" in process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read()
    process.wait(timeout=120)
    process.stderr.close()
    assert err == b""
    assert process.returncode == 141


def test_internal_error_line_is_bounded() -> None:
    line = guard.internal_error_line(ValueError("x" * 10_000 + "\n\x1b[31m"))
    assert "\n" not in line
    assert len(line) < 600


def test_hostile_file_names_cannot_forge_output(tmp_path: Path) -> None:
    """A name with a line break, a terminal escape or bytes that are not UTF-8."""
    folder = tmp_path / "names"
    folder.mkdir()
    bad = b"http://e.com/\nH\n\nAug. 25, 2011\n5\n\x00"
    for name in (b"a\nfake.txt:1:1: error[x] forged.txt", b"b\x1b[2J.txt", b"c\xff.txt"):
        (folder / os.fsdecode(name)).write_bytes(bad)
    done = subprocess.run(
        [*ARCHIVE, "validate", str(folder)], capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == b""
    lines = done.stdout.decode("utf-8").splitlines()
    # Three findings, two duplicate-url (the files are alike, and name the first
    # file in their message) and the summary: nothing forged.
    assert len(lines) == 6
    assert "\x1b" not in done.stdout.decode("utf-8")
    assert all(line.startswith(str(folder)) for line in lines[:-1])
    text = "\n".join(lines)
    assert "a\\nfake.txt" in text
    assert "b\\x1b[2J.txt" in text
    assert "c\\udcff.txt" in text
