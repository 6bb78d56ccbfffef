"""Run the archivekit benchmark: archivekit beside the floors and its peers, as ratios.

One command, from the repository root, in the project's venv with the bench
extra installed (``pip install -e '.[dev,bench]'``)::

    .venv/bin/python bench/run.py                      # N = 20,000 and 10 x N
    .venv/bin/python bench/run.py --n 2000 --repeat 3 --no-scale   # a quick look

Every command runs as a subprocess, timed from outside (start-up included),
interleaved with the others round after round so that a noisy neighbour hurts
all of them alike; the table gives the median of the rounds and the ratios that
the targets of issues 5 and 10 are stated in. The load average at each run is kept
beside its time (the table shows its range per command). Results go to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Command:
    """One thing to time: its argv, and where its standard output goes."""

    key: str
    label: str
    argv: list[str]
    output: Path | None = None  # removed before each run (convert refuses to overwrite)
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds, workers included
    peak_rss: int = 0  # largest single process, bytes (VmHWM, sampled)
    peak_pss: int = 0  # whole process tree, bytes (sum of PSS, sampled)
    error: str | None = None
    stdin: Path | None = None  # fed to standard input (else /dev/null)
    exit_code: int = 0  # what a successful run exits with
    loads: list[float] = field(default_factory=list)  # 1-minute load average at each run

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu[-len(self.times) :]) if self.times else None


def tool(name: str) -> str:
    """A console script of this venv (``archive``, ``check-jsonschema``), else from PATH."""
    local = BIN / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"bench: {name} not found: pip install -e '.[dev,bench]'")
    return found


def _tree_memory(pid: int) -> tuple[int, int]:
    """Sum of PSS over ``pid`` and its descendants, and the largest VmHWM among them (bytes).

    PSS shares the pages that forked workers have in common with their parent
    among them, so the sum is the memory the run really holds; VmHWM is the
    peak RSS of one process (what ``/usr/bin/time -v`` reports for it).
    """
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    pss = hwm = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, ()))
        try:
            with open(f"/proc/{current}/smaps_rollup", "rb") as handle:
                pss += sum(int(line.split()[1]) for line in handle if line.startswith(b"Pss:"))
            with open(f"/proc/{current}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"VmHWM:"):
                        hwm = max(hwm, int(line.split()[1]))
        except OSError:
            continue
    return pss * 1024, hwm * 1024


def run_once(command: Command, *, sample_memory: bool = False) -> float:
    """Run ``command`` once; return its wall time, and record its memory peaks."""
    if command.output is not None:
        command.output.unlink(missing_ok=True)
    # The machine's load beside each figure: a busy neighbour explains a slow round.
    command.loads.append(os.getloadavg()[0])
    peak = [0, 0]
    done = threading.Event()
    with open(os.devnull, "wb") as devnull, open(command.stdin or os.devnull, "rb") as stdin:
        start = time.perf_counter()
        process = subprocess.Popen(
            command.argv, stdout=devnull, stderr=subprocess.PIPE, stdin=stdin
        )
        sampler = None
        if sample_memory and Path("/proc/self/smaps_rollup").exists():

            def sample() -> None:
                while not done.wait(0.05):
                    pss, hwm = _tree_memory(process.pid)
                    peak[0], peak[1] = max(peak[0], pss), max(peak[1], hwm)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
        assert process.stderr is not None
        stderr = process.stderr.read()
        # wait4, not wait: its resource usage counts every descendant waited for (the
        # workers, find | xargs cat), the CPU time a busy machine does not inflate much.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        command.cpu.append(usage.ru_utime + usage.ru_stime)
        done.set()
        if sampler is not None:
            sampler.join()
    # Not wait4's ru_maxrss: a child made by (v)fork keeps this process's
    # high-water mark across exec, so every command would look >= 36 MB.
    command.peak_rss = max(command.peak_rss, peak[1])
    command.peak_pss = max(command.peak_pss, peak[0])
    if process.returncode != command.exit_code:
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        command.error = f"exit {process.returncode}: {' / '.join(tail)}"
    return elapsed


def measure(
    commands: Sequence[Command], repeat: int, *, warm: bool = True, sample_memory: bool = False
) -> None:
    """Time every command ``repeat`` times, round-robin; one untimed warm-up round first."""
    live = [c for c in commands if c.error is None]
    if warm:
        for command in live:
            run_once(command)
    for _ in range(repeat):
        for command in live:
            if command.error is None:
                command.times.append(run_once(command, sample_memory=sample_memory))
    for command in live:
        if command.error is not None:
            command.times.clear()
        print(f"  {command.label:<46} {_fmt_time(command.median)}", file=sys.stderr)


def _fmt_time(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:8.3f} s"


def _sh(script: str) -> list[str]:
    return ["sh", "-c", script]


def convert_available(archive: str) -> bool:
    """``archive convert`` exists on this checkout (it lands from another branch)."""
    probe = subprocess.run([archive, "convert", "--help"], capture_output=True, check=False)
    return probe.returncode == 0


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_start": os.getloadavg(),
        "commit": commit or None,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


PY_READ_LOOP = """
import os, sys
for folder, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith('.txt'):
            with open(os.path.join(folder, name), 'rb') as f:
                f.read()
