"""Report formats for ``archive validate --format``: a registry of reporters by name.

Each reporter's module is imported when its format is used: a plain run
imports the text report alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from archivekit.reports.base import (
    ReportContext,
    Reporter,
    Totals,
    write_report,
)

#: Each format's module and class, in the order ``--help`` lists them; the first is the default.
_WHERE = {
    "text": ("text", "TextReporter"),
    "json": ("json", "JsonReporter"),
    "github": ("github", "GithubReporter"),
    "sarif": ("sarif", "SarifReporter"),
    "junit": ("junit", "JunitReporter"),
    "gitlab": ("gitlab", "GitlabReporter"),
}


class _Reporters(Mapping[str, type[Reporter]]):
    """The registry: its names are known at once, each class is imported when looked up."""

    def __getitem__(self, name: str) -> type[Reporter]:
        module, cls = _WHERE[name]
        found: type[Reporter] = getattr(
            importlib.import_module(f"archivekit.reports.{module}"), cls
        )
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


#: Every report format by its ``--format`` name; the first is the default.
REPORTER_BY_NAME: Mapping[str, type[Reporter]] = _Reporters()

__all__ = ["REPORTER_BY_NAME", "ReportContext", "Reporter", "Totals", "write_report"]
