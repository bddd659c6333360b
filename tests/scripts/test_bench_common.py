"""The benchmarks' memory measure: a forked child that shares its parent's pages must not
count them twice (the JVM forks to start Python workers)."""

from __future__ import annotations

import sys

from scripts.bench_common import run_measured

SHARED_AFTER_FORK = """
import os, time
block = bytearray(256 * 2**20)
for i in range(0, len(block), 4096):
    block[i] = 1
if os.fork() == 0:
    time.sleep(1.5)
    os._exit(0)
time.sleep(2)
os.wait()
"""


def test_pages_shared_with_a_forked_child_count_once_in_pss_twice_in_rss():
    measured = run_measured([sys.executable, "-c", SHARED_AFTER_FORK], interval=0.1, pss_every=2)
    assert measured["peak_rss_mib"] > 2 * 256
    assert 256 < measured["peak_pss_mib"] < 1.5 * 256
    assert sum(measured["peak_pss_by_program_mib"].values()) > 256


BUSY_GRANDCHILD = """
import os, subprocess, sys, time
spin = "import time\\nend = time.process_time() + 0.6\\nwhile time.process_time() < end: pass"
subprocess.Popen([sys.executable, "-c", spin])
time.sleep(1.5)  # exits without waiting for it, as Spark's driver leaves its JVM
print(sorted(os.sched_getaffinity(0)))
"""


def test_cpu_seconds_count_a_grandchild_nobody_waits_for():
    measured = run_measured([sys.executable, "-c", BUSY_GRANDCHILD], interval=0.05)
    assert 0.5 <= measured["cpu_seconds"] < measured["seconds"] + 1


def test_pinned_tree_runs_on_the_given_core_only(tmp_path):
    out = tmp_path / "stdout"
    run_measured(
        [sys.executable, "-c", BUSY_GRANDCHILD], interval=0.05, cores=[0], log_path=out, stdout=True
    )
    assert out.read_text().strip().splitlines()[-1] == "[0]"


def test_jit_cpu_seconds_are_the_jvm_compiler_threads_share():
    """`-Xcomp` makes the JVM compile every method it runs, so its JIT threads do most of
    the work; a Python process has none."""
    java = run_measured(["java", "-Xcomp", "-version"], interval=0.05)
    assert 0.5 * java["cpu_seconds"] < java["jit_cpu_seconds"] <= java["cpu_seconds"]
    python = run_measured([sys.executable, "-c", BUSY_GRANDCHILD], interval=0.05)
    assert python["jit_cpu_seconds"] == 0 and python["cpu_seconds"] >= 0.5
