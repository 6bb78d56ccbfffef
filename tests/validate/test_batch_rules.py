"""Across files: duplicate URLs, the baseline, and --changed-since."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from tests.helpers import SEED_TEXT, make_batch, run, seed_with


def findings(out: str) -> list[tuple[str, str]]:
    return [(f["path"], f["code"]) for f in orjson.loads(out)["findings"]]


def test_duplicate_url_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SEED_TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SEED_TEXT + "\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text(seed_with(url="http://example.com/other"), encoding="utf-8")
    # An invalid record still has a URL: its record is not kept, its first line is read.
    (tmp_path / "d.txt").write_text(seed_with(date="Aug. 32, 2011"), encoding="utf-8")
    code, out, _ = run("validate", str(tmp_path), "-f", "json")
    dups = [f for f in orjson.loads(out)["findings"] if f["code"] == "duplicate-url"]
    assert [f["path"] for f in dups] == [str(tmp_path / "b.txt"), str(tmp_path / "d.txt")]
    for f in dups:
        assert str(tmp_path / "a.txt") in f["message"]
        assert (f["line"], f["column"], f["severity"], f["field"]) == (1, 1, "warning", "url")
    assert code == 1  # d.txt's date


def test_duplicate_url_can_be_turned_off_or_raised(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a.txt", "b.txt"):
        (data / name).write_text(SEED_TEXT, encoding="utf-8")
    config = tmp_path / "archive.toml"
    config.write_text('[rules]\nduplicate-url = "error"\n', encoding="utf-8")
    assert run("validate", str(data), "--config", str(config))[0] == 1
    config.write_text('[rules]\nduplicate-url = "off"\n', encoding="utf-8")
    out = run("validate", str(data), "--config", str(config))[1]
    assert out == "2 files, 0 errors, 0 warnings\n"


@pytest.fixture
def adopted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_batch(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_baseline_hides_recorded_findings_and_reports_stale_ones(adopted: Path) -> None:
    code, _, err = run("validate", "data", "--baseline", "base.json", "--update-baseline")
    assert code == 0
    assert "recorded 2 findings in base.json" in err
    entries = orjson.loads((adopted / "base.json").read_bytes())["findings"]
    assert {(e["path"], e["code"], e["field"]) for e in entries} == {
        ("data/bad.txt", "date-invalid", "date"),
        ("data/warn.txt", "final-newline", None),
    }
    # The recorded findings are hidden; the run passes.
    code, out, err = run("validate", "data", "--baseline", "base.json")
    assert (code, out, err) == (0, "3 files, 0 errors, 0 warnings (2 more in the baseline)\n", "")
    # An edit that moves a finding does not matter (keys hold no positions) ...
    warn = adopted / "data" / "warn.txt"
    warn.write_text(
        warn.read_text(encoding="utf-8").replace(".\n", ". More text.\n"), encoding="utf-8"
    )
    assert run("validate", "data", "--baseline", "base.json")[0] == 0
    # ... a new finding does, and fixing one makes its entry stale.
    (adopted / "data" / "warn.txt").write_text(
        seed_with(url="http://example.com/warn", date=""), encoding="utf-8"
    )
    code, out, err = run("validate", "data", "--baseline", "base.json")
    assert code == 1
    assert "error[date-empty]" in out
    assert "1 stale entry" in err
    assert "data/warn.txt: final-newline" in err


def test_baseline_paths_are_relative_to_the_baseline_file(
    adopted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("validate", "data", "--baseline", "base.json", "--update-baseline")
    monkeypatch.chdir(adopted / "data")
    code, out, _ = run("validate", ".", "--baseline", "../base.json")
    assert (code, out) == (0, "3 files, 0 errors, 0 warnings (2 more in the baseline)\n")


def test_updating_with_a_subset_keeps_the_other_entries(adopted: Path) -> None:
    run("validate", "data", "--baseline", "base.json", "--update-baseline")
    (adopted / "data" / "warn.txt").write_text(
        seed_with(url="http://example.com/w"), encoding="utf-8"
    )
    run("validate", "data/warn.txt", "--baseline", "base.json", "--update-baseline")
    entries = orjson.loads((adopted / "base.json").read_bytes())["findings"]
    assert [(e["path"], e["code"]) for e in entries] == [("data/bad.txt", "date-invalid")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such baseline"),
        (b"not json", "not JSON"),
        (b'{"version": 1}', "not an archivekit baseline"),
        (b'{"version": 9, "findings": []}', "baseline version 9"),
    ],
)
def test_bad_baselines_are_usage_errors(adopted: Path, content: bytes | None, message: str) -> None:
    if content is not None:
        (adopted / "base.json").write_bytes(content)
    code, _, err = run("validate", "data", "--baseline", "base.json")
    assert code == 2
    assert message in err


def test_update_baseline_needs_a_file(adopted: Path) -> None:
    code, _, err = run("validate", "data", "--update-baseline")
    assert code == 2
    assert "--update-baseline needs --baseline" in err


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_checks_changed_and_untracked_files_only(adopted: Path) -> None:
    git(adopted, "init", "-q", "-b", "main")
    git(adopted, "add", "data")
    git(adopted, "commit", "-q", "-m", "archive")
    code, out, _ = run("validate", "data", "--changed-since", "HEAD")
    assert (code, out) == (0, "0 files, 0 errors, 0 warnings\n")
    (adopted / "data" / "good.txt").write_text(SEED_TEXT + "\n", encoding="utf-8")  # changed
    (adopted / "data" / "new.txt").write_text(
        seed_with(url="http://example.com/warn"), encoding="utf-8"
    )  # untracked, dup of warn.txt
    code, out, _ = run("validate", "data", "--changed-since", "HEAD", "-f", "json")
    assert code == 0
    assert sorted(findings(out)) == [
        ("data/good.txt", "final-newline"),
        ("data/new.txt", "duplicate-url"),
    ]
    assert "data/warn.txt" in orjson.loads(out)["findings"][-1]["message"]
    assert orjson.loads(out)["totals"]["files"] == 2


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_a_bad_revision_is_a_usage_error(adopted: Path) -> None:
    git(adopted, "init", "-q")
    code, _, err = run("validate", "data", "--changed-since", "no-such-ref")
    assert code == 2
    assert "--changed-since" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_through_a_symbolic_link(adopted: Path) -> None:
    git(adopted, "init", "-q")
    git(adopted, "add", "data")
    git(adopted, "commit", "-q", "-m", "archive")
    (adopted / "data" / "new.txt").write_text("", encoding="utf-8")
    link = adopted / "link"  # git resolves it; the paths walked keep it
    link.symlink_to(adopted, target_is_directory=True)
    code, out, _ = run("validate", str(link / "data"), "--changed-since", "HEAD", "-f", "json")
    assert code == 1
    assert findings(out) == [(str(link / "data" / "new.txt"), "file-empty")]


def test_a_hash_collision_is_no_duplicate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archivekit.validate.duplicates as crossfile

    monkeypatch.setattr(crossfile, "hash", lambda _: 42, raising=False)  # every URL collides
    (tmp_path / "a.txt").write_text(seed_with(url="http://example.com/a"), encoding="utf-8")
    (tmp_path / "b.txt").write_text(seed_with(url="http://example.com/b"), encoding="utf-8")
    (tmp_path / "c.txt").write_text(seed_with(url="http://example.com/a"), encoding="utf-8")
    code, out, _ = run("validate", str(tmp_path), "-f", "json")
    assert (code, findings(out)) == (0, [(str(tmp_path / "c.txt"), "duplicate-url")])
