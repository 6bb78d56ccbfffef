"""Exit codes and signal handling of the ``archive`` command, in one place.

:func:`run` calls the app so that nothing ends in a traceback: internal
errors, signals and closed pipes each become a clean exit status.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from types import FrameType

#: Set by ``--debug`` (or ARCHIVEKIT_DEBUG=1): show the traceback of an internal error.
DEBUG = False
#: Who hears of internal errors. No tracker address is published yet, and an
#: invented one would send users nowhere: name the people, not a URL.
REPORT_TO = "the archivekit maintainers"

#: 0: done, nothing failed; 1: findings (or invalid records) failed the run;
#: 2: a usage, configuration or internal error.
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
#: 128 + the signal number, as shells report a process ended by that signal.
EXIT_SIGHUP, EXIT_SIGINT, EXIT_SIGPIPE, EXIT_SIGTERM = 129, 130, 141, 143
#: The signals that unwind the command: a hang-up (terminal closed, SSH dropped)
#: is handled like SIGTERM, so that temporaries are removed and workers stopped.
HANDLED = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised where the program is, so that every cleanup runs (as Ctrl-C)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    # Unwinding (rather than dying) runs every ``finally``: temporaries are
    # removed and worker pools stopped, as for Ctrl-C.
    raise Terminated(signum)


def install_signal_handlers() -> None:
    """SIGINT, SIGTERM and SIGHUP unwind the main process (workers set theirs: workers.py).

    Called by :func:`run` and again by long commands, since a shell may start
    us with Ctrl-C ignored (background jobs) and we want it, to clean up.
    """
    for signum in HANDLED:
        signal.signal(signum, _on_signal)


@contextlib.contextmanager
def signals_handled() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP unwind the command while it runs; the previous handlers after."""
    previous = {signum: signal.getsignal(signum) for signum in HANDLED}
    install_signal_handlers()
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def internal_error_line(exc: BaseException) -> str:
    """The one line shown for a bug: what it was, and where to report it."""
    message = " ".join(str(exc).split())
    if len(message) > 300:
        message = message[:299] + "…"
    detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return (
        f"archive: internal error: {detail} — please report it to {REPORT_TO} "
        "with the output of the same command run with --debug"
    )


def _silence_stdout() -> None:
    # Output still buffered for a closed pipe would fail again when Python
    # flushes at exit and print "Exception ignored ... BrokenPipeError".
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _pipe_closed() -> bool:
    # typer (like click) answers EPIPE by wrapping stdout and exiting 1.
    return type(sys.stdout).__name__ == "PacifyFlushWrapper"


def run(app: Callable[[], object]) -> None:
    """Call ``app`` and turn every way it can end into a clean exit status."""
    install_signal_handlers()
    try:
        app()
    except SystemExit:
        if _pipe_closed():
            _silence_stdout()
            raise SystemExit(EXIT_SIGPIPE) from None
        raise
    except KeyboardInterrupt:
        raise SystemExit(EXIT_SIGINT) from None
    except Terminated as exc:
        raise SystemExit(128 + exc.signum) from None
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(EXIT_SIGPIPE) from None
    except Exception as exc:
        if DEBUG or os.environ.get("ARCHIVEKIT_DEBUG") in ("1", "true", "yes"):
            traceback.print_exc()
        sys.stderr.write(internal_error_line(exc) + "\n")
        raise SystemExit(EXIT_USAGE) from None
