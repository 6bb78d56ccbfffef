"""The rule registry: every finding archivekit can report, by its stable code."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from archivekit.files.read import default_max_bytes


class Severity(StrEnum):
    """How much a finding matters: an error makes the file invalid."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its code never changes once released."""

    code: str
    severity: Severity
    summary: str
    bad: str
    good: str
    opt_in: bool = False


_E, _W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    # Errors: the file cannot be read as a record.
    Rule("file-empty", _E, "The file is empty.", "", "http://…\n(six lines)"),
    Rule(
        "read-error",
        _E,
        "The file or directory cannot be read (permissions, a vanished file).",
        "chmod 000 a.txt",
        "chmod 644 a.txt",
    ),
    Rule(
        "file-too-large",
        _E,
        "The file is larger than the size limit (64 MiB unless --max-bytes says otherwise).",
        "a 100 MB file",
        "one article, well under the limit",
    ),
    Rule(
        "field-missing",
        _E,
        "The file has fewer than six lines; each missing field is named.",
        "http://example.com/a\nHeadline",
        "six lines: url, headline, keywords, date, word count, body",
    ),
    Rule(
        "utf8-invalid",
        _E,
        "Bytes that are not UTF-8 (byte offset, line and column given).",
        "Caf\\xe9 (Latin-1)",
        "Café (UTF-8)",
    ),
    Rule(
        "control-char",
        _E,
        "A NUL or other control character (anything but tab), or a lone surrogate, in a field.",
        "Head\\x00line",
        "Headline",
    ),
    Rule(
        "url-invalid",
        _E,
        "The URL is not an absolute http(s) URL with a host, or holds whitespace.",
        "//www.nytimes.com/a.html",
        "http://www.nytimes.com/a.html",
    ),
    Rule(
        "headline-empty",
        _E,
        "The headline line is empty or blank.",
        "",
        "U.S. Widens Role in Mexico",
    ),
    Rule("date-empty", _E, "The date line is empty.", "", "Aug. 25, 2011"),
    Rule(
        "date-unrecognized",
        _E,
        "The date is in no accepted shape.",
        "Published: June 29, 2013",
        "June 29, 2013",
    ),
    Rule(
        "date-invalid", _E, "The date is not a real calendar day.", "Feb. 30, 2012", "Feb. 29, 2012"
    ),
    Rule(
        "word-count-invalid",
        _E,
        "The word count is not a plain decimal integer >= 0.",
        "12.5",
        "8304",
    ),
    Rule(
        "body-empty",
        _E,
        "The body is empty or blank.",
        "",
        "WASHINGTON — The Obama administration…",
    ),
    Rule(
        "keyword-invalid",
        _E,
        "A keyword holds a comma or a line break (only possible from other formats).",
        '["Obama, Barack"]',
        '["Obama  Barack"]',
    ),
    # Errors from the other formats (archive convert): the container, not a field, is wrong.
    Rule(
        "json-invalid",
        _E,
        "A JSON, JSON Lines or front-matter document cannot be parsed, or is "
        "not a record object (or an array of them).",
        '{"url": "http://…",',
        '{"url": "http://…", …}',
    ),
    Rule(
        "field-type",
        _E,
        "A field of a JSON, CSV or Markdown record has the wrong type.",
        '"keywords": "Mexico,Smuggling"',
        '"keywords": ["Mexico", "Smuggling"]',
    ),
    Rule(
        "csv-header",
        _E,
        "The CSV header row is not url,headline,keywords,date,word_count,body.",
        "link,title,tags",
        "url,headline,keywords,date,word_count,body",
    ),
    Rule(
        "csv-row",
        _E,
        "A CSV row has more or fewer cells than the header.",
        "http://…,Headline",
        "http://…,Headline,Mexico,2011-08-25,8304,Body",
    ),
    Rule(
        "front-matter-invalid",
        _E,
        "A Markdown file has no front matter, or YAML outside the safe subset archivekit reads.",
        "title: !!python/object …",
        'title: "Headline"',
    ),
    Rule(
        "keyword-too-many",
        _E,
        "More keywords than a record may hold (10,000).",
        "a,b,c,… (a million entries)",
        "Mexico,Drug Trafficking",
    ),
    # Warnings: the file is valid, but not in canonical form.
    Rule("bom", _W, "The file starts with a UTF-8 byte order mark.", "\\ufeffhttp://…", "http://…"),
    Rule("crlf", _W, "The file has CRLF (Windows) line ends.", "http://…\\r\\n", "http://…\\n"),
    Rule(
        "final-newline",
        _W,
        "The file ends with a newline (canonical files do not).",
        "…officials.\\n",
        "…officials.",
    ),
    Rule(
        "date-noncanonical",
        _W,
        "The date is accepted but not in AP style.",
        "SEPT. 15, 2016",
        "Sept. 15, 2016",
    ),
    Rule(
        "whitespace",
        _W,
        "Spaces around a field or a keyword.",
        "Mexico, United States",
        "Mexico,United States",
    ),
    Rule(
        "keyword-empty",
        _W,
        "An empty keyword entry (two commas, or a comma at an end).",
        "Mexico,,Smuggling,",
        "Mexico,Smuggling",
    ),
    Rule(
        "keyword-duplicate", _W, "The same keyword twice in one record.", "Mexico,Mexico", "Mexico"
    ),
    Rule("word-count-noncanonical", _W, "The word count has leading zeros.", "0042", "42"),
    Rule(
        "field-unknown",
        _W,
        "A JSON, CSV or front-matter field archivekit does not know; it is not carried over.",
        '"author": "…"',
        "(only the six record fields)",
    ),
    Rule(
        "body-multiline",
        _W,
        "The body runs over several lines.",
        "First.\\nSecond.",
        "First.Second.",
    ),
    # Opt-in: off unless enabled.
    Rule(
        "word-count-mismatch",
        _W,
        "The declared word count differs from the body's by more than the tolerance (opt-in).",
        "8304 for a body of 1168 words",
        "1168",
        opt_in=True,
    ),
    # Across files: found by comparing the files of one run.
    Rule(
        "duplicate-url",
        _W,
        "Two files of one batch have the same URL: the same article twice (both paths reported).",
        "a.txt and b.txt both: http://www.nytimes.com/a.html",
        "one file per URL",
    ),
)

RULE_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

#: Relative tolerance of the opt-in ``word-count-mismatch`` rule: 0.1 allows 10 %.
DEFAULT_WORD_COUNT_TOLERANCE = 0.1


@dataclass(frozen=True, slots=True)
class RuleOptions:
    """Which opt-in rules run, their settings, and the size limit. Picklable, for workers.

    ``max_bytes`` defaults to :func:`archivekit.files.read.default_max_bytes`
    at construction (64 MiB, or what ``--max-bytes`` set).
    """

    enable: frozenset[str] = frozenset()
    word_count_tolerance: float = DEFAULT_WORD_COUNT_TOLERANCE
    max_bytes: int = field(default_factory=default_max_bytes)

    def __post_init__(self) -> None:
        unknown = sorted(self.enable - RULE_BY_CODE.keys())
        if unknown:
            raise ValueError(f"unknown rule code(s): {', '.join(unknown)}")
        if not self.word_count_tolerance >= 0:
            raise ValueError("the word-count tolerance must be 0 or more")
        if self.max_bytes < 1:
            raise ValueError("the size limit must be at least 1 byte")
