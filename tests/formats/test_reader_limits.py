"""Huge inputs to the convert readers: handled, or refused with a clear limit, never an OOM."""

from __future__ import annotations

import io

import pytest

import archivekit.files.read as limits
from archivekit.diagnostics import ParseResult
from archivekit.formats import FORMAT_BY_NAME, FormatOptions
from archivekit.rules import RuleOptions

pytestmark = pytest.mark.hostile

HEAD = b'{"url":"https://e.com/a","headline":"H","keywords":[],"date":"2011-08-25","word_count":1,'
GOOD = HEAD + b'"body":"B"}\n'
CSV_HEADER = b"url,headline,keywords,date,word_count,body\r\n"
MIB = 2**20


class Counting(io.BytesIO):
    """A stream that remembers the most bytes one call returned (what a reader held at once)."""

    most = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.most = max(self.most, len(data))
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        self.most = max(self.most, len(data))
        return data


#: The file-size limit the readers get (``archive --max-bytes``).
LIMIT = {"max_bytes": limits.DEFAULT_MAX_BYTES}


@pytest.fixture
def one_mib(monkeypatch: pytest.MonkeyPatch) -> int:
    """The file-size limit lowered to 1 MiB for one test."""
    monkeypatch.setitem(LIMIT, "max_bytes", MIB)
    return MIB


def _read(name: str, data: bytes | io.BytesIO) -> list[ParseResult]:
    stream = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    options = FormatOptions(rules=RuleOptions(max_bytes=LIMIT["max_bytes"]))
    return list(FORMAT_BY_NAME[name].read(stream, "big", options))


def _codes(reads: list[ParseResult]) -> list[str]:
    return [d.code for r in reads for d in r.diagnostics]


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b"[" + HEAD + b'"body":' + b"[" * 100_000 + b"]" * 100_000 + b"}]",
    ],
)
@pytest.mark.parametrize("name", ["json", "jsonl"])
def test_json_nested_100000_deep_is_refused(name: str, data: bytes) -> None:
    reads = _read(name, data + b"\n")
    assert _codes(reads) == ["json-invalid"]
    assert "depth limit" in reads[0].diagnostics[0].message


