"""Builders shared by the tests (not a test module): record files, batches, format round
trips, and the type of the ``cli`` fixture."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

from typer.testing import Result

from archivekit.files.atomic import TEMP_PREFIX
from archivekit.formats import Format, FormatOptions
from archivekit.record.model import Record
from archivekit.record.write import dump_bytes
from tests.conftest import SEED


class Cli(Protocol):
    """The ``cli`` fixture: ``archive ARGS`` in-process, standard error kept apart."""

    def __call__(
        self,
        *args: str | Path,
        input: bytes | str | None = None,
        env: dict[str, str] | None = None,
    ) -> Result: ...


# Record files made from the seed.

SEED_TEXT = SEED.read_text(encoding="utf-8")

BAD_DATE = b"http://a.com/x\nHeadline\nk\nAug. 32, 2011\n5\nBody."
BAD_URL = b"www.a.com\nHeadline\nk\nAug. 3, 2011\n5\nBody."


def seed_with(*, url: str | None = None, date: str | None = None, suffix: str = "") -> str:
    """The seed's text with its URL or date line replaced, and ``suffix`` appended."""
    lines = SEED_TEXT.split("\n", 5)
    if url is not None:
        lines[0] = url
    if date is not None:
        lines[3] = date
    return "\n".join(lines) + suffix


def make_batch(root: Path) -> dict[str, Path]:
    """Three files: clean, one error (date-invalid), one warning (final-newline)."""
    root.mkdir(parents=True, exist_ok=True)
    files = {
        "good": root / "good.txt",
        "bad": root / "bad.txt",
        "warn": root / "warn.txt",
    }
    files["good"].write_text(SEED_TEXT, encoding="utf-8")
    files["bad"].write_text(
        seed_with(url="http://example.com/bad", date="Aug. 32, 2011"), encoding="utf-8"
    )
    files["warn"].write_text(
        seed_with(url="http://example.com/warn", suffix="\n"), encoding="utf-8"
    )
    return files


# What a run left behind.


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by relative POSIX path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def temporaries(folder: Path) -> list[Path]:
    """The staging temporaries left under ``folder`` (there should be none)."""
    return [p for p in folder.rglob("*") if p.name.startswith(TEMP_PREFIX)]


# Format round trips.


@contextlib.contextmanager
def sink_output(fmt: Format) -> Iterator[BinaryIO]:
    """Where a test's sink of ``fmt`` writes: memory, or a named file for SQLite."""
    if not fmt.file_only:
        yield io.BytesIO()
        return
    with tempfile.NamedTemporaryFile(prefix="archive-test-", suffix=".db") as out:
        yield cast(BinaryIO, out)


def output_bytes(out: BinaryIO) -> bytes:
    """What a sink wrote into ``out`` (of :func:`sink_output`), once it is closed."""
    if isinstance(out, io.BytesIO):
        return out.getvalue()
    return Path(out.name).read_bytes()


def write_many(fmt: Format, items: Iterable[Record], options: FormatOptions) -> bytes:
    """Every record in one many-record stream of ``fmt``."""
    assert fmt.sink is not None
    with sink_output(fmt) as out:
        sink = fmt.sink(out, options)
        for record in items:
            sink.write(record)
        sink.close()
        return output_bytes(out)


def read_all(fmt: Format, data: bytes, options: FormatOptions) -> list[Record | None]:
    """The records ``fmt`` reads from ``data`` (``None`` for an invalid one)."""
    return [r.record for r in fmt.read(io.BytesIO(data), "<test>", options)]


# A realistic batch: NYT-like records with the awkward bits real data has.
_WORDS = (
    "officials",
    "Mexican",
    "U.S.",
    "D.E.A.",
    "border",
    "said",
    "“quoted,” he said",
    "a, b",
    'say "hi"',
    "line;semi",
    "=SUM(A1)",
    "+1",
    "-dash",
    "@at",
    "café",
    "naïve",
    "emoji 🎉",
    "tab\there",
    "Calderón",
)
_KEYWORDS = (
    "Drug Cartels",
    "Mexico",
    "Calderon  Felipe",
    "Obama  Barack",
    "United States",
    "Politics and Government",
    "=cmd",
    "Ümlaut",
    "Smuggling",
)


