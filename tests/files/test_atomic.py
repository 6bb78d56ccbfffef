"""The one atomic writer's output folders: whole or nothing, never through a link, linear names."""

from __future__ import annotations

import errno
import gzip
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from archivekit.errors import OutputError, OutputExists
from archivekit.files import atomic
from archivekit.files.atomic import Block, Scratch, Staging, splice, write_block
from tests.support import Cli, files, temporaries

pytestmark = pytest.mark.hostile


def staged(folder: Path, count: int, *, force: bool = False) -> Staging:
    staging = Staging(str(folder), force=force)
    for number in range(count):
        staging.add(f"sub/{number:03}.md", b"new %d" % number, unique=False)
    return staging


def test_convert_writes_nothing_through_a_symbolic_link_in_the_output_folder(
    cli: Cli, tmp_path: Path
) -> None:
    # Before: with od/sub -> ../outside, the input's sub/package.txt became outside/package.json.
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "sub" / "package.txt").write_bytes(
        (Path(__file__).parents[2] / "seeds" / "000_1010b656ba4bd7c5.txt").read_bytes()
    )
    (tmp_path / "outside").mkdir()
    (tmp_path / "od").mkdir()
    (tmp_path / "od" / "sub").symlink_to("../outside", target_is_directory=True)
    result = cli("convert", tmp_path / "in", "--to", "json", "--output-dir", tmp_path / "od")
    assert result.exit_code == 2, result.output
    assert "is a symbolic link or a file, not a folder" in result.stderr
    assert files(tmp_path / "outside") == {}
    assert temporaries(tmp_path) == []


def test_a_link_placed_after_the_check_is_not_followed_either(tmp_path: Path) -> None:
    staging = staged(tmp_path / "od", 3)
    (tmp_path / "outside").mkdir()
    (tmp_path / "od" / "sub").symlink_to(tmp_path / "outside", target_is_directory=True)
    with pytest.raises(OutputExists, match="symbolic link"):
        staging.commit()
    assert os.listdir(tmp_path / "outside") == []


def test_every_target_is_checked_before_any_is_placed(tmp_path: Path) -> None:
    # Before: a name that appeared mid-run stopped the commit part-way, the first files placed.
    staging = staged(tmp_path / "od", 20)
    (tmp_path / "od" / "sub").mkdir()
    (tmp_path / "od" / "sub" / "015.md").write_bytes(b"someone else's")
    with pytest.raises(OutputExists, match=r"015\.md: already exists"):
        staging.commit()
    assert files(tmp_path / "od") == {"sub/015.md": b"someone else's"}
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize("force", [False, True])
def test_a_failure_while_placing_takes_back_what_was_placed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    old = {f"sub/{n:03}.md": b"old %d" % n for n in range(0, 20, 2)}
    (tmp_path / "od" / "sub").mkdir(parents=True)
    for rel, data in old.items():
        (tmp_path / "od" / rel).write_bytes(data)
    staging = Staging(str(tmp_path / "od"), force=force)
    for number in range(1, 20, 2) if not force else range(20):
        staging.add(f"sub/{number:03}.md", b"new %d" % number, unique=False)
    staging.add("deep/er/x.md", b"x", unique=False)
    calls = 0

    def failing(real: Callable[..., None]) -> Callable[..., None]:
        def call(*args: object, **kwargs: object) -> None:
            nonlocal calls
            calls += 1
            if calls == 9:  # part-way: some files placed (force: some replaced)
                raise OSError(28, "No space left on device")
            real(*args, **kwargs)

        return call

    monkeypatch.setattr(os, "link", failing(os.link))
    monkeypatch.setattr(os, "rename", failing(os.rename))
    with pytest.raises(OSError, match="No space left"):
        staging.commit()
    monkeypatch.undo()
    assert files(tmp_path / "od") == old  # replaced files restored, new ones removed
    assert not (tmp_path / "od" / "deep").exists()  # and the folders it made
    assert temporaries(tmp_path) == []


def test_staged_files_lost_during_the_run_fail_the_commit(tmp_path: Path) -> None:
    # Before: deleting part of the output folder mid-run gave exit 0 and
    # "wrote 20000 files" with 15,000 present.
    staging = staged(tmp_path / "od", 20)
    lost = list(Path(staging.temporary).rglob("*.md"))[:5]
    for path in lost:
        path.unlink()
    with pytest.raises(OutputError, match="5 of 20 staged files disappeared"):
        staging.commit()
    assert files(tmp_path / "od") == {}


def test_commit_counts_what_it_placed(tmp_path: Path) -> None:
    staging = staged(tmp_path / "od", 12)
    assert staging.commit() == 12
    assert len(files(tmp_path / "od")) == 12


def test_an_output_folder_made_by_a_failed_run_is_removed(tmp_path: Path) -> None:
    staging = staged(tmp_path / "new" / "od", 3)
    (Path(staging.temporary) / "files" / "sub" / "000.md").unlink()
    with pytest.raises(OutputError):
        staging.commit()
    assert not (tmp_path / "new").exists()


