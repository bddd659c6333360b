"""One SparkSession for the whole test run, built by the project's own factory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.components import INSTALLED_COMPONENTS, in_ci


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under CI=true a component that set-up failed to install stops the run before any
    test, in one line naming it; tests that do not need it never trigger the check."""
    if not in_ci():
        return
    for marker, (what, probe) in INSTALLED_COMPONENTS.items():
        if any(item.get_closest_marker(marker) for item in items):
            reason = probe()
            if reason is not None:
                pytest.exit(f"CI=true and {what} is missing: {reason}", returncode=3)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked with a component it needs skips, quoting why, when it is missing
    (outside CI; under CI the collection check above has already stopped the run).
    Runs before any fixture, so a module fixture never starts without its component."""
    for marker, (what, probe) in INSTALLED_COMPONENTS.items():
        if item.get_closest_marker(marker) is not None:
            reason = probe()
            if reason is not None:
                if in_ci():
                    pytest.fail(f"CI=true and {what} is missing: {reason}")
                pytest.skip(f"{what} is missing: {reason}")


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
