"""Stage 2 (part): the family-tree edges and the graph views built on them.

    python -m jobs.lineage --output DIR --snapshot 2026-11-01

Reads as: declared parents -> edges (self-loops dropped and kept in their own table,
parents missing from the snapshot kept as placeholders) -> the edges of one graph view.
Components and depth (`nodes`, `families`) need the GraphFrames JVM package; see issue 4.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs import schemas
from jobs.cli import StageArgs, stage_main
from jobs.tables import read_table, write_snapshot

VIEWS = ("all", "no_merges", "finetune_only")


def declared_edges(models: DataFrame) -> DataFrame:
    """One row per (child, declared parent), self-loops included, straight from `models`."""
    return models.select(
        F.col("model_id").alias("child_id"), F.explode("base_models").alias("parent")
    ).select(
        "child_id",
        F.col("parent.parent_id").alias("parent_id"),
        F.col("parent.relation").alias("relation"),
        F.col("parent.source").alias("source"),
        F.col("parent.other_relations").alias("other_relations"),
    )


def build_edges(models: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(edges, self_loops): every child -> parent edge, and the dropped self-references.

    The relation is the one `udfs.parents` chose by its precedence (several parents and
    nothing declared -> merge, one parent and nothing declared -> unknown); the others
    stay in `other_relations`. A parent id absent from the snapshot keeps its edge with
    `parent_known = false`, so orphans stay visible.
    """
    declared = declared_edges(models)
    self_loops = declared.where(F.col("child_id") == F.col("parent_id"))
    known = models.select(F.col("model_id").alias("parent_id"), F.lit(True).alias("parent_known"))
    edges = (
        declared.where(F.col("child_id") != F.col("parent_id"))
        .join(known, on="parent_id", how="left")
        .withColumn("parent_known", F.coalesce("parent_known", F.lit(False)))
    )
    return edges.select(*schemas.EDGES.fieldNames()), self_loops.select("child_id", "relation")


def edges_in_view(edges: DataFrame, view: str) -> DataFrame:
    """The edges of one graph view: `all`, `no_merges` (the paper's families), `finetune_only`."""
    if view == "all":
        return edges
    if view == "no_merges":
        return edges.where(F.col("relation") != "merge")
    if view == "finetune_only":
        return edges.where(F.col("relation") == "finetune")
    raise ValueError(f"unknown graph view '{view}'; choose one of {', '.join(VIEWS)}")


def run(spark: SparkSession, args: StageArgs) -> dict[str, int]:
    """Write `edges` and `self_loops` for one snapshot from its `models`."""
    models = read_table(spark, str(args.output), "models", args.snapshot)
    edges, self_loops = build_edges(models)
    write_snapshot(
        spark, {"edges": edges, "self_loops": self_loops}, str(args.output), args.snapshot
    )
    written = read_table(spark, str(args.output), "edges", args.snapshot)
    return {
        "edges": written.count(),
        "parent_known": written.where(F.col("parent_known")).count(),
        "self_loops": read_table(spark, str(args.output), "self_loops", args.snapshot).count(),
    }


def main(argv: list[str] | None = None) -> int:
    return stage_main("lineage", argv, run)


if __name__ == "__main__":
    raise SystemExit(main())
