"""Shared test set-up: hypothesis profiles, paths to the seeds, and the ``cli`` fixture."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner, Result

if TYPE_CHECKING:
    from tests.support import Cli

# "ci" keeps .ci/run well under its time budget on 2 cores; "thorough" is for
# a deliberate hunt: HYPOTHESIS_PROFILE=thorough pytest.
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_1010b656ba4bd7c5.txt"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def _cache_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The cache of unchanged files (on by default for validate) goes to a folder of the
    session's, not into the checkout; tests of its default place unset the variable."""
    os.environ["ARCHIVEKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("archive_cache"))


@pytest.fixture(autouse=True)
def _not_in_a_ci_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the command as a user runs it, even when the suite runs inside a GitHub
    Actions job: there, with no --format, archive validate would write annotations."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture(scope="session")
def cli() -> Cli:
    """Run ``archive ARGS`` in-process: ``cli("validate", path, input=b"...", env={...})``.

    The result keeps standard output (``stdout``, ``stdout_bytes``) and standard error
    (``stderr``) apart; ``output`` is both, interleaved. Session-scoped (it holds no
    state), so hypothesis tests can use it too.
    """
    from archivekit.cli.app import app

    runner = CliRunner()

    def invoke(
        *args: str | Path,
        input: bytes | str | None = None,
        env: dict[str, str] | None = None,
    ) -> Result:
        # A test run inside a CI job must not switch the report format (GITHUB_ACTIONS).
        environ: dict[str, str | None] = {"GITHUB_ACTIONS": None, **(env or {})}
        return runner.invoke(app, [str(a) for a in args], input=input, env=environ)

    return invoke


@pytest.fixture(scope="session")
def s3() -> Iterator[dict[str, object]]:
    """A real S3 endpoint (moto's server) on a free port of 127.0.0.1, for this session.

    Gives the fsspec storage options that reach it (``endpoint_url``, a test
    key); make a bucket with ``s3fs.S3FileSystem(**options).mkdir(name)``.
    Skips when moto or s3fs (the ``dev`` and ``cloud`` extras) is missing.
    """
    pytest.importorskip("s3fs", reason="s3fs (archivekit[cloud]) is not installed")
    server_module = pytest.importorskip("moto.server", reason="moto[server] is not installed")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port())
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield {
            "endpoint_url": f"http://{host}:{port}",
            "key": "testing",
            "secret": "testing",
            "client_kwargs": {"region_name": "eu-west-1"},
        }
    finally:
        server.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
