"""Stage 3b: documentation gaps and risks, after Jiang et al. (ICSE 2023).

    python -m jobs.audit --output DIR --snapshot 2026-11-01

Reads as: models -> which attributes each model is missing -> shares overall and by
pipeline tag; model-index presence by task; weight-format risk where the file list is
known; orphans (children whose declared parent is not in the snapshot). All of it is
Spark SQL on `models` and `edges`.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.cli import StageArgs, stage_main
from jobs.config import AuditConfig
from jobs.spark_session import fit_shuffle_partitions
from jobs.tables import read_table, write_snapshot

ALL_SCOPE = "all"
UNTAGGED = "(untagged)"
SAFETENSORS = (".safetensors",)
PICKLE_WEIGHTS = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")


ATTRIBUTES = (
    "license",
    "languages",
    "datasets",
    "base_model",
    "pipeline_tag",
    "library",
    "card",
    "model_index",
)


def _none_declared(column: str) -> Column:
    # size(null) is -1, not null, with spark.sql.ansi.enabled false: the array is coalesced
    return F.size(F.coalesce(F.col(column), F.array())) == 0


def missing_flags(models: DataFrame, config: AuditConfig) -> DataFrame:
    """One row per model: its scope (pipeline tag) and one boolean per missing attribute.

    `base_model` is judged only for models whose name looks derived (a fine-tune, adapter,
    quantization, merge...); for the others it is null, not "present".
    """
    derived = F.regexp_extract("model_id", config.derived_name_pattern, 0) != ""
    licenses_unusable = F.forall(
        F.coalesce("licenses", F.array().cast("array<string>")), lambda v: v == "unknown"
    )
    return models.select(
        F.coalesce("pipeline_tag", F.lit(UNTAGGED)).alias("scope"),
        licenses_unusable.alias("license"),
        _none_declared("languages").alias("languages"),
        _none_declared("datasets").alias("datasets"),
        F.when(derived, _none_declared("base_models")).alias("base_model"),
        F.col("pipeline_tag").isNull().alias("pipeline_tag"),
        F.col("library_name").isNull().alias("library"),
        (~F.coalesce("has_card", F.lit(False))).alias("card"),
        (~F.coalesce("has_model_index", F.lit(False))).alias("model_index"),
    )


def missing_attributes(flags: DataFrame) -> DataFrame:
    """`scope, attribute, n_models, n_missing, share`, for all models and per pipeline tag."""
    long = (
        flags.select(
            "scope",
            F.explode(
                F.array(
                    *[
                        F.struct(F.lit(a).alias("attribute"), F.col(a).alias("missing"))
                        for a in ATTRIBUTES
                    ]
                )
            ).alias("m"),
        )
        .select("scope", "m.attribute", "m.missing")
        .where(F.col("missing").isNotNull())
    )
    counts = [
        F.count(F.lit(1)).alias("n_models"),
        F.sum(F.col("missing").cast("long")).alias("n_missing"),
    ]
    per_scope = long.groupBy("scope", "attribute").agg(*counts)
    overall = long.groupBy("attribute").agg(*counts).withColumn("scope", F.lit(ALL_SCOPE))
    return (
        per_scope.unionByName(overall)
        .withColumn("share", F.col("n_missing") / F.col("n_models"))
        .select("scope", "attribute", "n_models", "n_missing", "share")
    )


def model_index_by_task(models: DataFrame) -> DataFrame:
    """Share of models with machine-readable results (`model-index`) per pipeline tag."""
    return (
        models.groupBy(F.coalesce("pipeline_tag", F.lit(UNTAGGED)).alias("pipeline_tag"))
        .agg(
            F.count(F.lit(1)).alias("n_models"),
            F.sum(F.coalesce("has_model_index", F.lit(False)).cast("long")).alias(
                "n_with_model_index"
            ),
        )
        .withColumn("share", F.col("n_with_model_index") / F.col("n_models"))
    )


def _has_file(suffixes: tuple[str, ...]) -> Column:
    pattern = "(" + "|".join(suffix.replace(".", r"\.") for suffix in suffixes) + ")$"
    return F.exists("files", lambda name: F.lower(name).rlike(pattern))


def weight_risk(models: DataFrame) -> DataFrame:
    """Weight formats where the file list is known: safetensors present vs pickle only."""
    known = models.where(F.col("files").isNotNull())
    risk = (
        F.when(_has_file(SAFETENSORS), F.lit("safetensors"))
        .when(_has_file(PICKLE_WEIGHTS), F.lit("pickle_only"))
        .otherwise(F.lit("no_weights_recognised"))
    )
    counts = known.groupBy(risk.alias("weight_format")).agg(F.count(F.lit(1)).alias("n_models"))
    total = counts.agg(F.sum("n_models").alias("_total"))  # one row: no single-task window
    return counts.crossJoin(total).select(
        "weight_format", "n_models", (F.col("n_models") / F.col("_total")).alias("share")
    )


def orphans(edges: DataFrame) -> DataFrame:
    """Children whose declared parent is not in the snapshot."""
    return edges.where(~F.col("parent_known")).select("child_id", "parent_id", "relation")


def run(spark: SparkSession, args: StageArgs) -> dict[str, int]:
    """Write `audit`, `model_index_by_task`, `weight_risk` and `orphans`."""
    output, snapshot = str(args.output), args.snapshot
    models = read_table(spark, output, "models", snapshot)
    fit_shuffle_partitions(spark, models.count(), args.config.spark)
    edges = read_table(spark, output, "edges", snapshot)
    tables = {
        "audit": missing_attributes(missing_flags(models, args.config.audit)),
        "model_index_by_task": model_index_by_task(models),
        "weight_risk": weight_risk(models),
        "orphans": orphans(edges),
    }
    write_snapshot(spark, tables, output, snapshot)
    return {table: read_table(spark, output, table, snapshot).count() for table in tables}


def main(argv: list[str] | None = None) -> int:
    return stage_main("audit", argv, run)


if __name__ == "__main__":
    raise SystemExit(main())
