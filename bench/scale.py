"""Figures for docs/scale.md: parse throughput per worker, and an object store's per request cost.

Run as ``python bench/scale.py [--n 4000] [--objects 1000]``. Measures, on this
machine: :func:`archivekit.parse_batch` in one process (files/s, MB/s per
worker); against moto's S3 server started on 127.0.0.1 (a local stand-in for
S3: its latency is not S3's), one GET at a time, GETs in batches of 1 to 256
through the bounded reader, a listing, and ``archive validate s3://...`` end to
end. Prints JSON; nothing here is a projection (docs/scale.md makes those).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=4000, help="records parsed (default 4000)")
    parser.add_argument("--objects", type=int, default=1000, help="objects in the bucket")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="archivekit-scale-"))
    generate(work / "records", args.n)
    paths = sorted(p for p in (work / "records").rglob("*.txt"))
    items = [(str(p), p.read_bytes()) for p in paths]
    size = sum(len(data) for _, data in items)
    figures: dict[str, Any] = {"files": len(items), "mean_file_bytes": size / len(items)}
    figures["parse"] = _parse(items, size)
    figures["s3"] = _store(items[: args.objects])
    print(json.dumps(figures, indent=2))
    return 0


def _parse(items: list[tuple[str, bytes]], size: int) -> dict[str, float]:
    import archivekit

    archivekit.parse_batch(items[:50])  # imports and first-call costs out of the timing
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        archivekit.parse_batch(items)
        best = min(best, time.perf_counter() - start)
    return {"seconds": best, "files_per_s": len(items) / best, "mb_per_s": size / best / 1e6}


def _store(items: list[tuple[str, bytes]]) -> dict[str, Any]:
    import s3fs

    from archivekit.files.read import read_urls
    from archivekit.validate import Validation

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        options = {
            "endpoint_url": f"http://127.0.0.1:{port}",
            "key": "bench",
            "secret": "bench",
            "client_kwargs": {"region_name": "eu-west-1"},
        }
        fs = s3fs.S3FileSystem(**options)
        for _ in range(100):
            try:
                fs.mkdir("bench-scale", region_name="eu-west-1")
                break
            except OSError:
                time.sleep(0.1)
        keys = [f"bench-scale/in/{n:06d}.txt" for n in range(len(items))]
        fs.pipe(dict(zip(keys, (data for _, data in items), strict=True)))
        urls = [f"s3://{key}" for key in keys]
        limit = 64 * 2**20
        found: dict[str, Any] = {"objects": len(urls)}
        start = time.perf_counter()
        for url in urls[:100]:
            fs.cat_file(url)
        found["sequential_get_ms"] = (time.perf_counter() - start) / 100 * 1000
        batches = {}
        for batch in (1, 8, 32, 128, 256):
            count = min(len(urls), max(batch * 4, 256))
            start = time.perf_counter()
            for first in range(0, count, batch):
                read_urls(
                    [(u, len(items[0][1])) for u in urls[first : first + batch]],
                    limit,
                    storage=options,
                )
            batches[batch] = count / (time.perf_counter() - start)
        found["batched_objects_per_s"] = batches
        start = time.perf_counter()
        listed = fs.ls("bench-scale/in/", detail=True, refresh=True)
        found["list_keys_per_s"] = len(listed) / (time.perf_counter() - start)
        start = time.perf_counter()
        results = sum(1 for _ in Validation(["s3://bench-scale/in/"], storage_options=options))
        seconds = time.perf_counter() - start
        found["validate_s3_files_per_s"] = results / seconds
        found["moto_server_cpu_s"] = _cpu_seconds(server.pid)
        return found
    finally:
        server.terminate()
        server.wait()


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    raise SystemExit(main())
