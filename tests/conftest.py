"""One SparkSession for the whole test run, built by the project's own factory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """local[2], few shuffle partitions, no UI, UTC: small and quick for tests."""
    from jobs.config import load_config
    from jobs.spark_session import build_session

    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    config = load_config(
        None,
        (
            "spark.master=local[2]",
            "spark.app_name=pedigree-tests",
        ),
    )
    session = build_session(config, tmp_path_factory.mktemp("spark"))
    session.conf.set("spark.sql.shuffle.partitions", "4")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def graphframes_missing() -> str | None:
    """Why the GraphFrames JVM package is not in the jar cache, or None when it is."""
    from jobs.config import load_config, resolve_repo_path
    from jobs.spark_session import GraphFramesUnavailable, cached_graphframes_jars

    try:
        cached_graphframes_jars(resolve_repo_path(load_config().spark.jar_cache))
    except GraphFramesUnavailable as err:
        return str(err)
    return None


@pytest.fixture(autouse=True)
def _graphframes_required(request: pytest.FixtureRequest) -> None:
    """A test marked `graphframes` needs the jar. In CI (CI=true) its absence fails the
    test, so a broken set-up never passes green; elsewhere the test skips with the reason."""
    if request.node.get_closest_marker("graphframes") is None:
        return
    reason = graphframes_missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the GraphFrames JVM package is missing: {reason}")
    pytest.skip(f"GraphFrames JVM package missing: {reason}")


@pytest.fixture(scope="session")
def generated_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated snapshot with ground truth, shared by every test that needs one."""
    from scripts.generate_sample import generate

    output = tmp_path_factory.mktemp("sample")
    generate(n_models=3000, seed=11, output=output, shard_rows=1000)
    return output


@pytest.fixture(scope="session")
def generated_tables(spark, generated_sample: Path, tmp_path_factory: pytest.TempPathFactory):
    """The generated sample ingested once: (counts, output folder, snapshot)."""
    from jobs.cli import JobArgs
    from jobs.config import load_config
    from jobs.ingest import run

    output = tmp_path_factory.mktemp("ingested")
    snapshot = "2026-11-01"
    args = JobArgs(
        generated_sample / "card-dataset", "card-dataset", output, snapshot, load_config()
    )
    return run(spark, args), output, snapshot
