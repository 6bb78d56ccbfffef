"""A bounded fuzz campaign over parse() and ``archive validate`` (not collected by pytest).

    .venv/bin/python -m tests.fuzz_campaign --seconds 300 [--realworld ../shared/realworld]

Prints how many inputs were tried, per kind, and every distinct failure (an
exception or a broken invariant), with a reproducer written to --out.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from archivekit.cli.app import app
from tests.fuzz_checks import check_parse
from tests.mutations import SEEDS, mutate, with_surrogate


def _cli(data: bytes, runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", "-"], input=data)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    # Exactly what parse() decides: 1 when it finds an error, else 0.
    assert result.exit_code == (0 if check_parse(data).ok else 1), result.output
    assert "Traceback" not in result.output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-inputs", type=int, default=10**9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--realworld", type=Path, help="folder of extra seed files (read only)")
    parser.add_argument("--cli-every", type=int, default=50, help="also run the CLI on 1 in N")
    parser.add_argument("--out", type=Path, help="folder for reproducers of failures")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seeds = list(SEEDS)
    if args.realworld:
        seeds += [p.read_bytes() for p in sorted(args.realworld.glob("*.txt"))]
    runner = CliRunner()
    tried: Counter[str] = Counter()
    failures: dict[str, bytes | str] = {}
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline and sum(tried.values()) < args.max_inputs:
        roll = rng.random()
        data: bytes | str
        if roll < 0.7:
            kind, data = "mutated seed", mutate(rng.choice(seeds), rng, rounds=4)
        elif roll < 0.85:
            kind, data = "random bytes", rng.randbytes(rng.randrange(0, 400))
        elif roll < 0.95:
            text = mutate(rng.choice(seeds), rng).decode("utf-8", "replace")
            kind, data = "text with surrogates", with_surrogate(text, rng)
        else:
            lines = [rng.randbytes(rng.randrange(0, 30)) for _ in range(rng.randrange(0, 9))]
            kind, data = "random lines", b"\n".join(lines)
        tried[kind] += 1
        try:
            check_parse(data)
            if isinstance(data, bytes) and tried.total() % args.cli_every == 0:
                tried["CLI validate"] += 1
                _cli(data, runner)
        except BaseException as exc:  # a fuzzer records every way of failing
            if isinstance(exc, KeyboardInterrupt):
                break
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            if key not in failures:
                failures[key] = data
                print(f"FAILURE {key}: {exc!r}"[:400], flush=True)
    print(f"inputs tried: {sum(tried.values())} in {args.seconds:.0f} s (seed {args.seed})")
    for kind, count in tried.most_common():
        print(f"  {kind}: {count}")
    print(f"distinct failures: {len(failures)}")
    if args.out and failures:
        args.out.mkdir(parents=True, exist_ok=True)
        for n, data in enumerate(failures.values()):
            blob = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
            (args.out / f"failure-{n}.bin").write_bytes(blob)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
