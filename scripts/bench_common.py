"""Shared by the benchmark scripts: run a command, measure wall time and peak tree memory.

A Spark job's memory lives in several processes (driver, JVM, Python workers), so the
whole process tree is sampled from /proc. Its peak is reported two ways: the sum of
resident sets (RSS), and the sum of proportional set sizes (PSS), where a page shared by
n processes counts 1/n in each: a Python worker forked from Spark's daemon shares its
pages copy-on-write. A child the JVM spawns shares the JVM's address space itself until
it execs (vfork), and counts in both sums as a second JVM, so it is left out: at 1M and
2M the old measure showed a 14.6-15.6 GiB "peak" that was the JVM counted twice.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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


def _program(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "gone"


def _pss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


class TreeMemory(NamedTuple):
    """Memory of a process tree at one moment, per program name (`java`, `python3`, ...)."""

    rss: dict[str, int]
    pss: dict[str, int]


def _executable(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def _is_jvm_spawn(executable: str, parent_executable: str) -> bool:
    """A child of the JVM still running the JVM's binary: Java starts processes (Spark's
    Python workers) with posix_spawn, whose vfork child shares the JVM's whole address
    space until it execs, so its RSS and even its PSS repeat the JVM's."""
    return parent_executable.endswith("/java") and executable == parent_executable


def _cpu_ticks_at(stat: Path) -> int:
    """User + system clock ticks in a /proc `stat` file (fields 14 and 15, counted after
    the command name, which may hold spaces)."""
    try:
        fields = stat.read_text().rpartition(")")[2].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def _cpu_ticks(pid: int) -> int:
    """User + system clock ticks `pid` has used, all its threads."""
    return _cpu_ticks_at(Path(f"/proc/{pid}/stat"))


JIT_THREADS = ("C1 CompilerThre", "C2 CompilerThre")


def _jit_ticks(pid: int, ticks: dict[tuple[int, int], int | None]) -> None:
    """Record the CPU ticks of each of a JVM's JIT compiler threads (HotSpot names them
    `C1 CompilerThread0`..., cut to 15 characters) by (pid, thread id): the threads come
    and go, so each keeps the most it was seen to use. Every other thread is kept as None,
    so its name is read once, not at every sample (a JVM runs hundreds of threads)."""
    try:
        threads = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return
    for thread in threads:
        try:
            key = (pid, int(thread.name))
            if key not in ticks:
                jit = (thread / "comm").read_text().startswith(JIT_THREADS)
                ticks[key] = 0 if jit else None
            seen = ticks[key]
            if seen is not None:
                ticks[key] = max(_cpu_ticks_at(thread / "stat"), seen)
        except (OSError, ValueError):
            continue


def tree_memory(
    root: int,
    with_pss: bool,
    cpu_ticks: dict[int, int] | None = None,
    jit_ticks: dict[tuple[int, int], int | None] | None = None,
) -> TreeMemory:
    """RSS (and PSS when `with_pss`) of `root` and every descendant right now, summed per
    program name: which side of a Spark job holds the memory. A JVM's spawn child between
    vfork and exec is left out (`_is_jvm_spawn`). PSS walks every page table of the
    process (smaps_rollup): five times a second over the 2M run's JVM it took a quarter of
    a core and ingest ran 30 % slower, so it is read less often than RSS.

    `cpu_ticks`, when given, gets each process's CPU ticks so far, by pid: summed after the
    last sample, it is the CPU the tree used, up to what a process used after its last
    sample. `jit_ticks`, when given, gets the same of every JVM's JIT compiler threads
    (`_jit_ticks`)."""
    memory = TreeMemory({}, {})
    stack = [(root, "")]
    while stack:
        pid, parent_executable = stack.pop()
        executable = _executable(pid)
        if _is_jvm_spawn(executable, parent_executable):
            continue
        program = _program(pid)
        memory.rss[program] = memory.rss.get(program, 0) + _rss_bytes(pid)
        if cpu_ticks is not None:
            cpu_ticks[pid] = max(_cpu_ticks(pid), cpu_ticks.get(pid, 0))
        if jit_ticks is not None and executable.endswith("/java"):
            _jit_ticks(pid, jit_ticks)
        if with_pss:
            memory.pss[program] = memory.pss.get(program, 0) + _pss_bytes(pid)
        stack.extend((child, executable) for child in _children(pid))
    return memory


