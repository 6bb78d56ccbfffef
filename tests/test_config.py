"""Configuration from pyproject.toml or archive.toml, as a new user would write it."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.config import find_config, load_config
from archivekit.errors import ConfigError
from archivekit.files.globs import compile_globs
from archivekit.validate import check_file
from archivekit.validate.levels import build
from tests.conftest import SEED as SEED_PATH
from tests.support import Cli, make_batch, seed_with

PYPROJECT = """\
[project]
name = "my-archive"

[tool.archive]
include = ["articles/**/*.txt"]
exclude = ["articles/drafts/**"]
word-count-tolerance = 0.05

[tool.archive.rules]
final-newline = "off"
date-invalid = "warning"

[[tool.archive.overrides]]
paths = ["articles/legacy/**"]
rules = { date-noncanonical = "off", crlf = "error" }
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    make_batch(tmp_path / "articles")
    legacy = tmp_path / "articles" / "legacy"
    legacy.mkdir()
    (legacy / "old.txt").write_text(
        seed_with(url="http://example.com/old", date="AUG. 25, 2011").replace("\n", "\r\n"),
        encoding="utf-8",
        newline="",
    )
    drafts = tmp_path / "articles" / "drafts"
    drafts.mkdir()
    (drafts / "draft.txt").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a record", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(out: str) -> list[tuple[str, str, str]]:
    return [(f["path"], f["code"], f["severity"]) for f in orjson.loads(out)["findings"]]


def test_pyproject_configuration_as_a_user_writes_it(cli: Cli, project: Path) -> None:
    result = cli("validate", ".", "-f", "json")
    assert result.stderr == ""
    assert sorted(findings(result.stdout)) == [
        ("./articles/bad.txt", "date-invalid", "warning"),  # level lowered
        ("./articles/legacy/old.txt", "crlf", "error"),  # override raises it
    ]  # final-newline off; drafts excluded; notes.txt not included; old.txt's date off
    assert result.exit_code == 1
    assert orjson.loads(result.stdout)["totals"]["files"] == 4


def test_command_line_flags_win(cli: Cli, project: Path) -> None:
    # --glob wins over include, so notes.txt and the drafts are back (minus exclude).
    result = cli("validate", ".", "-f", "json", "--glob", "*.txt")
    assert result.exit_code == 1
    paths = {path for path, _, _ in findings(result.stdout)}
    assert "./notes.txt" in paths
    assert "./articles/drafts/draft.txt" not in paths
    # --enable turns on an opt-in rule the file does not mention.
    result = cli(
        "validate",
        "articles/good.txt",
        "-f",
        "json",
        "--enable",
        "word-count-mismatch",
        "--word-count-tolerance",
        "10",
    )
    assert (result.exit_code, findings(result.stdout)) == (0, [])
    result = cli("validate", "articles/good.txt", "-f", "json", "--enable", "word-count-mismatch")
    assert result.exit_code == 0
    assert findings(result.stdout) == [("articles/good.txt", "word-count-mismatch", "warning")]


def test_explicit_files_honour_include_and_exclude(cli: Cli, project: Path) -> None:
    # As pre-commit passes them: every changed .txt file, wanted or not.
    result = cli("validate", "notes.txt", "articles/drafts/draft.txt", "articles/good.txt")
    assert (result.exit_code, result.stdout) == (0, "1 file, 0 errors, 0 warnings\n")


