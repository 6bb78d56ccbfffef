"""Shared by the convert tests: a record strategy, a batch generator, and format round trips."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterable
from pathlib import Path

from hypothesis import strategies as st

from archivekit.formats import Format, FormatOptions
from archivekit.record.fields import MAX_WORD_COUNT
from archivekit.record.model import Record
from archivekit.record.write import dump_bytes

# Text the archive format can hold in a one-line field: no controls, no line
# breaks (Cc), no surrogates (Cs), no line/paragraph separators (Zl, Zp).
_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
_BODY_CHARS = st.one_of(_CHARS, st.sampled_from("\n\t.,\"'“”’—"))


def _trimmed(chars: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    return st.text(chars, min_size=1, max_size=max_size).map(str.strip).filter(bool)


_HOST = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z]{2,6}){0,2}", fullmatch=True)
_PATH = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Z"), blacklist_characters="\x85"), max_size=40
).filter(lambda p: not any(c.isspace() for c in p))

urls = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["http", "https", "HTTP"]),
    _HOST,
    _PATH,
)
keyword = _trimmed(_CHARS, 30).filter(lambda k: "," not in k)

records = st.builds(
    Record,
    url=urls,
    headline=_trimmed(_CHARS, 80),
    keywords=st.lists(keyword, max_size=6, unique=True).map(tuple),
    date=st.dates(min_value=dt.date(1, 1, 1)),
    word_count=st.integers(0, MAX_WORD_COUNT),
    body=_trimmed(_BODY_CHARS, 300),
)

format_options = st.builds(
    FormatOptions, csv_keywords=st.sampled_from(["comma", "json"]), paragraphs=st.booleans()
)


def write_many(fmt: Format, items: Iterable[Record], options: FormatOptions) -> bytes:
    """Every record in one many-record stream of ``fmt``."""
    assert fmt.sink is not None
    out = io.BytesIO()
    sink = fmt.sink(out, options)
    for record in items:
        sink.write(record)
    sink.close()
    return out.getvalue()


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
