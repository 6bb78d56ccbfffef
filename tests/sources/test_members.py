"""Unsafe .tar/.zip members (links, devices, FIFOs, duplicates, odd names): reported, skipped."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from archivekit.sources.inputs import iter_sources
from archivekit.sources.reading import Item, ReadOptions, read_source
from tests.conftest import SEED

pytestmark = pytest.mark.hostile


def _items(path: Path) -> list[Item]:
    return [
        item for source in iter_sources([str(path)]) for item in read_source(source, ReadOptions())
    ]


def _refused(items: list[Item]) -> dict[str, str]:
    return {
        i.result.path.rsplit("/", 1)[-1]: i.result.diagnostics[0].message
        for i in items
        if i.result.record is None
    }


def test_tar_links_devices_fifos_duplicates_and_backslashes(tmp_path: Path) -> None:
    seed = SEED.read_bytes()
    path = tmp_path / "in.tar"
    with tarfile.open(path, "w") as archive:

        def add(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"") -> None:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.size = len(data)
            if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = "/etc/passwd"
            archive.addfile(info, io.BytesIO(data) if data else None)

        add("good.txt", data=seed)
        add("sym.txt", tarfile.SYMTYPE)
        add("hard.txt", tarfile.LNKTYPE)
        add("dev.txt", tarfile.CHRTYPE)
        add("fifo.txt", tarfile.FIFOTYPE)
        add("./good.txt", data=seed)  # the same name again
        add("win\\name.txt", data=seed)
        add("README", tarfile.SYMTYPE)  # not a record name: not read, not reported
    items = _items(path)
    assert [i.result.path for i in items if i.result.record is not None] == [f"{path}/good.txt"]
    refused = _refused(items)
    assert set(refused) == {
        "sym.txt",
        "hard.txt",
        "dev.txt",
        "fifo.txt",
        "good.txt",
        "win\\name.txt",
    }
    assert "a symbolic link, not a regular file" in refused["sym.txt"]
    assert "a hard link" in refused["hard.txt"]
    assert "a device" in refused["dev.txt"]
    assert "a FIFO" in refused["fifo.txt"]
    assert "a duplicate" in refused["good.txt"]
    assert "backslash" in refused["win\\name.txt"]
    assert all(
        i.result.diagnostics[0].code == "read-error" for i in items if i.result.record is None
    )


def test_zip_symbolic_links_and_duplicates(tmp_path: Path) -> None:
    seed = SEED.read_bytes()
    path = tmp_path / "in.zip"
    link = zipfile.ZipInfo("link.txt")
    link.external_attr = 0o120777 << 16  # what `zip --symlinks` writes
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("good.txt", seed)
        archive.writestr(link, "/etc/passwd")
        archive.writestr("./good.txt", seed)  # the same name, written another way
        archive.writestr("a/../b.txt", seed)
    items = _items(path)
    assert [i.result.path for i in items if i.result.record is not None] == [f"{path}/good.txt"]
    refused = _refused(items)
    assert "a symbolic link" in refused["link.txt"]
    assert "a duplicate" in refused["good.txt"]
    assert "'..' part" in refused["b.txt"]


@pytest.mark.parametrize("outer", ["zip", "tar"])
def test_an_archive_inside_an_archive_is_a_finding_not_silence(tmp_path: Path, outer: str) -> None:
    # Before: a nested archive was passed over without a word (its records never checked).
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("hidden.txt", SEED.read_bytes())
    members = {"good.txt": SEED.read_bytes(), "more.zip": inner.getvalue(), "x.tar.gz": b"\0"}
    path = tmp_path / f"in.{outer}"
    if outer == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    else:
        with tarfile.open(path, "w") as archive:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    items = _items(path)
    assert [i.result.path for i in items if i.result.record is not None] == [f"{path}/good.txt"]
    nested = {
        i.result.path.rsplit("/", 1)[-1]: i.result.diagnostics[0]
        for i in items
        if i.result.record is None
    }
    assert set(nested) == {"more.zip", "x.tar.gz"}
    assert {d.code for d in nested.values()} == {"archive-nested"}
    assert all(d.severity.value == "warning" for d in nested.values())
    assert "archive inside the archive" in nested["more.zip"].message
