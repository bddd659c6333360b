"""A cluster's own Spark settings do not change pedigree's tables.

Clusters come with their administrators' spark-defaults: adaptive execution off, Kryo,
no automatic broadcasts, ANSI off, Arrow off for pandas conversions, static partition
overwrite, another codec, another session time zone, case-sensitive names, the legacy
time parser, small output files and Arrow batches, Arrow's 64-bit offsets for strings
and binary, Python workers not reused. The whole pipeline run under all of them at once
must write exactly the tables of the plain local run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.support import assert_same_tables, pipeline_local

pytestmark = [pytest.mark.slow, pytest.mark.graphframes]

CLUSTER_DEFAULTS = """\
spark.sql.shuffle.partitions             200
spark.sql.adaptive.enabled               false
spark.serializer                         org.apache.spark.serializer.KryoSerializer
spark.sql.autoBroadcastJoinThreshold     -1
spark.sql.ansi.enabled                   false
spark.sql.execution.arrow.pyspark.enabled false
spark.sql.sources.partitionOverwriteMode static
spark.sql.parquet.compression.codec      snappy
spark.sql.session.timeZone               America/Los_Angeles
spark.sql.caseSensitive                  true
spark.sql.legacy.timeParserPolicy        LEGACY
spark.sql.files.maxRecordsPerFile        200
spark.sql.execution.arrow.maxRecordsPerBatch 1000
spark.sql.execution.pythonUDF.arrow.enabled true
spark.sql.execution.arrow.useLargeVarTypes true
spark.python.worker.reuse                false
spark.driver.memory                      2g
"""


@pytest.mark.parametrize("algorithm", ["graphx", "randomized_contraction"])
def test_a_clusters_own_settings_give_the_same_tables(
    small_sample: Path, local_reference, tmp_path: Path, algorithm: str
) -> None:
    """The local run's components come from GraphX, the default. Randomized contraction
    fails with AQE off unless lineage and similarity turn it on around it."""
    reference, snapshot, _ = local_reference
    defaults = tmp_path / "spark-defaults.conf"
    defaults.write_text(CLUSTER_DEFAULTS)
    output = tmp_path / "cluster-settings"
    result = pipeline_local(
        small_sample,
        output,
        snapshot,
        *("--set", f"spark.defaults_file={defaults}"),
        *("--set", f"lineage.components_algorithm={algorithm}"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    turned_on = "spark.sql.adaptive.enabled=true for GraphFrames' randomized contraction"
    assert (turned_on in result.stderr) == (algorithm == "randomized_contraction")
    assert_same_tables(output, reference, snapshot)
