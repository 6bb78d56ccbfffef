"""Directory walks: links not followed unless asked, loops survived, unreadable entries reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archivekit.files.walk import iter_files
from archivekit.validate import check_file, validate_paths
from tests.conftest import SEED

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


def test_a_very_deep_tree_does_not_exhaust_the_recursion_limit(tmp_path: Path) -> None:
    """A recursive walk raised RecursionError past ~1,000 levels (paths stay within PATH_MAX)."""
    deep = str(tmp_path)
    for _ in range(1200):  # one level at a time: mkdir(parents=True) recurses too
        deep += "/d"
        Path(deep).mkdir()
    assert len(deep) < 4000
    try:
        Path(deep, "x.txt").write_bytes(SEED.read_bytes())
        make(tmp_path / "d" / "top.txt")
        found = list(iter_files([str(tmp_path / "d")]))
        assert [Path(p).name for p in found] == ["x.txt", "top.txt"]
    finally:
        # pytest's clean-up (shutil.rmtree) recurses per level too: undo it here.
        Path(deep, "x.txt").unlink(missing_ok=True)
        (tmp_path / "d" / "top.txt").unlink(missing_ok=True)
        while deep != str(tmp_path):
            Path(deep).rmdir()
            deep = deep.rsplit("/", 1)[0]


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
