"""The recipes of docs/scale.md, run as written: each where its engine is installed.

Ray and PySpark are not in the dev extra (hundreds of MB, a minute and more
of start-up): their tests skip, saying so, unless installed by hand. The
Hugging Face ``datasets`` recipe runs in CI.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.support import Cli, write_batch

pytest.importorskip("pyarrow", reason="pyarrow (archivekit[parquet]) is not installed")


def recipe(name: str) -> str:
    """The Python block after ``<!-- recipe: name -->`` in docs/scale.md."""
    text = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {name} -->\s*```python\n(.*?)```", text, re.S)
    assert match is not None, f"docs/scale.md has no {name} recipe"
    return match.group(1)


def run_recipe(name: str, **names: Any) -> dict[str, Any]:
    scope: dict[str, Any] = dict(names)
    exec(compile(recipe(name), f"docs/scale.md:{name}", "exec"), scope)
    return scope


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    write_batch(tmp_path / "archive", 60)
    return tmp_path / "archive"


def expected(cli: Cli, archive: Path, tmp_path: Path) -> list[dict[str, Any]]:
    out = tmp_path / "want.jsonl"
    assert cli("convert", archive, "--to", "jsonl", "-o", out).exit_code == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as JSON Lines holds them, sorted by URL (engines do not keep the order)."""
    fields = ("url", "headline", "keywords", "date", "word_count", "body")
    return sorted(
        (
            {
                **{key: row[key] for key in fields},
                "date": str(row["date"])[:10],
                "keywords": list(row["keywords"]),
            }
            for row in rows
        ),
        key=lambda row: row["url"],
    )


def test_hugging_face_datasets_loads_archivekit_parquet(
    archive: Path, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("datasets", reason="Hugging Face datasets is not installed")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    out = tmp_path / "out"
    out.mkdir()
    done = cli("convert", archive, "--to", "parquet", "-o", out / "records.parquet")
    assert done.exit_code == 0, done.output
    scope = run_recipe("datasets", OUT=str(out), CACHE=str(tmp_path / "hf"))
    dataset = scope["dataset"]
    assert plain(list(dataset)) == plain(expected(cli, archive, tmp_path))
    assert dataset.features["date"].dtype == "date32"


# Ray and PySpark warn about their own deprecated settings on import.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_ray_data_maps_parse_batch(archive: Path, cli: Cli, tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="Ray is not installed (not in the dev extra: too heavy)")
    scope = run_recipe("ray", ARCHIVE=str(archive), OUT=str(tmp_path / "ray-out"))
    import pyarrow.parquet as pq

    rows = pq.read_table(tmp_path / "ray-out").to_pylist()
    assert plain(rows) == plain(expected(cli, archive, tmp_path))
    scope["ray"].shutdown()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_pyspark_maps_parse_batch_in_arrow(archive: Path, cli: Cli, tmp_path: Path) -> None:
    pytest.importorskip("pyspark", reason="PySpark is not installed (not in the dev extra)")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("PySpark needs a Java runtime, and none is installed")
    scope = run_recipe("spark", ARCHIVE=str(archive), OUT=str(tmp_path / "spark-out"))
    import pyarrow.parquet as pq

    rows = pq.read_table(tmp_path / "spark-out").to_pylist()
    assert plain(rows) == plain(expected(cli, archive, tmp_path))
    scope["spark"].stop()
