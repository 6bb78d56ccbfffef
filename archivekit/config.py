"""Configuration: ``[tool.archive]`` of the nearest pyproject.toml (or archive.toml), strictly."""

from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any

from archivekit.errors import ConfigError
from archivekit.files.globs import compile_globs
from archivekit.files.read import format_size, over_limit, read_file
from archivekit.rules import PROFILES, RULE_BY_CODE

#: Looked for in the current folder, then each parent; the first found wins.
#: archive.toml holds the keys at its top level; pyproject.toml under [tool.archive].
CONFIG_NAMES = ("archive.toml", "pyproject.toml")
LEVELS = ("error", "warning", "off")
KEYS = (
    "include",
    "exclude",
    "rules",
    "overrides",
    "word-count-tolerance",
    "final-newline",
    "profile",
    "duplicate-url",
)
OVERRIDE_KEYS = ("paths", "rules")
#: Options of the duplicate-url rule ([tool.archive.duplicate-url]); both spellings.
DUPLICATE_URL_KEYS = ("normalise", "normalize")


@dataclass(frozen=True, slots=True)
class Override:
    """Rule levels for the files matching some globs."""

    paths: tuple[str, ...]
    rules: dict[str, str]


@dataclass(frozen=True, slots=True)
class Config:
    """What a configuration file says; globs are relative to ``root``, its folder."""

    root: str
    source: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    rules: dict[str, str] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    word_count_tolerance: float | None = None
    normalise_urls: bool = False
    #: One LF ends a canonical file (for editors and pre-commit's end-of-file-fixer).
    final_newline: bool = False
    profile: str | None = None


#: A configuration file is short; a bigger one is hostile (tomllib holds it whole).
MAX_CONFIG_BYTES = 1 << 20
#: Globs per list (include, exclude, each override's paths): every file is matched
#: against all of them, so 200,000 globs made every run slow.
MAX_GLOBS = 1000


def find_config(start: str = ".") -> str | None:
    """The nearest configuration file from ``start`` upwards, or None.

    A pyproject.toml without a [tool.archive] table is passed over, so that a
    project's own pyproject.toml does not hide an archive.toml above it.
    The search stops at the top of the git work tree (a folder holding
    ``.git``), and skips files owned by another user than the current one or
    root, as git's ``safe.directory`` does: in a shared, world-writable
    parent folder anyone could otherwise turn rules off for everyone below it.
    """
    folder = os.path.abspath(start)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if (
                os.path.isfile(candidate)
                and _trusted(candidate)
                and (name != "pyproject.toml" or _has_table(candidate))
            ):
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder or os.path.lexists(os.path.join(folder, ".git")):
            return None
        folder = parent


def _trusted(path: str) -> bool:
    """Is ``path`` owned by the current user or root (where ownership exists)?"""
    if not hasattr(os, "geteuid"):
        return True
    try:
        owner = os.stat(path).st_uid
    except OSError:
        return False
    return owner in (0, os.geteuid())


def load_config(path: str | None = None, *, start: str = ".") -> Config:
    """Read the configuration at ``path``, or the nearest one; an empty one when there is none.

    Raises :class:`ConfigError` naming the file and the key for anything it does
    not understand: a typo must never be silently ignored.
    """
    path = path or find_config(start)
    if path is None:
        return Config(root=os.path.abspath(start))
    table: Any = _read(path)
    if os.path.basename(path) == "pyproject.toml" or "tool" in table:
        tool = table.get("tool", {})
        table = tool.get("archive", {}) if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.archive] must be a table")
    return _parse(table, path)


def _has_table(path: str) -> bool:
    tool = _read(path).get("tool")
    return isinstance(tool, dict) and "archive" in tool


def _read(path: str) -> dict[str, Any]:
    import tomllib  # only when a configuration file exists: start-up time

    try:
        data, size = read_file(path, MAX_CONFIG_BYTES)
        if over_limit(data, size, MAX_CONFIG_BYTES):
            raise ConfigError(
                f"{path}: the configuration is {format_size(max(size, len(data)))}, "
                f"over the {format_size(MAX_CONFIG_BYTES)} a configuration file may have"
            )
        return tomllib.loads(data.decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start + 1}): TOML must be") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib nests a call per level of arrays and inline tables
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None


