"""`frozen`: a plan cut by a Parquet write and read back, with no job beyond the write."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.tables import frozen


def jobs_run(spark: SparkSession, action: Any) -> int:
    """How many Spark jobs `action()` ran (its own job group; the session's own group and
    description are put back after it)."""
    group = f"jobs-{uuid.uuid4().hex}"
    context = spark.sparkContext
    names = ("spark.jobGroup.id", "spark.job.description")
    before = {name: context.getLocalProperty(name) for name in names}
    context.setJobGroup(group, "counted")
    try:
        action()
    finally:
        for name, value in before.items():
            context.setLocalProperty(name, value)
    return len(context.statusTracker().getJobIdsForGroup(group))


def sample(spark: SparkSession) -> DataFrame:
    return spark.range(200).select(
        F.concat(F.lit("org/model-"), F.col("id").cast("string")).alias("model_id"),
        F.array(F.col("id"), F.col("id") + 1).alias("minhash"),
        F.to_timestamp(F.lit("2026-01-01 00:00:00")).alias("created_at"),
    )


def test_frozen_reads_back_without_inferring_the_schema(
    spark: SparkSession, tmp_path: Path
) -> None:
    frame = sample(spark)
    plain_write = jobs_run(spark, lambda: frame.write.parquet(str(tmp_path / "plain")))
    found: list[DataFrame] = []
    assert jobs_run(spark, lambda: found.append(frozen(frame))) == plain_write
    assert found[0].schema == spark.read.parquet(str(tmp_path / "plain")).schema
    assert sorted(found[0].collect()) == sorted(frame.collect())


def test_frozen_keeps_the_columns_of_an_empty_frame(spark: SparkSession) -> None:
    empty = frozen(sample(spark).where(F.lit(False)))
    assert empty.columns == ["model_id", "minhash", "created_at"]
    assert empty.count() == 0
