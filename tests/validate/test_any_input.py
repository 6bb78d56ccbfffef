"""``archive validate`` reads every input ``archive convert`` reads, with the same findings."""

from __future__ import annotations

import gzip
import json
import os
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from archivekit.config import Config
from archivekit.convert import Conversion, ConvertOptions
from archivekit.errors import UsageError
from archivekit.validate import Validation, check_file, validate_paths
from tests.conftest import SEED
from tests.support import Cli, seed_with

SEED_TEXT = SEED.read_text(encoding="utf-8")
#: The seed as a JSON object, and the same with a date that is no calendar day.
GOOD: dict[str, Any] = {
    "url": "http://example.com/good",
    "headline": "Good - The New York Times",
    "keywords": ["Mexico", "Calderon  Felipe"],
    "date": "2011-08-25",
    "word_count": 3,
    "body": "One two three.",
}
BAD = {**GOOD, "url": "http://example.com/bad", "date": "2011-02-30"}


def _inputs(root: Path) -> dict[str, Path]:
    """One input per format convert reads, each holding one valid and one invalid record."""
    root.mkdir()
    good_txt = seed_with(url="http://example.com/t-good")
    bad_txt = seed_with(url="http://example.com/t-bad", date="Aug. 32, 2011")
    made = {
        "jsonl": root / "r.jsonl",
        "json": root / "r.json",
        "csv": root / "r.csv",
        "txt.gz": root / "r.txt.gz",
        "tar.gz": root / "r.tar.gz",
        "zip": root / "r.zip",
        "md": root / "bad.md",
    }
    made["jsonl"].write_text(json.dumps(GOOD) + "\n" + json.dumps(BAD) + "\n", encoding="utf-8")
    made["json"].write_text(json.dumps([GOOD, BAD], indent=1), encoding="utf-8")
    rows = ["url,headline,keywords,date,word_count,body"] + [
        f"{r['url']},{r['headline']},{','.join(r['keywords'])!r},{r['date']},1,Body"
        for r in (GOOD, BAD)
    ]
    made["csv"].write_text("\r\n".join(rows).replace("'", '"') + "\r\n", encoding="utf-8")
    made["txt.gz"].write_bytes(gzip.compress(bad_txt.encode("utf-8"), mtime=0))
    with tarfile.open(made["tar.gz"], "w:gz") as archive:
        for name, text in (("a/good.txt", good_txt), ("a/bad.txt", bad_txt)):
            (root / "member.txt").write_text(text, encoding="utf-8")
            archive.add(root / "member.txt", arcname=name)
    (root / "member.txt").unlink()
    with zipfile.ZipFile(made["zip"], "w") as archive:
        archive.writestr("good.txt", good_txt)
        archive.writestr("bad.txt", bad_txt)
    made["md"].write_text(
        '---\ntitle: "H"\ndate: 2011-02-30\ntags: []\nsource_url: "http://example.com/md"\n'
        "word_count: 1\n---\n\n# H\n\nBody\n",
        encoding="utf-8",
    )
    return made


def _convert_codes(path: Path) -> list[tuple[str, int | None, list[str]]]:
    conversion = Conversion([str(path)], ConvertOptions(to="jsonl", output=os.devnull))
    return [(o.source, o.index, [d.code for d in o.diagnostics]) for o in conversion]


@pytest.mark.parametrize("kind", ["jsonl", "json", "csv", "txt.gz", "tar.gz", "zip", "md"])
def test_validate_reports_what_convert_reports(cli: Cli, tmp_path: Path, kind: str) -> None:
    path = _inputs(tmp_path / "in")[kind]
    expected = _convert_codes(path)
    assert any(codes for _, _, codes in expected)  # each input holds an invalid record
    results = list(validate_paths([str(path)], config=Config(root=str(tmp_path)), jobs=1))
    assert [(r.path, r.index, [d.code for d in r.diagnostics]) for r in results] == expected
    result = cli("validate", path)
    assert result.exit_code == 1
    shown = re.findall(r"^(.*?):\d+:\d+: error\[([a-z-]+)\]", result.stdout, re.MULTILINE)
    assert shown == [(path, code) for path, _, codes in expected for code in codes]


