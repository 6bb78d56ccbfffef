"""How the stats reports spell figures: numbers, shares, bars, and the summary lines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Eighths of a block: a bar 0.125 characters fine.
_BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float, largest: float, width: int = 24) -> str:
    """A horizontal bar of ``value`` out of ``largest``, ``width`` characters at most."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(8 * width * value / largest))
    full, part = divmod(eighths, 8)
    return "█" * full + (_BLOCKS[part] if part else "")


def number(value: float | None) -> str:
    """``12,345``, ``0.98``, or ``-`` when there is none."""
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as ``12.3 %`` (``-`` of nothing)."""
    return f"{100 * part / whole:.1f} %" if whole else "-"


def counts(
    mapping: dict[str, int] | Iterable[list[Any]], limit: int | None = None
) -> list[tuple[str, int]]:
    """``{"2011": n}`` or ``[["Mexico", n], ...]`` as (label, count) pairs, ``limit`` at most."""
    pairs = list(mapping.items()) if isinstance(mapping, dict) else [(k, n) for k, n in mapping]
    return pairs[:limit] if limit is not None else pairs


def headline(figures: dict[str, Any]) -> str:
    """The one-line summary: ``20,000 records: 19,990 valid, 10 invalid``."""
    records = figures["records"]
    return (
        f"{number(records)} record{'' if records == 1 else 's'}: "
        f"{number(figures['valid'])} valid, {number(figures['invalid'])} invalid"
    )


def selection_line(figures: dict[str, Any]) -> str | None:
    """What the selection kept, or None when there was none."""
    chosen = figures["selection"]
    if not chosen["active"]:
        return None
    parts = []
    if chosen["since"] or chosen["until"]:
        parts.append(f"dated {chosen['since'] or '...'} to {chosen['until'] or '...'}")
    if chosen["keywords"]:
        how = "all of" if chosen["all_keywords"] else "any of"
        parts.append(f"keywords {how} {', '.join(chosen['keywords'])}")
    if chosen["domains"]:
        parts.append(f"sites {', '.join(chosen['domains'])}")
    text = f"selected {number(chosen['selected'])} of {number(chosen['read'])} records read"
    if parts:
        text += f" ({'; '.join(parts)}: {number(chosen['matched'])} matched)"
    if chosen["dedupe"]:
        text += f"; --dedupe dropped {number(chosen['duplicates_dropped'])} duplicate(s)"
    if chosen["sample"] is not None:
        text += f"; a sample of {chosen['sample']} (seed {chosen['seed']})"
    return text


#: Unread inputs listed by name in a report; the rest are counted.
UNREAD_SHOWN = 10


def unread_lines(figures: dict[str, Any]) -> list[str]:
    """The inputs that could not be read (not counted in any figure), or [] when none.

    A report that silently left inputs out would mislead: the first line says how
    many, then one line each (``UNREAD_SHOWN`` at most): ``path: message [code]``.
    """
    unread = figures.get("unread") or []
    if not unread:
        return []
    count = len(unread)
    inputs = "1 input" if count == 1 else f"{number(count)} inputs"
    lines = [f"{inputs} could not be read and {'is' if count == 1 else 'are'} not counted:"]
    lines += [f"{u['path']}: {u['message']} [{u['code']}]" for u in unread[:UNREAD_SHOWN]]
    if len(unread) > UNREAD_SHOWN:
        lines.append(f"... and {number(len(unread) - UNREAD_SHOWN)} more (--format json lists all)")
    return lines