def _parse(table: dict[str, Any], path: str) -> Config:
    where = f"{path}: [tool.archive]" if path.endswith("pyproject.toml") else path
    _known(table, KEYS, where)
    tolerance = table.get("word-count-tolerance")
    if tolerance is not None and (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or not math.isfinite(tolerance)
        or tolerance < 0
    ):
        raise ConfigError(f"{where}: word-count-tolerance must be a number >= 0, not {tolerance!r}")
    final_newline = table.get("final-newline", False)
    if not isinstance(final_newline, bool):
        raise ConfigError(f"{where}: final-newline must be true or false, not {final_newline!r}")
    profile = table.get("profile")
    if profile is not None and profile not in PROFILES:
        raise ConfigError(f"{where}: profile = {profile!r}: use one of {', '.join(PROFILES)}")
    overrides = table.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, dict) for o in overrides):
        raise ConfigError(
            f"{where}: overrides must be an array of tables ([[tool.archive.overrides]])"
        )
    parsed = []
    for number, override in enumerate(overrides, 1):
        place = f"{where} overrides #{number}"
        _known(override, OVERRIDE_KEYS, place)
        if "paths" not in override:
            raise ConfigError(f'{place}: give the files it applies to as paths = ["glob", ...]')
        parsed.append(Override(_globs(override, "paths", place), _rules(override, place)))
    return Config(
        normalise_urls=_duplicate_url(table, where),
        root=os.path.dirname(os.path.abspath(path)),
        source=path,
        include=_globs(table, "include", where),
        exclude=_globs(table, "exclude", where),
        rules=_rules(table, where),
        overrides=tuple(parsed),
        word_count_tolerance=None if tolerance is None else float(tolerance),
        final_newline=final_newline,
        profile=profile,
    )


def _duplicate_url(table: dict[str, Any], where: str) -> bool:
    """``[tool.archive.duplicate-url] normalise = true``: compare URLs normalised."""
    options = table.get("duplicate-url", {})
    place = f"{where} duplicate-url"
    if not isinstance(options, dict):
        raise ConfigError(f"{place}: must be a table, such as {{ normalise = true }}")
    _known(options, DUPLICATE_URL_KEYS, place)
    values = [options[key] for key in DUPLICATE_URL_KEYS if key in options]
    if not all(isinstance(value, bool) for value in values):
        raise ConfigError(f"{place}: normalise must be true or false")
    return any(values)


def _known(table: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in keys:
            near = difflib.get_close_matches(key, keys, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else f" (known: {', '.join(keys)})"
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")


def _globs(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: {key} must be a list of glob strings, not {_short(value)}")
    if len(value) > MAX_GLOBS:
        raise ConfigError(f"{where}: {key}: {len(value)} globs, more than {MAX_GLOBS}")
    try:
        compile_globs(value)  # all at once; one by one only to name a bad one
    except re.error:
        for glob in value:
            try:
                compile_globs([glob])
            except re.error as exc:
                raise ConfigError(f"{where}: {key}: {glob!r} is not a valid glob: {exc}") from None
        raise ConfigError(f"{where}: {key}: the globs do not compile together") from None
    return tuple(value)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _rules(table: dict[str, Any], where: str) -> dict[str, str]:
    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{where}: rules must be a table of rule code = level")
    for code, level in rules.items():
        if code not in RULE_BY_CODE:
            near = difflib.get_close_matches(code, RULE_BY_CODE, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else " (archive rules lists them)"
            raise ConfigError(f"{where}: unknown rule code {code!r}{hint}")
        if level not in LEVELS:
            raise ConfigError(f"{where}: rule {code} = {level!r}: use one of {', '.join(LEVELS)}")
    return dict(rules)
