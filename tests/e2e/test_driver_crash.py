"""A driver killed at a random point never leaves a partition that looks complete but
is not, and rerunning the snapshot gives exactly the clean run's tables.

Five runs of the whole pipeline on one output folder, each SIGKILLed (the driver and
every process it started) at a seeded random moment between start-up and the end of a
clean run; each run is a rerun over the state the crash before it left. After every
crash, each partition a reader can see has its `_SUCCESS` marker and the clean run's
content. A last rerun to completion must give every table with the clean run's hash.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jobs.config import REPO_ROOT
from tests.e2e.support import content_hash, pipeline_command, pipeline_local, written_tables

pytestmark = pytest.mark.slow

CRASHES = 5


def crash_at(command: list[str], seconds: float) -> tuple[bool, list[str]]:
    """Start `command` in its own process group and SIGKILL the group after `seconds`.

    Returns whether it was still running when killed, and its stderr lines.
    """
    job = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + seconds
    while job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    killed = job.poll() is None
    if killed:
        os.killpg(job.pid, signal.SIGKILL)
    _, stderr = job.communicate(timeout=60)
    return killed, stderr.splitlines()


def test_crashed_runs_leave_only_complete_partitions_and_a_rerun_heals(
    small_sample: Path, local_reference, tmp_path: Path
) -> None:
    reference, snapshot, clean_seconds = local_reference
    expected = {
        t: content_hash(reference, t, snapshot) for t in written_tables(reference, snapshot)
    }
    output = tmp_path / "crashing"
    rng = random.Random(20261123)
    kills, seen = [], set()
    for _ in range(CRASHES):
        moment = rng.uniform(3.0, clean_seconds * 0.95)
        killed, stderr = crash_at(pipeline_command(small_sample, output, snapshot), moment)
        kills.append((round(moment, 1), killed, [line for line in stderr if "pedigree." in line]))
        for table in written_tables(output, snapshot):
            partition = output / table / f"snapshot={snapshot}"
            assert (partition / "_SUCCESS").is_file(), f"{table} visible without _SUCCESS"
            assert content_hash(output, table, snapshot) == expected[table], table
            seen.add(table)
    print(kills)  # the kill moments and how far each run had got, for the closing note
    assert sum(killed for _, killed, _ in kills) == CRASHES, "every run was killed mid-way"
    assert seen, "no crash happened after the first table was published"

    rerun = pipeline_local(small_sample, output, snapshot)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert {t: content_hash(output, t, snapshot) for t in written_tables(output, snapshot)} == (
        expected
    )
    assert not list((output / "_staging").glob(f"{snapshot}-*")), "stale staging left behind"
