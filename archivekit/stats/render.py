"""The figures of ``archive stats`` written out: text, JSON, Markdown or HTML, one function each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

#: The report formats, in the order ``--format`` lists them.
STATS_FORMATS = ("text", "json", "markdown", "html")


def render_json(figures: dict[str, Any], *, colour: bool = False) -> bytes:
    """Every figure as JSON, keys as docs/stats.md gives them."""
    return orjson.dumps(figures, option=orjson.OPT_INDENT_2) + b"\n"


def render_text(figures: dict[str, Any], *, colour: bool = False) -> bytes:
    """A terminal summary with small bar charts (rich); plain text when ``colour`` is off."""
    from archivekit.stats.text import text_report

    return text_report(figures, colour=colour).encode("utf-8")


def render_markdown(figures: dict[str, Any], *, colour: bool = False) -> bytes:
    """Markdown for a CI job summary ($GITHUB_STEP_SUMMARY)."""
    from archivekit.stats.markdown import markdown_report

    return markdown_report(figures).encode("utf-8")


def render_html(figures: dict[str, Any], *, colour: bool = False) -> bytes:
    """One self-contained HTML page with charts (needs the ``stats`` extra: matplotlib)."""
    from archivekit.stats.html import html_report

    return html_report(figures).encode("utf-8")


RENDERERS: dict[str, Callable[..., bytes]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
}


def render(figures: dict[str, Any], fmt: str, *, colour: bool = False) -> bytes:
    """``figures`` in the report format ``fmt`` (one of :data:`STATS_FORMATS`)."""
    return RENDERERS[fmt](figures, colour=colour)
