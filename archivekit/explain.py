"""What ``archive explain CODE`` prints: a rule's documentation with a bad and a good example."""

from __future__ import annotations

import difflib
import textwrap

from archivekit.errors import UsageError
from archivekit.rules import RULE_BY_CODE, Rule

#: Beyond the one-line summary: what exactly the rule finds, and how to fix it.
DETAILS: dict[str, str] = {
    "file-empty": "The file holds no bytes (or only a byte order mark). A record has six lines: "
    "url, headline, keywords, date, word count, body. Fill it in or delete the file.",
    "file-too-large": "The file is larger than the size limit (64 MiB by default), so it was "
    "not read: only the limit and one byte are. Real articles are far smaller; a file this "
    "large is most likely not a record. Raise the limit with archive --max-bytes SIZE (or "
    "ARCHIVEKIT_MAX_BYTES) if it truly is one.",
    "keyword-too-many": "The keywords line holds more than 10,000 entries. Real records have "
    "a few dozen; so many is most likely a broken scrape. Keep the real keywords.",
    "read-error": "The file or folder could not be read: permissions, a folder where a file "
    "was expected, or a file that vanished during the run. Fix the permissions or the path.",
    "field-missing": "The file has fewer than six lines; one finding per missing field, naming "
    "it. Keywords may be an empty line, but the line must be there.",
    "utf8-invalid": "Bytes that are not UTF-8, with their byte offset, line and column; the "
    "message hints at the encoding when the file looks like Windows-1252 or UTF-16. Convert "
    "it, e.g. iconv -f WINDOWS-1252 -t UTF-8.",
    "control-char": "NUL or another control character (C0 but tab, DEL, C1) in a field, or a "
    "line break inside a one-line field (from other formats). Delete it.",
    "url-invalid": "Line 1 must be an absolute http or https URL with a host, without "
    "whitespace. It is kept exactly as written: archivekit never normalises it.",
    "headline-empty": "Line 2, the headline, is empty or only spaces.",
    "date-empty": "Line 4, the date, is empty.",
    "date-unrecognized": "The date is in no accepted shape. Accepted: AP style (Aug. 25, 2011), "
    "other month spellings (Aug 25, 2011; August 25, 2011; any letter case) and ISO "
    "2011-08-25. When a date can be found inside the text the message suggests it.",
    "date-invalid": "The date has an accepted shape but is no calendar day (Aug. 32, Feb. 30, "
    "Feb. 29 of a common year, month 13, day 0). The column points at the day.",
    "word-count-invalid": "Line 5 must be a plain decimal integer from 0 to 2^63 - 1: not empty, "
    "not negative, no sign, no decimals, ASCII digits only. It need not match the body.",
    "body-empty": "The body (line 6 to the end of the file) is empty or only whitespace.",
    "keyword-invalid": "A keyword holds a comma or a line break. Only possible from formats "
    "where keywords come as a list (JSON, CSV). Write people as 'Last  First'.",
    "bom": "The file starts with a UTF-8 byte order mark. Valid; archive fmt removes it.",
    "crlf": "The file has Windows (CRLF) line ends; reported once with the count. Valid; "
    "archive fmt writes LF.",
    "final-newline": "Canonical files end without a newline (like the seed). Valid; "
    "archive fmt removes it.",
    "date-noncanonical": "The date is accepted but not in AP style (Jan. Feb. March April May "
    "June July Aug. Sept. Oct. Nov. Dec., the day without a leading zero). archive fmt "
    "rewrites it.",
    "whitespace": "Spaces around a field or around keywords; one finding per field. Valid; "
    "archive fmt trims them.",
    "keyword-empty": "Empty keyword entries (two commas in a row, or a comma at an end). "
    "Valid; archive fmt drops them.",
    "keyword-duplicate": "The same keyword twice in one record. Valid; archive fmt keeps the "
    "first.",
    "word-count-noncanonical": "The word count has leading zeros. Valid; archive fmt drops them.",
    "body-multiline": "The body runs over several lines (scrapers keep paragraph breaks). "
    "Valid and kept as is; turn the rule off in the configuration if your archive does this "
    "on purpose.",
    "word-count-mismatch": "Opt-in: the declared word count differs from the body's "
    "whitespace-separated word count by more than the tolerance (default 0.1, i.e. 10 %). "
    "Real archives rarely match, so it is off unless enabled (--enable word-count-mismatch, "
    "or a severity in [tool.archive.rules]).",
    # Rules of the other formats' readers (archive convert).
    "json-invalid": "A JSON, JSON Lines or front-matter document cannot be parsed, or is not a "
    "record object (or an array of them). The message gives the line and column.",
    "field-type": "A field of a JSON, CSV or Markdown record has the wrong type: keywords must "
    "be a list of strings, word_count an integer, date an ISO date string.",
    "csv-header": "The first CSV row must be exactly url,headline,keywords,date,word_count,body.",
    "csv-row": "A CSV row has more or fewer cells than the header: a missing quote around a "
    "cell with a comma or a line break is the usual cause.",
    "front-matter-invalid": "A Markdown file has no front matter, or YAML outside the safe "
    "subset archivekit reads (no tags, anchors or custom types).",
    "field-unknown": "A JSON, CSV or front-matter field that is not one of the six record "
    "fields; it is not carried over.",
    "duplicate-url": "Two files of one batch have the same URL (line 1, compared exactly as "
    "written): the same article twice. Reported on the later file, naming the first. It "
    "compares the files of one run only; with --changed-since it still sees every file.",
}


def _example(text: str) -> str:
    if not text:
        return "    (empty)"
    return "\n".join(f"    {line}" for line in text.split("\n"))


def explain(code: str) -> str:
    """The documentation of rule ``code``; raises :class:`UsageError` for an unknown code."""
    rule: Rule | None = RULE_BY_CODE.get(code)
    if rule is None:
        near = difflib.get_close_matches(code, RULE_BY_CODE, n=3)
        hint = f"; did you mean {' or '.join(near)}?" if near else "; archive rules lists them"
        raise UsageError(f"unknown rule code {code!r}{hint}")
    level = "off by default (opt-in)" if rule.opt_in else f"{rule.severity.value} by default"
    details = textwrap.fill(DETAILS.get(code, ""), 79)
    return (
        f"{rule.code} ({level})\n\n{rule.summary}\n\n{details}\n\n"
        f"Bad:\n{_example(rule.bad)}\n\nGood:\n{_example(rule.good)}\n\n"
        f"Change its severity in pyproject.toml:\n\n    [tool.archive.rules]\n"
        f'    {rule.code} = "warning"   # or "error", "off"\n'
    )
