"""The packaged pipeline on a real Spark standalone cluster (a master and two workers on
127.0.0.1, started and stopped here), submitted by the crontab line we ship, gives
exactly the tables of a local-mode run, also when a worker is killed mid-run.

Executors run the environment archive built by scripts/package.sh (`--archives`), not
the test's venv: the workers unpack it and the job fails if its Python cannot import
pedigree and its conf tables.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shlex
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyspark
import pytest

from jobs.config import REPO_ROOT
from tests.e2e.support import descendants, free_port, table_rows, written_tables

pytestmark = [pytest.mark.slow, pytest.mark.graphframes]

BIN = Path(sys.executable).parent
SPARK_HOME = str(Path(pyspark.__file__).parent)
CRONTAB = REPO_ROOT / "scripts" / "pedigree.crontab"
# Small executors for one-core, 2 GiB test workers; few shuffle partitions for 1,000 models.
SUBMIT_ARGS = (
    "--name pedigree-e2e --conf spark.executor.memory=1g --conf spark.executor.cores=1 "
    "--conf spark.cores.max=2 --conf spark.sql.shuffle.partitions=8 "
    "--conf spark.driver.memory=2g"
)


def master_state(ui_port: int) -> dict:
    """The standalone master's JSON status page (workers, applications)."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=2) as reply:
            return json.load(reply)
    except OSError:
        return {}


def alive_workers(ui_port: int) -> int:
    return sum(1 for w in master_state(ui_port).get("workers", []) if w.get("state") == "ALIVE")


class Cluster:
    """A standalone master and one-core workers; workers can be killed and restarted."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_HOME": SPARK_HOME}
        self.port, self.ui = free_port(), free_port()
        self.url = f"spark://127.0.0.1:{self.port}"
        self.master = self._spawn(
            "master",
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(self.port), "--webui-port", str(self.ui)),
        )
        self.workers: dict[int, subprocess.Popen[bytes]] = {}

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(BIN / "spark-class"), *args],
            env=self.env,
            stdout=(self.logs / f"{name}.log").open("a"),
            stderr=subprocess.STDOUT,
        )

    def work_dir(self, i: int) -> Path:
        return self.logs / f"work-{i}"

    def start_worker(self, i: int) -> None:
        self.workers[i] = self._spawn(
            f"worker-{i}",
            "org.apache.spark.deploy.worker.Worker",
            self.url,
            *("--host", "127.0.0.1", "--cores", "1", "--memory", "2g"),
            *("--webui-port", str(free_port()), "--work-dir", str(self.work_dir(i))),
        )

    def wait_for_workers(self, n: int) -> None:
        deadline = time.monotonic() + 90
        while alive_workers(self.ui) != n:
            if time.monotonic() > deadline:
                pytest.fail(f"standalone cluster does not have {n} workers; logs in {self.logs}")
            time.sleep(1)

    def kill_worker(self, i: int) -> list[int]:
        """SIGKILL worker i and everything it started (executor JVM, Python workers)."""
        process = self.workers.pop(i)
        victims = [process.pid, *descendants(process.pid)]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=30)
        return victims

    def stop(self) -> None:
        for process in [*self.workers.values(), self.master]:
            process.terminate()
        for process in [*self.workers.values(), self.master]:
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """spark://127.0.0.1:PORT with two one-core workers, torn down after the module."""
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        for i in range(2):
            running.start_worker(i)
        running.wait_for_workers(2)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def packaged() -> Path:
    """dist/ built by scripts/package.sh: the wheel and the executors' environment."""
    dist = REPO_ROOT / "dist"
    result = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "package.sh"), str(dist)],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        env={**os.environ, "PYTHON": sys.executable},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dist


def crontab_command() -> str:
    """The command of the crontab's job line, as cron hands it to /bin/sh."""
    lines = [line for line in CRONTAB.read_text().splitlines() if line and line[0].isdigit()]
    assert len(lines) == 1, "one job line"
    fields = lines[0].split(None, 5)
    assert len(fields) == 6, "five schedule fields and a command"
    command = fields[5]
    assert "%" not in command.replace("\\%", ""), "cron would cut the command at a bare %"
    return command.replace("\\%", "%")


