"""What changed between two snapshots: models, edges, licenses, and how parents grew.

    python -m jobs.diff --output DIR --snapshot 2026-11-08 --against 2026-11-01

Reads `models` and `edges` of both snapshots and writes, under the newer snapshot's
partition, one table per kind of change; each row carries the `against` snapshot it
was compared with. The one-line log says how many of each.

- diff_models: model_id, change (`added` | `removed`)
- diff_edges: child_id, parent_id, relation, old_relation, change (`added` | `removed` |
  `relation_changed`)
- diff_licenses: model_id, old_licenses, new_licenses (models in both, licenses differ)
- diff_children: parent_id, old_children, new_children, growth (parents whose number
  of direct children changed; family components need `families`, issue 4)
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.cli import StageArgs, stage_main
from jobs.tables import read_table, write_snapshot

EDGE_KEY = ["child_id", "parent_id"]


def changed_rows(old: DataFrame, new: DataFrame, key: list[str]) -> DataFrame:
    """Keys only in `new` (added) or only in `old` (removed)."""
    old_keys, new_keys = old.select(*key).distinct(), new.select(*key).distinct()
    return (
        new_keys.join(old_keys, on=key, how="left_anti")
        .withColumn("change", F.lit("added"))
        .unionByName(
            old_keys.join(new_keys, on=key, how="left_anti").withColumn("change", F.lit("removed"))
        )
    )


def edge_changes(old: DataFrame, new: DataFrame) -> DataFrame:
    """`child_id, parent_id, relation, old_relation, change`: edges only in `new` (added),
    only in `old` (removed, with the relation they had), and edges in both whose relation
    changed (`relation_changed`, the only rows with an `old_relation`: e.g. unknown -> merge
    when the child declares a second parent), which are neither removed nor added. A
    snapshot has one edge per pair (`udfs.parents` merges a child's parents by
    `reference_key`)."""
    joined = new.select(*EDGE_KEY, "relation").join(
        old.select(*EDGE_KEY, F.col("relation").alias("old_relation")), on=EDGE_KEY, how="full"
    )
    change = (
        F.when(F.col("old_relation").isNull(), "added")
        .when(F.col("relation").isNull(), "removed")
        .when(F.col("relation") != F.col("old_relation"), "relation_changed")
    )
    changed = joined.withColumn("change", change).where(F.col("change").isNotNull())
    return changed.select(
        *EDGE_KEY,
        F.coalesce("relation", "old_relation").alias("relation"),
        F.when(F.col("change") == "relation_changed", F.col("old_relation")).alias("old_relation"),
        "change",
    )


def license_changes(old: DataFrame, new: DataFrame) -> DataFrame:
    """Models present in both snapshots whose set of declared licenses differs."""

    def licenses(frame: DataFrame, name: str) -> DataFrame:
        declared = F.coalesce("licenses", F.array().cast("array<string>"))
        return frame.select("model_id", F.array_sort(declared).alias(name))

    return (
        licenses(old, "old_licenses")
        .join(licenses(new, "new_licenses"), on="model_id")
        .where(F.col("old_licenses") != F.col("new_licenses"))
    )


def children_growth(old: DataFrame, new: DataFrame) -> DataFrame:
    """Parents whose number of direct children changed (a parent new or gone counts 0)."""

    def children(edges: DataFrame, name: str) -> DataFrame:
        return edges.groupBy("parent_id").agg(F.countDistinct("child_id").alias(name))

    return (
        children(old, "old_children")
        .join(children(new, "new_children"), on="parent_id", how="full")
        .fillna(0, subset=["old_children", "new_children"])
        .withColumn("growth", F.col("new_children") - F.col("old_children"))
        .where(F.col("growth") != 0)
    )


def diff_tables(
    old_models: DataFrame, new_models: DataFrame, old_edges: DataFrame, new_edges: DataFrame
) -> dict[str, DataFrame]:
    return {
        "diff_models": changed_rows(old_models, new_models, ["model_id"]),
        "diff_edges": edge_changes(old_edges, new_edges),
        "diff_licenses": license_changes(old_models, new_models),
        "diff_children": children_growth(old_edges, new_edges),
    }


def run(spark: SparkSession, args: StageArgs) -> dict[str, int]:
    """Write the diff tables of `args.snapshot` against the older snapshot `args.against`."""
    assert args.against is not None, "parse_stage_args(compares=True) requires --against"
    output, against = str(args.output), args.against
    frames = {
        (table, snapshot): read_table(spark, output, table, snapshot)
        for table in ("models", "edges")
        for snapshot in (against, args.snapshot)
    }
    tables = diff_tables(
        frames["models", against],
        frames["models", args.snapshot],
        frames["edges", against],
        frames["edges", args.snapshot],
    )
    tagged = {name: frame.withColumn("against", F.lit(against)) for name, frame in tables.items()}
    write_snapshot(spark, tagged, output, args.snapshot)
    written = {name: read_table(spark, output, name, args.snapshot) for name in tagged}
    counts = {}
    for name, changes in (
        ("diff_models", ("added", "removed")),
        ("diff_edges", ("added", "removed", "relation_changed")),
    ):
        for change in changes:
            counts[f"{name.removeprefix('diff_')}_{change}"] = (
                written[name].where(F.col("change") == change).count()
            )
    counts["license_changes"] = written["diff_licenses"].count()
    counts["parents_with_new_children"] = written["diff_children"].where("growth > 0").count()
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    return stage_main("diff", argv, run, compares=True)


if __name__ == "__main__":
    raise SystemExit(main())
