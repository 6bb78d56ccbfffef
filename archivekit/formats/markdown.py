"""Markdown with YAML front matter, for Hugo, Jekyll and Obsidian: one record per file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from archivekit.diagnostics import ParseResult, failed
from archivekit.errors import FrontMatterError
from archivekit.formats import FormatOptions, frontmatter
from archivekit.formats.base import record_from_values
from archivekit.record.fields import FIELDS
from archivekit.record.model import Record

#: Front-matter keys, in the order they are written.
KEYS = ("title", "date", "tags", "keywords", "source_url", "word_count", "paragraphs")
#: What the ``paragraphs`` key says when the body was split for reading.
SPLIT = "split"
_FENCE = "---"


# A paragraph join in the scraped bodies: a sentence end straight after a
# lower-case letter or digit, then a capital with no space ("officials.Mexican",
# "café.Then", "señor.Él"), or after a closing quote ('said.”The'). Letters of
# any script count (str.islower/isupper, not ASCII classes); requiring the
# lower-case letter keeps "U.S.Mexico" and "D.E.A." whole.
_CANDIDATE = re.compile(r"(?<=\w)[.!?][\"”’'»]?(?=[\w“\"«‘¿¡])")
_OPENING = frozenset('“"«‘¿¡')


def _join(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    before, after = text[start - 1], text[end]
    if (before.islower() or before.isdigit()) and (
        after.isupper() or after.istitle() or after in _OPENING
    ):
        return match.group() + "\n\n"
    return match.group()


def split_paragraphs(body: str) -> str:
    """Put a blank line at each run-together paragraph join of a one-line body."""
    return _CANDIDATE.sub(_join, body)


def join_paragraphs(body: str) -> str:
    """Undo :func:`split_paragraphs`."""
    return body.replace("\n\n", "")


def dump(record: Record, options: FormatOptions) -> bytes:
    """Front matter, the headline as a level-1 heading, a blank line and the body."""
    body = record.body
    # Only a one-line body is split: then every blank line is ours, and reading undoes it exactly.
    split_body = split_paragraphs(body) if options.paragraphs and "\n" not in body else body
    split = split_body != body
    items: list[tuple[str, Any]] = [
        ("title", record.headline),
        ("date", None if record.date is None else record.date.isoformat()),
        ("tags", list(record.keywords)),
        ("keywords", list(record.keywords)),
        ("source_url", record.url),
        ("word_count", record.word_count),
    ]
    # A null date or word count (scraped profile) is left out: Hugo reads a missing
    # date as none, and the reader takes a missing field as null under that profile.
    items = [(key, value) for key, value in items if value is not None]
    if split:
        items.append(("paragraphs", SPLIT))
        body = split_body
    heading = f"# {record.headline}"
    # Without --heading the title is the front matter's alone (Hugo themes show it: a
    # heading too would show it twice). A body whose first line is that very heading
    # gets one anyway, so that reading (which drops one such line) gives it back whole.
    if options.heading or body.split("\n", 1)[0] == heading:
        body = f"{heading}\n\n{body}"
    text = f"{_FENCE}\n{frontmatter.dumps(items)}{_FENCE}\n\n{body}\n"
    return text.encode("utf-8")


def load(data: bytes, path: str, options: FormatOptions) -> Iterator[ParseResult]:
    """The record of one Markdown file: fields from the front matter, the body after the heading."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"byte offset {exc.start} is not UTF-8: save the file as UTF-8"
        yield failed(path, "utf8-invalid", message)
        return
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.rstrip() == _FENCE), 0)
    if not lines or lines[0].rstrip() != _FENCE or not end:
        message = (
            "no front matter: the file must start with a '---' line, the YAML "
            "fields, and a closing '---' line"
        )
        yield failed(path, "front-matter-invalid", message)
        return
    try:
        values, where = frontmatter.loads("\n".join(lines[1:end]), first_line=2)
    except FrontMatterError as exc:
        yield failed(path, "front-matter-invalid", str(exc), exc.line)
        return
    title = values.get("title")
    body_line, body = _body(lines, end, f"# {title}" if isinstance(title, str) else None)
    split = values.pop("paragraphs", None) == SPLIT
    fields: dict[str, Any] = {}
    for key, value in values.items():
        fields[_RENAMED.get(key, key)] = value
    tags = fields.pop("tags", None)
    if "keywords" not in fields and tags is not None:
        fields["keywords"] = tags
    fields["body"] = join_paragraphs(body) if split else body
    lines_of = {_RENAMED.get(k, k): n for k, n in where.items()}
    lines_of["body"] = body_line
    yield record_from_values(
        fields,
        path=path,
        where=lambda name: (lines_of.get(name, 1), 1),
        known=(*FIELDS, "tags"),
        keep=options.keep_records,
        options=options.rules,
    )


#: Front-matter keys that name a record field differently.
_RENAMED = {"title": "headline", "source_url": "url"}


def _body(lines: list[str], end: int, heading: str | None) -> tuple[int, str]:
    """The body: after the front matter and the headline as a heading (if there), no final newline.

    Files written with or without ``--heading`` read the same: a first line that is
    exactly ``# `` and the title is the heading, not the body.
    """
    rest = lines[end + 1 :]
    start = end + 1
    while rest and not rest[0].strip():
        rest, start = rest[1:], start + 1
    if rest and heading is not None and rest[0].rstrip() == heading:
        rest, start = rest[1:], start + 1
        if rest and not rest[0]:
            rest, start = rest[1:], start + 1
    text = "\n".join(rest)
    return start + 1, text.removesuffix("\n")
