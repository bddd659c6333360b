"""The pinned Spark / GraphFrames pair, the session factory, and GraphFrames on the JVM."""

from __future__ import annotations

import re
from importlib import metadata

import pyspark
import pytest
import tomllib

from jobs.config import REPO_ROOT, SparkConfig
from jobs.spark_session import (
    GraphFramesUnavailable,
    cached_graphframes_jars,
    fit_shuffle_partitions,
    graphframes_package,
    read_spark_defaults,
    require_graphframes,
)

# Spark lines GraphFrames 0.11.x publishes and tests its JVM packages for; the first is
# the one graphframes-spark4_2.13 is built against (DESIGN.md "Running").
GRAPHFRAMES_SPARK_LINES = {"0.11": ("4.1", "4.0", "3.5")}


def pinned(name: str) -> str:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        match = re.fullmatch(rf"{re.escape(name)}==(\S+)", requirement, flags=re.IGNORECASE)
        if match:
            return match.group(1)
    raise AssertionError(f"{name} is not pinned in pyproject.toml")


def test_installed_versions_are_the_pinned_ones() -> None:
    assert pyspark.__version__ == pinned("pyspark")
    assert metadata.version("graphframes-py") == pinned("graphframes-py")


def test_pinned_pyspark_is_the_spark_line_graphframes_is_built_for() -> None:
    graphframes_minor = ".".join(pinned("graphframes-py").split(".")[:2])
    spark_minor = ".".join(pinned("pyspark").split(".")[:2])
    assert spark_minor == GRAPHFRAMES_SPARK_LINES[graphframes_minor][0]


def test_jvm_coordinate_is_derived_from_the_installed_python_package() -> None:
    package = graphframes_package()
    version = metadata.version("graphframes-py")
    assert package.core == f"io.graphframes:graphframes-spark4_2.13:{version}"
    assert package.graphx == f"io.graphframes:graphframes-graphx-spark4_2.13:{version}"


def test_spark3_gets_the_scala_212_artifacts() -> None:
    assert graphframes_package("0.12.3", "3.5.6").coordinates == (
        "io.graphframes:graphframes-spark3_2.12:0.12.3",
        "io.graphframes:graphframes-graphx-spark3_2.12:0.12.3",
    )
    with pytest.raises(ValueError):
        graphframes_package("0.12.3", "2.4.8")


def test_jar_cache_for_another_version_counts_as_missing(tmp_path) -> None:
    (tmp_path / "graphframes.json").write_text(
        '{"coordinate": "io.graphframes:graphframes-spark4_2.13:0.0.1", "jars": ["x.jar"]}'
    )
    (tmp_path / "x.jar").write_bytes(b"")
    with pytest.raises(GraphFramesUnavailable, match=r"0\.0\.1"):
        cached_graphframes_jars(tmp_path)


def test_empty_jar_cache_says_how_to_fill_it(tmp_path) -> None:
    with pytest.raises(GraphFramesUnavailable, match="make jars"):
        cached_graphframes_jars(tmp_path)


@pytest.mark.spark
def test_session_has_checkpoint_dir_and_local_defaults(spark) -> None:
    defaults = read_spark_defaults(REPO_ROOT / "conf" / "spark-defaults.local.conf")
    assert spark.conf.get("spark.sql.session.timeZone") == defaults["spark.sql.session.timeZone"]
    assert spark.sparkContext.getCheckpointDir()
    assert spark.sparkContext.master == "local[2]"


def hotspot_flags(options: str) -> dict[str, str]:
    """`-XX:Name=value` and `-XX:+Name` options as HotSpot reports them: name -> value."""
    flags = {}
    for option in options.split():
        flag = option.removeprefix("-XX:")
        if flag.startswith(("+", "-")):
            flags[flag[1:]] = str(flag.startswith("+")).lower()
        else:
            name, _, value = flag.partition("=")
            flags[name] = value
    return flags


@pytest.mark.spark
def test_the_driver_jvm_runs_with_the_jit_and_gc_settings_of_the_local_defaults(spark) -> None:
    """HotSpot applied the JIT and collector flags (they only work at the JVM's launch), and
    the log4j options the session factory adds to the same key are there beside them."""
    defaults = read_spark_defaults(REPO_ROOT / "conf" / "spark-defaults.local.conf")
    flags = hotspot_flags(defaults["spark.driver.extraJavaOptions"])
    jvm = spark.sparkContext._jvm
    management = jvm.java.lang.management.ManagementFactory
    hotspot = management.getPlatformMXBean(
        jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
    )
    assert "Tier4InvocationThreshold" in flags
    assert flags["UseParallelGC"] == "true"
    assert {name: hotspot.getVMOption(name).getValue() for name in flags} == flags
    running = list(management.getRuntimeMXBean().getInputArguments())
    assert any(arg.startswith("-Dlog4j2.configurationFile=") for arg in running)


