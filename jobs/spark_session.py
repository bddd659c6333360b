"""The one SparkSession factory, and the GraphFrames JVM package it puts on the classpath.

The JVM coordinate is derived from the installed graphframes-py and pyspark versions
(as delta-spark does in `pip_utils.py`), so Python and JVM sides cannot drift apart.
The jars come from a local cache filled once by `scripts/fetch_jars.py` (from Maven
Central, or built from a GraphFrames source release), so every later run starts offline.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pyspark
from pyspark import SparkConf, SparkContext
from pyspark.sql import SparkSession

from jobs.config import Config, SparkConfig, resolve_repo_path
from jobs.errors import UserError

MANIFEST_NAME = "graphframes.json"
LOG4J_CONFIG = "conf/log4j2.properties"

log = logging.getLogger("pedigree.spark")


class GraphFramesUnavailable(UserError):
    """The GraphFrames JVM package is not in the jar cache; the message says how to fix it."""


@dataclass(frozen=True)
class GraphFramesPackage:
    """Maven coordinates of the GraphFrames JVM package matching the installed Python side."""

    version: str
    spark_major: int
    scala: str

    @property
    def core(self) -> str:
        return f"io.graphframes:graphframes-spark{self.spark_major}_{self.scala}:{self.version}"

    @property
    def graphx(self) -> str:
        """GraphFrames ships its own GraphX fork; the core package needs it at run time."""
        return (
            f"io.graphframes:graphframes-graphx-spark{self.spark_major}_{self.scala}:{self.version}"
        )

    @property
    def coordinates(self) -> tuple[str, str]:
        return (self.core, self.graphx)


def graphframes_package(
    graphframes_version: str | None = None, spark_version: str | None = None
) -> GraphFramesPackage:
    """Coordinates for the installed graphframes-py on the installed Spark.

    >>> graphframes_package("0.11.0", "4.1.1").core
    'io.graphframes:graphframes-spark4_2.13:0.11.0'
    >>> graphframes_package("0.11.0", "3.5.6").graphx
    'io.graphframes:graphframes-graphx-spark3_2.12:0.11.0'
    """
    version = graphframes_version or metadata.version("graphframes-py")
    spark = spark_version or pyspark.__version__
    major = int(spark.split(".")[0])
    if major not in (3, 4):
        raise ValueError(f"GraphFrames publishes JVM packages for Spark 3 and 4, not {spark}")
    scala = "2.13" if major == 4 else "2.12"
    return GraphFramesPackage(version=version, spark_major=major, scala=scala)


def cached_graphframes_jars(jar_cache: Path) -> list[Path]:
    """Jars of the matching GraphFrames package in the cache, or raise with the reason.

    The cache manifest records which coordinate the jars belong to; a manifest for
    another version counts as missing, so an upgrade of graphframes-py refetches.
    """
    manifest_path = jar_cache / MANIFEST_NAME
    wanted = graphframes_package().core
    fix = (
        "run `make jars` (Maven Central, or a GraphFrames source tarball via "
        "--source / $PEDIGREE_GRAPHFRAMES_SOURCE)"
    )
    if not manifest_path.is_file():
        raise GraphFramesUnavailable(f"GraphFrames jar cache {jar_cache} is empty; {fix}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("coordinate") != wanted:
        raise GraphFramesUnavailable(
            f"jar cache holds {manifest.get('coordinate')}, installed graphframes-py needs "
            f"{wanted}; {fix}"
        )
    if manifest.get("error"):
        raise GraphFramesUnavailable(
            f"GraphFrames JVM package {wanted} could not be fetched ({manifest['error']}); {fix}"
        )
    jars = [jar_cache / name for name in manifest.get("jars", [])]
    missing = [str(j) for j in jars if not j.is_file()]
    if not jars or missing:
        raise GraphFramesUnavailable(f"jar cache {jar_cache} is incomplete ({missing}); {fix}")
    return jars


def read_spark_defaults(path: Path) -> dict[str, str]:
    """Parse a spark-defaults.conf file (key, spaces or tabs, value; # comments)."""
    settings: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, *value = line.split(None, 1)
        settings[key] = value[0].strip() if value else ""
    return settings


def launched_by_spark_submit() -> bool:
    """spark-submit starts the JVM first and hands the Python driver its gateway port."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def build_session(config: Config, checkpoint_root: str | Path) -> SparkSession:
    """Create (or reuse) the SparkSession for a job.

    Under spark-submit its master, app name and --conf values win; otherwise they come
    from config. conf/spark-defaults.*.conf fills keys nobody set. The checkpoint
    directory is always set (GraphFrames' connected components need it). GraphFrames
    jars are added when the cache has them; jobs that need GraphFrames call
    `require_graphframes` for a clear error otherwise.
    """
    submitted: dict[str, str] = {}
    starting = SparkContext._active_spark_context is None
    if launched_by_spark_submit():
        SparkContext._ensure_initialized()
        submitted = dict(SparkConf().getAll())
    else:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder
    if "spark.master" not in submitted:
        builder = builder.master(config.spark.master)
    if "spark.app.name" not in submitted:
        builder = builder.appName(config.spark.app_name)
    defaults = read_spark_defaults(resolve_repo_path(config.spark.defaults_file))
    level = config.spark.log_level.upper()
    if not launched_by_spark_submit():  # this process starts the JVM: quiet from its first line
        log4j = resolve_repo_path(LOG4J_CONFIG).as_uri()
        options = f"-Dlog4j2.configurationFile={log4j} -Dpedigree.spark.log.level={level}"
        existing = defaults.get("spark.driver.extraJavaOptions", "")
        defaults["spark.driver.extraJavaOptions"] = f"{existing} {options}".strip()
        # A progress bar on a terminal; none under cron or in a CI log.
        defaults.setdefault("spark.ui.showConsoleProgress", str(sys.stderr.isatty()).lower())
    for key, value in defaults.items():
        if key not in submitted:
            builder = builder.config(key, value)
    try:
        jars = cached_graphframes_jars(resolve_repo_path(config.spark.jar_cache))
    except GraphFramesUnavailable:
        jars = []
    if jars and "spark.jars.packages" not in submitted:
        existing = submitted.get("spark.jars", "")
        classpath = ",".join(filter(None, [existing, *(str(j) for j in jars)]))
        builder = builder.config("spark.jars", classpath)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(level)
    if starting and spark.sparkContext.uiWebUrl:
        log.info("Spark UI at %s", spark.sparkContext.uiWebUrl)
    checkpoint = config.spark.checkpoint_dir
    if not checkpoint.startswith("/") and "://" not in checkpoint:  # relative to the output
        checkpoint = f"{str(checkpoint_root).rstrip('/')}/{checkpoint}"
    spark.sparkContext.setCheckpointDir(checkpoint)
    return spark


def fit_shuffle_partitions(spark: SparkSession, rows: int, config: SparkConfig) -> None:
    """Set `spark.sql.shuffle.partitions` for a stage over `rows` input rows: one per
    `rows_per_shuffle_partition`, at least two per core Spark has (0 leaves it alone).
    A fixed number is wrong at one end: 8 leaves a 2M-model join in huge tasks, 400
    makes a 20k sample run thousands of tiny ones."""
    if config.rows_per_shuffle_partition <= 0:
        return
    cores = spark.sparkContext.defaultParallelism
    wanted = max(2 * cores, math.ceil(rows / config.rows_per_shuffle_partition))
    spark.conf.set("spark.sql.shuffle.partitions", str(wanted))
    log.debug("shuffle partitions: %d for %d rows on %d cores", wanted, rows, cores)


def require_graphframes(spark: SparkSession) -> None:
    """Fail with one clear line when the GraphFrames JVM classes are not loaded."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    try:
        jvm.java.lang.Class.forName(
            "org.graphframes.GraphFrame", True, jvm.Thread.currentThread().getContextClassLoader()
        )
    except Exception as err:  # py4j wraps ClassNotFoundException
        raise GraphFramesUnavailable(
            f"GraphFrames JVM package {graphframes_package().core} is not on the classpath; "
            "run `make jars`, or pass --packages / --jars to spark-submit"
        ) from err
