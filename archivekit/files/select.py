"""Which files a run reads: the paths given, filtered by the include and exclude globs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from archivekit.errors import UsageError
from archivekit.files.globs import compile_globs, relative
from archivekit.files.remote import StorageOptions
from archivekit.files.walk import STDIN, Found, name_matcher, walk

if TYPE_CHECKING:
    import subprocess


def select_files(
    paths: Iterable[str],
    *,
    root: str = ".",
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    glob: str | None = None,
    match: Callable[[str], object] | None = None,
    follow_symlinks: bool = False,
    gitignore: bool = False,
    storage: StorageOptions | None = None,
) -> Iterator[Found]:
    """The files to read under ``paths``, lazily, in walk order.

    With ``gitignore``, a folder walked inside a git work tree skips what git
    ignores there (``.gitignore``, ``.git/info/exclude``, the global excludes),
    as ruff does; files named one by one are read whatever git says.

    ``glob`` (the command line's ``--glob``) picks file names in folders and
    wins over the configured ``include`` globs; without either, ``match``
    does (default: ``*.txt``). When ``include`` is in force it applies to
    files named explicitly too (pre-commit passes every changed ``.txt``
    file), and ``exclude`` always does. Both are relative to ``root``, the
    configuration file's folder. URLs are listed with ``storage`` options.
    """
    included = None if glob else compile_globs(include)
    excluded = compile_globs(exclude)
    if glob is not None:
        match = name_matcher(glob)
    elif included is not None:
        match = bool  # any name: the include globs decide, below
    elif match is None:
        match = name_matcher("*.txt")
    paths = list(paths)
    found_files: Iterable[Found] = walk(
        paths, match=match, follow_symlinks=follow_symlinks, storage=storage
    )
    if gitignore:
        ignored = {p: rules for p in paths if os.path.isdir(p) and (rules := git_ignored(p))}
        if ignored:
            found_files = _not_ignored(found_files, ignored)
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


def git_ignored(folder: str) -> tuple[frozenset[str], tuple[str, ...]] | None:
    """What git ignores below ``folder``: files and folders (ending in ``/``), relative to it.

    None outside a git work tree, without git, or when git ignores nothing
    there. Ignored folders come whole (``--directory``): the list stays short
    however many files a build or virtual-environment folder holds.
    """
    args = ["ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z", "--"]
    try:
        out = _git([*args, "."], folder)
    except UsageError:
        return None
    names = [name for name in out.split("\0") if name]
    if not names:
        return None
    folders = tuple(name for name in names if name.endswith("/"))
    return frozenset(name for name in names if not name.endswith("/")), folders


def _not_ignored(
    found: Iterable[Found], ignored: dict[str, tuple[frozenset[str], tuple[str, ...]]]
) -> Iterator[Found]:
    """``found`` without the files git ignores below the folder each was found in."""
    for item in found:
        if item.explicit or item.rel is None:
            yield item
            continue
        top = next((p for p in ignored if item.path.startswith(os.path.join(p, ""))), None)
        if top is None:
            yield item
            continue
        files, folders = ignored[top]
        if item.rel in files or item.rel.startswith(folders):
            continue
        yield item


def changed_since(ref: str, *, cwd: str = ".") -> set[str]:
    """Real paths of the files changed since git revision ``ref`` (see :func:`git_range`).

    ``REF`` (or ``A...`` / ``A..``, whose right side is the work tree): files
    changed between that commit and the work tree, plus untracked files.
    ``A...B``: files changed on ``B`` since it forked from ``A`` (their merge
    base); ``A..B``: files that differ between the two commits.

    Raises :class:`UsageError` when git is missing, ``cwd`` is not in a work
    tree, or a side of ``ref`` is not a commit.
    """
    top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
    old, new = git_range(ref, cwd=top)
    # Only resolved object names (hex) reach git diff, never the user's text:
    # "--output=FILE" or "--relative=x" as a revision would be options to diff.
    changed = _git(["diff", "--name-only", "-z", "--no-renames", old, *new, "--"], top)
    names = changed.split("\0")
    if not new:
        names += _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0")
    # git reports the top folder with symbolic links resolved: compare real paths.
    return {os.path.realpath(os.path.join(top, name)) for name in names if name}


def git_range(ref: str, *, cwd: str = ".") -> tuple[str, list[str]]:
    """``ref`` resolved to commit names: ``(old, [new])``, or ``(old, [])`` for the work tree.

    Each side goes through ``git rev-parse --verify --end-of-options SIDE^{commit}``,
    so nothing the user typed is ever read by git as an option.
    """
    for dots in ("...", ".."):
        left, sep, right = ref.partition(dots)
        if sep:
            break
    if not sep:
        return _commit(ref, cwd), []
    old = _commit(left or "HEAD", cwd, ref)
    new = [_commit(right, cwd, ref)] if right else []
    if dots == "...":
        # The fork point: what the branch changed, not what the target gained since.
        old = _git(["merge-base", old, new[0] if new else _commit("HEAD", cwd)], cwd).strip()
    return old, new


def _commit(side: str, cwd: str, whole: str | None = None) -> str:
    if not side.strip():
        raise UsageError("--changed-since: give a git revision (REF, A...B or A..B)")
    done = _run(["rev-parse", "-q", "--verify", "--end-of-options", side + "^{commit}"], cwd)
    name = done.stdout.strip()
    if done.returncode == 0 and name and all(c in "0123456789abcdef" for c in name):
        return name
    shallow = _run(["rev-parse", "--is-shallow-repository"], cwd)
    where = f" {whole!r}" if whole is not None else ""
    if shallow.stdout.strip() == "true":
        raise UsageError(
            f"--changed-since{where}: {side!r} is not a commit in this shallow clone; fetch "
            "the history first (actions/checkout: fetch-depth: 0, or git fetch --unshallow)"
        )
    raise UsageError(f"--changed-since{where}: {side!r} is not a git commit")


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


def _run(args: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    import subprocess  # only for --changed-since: it costs start-up time

    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            encoding="utf-8",
            errors="surrogateescape",
        )
    except OSError as exc:
        raise UsageError(f"--changed-since needs git: {exc.strerror or exc}") from None


def _git(args: list[str], cwd: str) -> str:
    done = _run(args, cwd)
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1:] or ["failed"]
        raise UsageError(f"--changed-since: git {args[0]}: {message[0]}")
    return done.stdout
