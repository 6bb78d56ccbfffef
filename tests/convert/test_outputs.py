"""Convert outputs: names from hostile records stay in the folder; rival writers never mix."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.convert.outputs import record_name
from archivekit.record.model import Record
from tests.strategies import records
from tests.support import Cli, write_batch

pytestmark = pytest.mark.hostile

_HOSTILE_PATHS = st.sampled_from(
    [
        "../../etc/passwd",
        "..",
        ".",
        "a/../../b",
        "CON",
        "nul.txt",
        "x\\..\\y",
        "%2e%2e%2f",
        "name.with.dots",
        "",
        "-",
        "a" * 500,
        "\u202eexe.txt",
        "COM1.md",
    ]
)


@pytest.mark.property
@given(records(), _HOSTILE_PATHS, st.text(max_size=40))
def test_a_name_from_a_record_is_one_safe_component(record: Record, path: str, extra: str) -> None:
    url = f"http://example.com/{path}{extra}".replace(" ", "")
    hostile = Record.model_construct(**{**dict(record), "url": url})
    name = record_name(hostile, ".md")
    stem = name.removesuffix(".md")
    assert os.sep not in name
    assert "\\" not in name
    assert ".." not in name
    assert not name.startswith(".")
    assert len(name) <= 100
    assert stem.replace("-", "").isalnum()
    assert stem.isascii()
    # Always the date first: never a reserved device name such as CON or NUL.
    day = "undated" if hostile.date is None else hostile.date.isoformat()
    assert name.startswith(day)
    folder = Path("/out")
    assert (folder / name).resolve().parent == folder.resolve()


def test_two_runs_into_one_folder_never_mix_a_file(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_batch(inputs, 300)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-c",
        "from archivekit.cli import main; main()",
        "convert",
        str(inputs),
        "--to",
        "md",
        "--output-dir",
        str(out),
        "-q",
    ]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    errors = [run.communicate(timeout=300)[1] for run in runs]
    codes = [run.returncode for run in runs]
    # Each name is claimed by one run only; the other refuses to overwrite it
    # (a clear error, no traceback), whatever the interleaving.
    assert set(codes) <= {0, 1, 2}, codes
    assert not any(b"Traceback" in err for err in errors)
    written = sorted(out.rglob("*.md"))
    assert written
    back = tmp_path / "back.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from archivekit.cli import main; main()",
            "convert",
            str(out),
            "--from",
            "md",
            "--to",
            "jsonl",
            "-o",
            str(back),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(back.read_bytes().splitlines()) == len(written)
    assert not [p for p in out.rglob("*") if p.name.startswith(".archive")]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://e.com/2011/jalapeño-prices.html", "2011-08-25-jalapeno-prices.md"),
        ("http://e.com/2011/caf%C3%A9-stra%C3%9Fe", "2011-08-25-cafe-strasse.md"),
        ("http://e.com/2011/Łódź.html", "2011-08-25-lodz.md"),
    ],
)
def test_names_transliterate_accents(url: str, name: str) -> None:
    record = Record(
        url=url,
        headline="H",
        keywords=(),
        date=dt.date(2011, 8, 25),
        word_count=1,
        body="b",
    )
    assert record_name(record, ".md") == name


def test_rejects_carry_their_input_and_go_back_in(cli: Cli, tmp_path: Path) -> None:
    import orjson

    good = orjson.dumps(
        {
            "url": "http://e.com/a",
            "headline": "H",
            "keywords": ["k"],
            "date": "2011-08-25",
            "word_count": 3,
            "body": "b",
        }
    )
    bad = good.replace(b'"2011-08-25"', b'"soon"')
    src = tmp_path / "a.jsonl"
    src.write_bytes(good + b"\n" + bad + b"\n" + good + b"\n")
    rejects = tmp_path / "rejects.jsonl"
    result = cli(
        "convert",
        src,
        "--to",
        "jsonl",
        "-o",
        tmp_path / "out.jsonl",
        "--skip-invalid",
        "--rejects",
        rejects,
    )
    assert result.exit_code == 0, result.output
    (line,) = rejects.read_bytes().splitlines()
    reject = orjson.loads(line)
    assert (reject["path"], reject["record"], reject["line"]) == (str(src), 2, 2)
    assert reject["input"] == orjson.loads(bad)
    fixed = orjson.dumps({**reject["input"], "date": "2011-08-26"})
    back = cli("convert", "-", "--to", "jsonl", input=fixed)
    assert back.exit_code == 0, back.output
    # A CSV row comes back as an object of its cells; a text file as its text.
    csv_src = tmp_path / "a.csv"
    csv_src.write_text(
        "url,headline,keywords,date,word_count,body\r\nhttp://e.com/a,H,k,soon,3,b\r\n"
    )
    csv_rejects = tmp_path / "csv-rejects.jsonl"
    cli(
        "convert",
        csv_src,
        "--to",
        "jsonl",
        "-o",
        tmp_path / "o2.jsonl",
        "--skip-invalid",
        "--rejects",
        csv_rejects,
    )
    assert orjson.loads(csv_rejects.read_bytes())["input"]["date"] == "soon"
    txt = tmp_path / "t" / "a.txt"
    txt.parent.mkdir()
    txt.write_text("http://e.com/a\nH\nk\nsoon\n3\nb")
    txt_rejects = tmp_path / "txt-rejects.jsonl"
    cli(
        "convert",
        txt.parent,
        "--to",
        "jsonl",
        "-o",
        tmp_path / "o3.jsonl",
        "--skip-invalid",
        "--rejects",
        txt_rejects,
    )
    assert orjson.loads(txt_rejects.read_bytes())["input"] == txt.read_text()


@pytest.mark.parametrize("kind", ["jsonl", "csv", "archive"])
def test_rejects_read_from_standard_input_carry_their_input(
    cli: Cli, tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Standard input cannot be read twice: with --rejects it is copied as it is read,
    # and a rejected record's input is read back from the copy (then removed).
    import orjson

    good: dict[str, object] = {"url": "http://e.com/a", "headline": "H", "keywords": ["k"]}
    good |= {"date": "2011-08-25", "word_count": 3, "body": "b"}
    bad = {**good, "date": "soon"}
    data = {
        "jsonl": b"\n".join(orjson.dumps(r) for r in (good, good, bad, good)) + b"\n",
        "csv": b"url,headline,keywords,date,word_count,body\r\n"
        + b"http://e.com/a,H,k,2011-08-25,3,b\r\n" * 2
        + b"http://e.com/a,H,k,soon,3,b\r\n",
        "archive": b"http://e.com/a\nH\nk\nsoon\n3\nb",
    }[kind]
    rejects = tmp_path / "rejects.jsonl"
    out = tmp_path / "out.jsonl"
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    result = cli(
        "convert", "-", "--to", "jsonl", "-o", out, "--skip-invalid", "--rejects", rejects,
        input=data,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (reject,) = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert reject["path"] == "<stdin>"
    expected: object = {
        "jsonl": bad,
        "csv": {**{k: str(v) for k, v in bad.items()}, "keywords": "k"},
        "archive": data.decode(),
    }[kind]
    assert reject["input"] == expected
    assert not list(temporary.iterdir()), "the copy of standard input is left"
