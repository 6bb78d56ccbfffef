"""Path globs for the configuration: ``*`` stays in a folder, ``**`` crosses folders."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable


def _translate(pattern: str) -> str:
    # A pattern without a slash matches a file name in any folder, as in .gitignore.
    if "/" not in pattern:
        pattern = "**/" + pattern
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    # A folder pattern also covers everything below it: "legacy" or "legacy/".
    return "".join(out).removesuffix("/") + "(?:/.*)?"


def compile_globs(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any of ``patterns`` (None for no patterns)."""
    parts = [_translate(p.removeprefix("./")) for p in patterns]
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None


def relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` with forward slashes, the form globs match against.

    A path outside ``root`` stays absolute, so that no relative glob matches it.
    """
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, root)
    if rel == ".." or rel.startswith(".." + os.sep):
        rel = absolute
    return rel.replace(os.sep, "/")
