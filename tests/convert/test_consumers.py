"""The real consumers read what convert writes: jq (JSON Lines), DuckDB and Miller (CSV), Hugo (md).

Each test skips when its tool is absent; .ci/run installs them (see docs/formats.md).
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from archivekit.formats.base import record_values
from archivekit.record.model import Record
from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes
from tests.conftest import SEED
from tests.support import Cli, write_batch

# Headlines and keywords a YAML reader could take for something else if not quoted right.
_TRICKY = [
    "null",
    "true",
    "123",
    "2011-08-25",
    "- dash",
    "a: b",
    "# hash",
    "'single'",
    '"double"',
    "back\\slash",
    "[list]",
    "{map}",
    "line\u2028sep",
    "tab\tbed",
    "&anchor",
    "*alias",
    "!tag",
    "% percent",
    "@at",
    "`tick`",
    "|",
    ">",
    "~",
    "emoji 🎉",
]


def _batch(tmp_path: Path, count: int = 300) -> list[Record]:
    seed = parse(SEED.read_bytes()).record
    assert seed is not None
    for number, text in enumerate(_TRICKY):
        tricky = seed.model_copy(
            update={
                "url": f"http://a.com/tricky{number}",
                "headline": text,
                "keywords": (text, "x"),
            }
        )
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / f"tricky{number:02d}.txt").write_bytes(dump_bytes(tricky))
    write_batch(tmp_path / "in", count)
    paths = sorted(tmp_path.glob("in/**/*.txt"), key=lambda p: p.as_posix())
    found = [parse(p.read_bytes()).record for p in paths]
    return [r for r in found if r is not None]


def _csv_row(record: Record) -> dict[str, str]:
    values = record_values(record)
    values["keywords"] = ",".join(record.keywords)
    return {key: str(value) for key, value in values.items()}


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_jq_reads_every_json_lines_record(cli: Cli, tmp_path: Path) -> None:
    records = _batch(tmp_path)
    out = tmp_path / "all.jsonl"
    assert cli("convert", tmp_path / "in", "--to", "jsonl", "-o", out).exit_code == 0
    compact = subprocess.run(
        ["jq", "-c", "."], input=out.read_bytes(), capture_output=True, check=True
    ).stdout
    assert [orjson.loads(line) for line in compact.splitlines()] == [
        record_values(r) for r in records
    ]
    headlines = subprocess.run(
        ["jq", "-j", '.headline + "\\u0000"'],
        input=out.read_bytes(),
        capture_output=True,
        check=True,
    ).stdout
    assert headlines.decode().split("\0")[:-1] == [r.headline for r in records]


def test_duckdb_reads_the_csv_back_to_the_same_records(cli: Cli, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    records = _batch(tmp_path)
    out = tmp_path / "all.csv"
    assert cli("convert", tmp_path / "in", "--to", "csv", "-o", out).exit_code == 0
    # An empty keyword list is an empty cell, which DuckDB reads as NULL.
    relation = duckdb.sql(
        "SELECT * REPLACE (coalesce(keywords, '') AS keywords) FROM "
        f"read_csv('{out}', header=true, all_varchar=true)"
    )
    assert relation.columns == ["url", "headline", "keywords", "date", "word_count", "body"]
    rows = [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    assert rows == [_csv_row(r) for r in records]


@pytest.mark.skipif(shutil.which("mlr") is None, reason="Miller (mlr) is not installed")
def test_miller_reads_the_csv_back_to_the_same_records(cli: Cli, tmp_path: Path) -> None:
    records = _batch(tmp_path)
    out = tmp_path / "all.csv"
    assert cli("convert", tmp_path / "in", "--to", "csv", "-o", out).exit_code == 0
    # -S: every field as a string (Miller would otherwise infer numbers).
    lines = subprocess.run(
        ["mlr", "-S", "--icsv", "--ojsonl", "cat", str(out)], capture_output=True, check=True
    ).stdout.splitlines()
    rows = [{k: str(v) for k, v in orjson.loads(line).items()} for line in lines]
    assert rows == [_csv_row(r) for r in records]


_SINGLE = (
    '{{ .Title | base64Encode | safeHTML }}|{{ .Date.Format "2006-01-02" }}|'
    "{{ .Params.source_url | base64Encode | safeHTML }}|{{ .Params.word_count }}|"
    '{{ delimit .Params.tags "\\u001f" | base64Encode | safeHTML }}'
)


@pytest.mark.skipif(shutil.which("hugo") is None, reason="Hugo is not installed")
def test_hugo_builds_a_site_with_the_right_titles_and_dates(cli: Cli, tmp_path: Path) -> None:
    records = _batch(tmp_path, 120)
    site = tmp_path / "site"
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(
        'baseURL = "http://example.invalid/"\n'
        'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n'
    )
    (site / "layouts" / "_default" / "single.html").write_text(_SINGLE)
    (site / "layouts" / "_default" / "list.html").write_text("list")
    jsonl = cli("convert", tmp_path / "in", "--to", "jsonl").stdout_bytes
    posts = site / "content" / "posts"
    result = cli(
        "convert", "-", "--from", "jsonl", "--to", "md", "-d", posts, "--paragraphs", input=jsonl
    )
    assert result.exit_code == 0, result.stderr
    names = sorted(p.stem for p in posts.glob("*.md"))
    assert len(names) == len(records)
    subprocess.run(
        ["hugo", "--quiet", "--buildFuture", "-s", str(site), "-d", "public"],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    pages = {}
    for name in names:
        page = (site / "public" / "posts" / name / "index.html").read_text().strip()
        title, date, url, word_count, tags = page.split("|")
        pages[base64.b64decode(url).decode()] = (
            base64.b64decode(title).decode(),
            date,
            int(word_count),
            tuple(t for t in base64.b64decode(tags).decode().split("\x1f") if t),
        )
    assert pages == {r.url: (r.headline, str(r.date), r.word_count, r.keywords) for r in records}
