"""Dask: read_archive, validate_archive and --scheduler on a real 2-process LocalCluster."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed", reason="distributed (archivekit[dask]) is not installed")
pytest.importorskip("pyarrow", reason="pyarrow (archivekit[parquet]) is not installed")

import pyarrow as pa
import pyarrow.parquet as pq

from archivekit.dask import read_archive, validate_archive
from tests.conftest import SEEDS
from tests.support import Cli, make_batch, s3_args, write_batch


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A real Dask cluster for this module: 2 worker processes on 127.0.0.1; its address."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        # A free port, never 8787: None still means 8787 to the scheduler, and another
        # cluster on the machine made that a warning, an error under -W error.
        dashboard_address="127.0.0.1:0",
    ) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def client(cluster: str) -> Iterator[Any]:
    """A client of the module's cluster, the default for ``.compute()`` while it lives."""
    from distributed import Client

    with Client(cluster) as connected:
        yield connected


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 generated records in ``batch/``, and broken files (the seeds') in ``broken/``."""
    root = tmp_path_factory.mktemp("archive")
    write_batch(root / "batch", 2000)
    make_batch(root / "broken")
    shutil.copytree(SEEDS / "invalid", root / "broken" / "invalid")
    return root


def test_read_archive_equals_convert_to_jsonl(
    archive: Path, client: Any, cli: Cli, tmp_path: Path
) -> None:
    frame = read_archive(str(archive / "batch"), files_per_partition=500)
    assert frame.npartitions == 4
    # Arrow-backed: dates stay dates, keywords lists of strings.
    assert str(frame.dtypes["date"]) == "date32[day][pyarrow]"
    assert str(frame.dtypes["keywords"]) == "list<item: string>[pyarrow]"
    rows = frame.compute()
    converted = cli("convert", archive / "batch", "--to", "jsonl", "-o", tmp_path / "all.jsonl")
    assert converted.exit_code == 0, converted.output
    want = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    got = [
        {**row, "date": row["date"].isoformat(), "keywords": list(row["keywords"])}
        for row in rows.drop(columns="source").to_dict("records")
    ]
    assert len(got) == 2000
    assert got == want
    # And on to Parquet, the types intact.
    frame.to_parquet(str(tmp_path / "out"), write_index=False)
    table = pq.read_table(tmp_path / "out")
    assert table.schema.field("date").type == pa.date32()
    assert table.num_rows == 2000


def test_validate_archive_finds_the_cli_findings(archive: Path, client: Any, cli: Cli) -> None:
    frame = validate_archive(str(archive / "broken"), files_per_partition=3)
    got = [tuple(row) for row in frame.compute().itertuples(index=False)]
    report = cli("validate", archive / "broken", "--format", "json")
    want = [
        (f["path"], f["line"], f["column"], f["severity"], f["code"], f["message"])
        for f in json.loads(report.stdout)["findings"]
    ]
    assert len(want) >= 15
    assert got == want
    assert read_archive(str(archive / "broken")).compute()["source"].tolist() == [
        str(archive / "broken" / "good.txt"),
        str(archive / "broken" / "warn.txt"),
    ]


def test_scheduler_runs_give_identical_outputs(
    archive: Path, cluster: str, cli: Cli, tmp_path: Path
) -> None:
    runs: list[list[str | Path]] = [
        ["validate", archive],
        ["validate", archive / "batch", "--format", "sarif"],
        ["convert", archive, "--to", "jsonl", "--skip-invalid"],
        ["convert", archive, "--to", "csv"],
    ]
    for args in runs:
        local = cli(*args)
        remote = cli(*args, "--scheduler", cluster)
        assert (remote.exit_code, remote.stdout_bytes, remote.stderr) == (
            local.exit_code,
            local.stdout_bytes,
            local.stderr,
        ), args
    # DASK_SCHEDULER_ADDRESS does what --scheduler does; Parquet written byte for byte.
    local = cli("convert", archive / "batch", "--to", "parquet", "-o", tmp_path / "a.parquet")
    remote = cli(
        "convert",
        archive / "batch",
        "--to",
        "parquet",
        "-o",
        tmp_path / "b.parquet",
        env={"DASK_SCHEDULER_ADDRESS": cluster},
    )
    assert local.exit_code == remote.exit_code == 0, remote.output
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_read_archive_over_s3_gives_the_local_records(
    s3: dict[str, Any], client: Any, cluster: str, cli: Cli, tmp_path: Path
) -> None:
    import s3fs

    write_batch(tmp_path / "local", 100, seed=5)
    fs = s3fs.S3FileSystem(**s3)
    fs.mkdir("dask-test", region_name="eu-west-1")
    fs.pipe(
        {
            f"dask-test/in/{p.relative_to(tmp_path / 'local').as_posix()}": p.read_bytes()
            for p in sorted((tmp_path / "local").rglob("*.txt"))
        }
    )
    remote = read_archive("s3://dask-test/in/", storage_options=s3, files_per_partition=64)
    here = read_archive(str(tmp_path / "local"), files_per_partition=64)
    got, want = remote.compute(), here.compute()
    assert got.drop(columns="source").equals(want.drop(columns="source"))
    assert got["source"].tolist()[0] == "s3://dask-test/in/part0/00000.txt"
    findings = validate_archive("s3://dask-test/in/", storage_options=s3).compute()
    assert set(findings["code"]) <= {"body-multiline"}
    # The workers fetch the objects themselves under --scheduler: the local report still.
    report = cli("validate", "s3://dask-test/in", "--scheduler", cluster, *s3_args(s3))
    here_report = cli("validate", tmp_path / "local")
    assert report.exit_code == here_report.exit_code == 0, report.output
    folder = str(tmp_path / "local")
    assert report.stdout == here_report.stdout.replace(folder, "s3://dask-test/in")


def test_convert_writes_partitioned_parquet_to_the_store_from_the_workers(
    s3: dict[str, Any], cluster: str, archive: Path, cli: Cli
) -> None:
    import duckdb
    import s3fs

    fs = s3fs.S3FileSystem(**s3)
    fs.mkdir("dask-out", region_name="eu-west-1")
    url = "s3://dask-out/records"
    args = ["--to", "parquet", "--partition-by", "year", "-o", url, "--scheduler", cluster]
    # A batch with invalid records writes nothing (exit 1), reporting them as a local run does.
    broken = cli("convert", archive / "broken", *args, *s3_args(s3))
    local = cli("convert", archive / "broken", "--to", "jsonl", "-o", "-")
    assert broken.exit_code == local.exit_code == 1, broken.output
    assert broken.stderr.replace(url, "<stdout>") == local.stderr
    assert not fs.exists("dask-out/records")
    done = cli("convert", archive / "batch", *args, *s3_args(s3))
    assert done.exit_code == 0, done.output
    assert done.stderr.endswith(f"2000 records, 0 invalid, 88 warnings: wrote {url}\n")
    years = sorted(p.rpartition("/")[2] for p in fs.ls("dask-out/records"))
    assert years[0] == "year=1995"
    assert len(years) > 20
    # Read back by pyarrow from the store, and by DuckDB from a local copy.
    import pyarrow.dataset as ds

    dataset = ds.dataset("dask-out/records", filesystem=fs, partitioning="hive")
    table = dataset.to_table()
    assert table.num_rows == 2000
    assert table.schema.field("date").type == pa.date32()
    again = cli("convert", archive / "batch", *args, *s3_args(s3))
    assert again.exit_code == 2
    assert "exists; give --force" in again.stderr
    local_copy = Path(str(archive.parent / "copy"))
    fs.get("dask-out/records", str(local_copy), recursive=True)
    relation = duckdb.sql(
        f"select count(*), min(year) from read_parquet('{local_copy}/**/*.parquet', "
        "hive_partitioning = true)"
    )
    assert relation is not None
    assert relation.fetchall() == [(2000, 1995)]
