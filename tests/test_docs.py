"""The documentation keeps up with the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from archivekit.rules import RULES
from tests.conftest import ROOT


def test_every_rule_is_documented_in_format_md() -> None:
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    missing = [rule.code for rule in RULES if f"`{rule.code}`" not in text]
    assert not missing, f"docs/format.md does not document: {missing}"


def test_ci_docs_cover_every_report_format_and_their_config_example_loads(tmp_path: Path) -> None:
    from archivekit.config import load_config
    from archivekit.reports import REPORTER_BY_NAME

    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for name in REPORTER_BY_NAME:
        assert f"| `{name}`" in text, name
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "pyproject.toml").write_text(example, encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    assert config.rules["duplicate-url"] == "error"
    assert config.overrides[0].paths == ("archive/legacy/**",)


def test_ci_docs_python_example_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import orjson

    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    example = text.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(
        compile(
            example.replace('"archive/"', '"seeds/000_1010b656ba4bd7c5.txt"'), "docs/ci.md", "exec"
        ),
        {},
    )
    out, err = capsys.readouterr()
    assert orjson.loads(out)["version"] == "2.1.0"
    assert err == "0 0\n"


def _blocks(text: str, language: str) -> list[str]:
    return [part.split("```", 1)[0] for part in text.split(f"```{language}\n")[1:]]


def test_ci_docs_snippets_work_as_written(tmp_path: Path) -> None:
    """The workflow snippets pass their schemas, the pre-commit one pre-commit's own check;
    none holds a placeholder."""
    import shutil
    import subprocess
    import sys

    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "OWNER" not in text
    bin_dir = Path(sys.executable).parent
    checker = shutil.which("check-jsonschema", path=str(bin_dir))
    pre_commit = shutil.which("pre-commit", path=str(bin_dir))
    if checker is None or pre_commit is None:
        pytest.skip("check-jsonschema or pre-commit is not installed (the dev extra has both)")
    checked = 0
    for number, block in enumerate(_blocks(text, "yaml")):
        first = block.splitlines()[0]
        target = tmp_path / f"{number}.yml"
        target.write_text(block, encoding="utf-8")
        if "workflows/" in first:
            command = [checker, "--builtin-schema", "vendor.github-workflows", str(target)]
        elif ".gitlab-ci.yml" in first:
            command = [checker, "--builtin-schema", "vendor.gitlab-ci", str(target)]
        elif ".pre-commit-config.yaml" in first:
            command = [pre_commit, "validate-config", str(target)]
        else:
            continue
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{first}\n{done.stdout}{done.stderr}"
        checked += 1
    assert checked == 4
    action = subprocess.run(
        [checker, "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert action.returncode == 0, action.stdout
