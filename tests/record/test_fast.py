"""The fast path (record/fast.py) is provably the full path: same findings, same output bytes.

For every input, canonical or not: when the fast path says "canonical", the
full parser (on text, which never takes a shortcut) finds nothing, and each
format's own writer renders the record to exactly the fast path's bytes.
When it is unsure it says None, and the full parser decides.
"""

from __future__ import annotations

import importlib.util
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.formats import FORMAT_BY_NAME, FormatOptions
from archivekit.record import fast
from archivekit.record.model import Record
from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes
from archivekit.rules import RuleOptions
from archivekit.stats.digest import digest, digest_fields
from archivekit.text import CONTROL, word_count
from bench.generate import make_record
from tests.mutations import mutate
from tests.strategies import records
from tests.support import arrow_reference

_ROWS = ("jsonl", "csv", "json")
_ARROW = importlib.util.find_spec("pyarrow") is not None
# Characters that trip a rule somewhere, and the non-ASCII spaces the byte tests must see.
_TRICKY = '\x00\x07\t\x0b\r\x1b\x7f\x80\x85\x9f\xa0\ufeff\u2028\u3000\u1680\u202f, .-:/0"\\’Aug'


def _agree(data: bytes) -> None:
    """Whatever ``data`` is, the fast path and the full one agree about it."""
    fields = fast.check(data)
    # archive stats' check (on the record's byte classes) passes exactly the same records.
    measured = fast.measured(data)
    assert (measured is None) == (fields is None)
    quick = parse(data, keep_record=False)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        assert fields is None
        return
    full = parse(text)  # text: the full parser, no shortcut
    assert quick.diagnostics == full.diagnostics
    if fields is None:
        return
    assert full.diagnostics == ()
    assert full.record is not None
    options = FormatOptions()
    for name in _ROWS:
        render = fast.renderer(name, options)
        rows = FORMAT_BY_NAME[name].rows
        assert render is not None
        assert rows is not None
        assert render(fields) == rows([full.record], options), name
    # archive stats digests a canonical record from its bytes: the same digest.
    assert measured is not None
    assert measured[0] == fields
    assert measured[1:] == (len(full.record.body.split()), len(full.record.body))
    assert digest_fields(*measured) == digest(full.record)
    if _ARROW:
        # Parquet's workers put the fields into Arrow columns as bytes: pyarrow's own batch.
        from archivekit.record.arrow import record_batch

        assert record_batch([fields]).equals(arrow_reference([full.record]))


@pytest.mark.property
@given(records())
def test_canonical_records_render_as_the_writers_do(record: Record) -> None:
    _agree(dump_bytes(record))


@pytest.mark.property
@given(records(), st.text(alphabet=_TRICKY + "\n", min_size=1, max_size=4), st.data())
def test_mutated_records_agree(record: Record, noise: str, data: st.DataObject) -> None:
    text = dump_bytes(record).decode()
    at = data.draw(st.integers(0, len(text)))
    _agree((text[:at] + noise + text[at:]).encode("utf-8", "surrogatepass"))


@pytest.mark.property
@given(st.integers(0, 10_000), st.integers(0, 2**32))
def test_randomly_damaged_records_agree(number: int, seed: int) -> None:
    data = dump_bytes(make_record(number))
    _agree(mutate(data, random.Random(seed)))


@pytest.mark.property
@given(st.lists(st.text(alphabet=_TRICKY + "abhtps\n", max_size=12), max_size=8))
def test_arbitrary_lines_agree(lines: list[str]) -> None:
    _agree("\n".join(lines).encode("utf-8", "surrogatepass"))