def test_many_records_with_one_name_are_numbered_in_linear_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: each record probed every earlier -2, -3 …: 8,000 took 109 s.
    staging = Staging(str(tmp_path / "od"), force=False)
    real = os.path.lexists
    probes = 0

    def counted(path: str) -> bool:
        nonlocal probes
        probes += 1
        return real(path)

    monkeypatch.setattr(os.path, "lexists", counted)
    names = [staging.add("2011-08-25-index.md", b"x", unique=True) for _ in range(2000)]
    monkeypatch.undo()
    assert names[:3] == ["2011-08-25-index.md", "2011-08-25-index-2.md", "2011-08-25-index-3.md"]
    assert len(set(names)) == 2000
    assert probes < 4 * 2000  # was about 2000 * 2000 / 2
    staging.discard()


def _block(scratch: Scratch, data: bytes) -> Block:
    block = write_block(scratch.folder, data)
    assert Path(block.path).read_bytes() == data
    return block


@pytest.mark.parametrize("kernel", [True, False])
def test_a_spliced_block_lands_between_the_buffered_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: bool
) -> None:
    if not kernel:  # another file system, an old kernel: the plain copy

        def refuse(*args: object) -> int:
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", refuse, raising=False)
        monkeypatch.setattr(os, "sendfile", refuse, raising=False)
    scratch = Scratch(str(tmp_path))
    data = bytes(range(256)) * 5000  # more than one plain-copy piece
    out = tmp_path / "out"
    with open(out, "wb") as stream:
        stream.write(b"head,")
        splice(_block(scratch, data), stream)
        stream.write(b",middle,")
        assert stream.tell() == 5 + len(data) + 8
        splice(_block(scratch, b"tail"), stream)
    assert out.read_bytes() == b"head," + data + b",middle,tail"
    assert os.listdir(scratch.folder) == []  # each block removed once spliced
    scratch.discard()
    assert temporaries(tmp_path) == []


def test_a_block_goes_through_a_compressing_stream_and_into_a_pipe(tmp_path: Path) -> None:
    scratch = Scratch(str(tmp_path))
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as packed:
        packed.write(b"a")
        splice(_block(scratch, b"bcd"), packed)  # type: ignore[arg-type]
    assert gzip.decompress(buffer.getvalue()) == b"abcd"
    read, write = os.pipe()
    with open(write, "wb") as stream, open(read, "rb") as back:
        stream.write(b"<")
        splice(_block(scratch, b"piped"), stream)
        stream.write(b">")
        stream.close()
        assert back.read() == b"<piped>"
    scratch.discard()
    assert temporaries(tmp_path) == []


def test_discarding_the_scratch_folder_removes_what_workers_left(tmp_path: Path) -> None:
    scratch = Scratch(str(tmp_path))
    for number in range(3):
        _block(scratch, b"x" * number)
    scratch.discard()
    scratch.discard()  # idempotent
    assert temporaries(tmp_path) == []


def test_a_block_written_by_a_function_and_one_that_fails(tmp_path: Path) -> None:
    """A worker may stream a block into the file (Arrow IPC); a failure leaves no file."""
    scratch = Scratch(str(tmp_path))

    def write(stream: BinaryIO) -> None:
        stream.write(b"abc")
        stream.write(memoryview(b"def" * 100_000))

    block = write_block(scratch.folder, write)
    assert block.size == 3 + 300_000
    assert Path(block.path).read_bytes() == b"abc" + b"def" * 100_000

    def fail(stream: BinaryIO) -> None:
        stream.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_block(scratch.folder, fail)
    assert os.listdir(scratch.folder) == [Path(block.path).name]
    scratch.discard()


@pytest.mark.hostile
def test_a_dead_runs_temporaries_are_swept_without_following_links(tmp_path: Path) -> None:
    """The sweep removes links it finds, never what they point to, at any depth."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    out = tmp_path / "out"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = out / f"{atomic.TEMP_PREFIX}{atomic._HOST}-{dead.pid}.abc"
    deep = stale.joinpath(*["d"] * 300)
    deep.mkdir(parents=True)
    (deep / "x.md").write_text("x")
    (stale / "link").symlink_to(outside)
    (deep / "link").symlink_to(outside)
    (out / f"{atomic.TEMP_PREFIX}{atomic._HOST}-{dead.pid}.all.jsonl.xyz").write_text("x")
    (out / "record.md").write_text("kept")
    assert atomic.sweep(str(out)) == 2
    assert sorted(p.name for p in out.iterdir()) == ["record.md"]
    assert (outside / "keep.txt").read_text() == "mine"
    assert atomic.sweep(str(out)) == 0  # once per folder and process


def test_a_dead_runs_copy_of_standard_input_is_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`convert - --rejects` copies standard input to the temporary folder: kill -9 left it."""
    import tempfile

    from archivekit.sources.inputs import StdinCopy

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / f"{atomic.TEMP_PREFIX}{atomic._HOST}-{dead.pid}.stdin.abc"
    left.write_bytes(b"x" * 1000)
    copy = StdinCopy(io.BytesIO(b"data"))
    assert copy.stream.read() == b"data"
    assert not left.exists()
    with copy.reopen() as again:
        assert again.read() == b"data"
    copy.close()
    assert list(tmp_path.iterdir()) == []