"""


#: The formats ``archive convert`` is measured writing (Parquet: when pyarrow is installed).
CONVERT_FORMATS = ("jsonl", "csv", "parquet", "sqlite")
_EXTENSION = {"sqlite": "db"}
#: Peak memory allowed at 10 x N: Parquet holds one ~64 MB row group of columns.
MEMORY_LIMIT_MB = {"convert_parquet": 300.0}


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description="archivekit benchmark (issue 5).")
    parser.add_argument("--n", type=int, default=20_000, help="records (default 20000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--startup-repeat", type=int, default=15, help="rounds for start-up")
    parser.add_argument("--no-scale", action="store_true", help="skip the 10 x N run")
    parser.add_argument(
        "--work",
        default=str(ROOT / "bench" / "out"),
        help="where records and outputs go (default bench/out)",
    )
    parser.add_argument(
        "--json",
        default=str(ROOT / "bench" / "results" / "latest.json"),
        help="where to write the results",
    )
    parser.add_argument(
        "--show", metavar="FILE.json", help="only print the table of a results file written before"
    )
    parser.add_argument(
        "--only",
        metavar="KEYS",
        help="run only these commands, by key before any @ (comma-separated: "
        "convert_jsonl,convert_parquet,convert_sqlite); the others' targets say n/a",
    )
    args = parser.parse_args(argv)
    if args.show:
        print_report(orjson.loads(Path(args.show).read_bytes()))
        return 0
    n, work = args.n, Path(args.work)
    archive, py = tool("archive"), sys.executable
    cjs = tool("check-jsonschema")
    tmp = work / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    info = machine()

    print(f"bench: generating {n} records (and their JSON) under {work}", file=sys.stderr)
    records, json_dir = work / f"records-{n}", work / f"json-{n}"
    generate(records, n, json_out=json_dir)
    schema = ROOT / "schemas" / "record.schema.json"
    if not schema.exists():
        schema = tmp / "record.schema.json"
        schema.write_bytes(
            subprocess.run([archive, "schema"], capture_output=True, check=True).stdout
        )
    json_files = sorted(str(p) for p in json_dir.rglob("*.json"))
    has_convert = convert_available(archive)
    q = shlex.quote

    def floors(tree: Path, tag: str) -> list[Command]:
        find = f"find {q(str(tree))} -type f -name '*.txt' -print0 | xargs -0 cat"
        return [
            Command(f"cat{tag}", f"cat all files > /dev/null{tag}", _sh(f"{find} > /dev/null")),
            Command(
                f"pyread{tag}", f"python open+read loop{tag}", [py, "-c", PY_READ_LOOP, str(tree)]
            ),
            Command(
                f"copy{tag}",
                f"cat all files > one file{tag}",
                _sh(f"{find} > {q(str(tmp / 'all.txt'))}"),
                tmp / "all.txt",
            ),
        ]

    def ours(tree: Path, tag: str) -> list[Command]:
        found = [
            Command(
                f"validate{tag}",
                f"archive validate --no-cache DIR{tag}",
                [archive, "validate", "--no-cache", str(tree)],
            ),
            # Every figure of the folder, the same records validate reads (issue 14).
            Command(
                f"stats{tag}",
                f"archive stats DIR --format json{tag}",
                [archive, "stats", str(tree), "--format", "json"],
            ),
        ]
        for fmt in CONVERT_FORMATS:
            out = tmp / f"convert.{_EXTENSION.get(fmt, fmt)}"
            found.append(
                Command(
                    f"convert_{fmt}{tag}",
                    f"archive convert --to {fmt}{tag}",
                    [archive, "convert", str(tree), "--to", fmt, "-o", str(out)],
                    out,
                )
            )
            if not has_convert:
                found[-1].error = "not available (archive convert is not on this checkout)"
        return found

    def baselines(tree: Path, tag: str) -> list[Command]:
        script = str(ROOT / "bench" / "baseline_stdlib.py")
        return [
            Command(
                f"stdlib_{fmt}{tag}",
                f"stdlib script --to {fmt}{tag}",
                [py, script, str(tree), "--to", fmt, "-o", str(tmp / f"base.{fmt}")],
                tmp / f"base.{fmt}",
            )
            for fmt in ("jsonl", "csv")
        ]

    # A second run over an unchanged archive: the warm-up round fills the cache,
    # each timed round is served from it (records are generated long before).
    cache_dir = tmp / "cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    cached = [
        Command(
            "validate_cached",
            "archive validate DIR (unchanged, cached)",
            [archive, "validate", "--cache-dir", str(cache_dir), str(records)],
        ),
        Command(
            "fmt_cached",
            "archive fmt --check DIR (unchanged, cached)",
            [archive, "fmt", "--check", "--cache-dir", str(cache_dir), str(records)],
        ),
    ]

    only = set(args.only.split(",")) if args.only else None

    def chosen(commands: list[Command]) -> list[Command]:
        return [c for c in commands if only is None or c.key.split("@")[0] in only]

    print(f"bench: throughput at N = {n} ({args.repeat} rounds)", file=sys.stderr)
    main_set = [
        *floors(records, ""),
        *ours(records, ""),
        *cached,
        *baselines(records, ""),
        Command(
            "check_jsonschema",
            "check-jsonschema on N .json files",
            [cjs, "--schemafile", str(schema), *json_files],
        ),
        Command(
            "dask_parquet",
            "read_archive().to_parquet(), 2-worker cluster",
            [py, str(ROOT / "bench" / "dask_parquet.py"), str(records), str(tmp / "dask.parquet")],
        ),
    ]
    if importlib.util.find_spec("distributed") is None:
        main_set[-1].error = "not available (pip install 'archivekit[dask]')"
    main_set = chosen(main_set)
    measure(main_set, args.repeat)

    print("bench: start-up", file=sys.stderr)
    one_txt, one_json = records / "0000" / "0000000.txt", json_dir / "0000" / "0000000.json"
    startup = [
        Command("py_pass", 'python -c "pass"', [py, "-c", "pass"]),
        Command("py_typer", 'python -c "import typer"', [py, "-c", "import typer"]),
        Command("version", "archive --version", [archive, "--version"]),
        Command("validate_one", "archive validate ONE.txt", [archive, "validate", str(one_txt)]),
        Command(
            "cjs_one",
            "check-jsonschema ONE.json",
            [cjs, "--schemafile", str(schema), str(one_json)],
        ),
    ]
    startup = chosen(startup)
    measure(startup, args.startup_repeat)

    print("bench: memory at N", file=sys.stderr)
    memory_n = chosen(ours(records, "@N"))
    measure(memory_n, 1, warm=False, sample_memory=True)
    print("bench: memory on a file over the size limit", file=sys.stderr)
    oversized = chosen(over_limit_commands(archive, tmp))
    measure(oversized, 1, warm=False, sample_memory=True)
    scale: list[Command] = []
    if not args.no_scale:
        big = work / f"records-{10 * n}"
        print(f"bench: generating {10 * n} records under {big}", file=sys.stderr)
        generate(big, 10 * n)
        print("bench: 10 x N (time and memory)", file=sys.stderr)
        # N and 10 x N side by side, round by round, so that the ratio is
        # not skewed by whatever else the machine was doing in between.
        scale = chosen(
            [
                *floors(records, "@N")[:1],
                *floors(big, "@10N")[:1],
                *ours(records, "@N time"),
                *ours(big, "@10N"),
            ]
        )
        measure(scale, max(1, min(args.repeat, 2)))
        scale_memory = chosen(ours(big, "@10N mem"))
        measure(scale_memory, 1, warm=False, sample_memory=True)
        timed_10n = {c.key.split("@")[0]: c for c in scale if c.key.endswith("@10N")}
        for sampled in scale_memory:
            timed = timed_10n[sampled.key.split("@")[0]]
            timed.peak_rss, timed.peak_pss = sampled.peak_rss, sampled.peak_pss

    everything = {c.key: c for c in [*main_set, *startup, *memory_n, *oversized, *scale]}
    report = build_report(everything, n, info, has_convert)
    report["machine"]["loadavg_end"] = os.getloadavg()
    print_report(report)
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"\nwritten: {out}", file=sys.stderr)
    return 0


#: A record file far over the 64 MiB limit: every command must refuse it cheaply.
OVERSIZED = 300 * 2**20


def over_limit_commands(archive: str, tmp: Path) -> list[Command]:
    """validate, fmt --check and convert on a 300 MiB .txt, as a file and on standard input.

    The file is sparse (no disk used); each run must exit 1 with file-too-large.
    """
    big = tmp / "oversized.txt"
    with big.open("wb") as handle:
        handle.truncate(OVERSIZED)
    out = tmp / "oversized.jsonl"
    runs = {
        "validate": ["validate"],
        "fmt": ["fmt", "--check"],
        "convert": ["convert", "--to", "jsonl", "-o", str(out)],
    }
    found = []
    for name, args in runs.items():
        for how, path in (("file", str(big)), ("stdin", "-")):
            stdin = big if how == "stdin" else None
            argv = [archive, *args[:1], path, *args[1:]]
            found.append(
                Command(
                    f"oversized_{name}_{how}",
                    f"archive {name} 300 MiB .txt ({how})",
                    argv,
                    out if name == "convert" else None,
                    stdin=stdin,
                    exit_code=1,
                )
            )
    return found


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def build_report(
    c: dict[str, Command], n: int, info: dict[str, Any], has_convert: bool
) -> dict[str, Any]:
    """Commands and targets as plain data: what latest.json holds."""

    def t(key: str) -> float | None:
        return c[key].median if key in c else None

    def cpu(a: str, b: str) -> float | None:
        """The ratio of the median CPU times (user + system, whole process tree)."""
        return _ratio(c[a].cpu_median, c[b].cpu_median) if a in c and b in c else None

    def paired(a: str, b: str) -> float | None:
        """The median of the per-round ratios a/b (the two ran in the same round, so under
        the same load), else the ratio of the medians."""
        if a in c and b in c and c[a].times and len(c[a].times) == len(c[b].times):
            return statistics.median(x / y for x, y in zip(c[a].times, c[b].times, strict=True))
        return _ratio(t(a), t(b))

    def mem(key: str) -> float | None:
        return c[key].peak_pss / 2**20 if key in c and c[key].peak_pss else None

    def target(
        name: str, value: float | None, op: str, limit: float, detail: str
    ) -> dict[str, Any]:
        met = None if value is None else (value <= limit if op == "<=" else value >= limit)
        keys = detail_keys.pop(name, None)
        return {
            "target": name,
            "value": value,
            "cpu_ratio": cpu(*keys) if keys else None,
            "op": op,
            "limit": limit,
            "met": met,
            "detail": detail,
        }

    detail_keys = {
        "validate --no-cache / cat floor": ("validate", "cat"),
        "check-jsonschema / validate --no-cache": ("check_jsonschema", "validate"),
        "validate unchanged (cached) / cat floor": ("validate_cached", "cat"),
        "fmt --check unchanged (cached) / cat floor": ("fmt_cached", "cat"),
        "stdlib jsonl / convert jsonl": ("stdlib_jsonl", "convert_jsonl"),
        "convert jsonl / copy floor": ("convert_jsonl", "copy"),
        "stdlib csv / convert csv": ("stdlib_csv", "convert_csv"),
        "convert parquet / convert jsonl": ("convert_parquet", "convert_jsonl"),
        "validate one file / check-jsonschema one": ("validate_one", "cjs_one"),
        "archive --version / import typer": ("version", "py_typer"),
    }
    targets = [
        target(
            "validate --no-cache / cat floor",
            paired("validate", "cat"),
            "<=",
            1.3,
            "archive validate --no-cache DIR vs cat of every file to /dev/null",
        ),
        target(
            "check-jsonschema / validate --no-cache",
            paired("check_jsonschema", "validate"),
            ">=",
            8,
            "same records, one .json file each",
        ),
        target(
            "stats / validate",
            paired("stats", "validate"),
            "<=",
            1.5,
            "archive stats DIR --format json vs archive validate DIR, same records",
        ),
        target(
            "validate unchanged (cached) / cat floor",
            paired("validate_cached", "cat"),
            "<=",
            0.5,
            "second archive validate DIR over an unchanged archive",
        ),
        target(
            "fmt --check unchanged (cached) / cat floor",
            paired("fmt_cached", "cat"),
            "<=",
            0.5,
            "second archive fmt --check DIR over an unchanged archive (no target of its own)",
        ),
        target(
            "stdlib jsonl / convert jsonl",
            paired("stdlib_jsonl", "convert_jsonl"),
            ">=",
            2.5,
            "bench/baseline_stdlib.py --to jsonl",
        ),
        target(
            "convert jsonl / copy floor",
            paired("convert_jsonl", "copy"),
            "<=",
            2,
            "cat of every file into one file",
        ),
        target(
            "stdlib csv / convert csv",
            paired("stdlib_csv", "convert_csv"),
            ">=",
            4,
            "bench/baseline_stdlib.py --to csv",
        ),
    ]
    targets.append(
        target(
            "dask to_parquet / convert parquet",
            _ratio(t("dask_parquet"), t("convert_parquet")),
            "<=",
            3.0,
            "read_archive(DIR).to_parquet() on a 2-worker LocalCluster (its start-up "
            "included) vs archive convert DIR --to parquet, same N records",
        )
    )
    targets.append(
        target(
            "convert parquet / convert jsonl",
            paired("convert_parquet", "convert_jsonl"),
            "<=",
            1.0,
            "archive convert DIR --to parquet vs --to jsonl, same N records",
        )
    )
    for key, what in (
        ("validate", "validate"),
        ("stats", "stats"),
        *((f"convert_{fmt}", f"convert {fmt}") for fmt in CONVERT_FORMATS),
    ):
        targets += [
            target(
                f"memory {what}: 10N / N",
                _ratio(mem(f"{key}@10N"), mem(f"{key}@N")),
                "<=",
                1.2,
                "peak PSS of the whole process tree",
            ),
            target(
                f"memory {what} at 10N (MB)",
                mem(f"{key}@10N"),
                "<=",
                MEMORY_LIMIT_MB.get(key, 150.0),
                "peak PSS of the whole process tree",
            ),
            target(
                f"time {what}: 10N / N",
                _ratio(t(f"{key}@10N"), t(f"{key}@N time")),
                "<=",
                11,
                "median wall time, N and 10 x N timed side by side",
            ),
        ]
    worst = [c[k].peak_rss / 2**20 for k in c if k.startswith("oversized_") and c[k].peak_rss]
    targets += [
        target(
            "memory on a 300 MiB file, worst command (MB)",
            max(worst) if worst else None,
            "<=",
            150,
            "peak RSS of validate, fmt --check, convert; a file and standard input",
        ),
        target(
            "validate one file / check-jsonschema one",
            paired("validate_one", "cjs_one"),
            "<=",
            1.0,
            "start-up, one small file",
        ),
        target(
            "archive --version / import typer",
            paired("version", "py_typer"),
            "<=",
            1.3,
            "start-up",
        ),
    ]
    commands = [
        {
            "key": cmd.key,
            "label": cmd.label,
            "median_s": cmd.median,
            "median_cpu_s": cmd.cpu_median,
            # check-jsonschema's argv names N files: keep its head only.
            "argv": cmd.argv
            if len(cmd.argv) <= 12
            else [*cmd.argv[:4], f"... and {len(cmd.argv) - 4} more arguments"],
            "runs_s": cmd.times,
            "load_at_runs": cmd.loads[-len(cmd.times) :] if cmd.times else cmd.loads,
            "peak_rss_mb": cmd.peak_rss / 2**20 if cmd.peak_rss else None,
            "peak_tree_pss_mb": cmd.peak_pss / 2**20 if cmd.peak_pss else None,
            "error": cmd.error,
        }
        for cmd in c.values()
    ]
    return {
        "n": n,
        "machine": info,
        "convert_available": has_convert,
        "commands": commands,
        "targets": targets,
    }


def print_report(report: dict[str, Any]) -> None:
    """The table: every command's median, then every target with its measured ratio."""
    m = report["machine"]
    print(
        f"\narchivekit benchmark, N = {report['n']}: {m['nproc']} CPUs ({m['cpu']}), "
        f"Python {m['python']}, commit {m['commit']}, {m['date']}, "
        f"load {m['loadavg_start'][0]:.2f}"
    )
    print(
        f"\n| {'command':<46} | {'median':>10} | {'cpu':>8} | {'rss MB':>7} | {'tree MB':>7} "
        f"| runs | {'load':>9} |"
    )
    print(f"|{'-' * 48}|{'-' * 12}|{'-' * 10}|{'-' * 9}|{'-' * 9}|------|{'-' * 11}|")
    for cmd in report["commands"]:
        median = "n/a" if cmd["error"] else _fmt_time(cmd["median_s"]).strip()
        rss = f"{cmd['peak_rss_mb']:.0f}" if cmd["peak_rss_mb"] else ""
        pss = f"{cmd['peak_tree_pss_mb']:.0f}" if cmd["peak_tree_pss_mb"] else ""
        loads = cmd.get("load_at_runs") or []
        load = f"{min(loads):.1f}-{max(loads):.1f}" if loads else ""
        cpu_s = cmd.get("median_cpu_s")
        cpu_text = "" if cpu_s is None or cmd["error"] else f"{cpu_s:.3f} s"
        print(
            f"| {cmd['label']:<46} | {median:>10} | {cpu_text:>8} | {rss:>7} | {pss:>7} "
            f"| {len(cmd['runs_s']):>4} | {load:>9} |"
        )
    for error in dict.fromkeys(cmd["error"] for cmd in report["commands"] if cmd["error"]):
        print(
            f"  n/a: {error}: "
            + ", ".join(cmd["label"] for cmd in report["commands"] if cmd["error"] == error)
        )
    print(f"\n| {'target':<44} | {'measured':>8} | {'goal':>8} | met | {'cpu ratio':>9} |")
    print(f"|{'-' * 46}|{'-' * 10}|{'-' * 10}|-----|{'-' * 11}|")
    for tg in report["targets"]:
        value = "n/a" if tg["value"] is None else f"{tg['value']:.2f}"
        met = {True: "yes", False: "NO", None: "n/a"}[tg["met"]]
        ratio = tg.get("cpu_ratio")
        cpu_text = "" if ratio is None else f"{ratio:.2f}"
        print(
            f"| {tg['target']:<44} | {value:>8} | {tg['op']} {tg['limit']:<5} | {met:>3} "
            f"| {cpu_text:>9} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
