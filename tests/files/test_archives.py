"""Guards the convert command will call: member names, output names, bombs, atomic writes."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import pytest

from archivekit.errors import LimitError, OutputExists, UsageError
from archivekit.files.archives import BombGuard, member_problem
from archivekit.files.atomic import AtomicFile

pytestmark = pytest.mark.hostile


@pytest.mark.parametrize(
    ("name", "kind", "why"),
    [
        ("../evil.txt", "file", "'..'"),
        ("a/../../evil.txt", "file", "'..'"),
        ("/etc/passwd", "file", "absolute"),
        ("C:/x.txt", "file", "absolute"),
        ("a\\..\\x.txt", "file", "backslash"),
        ("a\x00.txt", "file", "NUL"),
        ("", "file", "empty"),
        ("link.txt", "symbolic link", "symbolic link"),
        ("dev.txt", "device", "device"),
    ],
)
def test_bad_members_are_refused(name: str, kind: str, why: str) -> None:
    problem = member_problem(name, kind)
    assert problem is not None
    assert why in problem


def test_good_and_duplicate_members() -> None:
    seen: set[str] = set()
    assert member_problem("a/b.txt", seen=seen) is None
    assert member_problem("c..d.txt", seen=seen) is None
    problem = member_problem("./a//b.txt", seen=seen)
    assert problem is not None
    assert "duplicate" in problem


def _drain(guard: BombGuard) -> None:
    while guard.read(65536):
        pass


def test_bomb_guard_stops_at_the_size_limit() -> None:
    packed = gzip.compress(b"\x00" * 10_000_000)
    raw = io.BytesIO(packed)
    with gzip.GzipFile(fileobj=raw) as stream:
        guard = BombGuard(stream, max_bytes=1_000_000, max_ratio=10**9)  # type: ignore[arg-type]
        with pytest.raises(LimitError, match="limit"):
            _drain(guard)
        assert guard.total <= 1_000_001


def test_bomb_guard_stops_at_the_ratio() -> None:
    packed = gzip.compress(b"\x00" * 10_000_000)
    raw = io.BytesIO(packed)
    with gzip.GzipFile(fileobj=raw) as stream:
        guard = BombGuard(
            stream,  # type: ignore[arg-type]
            max_bytes=10**9,
            compressed=raw.tell,
            slack=100_000,
        )
        with pytest.raises(LimitError, match="times"):
            guard.read()


def test_bomb_guard_lets_normal_data_through() -> None:
    data = os.urandom(300_000)
    raw = io.BytesIO(gzip.compress(data))
    with gzip.GzipFile(fileobj=raw) as stream:
        guard = BombGuard(stream, max_bytes=1_000_000, compressed=raw.tell)  # type: ignore[arg-type]
        assert guard.read() == data


def test_atomic_write_makes_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with AtomicFile(str(target), force=False) as out:
        out.stream.write(b"whole")
    assert target.read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def _write_then_fail(target: Path, failure: BaseException) -> None:
    with AtomicFile(str(target), force=False) as out:
        out.stream.write(b"part")
        raise failure


@pytest.mark.parametrize(
    "failure", [OSError(28, "No space left on device"), KeyboardInterrupt(), SystemExit(143)]
)
def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path, failure: BaseException) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(type(failure)):
        _write_then_fail(target, failure)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_fault_at_the_write_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full, injected where the bytes reach the file system."""

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with (
        pytest.raises(OSError, match="No space"),
        AtomicFile(str(tmp_path / "o"), force=False) as h,
    ):
        h.stream.write(b"data")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_never_overwrites_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"first")
    with pytest.raises(OutputExists):
        AtomicFile(str(target), force=False)
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with AtomicFile(str(target), force=True) as out:
        out.stream.write(b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_into_a_removed_folder_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot write here"):
        AtomicFile(str(tmp_path / "gone" / "out.txt"), force=False)
    assert list(tmp_path.iterdir()) == []
