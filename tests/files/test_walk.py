"""Directory walks: links not followed unless asked, loops survived, unreadable entries reported."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from archivekit.files.walk import iter_files
from archivekit.validate import check_file, validate_paths
from tests.conftest import SEED
from tests.support import Cli

pytestmark = pytest.mark.hostile


def make(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(SEED.read_bytes())
    return path


def names(paths: list[str], root: Path) -> list[str]:
    return [str(Path(p).relative_to(root)) for p in paths]


def linked_tree(tmp_path: Path) -> Path:
    """root/a.txt, plus a link to a file and a link to a folder outside root."""
    outside = tmp_path / "outside"
    make(outside / "secret.txt")
    root = tmp_path / "root"
    make(root / "a.txt")
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "linkdir").symlink_to(outside)
    return root


def test_links_inside_folders_are_not_followed_by_default(tmp_path: Path) -> None:
    root = linked_tree(tmp_path)
    assert names(list(iter_files([str(root)])), root) == ["a.txt"]


def test_links_are_followed_when_asked(tmp_path: Path) -> None:
    root = linked_tree(tmp_path)
    found = names(list(iter_files([str(root)], follow_symlinks=True)), root)
    assert found == ["a.txt", "link.txt", "linkdir/secret.txt"]


def test_a_link_loop_is_walked_once(tmp_path: Path) -> None:
    root = tmp_path / "root"
    make(root / "a.txt")
    make(root / "sub" / "b.txt")
    (root / "sub" / "up").symlink_to(root)  # root/sub/up -> root: a loop
    (root / "sub" / "self").symlink_to(root / "sub")
    found = names(list(iter_files([str(root)], follow_symlinks=True)), root)
    assert found == ["a.txt", "sub/b.txt"]


def test_two_links_to_one_folder_are_both_walked(tmp_path: Path) -> None:
    """Loop detection looks at the folders being walked, not every folder seen."""
    make(tmp_path / "shared" / "s.txt")
    root = tmp_path / "root"
    root.mkdir()
    (root / "one").symlink_to(tmp_path / "shared")
    (root / "two").symlink_to(tmp_path / "shared")
    found = names(list(iter_files([str(root)], follow_symlinks=True)), root)
    assert found == ["one/s.txt", "two/s.txt"]


def test_broken_and_self_looping_links_are_reported_when_followed(tmp_path: Path) -> None:
    root = tmp_path / "root"
    make(root / "a.txt")
    (root / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    (root / "self.txt").symlink_to(root / "self.txt")
    results = list(validate_paths([str(root)], follow_symlinks=True))
    assert [Path(r.path).name for r in results] == ["a.txt", "broken.txt", "self.txt"]
    assert results[0].ok
    for result in results[1:]:
        assert [d.code for d in result.diagnostics] == ["read-error"]
    assert "symbolic links" in results[2].diagnostics[0].message


@contextlib.contextmanager
def deep_tree(root: Path, levels: int) -> Iterator[Path]:
    """``root/d/d/.../d`` ``levels`` deep, removed after (pytest's rmtree recurses per level)."""
    deep = str(root)
    for _ in range(levels):  # one level at a time: mkdir(parents=True) recurses too
        deep += "/d"
        Path(deep).mkdir()
    assert len(deep) < 4000
    try:
        yield Path(deep)
    finally:
        for path in Path(deep).iterdir():
            path.unlink()
        while deep != str(root):
            Path(deep).rmdir()
            deep = deep.rsplit("/", 1)[0]


def test_a_very_deep_tree_does_not_exhaust_the_recursion_limit(tmp_path: Path) -> None:
    """A recursive walk raised RecursionError past ~1,000 levels (paths stay within PATH_MAX)."""
    with deep_tree(tmp_path, 1200) as deep:
        Path(deep, "x.txt").write_bytes(SEED.read_bytes())
        try:
            make(tmp_path / "d" / "top.txt")
            found = list(iter_files([str(tmp_path / "d")]))
            assert [Path(p).name for p in found] == ["x.txt", "top.txt"]
        finally:
            (tmp_path / "d" / "top.txt").unlink()


@pytest.mark.parametrize("command", ["validate", "convert", "convert-dir", "fmt"])
def test_every_command_walks_a_tree_1100_folders_deep(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    """convert had a recursive walker of its own, and made output folders recursively."""
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    with deep_tree(tmp_path / "in", 1100) as deep:
        Path(deep, "x.txt").write_bytes(SEED.read_bytes())
        commands: dict[str, list[str | Path]] = {
            "validate": ["validate", tmp_path / "in"],
            "convert": ["convert", tmp_path / "in", "--to", "jsonl", "-o", tmp_path / "o.jsonl"],
            "convert-dir": ["convert", tmp_path / "in", "--to", "md", "--output-dir", out],
            "fmt": ["fmt", "--check", tmp_path / "in"],
        }
        result = cli(*commands[command])
        assert (result.exit_code, result.exception) == (0, None), result.output
    if command == "convert":
        assert (tmp_path / "o.jsonl").read_bytes().count(b"\n") == 1
    if command == "convert-dir":
        # The input's relative path is mirrored, 1,100 folders deep; nothing else is left.
        mirrored = Path(str(out) + "/d" * 1100, "x.md")
        assert mirrored.read_bytes().startswith(b"---\n")
        mirrored.unlink()  # pytest's clean-up (shutil.rmtree) recurses per level: undo it here
        folder = str(mirrored.parent)
        while folder != str(out):
            os.rmdir(folder)
            folder = folder.rsplit("/", 1)[0]
        assert list(out.iterdir()) == []


def _special_files(folder: Path) -> list[str]:
    """A FIFO and a character device (a twin of /dev/zero) named like records."""
    os.mkfifo(folder / "b.txt")
    try:
        os.mknod(folder / "c.txt", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("making a device needs root (CI runs as root)")
    return ["b.txt", "c.txt"]


@pytest.mark.parametrize("command", ["validate", "convert", "fmt"])
def test_every_command_reports_fifos_and_devices_and_goes_on(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    """fmt and convert hung on a FIFO, and fmt read /dev/zero until the kernel killed it."""
    folder = tmp_path / "in"
    folder.mkdir()
    make(folder / "a.txt")
    special = _special_files(folder)
    make(folder / "d.txt")
    commands: dict[str, list[str | Path]] = {
        "validate": ["validate", folder],
        "convert": ["convert", folder, "--to", "jsonl", "--skip-invalid", "-o", tmp_path / "o"],
        "fmt": ["fmt", "--check", folder],
    }
    args = commands[command]
    result = cli(*args)
    output = result.stdout if command == "validate" else result.stderr + result.stdout
    refused = [
        f"{folder / name}:1:1: error[read-error] cannot read the file: not a regular file "
        "(a FIFO, socket or device)"
        for name in special
    ]
    assert [line for line in output.splitlines() if "read-error" in line] == refused
    # The files on either side were read: the run went on.
    assert result.exit_code == (0 if command == "convert" else 1)
    if command == "convert":
        assert (tmp_path / "o").read_bytes().count(b"\n") == 2


def deny(monkeypatch: pytest.MonkeyPatch, call: str, denied: str) -> None:
    """Make ``os.<call>`` refuse ``denied`` as chmod 000 would refuse a non-root user."""
    real = getattr(os, call)

    def refuse(path: str, *args: int) -> object:
        if str(path) == denied:
            raise PermissionError(13, "Permission denied", path)
        return real(path, *args)

    monkeypatch.setattr(os, call, refuse)


def test_an_unreadable_folder_is_reported_and_the_rest_processed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run as root, whom chmod 000 does not stop: deny the listing instead."""
    make(tmp_path / "a" / "1.txt")
    make(tmp_path / "b" / "2.txt")
    make(tmp_path / "c" / "3.txt")
    denied = str(tmp_path / "b")
    deny(monkeypatch, "scandir", denied)
    deny(monkeypatch, "open", denied)
    results = list(validate_paths([str(tmp_path)]))
    assert names([r.path for r in results], tmp_path) == ["a/1.txt", "b", "c/3.txt"]
    assert results[0].ok
    assert results[2].ok
    assert [d.code for d in results[1].diagnostics] == ["read-error"]
    assert "cannot read the folder: Permission denied" in results[1].diagnostics[0].message


def test_an_unreadable_file_is_reported_and_the_rest_processed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("1.txt", "2.txt", "3.txt"):
        make(tmp_path / name)
    deny(monkeypatch, "open", str(tmp_path / "2.txt"))
    results = list(validate_paths([str(tmp_path)]))
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].diagnostics[0].message == "cannot read the file: Permission denied"


def test_a_fifo_in_a_folder_is_reported_without_waiting_for_a_writer(tmp_path: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes: a hang, before O_NONBLOCK."""
    make(tmp_path / "a.txt")
    os.mkfifo(tmp_path / "b.txt")
    make(tmp_path / "c.txt")
    results = list(validate_paths([str(tmp_path)]))
    assert [r.ok for r in results] == [True, False, True]
    assert "not a regular file" in results[1].diagnostics[0].message


def test_a_folder_given_to_check_file_is_a_read_error(tmp_path: Path) -> None:
    result = check_file(str(tmp_path))
    assert [d.code for d in result.diagnostics] == ["read-error"]
    assert "the folder" in result.diagnostics[0].message
