"""CSV columns go by name: any order, a pandas index ignored, JSON keyword cells recognised."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from archivekit.formats import FORMAT_BY_NAME, FormatOptions
from tests.support import Cli, read_all, write_batch

CSV = FORMAT_BY_NAME["csv"]


def test_any_column_order_and_an_index_column() -> None:
    data = (
        b",body,date,word_count,url,headline,keywords\r\n"
        b'0,Text.,2011-08-25,3,http://e.com/a,H,"a,b"\r\n'
    )
    (result,) = CSV.read(io.BytesIO(data), "a.csv", FormatOptions())
    assert result.record is not None
    assert result.record.keywords == ("a", "b")
    assert [d.code for d in result.diagnostics] == ["field-unknown"]


def test_a_missing_column_is_named() -> None:
    data = b"url,headline,keywords,date,body\r\nhttp://e.com/a,H,,2011-08-25,x\r\n"
    (result,) = CSV.read(io.BytesIO(data), "a.csv", FormatOptions())
    assert result.diagnostics[0].code == "csv-header"
    assert "word_count missing" in result.diagnostics[0].message


def test_json_keywords_read_back_without_the_flag() -> None:
    data = (
        b"url,headline,keywords,date,word_count,body\r\n"
        b'http://e.com/a,H,"[""Obama  Barack"",""Mexico""]",2011-08-25,3,x\r\n'
    )
    (result,) = CSV.read(io.BytesIO(data), "a.csv", FormatOptions())
    assert result.record is not None
    assert result.record.keywords == ("Obama  Barack", "Mexico")


def test_pandas_to_csv_default_reads_back(cli: Cli, tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    write_batch(tmp_path / "in", 20)
    jsonl = tmp_path / "a.jsonl"
    assert cli("convert", tmp_path / "in", "--to", "jsonl", "-o", jsonl).exit_code == 0
    frame = pandas.read_json(jsonl, lines=True, dtype={"date": str})
    frame["keywords"] = frame["keywords"].map(",".join)
    frame.to_csv(tmp_path / "p.csv")  # with its index column
    back = read_all(CSV, (tmp_path / "p.csv").read_bytes(), FormatOptions())
    originals = read_all(FORMAT_BY_NAME["jsonl"], jsonl.read_bytes(), FormatOptions())
    assert back == originals
