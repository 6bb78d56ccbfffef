"""Rule levels from the configuration, applied to results after parsing: a pure function."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from re import Pattern

from archivekit.config import Config
from archivekit.diagnostics import ParseResult
from archivekit.errors import UsageError
from archivekit.files.globs import compile_globs, relative
from archivekit.files.read import DEFAULT_MAX_BYTES
from archivekit.rules import (
    DEFAULT_WORD_COUNT_TOLERANCE,
    PROFILES,
    RULE_BY_CODE,
    RULES,
    RuleOptions,
    Severity,
)


@dataclass(frozen=True, slots=True)
class Policy:
    """The level of each rule, per path. Picklable, so it can run in worker processes.

    ``levels`` holds the configured level of some rules (the others keep their
    default); an empty policy leaves results untouched at no cost.
    """

    levels: dict[str, str] = field(default_factory=dict)
    overrides: tuple[tuple[Pattern[str], dict[str, str]], ...] = ()
    root: str = "."

    def levels_for(self, path: str) -> dict[str, str]:
        """Every configured level at ``path``: the global ones, then matching overrides."""
        if not self.overrides:
            return self.levels
        rel = relative(path, self.root)
        levels = dict(self.levels)
        for pattern, override in self.overrides:
            if pattern.fullmatch(rel):
                levels.update(override)
        return levels

    def is_on(self, code: str) -> bool:
        """False when rule ``code`` is off for every path, so its work can be skipped."""
        default = "off" if RULE_BY_CODE[code].opt_in else RULE_BY_CODE[code].severity.value
        if self.levels.get(code, default) != "off":
            return True
        return any(levels.get(code, "off") != "off" for _, levels in self.overrides)

    def apply(self, result: ParseResult) -> ParseResult:
        """``result`` with each finding at its configured level; findings turned off dropped."""
        if not result.diagnostics or not (self.levels or self.overrides):
            return result
        levels = self.levels_for(result.path)
        kept = []
        changed = False
        for d in result.diagnostics:
            level = levels.get(d.code)
            if level is None or level == d.severity.value:
                kept.append(d)
            elif level != "off":
                kept.append(dataclasses.replace(d, severity=Severity(level)))
            changed = changed or level not in (None, d.severity.value)
        return dataclasses.replace(result, diagnostics=tuple(kept)) if changed else result


def profile_of(config: Config, profile: str | None = None) -> str:
    """The profile of a run: ``profile`` (the command line), else the configuration's, else strict.

    Raises :class:`UsageError` for an unknown name.
    """
    chosen = profile or config.profile or "strict"
    if chosen not in PROFILES:
        raise UsageError(f"unknown profile {chosen!r}: choose from {', '.join(PROFILES)}")
    return chosen


def effective_levels(policy: Policy) -> dict[str, str]:
    """Every rule's level outside the overrides: configured, else its default (opt-in: off)."""
    return {
        rule.code: policy.levels.get(rule.code, "off" if rule.opt_in else rule.severity.value)
        for rule in RULES
    }


def rule_codes(option: str, values: Iterable[str]) -> list[str]:
    """Rule codes given as ``CODE[,CODE]`` (repeatable); raises UsageError with a did-you-mean."""
    codes = [code.strip() for value in values for code in value.split(",") if code.strip()]
    for code in codes:
        if code not in RULE_BY_CODE:
            near = difflib.get_close_matches(code, RULE_BY_CODE, n=1)
            hint = f" (did you mean {near[0]}?)" if near else " (archive rules lists them)"
            raise UsageError(f"{option}: unknown rule code {code!r}{hint}")
    return codes


def build(
    config: Config,
    *,
    enable: Iterable[str] = (),
    word_count_tolerance: float | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    profile: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> tuple[Policy, RuleOptions]:
    """The policy and parser options of a run; command-line values win over the file's.

    An opt-in rule given a level anywhere in the configuration (or ``enable``d)
    runs; it stays off where no level is given for it. ``select`` (``--select``)
    turns every other rule off and the selected opt-in rules on; ``ignore``
    (``--ignore``) turns rules off, as ``"off"`` in the configuration does,
    overrides included. Raises :class:`UsageError` for an unknown code, or a
    word-count tolerance given while word-count-mismatch is off.
    """
    levels = dict(config.rules)
    enable = set(rule_codes("--enable", enable))
    chosen = None if select is None else set(rule_codes("--select", select))
    if chosen is not None and not chosen:
        # An empty selection would turn every rule off: a run that can never fail.
        raise UsageError("--select: give at least one rule code (archive rules lists them)")
    ignored = set(rule_codes("--ignore", ignore))
    if chosen is not None:
        enable |= {code for code in chosen if RULE_BY_CODE[code].opt_in}
    for code in enable:
        if levels.get(code, "off") == "off":
            levels[code] = RULE_BY_CODE[code].severity.value
    opt_in = {rule.code for rule in RULES if rule.opt_in}
    used = {code for code, level in levels.items() if level != "off"}
    for override in config.overrides:
        used |= {code for code, level in override.rules.items() if level != "off"}
    running = (used & opt_in) | enable
    for code in running - levels.keys():
        levels[code] = "off"  # on only where an override says so
    overrides = tuple(
        (pattern, dict(o.rules))
        for o in config.overrides
        if (pattern := compile_globs(o.paths)) is not None
    )
    dropped = ignored | (RULE_BY_CODE.keys() - chosen if chosen is not None else set())
    if dropped:
        levels.update(dict.fromkeys(dropped, "off"))
        overrides = tuple(
            (pattern, {c: lvl for c, lvl in rules.items() if c not in dropped})
            for pattern, rules in overrides
        )
        running -= dropped
    if word_count_tolerance is not None and "word-count-mismatch" not in running:
        raise UsageError(
            "--word-count-tolerance sets the tolerance of word-count-mismatch, which is off: "
            "add --enable word-count-mismatch"
        )
    tolerance = word_count_tolerance
    if tolerance is None:
        tolerance = config.word_count_tolerance
    if tolerance is None:
        tolerance = DEFAULT_WORD_COUNT_TOLERANCE
    options = RuleOptions(
        enable=frozenset(running),
        word_count_tolerance=tolerance,
        max_bytes=max_bytes,
        normalise_urls=config.normalise_urls,
        final_newline=config.final_newline,
        profile=profile_of(config, profile),
    )
    return Policy(levels, overrides, config.root), options