def submit_env(cluster: Cluster, source: Path, output: Path) -> dict[str, str]:
    """The job line's environment: what a crontab sets, none of this test's Spark settings."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SPARK_HOME", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON", "PYTHONPATH")
    }
    return {
        **inherited,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PEDIGREE_HOME": str(REPO_ROOT),
        "PEDIGREE_INPUT": str(source),
        "PEDIGREE_OUTPUT": str(output),
        "SPARK_MASTER": cluster.url,
        "PEDIGREE_SUBMIT_ARGS": SUBMIT_ARGS,
    }


def start_crontab_job(cluster: Cluster, source: Path, output: Path) -> subprocess.Popen[str]:
    output.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        ["/bin/sh", "-c", crontab_command()],
        env=submit_env(cluster, source, output),
        text=True,
        cwd="/",
    )


def cron_log(output: Path) -> str:
    log = output / "pedigree-cron.log"
    return log.read_text()[-3000:] if log.is_file() else "(no log)"


def assert_same_tables(output: Path, reference: Path, snapshot: str) -> None:
    tables = written_tables(reference, snapshot)
    assert len(tables) >= 16 and written_tables(output, snapshot) == tables
    for table in tables:
        assert table_rows(output, table, snapshot) == table_rows(reference, table, snapshot), table


def test_the_archive_carries_pedigree_and_its_conf_tables(packaged: Path, tmp_path: Path) -> None:
    with tarfile.open(packaged / "pedigree-env.tar.gz") as archive:
        archive.extractall(tmp_path / "environment", filter="tar")
    names = {p.name for p in (tmp_path / "environment").rglob("*.yaml")}
    assert {"licenses.yaml", "languages.yaml", "pedigree.yaml"} <= names
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def in_environment(code: str) -> subprocess.CompletedProcess[str]:
        python = tmp_path / "environment" / "bin" / "python"
        return subprocess.run(
            [str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env
        )

    found = in_environment(
        "import udfs.normalize as n; print(n.__file__, len(n.default_license_table().category))"
    )
    assert found.returncode == 0, found.stderr[-2000:]
    module, n_licenses = found.stdout.split()
    assert module.startswith(str(tmp_path / "environment")) and int(n_licenses) > 10
    # pyspark is not in the archive: executors get it from the cluster's Spark.
    assert "No module named 'pyspark'" in in_environment("import pyspark").stderr


def test_crontab_run_on_the_cluster_equals_the_local_run(
    cluster: Cluster, packaged: Path, small_sample: Path, local_reference, tmp_path: Path
) -> None:
    reference, snapshot, _ = local_reference
    output = tmp_path / "cluster"
    job = start_crontab_job(cluster, small_sample, output)
    assert job.wait(timeout=1200) == 0, cron_log(output)
    finished = master_state(cluster.ui).get("completedapps", [])
    assert "pedigree-e2e" in [app["name"] for app in finished], "ran on the cluster"
    unpacked = [p for i in range(2) for p in cluster.work_dir(i).glob("app-*/*/environment")]
    assert unpacked and all((p / "bin" / "python").exists() for p in unpacked)
    assert_same_tables(output, reference, snapshot)


def test_a_worker_killed_mid_run_changes_nothing(
    cluster: Cluster, packaged: Path, small_sample: Path, local_reference, tmp_path: Path
) -> None:
    reference, snapshot, _ = local_reference
    output = tmp_path / "cluster-kill"
    apps_before = len(master_state(cluster.ui).get("completedapps", []))
    job = start_crontab_job(cluster, small_sample, output)
    try:
        # Kill while lineage's GraphFrames depth rounds run: its first round's log line.
        log = output / "pedigree-cron.log"
        deadline = time.monotonic() + 600
        while not (log.is_file() and "pedigree.lineage: depth round 1:" in log.read_text()):
            assert job.poll() is None, cron_log(output)
            assert time.monotonic() < deadline, "lineage reached no depth round in 600 s"
            time.sleep(0.2)
        time.sleep(random.Random(8).uniform(0.2, 1.0))
        assert job.poll() is None, "the job finished before the worker could be killed"
        assert "pedigree.pipeline: lineage:" not in log.read_text(), "lineage already done"
        cluster.kill_worker(1)
        assert job.wait(timeout=1200) == 0, cron_log(output)
        assert alive_workers(cluster.ui) == 1, "the killed worker is gone"
        assert len(master_state(cluster.ui).get("completedapps", [])) == apps_before + 1
        assert_same_tables(output, reference, snapshot)
    finally:
        if job.poll() is None:
            job.kill()
        if 1 not in cluster.workers:
            cluster.start_worker(1)
            cluster.wait_for_workers(2)


def test_shipped_commands_quote_the_same_archive() -> None:
    command = shlex.split(crontab_command())
    assert "dist/pedigree-env.tar.gz#environment" in command
    assert "PYSPARK_PYTHON=./environment/bin/python" in command
    assert "PYSPARK_DRIVER_PYTHON=.venv/bin/python" in command
    assert command[command.index("--snapshot") + 1] == "$(date -u +%F)"
