"""``archive schema``: the JSON Schema of a record in its JSON form."""

from __future__ import annotations

import sys

EPILOG = "Example:\n\n  archive schema > record.schema.json"


def schema() -> None:
    """Print the JSON Schema of a record in its JSON form (draft 2020-12)."""
    from archivekit.record.schema import record_schema_json

    sys.stdout.write(record_schema_json())
