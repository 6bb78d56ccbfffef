"""The hot path's shortcuts give exactly what the full path gives.

parse(bytes) of a clean file takes a shortcut (split the bytes, decode each
line, skip the control-character scans); parse(str) always takes the full
path. So for any text, both must agree, findings and record alike.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.files.read import read_file
from archivekit.files.walk import Found, walk
from archivekit.record import fields
from archivekit.record.parse import parse
from archivekit.record.write import dumps
from archivekit.rules import RuleOptions
from archivekit.sources.inputs import Source, expand
from archivekit.sources.reading import Item, ReadOptions, read_sources
from archivekit.text import CONTROL
from archivekit.validate import check_file, validate_paths
from archivekit.validate.duplicates import first_line
from bench.generate import make_record

# Characters that trip a rule somewhere: controls (C0, DEL, C1), CR, BOM, tab,
# no-break space, commas, spaces, digits and date pieces.
_TRICKY = "\x00\x07\t\x0b\r\x1b\x7f\x80\x85\x9f\xa0\ufeff\u2028, .-:/0123456789Aug"
_CANONICAL = [dumps(make_record(i)) for i in range(12)]
_WCM = RuleOptions(enable=frozenset({"word-count-mismatch"}), word_count_tolerance=0.5)


def _same(text: str, options: RuleOptions | None = None) -> None:
    fast, full = parse(text.encode("utf-8"), options=options), parse(text, options=options)
    assert fast.diagnostics == full.diagnostics
    assert fast.record == full.record


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(_CANONICAL))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(alphabet=_TRICKY + "\n", max_size=3)) + text[at:]
    return text


@pytest.mark.property
@given(_mutated())
def test_bytes_and_text_agree_on_mutated_records(text: str) -> None:
    _same(text)
    _same(text, _WCM)


@pytest.mark.property
@given(st.lists(st.text(alphabet=_TRICKY + "abhtp\n", max_size=12), min_size=0, max_size=8))
def test_bytes_and_text_agree_on_arbitrary_lines(lines: list[str]) -> None:
    _same("\n".join(lines))


def test_clean_records_take_the_shortcut_and_keep_their_record() -> None:
    for text in _CANONICAL:
        result = parse(text.encode())
        assert result.diagnostics == ()
        assert result.record is not None
        assert dumps(result.record) == text


def test_word_count_mismatch_is_still_reported_from_bytes() -> None:
    text = _CANONICAL[0]
    result = parse(text.encode(), options=RuleOptions(enable=frozenset({"word-count-mismatch"})))
    assert [d.code for d in result.diagnostics] == ["word-count-mismatch"]


@pytest.mark.property
@given(
    st.from_regex(fields._PLAIN_URL, fullmatch=True).filter(
        lambda u: not any(c.isspace() for c in u) and CONTROL.search(u) is None
    )
)
def test_plain_urls_are_ones_urlsplit_accepts_with_a_host(url: str) -> None:
    parts = urlsplit(url)
    assert parts.hostname
    assert parts.port is None
    assert fields.check_url(url) == (url, [])


def test_check_file_without_record_has_the_same_findings(tmp_path: Path) -> None:
    for index, text in enumerate([_CANONICAL[1], "http://x\n\n\nAug. 32, 2011\n-1\n", ""]):
        path = tmp_path / f"{index}.txt"
        path.write_text(text, encoding="utf-8")
        lean, full = check_file(str(path), keep_record=False), parse(text, path=str(path))
        assert lean.record is None
        assert lean.diagnostics == full.diagnostics


def test_read_file_reads_large_files_whole_and_refuses_folders(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(bytes(range(256)) * 1000)  # several read() calls
    assert read_file(str(big), 10**6) == (bytes(range(256)) * 1000, 256_000)
    # A file whose size is over the limit is not read at all.
    assert read_file(str(big), 100_000) == (b"", 256_000)
    # One that reports no size (procfs): never more than the limit and one byte.
    data, size = read_file("/proc/self/status", 10)
    assert (len(data), size) == (11, 0)
    (tmp_path / "empty.txt").write_bytes(b"")
    assert read_file(str(tmp_path / "empty.txt"), 10) == (b"", 0)
    result = check_file(str(tmp_path))
    assert [d.code for d in result.diagnostics] == ["read-error"]


def test_pool_and_serial_give_the_same_results_in_order(tmp_path: Path) -> None:
    texts = [*_CANONICAL, "", "http://x.com/a\nH\n\nSEPT. 15, 2016\n7\nbody\n", "\x00bad"]
    for index in range(300):  # over POOL_THRESHOLD, so that jobs=2 uses workers
        folder = tmp_path / f"{index // 100}"
        folder.mkdir(exist_ok=True)
        (folder / f"{index:03d}.txt").write_text(texts[index % len(texts)], encoding="utf-8")
    for keep in (False, True):
        serial = list(validate_paths([str(tmp_path)], jobs=1, keep_records=keep))
        pooled = list(validate_paths([str(tmp_path)], jobs=2, keep_records=keep))
        assert pooled == serial
        assert [r.path for r in serial] == sorted(r.path for r in serial)
        assert any(r.diagnostics for r in serial)
        assert any(r.ok for r in serial)
        assert any(r.record is not None for r in serial) is keep


def _imports(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_validating_does_not_import_pydantic(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(_CANONICAL[0], encoding="utf-8")
    loaded = _imports(
        "import sys\nfrom archivekit.validate import validate_paths\n"
        f"list(validate_paths([{str(path)!r}]))"
    )
    assert "archivekit.record.parse" in loaded
    assert "pydantic" not in loaded
    assert "rich" not in loaded


def test_version_imports_neither_pydantic_nor_rich() -> None:
    loaded = _imports(
        "import sys\nsys.argv = ['archive', '--version']\n"
        "from archivekit.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert "typer" in loaded
    assert "pydantic" not in loaded
    assert "rich" not in loaded


_SPACES = " \t\u00a0\u2028\u3000"
_URLS = st.sampled_from(
    [
        "http://www.nytimes.com/2011/08/26/world/26drugs.html",
        "HTTPS://x.com",
        "http://x",
        "http://x.com/a b",
        "http://x.com:80/",
        "http://user@x.com/",
        "http://[::1]/",
        "ftp://x.com/",
        "//x.com/a",
        "http://x.com/\u00e9",
        "http://\u00e9.com/",
        "http://-/",
    ]
) | st.from_regex(r"[hH]ttps?://[a-z0-9.\-:@\[\]]{0,12}(/[\S ]{0,8})?", fullmatch=True)
# Near-canonical text: one tricky character somewhere, often at an end.
_TRICKY_CHAR = st.sampled_from(["", "", " ", "\n", "\u00a0", "\u2028", "\t", ",", "a", "\u3000"])
_TEXT = st.builds(
    lambda a, c, b: a + c + b,
    st.text("aé’“", max_size=3),
    _TRICKY_CHAR,
    st.text("aé’“", max_size=3),
)
_KEYWORDS = st.lists(
    st.sampled_from(["a", "b", "a ", " a", "", "Calderon  Felipe", "\u00a0b", "a\u3000", "é"]),
    max_size=4,
).map(",".join)
_DATES = st.sampled_from(
    [
        "Aug. 25, 2011",
        "Sept. 5, 2001",
        "March 3, 1999",
        "May 1, 1990",
        "SEPT. 5, 2001",
        "Sep 5, 2001",
        "Sept 5, 2001",
        "2001-09-05",
        "September 5, 2001",
        "Aug. 32, 2011",
        " Aug. 25, 2011",
        "Aug. 25, 2011 ",
        "Feb. 29, 2012",
        "Feb. 29, 2011",
        "Aug. 05, 2011",
        "",
    ]
)
_COUNTS = st.sampled_from(
    [
        "0",
        "00",
        "7",
        "012",
        "1168",
        "\uff11\uff12",
        "\u0661",
        "\u00b2",
        "9" * 18,
        "9" * 19,
        "-1",
        " 1",
        "1 ",
        "",
        "1.5",
    ]
)


_FIELDS = (_URLS, _TEXT, _KEYWORDS, _DATES, _COUNTS, _TEXT)


@pytest.mark.parametrize("index", range(6))
@pytest.mark.property
@given(data=st.data())
def test_canonical_values_imply_what_the_checks_say(index: int, data: st.DataObject) -> None:
    # One field of a canonical record replaced by a tricky value: the quick
    # test must say "not sure" unless the checks find nothing to say either.
    record = data.draw(st.sampled_from(_CANONICAL))
    replacement = CONTROL.sub("", data.draw(_FIELDS[index]))  # the clean path has none
    if index < 5:  # as split from a file: only the body can hold a line feed
        replacement = replacement.replace("\n", "")
    lines = record.split("\n", 5)
    lines[index] = replacement
    quick = fields.canonical_values(lines)
    url, headline, keywords, date, count, body = lines
    checks = [
        fields.check_url(url),
        fields.check_text("headline", headline, empty_code="headline-empty"),
        fields.check_keywords(keywords),
        fields.check_date(date),
        fields.check_word_count(count),
        fields.check_text("body", body, empty_code="body-empty", multiline=True),
    ]
    if quick is not None:
        assert all(not problems for _, problems in checks)
        assert list(quick.values()) == [value for value, _ in checks]


def test_canonical_values_take_the_generated_records() -> None:
    for text in _CANONICAL:
        assert fields.canonical_values(text.split("\n", 5)) is not None


def test_workers_give_the_url_line_that_first_line_reads(tmp_path: Path) -> None:
    texts = [
        *_CANONICAL[:3],
        "",
        "\ufeff  http://x.com/a  \nH",
        "x" * 5000 + "\nH",
        "http://x.com/\xe9\n",
        "\n\n",
        "caf\xe9\nH",
    ]
    paths = []
    for index in range(300):
        path = tmp_path / f"{index:03d}.txt"
        data = texts[index % len(texts)].encode("utf-8")
        path.write_bytes(data if index % 7 else data.replace(b"\xc3\xa9", b"\xe9"))
        paths.append(str(path))
    paths.append(str(tmp_path))  # a folder: read-error, no URL
    options = ReadOptions(urls=True)

    def sources() -> Iterator[Source]:
        return expand(Found(path, os.path.basename(path), True) for path in paths)

    serial = [(i.result, i.url) for i in read_sources(sources(), options, jobs=1)]
    pooled = [(i.result, i.url) for i in read_sources(sources(), options, jobs=2)]
    assert pooled == serial
    assert [url for _, url in serial] == [first_line(p) for p in paths]
    assert {url for _, url in serial} >= {None, "http://x.com/a"}


def test_results_pickle_back_equal() -> None:
    result = parse("http://x.com/a\nH\n\nSEPT. 15, 2016\n7\nbody")
    assert result.diagnostics
    full = parse(_CANONICAL[0])
    for value in (
        result,
        full,
        result.diagnostics[0],
        replace(full, index=3, line=4),
        Source("a", "b/a.txt", "archive", path="/x/b/a.txt"),
        Item(Source("a", "b/a.txt", "archive", data=b"x"), result, b"payload", None, "http://x"),
    ):
        assert pickle.loads(pickle.dumps(value)) == value


@pytest.mark.parametrize("spelling", ["{}", "{}/", "./{}", "{}//", "{}/./"])
def test_walked_relative_paths_are_relpath(
    tmp_path: Path, spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("x/a.txt", "x/b/c.txt", "x/b/d/e.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    root = spelling.format("x")
    found = list(walk([root], match=lambda name: True))
    assert [f.rel for f in found] == ["a.txt", "b/c.txt", "b/d/e.txt"]
    assert all(f.rel == os.path.relpath(f.path, root) for f in found)
