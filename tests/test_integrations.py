"""The pre-commit hooks run by pre-commit in a temporary repository; the GitHub Action's script."""

from __future__ import annotations

import os
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
    assert set(hooks) == {"archive-validate", "archive-fmt"}
    for hook in hooks.values():
        assert hook["files"] == r"\.txt$"
        assert hook["require_serial"] is True
        assert hook["language"] == "python"
    assert hooks["archive-validate"]["entry"] == "archive validate"
    assert hooks["archive-fmt"]["entry"] == "archive fmt"


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


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose local hooks are those of .pre-commit-hooks.yaml.

    ``language: system`` with the installed ``archive`` stands in for
    ``language: python``, which would build archivekit from an index.
    """
    if PRE_COMMIT is None or ARCHIVE is None or shutil.which("git") is None:
        pytest.skip("pre-commit, git or the archive command is not installed")
    hooks = load_yaml(ROOT / ".pre-commit-hooks.yaml")
    local = []
    for hook in hooks:
        hook = dict(hook, language="system", entry=hook["entry"].replace("archive", ARCHIVE, 1))
        hook.pop("minimum_pre_commit_version", None)
        local.append(hook)
    config = {"repos": [{"repo": "local", "hooks": local}]}
    root = tmp_path / "repo"
    root.mkdir()
    # JSON is YAML: no need for a YAML writer.
    (root / ".pre-commit-config.yaml").write_bytes(orjson.dumps(config))
    git(root, "init", "-q")
    return root


def pre_commit(root: Path, hook: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ, PRE_COMMIT_HOME=str(root.parent / "pre-commit-home"), NO_COLOR="1", SKIP=""
    )
    git(root, "add", "-A")
    return subprocess.run(
        [str(PRE_COMMIT), "run", hook, "--all-files", "--color", "never"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_pre_commit_validate_hook_fails_on_a_broken_record(repo: Path) -> None:
    (repo / "good.txt").write_bytes(SEED.read_bytes())
    (repo / "notes.md").write_text("not a record", encoding="utf-8")
    done = pre_commit(repo, "archive-validate")
    assert done.returncode == 0, done.stdout + done.stderr
    (repo / "bad.txt").write_text(
        seed_with(url="http://example.com/b", date="Feb. 30, 2012"), encoding="utf-8"
    )
    done = pre_commit(repo, "archive-validate")
    assert done.returncode == 1
    assert "bad.txt:4:6: error[date-invalid]" in done.stdout


def test_pre_commit_fmt_hook_rewrites_then_passes(repo: Path) -> None:
    target = repo / "a.txt"
    target.write_bytes(SEED.read_bytes().replace(b"\n", b"\r\n"))
    done = pre_commit(repo, "archive-fmt")
    assert done.returncode == 1  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in done.stdout
    assert target.read_bytes() == SEED.read_bytes()
    assert pre_commit(repo, "archive-fmt").returncode == 0


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


def test_action_validate_step_annotates_and_writes_sarif(tmp_path: Path) -> None:
    if ARCHIVE is None or shutil.which("bash") is None:
        pytest.skip("bash or the archive command is not installed")
    action = load_yaml(ROOT / "action.yml")
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "validate")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bad.txt").write_text("", encoding="utf-8")
    output, summary = tmp_path / "github-output", tmp_path / "summary.md"
    env = dict(
        os.environ,
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        PATHS="data",
        ARGS="--strict",
        SARIF="out.sarif",
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
    )
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.startswith("::group::data/bad.txt\n::error file=data/bad.txt,line=1,col=1,")
    sarif = orjson.loads((tmp_path / "out.sarif").read_bytes())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "file-empty"
    assert output.read_text(encoding="utf-8") == "sarif=out.sarif\n"
    assert "| `file-empty` | 1 |" in summary.read_text(encoding="utf-8")


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
