"""Batches: walking folders, worker processes keep the order, unreadable paths are findings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archivekit.errors import InputError
from archivekit.files.walk import iter_files
from archivekit.validate import POOL_THRESHOLD, check_file, validate_paths
from tests.conftest import SEED, SEEDS


def make_batch(root: Path, count: int) -> list[Path]:
    good = SEED.read_bytes()
    bad = (SEEDS / "invalid" / "date-invalid.txt").read_bytes()
    made = []
    for i in range(count):
        folder = root / f"{i // 100:03d}"
        folder.mkdir(exist_ok=True)
        path = folder / f"{i:05d}.txt"
        path.write_bytes(bad if i % 97 == 0 else good)
        made.append(path)
    return made


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_batch_keeps_its_order_with_and_without_workers(tmp_path: Path, jobs: int) -> None:
    made = make_batch(tmp_path, POOL_THRESHOLD * 3)
    results = list(validate_paths([str(tmp_path)], jobs=jobs))
    assert [r.path for r in results] == [str(p) for p in made]
    assert [r.ok for r in results] == [i % 97 != 0 for i in range(len(made))]
    assert all(r.record is None for r in results)  # not kept unless asked
    kept = list(validate_paths([str(tmp_path)], jobs=jobs, keep_records=True))
    assert all((r.record is not None) == r.ok for r in kept)


def test_walk_skips_hidden_entries_and_symlinks_and_sorts(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "c.txt").write_text("x")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    (tmp_path / "loop").symlink_to(tmp_path)
    (tmp_path / "notes.md").write_text("x")
    assert list(iter_files([str(tmp_path)])) == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]


def test_an_explicit_file_is_read_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "record.data"
    shutil.copy(SEED, path)
    assert list(iter_files([str(path)])) == [str(path)]


def test_missing_paths_are_refused_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope.*no such file"):
        validate_paths([str(SEED), str(tmp_path / "nope")])


def test_an_unreadable_path_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    result = check_file(str(tmp_path))  # a folder where a file was expected
    assert not result.ok
    assert result.diagnostics[0].code == "read-error"
    assert "cannot read the folder" in result.diagnostics[0].message


def test_a_path_named_twice_is_read_once() -> None:
    assert list(iter_files([str(SEED), str(SEED), "-", "-"])) == [str(SEED), "-"]
