"""Fixtures shared by the end-to-end tests: a small generated snapshot and its clean
local-mode pipeline run, the reference every other run must equal."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from tests.e2e.support import pipeline_local


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 generated models (the generator's smallest Hub-shaped snapshot)."""
    from scripts.generate_sample import generate

    output = tmp_path_factory.mktemp("small-sample")
    generate(n_models=1000, seed=5, output=output, shard_rows=250)
    return output / "card-dataset"


@pytest.fixture(scope="session")
def local_reference(small_sample: Path, tmp_path_factory: pytest.TempPathFactory):
    """The whole pipeline in local[2] on the small sample: (output, snapshot, seconds)."""
    snapshot = dt.datetime.now(dt.timezone.utc).date().isoformat()
    output = tmp_path_factory.mktemp("local-run")
    started = time.monotonic()
    result = pipeline_local(small_sample, output, snapshot)
    assert result.returncode == 0, result.stderr[-3000:]
    return output, snapshot, time.monotonic() - started
