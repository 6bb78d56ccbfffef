"""Object storage: URLs walked and read like folders and files (memory://, and S3 through moto)."""

from __future__ import annotations

import gzip
import io
import json
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from archivekit.errors import InputError, UsageError
from archivekit.files.read import read_url, read_urls
from archivekit.files.remote import is_url, parse_storage_options
from archivekit.files.walk import walk
from archivekit.validate import Validation
from tests.conftest import SEED, SEEDS
from tests.support import Cli, make_batch, s3_args, write_batch

fsspec = pytest.importorskip("fsspec", reason="fsspec (archivekit[cloud]) is not installed")


@pytest.fixture
def memory() -> Any:
    """A fresh in-memory file system (fsspec's memory://), emptied afterwards."""
    fs = fsspec.filesystem("memory")
    fs.store.clear()
    fs.pseudo_dirs.clear()
    fs.pseudo_dirs.append("")
    yield fs
    fs.store.clear()


def test_urls_are_told_from_paths() -> None:
    for url in ("s3://b/k", "gs://b/k", "az://c/k", "file:///tmp/x", "memory://x", "S3://b"):
        assert is_url(url), url
    for path in ("a.txt", "/tmp/x://y", "http://example.com/a.txt", "-", "weird://x"):
        assert not is_url(path), path


def test_storage_options_parse_scalars_and_json() -> None:
    options = parse_storage_options(
        ["endpoint_url=http://127.0.0.1:9/x=y", "anon=true", "n=3", 'client_kwargs={"a": 1}']
    )
    assert options == {
        "endpoint_url": "http://127.0.0.1:9/x=y",
        "anon": True,
        "n": 3,
        "client_kwargs": {"a": 1},
    }
    for bad in ("novalue", "=x", "k={oops"):
        with pytest.raises(UsageError):
            parse_storage_options([bad])


def test_a_url_folder_is_walked_like_a_folder(memory: Any) -> None:
    for name in ("b/2.txt", "a.txt", "b/1.txt", ".hidden/x.txt", "b/.x.txt", "c.md", "b/c/3.txt"):
        memory.pipe_file(f"/root/{name}", b"x" * len(name))
    found = list(walk(["memory://root"], match=lambda n: n.endswith(".txt")))
    assert [(f.path, f.rel, f.explicit, f.size) for f in found] == [
        ("memory://root/a.txt", "a.txt", False, 5),
        ("memory://root/b/1.txt", "b/1.txt", False, 7),
        ("memory://root/b/2.txt", "b/2.txt", False, 7),
        ("memory://root/b/c/3.txt", "b/c/3.txt", False, 9),
    ]
    globbed = list(walk(["memory://root/b/*.txt"], match=bool))
    assert [(f.path, f.rel) for f in globbed] == [
        ("memory://root/b/1.txt", "1.txt"),
        ("memory://root/b/2.txt", "2.txt"),
    ]
    one = list(walk(["memory://root/c.md"], match=bool))
    assert [(f.path, f.rel, f.explicit, f.size) for f in one] == [
        ("memory://root/c.md", "c.md", True, 4)
    ]
    with pytest.raises(InputError, match="no such file"):
        list(walk(["memory://nowhere"], match=bool))


def test_the_bounded_reader_reads_urls_within_the_limit(memory: Any) -> None:
    memory.pipe_file("/r/small.txt", b"12345")
    memory.pipe_file("/r/big.txt", b"x" * 100)
    assert read_url("memory://r/small.txt", 10) == (b"12345", 5)
    # Over the limit: never fetched, its size known.
    assert read_url("memory://r/big.txt", 10) == (b"", 100)
    # A size the listing gave is believed; a wrong one still reads at most limit + 1 bytes.
    assert read_url("memory://r/big.txt", 10, size=5) == (b"x" * 11, 5)
    fetched = read_urls([("memory://r/small.txt", None), ("memory://r/none.txt", None)], 10)
    assert fetched[0].unwrap() == (b"12345", 5)
    assert isinstance(fetched[1].error, FileNotFoundError)
    with pytest.raises(IsADirectoryError):
        read_url("memory://r", 10)


