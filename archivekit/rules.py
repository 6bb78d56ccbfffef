"""The rule registry: every finding archivekit can report, by its stable code, and its documentation."""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from archivekit.errors import UsageError
from archivekit.files.read import DEFAULT_MAX_BYTES


class Severity(StrEnum):
    """How much a finding matters: an error makes the file invalid."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its code never changes once released.

    ``summary`` is one line (``archive rules``); ``details`` says what exactly
    the rule finds and how to fix it (``archive explain``); ``bad`` and
    ``good`` are examples.
    """

    code: str
    severity: Severity
    summary: str
    bad: str
    good: str
    details: str = ""
    opt_in: bool = False


_E, _W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    # Errors: the file cannot be read as a record.
    Rule(
        "file-empty",
        _E,
        "The file is empty.",
        bad="",
        good="http://…\n(six lines)",
        details=(
            "The file holds no bytes (or only a byte order mark). A record has six lines: "
            "url, headline, keywords, date, word count, body. Fill it in or delete the file."
        ),
    ),
    Rule(
        "read-error",
        _E,
        "The file or directory cannot be read (permissions, a vanished file).",
        bad="chmod 000 a.txt",
        good="chmod 644 a.txt",
        details=(
            "The file or folder could not be read: permissions, a folder where a file was "
            "expected, or a file that vanished during the run. Fix the permissions or the "
            "path."
        ),
    ),
    Rule(
        "file-too-large",
        _E,
        "The file is larger than the size limit (64 MiB unless --max-bytes says otherwise).",
        bad="a 100 MB file",
        good="one article, well under the limit",
        details=(
            "The file is larger than the size limit (64 MiB by default), so it was not read: "
            "only the limit and one byte are. Real articles are far smaller; a file this "
            "large is most likely not a record. Raise the limit with archive --max-bytes SIZE"
            " (or ARCHIVEKIT_MAX_BYTES) if it truly is one."
        ),
    ),
    Rule(
        "field-missing",
        _E,
        "The file has fewer than six lines; each missing field is named.",
        bad="http://example.com/a\nHeadline",
        good="six lines: url, headline, keywords, date, word count, body",
        details=(
            "The file has fewer than six lines; one finding per missing field, naming it. "
            "Keywords may be an empty line, but the line must be there."
        ),
    ),
    Rule(
        "utf8-invalid",
        _E,
        "Bytes that are not UTF-8 (byte offset, line and column given).",
        bad="Caf\\xe9 (Latin-1)",
        good="Café (UTF-8)",
        details=(
            "Bytes that are not UTF-8, with their byte offset, line and column; the message "
            "hints at the encoding when the file looks like Windows-1252 or UTF-16. Convert "
            "it, e.g. iconv -f WINDOWS-1252 -t UTF-8."
        ),
    ),
    Rule(
        "control-char",
        _E,
        "A NUL or other control character (anything but tab), or a lone surrogate, in a field.",
        bad="Head\\x00line",
        good="Headline",
        details=(
            "NUL or another control character (C0 but tab, DEL, C1) in a field, or a line "
            "break inside a one-line field (from other formats). Delete it."
        ),
    ),
    Rule(
        "url-invalid",
        _E,
        "The URL is not an absolute http(s) URL with a host, or holds whitespace.",
        bad="//www.nytimes.com/a.html",
        good="http://www.nytimes.com/a.html",
        details=(
            "Line 1 must be an absolute http or https URL with a host, without whitespace. It"
            " is kept exactly as written: archivekit never normalises it."
        ),
    ),
    Rule(
        "headline-empty",
        _E,
        "The headline line is empty or blank.",
        bad="",
        good="U.S. Widens Role in Mexico",
        details=("Line 2, the headline, is empty or only spaces."),
    ),
    Rule(
        "date-empty",
        _E,
        "The date line is empty.",
        bad="",
        good="Aug. 25, 2011",
        details=(
            "Line 4, the date, is empty (null in JSON, an empty cell in CSV). Under the scraped "
            "profile (--profile scraped) it is a warning and the record carries a null date."
        ),
    ),
    Rule(
        "date-unrecognized",
        _E,
        "The date is in no accepted shape.",
        bad="Published: June 29, 2013",
        good="June 29, 2013",
        details=(
            "The date is in no accepted shape. Accepted: AP style (Aug. 25, 2011), other "
            "month spellings (Aug 25, 2011; August 25, 2011; any letter case) and ISO "
            "2011-08-25. When a date can be found inside the text the message suggests it. "
            "Under the scraped profile (--profile scraped) it is a warning and the date null."
        ),
    ),
    Rule(
        "date-invalid",
        _E,
        "The date is not a real calendar day.",
        bad="Feb. 30, 2012",
        good="Feb. 29, 2012",
        details=(
            "The date has an accepted shape but is no calendar day (Aug. 32, Feb. 30, Feb. 29"
            " of a common year, month 13, day 0). The column points at the day. Under the "
            "scraped profile (--profile scraped) it is a warning and the date null."
        ),
    ),
    Rule(
        "word-count-invalid",
        _E,
        "The word count is not a plain decimal integer >= 0.",
        bad="12.5",
        good="8304",
        details=(
            "Line 5 must be a plain decimal integer from 0 to 2^63 - 1: not empty, not "
            "negative, no sign, no decimals, ASCII digits only. It need not match the body. "
            "Under the scraped profile (--profile scraped) an empty or unreadable count is a "
            "warning and the record carries a null word count."
        ),
    ),
    Rule(
        "body-empty",
        _E,
        "The body is empty or blank.",
        bad="",
        good="WASHINGTON — The Obama administration…",
        details=("The body (line 6 to the end of the file) is empty or only whitespace."),
    ),
    Rule(
        "keyword-invalid",
        _E,
        "A keyword holds a comma or a line break (only possible from other formats).",
        bad='["Obama, Barack"]',
        good='["Obama  Barack"]',
        details=(
            "A keyword holds a comma or a line break. Only possible from formats where "
            "keywords come as a list (JSON, CSV). Write people as 'Last  First'."
        ),
    ),
    # Errors from the other formats: the container, not a field, is wrong.
    Rule(
        "json-invalid",
        _E,
        "A JSON, JSON Lines or front-matter document cannot be parsed, or is not a record object (or an array of them).",
        bad='{"url": "http://…",',
        good='{"url": "http://…", …}',
        details=(
            "A JSON, JSON Lines or front-matter document cannot be parsed, or is not a record"
            " object (or an array of them). The message gives the line and column."
        ),
    ),
    Rule(
        "field-type",
        _E,
        "A field of a JSON, CSV or Markdown record has the wrong type.",
        bad='"keywords": "Mexico,Smuggling"',
        good='"keywords": ["Mexico", "Smuggling"]',
        details=(
            "A field of a JSON, CSV or Markdown record has the wrong type: keywords must be a"
            " list of strings, word_count an integer, date an ISO date string."
        ),
    ),
    Rule(
        "csv-header",
        _E,
        "The CSV header row is not url,headline,keywords,date,word_count,body.",
        bad="link,title,tags",
        good="url,headline,keywords,date,word_count,body",
        details=("The first CSV row must be exactly url,headline,keywords,date,word_count,body."),
    ),
    Rule(
        "csv-row",
        _E,
        "A CSV row has more or fewer cells than the header.",
        bad="http://…,Headline",
        good="http://…,Headline,Mexico,2011-08-25,8304,Body",
        details=(
            "A CSV row has more or fewer cells than the header: a missing quote around a cell"
            " with a comma or a line break is the usual cause."
        ),
    ),
    Rule(
        "front-matter-invalid",
        _E,
        "A Markdown file has no front matter, or YAML outside the safe subset archivekit reads.",
        bad="title: !!python/object …",
        good='title: "Headline"',
        details=(
            "A Markdown file has no front matter, or YAML outside the safe subset archivekit "
            "reads (no tags, anchors or custom types)."
        ),
    ),
    Rule(
        "keyword-too-many",
        _E,
        "More keywords than a record may hold (10,000).",
        bad="a,b,c,… (a million entries)",
        good="Mexico,Drug Trafficking",
        details=(
            "The keywords line holds more than 10,000 entries. Real records have a few dozen;"
            " so many is most likely a broken scrape. Keep the real keywords."
        ),
    ),
    # Warnings: the file is valid, but not in canonical form.
    Rule(
        "bom",
        _W,
        "The file starts with a UTF-8 byte order mark.",
        bad="\\ufeffhttp://…",
        good="http://…",
        details=("The file starts with a UTF-8 byte order mark. Valid; archive fmt removes it."),
    ),
    Rule(
        "crlf",
        _W,
        "The file has CRLF (Windows) line ends.",
        bad="http://…\\r\\n",
        good="http://…\\n",
        details=(
            "The file has Windows (CRLF) line ends; reported once with the count. Valid; "
            "archive fmt writes LF."
        ),
    ),
    Rule(
        "final-newline",
        _W,
        "The file ends with a newline (canonical files do not), or, with final-newline = true, does not.",
        bad="…officials.\\n",
        good="…officials.",
        details=(
            "Canonical files end without a newline (like the seed). Valid; archive fmt removes it."
            " With final-newline = true in [tool.archive] (for editors and pre-commit's "
            "end-of-file-fixer) one LF is the canonical ending instead: a file without it is "
            "reported, and archive fmt and validate --fix add it."
        ),
    ),
    Rule(
        "date-noncanonical",
        _W,
        "The date is accepted but not in AP style.",
        bad="SEPT. 15, 2016",
        good="Sept. 15, 2016",
        details=(
            "The date is accepted but not in AP style (Jan. Feb. March April May June July "
            "Aug. Sept. Oct. Nov. Dec., the day without a leading zero). archive fmt rewrites"
            " it."
        ),
    ),
    Rule(
        "whitespace",
        _W,
        "Spaces around a field or a keyword.",
        bad="Mexico, United States",
        good="Mexico,United States",
        details=(
            "Spaces around a field or around keywords; one finding per field. Valid; archive "
            "fmt trims them."
        ),
    ),
    Rule(
        "keyword-empty",
        _W,
        "An empty keyword entry (two commas, or a comma at an end).",
        bad="Mexico,,Smuggling,",
        good="Mexico,Smuggling",
        details=(
            "Empty keyword entries (two commas in a row, or a comma at an end). Valid; "
            "archive fmt drops them."
        ),
    ),
    Rule(
        "keyword-duplicate",
        _W,
        "The same keyword twice in one record.",
        bad="Mexico,Mexico",
        good="Mexico",
        details=("The same keyword twice in one record. Valid; archive fmt keeps the first."),
    ),
    Rule(
        "word-count-noncanonical",
        _W,
        "The word count has leading zeros.",
        bad="0042",
        good="42",
        details=("The word count has leading zeros. Valid; archive fmt drops them."),
    ),
    Rule(
        "format-guessed",
        _W,
        "A file was read as another format than its extension says, from its content.",
        bad="records.json holding one JSON object per line",
        good="records.jsonl",
        details=(
            "The file's extension names one format but its content is another (a .json file "
            "holding JSON Lines, a .txt file holding CSV or JSON): it failed as its "
            "extension's format and was read as what its first bytes say, which gave valid "
            "records. Rename the file, or give --from FORMAT."
        ),
    ),
    Rule(
        "json-duplicate-key",
        _W,
        "A JSON object gives one key twice; only the last value is used.",
        bad='{"url": "http://a", …, "url": "http://b"}',
        good='{"url": "http://b", …}',
        details=(
            "A JSON or JSON Lines record object gives the same key more than once. JSON "
            "readers keep only the last value (archivekit too), so the first is lost "
            "silently: a hand edit gone wrong, or an attempt to show one value to one "
            "tool and another to the next. Keep one."
        ),
    ),
    Rule(
        "archive-nested",
        _W,
        "An archive (.zip, .tar, .gz) inside an archive: not read.",
        bad="batch.zip holding more.zip",
        good="batch.zip holding the record files",
        details=(
            "A .zip or .tar member that is itself an archive (.zip, .tar, .tar.gz, .tgz, "
            ".gz of one) is not opened: archives are read one level deep, so that a "
            "member cannot multiply the decompression limits. Unpack it and pass it on "
            "its own."
        ),
    ),
    Rule(
        "field-unknown",
        _W,
        "A JSON, CSV or front-matter field archivekit does not know; it is not carried over.",
        bad='"author": "…"',
        good="(only the six record fields)",
        details=(
            "A JSON, CSV or front-matter field that is not one of the six record fields; it "
            "is not carried over."
        ),
    ),
    Rule(
        "body-multiline",
        _W,
        "The body runs over several lines.",
        bad="First.\\nSecond.",
        good="First.Second.",
        details=(
            "The body runs over several lines (scrapers keep paragraph breaks). Valid and "
            "kept as is; turn the rule off in the configuration if your archive does this on "
            "purpose."
        ),
    ),
    Rule(
        "output-name",
        _E,
        "archive convert cannot create this record's output file (its name, from the input).",
        bad="a zip member named with 300 characters, or d.txt beside d.txt/x.txt",
        good="names the file system can hold",
        details=(
            "archive convert --output-dir could not create this record's output file: "
            "the name (mirrored from the input's path, or made from the record) is too "
            "long for the file system, or a file stands where a folder must go (d.txt "
            "beside d.txt/x.txt). The record fails alone: --skip-invalid skips it and "
            "writes the others. Rename the input."
        ),
    ),
    # Opt-in: off unless enabled.
    Rule(
        "word-count-mismatch",
        _W,
        "The declared word count differs from the body's by more than the tolerance (opt-in).",
        bad="8304 for a body of 1168 words",
        good="1168",
        opt_in=True,
        details=(
            "Opt-in: the declared word count differs from the body's whitespace-separated "
            "word count by more than the tolerance (default 0.1, i.e. 10 %). Real archives "
            "rarely match, so it is off unless enabled (--enable word-count-mismatch, or a "
            "severity in [tool.archive.rules])."
        ),
    ),
    # Across files: found by comparing the records of one run.
    Rule(
        "duplicate-url",
        _W,
        "Two files of one batch have the same URL: the same article twice (both paths reported).",
        bad="a.txt and b.txt both: http://www.nytimes.com/a.html",
        good="one file per URL",
        details=(
            "Two files of one batch have the same URL (line 1, compared exactly as written, "
            "or normalised with the option normalise = true in [tool.archive.duplicate-url]: "
            "http and https, www., a trailing slash, the fragment and utm_* and other "
            "tracking parameters ignored): the same article twice. Reported on the later "
            "file, naming the first. It compares the files of one run only; with "
            "--changed-since it still sees every file."
        ),
    ),
)

