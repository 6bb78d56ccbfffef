"""``archive stats --format html``: one self-contained page, matplotlib charts as inline SVG.

Nothing on the page asks any other host for anything: no script, no font,
no style sheet, no image file; the charts are SVG with their text drawn as
paths, so the page looks the same in every browser, offline.
"""

from __future__ import annotations

import html
import io
import re
import warnings
from typing import TYPE_CHECKING, Any

from archivekit.errors import MissingExtra
from archivekit.stats.labels import (
    counts,
    headline,
    number,
    percent,
    selection_line,
    unread_lines,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Bars drawn in the ranked charts (sites, keywords, people, findings).
BARS = 15
LABEL = 38
_COLOUR = "#3b6ea8"
_SECOND = "#d9822b"
_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       margin: 0 auto; max-width: 1100px; padding: 1.5rem; color: #1d2433; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #dde3ec; }
.lead { font-size: 1.1rem; }
.muted { color: #5b6577; }
.warn { border-left: 4px solid #c62828; background: #fdecea; padding: .4rem 1rem; margin: .8rem 0; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
.card { border: 1px solid #dde3ec; border-radius: 6px; padding: .5rem .9rem; min-width: 8rem; }
.card b { display: block; font-size: 1.35rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 1rem; }
figure { margin: 0; border: 1px solid #dde3ec; border-radius: 6px; padding: .5rem; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-weight: 600; margin: .2rem .3rem .4rem; }
table { border-collapse: collapse; margin: .5rem 0; }
td, th { padding: .2rem .7rem; border-bottom: 1px solid #edf0f5; text-align: right; }
td:first-child, th:first-child { text-align: left; }
"""


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise MissingExtra.for_module("matplotlib", "stats") from None
    return matplotlib


def _svg(figure: Figure, salt: str) -> str:
    """The figure as an inline ``<svg>`` element (no XML prologue, ids unique to ``salt``)."""
    matplotlib = _matplotlib()
    buffer = io.StringIO()
    settings = {"svg.hashsalt": salt, "svg.fonttype": "path"}
    with matplotlib.rc_context(settings), warnings.catch_warnings():
        # A glyph DejaVu Sans lacks (CJK, Thai) is drawn as a box: not worth a warning.
        warnings.simplefilter("ignore")
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    start = text.index("<svg")
    svg = text[start:]
    # Scale with the page: keep the viewBox, drop the fixed size in points.
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    return svg.replace("<svg", f'<svg role="img" aria-label="{html.escape(salt)}"', 1)


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    _matplotlib()
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _whole() -> Any:
    """Ticks on whole numbers only (records, years)."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _short(label: str) -> str:
    label = label or "(none)"
    return label if len(label) <= LABEL else label[: LABEL - 1] + "…"


def _ranked_chart(pairs: list[tuple[str, int]], salt: str, *, unit: str, empty: str) -> str:
    pairs = pairs[:BARS]
    figure, axes = _figure(6.4, 0.7 + 0.32 * max(len(pairs), 2))
    if not pairs:
        axes.text(0.5, 0.5, empty, ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return _svg(figure, salt)
    labels = [_short(name) for name, _ in reversed(pairs)]
    values = [count for _, count in reversed(pairs)]
    bars = axes.barh(range(len(values)), values, color=_COLOUR)
    axes.set_yticks(range(len(values)), labels)
    axes.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3, fontsize=8)
    axes.set_xlabel(unit)
    axes.xaxis.set_major_locator(_whole())
    axes.margins(x=0.12)
    return _svg(figure, salt)


def _years_chart(by_year: dict[str, int]) -> str:
    figure, axes = _figure(10, 3.2)
    if not by_year:
        axes.text(0.5, 0.5, "no dated records", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return _svg(figure, "records-per-year")
    years = [int(year) for year in by_year]
    axes.bar(years, list(by_year.values()), color=_COLOUR, width=0.8)
    axes.set_ylabel("records")
    axes.xaxis.set_major_locator(_whole())
    axes.yaxis.set_major_locator(_whole())
    return _svg(figure, "records-per-year")


def _words_chart(words: dict[str, Any]) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 3.8), dpi=100)
    heat, spread = figure.subplots(1, 2, width_ratios=(1, 1.3))
    edges = words["joint"]["edges"]
    cells = words["joint"]["counts"]
    if cells:
        size = len(edges)
        grid = [[0] * size for _ in range(size)]
        for declared, counted, n in cells:
            grid[counted][declared] = n
        used = sorted({d for d, _, _ in cells} | {c for _, c, _ in cells})
        low, high = used[0], used[-1] + 1
        sub = [row[low:high] for row in grid[low:high]]
        positions = list(range(high - low + 1))
        mesh = heat.pcolormesh(positions, positions, sub, cmap="Blues")
        figure.colorbar(mesh, ax=heat, label="records")
        ticks = [f"{edges[i]:,g}" for i in range(low, high + 1) if i < size] + ["∞"]
        heat.set_xticks(positions, ticks[: len(positions)], rotation=60, fontsize=7)
        heat.set_yticks(positions, ticks[: len(positions)], fontsize=7)
        heat.plot([0, high - low], [0, high - low], color=_SECOND, linewidth=1, label="equal")
        heat.legend(loc="upper left", fontsize=7)
    else:
        heat.text(0.5, 0.5, "no declared counts", ha="center", va="center")
        heat.set_axis_off()
    heat.set_xlabel("declared words")
    heat.set_ylabel("words counted in the body")
    shown: set[int] = set()
    for name, colour in (("declared", _COLOUR), ("counted", _SECOND)):
        bins = words[name]["histogram"]
        if bins:
            # On the edges' own positions, so that both series share one axis.
            at = [edges.index(low) for low, _, _ in bins]
            shown.update(at)
            values = [n for _, _, n in bins]
            spread.step(at, values, where="mid", color=colour, label=name, linewidth=2)
    if shown:
        places = list(range(min(shown), max(shown) + 1))
        spread.set_xticks(places, labels=[f"{edges[i]:,g}+" for i in places])
    spread.yaxis.set_major_locator(_whole())
    spread.set_ylabel("records")
    spread.set_xlabel("words")
    spread.tick_params(axis="x", rotation=60, labelsize=7)
    spread.legend(fontsize=8)
    for axes in (heat, spread):
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    figure.tight_layout()
    return _svg(figure, "word-counts")


def _rows(pairs: list[tuple[str, int]], total: int) -> str:
    body = "".join(
        f"<tr><td>{html.escape(name or '(none)')}</td><td>{number(n)}</td>"
        f"<td>{percent(n, total)}</td></tr>"
        for name, n in pairs
    )
    return f"<table><tr><th></th><th>records</th><th>share</th></tr>{body}</table>"


def _card(label: str, value: str) -> str:
    return f'<div class="card"><b>{html.escape(value)}</b>{html.escape(label)}</div>'


def html_report(figures: dict[str, Any]) -> str:
    """The whole page (raises MissingExtra without matplotlib: ``archivekit[stats]``)."""
    _matplotlib()
    valid = figures["valid"]
    words = figures["word_count"]
    dates = figures["dates"]
    duplicates = figures["duplicates"]
    chosen = selection_line(figures)
    span = f"{dates['first']} to {dates['last']}" if dates["first"] else "no dates"
    cards = "".join(
        (
            _card("records", number(figures["records"])),
            _card("valid", number(valid)),
            _card("invalid", number(figures["invalid"])),
            _card("sites", number(len(figures["by_domain"]))),
            _card("distinct keywords", number(figures["keywords"]["distinct"])),
            _card("exact duplicate URLs", number(duplicates["exact"])),
            _card("normalised duplicates", number(duplicates["normalised"])),
        )
    )
    distributions = "".join(
        f"<tr><td>{label}</td>"
        + "".join(
            f"<td>{number(dist[k])}</td>" for k in ("min", "p10", "p50", "mean", "p90", "max")
        )
        + "</tr>"
        for label, dist in (
            ("declared words", words["declared"]),
            ("counted words", words["counted"]),
            ("declared / counted", words["ratio"]),
            ("body characters", figures["body_length"]),
        )
    )
    sections = [
        ("Records per year", _years_chart(figures["by_year"]), ""),
        (
            "Sites",
            _ranked_chart(counts(figures["by_domain"]), "sites", unit="records", empty="no sites"),
            _rows(counts(figures["by_suffix"], BARS), valid).replace(
                "<th></th>", "<th>headline suffix</th>", 1
            ),
        ),
        (
            "Top keywords",
            _ranked_chart(
                counts(figures["top_keywords"]), "keywords", unit="records", empty="no keywords"
            ),
            "",
        ),
        (
            "Top people",
            _ranked_chart(
                counts(figures["top_people"]), "people", unit="records", empty="no people"
            ),
            "",
        ),
        (
            "Findings per rule",
            _ranked_chart(
                counts(figures["findings"]), "findings", unit="findings", empty="no findings"
            ),
            "",
        ),
    ]
    charts = "".join(
        f"<figure><figcaption>{html.escape(title)}</figcaption>{svg}{extra}</figure>"
        for title, svg, extra in sections[1:]
    )
    years_title, years_svg, _ = sections[0]
    inputs = ", ".join(figures.get("inputs", []))
    unread = unread_lines(figures)
    warning = (
        f'<div class="warn"><p>{html.escape(unread[0])}</p><ul>'
        + "".join(f"<li><code>{html.escape(line)}</code></li>" for line in unread[1:])
        + "</ul></div>"
        if unread
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Archive statistics</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Archive statistics</h1>
<p class="lead">{html.escape(headline(figures))}; dates {html.escape(span)}.</p>
<p class="muted">{html.escape(inputs)}</p>
{warning}
{f"<p>{html.escape(chosen)}</p>" if chosen else ""}
<div class="cards">{cards}</div>
<h2>{years_title}</h2>
<figure>{years_svg}</figure>
<div class="grid">{charts}</div>
<h2>Word counts: declared against counted</h2>
<figure>{_words_chart(words)}</figure>
<table><tr><th></th><th>min</th><th>p10</th><th>median</th><th>mean</th><th>p90</th><th>max</th></tr>
{distributions}</table>
<p>Declared within 10 % of the body's count: {number(words["ratio_within_10_percent"])} of
{number(words["declared"]["count"])}; declared 0: {number(words["declared_zero"])};
none declared: {number(words["declared_missing"])}.</p>
</body>
</html>
"""
