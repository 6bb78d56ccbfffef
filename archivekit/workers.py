"""Worker processes that give results back in order, each over its own pipe.

Why not multiprocessing.Pool: its workers share one task queue and its lock.
When a signal kills the workers (SIGTERM sent to the whole process group, as CI
runners and container stops do), a worker can die holding that lock, and
``Pool.terminate()`` then waits for it forever. Here each worker has a pipe of
its own and at most one chunk at a time, so a dead worker blocks nothing, and
stopping is a kill and a join.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

from archivekit.errors import ArchiveKitError

T = TypeVar("T")
R = TypeVar("R")


class WorkerError(ArchiveKitError):
    """A worker process died or failed unexpectedly."""


def _serve(func: Callable[[T], list[R]], conn: Connection) -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it (and
    # cleans up); SIGTERM just ends a worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send((True, func(chunk)))
        except Exception:  # sent back to the parent, which raises it
            conn.send((False, traceback.format_exc()))


class Workers(Generic[T, R]):
    """``count`` processes running ``func`` on chunks; results come back in submission order.

    Use as a context manager: leaving it kills and reaps every worker.
    """

    def __init__(self, func: Callable[[T], list[R]], count: int) -> None:
        # fork is cheap and the parent has already imported what the workers need.
        context: multiprocessing.context.ForkContext | multiprocessing.context.SpawnContext = (
            multiprocessing.get_context("fork")
            if "fork" in multiprocessing.get_all_start_methods()
            else multiprocessing.get_context("spawn")
        )
        self._conns: list[Connection] = []
        self._procs: list[multiprocessing.process.BaseProcess] = []
        self._busy: deque[int] = deque()
        try:
            for _ in range(count):
                parent, child = context.Pipe()
                process = context.Process(target=_serve, args=(func, child), daemon=True)
                process.start()
                child.close()
                self._conns.append(parent)
                self._procs.append(process)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Workers[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, chunk: T) -> Iterator[R]:
        """Hand ``chunk`` to a free worker, first yielding the oldest results if none is free."""
        while len(self._busy) == len(self._procs):
            yield from self._collect()
        free = next(i for i in range(len(self._procs)) if i not in self._busy)
        self._conns[free].send(chunk)
        self._busy.append(free)

    def drain(self) -> Iterator[R]:
        """Every result still outstanding, in submission order."""
        while self._busy:
            yield from self._collect()

    def _collect(self) -> list[R]:
        worker = self._busy.popleft()
        try:
            ok, value = self._conns[worker].recv()
        except (EOFError, OSError):
            raise WorkerError(
                f"worker process {self._procs[worker].pid} died "
                f"(exit code {self._procs[worker].exitcode})"
            ) from None
        if not ok:
            raise WorkerError(f"a worker process failed:\n{value}")
        return list(value)

    def close(self) -> None:
        """Stop every worker at once (idempotent)."""
        for conn in self._conns:
            conn.close()
        for process in self._procs:
            if process.is_alive():
                process.kill()
        for process in self._procs:
            process.join()
        self._conns, self._procs = [], []
        self._busy.clear()
