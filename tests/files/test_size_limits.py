"""Huge input is refused with a clear limit, or handled in linear time: never memory exhaustion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import archivekit.files.read as limits
from archivekit.record.fields import MAX_KEYWORDS, MAX_LISTED, check_keywords
from archivekit.record.parse import MAX_PER_RULE, parse
from archivekit.rules import RULE_BY_CODE, RuleOptions
from archivekit.validate import check_file
from tests.support import Cli

pytestmark = pytest.mark.hostile

HEAD = b"http://example.com/a\nHeadline\nMexico\nAug. 25, 2011\n5\n"
ARCHIVE = [sys.executable, "-c", "from archivekit.cli import main; main()"]


def codes(result: object) -> list[str]:
    return [d.code for d in result.diagnostics]  # type: ignore[attr-defined]


def test_the_new_rules_are_registered_with_examples() -> None:
    for code in ("file-too-large", "keyword-too-many"):
        rule = RULE_BY_CODE[code]
        assert rule.severity.value == "error"
        assert rule.bad
        assert rule.good
        assert rule.summary


def test_a_100_mb_body_is_refused_by_default(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.write(HEAD)
        handle.truncate(len(HEAD) + 100 * 2**20)  # sparse: costs no disk
    result = check_file(str(big))
    assert codes(result) == ["file-too-large"]
    assert "100.0 MiB" in result.diagnostics[0].message
    assert "64 MiB" in result.diagnostics[0].message


def test_the_limit_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(HEAD + b"x" * 5000)
    assert codes(check_file(str(path), options=RuleOptions(max_bytes=4096))) == ["file-too-large"]
    assert check_file(str(path), options=RuleOptions(max_bytes=1 << 20)).ok
    # A file exactly at the limit is read.
    exact = RuleOptions(max_bytes=path.stat().st_size)
    assert check_file(str(path), options=exact).ok


class _EndlessStdin:
    """Standard input that never ends (like /dev/zero): reading it all never returns."""

    def __init__(self) -> None:
        self.buffer = self

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("read the whole of an endless stream")
        return b"\x00" * size


def test_standard_input_is_read_only_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _EndlessStdin())
    result = check_file("-", options=RuleOptions(max_bytes=1000))
    assert codes(result) == ["file-too-large"]
    assert result.path == "<stdin>"


def test_a_regular_file_is_read_only_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(HEAD + b"x" * 100_000)
    asked: list[int] = []
    real_read = os.read

    def spy(fd: int, size: int) -> bytes:
        asked.append(size)
        return real_read(fd, size)

    monkeypatch.setattr("archivekit.files.read.os.read", spy)
    result = check_file(str(path), options=RuleOptions(max_bytes=1000))
    assert codes(result) == ["file-too-large"]
    message = result.diagnostics[0].message
    size = path.stat().st_size
    assert message.startswith(
        f"the file is 97.7 KiB ({size:,} bytes), over the limit of 1000 bytes"
    )
    assert message.endswith(
        "raise it with archive --max-bytes SIZE COMMAND ... (or ARCHIVEKIT_MAX_BYTES=SIZE)"
    )
    # Its size says it is over the limit: not one byte is read.
    assert asked == []


def test_cli_max_bytes_on_endless_stdin() -> None:
    """Would read /dev/zero for ever (and run out of memory) without the limit."""
    with Path("/dev/zero").open("rb") as zero:
        done = subprocess.run(
            [*ARCHIVE, "--max-bytes", "1M", "validate", "-"],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 1
    assert "error[file-too-large]" in done.stdout
    assert "over the limit of 1 MiB (1,048,576 bytes)" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("value", ["lots", "-1", "0", "1.5M", "1X"])
def test_cli_bad_max_bytes_is_a_usage_error(cli: Cli, value: str) -> None:
    result = cli("--max-bytes", value, "validate", "-", input="")
    assert result.exit_code == 2
    assert "--max-bytes" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1000", 1000),
        ("64K", 65536),
        ("64M", 64 << 20),
        ("1g", 1 << 30),
        ("2MiB", 2 << 20),
        (" 3 kb ", 3072),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    assert limits.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "M", "0", "-5", "1.5M", "5 P", "1e6"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="size"):
        limits.parse_size(text)


def test_the_size_limit_is_an_option_not_a_global() -> None:
    assert RuleOptions().max_bytes == limits.DEFAULT_MAX_BYTES
    assert codes(parse(b"x" * 124, options=RuleOptions(max_bytes=123))) == ["file-too-large"]
    assert "file-too-large" not in codes(parse(b"x" * 124))
    with pytest.raises(ValueError, match="at least"):
        RuleOptions(max_bytes=0)


def test_parse_refuses_oversized_input_unread() -> None:
    options = RuleOptions(max_bytes=100)
    assert codes(parse(HEAD + b"x" * 200, options=options)) == ["file-too-large"]
    assert codes(parse((HEAD + b"x" * 200).decode(), options=options)) == ["file-too-large"]
    assert parse(HEAD + b"x" * 20, options=options).ok


def test_a_million_keywords_are_refused() -> None:
    line = ",".join(f"k{i}" for i in range(1_000_000)).encode()
    result = parse(b"http://example.com/a\nH\n" + line + b"\nAug. 25, 2011\n5\nBody")
    assert codes(result) == ["keyword-too-many"]
    assert "1000000 keyword entries" in result.diagnostics[0].message
    assert result.diagnostics[0].line == 3


def test_the_keyword_limit_is_exact() -> None:
    at_limit = [f"k{i}" for i in range(MAX_KEYWORDS)]
    assert check_keywords(at_limit)[0] == tuple(at_limit)
    assert check_keywords(",".join(at_limit))[0] == tuple(at_limit)
    over = [*at_limit, "one more"]
    assert [p.code for p in check_keywords(over)[1]] == ["keyword-too-many"]
    assert [p.code for p in check_keywords(",".join(over))[1]] == ["keyword-too-many"]


def test_a_body_of_a_million_nul_bytes_gives_a_few_findings_with_a_count() -> None:
    """Each finding used to cost a scan of the text: a million of them never finished."""
    result = parse(HEAD + b"\x00" * 1_000_000)
    found = [d for d in result.diagnostics if d.code == "control-char"]
    assert len(found) == MAX_LISTED
    assert found[-1].message.endswith(
        f"(and {1_000_000 - MAX_LISTED} more like it in the body, not shown)"
    )
    assert [d.column for d in found] == list(range(1, MAX_LISTED + 1))


def test_a_million_bytes_that_are_not_utf8_give_a_few_findings_with_a_count() -> None:
    """Each finding used to re-decode the rest of the file: quadratic, hours for 64 MiB."""
    result = parse(HEAD + b"\xff" * 1_000_000)
    found = [d for d in result.diagnostics if d.code == "utf8-invalid"]
    assert len(found) == MAX_PER_RULE
    assert found[-1].message.endswith(
        f"(and {1_000_000 - MAX_PER_RULE} more like it in this file, not shown)"
    )
    assert [d.column for d in found] == list(range(1, MAX_PER_RULE + 1))


def test_the_count_of_bad_utf8_skips_real_replacement_characters() -> None:
    bad = b"\xff" * 12 + "\ufffd".encode() * 3 + b"\xe2\x82" + b"\xc3"
    found = [d for d in parse(HEAD + bad).diagnostics if d.code == "utf8-invalid"]
    assert found[-1].message.endswith("(and 4 more like it in this file, not shown)")


def test_few_problems_are_listed_without_a_count() -> None:
    found = [d for d in parse(HEAD + b"ab\x00c\x00").diagnostics if d.code == "control-char"]
    assert [d.column for d in found] == [3, 5]
    assert not any("not shown" in d.message for d in found)


@pytest.mark.parametrize("command", ["validate", "convert", "fmt --check", "fmt"])
@pytest.mark.parametrize("how", ["file", "stdin"])
def test_every_command_refuses_a_file_over_the_limit(
    cli: Cli, tmp_path: Path, command: str, how: str
) -> None:
    """convert and fmt read files and standard input whole, with no limit at all."""
    data = HEAD + b"x" * 5000
    path = tmp_path / "big.txt"
    path.write_bytes(data)
    target = "-" if how == "stdin" else str(path)
    extra = ["--to", "jsonl", "-o", str(tmp_path / "out.jsonl")] if command == "convert" else []
    if command == "fmt" and how == "file":
        extra = ["--check"]
    result = cli(
        "--max-bytes",
        "1K",
        *command.split(),
        target,
        *extra,
        input=data if how == "stdin" else None,
    )
    label = "<stdin>" if how == "stdin" else str(path)
    size = "over" if how == "stdin" else f"4.9 KiB ({len(data):,} bytes), over"
    expected = (
        f"{label}:1:1: error[file-too-large] the file is {size} the limit of 1 KiB (1,024 "
        "bytes): split it, or raise it with archive --max-bytes SIZE COMMAND ..."
    )
    assert expected in result.stdout + result.stderr
    assert result.exit_code == 1
    assert not (tmp_path / "out.jsonl").exists()
    if command == "fmt" and how == "stdin":
        # The editor filter passes an input it cannot check through unchanged.
        assert result.stdout_bytes == data
