"""A cluster's own Spark settings do not change pedigree's tables.

Clusters come with their administrators' spark-defaults: adaptive execution off, Kryo,
no automatic broadcasts, ANSI off, Arrow off for pandas conversions, static partition
overwrite, another codec, another session time zone, case-sensitive names, the legacy
time parser. The whole pipeline run under all of them at once must write exactly the
tables of the plain local run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.config import REPO_ROOT
from tests.e2e.support import (
    canonical,
    pipeline_command,
    report_summary,
    table_rows,
    written_tables,
)

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
spark.driver.memory                      2g
"""


def test_a_clusters_own_settings_give_the_same_tables(
    small_sample: Path, local_reference, tmp_path: Path
) -> None:
    reference, snapshot, _ = local_reference
    defaults = tmp_path / "spark-defaults.conf"
    defaults.write_text(CLUSTER_DEFAULTS)
    output = tmp_path / "cluster-settings"
    command = [
        *pipeline_command(small_sample, output, snapshot),
        *("--set", f"spark.defaults_file={defaults}"),
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # GraphFrames' randomized contraction fails with AQE off: lineage turns it on around it.
    assert "spark.sql.adaptive.enabled=true for GraphFrames' randomized contraction" in (
        result.stderr
    )
    tables = written_tables(reference, snapshot)
    assert written_tables(output, snapshot) == tables
    for table in tables:
        assert table_rows(output, table, snapshot) == table_rows(reference, table, snapshot), table
    assert canonical(report_summary(output, snapshot)) == canonical(
        report_summary(reference, snapshot)
    )
