"""SQLite with full-text search: round trips, FTS5, ``archive search`` and a real Datasette."""

from __future__ import annotations

import io
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import orjson
import pytest

from archivekit.formats import FORMAT_BY_NAME, FormatOptions
from tests.support import Cli, read_all, write_batch

SQLITE = FORMAT_BY_NAME["sqlite"]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A JSON Lines batch of 150 records and the SQLite file convert made of it."""
    from typer.testing import CliRunner

    from archivekit.cli.app import app

    folder = tmp_path_factory.mktemp("sqlite")
    write_batch(folder / "in", 150)
    jsonl, db = folder / "a.jsonl", folder / "a.db"
    runner = CliRunner()
    for target, path in (("jsonl", jsonl), ("sqlite", db)):
        source = folder / "in" if target == "jsonl" else jsonl
        result = runner.invoke(app, ["convert", str(source), "--to", target, "-o", str(path)])
        assert result.exit_code == 0, result.output
    return jsonl, db


def test_round_trip_is_byte_identical(cli: Cli, database: tuple[Path, Path]) -> None:
    jsonl, db = database
    out = db.parent / "back.jsonl"
    result = cli("convert", db, "--to", "jsonl", "-o", out, "--force")
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == jsonl.read_bytes()


def test_tables_as_sqlite_utils_makes_them(database: tuple[Path, Path]) -> None:
    jsonl, db = database
    first = orjson.loads(jsonl.read_bytes().splitlines()[0])
    with sqlite3.connect(db) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(records)")]
        assert columns == ["id", "url", "headline", "keywords", "date", "word_count", "body"]
        row = connection.execute("SELECT keywords, date, word_count FROM records WHERE id = 1")
        keywords, date, word_count = row.fetchone()
        assert orjson.loads(keywords) == first["keywords"]
        assert (date, word_count) == (first["date"], first["word_count"])
        word = max(first["body"].replace(".", " ").split(), key=len)
        found = connection.execute(
            "SELECT rowid FROM records_fts WHERE records_fts MATCH ?", (f'"{word}"',)
        ).fetchall()
        assert (1,) in found


def test_archive_search_text_and_json(cli: Cli, database: tuple[Path, Path]) -> None:
    _, db = database
    result = cli("search", db, "Calderón", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1. Story ")
    assert "[Calderón]" in result.stdout
    result = cli("search", db, "Calderón", "-n", "2", "--format", "json")
    matches = orjson.loads(result.stdout)
    assert len(matches) == 2
    assert set(matches[0]) == {"id", "url", "headline", "date", "snippet", "rank"}
    assert cli("search", db, "zzzznothing").exit_code == 1
    bad = cli("search", db, '"unclosed')
    assert bad.exit_code == 2
    assert "bad search query" in bad.stderr


@pytest.mark.hostile
def test_a_row_matching_the_query_everywhere_is_searched_at_once(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's snippet() is quadratic in a row's matches: 80,000 of them took 39 s."""
    from archivekit import search

    # A low limit: the long row takes the excerpt, and counting calls proves it.
    monkeypatch.setattr(search, "SNIPPET_LIMIT", 5_000)
    folder = tmp_path / "in"
    folder.mkdir()
    head = "\nk\nAug. 25, 2011\n3\n"
    (folder / "a.txt").write_text("http://e.com/a\nLong" + head + " ".join(["word"] * 20_000))
    (folder / "b.txt").write_text("http://e.com/b\nShort" + head + "Before the word, after.")
    db = tmp_path / "h.db"
    assert cli("convert", folder, "--to", "sqlite", "-o", db).exit_code == 0
    found = {m.headline: m.snippet for m in search.search(str(db), "word", limit=5)}
    mark = f"{search.MARK_START}word{search.MARK_END}"
    # The short row: SQLite's snippet; the long one: the excerpt, marked the same way.
    assert found["Short"] == f"Before the {mark}, after."
    assert found["Long"].startswith(f"{mark} word word")
    assert found["Long"].endswith("…")


def test_search_refuses_other_files(cli: Cli, database: tuple[Path, Path]) -> None:
    jsonl, db = database
    assert cli("search", jsonl, "x").exit_code == 2
    assert cli("search", db.parent / "missing.db", "x").exit_code == 2


