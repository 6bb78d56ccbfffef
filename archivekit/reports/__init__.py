"""Report formats for ``archive validate --format``: a registry of reporters by name."""

from __future__ import annotations

from archivekit.reports.base import (
    ReportContext,
    Reporter,
    Totals,
    write_report,
)
from archivekit.reports.github import GithubReporter
from archivekit.reports.gitlab import GitlabReporter
from archivekit.reports.json import JsonReporter
from archivekit.reports.junit import JunitReporter
from archivekit.reports.sarif import SarifReporter
from archivekit.reports.text import TextReporter

#: Every report format by its ``--format`` name; the first is the default.
REPORTER_BY_NAME: dict[str, type[Reporter]] = {
    cls.name: cls
    for cls in (
        TextReporter,
        JsonReporter,
        GithubReporter,
        SarifReporter,
        JunitReporter,
        GitlabReporter,
    )
}

__all__ = ["REPORTER_BY_NAME", "ReportContext", "Reporter", "Totals", "write_report"]
