"""Fixtures shared by the end-to-end tests: a small generated snapshot and its clean
local-mode pipeline run, the reference every other run must equal."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.support import pipeline_local

# Every e2e run, the crontab's included, is told this snapshot: none computes its own date,
# so a run across midnight compares the same snapshot.
SNAPSHOT = "2026-11-05"


@pytest.fixture(scope="package", autouse=True)
def progress_lines() -> Iterator[None]:
    """Every job the e2e tests start logs pedigree's progress inside a stage (DEBUG): the
    fault tests time their kills by those lines. Package-scoped: tests outside e2e/ see
    the default console."""
    previous = os.environ.get("PEDIGREE_LOG_LEVEL")
    os.environ["PEDIGREE_LOG_LEVEL"] = "DEBUG"
    yield
    if previous is None:
        del os.environ["PEDIGREE_LOG_LEVEL"]
    else:
        os.environ["PEDIGREE_LOG_LEVEL"] = previous


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
    snapshot = SNAPSHOT
    output = tmp_path_factory.mktemp("local-run")
    started = time.monotonic()
    result = pipeline_local(small_sample, output, snapshot)
    assert result.returncode == 0, result.stderr[-3000:]
    seconds = time.monotonic() - started
    assert_reference_matches_truth(output, snapshot, small_sample.parent / "truth")
    report = output / "report" / f"snapshot={snapshot}" / "index.html"
    assert f"{report}" in result.stderr and report.is_file()  # the pipeline ends with its report
    return output, snapshot, seconds


def assert_reference_matches_truth(output: Path, snapshot: str, truth: Path) -> None:
    """The reference is itself checked against the generator's truth (model count, edges,
    families and depths in every view), so a bug that empties every run cannot pass."""
    import pyarrow.parquet as pq

    def table(name: str) -> list[dict]:
        return pq.read_table(output / name / f"snapshot={snapshot}").to_pylist()

    true_nodes = pq.read_table(truth / "nodes.parquet").to_pylist()
    assert len(table("models")) == len(true_nodes)
    declared = {
        (e["child_id"], e["parent_id"])
        for e in pq.read_table(truth / "edges.parquet").to_pylist()
        if e["declared_via"] not in ("prose", "name") and e["child_id"] != e["parent_id"]
    }
    assert {(e["child_id"], e["parent_id"]) for e in table("edges")} == declared
    lineage = {
        (t["view"], t["model_id"]): (t["family_id"], t["depth_min"], t["depth_max"])
        for t in pq.read_table(truth / "lineage.parquet").to_pylist()
    }
    found = {
        (n["view"], n["model_id"]): (n["family_id"], n["depth_min"], n["depth_max"])
        for n in table("nodes")
        if n["view"] != "all_plus_inferred"  # the truth is of declared edges
    }
    assert found == lineage
