"""``archive fmt``: valid files rewritten in canonical form, atomically; invalid ones untouched."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes
from archivekit.reformat import FmtStatus, format_bytes, unified_diff
from tests.conftest import SEED, SEEDS
from tests.support import Cli

VALID = sorted((SEEDS / "valid").glob("*.txt"))
INVALID = sorted((SEEDS / "invalid").glob("*.txt"))


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    if not VALID or not INVALID:
        pytest.skip("no per-rule seeds")
    for path in VALID + INVALID:
        shutil.copy(path, tmp_path / f"{path.parent.name}-{path.name}")
    return tmp_path


def test_fmt_makes_every_accepted_seed_canonical(cli: Cli, seeds: Path) -> None:
    before = {p.name: p.read_bytes() for p in seeds.iterdir()}
    result = cli("fmt", str(seeds))
    assert result.exit_code == 1  # the invalid seeds could not be formatted
    assert "invalid, left untouched" in result.stdout  # beside its findings
    for name, data in before.items():
        now = (seeds / name).read_bytes()
        parsed = parse(data)
        if parsed.record is None:
            assert now == data, f"{name}: an invalid file was touched"
            continue
        assert now == dump_bytes(parsed.record), name
        # Canonical now: reading it back warns of nothing the writer could have fixed.
        codes = {d.code for d in parse(now).diagnostics}
        assert codes <= {"body-multiline"}, (name, codes)
        if now != data:
            assert f"reformatted {seeds / name}" in result.stdout
    assert "8 files reformatted" in result.stdout
    # A second run has nothing left to do.
    result = cli("fmt", str(seeds), "--check")
    assert result.exit_code == 1  # still the invalid ones
    assert "0 files would be reformatted" in result.stdout


def test_check_changes_nothing_and_fails_on_a_non_canonical_file(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    data = SEED.read_bytes() + b"\n"
    target.write_bytes(data)
    result = cli("fmt", str(target), "--check")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"would reformat {target}\n")
    assert target.read_bytes() == data
    target.write_bytes(SEED.read_bytes())
    result = cli("fmt", str(target), "--check")
    assert (result.exit_code, result.stdout) == (
        0,
        "0 files would be reformatted, 1 unchanged, 0 invalid or unreadable (left untouched)\n",
    )


def test_diff_shows_the_change_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    data = SEED.read_bytes().replace(b"Aug. 25, 2011", b"2011-08-25").replace(b"\n", b"\r\n")
    target.write_bytes(data)
    (tmp_path / "0-broken.txt").write_bytes(b"")  # walked first
    result = cli("fmt", str(tmp_path), "--diff")
    assert result.exit_code == 1  # 0-broken.txt
    assert result.stdout.startswith("--- ")  # a clean patch: the findings went to standard error
    assert "error[file-empty]" in result.stderr
    assert "-2011-08-25\\r\n" in result.stdout
    assert "+Aug. 25, 2011\n" in result.stdout
    assert "1 file would be reformatted" in result.stderr
    assert target.read_bytes() == data


def test_fmt_keeps_permissions_and_leaves_no_temporary(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(b"\xef\xbb\xbf" + SEED.read_bytes())
    target.chmod(0o640)
    assert cli("fmt", str(target)).exit_code == 0
    assert target.read_bytes() == SEED.read_bytes()
    assert (target.stat().st_mode & 0o777) == 0o640
    assert os.listdir(tmp_path) == ["a.txt"]


def test_a_failed_write_keeps_the_file_and_leaves_no_temporary(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(SEED.read_bytes() + b"\n")

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("archivekit.files.atomic.os.replace", disk_full)
    result = cli("fmt", str(target))
    assert result.exit_code == 1
    assert "cannot format: No space left on device" in result.stderr
    assert target.read_bytes() == SEED.read_bytes() + b"\n"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_format_bytes_outcomes() -> None:
    seed = SEED.read_bytes()
    assert format_bytes(seed).status is FmtStatus.UNCHANGED
    invalid = format_bytes(b"")
    assert invalid.status is FmtStatus.INVALID
    assert [d.code for d in invalid.diagnostics] == ["file-empty"]
    changed = format_bytes(b"\xef\xbb\xbf" + seed, path="x.txt")
    assert (changed.status, changed.after) == (FmtStatus.REFORMATTED, seed)
    assert "-<U+FEFF>http" in unified_diff(changed)


def test_fmt_filters_standard_input(cli: Cli) -> None:
    seed = SEED.read_bytes()
    result = cli("fmt", "-", input=seed.replace(b"\n", b"\r\n"))
    assert (result.exit_code, result.stdout_bytes) == (0, seed)
    result = cli("fmt", "-", "--check", input=seed + b"\n")
    assert (result.exit_code, result.stdout_bytes) == (1, b"")
    result = cli("fmt", "-", input=b"http://x\n")
    assert (result.exit_code, result.stdout_bytes) == (1, b"http://x\n")
    assert "error[field-missing]" in result.stderr


def test_fmt_refuses_mixed_standard_input_and_missing_paths(cli: Cli, tmp_path: Path) -> None:
    assert cli("fmt", "-", str(SEED)).exit_code == 2
    result = cli("fmt", str(tmp_path / "missing.txt"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_fmt_honours_the_configured_exclude(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "archive.toml").write_text('exclude = ["frozen/**"]\n', encoding="utf-8")
    (tmp_path / "frozen").mkdir()
    frozen, live = tmp_path / "frozen" / "a.txt", tmp_path / "b.txt"
    for target in (frozen, live):
        target.write_bytes(SEED.read_bytes() + b"\n")
    result = cli("fmt", str(tmp_path), "--config", str(tmp_path / "archive.toml"))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"reformatted {live}\n1 file reformatted")
    assert frozen.read_bytes() == SEED.read_bytes() + b"\n"
    assert live.read_bytes() == SEED.read_bytes()


def test_fmt_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    from archivekit.reformat import format_file

    target = tmp_path / "t.txt"
    target.write_bytes((SEEDS / "valid" / "crlf.txt").read_bytes())
    link = tmp_path / "l.txt"
    link.symlink_to(target)
    format_file(str(link))
    assert link.is_symlink()
    assert b"\r" not in target.read_bytes()


def _non_canonical(path: Path) -> bytes:
    data = SEED.read_bytes() + b"\n"  # a final newline: fmt removes it
    path.write_bytes(data)
    return data


@pytest.mark.hostile
@pytest.mark.parametrize("how", ["in place", "by rename"])
def test_an_edit_saved_during_the_run_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    # Before: the file was replaced without a check; 5 of 6 trials lost the edit.
    import archivekit.reformat as reformat_module

    target = tmp_path / "a.txt"
    _non_canonical(target)
    edit = SEED.read_bytes().replace(b"Mexican", b"Mexico's") + b"\n"  # the same size or not
    from archivekit.files.read import read_file as real

    def read_then_edit(path: str, limit: int) -> tuple[bytes, int]:
        got = real(path, limit)
        if how == "in place":
            target.write_bytes(edit)
        else:  # as vim and most editors save: a new file renamed over the old
            (tmp_path / "a.txt.swp").write_bytes(edit)
            os.replace(tmp_path / "a.txt.swp", target)
        return got

    monkeypatch.setattr(reformat_module, "read_file", read_then_edit)
    outcome = reformat_module.format_file(str(target))
    assert outcome.error is not None
    assert "changed on disk" in outcome.error
    assert target.read_bytes() == edit
    assert sorted(os.listdir(tmp_path)) == ["a.txt"]


@pytest.mark.hostile
@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_fmt_as_root_keeps_the_owner_and_group(cli: Cli, tmp_path: Path) -> None:
    # Before: root's fmt left a root-owned file with the other user's setuid bits.
    target = tmp_path / "a.txt"
    _non_canonical(target)
    os.chown(target, 12345, 23456)
    os.chmod(target, 0o6750)
    assert cli("fmt", str(target)).exit_code == 0
    info = target.stat()
    assert (info.st_uid, info.st_gid) == (12345, 23456)
    assert info.st_mode & 0o7777 == 0o6750  # the same owner: the same bits are safe
    assert target.read_bytes() == SEED.read_bytes()


@pytest.mark.hostile
def test_setuid_and_setgid_are_dropped_when_the_owner_cannot_be_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archivekit.files.atomic import write_atomic

    target = tmp_path / "a.txt"
    _non_canonical(target)
    os.chmod(target, 0o6754)
    before = target.stat()

    def refused(*args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "stat", _other_owner(os.stat, before.st_ino))
    monkeypatch.setattr(os, "chown", refused)
    write_atomic(str(target), b"new")
    monkeypatch.undo()
    assert target.stat().st_mode & 0o7777 == 0o0754
    assert target.read_bytes() == b"new"


def _other_owner(real: Callable[..., os.stat_result], inode: int) -> Callable[..., os.stat_result]:
    """``os.stat`` that shows the file ``inode`` as another user's (as a non-root run sees it)."""

    def fake(*args: object, **kwargs: object) -> os.stat_result:
        info = real(*args, **kwargs)
        if info.st_ino != inode:
            return info
        values = list(info)
        values[4], values[5] = info.st_uid + 1, info.st_gid + 1  # st_uid, st_gid
        return os.stat_result(values)

    return fake


