"""The pre-commit hooks run by pre-commit in a temporary repository; the GitHub Action's script."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import ROOT, SEED
from tests.support import seed_with

BIN = Path(sys.executable).parent
ARCHIVE = shutil.which("archive", path=str(BIN)) or shutil.which("archive")
PRE_COMMIT = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")


def load_yaml(path: Path) -> Any:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_hook_definitions() -> None:
    hooks = {hook["id"]: hook for hook in load_yaml(ROOT / ".pre-commit-hooks.yaml")}
    # Fixes first, the check last: listed in the order the docs tell users to run them.
    assert list(hooks) == ["archive-fix", "archive-fmt", "archive-validate"]
    for hook in hooks.values():
        # The archive folder, not every .txt (requirements.txt is no record).
        assert hook["files"] == r"^archive/.*\.txt$"
        assert hook["require_serial"] is True
        assert hook["language"] == "python"
    assert hooks["archive-validate"]["entry"] == "archive validate"
    assert hooks["archive-fmt"]["entry"] == "archive fmt"
    assert hooks["archive-fix"]["entry"].startswith("archive validate --fix")


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


def local_hooks(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    """The hooks of .pre-commit-hooks.yaml, run with the installed ``archive``.

    ``language: system`` with the installed command stands in for ``language:
    python``, which would build archivekit from an index. ``extra`` hooks come
    between the fixers and the check, where the docs place other fixers.
    """
    local = []
    for hook in load_yaml(ROOT / ".pre-commit-hooks.yaml"):
        hook = dict(hook, language="system", entry=hook["entry"].replace("archive", ARCHIVE, 1))
        hook.pop("minimum_pre_commit_version", None)
        local.append(hook)
    return [*local[:-1], *extra, local[-1]]


def make_repo(root: Path, hooks: list[dict[str, Any]]) -> Path:
    if PRE_COMMIT is None or ARCHIVE is None or shutil.which("git") is None:
        pytest.skip("pre-commit, git or the archive command is not installed")
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    root.mkdir()
    (root / "archive").mkdir()
    # JSON is YAML: no need for a YAML writer.
    (root / ".pre-commit-config.yaml").write_bytes(orjson.dumps(config))
    git(root, "init", "-q")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose local hooks are those of .pre-commit-hooks.yaml."""
    return make_repo(tmp_path / "repo", local_hooks())