RULE_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

#: The rules whose finding means an input (or the rest of it) was not read at all:
#: no record to count, and a run that must not end as if all were read.
UNREAD = frozenset({"read-error", "file-too-large"})

#: The rules whose findings ``archive validate --fix`` repairs (dates in an
#: unrecognized shape only when a date can be found in them; see archivekit.fixes).
FIXABLE = frozenset(
    {
        "bom",
        "crlf",
        "final-newline",
        "date-noncanonical",
        "date-unrecognized",
        "whitespace",
        "keyword-empty",
        "keyword-duplicate",
        "word-count-noncanonical",
        "body-multiline",
    }
)

#: Relative tolerance of the opt-in ``word-count-mismatch`` rule: 0.1 allows 10 %.
DEFAULT_WORD_COUNT_TOLERANCE = 0.1

#: The profiles: ``strict`` (every field required, the default) and ``scraped``
#: (a date or word count that is missing or unreadable is null, with a warning).
PROFILES = ("strict", "scraped")

#: Under the ``scraped`` profile, the findings that leave a field null rather
#: than the record invalid: each a warning then, and the record carries null.
NULLABLE: dict[str, frozenset[str]] = {
    "date": frozenset({"date-empty", "date-unrecognized", "date-invalid"}),
    "word_count": frozenset({"word-count-invalid"}),
}