@pytest.mark.hostile
def test_fmt_replaces_the_file_so_other_hard_links_keep_the_old_content(
    cli: Cli, tmp_path: Path
) -> None:
    # Documented (docs/security.md): a hard link elsewhere is not rewritten.
    target = tmp_path / "a.txt"
    old = _non_canonical(target)
    os.link(target, tmp_path / "other-name")
    assert cli("fmt", str(target)).exit_code == 0
    assert target.read_bytes() == SEED.read_bytes()
    assert (tmp_path / "other-name").read_bytes() == old


@pytest.mark.hostile
def test_ctrl_c_right_after_the_temporary_is_made_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: a 0-byte temporary was left beside the file.
    from archivekit.files.atomic import write_atomic

    target = tmp_path / "a.txt"
    _non_canonical(target)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fchmod", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(target), b"new")
    assert sorted(os.listdir(tmp_path)) == ["a.txt"]


@pytest.mark.hostile
def test_fmt_escapes_hostile_names_as_validate_does(cli: Cli, tmp_path: Path) -> None:
    # Before: fmt printed names raw: a line break forged lines (in --diff, patch
    # headers), an escape sequence restyled the terminal.
    name = "a\n+++ b:evil.txt\n@@ -1 +1 @@\x1b[31m.txt"
    _non_canonical(tmp_path / name)
    (tmp_path / ("bad\n\x1b[2J" + ".txt")).write_bytes(b"")
    diff = cli("fmt", str(tmp_path), "--diff")
    headers = [line for line in diff.stdout.splitlines() if line.startswith(("---", "+++"))]
    assert headers == [
        f"--- {tmp_path}/a\\n+++ b:evil.txt\\n@@ -1 +1 @@\\x1b[31m.txt (before)",
        f"+++ {tmp_path}/a\\n+++ b:evil.txt\\n@@ -1 +1 @@\\x1b[31m.txt (canonical)",
    ]
    assert "\x1b" not in diff.stdout + diff.stderr
    written = cli("fmt", str(tmp_path))
    assert written.exit_code == 1
    assert "\x1b" not in written.stdout + written.stderr
    assert f"reformatted {tmp_path}/a\\n+++ b:evil.txt" in written.stdout
    assert f"{tmp_path}/bad\\n\\x1b[2J.txt: invalid, left untouched" in written.stdout


def test_a_folder_without_record_files_is_a_warning(cli: Cli, tmp_path: Path) -> None:
    # As `ruff format` says "No Python files found": exit 0, but not silently.
    (tmp_path / "notes.md").write_text("x")
    result = cli("fmt", "--check", tmp_path)
    assert result.exit_code == 0
    assert "archive: warning: no archive files (*.txt) under the given paths" in result.stderr
    assert cli("fmt", "--check", "-q", tmp_path).stderr == ""