def test_from_forces_a_format_and_folders_walk_its_extensions(cli: Cli, tmp_path: Path) -> None:
    made = _inputs(tmp_path / "in")
    renamed = made["jsonl"].with_suffix(".log")
    made["jsonl"].rename(renamed)
    result = cli("validate", renamed, "--from", "jsonl")
    assert result.exit_code == 1
    column = renamed.read_text().splitlines()[1].index('"date"') + 1  # at the key
    assert f"{renamed}:2:{column}: error[date-invalid]" in result.stdout
    # A folder is walked for the --from format's extensions (.json here), and only those.
    result = cli("validate", tmp_path / "in", "--from", "json", "-q")
    assert result.exit_code == 1
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {str(made["json"])}


def test_a_glob_pattern_is_a_path(cli: Cli, tmp_path: Path) -> None:
    for name in ("a/x.txt", "b/c/y.txt", "b/z.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(seed_with(url=f"http://e.com/{name}"), encoding="utf-8")
    result = cli("validate", f"{tmp_path}/**/*.txt")
    assert result.exit_code == 0
    assert result.stdout == "2 files, 0 errors, 0 warnings\n"


def test_validate_paths_gives_exactly_what_the_cli_prints(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Configuration and duplicate-url included: the CLI adds nothing of its own."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.archive.rules]\nbom = "error"\nfinal-newline = "off"\n', encoding="utf-8"
    )
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text(SEED_TEXT, encoding="utf-8")
    (archive / "b.txt").write_text(SEED_TEXT + "\n", encoding="utf-8")  # same URL, final newline
    (archive / "c.txt").write_text("\ufeff" + seed_with(url="http://e.com/c"), encoding="utf-8")
    (archive / "d.txt").write_text(seed_with(url="http://e.com/d", date="x"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    api = [str(d) for r in validate_paths(["archive"]) for d in r.diagnostics]
    printed = cli("validate", "archive").stdout.splitlines()
    assert printed[:-1] == api
    assert [line.split(" ")[1].split("]")[0] for line in api] == [
        "warning[duplicate-url",
        "error[bom",
        "error[date-unrecognized",
    ]
    assert printed[-1] == "4 files, 2 errors, 1 warning"


def test_validation_counts_files_and_records(tmp_path: Path) -> None:
    made = _inputs(tmp_path / "in")
    validation = Validation([str(made["jsonl"]), str(made["zip"])], jobs=1)
    results = list(validation)
    assert len(results) == 4
    assert (validation.totals.files, validation.totals.records) == (3, 4)
    assert validation.totals.errors == 2


def test_levels_and_the_baseline_keep_where_a_record_is(cli: Cli, tmp_path: Path) -> None:
    """Findings re-levelled or partly baselined stay on their record's line and number."""
    made = _inputs(tmp_path / "in")
    config = tmp_path / "archive.toml"
    config.write_text('[rules]\ndate-invalid = "warning"\n', encoding="utf-8")
    results = list(validate_paths([str(made["jsonl"])], config=str(config)))
    assert [(r.index, r.line, [d.severity.value for d in r.diagnostics]) for r in results] == [
        (1, 1, []),
        (2, 2, ["warning"]),
    ]
    result = cli("validate", made["jsonl"], "--config", config)
    assert result.stdout.splitlines()[-1] == "1 file (2 records), 0 errors, 1 warning"


def test_check_file_refuses_a_file_of_many_records(tmp_path: Path) -> None:
    made = _inputs(tmp_path / "in")
    for kind in ("jsonl", "json", "csv", "zip"):
        with pytest.raises(UsageError, match="holds many records: check it with validate_paths"):
            check_file(str(made[kind]))
    assert [d.code for d in check_file(str(made["txt.gz"])).diagnostics] == ["date-invalid"]
    assert [d.code for d in check_file(str(made["md"])).diagnostics] == ["date-invalid"]
