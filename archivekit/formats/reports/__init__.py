"""Report formats for ``archive validate --format``: a registry of reporters by name."""

from __future__ import annotations

from archivekit.formats.reports.base import (
    ReportContext,
    Reporter,
    Totals,
    write_report,
)
from archivekit.formats.reports.github import GithubReporter
from archivekit.formats.reports.json import JsonReporter
from archivekit.formats.reports.junit import JunitReporter
from archivekit.formats.reports.sarif import SarifReporter
from archivekit.formats.reports.text import TextReporter

#: Every report format by its ``--format`` name; the first is the default.
REPORTER_BY_NAME: dict[str, type[Reporter]] = {
    cls.name: cls
    for cls in (TextReporter, JsonReporter, GithubReporter, SarifReporter, JunitReporter)
}

__all__ = ["REPORTER_BY_NAME", "ReportContext", "Reporter", "Totals", "write_report"]
