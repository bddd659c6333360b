"""What the suite needs besides pedigree's own code, and why a test cannot run.

Two kinds of absence. A component that set-up installs (the GraphFrames jar, the
Airflow venv) is missing only when set-up failed: under CI=true that fails the run with
the reason, elsewhere the tests that need it skip quoting it. `../shared` (real cards,
the GraphFrames source release) is absent from users' clones by design: its tests skip,
and only when the whole folder is absent; a missing file inside a present `../shared`
is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
AIRFLOW_VENV = REPO / ".cache" / "airflow-venv"
AIRFLOW_PYTHON = AIRFLOW_VENV / "bin" / "python"


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def graphframes_missing() -> str | None:
    """Why the GraphFrames JVM package is not in the jar cache, or None when it is."""
    from jobs.config import load_config, resolve_repo_path
    from jobs.spark_session import GraphFramesUnavailable, cached_graphframes_jars

    try:
        cached_graphframes_jars(resolve_repo_path(load_config().spark.jar_cache))
    except GraphFramesUnavailable as err:
        return str(err)
    return None


def airflow_missing() -> str | None:
    """Why `.cache/airflow-venv` (made by `make airflow`) has no Airflow, or None."""
    if AIRFLOW_PYTHON.is_file():
        return None
    status = AIRFLOW_VENV / "install-error.txt"
    if status.is_file():
        return status.read_text().strip()
    return f"{AIRFLOW_PYTHON} does not exist; run `make airflow`"


CHROMIUM = Path(os.environ.get("PEDIGREE_CHROMIUM", "/usr/bin/chromium"))


def chromium_missing() -> str | None:
    """Why headless Chromium (installed by `make browser`) cannot run, or None."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return None
    status = REPO / ".cache" / "chromium-error.txt"
    if status.is_file():
        return status.read_text().strip()
    return f"{CHROMIUM} does not exist; run `make browser`"


# marker -> (what is missing, its probe)
INSTALLED_COMPONENTS = {
    "graphframes": ("the GraphFrames JVM package", graphframes_missing),
    "airflow": ("Airflow (.cache/airflow-venv)", airflow_missing),
    "browser": ("headless Chromium", chromium_missing),
}


def shared_file(relative: str) -> Path:
    """A file of `../shared`; skips when `../shared` is absent (a user's clone)."""
    path = SHARED / relative
    if not SHARED.is_dir():
        pytest.skip(f"../shared is absent (a user's clone has no {relative}); optional real data")
    if not path.is_file():
        pytest.fail(f"../shared is present but {path} is missing")
    return path