def test_validate_a_url_gives_the_local_findings(memory: Any, cli: Cli) -> None:
    upload(memory, SEEDS, "/seeds")
    local = cli("validate", SEEDS)
    remote = cli("validate", "memory://seeds")
    assert remote.exit_code == local.exit_code == 1
    assert remote.stdout == local.stdout.replace(str(SEEDS), "memory://seeds")


def test_without_fsspec_a_url_is_a_one_line_usage_error(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)
    monkeypatch.setitem(sys.modules, "fsspec.core", None)
    result = cli("validate", "s3://bucket/archive/")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "archive: error: s3://bucket/archive/: reading URLs needs fsspec: "
        "pip install 'archivekit[cloud]'"
    ]
    assert result.stdout == ""


def upload(fs: Any, folder: Path, root: str) -> None:
    """Every file under ``folder`` put at ``root`` in ``fs`` (same relative names), at once."""
    fs.pipe(
        {
            f"{root}/{path.relative_to(folder).as_posix()}": path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
    )


# A real S3 endpoint: moto's server, started on 127.0.0.1 by the ``s3`` fixture.


@pytest.fixture(scope="module")
def bucket(s3: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A local folder of 200 records, 3 broken files, a .gz, a tar.gz and a JSON Lines
    file, and the same uploaded to ``s3://archive-test/prefix/``."""
    import s3fs

    folder = tmp_path_factory.mktemp("bucket")
    write_batch(folder / "batch", 200)
    make_batch(folder / "broken")
    (folder / "broken" / "over.txt").write_bytes(b"x" * 5000)
    (folder / "packed").mkdir()
    (folder / "packed" / "one.txt.gz").write_bytes(gzip.compress(SEED.read_bytes()))
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w:gz") as archive:
        for name in ("in/a.txt", "in/b.txt"):
            info = tarfile.TarInfo(name)
            info.size = len(SEED.read_bytes())
            archive.addfile(info, io.BytesIO(SEED.read_bytes()))
    (folder / "packed" / "two.tar.gz").write_bytes(tar.getvalue())
    fs = s3fs.S3FileSystem(**s3)
    fs.mkdir("archive-test", region_name="eu-west-1")
    upload(fs, folder, "archive-test/prefix")
    return folder, "s3://archive-test/prefix"


def test_validate_s3_gives_the_local_results(
    bucket: tuple[Path, str], s3: dict[str, Any], cli: Cli
) -> None:
    folder, url = bucket
    local = cli("validate", folder, "--glob", "*.txt*", "--format", "json")
    remote = cli("validate", f"{url}/", "--glob", "*.txt*", "--format", "json", *s3_args(s3))
    assert remote.exit_code == local.exit_code == 1, remote.output
    got = json.loads(remote.stdout)
    assert got == json.loads(local.stdout.replace(str(folder), url))
    assert got["totals"]["files"] == 205
    # The bounded reader's limit holds on objects: the big one is not fetched.
    limited = cli("--max-bytes", "4000", "validate", f"{url}/broken/over.txt", *s3_args(s3))
    assert "file-too-large" in limited.stdout
    assert "the file is 4.9 KiB (" in limited.stdout
    assert "over the limit of 3.9 KiB (4,000 bytes)" in limited.stdout


def test_convert_s3_gives_the_local_bytes(
    bucket: tuple[Path, str], s3: dict[str, Any], cli: Cli, tmp_path: Path
) -> None:
    folder, url = bucket
    parts = ("batch", "packed", "packed/two.tar.gz")  # a .gz in a folder, a tar by name
    local = cli("convert", *(folder / part for part in parts), "--to", "jsonl", "-o", "-")
    remote = cli(
        "convert", *(f"{url}/{part}" for part in parts), "--to", "jsonl", "-o", "-", *s3_args(s3)
    )
    assert local.exit_code == remote.exit_code == 0, remote.output
    assert remote.stdout_bytes == local.stdout_bytes
    assert len(remote.stdout_bytes.splitlines()) == 203
    # And back: JSON Lines on the store is streamed, record by record.
    import s3fs

    s3fs.S3FileSystem(**s3).pipe_file("archive-test/out/all.jsonl", local.stdout_bytes)
    (tmp_path / "all.jsonl").write_bytes(local.stdout_bytes)
    back = cli("validate", "s3://archive-test/out/all.jsonl", *s3_args(s3))
    here = cli("validate", tmp_path / "all.jsonl")
    assert back.exit_code == here.exit_code == 0, back.output
    assert back.stdout == here.stdout.replace(str(tmp_path), "s3://archive-test/out")
    assert back.stdout.endswith("1 file (203 records), 0 errors, 5 warnings\n")


def test_stats_s3_gives_the_local_figures(
    bucket: tuple[Path, str], s3: dict[str, Any], cli: Cli
) -> None:
    folder, url = bucket
    local = cli("stats", folder / "batch", "--format", "json")
    remote = cli("stats", f"{url}/batch", "--format", "json", *s3_args(s3))
    assert remote.exit_code == local.exit_code == 0, remote.output
    got, expected = json.loads(remote.stdout), json.loads(local.stdout)
    assert got.pop("inputs") == [f"{url}/batch"]
    expected.pop("inputs")
    assert got == expected
    assert got["records"] > 100


def test_a_prefix_without_txt_is_read_for_every_format(
    bucket: tuple[Path, str], s3: dict[str, Any], cli: Cli
) -> None:
    # As a folder on disk: a prefix holding no *.txt is walked again for every format,
    # and one holding no record at all is a failure, not an empty success.
    import s3fs

    folder, _ = bucket
    jsonl = cli("convert", folder / "batch", "--to", "jsonl").stdout_bytes
    fs = s3fs.S3FileSystem(**s3)
    fs.pipe({"archive-test/lines/all.jsonl": jsonl, "archive-test/notes/README.rst": b"x"})
    url = "s3://archive-test/lines/"
    expected = len(jsonl.splitlines())
    stats = cli("stats", url, "-f", "json", *s3_args(s3))
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["records"] == expected
    assert "no *.txt archive files: reading every known format" in stats.stderr
    validated = cli("validate", url, *s3_args(s3))
    assert f"1 file ({expected} records)" in validated.stdout, validated.output
    converted = cli("convert", url, "--to", "jsonl", *s3_args(s3))
    assert converted.stdout_bytes == jsonl
    notes = "s3://archive-test/notes/"
    assert cli("validate", notes, *s3_args(s3)).exit_code == 2
    assert cli("stats", notes, *s3_args(s3)).exit_code == 1
    assert cli("convert", notes, "--to", "jsonl", *s3_args(s3)).exit_code == 1


def test_s3_errors_are_clear(s3: dict[str, Any], cli: Cli) -> None:
    missing = cli("validate", "s3://archive-test/nothing-here/", *s3_args(s3))
    assert missing.exit_code == 2
    assert "s3://archive-test/nothing-here/: no such file or directory" in missing.stderr
    with pytest.raises(InputError, match="no-such-bucket-x/: no such file"):
        Validation(["s3://no-such-bucket-x/"], storage_options=s3)
    wrong = cli("validate", "s3://archive-test/", "--storage-option", "oops")
    assert wrong.exit_code == 2
    assert wrong.stderr == "archive: error: --storage-option 'oops': give KEY=VALUE\n"


def test_what_object_storage_does_not_take_is_a_clear_usage_error(cli: Cli) -> None:
    fmt = cli("fmt", "--check", "s3://bucket/archive/")
    assert fmt.exit_code == 2
    assert "archive fmt rewrites local files only" in fmt.stderr
    jsonl = cli("convert", SEEDS / "valid", "--to", "jsonl", "-o", "memory://out/all.jsonl")
    assert jsonl.exit_code == 2
    assert "object storage takes Parquet datasets (--to parquet)" in jsonl.stderr


def test_file_urls_read_as_the_paths_they_name(cli: Cli, tmp_path: Path) -> None:
    local = cli("validate", SEEDS / "valid")
    url = f"file://{SEEDS / 'valid'}"
    remote = cli("validate", url)
    assert remote.exit_code == local.exit_code == 0
    assert remote.stdout == local.stdout.replace(str(SEEDS / "valid"), url)
    globbed = cli("validate", f"{url}/*.txt")
    assert globbed.stdout.endswith("10 files, 0 errors, 9 warnings\n")
