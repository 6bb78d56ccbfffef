"""convert --since/--until/--keyword/--domain/--dedupe/--sample select exactly what an
independent filter selects, in input order; the sample is the same for the same seed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import orjson
import pytest

from archivekit.record.model import Record
from tests.support import Cli, write_mixed

N = 400  # past the pool threshold: the filters run in the workers


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Record]]:
    folder = tmp_path_factory.mktemp("batch")
    return folder, [record for _, record in write_mixed(folder, N)]


def converted(cli: Cli, folder: Path, *options: str) -> list[tuple[str, str]]:
    result = cli("convert", folder, "--to", "jsonl", *options)
    assert result.exit_code == 0, result.stderr
    rows = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    return [(row["url"], row["date"]) for row in rows]


def day(record: Record) -> dt.date:
    """The record's date (every record of the batch has one)."""
    assert record.date is not None
    return record.date


def keys(records: list[Record]) -> list[tuple[str, str]]:
    return [(r.url, day(r).isoformat()) for r in records]


def same_article(url: str) -> tuple[str, str, str]:
    """An independent normalisation: what --dedupe documents, for the URLs of the batch."""
    parts = urlsplit(url)
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_"))
    host = (parts.hostname or "").removeprefix("www.")
    return host, parts.path.rstrip("/"), str(query)


CASES: dict[str, tuple[list[str], Callable[[Record], bool]]] = {
    "since": (["--since", "2005-06-01"], lambda r: day(r) >= dt.date(2005, 6, 1)),
    "until AP": (["--until", "March 3, 1999"], lambda r: day(r) <= dt.date(1999, 3, 3)),
    "years": (
        ["--since", "1995", "--until", "2000"],
        lambda r: dt.date(1995, 1, 1) <= day(r) <= dt.date(2000, 12, 31),
    ),
    "keyword": (["--keyword", "mexico"], lambda r: "Mexico" in r.keywords),
    "keywords any": (
        ["-k", "Music", "-k", "obama barack"],
        lambda r: "Music" in r.keywords or "Obama  Barack" in r.keywords,
    ),
    "keywords all": (
        ["-k", "Music", "-k", "Elections", "--all-keywords"],
        lambda r: {"Music", "Elections"} <= set(r.keywords),
    ),
    "domain": (
        ["--domain", "www.nytimes.com"],
        lambda r: (urlsplit(r.url).hostname or "").endswith("nytimes.com"),
    ),
    "domains": (
        ["--domain", "al.com", "--domain", "theatlantic.com"],
        lambda r: urlsplit(r.url).hostname in ("al.com", "www.theatlantic.com"),
    ),
    "all at once": (
        ["--since", "2000", "--domain", "nytimes.com", "-k", "Mexico"],
        lambda r: day(r).year >= 2000 and "nytimes.com" in r.url and "Mexico" in r.keywords,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_filters_select_what_an_independent_filter_selects(
    cli: Cli, batch: tuple[Path, list[Record]], name: str
) -> None:
    folder, records = batch
    options, keep = CASES[name]
    expected = keys([r for r in records if keep(r)])
    assert 0 < len(expected) < N
    assert converted(cli, folder, *options) == expected


def test_dedupe_keeps_the_first_of_each_normalised_url(
    cli: Cli, batch: tuple[Path, list[Record]]
) -> None:
    folder, records = batch
    seen: set[tuple[str, str, str]] = set()
    expected = []
    for record in records:
        if same_article(record.url) not in seen:
            seen.add(same_article(record.url))
            expected.append(record)
    assert len(expected) < N
    result = cli("convert", folder, "--to", "jsonl", "-o", folder.parent / "d.jsonl", "--dedupe")
    assert f"{len(expected)} selected ({N - len(expected)} duplicates dropped)" in result.stderr
    rows = [orjson.loads(line) for line in (folder.parent / "d.jsonl").read_bytes().splitlines()]
    assert [(r["url"], r["date"]) for r in rows] == keys(expected)


def test_sample_is_the_same_for_the_same_seed_and_in_input_order(
    cli: Cli, batch: tuple[Path, list[Record]]
) -> None:
    folder, records = batch
    first = converted(cli, folder, "--sample", "25", "--seed", "11")
    assert first == converted(cli, folder, "--sample", "25", "--seed", "11", "--jobs", "1")
    assert len(first) == 25
    order = {key: number for number, key in enumerate(keys(records))}
    assert [order[key] for key in first] == sorted(order[key] for key in first)
    assert first != converted(cli, folder, "--sample", "25", "--seed", "12")
    # After the filters and --dedupe, and never more than there are.
    mexico = converted(cli, folder, "-k", "Mexico", "--dedupe")
    sampled = converted(cli, folder, "-k", "Mexico", "--dedupe", "--sample", "10")
    assert set(sampled) <= set(mexico)
    assert len(sampled) == 10
    assert converted(cli, folder, "-k", "Mexico", "--sample", "100000") == converted(
        cli, folder, "-k", "Mexico"
    )


def test_one_record_outputs_are_selected_too(cli: Cli, batch: tuple[Path, list[Record]]) -> None:
    folder, records = batch
    out = folder.parent / "one-each"
    result = cli("convert", folder, "--to", "json", "--output-dir", out, "--domain", "al.com")
    assert result.exit_code == 0, result.stderr
    expected = [r for r in records if urlsplit(r.url).hostname == "al.com"]
    assert len(list(out.rglob("*.json"))) == len(expected)
    sample = folder.parent / "sample"
    cli("convert", folder, "--to", "md", "--output-dir", sample, "--sample", "7", "--seed", "1")
    assert len(list(sample.rglob("*.md"))) == 7


def test_invalid_records_still_stop_the_batch(cli: Cli, tmp_path: Path) -> None:
    write_mixed(tmp_path, 3)
    (tmp_path / "zz-bad.txt").write_bytes(b"http://a.com/x\nHeadline\nk\nAug. 32, 2011\n5\nBody.")
    result = cli("convert", tmp_path, "--to", "jsonl", "--since", "2100")
    assert result.exit_code == 1
    assert "date-invalid" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--since", "2015-13"], "not a year and month"),
        (["--since", "yesterday"], "not a date"),
        (["--since", "2016", "--until", "2015"], "is after --until"),
        (["--seed", "3"], "--seed goes with --sample"),
        (["--all-keywords"], "--all-keywords goes with --keyword"),
        (["--domain", "nytimes.com/world"], "give a host name"),
        (["--keyword", " "], "give a keyword"),
    ],
)
def test_bad_selection_options_are_usage_errors(
    cli: Cli, tmp_path: Path, options: list[str], message: str
) -> None:
    write_mixed(tmp_path, 1)
    commands: list[list[str | Path]] = [["convert", tmp_path, "--to", "jsonl"], ["stats", tmp_path]]
    for command in commands:
        result = cli(*command, *options)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
