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