@dataclass(frozen=True, slots=True)
class RuleOptions:
    """Which opt-in rules run, their settings, and the size limit. Picklable, for workers.

    ``max_bytes`` is the file-size limit (``archive --max-bytes``): a record
    file, document, line or cell larger than this is refused unread.
    ``normalise_urls``: ``duplicate-url`` compares URLs normalised
    (:func:`archivekit.urls.normalise_url`), not as written.
    ``profile``: ``strict``, or ``scraped`` to read a missing or unreadable date
    or word count as null with a warning (see :data:`NULLABLE`).
    ``final_newline`` makes one LF the canonical ending of a record file.
    """

    enable: frozenset[str] = frozenset()
    word_count_tolerance: float = DEFAULT_WORD_COUNT_TOLERANCE
    max_bytes: int = DEFAULT_MAX_BYTES
    normalise_urls: bool = False
    #: The canonical ending: one LF when true (``final-newline = true``), none by default.
    final_newline: bool = False
    profile: str = "strict"

    def nullable(self, name: str, codes: Iterable[str]) -> bool:
        """Does this profile let field ``name`` be null, its errors being ``codes``?"""
        allowed = NULLABLE.get(name) if self.profile == "scraped" else None
        return allowed is not None and all(code in allowed for code in codes)

    def __post_init__(self) -> None:
        unknown = sorted(self.enable - RULE_BY_CODE.keys())
        if unknown:
            raise ValueError(f"unknown rule code(s): {', '.join(unknown)}")
        if not self.word_count_tolerance >= 0:
            raise ValueError("the word-count tolerance must be 0 or more")
        if self.max_bytes < 1:
            raise ValueError("the size limit must be at least 1 byte")
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r}: choose from {', '.join(PROFILES)}")