def batch_record(number: int, rng: random.Random) -> Record:
    """Record ``number`` of a generated batch (deterministic for a seeded ``rng``)."""
    day = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(9000))
    sentences = []
    for _ in range(rng.randrange(2, 12)):
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(3, 15)))
        sentences.append(words[0].upper() + words[1:] + rng.choice(".?!"))
    # Paragraphs run together, as in the scraped data ("officials.Mexican").
    body = "".join(sentences) if rng.random() < 0.8 else " ".join(sentences)
    if rng.random() < 0.05:
        body = body.replace("!", "!\n", 1)  # a few bodies over several lines
    return Record(
        url=f"http://www.nytimes.com/{day:%Y/%m/%d}/world/{number}story{rng.randrange(99)}.html",
        headline=f"Story {number}: {rng.choice(_WORDS)}, “{rng.choice(_WORDS)}” - The Times",
        keywords=tuple(rng.sample(_KEYWORDS, rng.randrange(0, 5))),
        date=day,
        word_count=rng.randrange(0, 20000),
        body=body.strip(),
    )


def write_batch(folder: Path, count: int, seed: int = 3) -> list[Path]:
    """``count`` canonical archive files in ``folder`` (two levels, to test mirroring)."""
    rng = random.Random(seed)
    paths = []
    for number in range(count):
        path = folder / f"part{number % 3}" / f"{number:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(dump_bytes(batch_record(number, rng)))
        paths.append(path)
    return paths


# A batch for selection and statistics: many sites, URL spellings and duplicates.

_SITES = ("www.nytimes.com", "nytimes.com", "cooking.nytimes.com", "www.theatlantic.com", "al.com")
_MIXED_KEYWORDS = (
    "Mexico",
    "Drug Cartels",
    "Elections",
    "Obama  Barack",
    "Merkel  Angela",
    "São Paulo (Brazil)",
    "Music",
)
_SUFFIXES = (" - The New York Times", " | AL.com", " - The Atlantic", "")


def mixed_record(number: int, rng: random.Random, earlier: list[Record]) -> Record:
    """Record ``number`` of a mixed batch: about one in eight repeats an earlier URL,
    as written or spelled otherwise (scheme, ``www.``, slash, fragment, ``utm_*``)."""
    day = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(12000))
    if earlier and rng.random() < 0.12:
        url = rng.choice(earlier).url
        variant = rng.randrange(4)
        if variant == 1:
            url = url.replace("http://", "https://", 1)
        elif variant == 2:
            url += "/?utm_source=feed&utm_medium=rss"
        elif variant == 3:
            url += "#comments"
    else:
        site = rng.choice(_SITES)
        scheme = rng.choice(("http", "https"))
        url = f"{scheme}://{site}/{day:%Y/%m/%d}/story-{number}.html"
    words = rng.randrange(5, 60)
    body = " ".join(
        rng.choice(("the", "border", "officials.Said", "café", "vote")) for _ in range(words)
    )
    return Record(
        url=url,
        headline=f"Story {number} about {rng.choice(_MIXED_KEYWORDS)}{rng.choice(_SUFFIXES)}",
        keywords=tuple(rng.sample(_MIXED_KEYWORDS, rng.randrange(0, 4))),
        date=day,
        word_count=rng.choice((0, words, words * 2, rng.randrange(1, 5000))),
        body=body,
    )


def write_mixed(folder: Path, count: int, seed: int = 5) -> list[tuple[Path, Record]]:
    """``count`` canonical archive files of :func:`mixed_record`, in walk order."""
    rng = random.Random(seed)
    written: list[tuple[Path, Record]] = []
    records: list[Record] = []
    for number in range(count):
        record = mixed_record(number, rng, records)
        records.append(record)
        path = folder / f"{number // 100:03d}" / f"{number:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(dump_bytes(record))
        written.append((path, record))
    return written


def s3_args(options: dict[str, object]) -> list[str]:
    """``--storage-option`` arguments that reach a test S3 endpoint (the ``s3`` fixture)."""
    import json

    args = []
    for key, value in options.items():
        text = json.dumps(value) if isinstance(value, dict) else str(value)
        args += ["--storage-option", f"{key}={text}"]
    return args


def arrow_reference(items: list[Record]) -> Any:
    """The records as pyarrow converts their Python values itself (a ``pyarrow.RecordBatch``):
    what the buffer-built batches of record/arrow.py must equal. Needs pyarrow."""
    import pyarrow as pa

    from archivekit.record.arrow import ARROW_SCHEMA

    columns = [[getattr(record, name) for record in items] for name in ARROW_SCHEMA.names]
    columns[2] = [list(keywords) for keywords in columns[2]]
    return pa.RecordBatch.from_arrays(
        [pa.array(column, type=f.type) for column, f in zip(columns, ARROW_SCHEMA, strict=True)],
        schema=ARROW_SCHEMA,
    )
