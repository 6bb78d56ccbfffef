"""The record: one article, immutable, valid by construction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr

from archivekit.record import fields

T = TypeVar("T")


def _canonical(check: Callable[[Any], tuple[T | None, list[fields.Problem]]]) -> Callable[[T], T]:
    """Accept a value only if its field check finds it error-free and already normal.

    The text parser normalises (trims spaces, drops empty keywords) with a
    warning; a record holds only the normal form, so that writing it and
    reading it back gives the same record.
    """

    def validate(value: T) -> T:
        normal, problems = check(value)
        blocking = [p for p in problems if p.code != "body-multiline"]
        if blocking or normal != value:
            first = blocking[0] if blocking else None
            raise ValueError(f"[{first.code}] {first.message}" if first else "not normalised")
        return value

    return validate


def _headline(value: str) -> tuple[str | None, list[fields.Problem]]:
    return fields.check_text("headline", value, empty_code="headline-empty")


def _body(value: str) -> tuple[str | None, list[fields.Problem]]:
    return fields.check_text("body", value, empty_code="body-empty", multiline=True)


_HTTP_URL = r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+\S*$"
_ONE_LINE = r"^\S(.*\S)?$"


class Record(BaseModel):
    """One news article: the six fields of an archive record file.

    Immutable. Construct it with keyword arguments or ``Record.model_validate``;
    it refuses values that the archive text format could not hold, so every
    record can be written with :func:`archivekit.dumps` and read back unchanged.
    """

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")

    url: Annotated[
        StrictStr,
        AfterValidator(_canonical(fields.check_url)),
        Field(
            description="Absolute http(s) URL with a host, exactly as written.",
            json_schema_extra={"pattern": _HTTP_URL},
            examples=["http://www.nytimes.com/2011/08/26/world/americas/26drugs.html"],
        ),
    ]
    headline: Annotated[
        StrictStr,
        AfterValidator(_canonical(_headline)),
        Field(
            description="The page title, usually with a site suffix; one line, not blank.",
            json_schema_extra={"pattern": _ONE_LINE},
        ),
    ]
    keywords: Annotated[
        tuple[StrictStr, ...],
        AfterValidator(_canonical(fields.check_keywords)),
        Field(
            strict=False,
            description=(
                "Keywords in source order, unique, none empty, none holding a comma or line break; "
                "people as 'Last  First' (two spaces)."
            ),
            json_schema_extra={
                "items": {"type": "string", "pattern": r"^[^,\s](?:[^,\n\r]*[^,\s])?$"},
                "uniqueItems": True,
            },
        ),
    ]
    date: Annotated[
        dt.date | None,
        Field(
            description=(
                "Publication date (ISO 8601 in JSON); null when the source gave none "
                "or none readable (allowed by the scraped profile)."
            )
        ),
    ]
    word_count: Annotated[
        int | None,
        Field(
            ge=0,
            le=fields.MAX_WORD_COUNT,
            description=(
                "Word count as the source declared it; it need not match the body. "
                "Null when the source gave none (allowed by the scraped profile)."
            ),
        ),
    ]
    body: Annotated[
        StrictStr,
        AfterValidator(_canonical(_body)),
        Field(
            description="The article text; paragraphs run together. Not blank.",
            json_schema_extra={"pattern": r"^\S(?:[\s\S]*\S)?$", "minLength": 1},
        ),
    ]
