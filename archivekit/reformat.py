"""Rewrite valid record files into canonical form (`archive fmt`); invalid ones are untouched."""

from __future__ import annotations

import difflib
import itertools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import BinaryIO

from archivekit import cache as cache_module
from archivekit.config import Config, load_config
from archivekit.diagnostics import Diagnostic, ParseResult, failed, unreadable
from archivekit.errors import UsageError
from archivekit.files.atomic import write_atomic
from archivekit.files.read import over_limit, read_file, read_stream, too_large_message
from archivekit.files.remote import is_url
from archivekit.files.select import select_files
from archivekit.files.walk import STDIN, STDIN_LABEL, check_paths
from archivekit.record import fast
from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes
from archivekit.rules import RuleOptions
from archivekit.text import safe_path

_DEFAULTS = RuleOptions()


class FmtStatus(StrEnum):
    """What formatting did (or would do) to one file."""

    UNCHANGED = "unchanged"
    REFORMATTED = "reformatted"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class FmtOutcome:
    """One file's outcome; ``before``/``after`` are kept only when they differ.

    ``error`` says why a reformatted file could not be written back (it is
    left as it was).
    """

    path: str
    status: FmtStatus
    diagnostics: tuple[Diagnostic, ...] = ()
    before: bytes = b""
    after: bytes = b""
    error: str | None = None


def format_bytes(
    data: bytes, *, path: str = "<string>", options: RuleOptions | None = None
) -> FmtOutcome:
    """The canonical form of ``data`` (``dumps(parse(data))``), or INVALID with the errors."""
    if fast.applies(options or _DEFAULTS) and fast.check(data) is not None:
        return FmtOutcome(path, FmtStatus.UNCHANGED)  # canonical already, proven from its bytes
    result = parse(data, path=path, options=options)
    if result.record is None:
        return FmtOutcome(path, FmtStatus.INVALID, result.errors)
    canonical = dump_bytes(result.record, final_newline=(options or RuleOptions()).final_newline)
    if canonical == data:
        return FmtOutcome(path, FmtStatus.UNCHANGED)
    return FmtOutcome(path, FmtStatus.REFORMATTED, result.diagnostics, data, canonical)


def format_file(path: str, *, write: bool = True, options: RuleOptions | None = None) -> FmtOutcome:
    """Format the file at ``path`` in place (atomically) when ``write``.

    Read by the bounded reader: a file over the size limit, a FIFO or a
    device is INVALID with a ``file-too-large`` or ``read-error`` finding.
    """
    limit = (options or RuleOptions()).max_bytes
    try:
        # Taken before the read: an edit saved after it is seen before the rename.
        before = os.stat(path)
        data, size = read_file(path, limit)
    except OSError as exc:
        return FmtOutcome(path, FmtStatus.INVALID, unreadable(path, exc, path=path).diagnostics)
    if over_limit(data, size, limit):
        return _too_large(path, size, limit)
    outcome = format_bytes(data, path=path, options=options)
    if write and outcome.status is FmtStatus.REFORMATTED:
        error = write_back(path, outcome.after, unchanged_since=before)
        if error is not None:
            return replace(outcome, error=error)
    return outcome


def write_back(path: str, after: bytes, *, unchanged_since: os.stat_result) -> str | None:
    """Replace the record file ``path`` with ``after``; None, or why not.

    The one write-back path of ``archive fmt`` and ``archive validate --fix``:
    atomic (a temporary beside the file, then a rename), the file's owner,
    group and permissions kept, and refused when the file changed since
    ``unchanged_since`` (its ``os.stat`` taken before it was read), so an edit
    saved during the run is never lost.
    """
    try:
        write_atomic(path, after, unchanged_since=unchanged_since)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def format_stream(
    stream: BinaryIO, *, options: RuleOptions | None = None
) -> tuple[bytes, FmtOutcome]:
    """The bytes of ``stream`` (standard input), read by the bounded reader, and their outcome."""
    limit = (options or RuleOptions()).max_bytes
    data = read_stream(stream, limit)
    if over_limit(data, None, limit):
        return data, _too_large(STDIN_LABEL, None, limit)
    return data, format_bytes(data, path=STDIN_LABEL, options=options)


