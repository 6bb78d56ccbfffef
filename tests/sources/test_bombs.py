"""Decompression bombs in .gz files and .tar/.zip members stop with a clear read-error."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import archivekit.files.read as limits
from archivekit.errors import UsageError
from archivekit.formats import FormatOptions
from archivekit.rules import RuleOptions
from archivekit.sources.inputs import iter_sources
from archivekit.sources.reading import Item, ReadOptions, read_source
from tests.support import Cli

pytestmark = pytest.mark.hostile

#: 50 MB of zeros gzip to about 50 kB: a ratio of about a thousand.
BOMB_SIZE = 50 * 10**6
GOOD = (
    b'{"url":"https://example.com/a","headline":"H","keywords":[],'
    b'"date":"2011-08-25","word_count":1,"body":"B"}\n'
)


def _zeros_gz(stream: io.BufferedIOBase | io.BytesIO) -> None:
    with gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=6) as packed:
        chunk = bytes(2**20)
        for _ in range(BOMB_SIZE // len(chunk)):
            packed.write(chunk)


def _bomb_bytes() -> bytes:
    out = io.BytesIO()
    _zeros_gz(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _bomb_bytes()


def _items(path: Path, max_bytes: int = limits.DEFAULT_MAX_BYTES) -> Iterator[Item]:
    options = ReadOptions(FormatOptions(rules=RuleOptions(max_bytes=max_bytes)))
    for source in iter_sources([str(path)], max_bytes=max_bytes):
        yield from read_source(source, options)


def _codes(items: list[Item]) -> list[str]:
    return [d.code for item in items for d in item.result.diagnostics]


def test_gz_file_bomb_is_a_read_error(tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(bomb)
    assert len(bomb) < BOMB_SIZE / 500
    items = list(_items(path))
    assert _codes(items) == ["read-error"]
    assert "times its compressed size" in items[0].result.diagnostics[0].message


def test_gz_file_total_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the ratio, but over ARCHIVEKIT_MAX_TOTAL: stopped too."""
    monkeypatch.setenv("ARCHIVEKIT_MAX_TOTAL", "1K")
    path = tmp_path / "many.jsonl.gz"
    path.write_bytes(gzip.compress(GOOD * 20))
    items = list(_items(path))
    assert _codes(items)[-1] == "read-error"
    assert "1024-byte limit" in items[-1].result.diagnostics[-1].message


def test_zip_member_bomb_is_skipped_and_the_rest_read(tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "in.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("a.jsonl", "w") as member:
            chunk = bytes(2**20)
            for _ in range(BOMB_SIZE // len(chunk)):
                member.write(chunk)
        archive.writestr("b.jsonl.gz", bomb)  # a bomb inside a member
        archive.writestr("c.jsonl", GOOD)
    items = list(_items(path))
    assert _codes(items) == ["read-error", "read-error"]
    assert [i.result.path for i in items if i.result.record is not None] == [f"{path}/c.jsonl"]
    for item in items[:2]:
        assert "times its compressed size" in item.result.diagnostics[0].message


def test_tar_member_bomb_stops_the_archive(tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "in.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, content in (("a.jsonl", GOOD), ("b.jsonl.gz", bomb)):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        info = tarfile.TarInfo("c.jsonl")  # 50 MB of zeros, compressed by the tar's gzip
        info.size = BOMB_SIZE
        archive.addfile(info, io.BytesIO(bytes(BOMB_SIZE)))
    items = list(_items(path))
    assert items[0].result.record is not None
    assert _codes(items) == ["read-error"]
    assert "times its compressed size" in items[1].result.diagnostics[0].message
    assert items[1].result.path.endswith("b.jsonl.gz")


def test_plain_tar_sparse_like_member_over_the_file_limit(tmp_path: Path) -> None:
    """A member bigger than the file-size limit is refused, not held in memory."""
    path = tmp_path / "in.tar"
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo("big.jsonl")
        info.size = 3 * 2**20
        archive.addfile(info, io.BytesIO(bytes(info.size)))
    items = list(_items(path, 2**20))
    assert _codes(items) == ["read-error"]
    assert "file-size limit" in items[0].result.diagnostics[0].message


def test_zip_total_limit_over_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVEKIT_MAX_TOTAL", str(len(GOOD) * 3 + 10))
    path = tmp_path / "in.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(6):
            archive.writestr(f"{n}.jsonl", GOOD)
    items = list(_items(path))
    assert [i.result.record is not None for i in items] == [True, True, True, False]
    assert "in all" in items[-1].result.diagnostics[0].message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ARCHIVEKIT_MAX_RATIO", "0.5"),
        ("ARCHIVEKIT_MAX_RATIO", "x"),
        ("ARCHIVEKIT_MAX_TOTAL", "lots"),
    ],
)
def test_bad_limit_setting_is_a_usage_error(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(UsageError, match=name):
        next(iter_sources(["-"]))


def test_convert_cli_reports_the_bomb(cli: Cli, tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(bomb)
    (tmp_path / "good.jsonl").write_bytes(GOOD)
    out = tmp_path / "out.csv"
    result = cli("convert", path, tmp_path / "good.jsonl", "--to", "csv", "-o", out)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "read-error" in result.output
    assert "compressed size" in result.output