def test_realistic_records_take_the_fast_path() -> None:
    # Curly quotes, accented names, non-ASCII URLs: the generator's records are canonical.
    for number in range(300):
        data = dump_bytes(make_record(number))
        assert fast.check(data) is not None, number
        _agree(data)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"http://a.b/x\nH\nk\nAug. 25, 2011\n1\nbody\n",  # final newline
        b"\xef\xbb\xbfhttp://a.b/x\nH\nk\nAug. 25, 2011\n1\nbody",  # BOM
        b"http://a.b/x\nH\nk\nAugust 25, 2011\n1\nbody",  # date not AP style
        b"http://a.b/x\nH\nk\nAug. 25, 2011\n01\nbody",  # leading zero
        b"http://a.b/x\nH \nk\nAug. 25, 2011\n1\nbody",  # trailing space
        b"http://a.b/x\nH\xc2\xa0\nk\nAug. 25, 2011\n1\nbody",  # trailing no-break space
        b"http://a.b/x\xe3\x80\x80y\nH\nk\nAug. 25, 2011\n1\nbody",  # ideographic space in URL
        b"http://a.b/x\nH\nk,k\nAug. 25, 2011\n1\nbody",  # duplicate keyword
        b"http://a.b/x\nH\nk,\nAug. 25, 2011\n1\nbody",  # empty keyword
        b"http://a.b/x\nH\xc2\x85\nk\nAug. 25, 2011\n1\nbody",  # C1 control
        b"http://a.b/x\nH\nk\nAug. 25, 2011\n1\nbo\rdy",  # CR
        b"http://a.b/x\nH\nk\nAug. 25, 2011\n1\nbo\xffdy",  # not UTF-8
        b"http://a.b/x\nH\nk\nAug. 25, 2011\n1\nbody\nmore",  # body over two lines
        b"http://a.b:80/x\nH\nk\nAug. 25, 2011\n1\nbody",  # a port: the full check decides
    ],
)
def test_the_fast_path_is_unsure_of_what_is_not_plainly_canonical(data: bytes) -> None:
    assert fast.check(data) is None
    _agree(data)


def test_other_options_and_formats_take_the_full_path() -> None:
    assert fast.applies(RuleOptions())
    assert fast.applies(RuleOptions(max_bytes=1000))
    assert not fast.applies(RuleOptions(enable=frozenset({"word-count-mismatch"})))
    assert not fast.applies(RuleOptions(word_count_tolerance=0.5))
    assert fast.renderer("csv", FormatOptions(excel=True)) is None
    assert fast.renderer("csv", FormatOptions(csv_keywords="json")) is None
    assert fast.renderer("md", FormatOptions()) is None
    wcm = FormatOptions(rules=RuleOptions(enable=frozenset({"word-count-mismatch"})))
    assert fast.renderer("jsonl", wcm) is None
    assert fast.separator("json") == b",\n"
    assert fast.separator("jsonl") == b""


def test_the_date_cache_forgets_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast, "_DATE_CACHE_SIZE", 4)
    monkeypatch.setattr(fast, "_dates", {})
    for day in range(1, 20):
        data = f"http://a.b/x\nH\nk\nAug. {day}, 2011\n1\nbody".encode()
        fields = fast.check(data)
        assert fields is not None
        assert fields[3] == f"2011-08-{day:02d}".encode()
        assert len(fast._dates) <= 4


# Every character str.split() takes for whitespace but the controls (which check()
# refuses), a few of their UTF-8 neighbours, and plain text.
_SPACEY = " \t\xa0\u1680\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000\u2019\u2014\xe9ab"


@pytest.mark.property
@given(st.text(alphabet=_SPACEY, max_size=40) | st.text(max_size=40))
def test_words_on_bytes_are_the_words_of_the_text(text: str) -> None:
    text = CONTROL.sub("", text).replace("\n", "")  # a field check() passed holds neither
    assert fast.counts(text.encode()) == (word_count(text), len(text))
    assert word_count(text) == len(text.split())
    assert fast.counts(text.encode()) == fast.counts(text.encode(), len(text))


_ANY_SPACE = " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2028\u3000\u2019\xe9ab"


@pytest.mark.property
@given(st.text(alphabet=_ANY_SPACE, max_size=40) | st.text(max_size=40))
def test_counts_are_those_of_the_text_whatever_it_holds(text: str) -> None:
    # Every whitespace str.split() knows, controls and line feeds too, side by side,
    # at either end, alone: counts() is exact on any text, not only on checked fields.
    data = text.encode("utf-8", "surrogatepass")
    expected = (len(text.split()), len(text))
    assert fast.counts(data) == expected
    assert fast.counts(data, len(text)) == expected


def test_counts_of_long_fields_sum_block_by_block() -> None:
    # Adler-32 sums modulo 65,521: a field longer than a block is summed in blocks.
    for text in ("ab " * 40_000 + "  x", "\xe9 " * 40_000, "x" * 70_000, " " * 70_000):
        assert fast.counts(text.encode()) == (len(text.split()), len(text))


def test_words_of_a_generated_body() -> None:
    fields = fast.check(dump_bytes(make_record(7)))
    assert fields is not None
    body = fields[5]
    words = fast.counts(body)[0]
    assert words == len(body.decode().split()) > 100
    assert fast.counts(body.replace(b" ", b"  ", 3))[0] == words
    assert fast.counts(body.replace(b" ", "\u3000".encode(), 1))[0] == words