def _too_large(path: str, size: int | None, limit: int) -> FmtOutcome:
    found = failed(path, "file-too-large", too_large_message(size, limit))
    return FmtOutcome(path, FmtStatus.INVALID, found.diagnostics)


def reformat(
    paths: Sequence[str],
    *,
    config: Config | str | None = None,
    glob: str | None = None,
    write: bool = True,
    options: RuleOptions | None = None,
    cache: bool = False,
    cache_dir: str | None = None,
    gitignore: bool = True,
) -> Iterator[FmtOutcome]:
    """The pipeline of ``archive fmt``: every selected record file formatted, in walk order.

    Files are selected as ``archive validate`` selects them (``glob``, else
    the configured include and exclude globs, else ``*.txt``; folders inside a
    git work tree skip what git ignores unless ``gitignore`` is false). Raises
    :class:`~archivekit.errors.InputError` at once for a path that does not exist.
    With ``cache`` and without ``write`` (``fmt --check``), files found
    canonical before and unchanged since are not read again (see
    :mod:`archivekit.cache`; ``cache_dir`` moves it).
    URLs are a :class:`UsageError`: rewriting objects in place is not done.
    """
    urls = [path for path in paths if is_url(path)]
    if urls:
        raise UsageError(
            f"{urls[0]}: archive fmt rewrites local files only; check objects with "
            "archive validate, or convert them with archive convert"
        )
    check_paths(paths)
    if STDIN in paths:
        raise UsageError("- (standard input) cannot be mixed with paths")
    configured = config if isinstance(config, Config) else load_config(config)
    options = configured_options(configured, options)
    found = select_files(
        paths,
        root=configured.root,
        include=configured.include,
        exclude=configured.exclude,
        glob=glob,
        gitignore=gitignore,
    )
    found = iter(found)
    head = list(itertools.islice(found, cache_module.MIN_FILES))
    if not cache or write or len(head) < cache_module.MIN_FILES:  # a few files: read them
        for item in itertools.chain(head, found):
            yield format_file(item.path, write=write, options=options)
        return
    from archivekit.cache import Cache, folder_for

    store = Cache(folder_for(configured.root, cache_dir), "fmt", (options or _DEFAULTS, configured))
    for item in itertools.chain(head, found):
        path = item.path
        key, stamp = store.key(path), store.stamp(path, "archive")
        if stamp is not None and store.get(key, stamp, path) is not None:
            yield FmtOutcome(path, FmtStatus.UNCHANGED)
            continue
        outcome = format_file(path, write=False, options=options)
        if stamp is not None and outcome.status is FmtStatus.UNCHANGED:
            # Only canonical files are remembered: the others are read again, for their diff.
            store.put(key, stamp, [(ParseResult(path, None, ()), None)])
        yield outcome
    store.save()


def configured_options(config: Config, options: RuleOptions | None) -> RuleOptions:
    """``options`` with the configuration's canonical ending (``final-newline``)."""
    options = options or RuleOptions()
    if options.final_newline == config.final_newline:
        return options
    return replace(options, final_newline=config.final_newline)


def unified_diff(outcome: FmtOutcome) -> str:
    """A unified diff from the file as it is to its canonical form.

    Line ends and a byte order mark are shown escaped, since a diff of
    invisible characters would show nothing.
    """

    def lines(data: bytes) -> list[str]:
        text = data.decode("utf-8", "replace")
        text = text.replace("\ufeff", "<U+FEFF>").replace("\r", "\\r")
        return [line + "\n" for line in text.split("\n")]

    before, after = lines(outcome.before), lines(outcome.after)
    name = safe_path(outcome.path)  # a line break in a name would inject patch lines
    return "".join(difflib.unified_diff(before, after, f"{name} (before)", f"{name} (canonical)"))