def test_cluster_jvms_get_the_jit_settings_of_local_mode_and_keep_their_collector() -> None:
    """The JIT thresholds hold on any JVM; the parallel collector was measured only where one
    JVM runs every task (local mode), so a cluster's executors keep the JVM's default."""
    local = read_spark_defaults(REPO_ROOT / "conf" / "spark-defaults.local.conf")
    cluster = read_spark_defaults(REPO_ROOT / "conf" / "spark-defaults.cluster.conf")
    jit = {
        name: value
        for name, value in hotspot_flags(local["spark.driver.extraJavaOptions"]).items()
        if name.startswith("Tier4")
    }
    assert len(jit) == 4
    for key in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):
        assert hotspot_flags(cluster[key]) == jit


@pytest.mark.spark
@pytest.mark.graphframes
def test_shuffle_partitions_follow_the_input_size_and_the_cores(spark) -> None:
    key = "spark.sql.shuffle.partitions"
    before = spark.conf.get(key)
    cores = spark.sparkContext.defaultParallelism
    try:
        fit_shuffle_partitions(spark, 2_000_000, SparkConfig(rows_per_shuffle_partition=50_000))
        assert spark.conf.get(key) == "40"
        fit_shuffle_partitions(spark, 20_000, SparkConfig(rows_per_shuffle_partition=50_000))
        assert spark.conf.get(key) == str(2 * cores)
        fit_shuffle_partitions(spark, 2_000_000, SparkConfig(rows_per_shuffle_partition=0))
        assert spark.conf.get(key) == str(2 * cores), "0 leaves the setting alone"
    finally:
        spark.conf.set(key, before)


def test_connected_components_through_the_graphframes_jvm_package(spark):
    """Two trees joined by a merge, a separate tree and an isolated node, on long ids."""
    from graphframes import GraphFrame

    require_graphframes(spark)
    big = 2**40  # ids beyond 32 bits: the long-id path, not the string-indexing one
    tree_a = [(big + 1, big + 2), (big + 1, big + 3), (big + 3, big + 4)]
    tree_b = [(big + 10, big + 11), (big + 10, big + 12)]
    merge = [(big + 4, big + 20), (big + 12, big + 20)]
    tree_c = [(big + 40, big + 41)]
    isolated = big + 30
    edges = spark.createDataFrame(tree_a + tree_b + merge + tree_c, "src long, dst long")
    ids = sorted({v for e in tree_a + tree_b + merge + tree_c for v in e} | {isolated})
    vertices = spark.createDataFrame([(i,) for i in ids], "id long")

    components = GraphFrame(vertices, edges).connectedComponents().collect()

    groups: dict[int, set[int]] = {}
    for row in components:
        groups.setdefault(row["component"], set()).add(row["id"] - big)
    assert sorted(map(sorted, groups.values())) == [
        [1, 2, 3, 4, 10, 11, 12, 20],
        [30],
        [40, 41],
    ]


def test_pipeline_without_the_jar_exits_2_with_one_line_saying_how_to_get_it(tmp_path) -> None:
    import subprocess
    import sys

    source = tmp_path / "cards.jsonl"
    source.write_text('{"modelId": "org/m", "card": "hello"}\n')
    result = subprocess.run(
        [
            *(sys.executable, "-m", "jobs.pipeline", "--input", str(source)),
            *("--format", "card-dataset", "--output", str(tmp_path / "out")),
            *("--snapshot", "2026-11-01", "--set", f"spark.jar_cache={tmp_path / 'no-jars'}"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pedigree pipeline: error: GraphFrames")
    assert "make jars" in lines[0]


@pytest.mark.graphframes
def test_jar_cache_manifest_records_where_the_jars_came_from() -> None:
    import json
    import zipfile

    from jobs.config import load_config, resolve_repo_path
    from scripts.build_graphframes import KNOWN_SOURCE_SHA256

    cache = resolve_repo_path(load_config().spark.jar_cache)
    manifest = json.loads((cache / "graphframes.json").read_text())
    assert manifest["origin"] in ("maven", "source")
    if manifest["origin"] == "source":
        assert manifest["source_sha256"] == KNOWN_SOURCE_SHA256[graphframes_package().version]
        assert "maven_error" in manifest and manifest["built_at"]
    names = set()
    for jar in cached_graphframes_jars(cache):
        with zipfile.ZipFile(jar) as archive:
            names |= set(archive.namelist())
    assert "org/graphframes/GraphFrame.class" in names
    assert "org/apache/spark/graphframes/graphx/Graph.class" in names
