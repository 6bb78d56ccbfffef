"""The bench's Dask row: read_archive(DIR).to_parquet(OUT) on a 2-worker LocalCluster.

Run as ``python bench/dask_parquet.py DIR OUT``: starts a cluster of 2 worker
processes on 127.0.0.1, writes the Parquet dataset, stops the cluster. Prints
the cluster start-up and the work alone, as JSON, on standard error; the
bench times the whole process (start-up included), as it does every command.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``archivekit`` importable from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    tree, out = (argv if argv is not None else sys.argv[1:])[:2]
    from distributed import Client, LocalCluster

    from archivekit.dask import read_archive

    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster),
    ):
        ready = time.perf_counter()
        frame = read_archive(tree)
        listed = time.perf_counter()
        frame.to_parquet(out, write_index=False, compression="zstd")
        done = time.perf_counter()
    times = {
        "cluster_start_s": ready - start,
        "listing_s": listed - ready,
        "to_parquet_s": done - listed,
        "partitions": frame.npartitions,
    }
    print(json.dumps(times), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
