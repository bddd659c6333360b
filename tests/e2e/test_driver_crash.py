"""A driver killed at a random point never leaves a partition that looks complete but
is not, and rerunning the snapshot gives exactly the clean run's tables.

Seven runs of the whole pipeline on one output folder, each SIGKILLed (the driver and
every process it started) once in each stage, in a seeded random order: a run waits
until the target stage has logged that it started (in this run) and kills after a
seeded random delay. Lineage is killed twice more, on its own progress lines: while
GraphFrames' connected components run, and in the second depth round; those kills
must leave GraphFrames checkpoints behind, which the rerun removes. When the stage
finished before the kill landed (a fast machine), the kill is retried with a quarter of
the delay, so the kill always lands inside its stage whatever the machine's speed.
Each run is a rerun over the state the crash before it left.
After every crash, each partition a reader can see has its `_SUCCESS` marker and the
clean run's content. A last rerun to completion must give every table with the clean
run's hash.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from jobs.config import REPO_ROOT
from tests.e2e.support import (
    canonical,
    content_hash,
    pipeline_command,
    pipeline_local,
    report_summary,
    written_tables,
)

pytestmark = [pytest.mark.slow, pytest.mark.graphframes]

STAGES = ("ingest", "lineage", "similarity", "drift", "audit", "report")
# Kill points inside lineage: (name, the stage's own log line that must have been seen).
LINEAGE_POINTS = (
    ("lineage:components", "pedigree.lineage: components:"),
    ("lineage:depth", "pedigree.lineage: depth round 2:"),
)


def logged_stages(lines: list[str], event: str) -> list[str]:
    """Stages whose pipeline line of `event` was seen: "started" (`stage <name> started`)
    or "finished" (`<name>: <tables> in <s>`)."""
    found = []
    for line in lines:
        message = line.partition("pedigree.pipeline: ")[2].strip()
        if event == "started" and message.startswith("stage ") and message.endswith(" started"):
            found.append(message.split()[1])
        elif event == "finished" and message.split(":")[0] in STAGES:
            found.append(message.split(":")[0])
    return found


def crash_in(
    command: list[str], stage: str, delay: float, seen: str | None = None
) -> tuple[bool, list[str]]:
    """Start `command` in its own process group; once `stage` has logged that it started
    and, when given, a log line containing `seen` appeared, wait `delay` seconds and
    SIGKILL the group.

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
    assert job.stderr is not None
    lines: list[str] = []

    def read(stream: IO[str]) -> None:
        for line in stream:
            lines.append(line)

    reader = threading.Thread(target=read, args=(job.stderr,), daemon=True)
    reader.start()
    while job.poll() is None and stage not in logged_stages(lines, "started"):
        time.sleep(0.02)
    while job.poll() is None and seen is not None and not any(seen in line for line in lines):
        time.sleep(0.02)
    deadline = time.monotonic() + delay
    while job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    killed = job.poll() is None
    if killed:
        os.killpg(job.pid, signal.SIGKILL)
    job.wait(timeout=60)
    reader.join(timeout=60)
    return killed, lines


def assert_only_complete_partitions(
    output: Path, snapshot: str, expected: dict[str, str], seen: set[str]
) -> None:
    """Every partition a reader can see is marked complete and holds the clean content."""
    for table in written_tables(output, snapshot):
        partition = output / table / f"snapshot={snapshot}"
        assert (partition / "_SUCCESS").is_file(), f"{table} visible without _SUCCESS"
        assert content_hash(output, table, snapshot) == expected[table], table
        seen.add(table)
    report = output / "report" / f"snapshot={snapshot}"
    if report.exists():  # swapped in whole: a visible report is a complete one
        assert (report / "index.html").is_file() and (report / "summary.json").is_file()
        assert canonical(report_summary(output, snapshot)) == expected["report"]
        seen.add("report")


def test_crashed_runs_leave_only_complete_partitions_and_a_rerun_heals(
    small_sample: Path, local_reference, tmp_path: Path
) -> None:
    reference, snapshot, _ = local_reference
    expected: dict = {
        t: content_hash(reference, t, snapshot) for t in written_tables(reference, snapshot)
    }
    expected["report"] = canonical(report_summary(reference, snapshot))
    output = tmp_path / "crashing"
    rng = random.Random(20261123)
    kills, seen = [], set()
    checkpoints = output / "_checkpoints" / snapshot
    targets = [(stage, None) for stage in STAGES] + list(LINEAGE_POINTS)
    for target, line in rng.sample(targets, k=len(targets)):
        stage = target.split(":")[0]
        delay = rng.uniform(0.2, 1.5)
        for _ in range(4):  # a kill that came after the stage finished is retried sooner
            command = pipeline_command(small_sample, output, snapshot)
            killed, stderr = crash_in(command, stage, delay, line)
            done = logged_stages(stderr, "finished")
            assert_only_complete_partitions(output, snapshot, expected, seen)
            if killed and stage not in done:
                break
            delay /= 4
        kills.append((target, round(delay, 2), killed, done))
        assert killed and done == list(STAGES[: STAGES.index(stage)]), f"missed {target}: {done}"
        if line is not None:
            assert any(line in entry for entry in stderr), f"{target}: progress line not seen"
            assert any(checkpoints.glob("*")), f"{target}: killed with no checkpoint in flight"
    print(kills)  # the kill moments and how far each run had got, for the closing note
    assert seen, "no crash happened after the first table was published"

    rerun = pipeline_local(small_sample, output, snapshot)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    healed: dict = {t: content_hash(output, t, snapshot) for t in written_tables(output, snapshot)}
    healed["report"] = canonical(report_summary(output, snapshot))
    assert healed == expected
    assert not list((output / "report").glob(f"_staging-{snapshot}-*")), "stale report staging"
    assert not list((output / "_staging").glob(f"{snapshot}-*")), "stale staging left behind"
    assert not checkpoints.exists(), "stale GraphFrames checkpoints left behind"
