"""The cache of unchanged files: results with it are the results without it, whatever changed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivekit.cache import FOLDER, MIN_FILES, Cache
from archivekit.record.write import dump_bytes
from archivekit.sources.reading import POOL_THRESHOLD
from archivekit.validate import Validation
from bench.generate import make_record
from tests.support import Cli, write_batch

#: Every file gets an mtime of its own, an hour back: old enough to be cached
#: (files modified in the last seconds are not), and never the same twice.
_PAST = time.time_ns() - 3600 * 10**9
_tick = [0]

_CONTENTS = [
    *(dump_bytes(make_record(n)) for n in range(4)),
    dump_bytes(make_record(0)).replace(b"\n", b"\r\n"),  # a warning
    b"not a record",  # errors
    dump_bytes(make_record(1)) + b"\n",  # same URL as another: duplicate-url
    b"",
]


@pytest.fixture(autouse=True)
def _small_batches_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cache is opened for batches of MIN_FILES files or more: here, for any.
    monkeypatch.setattr("archivekit.cache.MIN_FILES", 0)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    _tick[0] += 1
    stamp = _PAST + _tick[0] * 1000
    os.utime(path, ns=(stamp, stamp))


def _entries(written: Path) -> dict[str, str]:
    """The entries of a cache file: its lines after the header, each ``[path, value]``."""
    header, *lines = written.read_bytes().splitlines()
    assert orjson.loads(header)["key"]
    return dict(orjson.loads(line) for line in lines)


def _results(folder: Path, cache: Path | None, **options: Any) -> list[object]:
    run = Validation(
        [str(folder)], cache=cache is not None, cache_dir=str(cache) if cache else None, **options
    )
    found = [(r.path, r.index, r.line, r.diagnostics) for r in run]
    return [found, run.totals]


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["edit", "rename", "delete", "run"]),
        st.integers(0, 5),
        st.integers(0, 5),
        st.integers(0, len(_CONTENTS) - 1),
    ),
    max_size=12,
)


@pytest.mark.property
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    # Each example runs a few validations: a sixth of the profile's (thorough: 833).
    max_examples=max(30, (settings.default or settings()).max_examples // 6),
)
@given(_OPS)
def test_results_with_the_cache_are_the_results_without(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int, int, int]]
) -> None:
    base = tmp_path_factory.mktemp("cached")
    folder, cache = base / "records", base / "cache"
    for number in range(4):
        _write(folder / f"f{number}.txt", _CONTENTS[number % len(_CONTENTS)])
    for op, a, b, content in [*ops, ("run", 0, 0, 0)]:
        source, target = folder / f"f{a}.txt", folder / "sub" / f"f{b}.txt"
        if op == "edit":
            _write(source, _CONTENTS[content])
        elif op == "rename" and source.exists():
            target.parent.mkdir(exist_ok=True)
            source.rename(target)
        elif op == "delete" and source.exists():
            source.unlink()
        # Both with the cache (read, then written) and without, after every change.
        assert _results(folder, cache) == _results(folder, None)


def test_an_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    _write(path, b"not a record")
    before = _results(tmp_path, tmp_path / "c")
    # Same size, same mtime and inode: the cache answers (what --no-cache would read differs).
    path.write_bytes(b"NOT A RECORD")
    os.utime(path, ns=(_PAST, _PAST))
    _write(path, b"NOT A RECORD")  # a new mtime: read again
    assert _results(tmp_path, tmp_path / "c") == _results(tmp_path, None) != before
    stat = path.stat()
    path.write_bytes(b"not a record")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _results(tmp_path, tmp_path / "c") != _results(tmp_path, None)


def test_a_large_batch_over_workers(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    paths = write_batch(folder, POOL_THRESHOLD + 50)
    for path in paths:
        os.utime(path, ns=(_PAST, _PAST))
    cache = tmp_path / "cache"
    cold = _results(folder, cache, jobs=2)
    for path in paths[10:20]:
        _write(path, b"not a record")
    paths[30].unlink()
    warm = _results(folder, cache, jobs=2)
    assert warm == _results(folder, None, jobs=2) != cold
    assert _results(folder, cache, jobs=2) == warm  # every file from the cache: no worker


def test_other_settings_use_another_cache(tmp_path: Path) -> None:
    data = dump_bytes(make_record(0))
    _write(tmp_path / "in" / "a.txt", data.replace(b"\n1", b"\n9", 1))
    plain = _results(tmp_path / "in", tmp_path / "c")
    options = {"enable": ["word-count-mismatch"], "word_count_tolerance": 0.0}
    enabled = _results(tmp_path / "in", tmp_path / "c", **options)
    assert enabled == _results(tmp_path / "in", None, **options)
    assert plain == _results(tmp_path / "in", tmp_path / "c")
    assert len(list((tmp_path / "c").glob("validate-*.jsonl"))) == 2


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{",
        b"\x00\xff garbage",
        b"[1, 2, 3]",
        b'{"archivekit": "0.0.0", "key": "x", "files": {}}',
        b"truncate",
    ],
)
def test_a_damaged_or_foreign_cache_is_ignored_and_rewritten(tmp_path: Path, damage: bytes) -> None:
    _write(tmp_path / "in" / "a.txt", _CONTENTS[0])
    _write(tmp_path / "in" / "b.txt", b"not a record")
    expected = _results(tmp_path / "in", None)
    assert _results(tmp_path / "in", tmp_path / "c") == expected
    (written,) = (tmp_path / "c").glob("validate-*.jsonl")
    whole = written.read_bytes()
    written.write_bytes(whole[: len(whole) // 2] if damage == b"truncate" else damage)
    assert _results(tmp_path / "in", tmp_path / "c") == expected
    assert len(_entries(written)) == 2  # rewritten whole
    # Entries damaged inside a well-formed file are read again, too: cut short,
    # or not JSON at all.
    header, *lines = written.read_bytes().splitlines()
    damaged = [orjson.dumps([path, value[:-3]]) for path, value in map(orjson.loads, lines)]
    written.write_bytes(b"\n".join([header, *damaged, b"[1, 2", b"\xff"]) + b"\n")
    assert _results(tmp_path / "in", tmp_path / "c") == expected
    assert len(_entries(written)) == 2


def test_the_cache_folder_is_ignored_by_git(tmp_path: Path) -> None:
    _write(tmp_path / "in" / "a.txt", _CONTENTS[0])
    _results(tmp_path / "in", tmp_path / "c")
    assert (tmp_path / "c" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    _write(tmp_path / "in" / "a.txt", _CONTENTS[0])
    (tmp_path / "c").write_bytes(b"a file where the folder would be")
    assert _results(tmp_path / "in", tmp_path / "c") == _results(tmp_path / "in", None)


def test_cli_default_place_options_and_environment(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli
    _write(tmp_path / "in" / "a.txt", _CONTENTS[0])
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARCHIVEKIT_CACHE_DIR")
    assert run("validate", "in", "--no-cache").exit_code == 0
    assert not (tmp_path / FOLDER).exists()
    assert run("validate", "in").exit_code == 0
    assert (tmp_path / FOLDER / ".gitignore").exists()
    assert list((tmp_path / FOLDER).glob("validate-*.jsonl"))
    assert run("validate", "in", "--cache-dir", "elsewhere").exit_code == 0
    assert list((tmp_path / "elsewhere").glob("validate-*.jsonl"))
    result = run("validate", "in", env={"ARCHIVEKIT_CACHE_DIR": str(tmp_path / "env")})
    assert result.exit_code == 0
    assert list((tmp_path / "env").glob("validate-*.jsonl"))
    # The project root is the configuration file's folder.
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "archive.toml").write_text("[rules]\n")
    monkeypatch.chdir(tmp_path / "proj")
    assert run("validate", "../in").exit_code == 0
    assert (tmp_path / "proj" / FOLDER / ".gitignore").exists()


def test_concurrent_runs_never_corrupt_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for number in range(MIN_FILES + 10):
        _write(folder / f"{number}.txt", _CONTENTS[number % len(_CONTENTS)])
    env = {**os.environ, "ARCHIVEKIT_CACHE_DIR": str(tmp_path / "c")}
    archive = str(Path(sys.executable).parent / "archive")
    command = [archive, "validate", str(folder), "-q"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outputs = {run.communicate()[0] for run in runs}
    assert len(outputs) == 1
    assert {run.returncode for run in runs} == {1}
    (written,) = (tmp_path / "c").glob("validate-*.jsonl")
    assert len(_entries(written)) == MIN_FILES + 10
    again = subprocess.run(command, env=env, capture_output=True, check=False)
    assert {again.stdout} == outputs


def test_the_cache_key_names_the_settings(tmp_path: Path) -> None:
    one = Cache(str(tmp_path), "validate", ("a",))
    assert one.path != Cache(str(tmp_path), "validate", ("b",)).path
    assert one.path != Cache(str(tmp_path), "fmt", ("a",)).path
    assert one.get("/nowhere", "1 2 3 archive", "x") is None


def test_a_few_files_never_open_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("archivekit.cache.MIN_FILES", 3)
    for number in range(2):
        _write(tmp_path / "in" / f"{number}.txt", _CONTENTS[0])
    _results(tmp_path / "in", tmp_path / "c")
    assert not (tmp_path / "c").exists()
    _write(tmp_path / "in" / "2.txt", _CONTENTS[0])
    _results(tmp_path / "in", tmp_path / "c")
    assert (tmp_path / "c").exists()


def test_fmt_check_remembers_canonical_files_only(tmp_path: Path) -> None:
    from archivekit.reformat import reformat

    canonical, crlf = tmp_path / "in" / "a.txt", tmp_path / "in" / "b.txt"
    _write(canonical, _CONTENTS[0])
    _write(crlf, _CONTENTS[4])

    def check(cache: bool) -> list[tuple[str, str, bytes]]:
        runs = reformat([str(tmp_path / "in")], write=False, cache=cache, cache_dir=str(tmp_path))
        return [(o.path, o.status.value, o.after) for o in runs]

    assert check(True) == check(False)
    (written,) = tmp_path.glob("fmt-*.jsonl")
    assert list(_entries(written)) == [str(canonical)]
    assert check(True) == check(False)
    _write(canonical, _CONTENTS[5])  # now invalid: read again
    assert check(True) == check(False)
    assert [status for _, status, _ in check(True)] == ["invalid", "reformatted"]


def test_entries_of_deleted_files_are_dropped_others_kept(tmp_path: Path) -> None:
    for name in ("a", "b"):
        _write(tmp_path / "in" / name / "1.txt", _CONTENTS[0])
    _results(tmp_path / "in", tmp_path / "c")
    (tmp_path / "in" / "a" / "1.txt").unlink()
    _write(tmp_path / "in" / "b" / "2.txt", _CONTENTS[1])
    _results(tmp_path / "in" / "b", tmp_path / "c")  # part of the archive
    (written,) = (tmp_path / "c").glob("validate-*.jsonl")
    kept = sorted(_entries(written))
    assert kept == [str(tmp_path / "in" / "b" / name) for name in ("1.txt", "2.txt")]
