"""Configuration: ``[tool.archive]`` of the nearest pyproject.toml (or archive.toml), strictly."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from archivekit.errors import ConfigError
from archivekit.files.globs import compile_globs
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
    profile: str | None = None


def find_config(start: str = ".") -> str | None:
    """The nearest configuration file from ``start`` upwards, or None.

    A pyproject.toml without a [tool.archive] table is passed over, so that a
    project's own pyproject.toml does not hide an archive.toml above it.
    """
    folder = os.path.abspath(start)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_table(candidate)):
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


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
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _parse(table: dict[str, Any], path: str) -> Config:
    where = f"{path}: [tool.archive]" if path.endswith("pyproject.toml") else path
    _known(table, KEYS, where)
    tolerance = table.get("word-count-tolerance")
    if tolerance is not None and (
        isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0
    ):
        raise ConfigError(f"{where}: word-count-tolerance must be a number >= 0, not {tolerance!r}")
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
        raise ConfigError(f"{where}: {key} must be a list of glob strings, not {value!r}")
    for glob in value:
        try:
            compile_globs([glob])
        except re.error as exc:
            raise ConfigError(f"{where}: {key}: {glob!r} is not a valid glob: {exc}") from None
    return tuple(value)


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