def run_measured(
    command: Sequence[str],
    env: dict[str, str] | None = None,
    interval: float = 0.2,
    pss_every: int = 10,
    log_path: Path | None = None,
    stdout: bool = False,
    cores: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Run `command` to completion; wall seconds, CPU seconds, peak RSS and PSS sums of its
    process tree, and the `key=number` counts of its last pedigree log line (a stage's
    summary). RSS is sampled every `interval` seconds, PSS every `pss_every` samples. The
    PSS peak comes with when it happened (seconds after start) and its split per program.

    `cores` pins the whole tree to those CPUs (its children inherit the affinity): Spark's
    `local[1]` runs one task at a time, yet the JVM feeding a Python worker keeps a second
    core busy, so only a pinned run measures one core.

    CPU seconds are user + system time of every process of the tree, read from /proc
    with each RSS sample (Spark's driver does not wait for its JVM, so the usage of
    waited-for children would miss the JVM and its Python workers). JIT CPU seconds are
    the part of them the JVMs' JIT compiler threads used: a fixed cost per query's
    generated classes, large at 200k.

    Its stderr (or stdout, with `stdout=True`) goes to a file, `log_path` when given, so
    a chatty process never blocks on a full pipe; a failure is reported with the last line
    of its stderr either way."""
    with tempfile.TemporaryDirectory(prefix="pedigree-measured-") as scratch:
        path = log_path or Path(scratch) / "log"
        errors = path if not stdout else Path(scratch) / "stderr"
        with path.open("w", encoding="utf-8") as log, errors.open("a", encoding="utf-8") as err:
            cpu_ticks: dict[int, int] = {}
            jit_ticks: dict[tuple[int, int], int | None] = {}
            started = time.monotonic()
            child = subprocess.Popen(
                list(command),
                stdout=log if stdout else subprocess.DEVNULL,
                stderr=err if stdout else log,
                env=env,
                preexec_fn=None if cores is None else lambda: os.sched_setaffinity(0, cores),
            )
            peak_rss, peak_pss, peak_at, peak_split = 0, 0, 0.0, {}
            samples = 0
            while child.poll() is None:
                memory = tree_memory(child.pid, samples % pss_every == 0, cpu_ticks, jit_ticks)
                samples += 1
                peak_rss = max(peak_rss, sum(memory.rss.values()))
                if sum(memory.pss.values()) > peak_pss:
                    peak_pss, peak_at, peak_split = (
                        sum(memory.pss.values()),
                        time.monotonic(),
                        memory.pss,
                    )
                time.sleep(interval)
            seconds = time.monotonic() - started
        text = path.read_text(encoding="utf-8", errors="replace")
        failure = errors.read_text(encoding="utf-8", errors="replace").strip()
    if child.returncode != 0:
        last = failure.splitlines()[-1] if failure else ""
        raise SystemExit(f"benchmark command failed ({child.returncode}): {last}")
    summary = [line for line in text.splitlines() if " pedigree." in line][-1:]
    counts = {
        key: float(value)
        for key, value in re.findall(r"(\w+)=(\d+)\b", summary[0] if summary else "")
    }
    return {
        "seconds": seconds,
        "cpu_seconds": round(sum(cpu_ticks.values()) / CLOCK_TICKS, 2),
        "jit_cpu_seconds": round(sum(filter(None, jit_ticks.values())) / CLOCK_TICKS, 2),
        "peak_rss_mib": peak_rss / 2**20,
        "peak_pss_mib": peak_pss / 2**20,
        "peak_pss_at_s": round(peak_at - started, 1) if peak_pss else 0.0,
        "peak_pss_by_program_mib": {k: round(v / 2**20) for k, v in sorted(peak_split.items())},
        **counts,
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over repeated runs, with the individual runs kept for the record."""
    summary: dict[str, Any] = {
        "runs_seconds": [round(r["seconds"], 1) for r in runs],
        "median_seconds": round(statistics.median(r["seconds"] for r in runs), 1),
        "median_peak_rss_mib": round(statistics.median(r["peak_rss_mib"] for r in runs)),
        "median_peak_pss_mib": round(statistics.median(r["peak_pss_mib"] for r in runs)),
    }
    if "depth_rounds" in runs[0]:
        summary["depth_rounds"] = sorted({int(r["depth_rounds"]) for r in runs})
    return summary


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


def ingest_command(
    card_dataset: Path, output: str, snapshot: str, master: str, source_format: str = "card-dataset"
) -> list[str]:
    """The `jobs.ingest` command line every benchmark runs on a generated snapshot."""
    return [
        sys.executable,
        "-m",
        "jobs.ingest",
        "--input",
        str(card_dataset),
        "--format",
        source_format,
        "--output",
        output,
        "--snapshot",
        snapshot,
        "--set",
        f"spark.master={master}",
    ]
