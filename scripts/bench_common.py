"""Shared by the benchmark scripts: run a command, measure wall time and peak tree RSS.

Peak memory is the largest sum of resident memory over the whole process tree (driver,
JVM, Python workers), sampled from /proc, since a Spark job's memory lives in several
processes and `ru_maxrss` only reports the biggest single one.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        found: list[int] = []
        for task in tasks:
            text = (task / "children").read_text()
            found.extend(int(p) for p in text.split())
        return found
    except OSError:
        return []


def _rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_bytes(root: int) -> int:
    """Resident memory of `root` and every descendant, right now."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_bytes(pid)
        stack.extend(_children(pid))
    return total


def run_measured(
    command: Sequence[str], env: dict[str, str] | None = None, interval: float = 0.2
) -> dict[str, float]:
    """Run `command` to completion; wall seconds and peak RSS of its process tree."""
    started = time.monotonic()
    child = subprocess.Popen(
        list(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
    )
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss_bytes(child.pid))
        time.sleep(interval)
    seconds = time.monotonic() - started
    stderr = child.stderr.read() if child.stderr else ""
    if child.returncode != 0:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        raise SystemExit(f"benchmark command failed ({child.returncode}): {last}")
    return {"seconds": seconds, "peak_rss_mib": peak / 2**20}


def summarise(runs: list[dict[str, float]]) -> dict[str, Any]:
    """Medians over repeated runs, with the individual runs kept for the record."""
    return {
        "runs_seconds": [round(r["seconds"], 1) for r in runs],
        "median_seconds": round(statistics.median(r["seconds"] for r in runs), 1),
        "median_peak_rss_mib": round(statistics.median(r["peak_rss_mib"] for r in runs)),
    }


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PHYS_PAGES") * PAGE_BYTES / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_report(report: dict[str, Any], path: Path) -> None:
    """Results as JSON at `path` (folders created) and on stdout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


def ingest_command(card_dataset: Path, output: str, snapshot: str, master: str) -> list[str]:
    """The `jobs.ingest` command line every benchmark runs on a generated card dump."""
    return [
        sys.executable,
        "-m",
        "jobs.ingest",
        "--input",
        str(card_dataset),
        "--format",
        "card-dataset",
        "--output",
        output,
        "--snapshot",
        snapshot,
        "--set",
        f"spark.master={master}",
    ]