def rule_record(rule: Rule) -> dict[str, object]:
    """One rule as plain values (``archive rules --format json``); the keys are stable."""
    return {
        "code": rule.code,
        "severity": rule.severity.value,
        "default_level": "off" if rule.opt_in else rule.severity.value,
        "opt_in": rule.opt_in,
        "fixable": rule.code in FIXABLE,
        "summary": rule.summary,
        "details": rule.details,
        "bad": rule.bad,
        "good": rule.good,
    }


def _example(text: str) -> str:
    if not text:
        return "    (empty)"
    return "\n".join(f"    {line}" for line in text.split("\n"))


#: ``archive explain TOPIC``: what a pip user has no docs/ folder for.
TOPICS: dict[str, str] = {
    "format": """The archive record format

One article per UTF-8 file, six lines:

    1  URL            http://www.nytimes.com/2011/08/26/world/americas/26drugs.html
    2  headline       U.S. Widens Role in Mexico's Fight Against Crime - The New York Times
    3  keywords       Drug Cartels,Mexico,Calderon  Felipe   (may be empty)
    4  date           Aug. 25, 2011   (AP style)
    5  word count     8304   (as declared; never compared with the body unless enabled)
    6  body           the text, to the end of the file

Canonical form (what archive fmt and validate --fix write): UTF-8 without a byte
order mark, LF line ends, no final newline (one LF with [tool.archive]
final-newline = true), keywords without spaces around the commas, the date in AP
style (Jan. Feb. March April May June July Aug. Sept. Oct. Nov. Dec.; no leading
zero), the word count without leading zeros.

Every rule: archive rules; one rule: archive explain CODE.
""",
    "exit-codes": """Exit status of archive validate

    0  no finding at error level (warnings allowed unless --strict)
    1  at least one error (or any finding with --strict); archive fmt: an
       invalid file, or with --check a file that would change
    2  usage or configuration error: unknown option or rule code, missing path,
       a report path that is also an input, bad configuration or baseline

--exit-zero exits 0 whatever was found (usage errors still exit 2).

A folder named that holds nothing to read (a mistyped path or --glob, most
likely): validate exits 2 ("no files to check"), convert and stats exit 1
("no records found"), fmt exits 0 with a warning (nothing to reformat).
""",
    "config": """Configuration: [tool.archive] in the nearest pyproject.toml (or archive.toml)

    [tool.archive]
    include = ["archive/**/*.txt"]      # globs relative to this file
    exclude = ["archive/drafts/**"]
    word-count-tolerance = 0.1          # of the opt-in word-count-mismatch
    profile = "scraped"                 # or "strict", the default (archive explain scraped)
    final-newline = false               # true: one LF ends a canonical file

    [tool.archive.rules]                # "error", "warning" or "off"
    body-multiline = "off"

    [[tool.archive.overrides]]          # per-path levels
    paths = ["archive/legacy/**"]
    rules = { date-noncanonical = "off" }

--select and --ignore CODE[,CODE] on the command line mean the same as "off"
for every other rule, or for those. archive validate --show-settings prints
what a run would use.
""",
    "scraped": """The scraped profile: --profile scraped, or profile = "scraped" in [tool.archive]

For archives scraped from the web, where many pages give no date or word count.
archive validate and archive convert both take it. Under it:

    date-empty, date-unrecognized, date-invalid   a warning; the date is null
    word-count-invalid                            a warning; the word count is null

The message then ends in "(kept as null: scraped profile)". A null is an empty
line in the text format, null in JSON, an empty CSV cell, a key left out of the
Markdown front matter, null in Parquet and SQLite. Every other rule keeps its
level: a broken URL, an empty headline or a control character in the date line
is still an error. The default profile, strict, makes every field required.

    archive convert scraped/ --profile scraped --to jsonl -o all.jsonl
""",
}


def explain(code: str) -> str:
    """What ``archive explain CODE`` prints; raises :class:`UsageError` for an unknown code.

    ``code`` may also be a topic of :data:`TOPICS` (``format``, ``exit-codes``, ``config``,
    ``scraped``).
    """
    if code in TOPICS:
        return TOPICS[code]
    rule = RULE_BY_CODE.get(code)
    if rule is None:
        near = difflib.get_close_matches(code, [*RULE_BY_CODE, *TOPICS], n=3)
        hint = f"; did you mean {' or '.join(near)}?" if near else "; archive rules lists them"
        raise UsageError(f"unknown rule code {code!r}{hint}")
    level = "off by default (opt-in)" if rule.opt_in else f"{rule.severity.value} by default"
    details = textwrap.fill(rule.details, 79)
    return (
        f"{rule.code} ({level})\n\n{rule.summary}\n\n{details}\n\n"
        f"Bad:\n{_example(rule.bad)}\n\nGood:\n{_example(rule.good)}\n\n"
        f"Change its severity in pyproject.toml:\n\n    [tool.archive.rules]\n"
        f'    {rule.code} = "warning"   # or "error", "off"\n'
    )
