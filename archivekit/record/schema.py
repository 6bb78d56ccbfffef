"""The record's JSON Schema, generated from the model (and committed in schemas/)."""

from __future__ import annotations

from typing import Any

import orjson

from archivekit.record.model import Record

SCHEMA_ID = "https://archivekit.invalid/schemas/record.schema.json"


def record_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one record in its JSON form."""
    schema = Record.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def record_schema_json() -> str:
    """The schema as the committed file holds it: two-space indents, final newline."""
    return orjson.dumps(record_schema(), option=orjson.OPT_INDENT_2).decode() + "\n"
