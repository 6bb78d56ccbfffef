"""Across files: duplicate URLs, the baseline, and --changed-since."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from tests.support import SEED_TEXT, Cli, make_batch, seed_with


def findings(out: str) -> list[tuple[str, str]]:
    return [(f["path"], f["code"]) for f in orjson.loads(out)["findings"]]


def test_duplicate_url_names_both_files(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SEED_TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SEED_TEXT + "\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text(seed_with(url="http://example.com/other"), encoding="utf-8")
    # An invalid record still has a URL: its record is not kept, its first line is read.
    (tmp_path / "d.txt").write_text(seed_with(date="Aug. 32, 2011"), encoding="utf-8")
    result = cli("validate", str(tmp_path), "-f", "json")
    dups = [f for f in orjson.loads(result.stdout)["findings"] if f["code"] == "duplicate-url"]
    assert [f["path"] for f in dups] == [str(tmp_path / "b.txt"), str(tmp_path / "d.txt")]
    for f in dups:
        assert str(tmp_path / "a.txt") in f["message"]
        assert (f["line"], f["column"], f["severity"], f["field"]) == (1, 1, "warning", "url")
    assert result.exit_code == 1  # d.txt's date


def test_duplicate_url_can_be_turned_off_or_raised(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a.txt", "b.txt"):
        (data / name).write_text(SEED_TEXT, encoding="utf-8")
    config = tmp_path / "archive.toml"
    config.write_text('[rules]\nduplicate-url = "error"\n', encoding="utf-8")
    assert cli("validate", str(data), "--config", str(config)).exit_code == 1
    config.write_text('[rules]\nduplicate-url = "off"\n', encoding="utf-8")
    out = cli("validate", str(data), "--config", str(config)).stdout
    assert out == "2 files, 0 errors, 0 warnings\n"


@pytest.fixture
def adopted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_batch(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_baseline_hides_recorded_findings_and_reports_stale_ones(cli: Cli, adopted: Path) -> None:
    result = cli("validate", "data", "--baseline", "base.json", "--update-baseline")
    assert result.exit_code == 0
    assert "recorded 2 findings of this run in base.json" in result.stderr
    entries = orjson.loads((adopted / "base.json").read_bytes())["findings"]
    assert {(e["path"], e["code"], e["field"]) for e in entries} == {
        ("data/bad.txt", "date-invalid", "date"),
        ("data/warn.txt", "final-newline", None),
    }
    # The recorded findings are hidden; the run passes.
    result = cli("validate", "data", "--baseline", "base.json")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "3 files, 0 errors, 0 warnings (2 more in the baseline)\n",
        "",
    )
    # An edit that moves a finding does not matter (keys hold no positions) ...
    warn = adopted / "data" / "warn.txt"
    warn.write_text(
        warn.read_text(encoding="utf-8").replace(".\n", ". More text.\n"), encoding="utf-8"
    )
    assert cli("validate", "data", "--baseline", "base.json").exit_code == 0
    # ... a new finding does, and fixing one makes its entry stale.
    (adopted / "data" / "warn.txt").write_text(
        seed_with(url="http://example.com/warn", date=""), encoding="utf-8"
    )
    result = cli("validate", "data", "--baseline", "base.json")
    assert result.exit_code == 1
    assert "error[date-empty]" in result.stdout
    assert "1 stale entry" in result.stderr
    assert "data/warn.txt: final-newline" in result.stderr


def test_baseline_paths_are_relative_to_the_baseline_file(
    cli: Cli, adopted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("validate", "data", "--baseline", "base.json", "--update-baseline")
    monkeypatch.chdir(adopted / "data")
    result = cli("validate", ".", "--baseline", "../base.json")
    assert (result.exit_code, result.stdout) == (
        0,
        "3 files, 0 errors, 0 warnings (2 more in the baseline)\n",
    )


def test_updating_with_a_subset_keeps_the_other_entries(cli: Cli, adopted: Path) -> None:
    cli("validate", "data", "--baseline", "base.json", "--update-baseline")
    (adopted / "data" / "warn.txt").write_text(
        seed_with(url="http://example.com/w"), encoding="utf-8"
    )
    cli("validate", "data/warn.txt", "--baseline", "base.json", "--update-baseline")
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
def test_bad_baselines_are_usage_errors(
    cli: Cli, adopted: Path, content: bytes | None, message: str
) -> None:
    if content is not None:
        (adopted / "base.json").write_bytes(content)
    result = cli("validate", "data", "--baseline", "base.json")
    assert result.exit_code == 2
    assert message in result.stderr


def test_update_baseline_needs_a_file(cli: Cli, adopted: Path) -> None:
    result = cli("validate", "data", "--update-baseline")
    assert result.exit_code == 2
    assert "--update-baseline needs --baseline" in result.stderr


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
def test_changed_since_checks_changed_and_untracked_files_only(cli: Cli, adopted: Path) -> None:
    git(adopted, "init", "-q", "-b", "main")
    git(adopted, "add", "data")
    git(adopted, "commit", "-q", "-m", "archive")
    result = cli("validate", "data", "--changed-since", "HEAD")
    assert (result.exit_code, result.stdout) == (0, "0 files, 0 errors, 0 warnings\n")
    (adopted / "data" / "good.txt").write_text(SEED_TEXT + "\n", encoding="utf-8")  # changed
    (adopted / "data" / "new.txt").write_text(
        seed_with(url="http://example.com/warn"), encoding="utf-8"
    )  # untracked, dup of warn.txt
    result = cli("validate", "data", "--changed-since", "HEAD", "-f", "json")
    assert result.exit_code == 0
    assert sorted(findings(result.stdout)) == [
        ("data/good.txt", "final-newline"),
        ("data/new.txt", "duplicate-url"),
    ]
    assert "data/warn.txt" in orjson.loads(result.stdout)["findings"][-1]["message"]
    assert orjson.loads(result.stdout)["totals"]["files"] == 2


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_a_bad_revision_is_a_usage_error(cli: Cli, adopted: Path) -> None:
    git(adopted, "init", "-q")
    result = cli("validate", "data", "--changed-since", "no-such-ref")
    assert result.exit_code == 2
    assert "--changed-since" in result.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_through_a_symbolic_link(cli: Cli, adopted: Path) -> None:
    git(adopted, "init", "-q")
    git(adopted, "add", "data")
    git(adopted, "commit", "-q", "-m", "archive")
    (adopted / "data" / "new.txt").write_text("", encoding="utf-8")
    link = adopted / "link"  # git resolves it; the paths walked keep it
    link.symlink_to(adopted, target_is_directory=True)
    result = cli("validate", str(link / "data"), "--changed-since", "HEAD", "-f", "json")
    assert result.exit_code == 1
    assert findings(result.stdout) == [(str(link / "data" / "new.txt"), "file-empty")]


def test_a_hash_collision_is_no_duplicate(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archivekit.validate.duplicates as crossfile

    monkeypatch.setattr(crossfile, "hash", lambda _: 42, raising=False)  # every URL collides
    (tmp_path / "a.txt").write_text(seed_with(url="http://example.com/a"), encoding="utf-8")
    (tmp_path / "b.txt").write_text(seed_with(url="http://example.com/b"), encoding="utf-8")
    (tmp_path / "c.txt").write_text(seed_with(url="http://example.com/a"), encoding="utf-8")
    result = cli("validate", str(tmp_path), "-f", "json")
    assert (result.exit_code, findings(result.stdout)) == (
        0,
        [(str(tmp_path / "c.txt"), "duplicate-url")],
    )


@pytest.mark.hostile
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize(
    "ref", ["--output=../victim.txt", "--relative=nowhere", "-R", "HEAD^{tree}", "HEAD:data"]
)
def test_changed_since_takes_no_options_and_only_commits(cli: Cli, adopted: Path, ref: str) -> None:
    # Before: git diff read the value as an option; --output emptied the file
    # named, --relative made every run check nothing, both exit 0.
    git(adopted, "init", "-q")
    git(adopted, "add", "data")
    git(adopted, "commit", "-q", "-m", "archive")
    victim = adopted.parent / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (adopted / "data" / "new.txt").write_text("", encoding="utf-8")
    result = cli("validate", "data", f"--changed-since={ref}")
    assert result.exit_code == 2, result.output
    assert "is not a git commit" in result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_accepts_ranges(cli: Cli, adopted: Path) -> None:
    git(adopted, "init", "-q", "-b", "main")
    git(adopted, "add", "data")
    git(adopted, "commit", "-q", "-m", "archive")
    git(adopted, "checkout", "-q", "-b", "topic")
    (adopted / "data" / "topic.txt").write_text("", encoding="utf-8")
    git(adopted, "add", "data")
    git(adopted, "commit", "-q", "-m", "topic")
    git(adopted, "checkout", "-q", "main")
    (adopted / "data" / "good.txt").write_text(SEED_TEXT + "\n", encoding="utf-8")
    git(adopted, "add", "data")
    git(adopted, "commit", "-q", "-m", "main moves on")
    git(adopted, "checkout", "-q", "topic")
    (adopted / "data" / "untracked.txt").write_text("", encoding="utf-8")

    def checked(ref: str) -> tuple[int, list[str]]:
        result = cli("validate", "data", "--changed-since", ref, "-f", "json")
        assert result.exit_code in (0, 1), result.output
        files = orjson.loads(result.stdout)["totals"]["files"]
        return files, sorted(path for path, _ in findings(result.stdout))

    # What the branch changed since it forked: not what main gained since.
    assert checked("main...topic") == (1, ["data/topic.txt"])
    assert checked("main...") == (2, ["data/topic.txt", "data/untracked.txt"])
    # Two commits compared: good.txt, which main changed, differs too.
    assert checked("main..topic") == (2, ["data/topic.txt"])
    assert checked("main") == (3, ["data/topic.txt", "data/untracked.txt"])
    for bad in ("main...--output=x", "", "nope..main", "main....topic"):
        result = cli("validate", "data", "--changed-since", bad)
        assert result.exit_code == 2, bad
        assert "--changed-since" in result.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_on_a_shallow_clone_says_to_fetch_the_history(
    cli: Cli, adopted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(adopted, "init", "-q", "-b", "main")
    git(adopted, "add", "data")
    git(adopted, "commit", "-q", "-m", "one")
    git(adopted, "commit", "-q", "--allow-empty", "-m", "two")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{adopted}", str(clone))
    monkeypatch.chdir(clone)
    result = cli("validate", "data", "--changed-since", "HEAD~1")
    assert result.exit_code == 2
    assert "fetch-depth: 0" in result.stderr
