"""Fuzz every convert reader and container: any bytes give records or diagnostics, never a crash."""

from __future__ import annotations

import gzip
import io
import random
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.formats import FORMAT_BY_NAME, FormatOptions
from archivekit.record.parse import parse
from archivekit.rules import RULE_BY_CODE
from archivekit.sources.inputs import iter_sources
from archivekit.sources.reading import ReadOptions, read_source
from tests.mutations import SEEDS, mutate
from tests.support import Cli

pytestmark = pytest.mark.fuzz

FORMATS = ("json", "jsonl", "csv", "md")
OPTIONS = (FormatOptions(), FormatOptions(csv_keywords="json"), FormatOptions(paragraphs=True))


def _many(name: str, count: int = 2) -> bytes:
    """A valid file of ``count`` seed records in format ``name``."""
    records = [r for r in (parse(s).record for s in SEEDS) if r is not None][:count]
    fmt = FORMAT_BY_NAME[name]
    if fmt.sink is not None:
        out = io.BytesIO()
        writer = fmt.sink(out, FormatOptions())
        for record in records:
            writer.write(record)
        writer.close()
        return out.getvalue()
    assert fmt.dump is not None
    return fmt.dump(records[0], FormatOptions())


VALID = {name: _many(name) for name in FORMATS}


def check_reader(name: str, data: bytes, options: FormatOptions = OPTIONS[0]) -> int:
    """Read ``data`` as format ``name``; assert every outcome is a record or a known finding."""
    count = 0
    for result in FORMAT_BY_NAME[name].read(io.BytesIO(data), "fuzz", options):
        count += 1
        for d in result.diagnostics:
            assert d.code in RULE_BY_CODE, d
            assert d.line >= 1, d
            assert "\n" not in d.message, d
        assert (result.record is None) is (not result.ok), result
    return count


def test_the_seeds_are_valid() -> None:
    """The mutated seeds start valid: otherwise the fuzzing only sees the first error."""
    for name, data in VALID.items():
        reads = list(FORMAT_BY_NAME[name].read(io.BytesIO(data), "seed", FormatOptions()))
        assert reads, name
        assert all(r.ok for r in reads), (name, reads)


@pytest.mark.property
@given(st.sampled_from(FORMATS), st.binary(max_size=800), st.sampled_from(OPTIONS))
def test_readers_arbitrary_bytes(name: str, data: bytes, options: FormatOptions) -> None:
    check_reader(name, data, options)


@pytest.mark.property
@given(st.sampled_from(FORMATS), st.randoms(use_true_random=False), st.sampled_from(OPTIONS))
def test_readers_mutated(name: str, rng: random.Random, options: FormatOptions) -> None:
    check_reader(name, mutate(VALID[name], rng), options)


@pytest.mark.property
@given(st.sampled_from(FORMATS), st.text(max_size=300))
def test_readers_arbitrary_text(name: str, text: str) -> None:
    """Lone surrogates included: encoded with surrogatepass, as a broken tool would."""
    check_reader(name, text.encode("utf-8", "surrogatepass"))


def _container(folder: Path, kind: str, name: str, data: bytes) -> Path:
    """``data`` in a .gz, .zip or .tar.gz; the same bytes every time (no time stamps), so
    that hypothesis can replay a mutation of the container."""
    packed = gzip.compress(data, mtime=0)
    out = io.BytesIO()
    if kind == "gz":
        path = folder / f"in.{name}.gz"
        out.write(packed)
    elif kind == "zip":
        path = folder / "in.zip"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(zipfile.ZipInfo(f"a.{name}"), data, zipfile.ZIP_DEFLATED)
            archive.writestr(zipfile.ZipInfo(f"b.{name}.gz"), packed)
    else:
        path = folder / "in.tar.gz"
        with tarfile.open(fileobj=out, mode="w") as archive:
            for member, content in ((f"a.{name}", data), (f"b.{name}.gz", packed)):
                info = tarfile.TarInfo(member)
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
        out = io.BytesIO(gzip.compress(out.getvalue(), mtime=0))
    path.write_bytes(out.getvalue())
    return path


def check_sources(path: Path) -> int:
    """Read every source found under ``path`` as convert does; every item has a known code."""
    count = 0
    for source in iter_sources([str(path)]):
        for item in read_source(source, ReadOptions()):
            count += 1
            for d in item.result.diagnostics:
                assert d.code in RULE_BY_CODE, d
    return count


@pytest.mark.property
@given(
    st.sampled_from(("gz", "zip", "tar")),
    st.sampled_from(FORMATS),
    st.randoms(use_true_random=False),
)
def test_containers_mutated_members(kind: str, name: str, rng: random.Random) -> None:
    """Mutated records inside .gz, .zip and .tar.gz members."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        check_sources(_container(Path(folder), kind, name, mutate(VALID[name], rng)))


@pytest.mark.property
@given(
    st.sampled_from(("gz", "zip", "tar")),
    st.sampled_from(FORMATS),
    st.randoms(use_true_random=False),
)
def test_containers_mutated_bytes(kind: str, name: str, rng: random.Random) -> None:
    """The container itself damaged: truncated, bytes flipped, spliced."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        path = _container(Path(folder), kind, name, VALID[name])
        damaged = mutate(path.read_bytes(), rng)
        path.write_bytes(damaged)
        check_sources(path)


@pytest.mark.property
@given(st.sampled_from(("in.json.gz", "in.zip", "in.tar", "in.tgz")), st.binary(max_size=600))
def test_containers_arbitrary_bytes(file_name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        path = Path(folder) / file_name
        path.write_bytes(data)
        check_sources(path)


@pytest.mark.property
@given(st.sampled_from((*FORMATS, "gz")), st.randoms(use_true_random=False))
def test_convert_cli_mutated(cli: Cli, name: str, rng: random.Random) -> None:
    """``archive convert`` on a mutated input: the exit code its records imply, no traceback."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        if name == "gz":
            path = Path(folder) / "in.jsonl.gz"
            path.write_bytes(mutate(gzip.compress(VALID["jsonl"], mtime=0), rng))
        else:
            path = Path(folder) / f"in.{name}"
            path.write_bytes(mutate(VALID[name], rng))
        target = rng.choice(("jsonl", "csv", "json"))
        out = Path(folder) / f"out.{target}"
        invalid = any(
            not item.result.ok
            for source in iter_sources([str(path)])
            for item in read_source(source, ReadOptions())
        )
        result = cli("convert", path, "--to", target, "-o", out)
        # Exactly what reading the input found: 1 if a record is invalid, else 0.
        assert result.exit_code == (1 if invalid else 0), result.output
        if invalid:
            assert isinstance(result.exception, SystemExit), result.exception
        else:
            assert result.exception is None, result.exception
        assert "Traceback" not in result.output
