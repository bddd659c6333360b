"""Airflow DAG: pedigree's stages as spark-submit tasks, one snapshot per logical date.

Copy (or symlink) this file into the DAGs folder of an Airflow 3 installation with the
Apache Spark provider. Settings come from the environment of the DAG processor:

    PEDIGREE_HOME     checkout with .venv/, conf/ and dist/ (scripts/package.sh)
    PEDIGREE_INPUT    the day's card dump (Parquet or JSONL folder)
    PEDIGREE_OUTPUT   root folder of the tables (shared storage, or hdfs:// / s3a://: the
                      report then has no task, it reads the tables from a mounted folder)
    PEDIGREE_SPARK_CONN   Airflow connection of the Spark master (default spark_default)

The provider runs `spark-submit` from the worker's PATH (it accepts no other binary
path), so put `$PEDIGREE_HOME/.venv/bin` on it.

Each run writes snapshot `{{ ds }}`; a retry or a backfill of a day reruns that
snapshot, which replaces it and nothing else. Stages exit non-zero with one line on
failure, which is what the task log shows.
"""

from __future__ import annotations

import datetime as dt
import glob
import os

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG

HOME = os.environ.get("PEDIGREE_HOME", "/opt/pedigree")
INPUT = os.environ.get("PEDIGREE_INPUT", "/data/hub/card-dataset")
OUTPUT = os.environ.get("PEDIGREE_OUTPUT", "/data/pedigree")
CONN = os.environ.get("PEDIGREE_SPARK_CONN", "spark_default")
SNAPSHOT = "{{ ds }}"
# The GraphFrames JVM package `make jars` put in the checkout's jar cache (from Maven
# Central or built from source), shipped to the driver and executors with --jars.
JARS = ",".join(sorted(glob.glob(f"{HOME}/.cache/jars/*.jar")))

DEFAULT_ARGS = {
    "owner": "pedigree",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=10),
}


def stage(name: str, *args: str) -> SparkSubmitOperator:
    """One stage as a spark-submit of jobs/<name>.py with the packaged environment."""
    return SparkSubmitOperator(
        task_id=name,
        conn_id=CONN,
        application=f"{HOME}/jobs/{name}.py",
        application_args=[*args, "--output", OUTPUT, "--snapshot", SNAPSHOT],
        name=f"pedigree-{name}-{SNAPSHOT}",
        properties_file=f"{HOME}/conf/spark-defaults.cluster.conf",
        archives=f"{HOME}/dist/pedigree-env.tar.gz#environment",
        jars=JARS,
        env_vars={
            "PYSPARK_DRIVER_PYTHON": f"{HOME}/.venv/bin/python",
            "PYSPARK_PYTHON": "./environment/bin/python",
        },
    )


with DAG(
    dag_id="pedigree",
    description="Hugging Face model family trees, drift and audit, one snapshot a day",
    schedule="30 4 * * *",
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["pedigree", "spark"],
) as dag:
    ingest = stage("ingest", "--input", INPUT, "--format", "card-dataset")
    lineage = stage("lineage")
    analyses = [stage("similarity"), stage("drift"), stage("audit")]
    ingest >> lineage >> analyses
    # The report reads only the published tables (pyarrow, no Spark work), so the output
    # folder must be mounted where the task runs: an hdfs:// or s3a:// output has none.
    if "://" not in OUTPUT:
        analyses >> stage("report")
