"""scripts/airflow_dag.py imports under a real Airflow 3 with the Spark provider, and its
task graph, spark-submit settings and rendered `{{ ds }}` snapshot are what we ship.

Airflow cannot share pedigree's venv (its pins clash), so it lives in its own venv,
`.cache/airflow-venv`, created by `make airflow` (which `make test` runs).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from jobs.config import REPO_ROOT
from tests.components import AIRFLOW_PYTHON

pytestmark = pytest.mark.airflow

PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("pedigree_dag", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
dag = module.dag
tasks = {}
for task_id, task in dag.task_dict.items():
    args = task.render_template(task.application_args, {"ds": "2026-11-05"})
    tasks[task_id] = {
        "type": type(task).__name__,
        "downstream": sorted(task.downstream_task_ids),
        "application": task.application,
        "args": args,
        "name": task.render_template(task.name, {"ds": "2026-11-05"}),
        "archives": task._archives,
        "jars": task.jars,
        "properties_file": task.properties_file,
        "env_vars": task.env_vars,
        "conn_id": task._conn_id,
        "retries": task.retries,
        "templated": "application_args" in task.template_fields,
    }
print(json.dumps({"dag_id": dag.dag_id, "schedule": str(dag.timetable.summary),
                  "catchup": dag.catchup, "max_active_runs": dag.max_active_runs,
                  "tasks": tasks}))
"""


def probe_dag(home: Path, output: str) -> dict:
    """The DAG as Airflow loads it, with PEDIGREE_OUTPUT set to `output`."""
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "PEDIGREE_HOME": str(REPO_ROOT),
        "PEDIGREE_INPUT": "/data/in",
        "PEDIGREE_OUTPUT": output,
    }
    result = subprocess.run(
        [str(AIRFLOW_PYTHON), "-c", PROBE, str(REPO_ROOT / "scripts" / "airflow_dag.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def dag_info(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return probe_dag(tmp_path_factory.mktemp("airflow-home"), "/data/out")


def test_the_task_graph_is_ingest_lineage_the_three_analyses_then_the_report(dag_info) -> None:
    tasks = dag_info["tasks"]
    assert dag_info["dag_id"] == "pedigree"
    assert {t: v["downstream"] for t, v in tasks.items()} == {
        "ingest": ["lineage"],
        "lineage": ["audit", "drift", "similarity"],
        "similarity": ["report"],
        "drift": ["report"],
        "audit": ["report"],
        "report": [],
    }
    assert dag_info["catchup"] is False and dag_info["max_active_runs"] == 1
    assert dag_info["schedule"] == "30 4 * * *"


def test_an_hdfs_output_has_no_report_task(tmp_path: Path) -> None:
    """The report reads the tables from a mounted folder and refuses a URL: a report task
    would fail every run after its retries."""
    (tmp_path / "airflow-home").mkdir()
    info = probe_dag(tmp_path / "airflow-home", "hdfs://namenode:8020/pedigree")
    tasks = info["tasks"]
    assert sorted(tasks) == ["audit", "drift", "ingest", "lineage", "similarity"]
    assert all(task["downstream"] == [] for t, task in tasks.items() if t in ("drift", "audit"))
    args = tasks["lineage"]["args"]
    assert args[args.index("--output") + 1] == "hdfs://namenode:8020/pedigree"


@pytest.mark.graphframes  # the tasks ship the cached jars
def test_every_task_submits_its_stage_for_the_logical_date(dag_info) -> None:
    for task_id, task in dag_info["tasks"].items():
        assert task["type"] == "SparkSubmitOperator"
        assert Path(task["application"]) == REPO_ROOT / "jobs" / f"{task_id}.py"
        assert Path(task["application"]).is_file()
        args = task["args"]
        assert task["templated"]
        assert args[args.index("--snapshot") + 1] == "2026-11-05"
        assert args[args.index("--output") + 1] == "/data/out"
        assert task["name"] == f"pedigree-{task_id}-2026-11-05"
        assert task["archives"] == f"{REPO_ROOT}/dist/pedigree-env.tar.gz#environment"
        assert Path(task["properties_file"]).is_file()
        jars = task["jars"].split(",")
        assert sorted(Path(j).name for j in jars) == [
            "io.graphframes_graphframes-graphx-spark4_2.13-0.11.0.jar",
            "io.graphframes_graphframes-spark4_2.13-0.11.0.jar",
        ]
        assert all(Path(j).is_file() for j in jars)
        assert task["env_vars"] == {
            "PYSPARK_DRIVER_PYTHON": f"{REPO_ROOT}/.venv/bin/python",
            "PYSPARK_PYTHON": "./environment/bin/python",
        }
        assert task["retries"] == 2 and task["conn_id"] == "spark_default"
    ingest = dag_info["tasks"]["ingest"]["args"]
    assert ingest[:4] == ["--input", "/data/in", "--format", "card-dataset"]