def test_archive_toml_and_discovery_upwards(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "archive.toml").write_text('[rules]\nfinal-newline = "error"\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    # A pyproject.toml without [tool.archive] does not hide the archive.toml above.
    (tmp_path / "sub" / "pyproject.toml").write_text("[project]\nname='x'\n", encoding="utf-8")
    files = make_batch(tmp_path / "sub" / "data")
    monkeypatch.chdir(tmp_path / "sub")
    assert find_config() == str(tmp_path / "archive.toml")
    result = cli("validate", str(files["warn"]))
    assert result.exit_code == 1
    assert "error[final-newline]" in result.stdout


def test_no_configuration_means_defaults(tmp_path: Path) -> None:
    config = load_config(start=str(tmp_path))
    assert config.source is None
    assert not (config.rules)
    assert not (config.include)
    assert not (config.overrides)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.archive]\nexclued = []\n", "unknown key 'exclued' (did you mean 'exclude'?)"),
        (
            "[tool.archive.rules]\ndate-invalud = 'off'\n",
            "unknown rule code 'date-invalud' (did you mean 'date-invalid'?)",
        ),
        ("[tool.archive.rules]\nbom = 'ignore'\n", "use one of error, warning, off"),
        ("[tool.archive]\nword-count-tolerance = -1\n", "must be a number >= 0"),
        ("[tool.archive]\ninclude = 3\n", "include must be a list of glob strings"),
        ("[[tool.archive.overrides]]\nrules = {bom = 'off'}\n", "give the files it applies to"),
        ("[[tool.archive.overrides]]\npaths = ['a']\nrule = {}\n", "unknown key 'rule'"),
        ("[tool.archive\n", "not valid TOML"),
        ("[tool]\narchive = 3\n", "[tool.archive] must be a table"),
        ("[tool.archive]\nexclude = ['[z-a].txt']\n", "'[z-a].txt' is not a valid glob"),
    ],
)
def test_configuration_mistakes_are_usage_errors(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    files = make_batch(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"pyproject\.toml"):
        load_config(str(tmp_path / "pyproject.toml"))
    result = cli("validate", str(files["good"]))
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr
    assert "pyproject.toml" in result.stderr


def test_explicit_config_option(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "ci.toml"
    config.write_text('[rules]\ndate-invalid = "off"\n', encoding="utf-8")
    files = make_batch(tmp_path / "data")
    assert cli("validate", str(files["bad"])).exit_code == 1
    assert cli("validate", str(files["bad"]), "--config", str(config)).exit_code == 0
    assert (
        cli("validate", str(files["bad"]), "--config", str(tmp_path / "none.toml")).exit_code == 2
    )


def test_policy_is_a_pure_function_of_the_result(tmp_path: Path) -> None:
    files = make_batch(tmp_path)
    config = load_config(start=str(tmp_path))
    policy, _ = build(config)
    result = check_file(str(files["bad"]))
    assert policy.apply(result) is result  # nothing configured: untouched, no copy
    config = config.__class__(root=str(tmp_path), rules={"date-invalid": "off"})
    policy, _ = build(config)
    applied = policy.apply(result)
    assert applied.diagnostics == ()
    assert applied.ok
    assert not result.ok  # the input is not changed
    import pickle

    assert pickle.loads(pickle.dumps(policy)).apply(result) == applied


def test_opt_in_rule_enabled_only_by_an_override_stays_off_elsewhere(
    cli: Cli, tmp_path: Path
) -> None:
    (tmp_path / "archive.toml").write_text(
        '[[overrides]]\npaths = ["strict/**"]\nrules = { word-count-mismatch = "error" }\n',
        encoding="utf-8",
    )
    for folder in ("strict", "lax"):
        make_batch(tmp_path / folder)
    result = cli(
        "validate", str(tmp_path), "-f", "json", "--config", str(tmp_path / "archive.toml")
    )
    mismatches = [p for p, c, _ in findings(result.stdout) if c == "word-count-mismatch"]
    assert mismatches
    assert all("/strict/" in p for p in mismatches)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.txt", "a.txt", True),
        ("*.txt", "deep/down/a.txt", True),
        ("articles/*.txt", "articles/a.txt", True),
        ("articles/*.txt", "articles/sub/a.txt", False),
        ("articles/**/*.txt", "articles/a.txt", True),
        ("articles/**/*.txt", "articles/sub/a.txt", True),
        ("legacy", "legacy/x/y.txt", True),
        ("legacy/", "legacy/y.txt", True),
        ("legacy", "legacyfoo.txt", False),
        ("a?.txt", "ab.txt", True),
        ("[!x]b.txt", "ab.txt", True),
        ("[!x]b.txt", "xb.txt", False),
        ("a.txt", "a_txt", False),
    ],
)
def test_globs(pattern: str, path: str, matches: bool) -> None:
    regex = compile_globs([pattern])
    assert regex is not None
    assert bool(regex.fullmatch(path)) is matches


def toml_values() -> st.SearchStrategy[object]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=8)
        | st.sampled_from(["error", "warning", "off", "*.txt", "**/x", "bom", "[a"])
    )
    keys = st.sampled_from(
        [
            "include",
            "exclude",
            "rules",
            "overrides",
            "paths",
            "word-count-tolerance",
            "bom",
            "crlf",
            "x",
        ]
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    )


