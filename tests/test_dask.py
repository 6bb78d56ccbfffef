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
from tests.support import Cli, make_batch, write_batch


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A real Dask cluster for this module: 2 worker processes on 127.0.0.1; its address."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
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


def test_read_archive_over_s3_and_partitioned_parquet_back(
    s3: dict[str, Any], client: Any, tmp_path: Path
) -> None:
    import s3fs

    write_batch(tmp_path / "local", 200, seed=5)
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