def test_search_tells_a_damaged_database_and_a_fifo_from_a_bad_query(
    cli: Cli, database: tuple[Path, Path], tmp_path: Path
) -> None:
    _, db = database
    data = db.read_bytes()
    damaged = tmp_path / "damaged.db"
    # The first page (the schema) kept, every other page overwritten.
    damaged.write_bytes(data[:4096] + b"Z" * (len(data) - 4096))
    result = cli("search", damaged, "the")
    assert result.exit_code == 2
    assert f"{damaged}: the database is damaged or unreadable" in result.stderr
    assert "bad search query" not in result.stderr
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    result = cli("search", fifo, "x")
    assert result.exit_code == 2
    assert f"{fifo}: not a regular file" in result.stderr
    missing = cli("search", tmp_path / "missing.db", "x")
    assert "no such file" in missing.stderr


def test_a_database_damaged_mid_way_fails_convert_even_with_skip_invalid(
    cli: Cli, database: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, db = database
    # Rows are fetched in batches: small ones, so that 150 rows make several.
    monkeypatch.setattr("archivekit.formats.sqlite.BATCH", 10)
    with sqlite3.connect(db) as connection:
        (url,) = connection.execute("SELECT url FROM records WHERE id = 100").fetchone()
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    data = bytearray(db.read_bytes())
    # The table leaf page (type 0x0D) that holds row 100: zeroed, rows before it intact.
    at = data.find(url.encode())
    while data[at // page_size * page_size] != 0x0D:
        at = data.find(url.encode(), at + 1)
    start = at // page_size * page_size
    data[start : start + page_size] = b"Z" * page_size
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    result = cli(
        "convert", damaged, "--to", "jsonl", "-o", tmp_path / "out.jsonl", "--skip-invalid"
    )
    assert result.exit_code == 1, result.output
    assert "error[read-error] the database is damaged: reading stopped at row " in result.stderr
    assert "the rest of the file was not read" in result.stderr
    assert "(skipped; 1 file not read to the end)" in result.stderr
    read = len((tmp_path / "out.jsonl").read_bytes().splitlines())
    assert 0 < read < 100


def test_sqlite_needs_a_file(cli: Cli, database: tuple[Path, Path]) -> None:
    jsonl, _ = database
    result = cli("convert", jsonl, "--to", "sqlite")
    assert result.exit_code == 2
    assert "-o FILE" in result.stderr


def test_a_database_from_standard_input_and_a_foreign_one() -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE other (x)")
    assert connection is not None
    garbage = list(SQLITE.read(io.BytesIO(b"not sqlite at all" * 100), "x.db", FormatOptions()))
    assert [r.diagnostics[0].code for r in garbage] == ["read-error"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_datasette_searches_the_file(database: tuple[Path, Path]) -> None:
    pytest.importorskip("datasette")
    _, db = database
    port = _free_port()
    command = [sys.executable, "-m", "datasette", "serve", str(db), "-h", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    url = f"http://127.0.0.1:{port}/{db.stem}/records.json?_search=Calder%C3%B3n&_shape=array"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    rows = orjson.loads(response.read())
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read() if process.stderr else "") from None
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()
    assert rows
    # FTS5's default tokenizer folds accents: "Calderon  Felipe" (a keyword) matches too.
    assert all("Calder" in r["body"] + r["headline"] + r["keywords"] for r in rows)
    assert {"id", "url", "headline", "keywords", "date", "word_count", "body"} <= set(rows[0])


def test_sqlite_rows_from_workers(tmp_path: Path, cli: Cli) -> None:
    # Over the pool threshold: the workers render rows for the SQLite writer.
    write_batch(tmp_path / "in", 300)
    db = tmp_path / "a.db"
    assert cli("convert", tmp_path / "in", "--to", "sqlite", "-o", db, "-j", "2").exit_code == 0
    jsonl = tmp_path / "a.jsonl"
    assert cli("convert", tmp_path / "in", "--to", "jsonl", "-o", jsonl).exit_code == 0
    back = read_all(FORMAT_BY_NAME["jsonl"], jsonl.read_bytes(), FormatOptions())
    assert read_all(SQLITE, db.read_bytes(), FormatOptions()) == back