@pytest.mark.property
@given(
    st.dictionaries(
        st.sampled_from(
            ["include", "exclude", "rules", "overrides", "word-count-tolerance", "other"]
        ),
        toml_values(),
        max_size=5,
    )
)
def test_any_table_loads_or_is_a_config_error(table: dict[str, object]) -> None:
    from archivekit.config import _parse

    try:
        config = _parse(table, "archive.toml")
    except ConfigError:
        return
    build(config)  # whatever loads, builds


def test_policy_knows_when_a_rule_is_off_everywhere(tmp_path: Path) -> None:
    from archivekit.config import Config, Override

    def on(config: Config, code: str, enable: tuple[str, ...] = ()) -> bool:
        return build(config, enable=enable)[0].is_on(code)

    plain = Config(root=str(tmp_path))
    assert on(plain, "duplicate-url")
    assert not on(plain, "word-count-mismatch")  # opt-in
    assert on(plain, "word-count-mismatch", enable=("word-count-mismatch",))
    off = Config(root=str(tmp_path), rules={"duplicate-url": "off"})
    assert not on(off, "duplicate-url")
    somewhere = Config(
        root=str(tmp_path),
        rules={"duplicate-url": "off"},
        overrides=(Override(("new/**",), {"duplicate-url": "error"}),),
    )
    assert on(somewhere, "duplicate-url")


OFF = b'[rules]\ndate-invalid = "off"\n'


@pytest.mark.hostile
def test_discovery_stops_at_the_top_of_the_repository(tmp_path: Path) -> None:
    # Before: an archive.toml in any parent folder applied, even above the repository.
    (tmp_path / "archive.toml").write_bytes(OFF)
    data = tmp_path / "repo" / "data"
    data.mkdir(parents=True)
    assert find_config(str(data)) == str(tmp_path / "archive.toml")  # no repository: found
    (tmp_path / "repo" / ".git").mkdir()
    assert find_config(str(data)) is None
    (tmp_path / "repo" / "archive.toml").write_bytes(OFF)  # the repository's own: found
    assert find_config(str(data)) == str(tmp_path / "repo" / "archive.toml")


@pytest.mark.hostile
@pytest.mark.skipif(os.geteuid() != 0, reason="making a file another user's needs root")
@pytest.mark.parametrize("name", ["archive.toml", "pyproject.toml"])
def test_configuration_owned_by_another_user_is_ignored(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Before: another user's file in a shared, world-writable parent turned rules off.
    shared = tmp_path / "shared"
    (shared / "me" / "data").mkdir(parents=True)
    os.chmod(shared, 0o1777)
    config = shared / name
    config.write_bytes(OFF if name == "archive.toml" else b"[tool.archive]\n" + OFF)
    os.chown(config, 12345, 12345)
    bad = shared / "me" / "data" / "bad.txt"
    bad.write_text(seed_with(date="Aug. 45, 2011"), encoding="utf-8")
    monkeypatch.chdir(shared / "me")
    assert find_config() is None
    result = cli("validate", "data")
    assert result.exit_code == 1
    assert "date-invalid" in result.stdout
    os.chown(config, 0, 0)  # root's own is trusted, as git trusts it
    assert find_config() == str(config)


@pytest.mark.hostile
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a = " + b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"a = " + b"{b = " * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
        (b'include = ["\xff\xfe"]', "not UTF-8"),
        (b"word-count-tolerance = nan", "word-count-tolerance must be a number"),
        (b"word-count-tolerance = inf", "word-count-tolerance must be a number"),
        (b"include = [" + b'"a",' * 200_000 + b"]", "200000 globs, more than 1000"),
        (b"# " + b"x" * (2 << 20), "over the 1 MiB a configuration file may have"),
    ],
    ids=["arrays", "tables", "utf8", "nan", "inf", "globs", "size"],
)
def test_hostile_configuration_is_a_configuration_error(
    cli: Cli, tmp_path: Path, content: bytes, message: str
) -> None:
    # Before: RecursionError, UnicodeDecodeError (internal errors), nan and inf
    # accepted, 200,000 globs compiled one by one for 20 s.
    (tmp_path / "archive.toml").write_bytes(content)
    result = cli("validate", str(SEED_PATH), "--config", str(tmp_path / "archive.toml"))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "internal error" not in result.stderr
