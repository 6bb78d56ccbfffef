"""Shared test set-up: hypothesis profiles, and paths to the seeds."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

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
