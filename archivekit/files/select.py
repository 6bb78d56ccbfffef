"""Which files a run reads: the paths given, filtered by the include and exclude globs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

from archivekit.errors import UsageError
from archivekit.files.globs import compile_globs, relative
from archivekit.files.walk import STDIN, Found, name_matcher, walk


def select_files(
    paths: Iterable[str],
    *,
    root: str = ".",
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    glob: str | None = None,
    match: Callable[[str], object] | None = None,
    follow_symlinks: bool = False,
) -> Iterator[Found]:
    """The files to read under ``paths``, lazily, in walk order.

    ``glob`` (the command line's ``--glob``) picks file names in folders and
    wins over the configured ``include`` globs; without either, ``match``
    does (default: ``*.txt``). When ``include`` is in force it applies to
    files named explicitly too (pre-commit passes every changed ``.txt``
    file), and ``exclude`` always does. Both are relative to ``root``, the
    configuration file's folder.
    """
    included = None if glob else compile_globs(include)
    excluded = compile_globs(exclude)
    if glob is not None:
        match = name_matcher(glob)
    elif included is not None:
        match = bool  # any name: the include globs decide, below
    elif match is None:
        match = name_matcher("*.txt")
    found_files = walk(paths, match=match, follow_symlinks=follow_symlinks)
    if not (included or excluded):
        yield from found_files
        return
    for found in found_files:
        if found.path == STDIN:
            yield found
            continue
        rel = relative(found.path, root)
        if excluded and excluded.fullmatch(rel):
            continue
        if included and not included.fullmatch(rel):
            continue
        yield found


def changed_since(ref: str, *, cwd: str = ".") -> set[str]:
    """Real paths of the files changed since git revision ``ref``, plus untracked files.

    Raises :class:`UsageError` when git is missing, ``cwd`` is not in a work
    tree, or ``ref`` is not a revision.
    """
    top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
    changed = _git(["diff", "--name-only", "-z", "--no-renames", ref, "--"], top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    names = [n for n in (changed + untracked).split("\0") if n]
    # git reports the top folder with symbolic links resolved: compare real paths.
    return {os.path.realpath(os.path.join(top, name)) for name in names}


def git_toplevel(cwd: str = ".") -> str | None:
    """The top folder of the git work tree holding ``cwd``, or None (no git, or not in one)."""
    try:
        return _git(["rev-parse", "--show-toplevel"], cwd).strip() or None
    except UsageError:
        return None


def project_root(config_source: str | None, *, cwd: str = ".") -> str | None:
    """The project a run belongs to: the configuration file's folder, else the git work tree."""
    if config_source is not None:
        return os.path.dirname(os.path.abspath(config_source))
    return git_toplevel(cwd)


def _git(args: list[str], cwd: str) -> str:
    import subprocess  # only for --changed-since: it costs start-up time

    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            encoding="utf-8",
            errors="surrogateescape",
        )
    except OSError as exc:
        raise UsageError(f"--changed-since needs git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1:] or ["failed"]
        raise UsageError(f"--changed-since: git {args[0]}: {message[0]}")
    return done.stdout
