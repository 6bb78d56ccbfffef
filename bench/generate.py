"""Deterministic generator of realistic canonical archive records, for the benchmark and tests.

Records are shaped like the seed: a news URL whose date is the print date, a
headline with a site suffix and curly quotes, keywords with ``Last  First``
people and accented names, AP dates across four decades, a declared word count
that disagrees with the body, and a body of several hundred to a few thousand
words (about 10 KB on average) whose sentences run together (``officials.Mexican``).

Record ``i`` depends only on ``(seed, i)``, so a run of N files is the prefix
of a run of 10 x N files. Usage::

    python bench/generate.py bench/out/records --n 20000 [--json bench/out/json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson

if __package__ in (None, ""):  # run as a script: make ``archivekit`` and ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archivekit.formats.base import record_values
from archivekit.record.model import Record
from archivekit.record.write import dumps
from archivekit.workers import Workers

#: Files per sub-folder: big folders are slow to list on some file systems.
PER_FOLDER = 1000
#: Bumped whenever the records change, so that a cached tree is rebuilt.
VERSION = 1
STAMP = ".generated"


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split())


_WORDS = _split(
    "the of and to in a that for on said is was with by as at from his it an be have "
    "has are were he they who not but had been their which would this its will more "
    "officials government president administration police state federal city country "
    "military forces security border drug cartel smuggling trafficking investigation "
    "report according senior minister election campaign vote voters congress senate "
    "house committee budget billion million percent economy market prices companies "
    "workers union strike court judge ruling lawyers case trial prison charges accused "
    "agency intelligence operation raids helicopter mission support logistical staging "
    "areas sharing decisions targets tactics surveillance corrupting influences movements "
    "settings tight enforcement officers collaborate pursuit criminals operate sides "
    "although operations began months ago remain largely secret while questions about "
    "legal authority oversight remain unanswered critics warned program could expand "
    "without public debate spokesman declined comment statement issued late Tuesday "
    "residents neighborhood school teachers parents children hospital doctors patients "
    "health care insurance coverage plan reform bill law lawmakers debate weeks "
    "summer winter spring autumn morning evening night week year decade century "
    "history museum exhibition artist painting music concert orchestra theater film "
    "director actors season team coach players game victory defeat championship league "
    "scientists research study data climate warming emissions energy oil gas prices "
    "technology internet software computer network users privacy online service "
    "café résumé naïve façade piñata jalapeño señor über déjà fiancée crème brûlée"
)

_CAPITALISED = _split(
    "Mexico United States Washington Congress Pentagon Brazil Canada China Europe "
    "Germany France Spain Iraq Afghanistan Britain Japan Russia India Africa Texas "
    "California Arizona Chicago Boston Houston Detroit Atlanta Seattle Miami Denver "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
)

_PEOPLE = (
    ("Calderón", "Felipe"),
    ("Obama", "Barack"),
    ("Müller", "Jürgen"),
    ("Nuñez", "José"),
    ("García", "Márquez"),
    ("Dvořák", "Antonín"),
    ("Brontë", "Zoë"),
    ("Sánchez", "Inés"),
    ("Smith", "John"),
    ("O’Brien", "Siobhán"),
    ("Lefèvre", "Amélie"),
    ("Özil", "Mesut"),
    ("Kowalczyk", "Łukasz"),
    ("Johnson", "Mary"),
    ("Søndergaard", "Bjørn"),
    ("Clinton", "Hillary Rodham"),
    ("Bush", "George W"),
    ("Castro", "Raúl"),
    ("Nakamura", "Kenji"),
    ("Ibáñez", "Ángel"),
    ("Rousseff", "Dilma"),
    ("Merkel", "Angela"),
)

_TOPICS = (
    "Drug Cartels",
    "Mexico",
    "United States International Relations",
    "Politics and Government",
    "United States Defense and Military Forces",
    "Smuggling",
    "Immigration and Emigration",
    "Drug Enforcement Administration",
    "Elections",
    "Economic Conditions and Trends",
    "Education (K-12)",
    "Music",
    "Theater",
    "Baseball",
    "Global Warming",
    "Computers and the Internet",
    "Suits and Litigation",
    "Terrorism",
    "Labor and Jobs",
    "Health Insurance and Managed Care",
    "São Paulo (Brazil)",
    "Montréal (Quebec)",
    "Zürich (Switzerland)",
    "Art",
    "Movies",
)

_SECTIONS = (
    "world/americas",
    "us/politics",
    "business",
    "arts/music",
    "sports/baseball",
    "science",
    "nyregion",
    "opinion",
    "technology",
    "health",
)
_DATELINES = ("WASHINGTON", "MEXICO CITY", "NEW YORK", "SÃO PAULO", "BERLIN", "LOS ANGELES")
_SUFFIXES = (" - The New York Times", " - NYTimes.com", "")
_FIRST_DAY = dt.date(1981, 1, 1).toordinal()
_LAST_DAY = dt.date(2020, 12, 31).toordinal()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(8, 30))
    words[0] = words[0].capitalize()
    roll = rng.random()
    if roll < 0.15:  # a curly-quoted phrase
        at = rng.randrange(1, len(words))
        words[at] = "“" + words[at]
        words[-1] += "”"
    elif roll < 0.3:  # a name or a place
        words[rng.randrange(1, len(words))] = rng.choice(_CAPITALISED)
    elif roll < 0.4:
        last, first = rng.choice(_PEOPLE)
        words.insert(rng.randrange(1, len(words)), f"{first} {last}’s")
    elif roll < 0.5:  # an aside between dashes
        words.insert(rng.randrange(1, len(words)), "—")
    return " ".join(words) + rng.choice(".....?")


def _sentence_pool(size: int = 6000) -> tuple[str, ...]:
    rng = random.Random("archivekit-bench-sentences")
    return tuple(_sentence(rng) for _ in range(size))


#: Drawing whole sentences from a fixed pool keeps generation fast (200,000
#: records in about a minute) while every body is still a different mix.
_POOL = _sentence_pool()
_MEAN_SENTENCE_WORDS = sum(s.count(" ") + 1 for s in _POOL) / len(_POOL)


def _body(rng: random.Random) -> str:
    target = rng.triangular(250, 3000, 800)  # mean about 1,350 words: ~10 KB
    count = max(1, round(target / _MEAN_SENTENCE_WORDS))
    # Paragraphs run together without a space, as the scraper leaves them.
    return f"{rng.choice(_DATELINES)} — " + "".join(rng.choices(_POOL, k=count))


def make_record(index: int, seed: int = 0) -> Record:
    """Record number ``index`` of the stream for ``seed``: always the same record."""
    rng = random.Random(f"{seed}:{index}")
    day = dt.date.fromordinal(rng.randint(_FIRST_DAY, _LAST_DAY))
    printed = day + dt.timedelta(days=rng.choice((0, 1, 1)))
    slug = "-".join(rng.choices(_WORDS[40:], k=rng.randint(2, 5))).lower()
    scheme = "https" if day.year >= 2014 else "http"
    url = (
        f"{scheme}://www.nytimes.com/{printed.year}/{printed.month:02d}/{printed.day:02d}/"
        f"{rng.choice(_SECTIONS)}/{printed.day:02d}{slug}.html"
    )
    last, _ = rng.choice(_PEOPLE)
    headline = (
        f"{rng.choice(_CAPITALISED)}’s {' '.join(rng.choices(_WORDS[40:], k=4)).title()}"
        f" “{last}” Says{rng.choice(_SUFFIXES)}"
    )
    keywords: list[str] = []
    if rng.random() > 0.1:
        picked = rng.sample(_TOPICS, rng.randint(1, 6))
        people = rng.sample(_PEOPLE, rng.randint(0, 3))
        keywords = picked + [f"{last}  {first}" for last, first in people]
    body = _body(rng)
    # The source's own count never matches the body's: off by a factor, or unknown (0).
    words = len(body.split())
    declared = 0 if rng.random() < 0.05 else int(words * rng.uniform(0.4, 8.0)) + 1
    return Record(
        url=url,
        headline=headline,
        keywords=tuple(keywords),
        date=day,
        word_count=declared,
        body=body,
    )


def record_json(record: Record) -> bytes:
    """The record in its JSON form (what ``schemas/record.schema.json`` describes)."""
    return orjson.dumps(record_values(record))


def relative_path(index: int, suffix: str = ".txt") -> str:
    """Where record ``index`` lives under the output folder: sub-folders of 1,000."""
    return f"{index // PER_FOLDER:04d}/{index:07d}{suffix}"


def iter_texts(n: int, seed: int = 0) -> Iterator[tuple[int, Record, str]]:
    """Yield ``(index, record, canonical text)`` for the first ``n`` records."""
    for index in range(n):
        record = make_record(index, seed)
        yield index, record, dumps(record)


def generate(
    out: str | os.PathLike[str],
    n: int,
    *,
    seed: int = 0,
    json_out: str | os.PathLike[str] | None = None,
) -> int:
    """Write ``n`` record files under ``out`` (and their JSON under ``json_out``).

    A folder already stamped with the same ``n``, seed and version is kept as
    is; returns the number of files written (0 when the cache was used).
    """
    root, json_root = Path(out), Path(json_out) if json_out is not None else None
    stamp = f"v{VERSION} n={n} seed={seed}\n"
    done = [p for p in (root, json_root) if p is not None and _stamped(p, stamp)]
    if len(done) == (1 if json_root is None else 2):
        return 0
    for path in (root, json_root):
        # Only a tree this generator made (it holds a stamp) is ever removed.
        if path is not None and (path / STAMP).exists():
            shutil.rmtree(path)
    folders = [
        (root, json_root, seed, start, min(start + PER_FOLDER, n))
        for start in range(0, n, PER_FOLDER)
    ]
    if len(folders) > 2 and (os.cpu_count() or 1) > 1:
        # archivekit's own pool: the one the commands use.
        with Workers(_write_folder, os.cpu_count() or 1) as pool:
            for folder in folders:
                for _ in pool.submit(folder):
                    pass
            for _ in pool.drain():
                pass
    else:
        for folder in folders:
            _write_folder(folder)
    for path in (root, json_root):
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
            (path / STAMP).write_text(stamp)
    return n


def _write_folder(job: tuple[Path, Path | None, int, int, int]) -> None:
    root, json_root, seed, start, stop = job
    (root / relative_path(start)).parent.mkdir(parents=True, exist_ok=True)
    if json_root is not None:
        (json_root / relative_path(start, ".json")).parent.mkdir(parents=True, exist_ok=True)
    for index in range(start, stop):
        record = make_record(index, seed)
        (root / relative_path(index)).write_bytes(dumps(record).encode("utf-8"))
        if json_root is not None:
            (json_root / relative_path(index, ".json")).write_bytes(record_json(record))


def _stamped(path: Path, stamp: str) -> bool:
    try:
        return (path / STAMP).read_text() == stamp
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python bench/generate.py OUT --n N [--seed S] [--json DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", help="folder to write the .txt records into")
    parser.add_argument("--n", type=int, default=2000, help="how many records (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", dest="json_out", help="also write each record as JSON here")
    args = parser.parse_args(argv)
    written = generate(args.out, args.n, seed=args.seed, json_out=args.json_out)
    print(f"{args.out}: {args.n} records ({'written' if written else 'already there'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
