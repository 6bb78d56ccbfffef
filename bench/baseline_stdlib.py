"""The plain script a user would write instead of ``archive convert``: the benchmark's baseline.

Standard library only, no validation: walk the folder, split each file into
its six lines, and write JSON Lines (``json.dumps``) or CSV (``csv.writer``)::

    python bench/baseline_stdlib.py DIR --to jsonl -o out.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterator

FIELDS = ("url", "headline", "keywords", "date", "word_count", "body")


def records(root: str) -> Iterator[dict[str, object]]:
    """Every ``*.txt`` file below ``root``, in name order, as a dict of its six fields."""
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".txt"):
                continue
            # os.path, not pathlib: the plain, quick script a user writes.
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                url, headline, keywords, date, word_count, body = handle.read().split("\n", 5)
            yield {
                "url": url,
                "headline": headline,
                "keywords": keywords.split(",") if keywords else [],
                "date": date,
                "word_count": int(word_count),
                "body": body,
            }


def main(argv: list[str] | None = None) -> int:
    """``baseline_stdlib.py DIR --to jsonl|csv [-o FILE]``."""
    parser = argparse.ArgumentParser(description="Convert archive records, no validation.")
    parser.add_argument("root")
    parser.add_argument("--to", choices=("jsonl", "csv"), required=True)
    parser.add_argument("-o", "--output")
    args = parser.parse_args(argv)
    with (
        open(args.output, "w", encoding="utf-8", newline="")
        if args.output
        else open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", closefd=False)
    ) as out:
        if args.to == "jsonl":
            for record in records(args.root):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            writer = csv.writer(out)
            writer.writerow(FIELDS)
            for record in records(args.root):
                row = dict(record, keywords=",".join(record["keywords"]))  # type: ignore[arg-type]
                writer.writerow(row[name] for name in FIELDS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
