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
import shlex
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pyspark
import pytest

from jobs.config import REPO_ROOT
from tests.e2e.support import (
    assert_same_tables,
    descendants,
    free_port,
)

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


def submit_env(
    cluster: Cluster, source: Path, output: Path, snapshot: str, extra_args: str = ""
) -> dict[str, str]:
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
        "PEDIGREE_SNAPSHOT": snapshot,
        "SPARK_MASTER": cluster.url,
        "PEDIGREE_SUBMIT_ARGS": f"{SUBMIT_ARGS} {extra_args}".strip(),
    }


def start_crontab_job(
    cluster: Cluster, source: Path, output: Path, snapshot: str, extra_args: str = ""
) -> subprocess.Popen[str]:
    output.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        ["/bin/sh", "-c", crontab_command()],
        env=submit_env(cluster, source, output, snapshot, extra_args),
        text=True,
        cwd="/",
    )


def cron_log(output: Path) -> str:
    log = output / "pedigree-cron.log"
    return log.read_text()[-3000:] if log.is_file() else "(no log)"


def driver_api(ui_port: int, path: str) -> list | None:
    """The running application's monitoring REST API on the driver, None when not up."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/api/v1{path}", timeout=2) as r:
            return json.load(r)
    except (OSError, ValueError):
        return None


def kill_when_worker_is_busy(
    cluster: Cluster, job: subprocess.Popen[str], output: Path, ui_port: int, after: str | None
) -> float | None:
    """Once the cron log shows `after` (at once when None), SIGKILL worker 1 the moment
    the driver's REST API shows its executor running tasks. Returns the kill's wall-clock
    time, or None when the job finished first."""
    log = output / "pedigree-cron.log"
    deadline = time.monotonic() + 900
    while after is not None and not (log.is_file() and after in log.read_text()):
        if job.poll() is not None:
            return None
        assert time.monotonic() < deadline, f"{after!r} not logged in 900 s"
        time.sleep(0.1)
    while job.poll() is None:
        assert time.monotonic() < deadline, "worker 1 ran no task in 900 s"
        apps = driver_api(ui_port, "/applications") or []
        if apps:
            app = apps[0]["id"]
            mine = {p.name for p in cluster.work_dir(1).glob(f"{app}/*")}
            executors = driver_api(ui_port, f"/applications/{app}/executors") or []
            if any(e["id"] in mine and e["activeTasks"] > 0 for e in executors):
                killed_at = time.time()
                cluster.kill_worker(1)
                return killed_at
        time.sleep(0.05)
    return None


class ExecutorLoss(NamedTuple):
    executor: str
    lost_after: float  # seconds since the application started
    running: int  # tasks that failed with ExecutorLostFailure: running when it was lost
    rerun: int  # those tasks later finished successfully on another executor
    resubmitted_stages: int  # stage attempts after the first (lost shuffle output)


def executor_loss(event_dir: Path) -> ExecutorLoss | None:
    """What Spark's own event log says happened to the application's lost executor."""
    (log,) = [p for p in event_dir.iterdir() if not p.name.startswith(".")]
    started, removed, running = 0.0, None, set()
    succeeded, stage_attempts = [], set()
    for line in log.read_text().splitlines():
        event = json.loads(line)
        kind = event["Event"]
        if kind == "SparkListenerApplicationStart":
            started = event["Timestamp"] / 1000
        elif kind == "SparkListenerExecutorRemoved":
            removed = (event["Executor ID"], event["Timestamp"] / 1000)
        elif kind == "SparkListenerTaskEnd":
            reason, info = event["Task End Reason"], event["Task Info"]
            task = (event["Stage ID"], info["Index"])
            if reason["Reason"] == "ExecutorLostFailure":
                running.add(task)
            elif reason["Reason"] == "Success":
                succeeded.append((task, info["Executor ID"]))
        elif kind == "SparkListenerStageSubmitted":
            info = event["Stage Info"]
            stage_attempts.add((info["Stage ID"], info["Stage Attempt ID"]))
    if removed is None:
        return None
    executor, at = removed
    rerun = {task for task, on in succeeded if task in running and on != executor}
    return ExecutorLoss(
        executor,
        round(at - started, 1),
        len(running),
        len(rerun),
        sum(1 for _, attempt in stage_attempts if attempt > 0),
    )


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
    job = start_crontab_job(cluster, small_sample, output, snapshot)
    assert job.wait(timeout=1200) == 0, cron_log(output)
    finished = master_state(cluster.ui).get("completedapps", [])
    assert "pedigree-e2e" in [app["name"] for app in finished], "ran on the cluster"
    unpacked = [p for i in range(2) for p in cluster.work_dir(i).glob("app-*/*/environment")]
    assert unpacked and all((p / "bin" / "python").exists() for p in unpacked)
    assert_same_tables(output, reference, snapshot)


# When to start watching worker 1 for running tasks, latest first: inside lineage's
# GraphFrames depth rounds, then as soon as ingest is done, then from the first task.
KILL_MOMENTS = ("pedigree.lineage: depth round 1:", "pedigree.pipeline: ingest:", None)


def test_a_worker_killed_mid_run_changes_nothing(
    cluster: Cluster, packaged: Path, small_sample: Path, local_reference, tmp_path: Path
) -> None:
    """Spark's event log must show the executor lost with tasks running and those tasks
    re-run elsewhere; a kill that missed (job done, or no task running) is retried earlier."""
    reference, snapshot, _ = local_reference
    for attempt, moment in enumerate(KILL_MOMENTS):
        output, events = tmp_path / f"cluster-kill-{attempt}", tmp_path / f"events-{attempt}"
        events.mkdir()
        ui_port = free_port()
        observe = (
            f"--conf spark.ui.port={ui_port} --conf spark.eventLog.enabled=true "
            f"--conf spark.eventLog.dir=file://{events} --conf spark.eventLog.compress=false "
            "--conf spark.eventLog.rolling.enabled=false"
        )
        job = start_crontab_job(cluster, small_sample, output, snapshot, observe)
        try:
            killed_at = kill_when_worker_is_busy(cluster, job, output, ui_port, moment)
            assert job.wait(timeout=1200) == 0, cron_log(output)
        finally:
            if job.poll() is None:
                job.kill()
            if 1 not in cluster.workers:
                cluster.start_worker(1)
                cluster.wait_for_workers(2)
        loss = executor_loss(events)
        when = "no kill" if killed_at is None else time.strftime("%H:%M:%S", time.gmtime(killed_at))
        print(f"worker-kill attempt {attempt} (after {moment!r}): {when}, {loss}")
        if killed_at is None or loss is None or loss.running == 0:
            continue
        assert loss.rerun == loss.running, f"lost tasks not all re-run: {loss}"
        assert_same_tables(output, reference, snapshot)
        print(
            f"executor {loss.executor} lost {loss.lost_after} s into the application with "
            f"{loss.running} tasks running; {loss.rerun} re-run on another executor, "
            f"{loss.resubmitted_stages} stage attempts resubmitted; tables equal the local run"
        )
        return
    pytest.fail("no attempt killed worker 1 while its executor was running tasks")


def test_shipped_commands_quote_the_same_archive() -> None:
    command = shlex.split(crontab_command())
    assert "dist/pedigree-env.tar.gz#environment" in command
    assert "PYSPARK_PYTHON=./environment/bin/python" in command
    assert "PYSPARK_DRIVER_PYTHON=.venv/bin/python" in command
    assert command[command.index("--snapshot") + 1] == "${PEDIGREE_SNAPSHOT:-$(date -u +%F)}"
