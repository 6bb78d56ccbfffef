"""The one worker pool: processes that give results back in order, each over its own pipe.

Why not multiprocessing.Pool: its workers share one task queue and its lock.
When a signal kills the workers (SIGTERM sent to the whole process group, as CI
runners and container stops do), a worker can die holding that lock, and
``Pool.terminate()`` then waits for it forever. Here each worker has a pipe of
its own and at most two tasks at a time, so a dead worker blocks nothing, and
stopping is a kill and a join.

Workers never outlive the parent: each closes the pipe ends it inherited from
the parent (its own parent end, and those of the workers started before it),
so a parent's death is end-of-file on its pipe; on Linux the kernel also kills
it (``PR_SET_PDEATHSIG``). Before, after ``kill -9`` of the parent, each worker
kept the others' pipes open, never saw end-of-file, and held the caller's
standard output open for ever.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import multiprocessing.context
import os
import queue
import signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from archivekit.errors import WorkerError

T = TypeVar("T")
R = TypeVar("R")


#: Tasks a worker holds at once: one it works on, and the next, already sent, so
#: that it never waits for the parent between two tasks.
DEPTH = 2
_hooked = False


def _worker_signals() -> None:
    """A worker leaves both signals to the kernel, not to Python code.

    Ctrl-C reaches the whole process group: the parent alone reports it and
    stops the pool, so a worker ignores it (no traceback per worker); SIGTERM
    just ends a worker. Run right after fork (before a signal can reach the
    parent's handlers in the child) and again in the worker (spawn).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):  # a hang-up ends a worker like SIGTERM: no traceback
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        # Blocked by the parent around the fork (see Workers): only now, with the
        # worker's own dispositions in place, may a pending signal arrive.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)


#: The signals that stop a run. A worker forked while one arrives would otherwise run
#: the parent's Python handler (a traceback per worker) before _worker_signals replaced it.
_STOPS = {signal.SIGINT, signal.SIGTERM} | ({signal.SIGHUP} if hasattr(signal, "SIGHUP") else set())


#: prctl(2) option: the signal this process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def _start_shielded(process: multiprocessing.process.BaseProcess) -> None:
    """Start ``process`` with the stop signals blocked: the child inherits the block and
    lifts it in :func:`_worker_signals`; the parent gets any pending one right after."""
    if not hasattr(signal, "pthread_sigmask"):
        process.start()
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this worker when the parent dies (Linux; elsewhere: the pipe's EOF)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the pipe's EOF remains
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)


def _serve(
    func: Callable[[T], R],
    conn: Connection,
    inherited: list[Connection],
    parent_pid: int,
) -> None:
    _worker_signals()
    for end in inherited:  # forked copies of the parent's ends: keeping them hides its death
        end.close()
    _die_with_parent(parent_pid)
    # What the worker starts with lives as long as it does: never scanned by its
    # garbage collector (fork inherits the parent's freeze; spawn starts afresh).
    gc.freeze()
    # A thread takes tasks off the pipe as they come, so that the parent's send
    # never waits on this worker's result (both pipe directions full: a deadlock
    # with large tasks, such as archive members). At most DEPTH wait here.
    tasks: queue.SimpleQueue[object] = queue.SimpleQueue()

    def receive() -> None:
        while True:
            try:
                tasks.put(conn.recv())
            except (EOFError, OSError):
                # The parent closed the pool or died: the task at hand has no
                # one to report to, so stop now rather than finish it.
                os._exit(0)

    threading.Thread(target=receive, daemon=True).start()
    while True:
        task = tasks.get()
        try:
            reply: tuple[bool, object] = (True, func(task))  # type: ignore[arg-type]
        except Exception:  # sent back to the parent, which raises it
            reply = (False, traceback.format_exc())
        try:
            conn.send(reply)
        except OSError:  # the parent is gone: nothing to say, no traceback
            os._exit(0)


#: Workers per CPU at most: past that, each more is memory (a process) and no speed.
WORKERS_PER_CPU = 4


def max_workers() -> int:
    """The most workers a pool starts: :data:`WORKERS_PER_CPU` times the CPU count."""
    return WORKERS_PER_CPU * (os.cpu_count() or 1)


class Workers(Generic[T, R]):
    """``count`` processes running ``func`` on tasks; results come back in submission order.

    Use as a context manager: leaving it kills and reaps every worker.
    """

    def __init__(self, func: Callable[[T], R], count: int) -> None:
        count = min(count, max_workers())  # --jobs 100000 would fork until memory runs out
        # fork is cheap and the parent has already imported what the workers need.
        context: multiprocessing.context.ForkContext | multiprocessing.context.SpawnContext = (
            multiprocessing.get_context("fork")
            if "fork" in multiprocessing.get_all_start_methods()
            else multiprocessing.get_context("spawn")
        )
        self._conns: list[Connection] = []
        self._procs: list[multiprocessing.process.BaseProcess] = []
        self._busy: deque[tuple[int, T]] = deque()
        global _hooked
        if not _hooked:
            os.register_at_fork(after_in_child=_worker_signals)
            _hooked = True
        # Objects that exist now are never collected in the workers: without this
        # a worker's garbage collector touches every inherited object, and each
        # touched page is copied (copy-on-write) in every worker.
        gc.freeze()
        self._frozen = True
        forked = context.get_start_method() == "fork"
        try:
            for _ in range(count):
                parent, child = context.Pipe()
                # A forked child holds copies of every parent end made so far (spawn
                # passes only what it is given): it closes them first thing.
                inherited = [*self._conns, parent] if forked else []
                process = context.Process(
                    target=_serve, args=(func, child, inherited, os.getpid()), daemon=True
                )
                _start_shielded(process)
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

    def submit(self, task: T) -> Iterator[tuple[T, R]]:
        """Hand ``task`` to a free worker; yields ``(task, result)`` of older tasks, in order.

        Each worker holds up to ``DEPTH`` tasks; when all are full, the oldest
        result is collected first, and the new task is sent before that result
        is yielded: no worker waits while the caller handles results.
        """
        done = [self._collect()] if len(self._busy) == DEPTH * len(self._procs) else []
        held = [0] * len(self._procs)
        for worker, _ in self._busy:
            held[worker] += 1
        free = held.index(min(held))
        self._conns[free].send(task)
        self._busy.append((free, task))
        yield from done

    def drain(self) -> Iterator[tuple[T, R]]:
        """Every ``(task, result)`` still outstanding, in submission order."""
        while self._busy:
            yield self._collect()

    def _collect(self) -> tuple[T, R]:
        worker, task = self._busy.popleft()
        try:
            ok, value = self._conns[worker].recv()
        except (EOFError, OSError):
            process = self._procs[worker]
            raise WorkerError(
                f"worker process {process.pid} died (exit code {process.exitcode})"
            ) from None
        if not ok:
            raise WorkerError(f"a worker process failed:\n{value}")
        return task, value

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
        if self._frozen:
            self._frozen = False
            gc.unfreeze()


class ClusterWorkers(Generic[T, R]):
    """:class:`Workers` on an existing Dask cluster: the same calls, results in the same order.

    ``address`` is the scheduler's (``tcp://10.0.0.5:8786``). Tasks go to the
    cluster's workers as they free up; at most ``DEPTH`` per worker thread are
    in flight, so memory stays flat however many tasks there are. Needs
    ``distributed`` (the ``archivekit[dask]`` extra). ``func`` and the tasks
    must be importable and picklable on the workers (archivekit installed there).
    """

    def __init__(self, func: Callable[[T], R], address: str) -> None:
        from archivekit.errors import MissingExtra

        try:
            import distributed
        except ImportError:
            raise MissingExtra.for_module("distributed", "dask") from None
        # Any: distributed's API is not typed.
        self._client: Any
        try:
            client: Any = distributed.Client
            self._client = client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise WorkerError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        self._func = func
        threads = sum(self._client.nthreads().values()) or 1
        self._limit = DEPTH * threads
        self._busy: deque[tuple[T, object]] = deque()

    def __enter__(self) -> ClusterWorkers[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, task: T) -> Iterator[tuple[T, R]]:
        """Send ``task`` to the cluster; yields ``(task, result)`` of older tasks, in order."""
        done = [self._collect()] if len(self._busy) >= self._limit else []
        self._busy.append((task, self._client.submit(self._func, task, pure=False)))
        yield from done

    def drain(self) -> Iterator[tuple[T, R]]:
        """Every ``(task, result)`` still outstanding, in submission order."""
        while self._busy:
            yield self._collect()

    def _collect(self) -> tuple[T, R]:
        task, future = self._busy.popleft()
        try:
            value: R = future.result()  # type: ignore[attr-defined]
        except Exception as exc:  # a task failed or a worker was lost: the run cannot go on
            raise WorkerError(f"a Dask task failed: {type(exc).__name__}: {exc}") from exc
        return task, value

    def close(self) -> None:
        """Cancel what is outstanding and disconnect (idempotent); the cluster keeps running."""
        if self._busy:
            self._client.cancel([future for _, future in self._busy])
            self._busy.clear()
        self._client.close()