def test_json_document_over_the_limit_is_refused_unread(one_mib: int) -> None:
    stream = Counting(b"[" + b",".join([GOOD.strip()] * (2 * MIB // len(GOOD))) + b"]")
    reads = _read("json", stream)
    assert _codes(reads) == ["file-too-large"]
    assert "--max-bytes" in reads[0].diagnostics[0].message
    assert stream.most <= one_mib + 1


def test_jsonl_50_mb_line_is_read() -> None:
    """Under the default limit (64 MiB), a 50 MB line is one record."""
    reads = _read("jsonl", HEAD + b'"body":"' + b"x" * 50_000_000 + b'"}\n')
    assert _codes(reads) == []
    record = reads[0].record
    assert record is not None
    assert len(record.body) == 50_000_000


def test_jsonl_line_over_the_limit_is_skipped_and_the_rest_read(one_mib: int) -> None:
    big = HEAD + b'"body":"' + b"x" * (3 * one_mib) + b'"}\n'
    stream = Counting(big + GOOD)
    reads = _read("jsonl", stream)
    assert _codes(reads) == ["file-too-large"]
    assert reads[0].diagnostics[0].message.startswith("record 1: the line is over")
    assert reads[1].record is not None
    assert (reads[1].index, reads[1].line) == (2, 2)
    assert stream.most <= one_mib + 1


def test_csv_10_mb_field_is_read() -> None:
    reads = _read(
        "csv", CSV_HEADER + b'https://e.com/a,H,,2011-08-25,1,"' + b"y" * 10_000_000 + b'"\r\n'
    )
    assert _codes(reads) == []
    record = reads[0].record
    assert record is not None
    assert len(record.body) == 10_000_000


def test_csv_field_over_the_limit_is_refused(one_mib: int) -> None:
    """An unclosed quote would otherwise make the rest of a huge file one cell."""
    reads = _read("csv", CSV_HEADER + b'https://e.com/a,H,,2011-08-25,1,"' + b"y" * (2 * one_mib))
    assert _codes(reads) == ["csv-row"]
    message = reads[0].diagnostics[0].message
    assert "field limit" in message
    assert "--max-bytes" in message


def test_markdown_over_the_limit_is_refused_unread(one_mib: int) -> None:
    stream = Counting(b"---\nurl: https://e.com/a\n---\n" + b"z" * (2 * one_mib))
    reads = _read("md", stream)
    assert _codes(reads) == ["file-too-large"]
    assert stream.most <= one_mib + 1


@pytest.mark.parametrize(
    "value", ["!!python/object/apply:os.system ['true']", "!!python/name:os.system", "&a [*a, *a]"]
)
def test_yaml_tags_and_anchors_are_refused_not_evaluated(value: str) -> None:
    """Front matter is read by a minimal parser: a tag or anchor is a finding, never an object."""
    data = (
        f"---\nurl: {value}\nheadline: H\nkeywords: []\ndate: 2011-08-25\nword_count: 1\n---\n\nB\n"
    ).encode()
    reads = _read("md", data)
    assert reads[0].record is None
    assert _codes(reads) == ["front-matter-invalid"]


#: Long lines built to make a regular expression or a slicing loop go quadratic:
#: (format, bytes), 400 KB each. Linear readers take well under a second for each;
#: the quadratic ones took minutes (a Markdown title "a", 160,000 spaces, "x": 23.5 s).
_RUN = 400_000
_LINEAR_CASES = [
    ("md", b"---\ntitle: a" + b" " * _RUN + b"x\n---\n\nbody"),
    ("md", b"---\ntitle: a" + b" \t" * (_RUN // 2) + b"x #c\n---\n\nbody"),
    ("md", b"---\nkeywords: [a" + b" " * _RUN + b"x]\n---\n\nbody"),
    ("md", b"---\n" + b" " * _RUN + b"x\n---\n\nbody"),
    ("md", b"---\nkeywords: [" + b"," * 150_000 + b"]\n---\n\nbody"),
    ("md", b"---\nkeywords: [" + b"a, " * 50_000 + b"]  # c\n---\n\nbody"),
    ("md", b"---\nword_count: " + b"9" * _RUN + b"\n---\n\nbody"),
    ("archive", b"http://e.com/" + b" " * _RUN + b"x\nH\nk\nAug. 25, 2011\n1\nb"),
    ("archive", b"http://e.com/\nH\n" + b" ," * (_RUN // 2) + b"\nAug. 25, 2011\n1\nb"),
    ("archive", b"http://e.com/\nH\nk\n" + b"Aug. " * (_RUN // 5) + b"\n1\nb"),
    ("json", HEAD + b'"body":"' + b"\\\\" * (_RUN // 2) + b"x"),
    ("jsonl", b" " * _RUN + b"x\n"),
    ("csv", CSV_HEADER + b'"' + b'""' * (_RUN // 2)),
]


def test_every_per_line_cost_is_linear() -> None:
    """One subprocess reads every case; quadratic code would take minutes, linear takes seconds."""
    import subprocess
    import sys

    script = (
        "import io, sys\n"
        "from archivekit.formats import FORMAT_BY_NAME, FormatOptions\n"
        "from tests.formats.test_reader_limits import _LINEAR_CASES\n"
        "for number, (name, data) in enumerate(_LINEAR_CASES):\n"
        "    list(FORMAT_BY_NAME[name].read(io.BytesIO(data), 'x', FormatOptions()))\n"
        "    print(number, flush=True)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        done = out.split()
        pytest.fail(f"quadratic: case {len(done)} ({_LINEAR_CASES[len(done)][0]}) did not finish")
    assert process.returncode == 0, err
    assert out.split() == [str(n) for n in range(len(_LINEAR_CASES))]
