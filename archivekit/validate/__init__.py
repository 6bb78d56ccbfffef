"""The validate pipeline: select inputs, read and check every record, apply the configuration.

:class:`Validation` does everything ``archive validate`` does: configuration
and rule levels, ``--changed-since``, ``duplicate-url``, the baseline and the
totals; the command only parses options, hands the results to the reporters
and maps the exit code. :func:`validate_paths` is the same pipeline as a
plain iterator.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, BinaryIO

from archivekit.config import Config, load_config
from archivekit.diagnostics import ParseResult
from archivekit.errors import UsageError
from archivekit.files.read import DEFAULT_MAX_BYTES
from archivekit.files.remote import StorageOptions, is_url
from archivekit.files.select import changed_since, project_root, select_files
from archivekit.files.walk import STDIN, Found, check_paths, name_matcher
from archivekit.formats import FormatOptions, format_named
from archivekit.rules import RuleOptions
from archivekit.sources.inputs import (
    DEFAULT_FOLDER_FORMAT,
    Source,
    expand,
    record_files,
    refuse_overwriting,
)
from archivekit.sources.reading import POOL_THRESHOLD, ReadOptions, read_source, read_sources
from archivekit.validate.duplicates import DuplicateUrls, first_line
from archivekit.validate.levels import Policy, build
from archivekit.validate.totals import Totals

if TYPE_CHECKING:
    from archivekit.cache import Cache
    from archivekit.fixes import FixOutcome
    from archivekit.validate.baseline import Baseline, BaselineWriter, StaleEntry

__all__ = ["POOL_THRESHOLD", "Totals", "Validation", "check_file", "validate_paths"]


class Validation:
    """One run of ``archive validate``: iterate it for a result per record, then read the totals.

    The constructor reads the configuration (``config``: a :class:`Config`,
    a file name, or None for the nearest ``archive.toml`` or
    ``pyproject.toml`` from the current folder, as the command does), checks
    the options and paths, and loads the baseline: it raises
    :class:`~archivekit.errors.UsageError` (or ``InputError``) before any file
    is read. Iterating yields each record's result, in input order, with the
    configured levels applied and the baselined findings hidden; afterwards
    :attr:`totals`, :attr:`stale` and :attr:`unmatched` describe the run.

    ``paths`` are files, folders (walked for ``glob``, else the configured
    ``include``, else ``*.txt`` or the extensions of ``from_``), glob
    patterns, or ``-`` for standard input. Each file is read by its extension
    (``.txt``, ``.json``, ``.jsonl``, ``.csv``, ``.md``, ``.gz``, ``.tar``,
    ``.zip`` ...), as the archive format when it names none, or as ``from_``.
    ``select`` and ``ignore`` are rule codes (``CODE[,CODE]`` strings) as
    ``--select`` and ``--ignore`` take them; ``written`` names the files the
    run writes (reports): refused as inputs, skipped in folders. ``fix``
    repairs each record file before it is checked (:mod:`archivekit.fixes`;
    ``unsafe_fixes`` adds the ambiguous repairs), so that the findings are
    what is left; :attr:`fixed` then lists what was changed. Folders walked
    inside a git work tree skip what git ignores unless ``gitignore`` is false.

    With ``cache``, files unchanged since a run with the same settings are
    not read again: their findings and URLs come from the cache folder
    (``cache_dir``, else ``$ARCHIVEKIT_CACHE_DIR``, else ``.archive_cache``
    at the configuration's root; see :mod:`archivekit.cache`).

    URLs (``s3://bucket/prefix/``, ``gs://``, ``az://``, ``file://``,
    ``memory://``; the ``archivekit[cloud]`` extra) are read like folders and
    files, with fsspec ``storage_options`` (``{"endpoint_url": ...}``).
    ``scheduler``: the address of a Dask scheduler whose workers read and
    check the files (``archivekit[dask]``); the results are the same, in the
    same order.
    """

    def __init__(
        self,
        paths: Sequence[str],
        *,
        config: Config | str | None = None,
        glob: str | None = None,
        from_: str | None = None,
        enable: Iterable[str] = (),
        word_count_tolerance: float | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        profile: str | None = None,
        options: RuleOptions | None = None,
        jobs: int | None = None,
        keep_records: bool = False,
        baseline: str | None = None,
        update_baseline: bool = False,
        changed_since: str | None = None,
        follow_symlinks: bool = False,
        stdin: BinaryIO | None = None,
        storage_options: StorageOptions | None = None,
        scheduler: str | None = None,
        written: Iterable[str] = (),
        select: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
        cache: bool = False,
        cache_dir: str | None = None,
        fix: bool = False,
        unsafe_fixes: bool = False,
        gitignore: bool = True,
    ) -> None:
        self.paths = list(paths)
        if update_baseline and not baseline:
            raise UsageError("--update-baseline needs --baseline FILE to write to")
        if from_ is not None:
            format_named(from_)
        self.config = config if isinstance(config, Config) else load_config(config)
        if options is not None:  # the rule options of the Python API, given whole
            enable = {*enable, *options.enable}
            word_count_tolerance = options.word_count_tolerance
            max_bytes = options.max_bytes
            if options.profile != "strict":  # else the configuration's profile holds
                profile = profile or options.profile
            if options.normalise_urls:
                self.config = replace(self.config, normalise_urls=True)
        self.policy: Policy
        self.policy, self.rules = build(
            self.config,
            enable=enable,
            word_count_tolerance=word_count_tolerance,
            max_bytes=max_bytes,
            profile=profile,
            select=select,
            ignore=ignore,
        )
        self._storage = dict(storage_options or {})
        self._scheduler = scheduler
        check_paths(self.paths, storage=self._storage)
        # Files this run writes (reports, the baseline): never read as records.
        outputs = [*written, *([baseline] if update_baseline and baseline else [])]
        self._written = {os.path.realpath(p) for p in outputs}
        refuse_overwriting(outputs, self.paths, from_, glob, named_only=True)
        self._glob, self._from = glob, from_
        self._jobs, self._keep = jobs, keep_records
        self._changed_since = changed_since
        self._follow, self._stdin = follow_symlinks, stdin
        self._cache, self._cache_dir = cache, cache_dir
        self._writer: BaselineWriter | None = None
        self._baseline: Baseline | None = None
        if baseline:
            # Imported when asked for: pre-commit starts a plain run often.
            from archivekit.validate.baseline import Baseline, BaselineWriter

            if update_baseline:
                self._writer = BaselineWriter(baseline, max_bytes=self.rules.max_bytes)
            else:
                self._baseline = Baseline.load(baseline, max_bytes=self.rules.max_bytes)
        #: Counts of the run, final once iteration ends.
        self.totals = Totals()
        #: Baseline entries that matched nothing in the files checked: fixed since.
        self.stale: list[StaleEntry] = []
        #: The folders given, when they held nothing to check (a mistyped path or
        #: glob, most likely; empty when files were named or --changed-since given).
        self.unmatched: list[str] = []
        #: What the run assumed, for the user (standard input's format guessed from its
        #: content, a folder without archive files read for every format): one line each.
        self.notes: list[str] = []
        #: With update_baseline: entries kept for the files this run did not check.
        self.baseline_kept = 0
        if unsafe_fixes and not fix:
            raise UsageError("--unsafe-fixes needs --fix")
        self._fix, self._unsafe = fix, unsafe_fixes
        self._gitignore = gitignore
        #: Folders walked inside a git work tree skip what git ignores.
        self.gitignore = gitignore
        #: With fix: each file repaired (or that could not be written back), in order,
        #: without its bytes.
        self.fixed: list[FixOutcome] = []

    def __iter__(self) -> Iterator[ParseResult]:
        return self.run()

    def run(self) -> Iterator[ParseResult]:
        """Check every record, yielding its result (see the class docstring)."""
        duplicates = (
            DuplicateUrls(normalise=self.rules.normalise_urls)
            if self.policy.is_on("duplicate-url")
            else None
        )

        found: Iterable[Found] = record_files(
            self.paths,
            from_=self._from,
            glob=self._glob,
            root=self.config.root,
            include=self.config.include,
            exclude=self.config.exclude,
            follow_symlinks=self._follow,
            gitignore=self._gitignore,
            storage=self._storage,
            note=self.notes.append,
        )
        if self._written:
            found = _skipping(found, self._written)
        if self._changed_since is not None:
            found = self._changed(found, self._changed_since, duplicates)
        elif duplicates is not None and self._named_one_by_one():
            self._remember_project(duplicates)
        sources = expand(
            found,
            force_format=self._from,
            default_format=DEFAULT_FOLDER_FORMAT,
            stdin=self._stdin,
            max_bytes=self.rules.max_bytes,
            sniff_stdin=True,
            note=self.notes.append,
            storage=self._storage,
        )
        if self._fix:
            sources = self._fixing(sources)
        formats = FormatOptions(rules=self.rules, keep_records=self._keep)
        options = ReadOptions(formats, urls=duplicates is not None, storage=self._storage)
        apply, add = self.policy.apply, self.totals.add
        filtered = self._writer is not None or self._baseline is not None
        cache = self._open_cache(options)
        for item in read_sources(
            sources, options, jobs=self._jobs, cache=cache, scheduler=self._scheduler
        ):
            result = item.result
            if duplicates is not None:
                url = result.record.url if result.record is not None else item.url
                if url is not None:
                    # A record of a many-record file (an archive file read as CSV by its
                    # content, too) is not a whole file whose first line is its URL.
                    reread = result.index is None and _rereadable(item.source)
                    result = duplicates.check(result, url, reread=reread)
            result = apply(result)
            if filtered:
                result = self._filter(result)
            add(result)
            yield result
        if cache is not None:
            cache.save()
        self._finish()

    def _open_cache(self, options: ReadOptions) -> Cache | None:
        """The cache of unchanged files for these settings, if asked for (never with records)."""
        if not self._cache or self._keep:
            return None
        from archivekit.cache import Cache, folder_for

        folder = folder_for(self.config.root, self._cache_dir)
        return Cache(folder, "validate", (self.rules, self.config, self.policy, options))

    def _filter(self, result: ParseResult) -> ParseResult:
        if self._writer is not None:
            # Everything found is recorded in the new baseline, so nothing is left to show.
            self._writer.add(result)
            return replace(result, diagnostics=())
        return self._baseline.filter(result) if self._baseline is not None else result

    def _finish(self) -> None:
        if self._writer is not None:
            self.totals.baselined = self._writer.write()
            self.baseline_kept = self._writer.kept
        elif self._baseline is not None:
            self.totals.baselined = self._baseline.hidden
            self.stale = self._baseline.stale()
        if self.totals.files == 0 and self._changed_since is None:
            folders = [p for p in self.paths if os.path.isdir(p) or is_url(p)]
            if folders and len(folders) == len(self.paths):
                self.unmatched = folders

    def _fixing(self, sources: Iterator[Source]) -> Iterator[Source]:
        """``sources``, each record file on disk repaired just before it is handed on."""
        from archivekit.fixes import fix_file
        from archivekit.rules import FIXABLE

        for source in sources:
            if source.path is not None and _rereadable(source):
                levels = self.policy.levels_for(source.path)
                off = frozenset(c for c in FIXABLE if levels.get(c) == "off")
                outcome = fix_file(
                    source.path,
                    unsafe=self._unsafe,
                    final_newline=self.rules.final_newline,
                    max_bytes=self.rules.max_bytes,
                    off=off,
                )
                if outcome.fixes:
                    self.fixed.append(replace(outcome, before=b"", after=b""))
            yield source

    def _named_one_by_one(self) -> bool:
        """Files named one by one, as pre-commit passes the staged ones (no folder, glob, stdin)."""
        return bool(self.paths) and all(p != STDIN and os.path.isfile(p) for p in self.paths)

    def _remember_project(self, duplicates: DuplicateUrls) -> None:
        """Remember the URL of every other record file of the project, for ``duplicate-url``.

        pre-commit passes only the staged files: without this, a new file
        repeating a committed file's URL would pass. Only the URL lines are
        read. The project is the configuration file's folder, else the git
        work tree; with neither there is nothing more to compare with.
        """
        root = project_root(self.config.source)
        if root is None:
            return
        root = os.path.abspath(root)
        real_named = {os.path.realpath(p) for p in self.paths}
        top = os.path.join(os.path.realpath(root), "")
        if not all(real.startswith(top) for real in real_named):
            return  # files from elsewhere: this project is not theirs
        # Walked paths are compared as written (abspath: no system call per file), so
        # the named files are known both ways.
        skip = real_named | {os.path.abspath(p) for p in self.paths} | self._written
        others = select_files(
            [root],
            root=self.config.root,
            include=self.config.include,
            exclude=self.config.exclude,
            glob=self._glob,
            match=name_matcher("*.txt"),
            follow_symlinks=self._follow,
            gitignore=self._gitignore,
        )
        # Walked from an absolute, normalised root: each path is absolute and normal
        # already, and is named relative to the current folder by cutting a prefix
        # (os.path.relpath per file cost more than reading the URL lines).
        here = os.path.join(os.getcwd(), "")
        for item in others:
            path = item.path
            if path[-3:].lower() == ".gz" or path in skip:
                continue
            shown = path[len(here) :] if path.startswith(here) else path
            duplicates.remember(shown, first_line(path))

    @staticmethod
    def _changed(found: Iterable[Found], ref: str, duplicates: DuplicateUrls | None) -> list[Found]:
        """The changed files among ``found``; the others' URLs are remembered for duplicate-url."""
        changed = changed_since(ref)
        picked = []
        for item in found:
            if os.path.realpath(item.path) in changed:
                picked.append(item)
            elif duplicates is not None:
                duplicates.remember(item.path, first_line(item.path))
        return picked


def _skipping(found: Iterable[Found], written: set[str]) -> Iterator[Found]:
    """``found`` without the files this run writes (a report inside the folder checked)."""
    names = {os.path.basename(p) for p in written}
    for item in found:
        # The name first: a real-path look-up per file would cost system calls.
        if os.path.basename(item.path) in names and os.path.realpath(item.path) in written:
            continue
        yield item


def _rereadable(source: Source) -> bool:
    """A record file on disk whose URL line :func:`first_line` can read again."""
    path = source.path
    return (
        path is not None
        and source.format == "archive"
        and path[-3:].lower() != ".gz"
        and not is_url(path)
    )


def validate_paths(
    paths: Iterable[str],
    *,
    config: Config | str | None = None,
    glob: str | None = None,
    from_: str | None = None,
    options: RuleOptions | None = None,
    jobs: int | None = None,
    keep_records: bool = False,
    baseline: str | None = None,
    changed_since: str | None = None,
    follow_symlinks: bool = False,
    storage_options: StorageOptions | None = None,
) -> Iterator[ParseResult]:
    """Check every record under ``paths``: exactly the findings ``archive validate paths`` reports.

    A shorthand for iterating :class:`Validation` with these settings: the
    same configuration (the nearest one unless ``config`` says otherwise),
    rule levels, ``duplicate-url`` and baseline. Raises at once, before any
    file is read, for a path that does not exist or a bad setting.
    """
    return Validation(
        list(paths),
        config=config,
        glob=glob,
        from_=from_,
        options=options,
        jobs=jobs,
        keep_records=keep_records,
        baseline=baseline,
        changed_since=changed_since,
        follow_symlinks=follow_symlinks,
        storage_options=storage_options,
    ).run()


def check_file(
    path: str, *, options: RuleOptions | None = None, keep_record: bool = True
) -> ParseResult:
    """Read and check a file of one record (by its extension; the archive format when none).

    Pure, configuration aside: safe to run in a worker process. ``-`` reads
    standard input. A file that cannot be read gives a ``read-error`` finding
    rather than an exception. A file of many records (JSON Lines, CSV, a JSON
    array, an archive of several) is a :class:`UsageError`: use
    :func:`validate_paths`.
    """
    name = os.path.basename(path)
    rules = options or RuleOptions()
    sources = expand(
        [Found(path, name, True)], default_format=DEFAULT_FOLDER_FORMAT, max_bytes=rules.max_bytes
    )
    source = next(sources, None)
    formats = FormatOptions(rules=rules, keep_records=keep_record)
    results = read_source(source, ReadOptions(formats)) if source is not None else iter(())
    first = next(results, None)
    if next(sources, None) is not None or next(results, None) is not None:
        raise UsageError(f"{path}: holds many records: check it with validate_paths")
    return first.result if first is not None else ParseResult(path, None, ())
