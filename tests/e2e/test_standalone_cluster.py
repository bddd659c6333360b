"""Ingest on a real Spark standalone cluster (a master and two workers on 127.0.0.1,
started and stopped here) gives exactly the tables of a local-mode run."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jobs.config import REPO_ROOT

pytestmark = pytest.mark.slow

SNAPSHOT = "2026-11-01"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def master_state(ui_port: int) -> dict:
    """The standalone master's JSON status page (workers, applications)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=2) as reply:
            return json.load(reply)
    except OSError:
        return {}


def alive_workers(ui_port: int) -> int:
    return sum(1 for w in master_state(ui_port).get("workers", []) if w.get("state") == "ALIVE")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """spark://127.0.0.1:PORT with two one-core workers, torn down after the module."""
    logs = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    port, ui = free_port(), free_port()
    spark_class = str(BIN / "spark-class")
    processes = [
        subprocess.Popen(
            [
                spark_class,
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--webui-port",
                str(ui),
            ],
            env=env,
            stdout=(logs / "master.log").open("w"),
            stderr=subprocess.STDOUT,
        )
    ]
    master = f"spark://127.0.0.1:{port}"
    for i in range(2):
        processes.append(
            subprocess.Popen(
                [
                    spark_class,
                    "org.apache.spark.deploy.worker.Worker",
                    master,
                    "--host",
                    "127.0.0.1",
                    "--cores",
                    "1",
                    "--memory",
                    "2g",
                    "--webui-port",
                    str(free_port()),
                    "--work-dir",
                    str(logs / f"work-{i}"),
                ],
                env=env,
                stdout=(logs / f"worker-{i}.log").open("w"),
                stderr=subprocess.STDOUT,
            )
        )
    try:
        deadline = time.monotonic() + 90
        while alive_workers(ui) < 2:
            if time.monotonic() > deadline:
                pytest.fail(f"standalone cluster did not come up; logs in {logs}")
            time.sleep(1)
        yield master, ui
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def ingest(master: str, source: Path, output: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
    return subprocess.run(
        [
            str(BIN / "spark-submit"),
            "--master",
            master,
            "--name",
            "pedigree-ingest-e2e",
            "--conf",
            "spark.executor.memory=1g",
            "--conf",
            "spark.executor.cores=1",
            str(REPO_ROOT / "jobs" / "ingest.py"),
            "--input",
            str(source),
            "--format",
            "card-dataset",
            "--output",
            str(output),
            "--snapshot",
            SNAPSHOT,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=env,
        cwd=REPO_ROOT,
    )


def rows(output: Path, table: str) -> list[str]:
    frame = pq.read_table(output / table / f"snapshot={SNAPSHOT}").to_pylist()
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in frame)


def test_cluster_run_equals_local_run(cluster, generated_sample: Path, tmp_path: Path):
    master, ui = cluster
    source = generated_sample / "card-dataset"
    on_cluster = ingest(master, source, tmp_path / "cluster")
    assert on_cluster.returncode == 0, on_cluster.stdout[-3000:]
    local = ingest("local[2]", source, tmp_path / "local")
    assert local.returncode == 0, local.stdout[-3000:]
    assert "rows_in=3003 models=3000 rejects=3" in on_cluster.stdout
    finished = master_state(ui).get("completedapps", [])
    assert [app["name"] for app in finished] == ["pedigree-ingest-e2e"], "ran on the cluster"
    for table in ("models", "card_texts", "rejects"):
        assert rows(tmp_path / "cluster", table) == rows(tmp_path / "local", table), table