def pre_commit(root: Path, hook: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ, PRE_COMMIT_HOME=str(root.parent / "pre-commit-home"), NO_COLOR="1", SKIP=""
    )
    env.pop("GITHUB_ACTIONS", None)
    git(root, "add", "-A")
    return subprocess.run(
        [str(PRE_COMMIT), "run", *([hook] if hook else []), "--all-files", "--color", "never"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_pre_commit_validate_hook_fails_on_a_broken_record(repo: Path) -> None:
    (repo / "archive" / "good.txt").write_bytes(SEED.read_bytes())
    (repo / "notes.md").write_text("not a record", encoding="utf-8")
    (repo / "requirements.txt").write_text("pytest\n", encoding="utf-8")
    done = pre_commit(repo, "archive-validate")
    assert done.returncode == 0, done.stdout + done.stderr
    (repo / "archive" / "bad.txt").write_text(
        seed_with(url="http://example.com/b", date="Feb. 30, 2012"), encoding="utf-8"
    )
    done = pre_commit(repo, "archive-validate")
    assert done.returncode == 1
    assert "archive/bad.txt:4:6: error[date-invalid]" in done.stdout
    assert "requirements.txt" not in done.stdout


def test_pre_commit_fmt_hook_rewrites_then_passes(repo: Path) -> None:
    target = repo / "archive" / "a.txt"
    target.write_bytes(SEED.read_bytes().replace(b"\n", b"\r\n"))
    done = pre_commit(repo, "archive-fmt")
    assert done.returncode == 1  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in done.stdout
    assert target.read_bytes() == SEED.read_bytes()
    assert pre_commit(repo, "archive-fmt").returncode == 0


def test_pre_commit_sees_a_committed_duplicate(repo: Path) -> None:
    (repo / "archive" / "old.txt").write_bytes(SEED.read_bytes())
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old", "--no-verify")
    (repo / "archive" / "new.txt").write_bytes(SEED.read_bytes())
    git(repo, "add", "-A")
    env = dict(os.environ, PRE_COMMIT_HOME=str(repo.parent / "pre-commit-home"), NO_COLOR="1")
    env.pop("GITHUB_ACTIONS", None)
    # Only the staged file is passed, as on a commit.
    done = subprocess.run(
        [str(PRE_COMMIT), "run", "archive-validate", "--verbose", "--files", "archive/new.txt"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "archive/new.txt:1:1: warning[duplicate-url]" in done.stdout, done.stdout
    assert "archive/old.txt" in done.stdout


def test_pre_commit_converges_with_end_of_file_fixer(tmp_path: Path) -> None:
    """With final-newline = true, archive's fixers and end-of-file-fixer agree: a second
    run of every hook changes nothing."""
    fixer = shutil.which("end-of-file-fixer", path=str(BIN))
    if fixer is None:
        pytest.skip("pre-commit-hooks is not installed (the dev extra installs it)")
    eof = {
        "id": "end-of-file-fixer",
        "name": "fix end of files",
        "entry": fixer,
        "language": "system",
        "types": ["text"],
    }
    repo = make_repo(tmp_path / "repo", local_hooks(eof))
    (repo / "pyproject.toml").write_text("[tool.archive]\nfinal-newline = true\n")
    (repo / "archive" / "a.txt").write_bytes(SEED.read_bytes())  # no final newline
    (repo / "archive" / "b.txt").write_text(
        seed_with(url="http://e.com/b", date="Published: June 29, 2013").replace("\n", "\r\n")
    )
    first = pre_commit(repo)
    assert first.returncode == 1  # files were fixed
    second = pre_commit(repo)
    assert second.returncode == 0, second.stdout
    assert (repo / "archive" / "a.txt").read_bytes() == SEED.read_bytes() + b"\n"
    assert (repo / "archive" / "b.txt").read_text() == seed_with(
        url="http://e.com/b", date="June 29, 2013", suffix="\n"
    )


def test_action_is_a_composite_action_using_every_input() -> None:
    action = load_yaml(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    for name in action["inputs"]:
        assert f"inputs.{name}" in text, name
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs must reach scripts through env"


def test_action_pins_every_action_and_keeps_the_callers_python() -> None:
    action = load_yaml(ROOT / "action.yml")
    steps = action["runs"]["steps"]
    for step in steps:
        if "uses" in step:
            name, _, ref = step["uses"].partition("@")
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{name} is not pinned to a commit SHA"
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["if"] == "${{ inputs.python-version != '' }}"  # only when asked
    assert setup["with"]["update-environment"] is False  # and even then, PATH stays
    assert action["inputs"]["python-version"]["default"] == ""
    install = next(s for s in steps if s.get("id") == "install")
    assert "-m venv" in install["run"]
    assert "GITHUB_PATH" not in install["run"]
    assert any(s.get("uses", "").startswith("actions/cache@") for s in steps)
    assert set(action["outputs"]) == {"errors", "warnings", "sarif"}
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert "head.repo.full_name == github.repository" in upload["if"]
    notice = next(s for s in steps if "fork" in s.get("name", ""))
    assert "::notice" in notice["run"]


def run_validate_step(
    tmp_path: Path, **env: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """The action's validate step, as the runner runs it, with the installed archive."""
    if ARCHIVE is None or shutil.which("bash") is None:
        pytest.skip("bash or the archive command is not installed")
    action = load_yaml(ROOT / "action.yml")
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "validate")
    output = tmp_path / "github-output"
    output.write_text("")
    environ = dict(
        os.environ,
        ARCHIVE=ARCHIVE,
        ARCHIVE_PYTHON=sys.executable,
        RUNNER_TEMP=str(tmp_path),
        GITHUB_OUTPUT=str(output),
        **env,
    )
    environ.pop("GITHUB_ACTIONS", None)
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    outputs = dict(
        line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if line
    )
    return done, outputs


def test_action_validate_step_annotates_and_writes_sarif(tmp_path: Path) -> None:
    (tmp_path / "my data").mkdir()
    (tmp_path / "my data" / "bad.txt").write_text("", encoding="utf-8")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "ok.txt").write_bytes(SEED.read_bytes().replace(b"Aug.", b"AUG."))
    summary = tmp_path / "summary.md"
    done, outputs = run_validate_step(
        tmp_path,
        PATHS="my data\nother\n",
        ARGS="--strict",
        SARIF="out.sarif",
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(
        "::group::my data/bad.txt\n::error file=my data/bad.txt,line=1,col=1,"
    )
    sarif = orjson.loads((tmp_path / "out.sarif").read_bytes())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "file-empty"
    assert outputs == {"errors": "1", "warnings": "1", "sarif": "out.sarif"}
    assert "| `file-empty` | 1 |" in summary.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("archivekit")) == []


def test_action_outputs_only_what_was_written(tmp_path: Path) -> None:
    done, outputs = run_validate_step(tmp_path, PATHS="no-such-folder", ARGS="", SARIF="x.sarif")
    assert done.returncode == 2
    assert outputs == {}
    assert not (tmp_path / "x.sarif").exists()


@pytest.mark.skipif(
    not os.environ.get("ARCHIVEKIT_NETWORK_TESTS"),
    reason="installs archivekit from the package index: ARCHIVEKIT_NETWORK_TESTS=1",
)
def test_pre_commit_try_repo_installs_and_runs_the_real_hook(tmp_path: Path) -> None:
    # language: python as users get it: pre-commit builds a virtualenv from this checkout.
    if PRE_COMMIT is None or shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("pre-commit, git or a git checkout of archivekit is missing")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "good.txt").write_bytes(SEED.read_bytes())
    (root / "bad.txt").write_text("http://example.com/x\n", encoding="utf-8")
    git(root, "add", "-A")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "home"), NO_COLOR="1")
    done = subprocess.run(
        [
            str(PRE_COMMIT),
            "try-repo",
            str(ROOT),
            "archive-validate",
            "--all-files",
            "--color",
            "never",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bad.txt:3:1: error[field-missing]" in done.stdout
    assert "good.txt" not in done.stdout.replace("2 files", "")
