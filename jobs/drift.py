"""Stage 3b: what mutates along edges, and in which direction traits drift.

    python -m jobs.drift --output DIR --snapshot 2026-11-01

Reads as: models -> both ends' facts of every edge (one join per end) -> trait sets of
both ends (long format) -> each distinct pair of sets with its edge count -> mutation
rates, transitions, the orderings that agree with most net traffic; the same facts give
the drift summary and license conflicts. Set arithmetic runs as Spark SQL array
functions; only the per-trait ordering (a small MILP on collected counts) and the
license-conflict rule run in Python, both from `udfs.drift`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from jobs.cli import StageArgs, stage_main
from jobs.inference import INFERRED, read_view_edges
from jobs.lineage import VIEWS, edges_by_view, edges_in_view
from jobs.schemas import LICENSE_CONFLICTS, ORDERINGS
from jobs.spark_session import fit_shuffle_partitions
from jobs.tables import read_table, write_snapshot
from udfs.drift import best_ordering, license_conflict
from udfs.normalize import LicenseTable, default_license_table, license_category

TRAITS = ("license", "license_category", "language", "pipeline_tag", "library")
# The columns of `models` drift reads (cached: the whole table is many times wider).
MODEL_COLUMNS = (
    *("model_id", "licenses", "languages", "pipeline_tag", "library_name"),
    *("has_card", "card_chars", "card_words", "auto_generated"),
)
ALL_RELATIONS = "all"
EXACT_SUM_TERM = "decimal(28,18)"  # up to 10 digits of edges, 18 of fraction


def _empty_strings() -> Column:
    return F.array().cast("array<string>")


def _as_list(column: str) -> Column:
    """A scalar trait as a set: one value, or empty when the model does not declare it."""
    return F.when(F.col(column).isNull(), _empty_strings()).otherwise(F.array(F.col(column)))


def license_categories(spark: SparkSession, models: DataFrame, table: LicenseTable) -> Column:
    """A map column license -> category for every license in the snapshot.

    The category rule stays in `udfs.normalize.license_category`: it runs on the driver
    over the few hundred distinct licenses, and Spark looks the answers up.
    """
    distinct = [r[0] for r in models.select(F.explode("licenses")).distinct().collect()]
    pairs = [
        F.lit(x) for value in sorted(distinct) for x in (value, license_category(value, table))
    ]
    return F.create_map(*pairs) if pairs else F.create_map().cast("map<string,string>")


def edge_facts(edges: DataFrame, models: DataFrame) -> DataFrame:
    """Each known-parent edge with every column drift reads of both ends, as
    `parent_<column>` and `child_<column>`: one join per end serves the trait sets, the
    drift summary and the license conflicts."""
    facts = [c for c in MODEL_COLUMNS if c != "model_id"]
    ends = {
        side: models.select(
            F.col("model_id").alias(f"{side}_id"), *[F.col(c).alias(f"{side}_{c}") for c in facts]
        )
        for side in ("parent", "child")
    }
    return (
        edges.where(F.col("parent_known"))
        .select(*edge_keys(edges))
        .join(ends["parent"], on="parent_id")
        .join(ends["child"], on="child_id")
    )


def trait_sets(side: str, categories: Column) -> dict[str, Column]:
    """Every trait of one end of an edge (`edge_facts`) as a set, empty when undeclared."""
    licenses = F.coalesce(F.col(f"{side}_licenses"), _empty_strings())
    return {
        "license": licenses,
        "license_category": F.array_distinct(F.transform(licenses, lambda v: categories[v])),
        "language": F.coalesce(F.col(f"{side}_languages"), _empty_strings()),
        "pipeline_tag": _as_list(f"{side}_pipeline_tag"),
        "library": _as_list(f"{side}_library_name"),
    }


def edge_trait_values(facts: DataFrame, categories: Column) -> DataFrame:
    """Long format: both ends' sets of every trait, a row per edge of `edge_facts` and trait."""
    parent, child = trait_sets("parent", categories), trait_sets("child", categories)
    per_trait = [
        F.struct(
            F.lit(t).alias("trait"),
            parent[t].alias("parent_values"),
            child[t].alias("child_values"),
        )
        for t in TRAITS
    ]
    keys = [*edge_keys(facts), *_views(facts)]
    return facts.select(*keys, F.explode(F.array(*per_trait)).alias("t")).select(
        *keys, "t.trait", "t.parent_values", "t.child_values"
    )


def edge_keys(edges: DataFrame) -> list[str]:
    """The columns that say which edge it is and which views hold it."""
    return ["child_id", "parent_id", "relation", *([INFERRED] if INFERRED in edges.columns else [])]


def _views(frame: DataFrame) -> list[str]:
    """`["view"]` for a frame that holds every graph view (`edges_by_view`), else none:
    the measures below then come per view from one pass."""
    return ["view"] if "view" in frame.columns else []


def _with_all_relations(frame: DataFrame, keys: list[str], aggregates: list[Column]) -> DataFrame:
    """Aggregate per relation and over all relations together (relation = 'all'), in one
    pass (grouping sets), so each measure costs one shuffle, not two."""
    grouped = frame.groupingSets([["relation", *keys], keys], "relation", *keys).agg(
        F.grouping("relation").alias("_all"), *aggregates
    )
    relation = F.when(F.col("_all") == 1, F.lit(ALL_RELATIONS)).otherwise(F.col("relation"))
    return grouped.withColumn("relation", relation).drop("_all")


def trait_pair_counts(edge_traits: DataFrame) -> DataFrame:
    """`[view,] relation, trait, parent_values, child_values, n_edges`: how many edges (of
    `edge_trait_values`) carry each pair of parent and child sets.

    Most edges repeat a few pairs of sets (mit -> mit, en -> en), so the measures below
    explode and compare each distinct pair once, weighted by its edges, not once per edge."""
    return edge_traits.groupBy(
        *_views(edge_traits), "relation", "trait", "parent_values", "child_values"
    ).agg(F.count(F.lit(1)).alias("n_edges"))


def mutation_rates(pair_counts: DataFrame) -> DataFrame:
    """Mean Jaccard distance of parent and child sets, over edges where both declare the
    trait (`trait_pair_counts`: each distinct pair of sets weighted by its edges)."""
    both = pair_counts.where(
        (F.size("parent_values") > 0) & (F.size("child_values") > 0)
    ).withColumn(
        "distance",
        1
        - F.size(F.array_intersect("parent_values", "child_values"))
        / F.size(F.array_union("parent_values", "child_values")),
    )
    views = _views(pair_counts)
    # coalesce: a sum is nullable where the count it stands for was not (the table's schema)
    n_edges = F.sum("n_edges")
    # Summed as decimals, which add exactly: a sum of doubles depends on the order the
    # rows come in, so a laptop and a cluster (other partitions) could differ in a last bit.
    weighted = (F.col("distance") * F.col("n_edges")).cast(EXACT_SUM_TERM)
    return _with_all_relations(
        both,
        [*views, "trait"],
        [
            F.coalesce(n_edges, F.lit(0)).alias("n_edges"),
            (F.sum(weighted).cast("double") / n_edges).alias("mutation_rate"),
        ],
    ).select(*views, "relation", "trait", "n_edges", "mutation_rate")


def transitions(pair_counts: DataFrame) -> DataFrame:
    """Counts of `from_value -> to_value` by `udfs.drift.edge_transitions`' rule, from
    `trait_pair_counts` (each distinct pair of sets counted for its edges).

    Per edge: every (parent value, child value) pair of different values, except pairs
    where both values were kept (the parent value still in the child and the child value
    already in the parent): each gained value comes from each parent value, each dropped
    value goes to each child value, a pair counted once per edge.
    """
    pairs = (
        pair_counts.withColumn("from_value", F.explode("parent_values"))
        .withColumn("to_value", F.explode("child_values"))
        .where(F.col("from_value") != F.col("to_value"))
        .where(
            ~(
                F.array_contains("child_values", F.col("from_value"))
                & F.array_contains("parent_values", F.col("to_value"))
            )
        )
    )
    views = _views(pair_counts)
    return _with_all_relations(
        pairs,
        [*views, "trait", "from_value", "to_value"],
        [F.coalesce(F.sum("n_edges"), F.lit(0)).alias("count")],
    ).select(*views, "relation", "trait", "from_value", "to_value", "count")


def orderings(spark: SparkSession, transition_counts: DataFrame, top_n: int) -> DataFrame:
    """Per trait (and view, when the counts have one), the order of its `top_n` busiest
    values that agrees with most net traffic.

    The counts are small (top_n^2 pairs per trait and view), so they are collected (two
    queries for all traits and views) and the exact linear-ordering MILP runs on the driver.
    """
    views = _views(transition_counts)
    group = [*views, "trait"]
    overall = transition_counts.where(F.col("relation") == ALL_RELATIONS)
    # Both ends of every count from one scan: a union of two scans of the cached counts
    # made Spark compute every count twice while it first built the cache.
    traffic = overall.select(
        *group, F.explode(F.array("from_value", "to_value")).alias("value"), "count"
    )
    by_traffic = Window.partitionBy(*group).orderBy(F.desc("traffic"), "value")
    busiest = (
        traffic.groupBy(*group, "value")
        .agg(F.sum("count").alias("traffic"))
        .withColumn("rank", F.row_number().over(by_traffic))
        .where(F.col("rank") <= top_n)
    )
    tops: dict[tuple[str, ...], list[str]] = {}
    for r in busiest.orderBy(*group, "rank").collect():
        tops.setdefault(tuple(r[c] for c in group), []).append(r["value"])
    # The collected tops, not `busiest` again: a join of `overall` with a frame derived
    # from itself gets its attributes renamed and misses the cache, recomputing every count.
    top_ends = spark.createDataFrame(
        [(*key, value) for key, top in tops.items() for value in top],
        StructType([StructField(c, StringType(), nullable=False) for c in [*group, "value"]]),
    )
    among_top = overall.join(
        top_ends.withColumnRenamed("value", "from_value"), on=[*group, "from_value"]
    ).join(top_ends.withColumnRenamed("value", "to_value"), on=[*group, "to_value"])
    counts: dict[tuple[str, ...], dict[tuple[str, str], int]] = {key: {} for key in tops}
    for r in among_top.collect():
        counts[tuple(r[c] for c in group)][r["from_value"], r["to_value"]] = r["count"]
    rows: list[tuple[str | int | float, ...]] = []
    for key, top in tops.items():
        result = best_ordering(counts[key], top)
        rows.extend(
            (*key, rank, value, result.pairs_fit, result.pairs_total, result.traffic_explained)
            for rank, value in enumerate(result.order, start=1)
        )
    view_field = [StructField("view", StringType(), nullable=False)] if views else []
    return spark.createDataFrame(rows, StructType(view_field + ORDERINGS.fields))


def license_conflicts(facts: DataFrame, table: LicenseTable) -> DataFrame:
    """Edges (of `edge_facts`) whose child declares a more permissive license than a
    restricted parent's."""
    pairs = facts.select("child_id", "parent_id", "parent_licenses", "child_licenses").where(
        (F.size("parent_licenses") > 0) & (F.size("child_licenses") > 0)
    )
    arrow_schema = pa.schema(
        [pa.field(f.name, pa.string(), nullable=False) for f in LICENSE_CONFLICTS.fields]
    )

    def find(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            found = []
            for edge in batch.to_pylist():
                reason = license_conflict(edge["parent_licenses"], edge["child_licenses"], table)
                if reason is not None:
                    found.append(
                        {
                            "child_id": edge["child_id"],
                            "parent_id": edge["parent_id"],
                            "parent_license": ",".join(edge["parent_licenses"]),
                            "child_license": ",".join(edge["child_licenses"]),
                            "reason": reason,
                        }
                    )
            yield pa.RecordBatch.from_pylist(found, schema=arrow_schema)

    return pairs.mapInArrow(find, LICENSE_CONFLICTS)


def drift_summary(ends: DataFrame, child_depths: DataFrame | None = None) -> DataFrame:
    """`relation, depth, metric, parent_value, child_value, n`: what children keep of their
    parents, from the ends of one view's edges (`edge_facts`), over all of them
    (`depth = 'all'`) and, given `child_depths` (`child_id, depth`, the child's shortest
    generation in the view), by the child's depth ('1', '2', ...).

    languages: mean number declared, over edges where both ends declare some;
    multilingual_to_english_only: share of children declaring exactly {en} among the
    declaring children of multilingual parents (child_value; parent_value null);
    card_chars / card_words / auto_generated: over edges where both ends have a card;
    has_card: card coverage at both ends of every edge.
    """
    if child_depths is None:
        ends = ends.withColumn("depth", F.lit(None).cast("int"))
        sets = [["relation"], []]
    else:
        ends = ends.join(child_depths, on="child_id", how="left")
        sets = [["relation", "depth"], ["relation"], ["depth"], []]
    n_langs = {s: F.size(F.coalesce(f"{s}_languages", F.array())) for s in ("parent", "child")}
    multilingual = (n_langs["parent"] >= 2) | F.array_contains("parent_languages", "multilingual")
    english_only = (n_langs["child"] == 1) & F.array_contains("child_languages", "en")
    both_cards = F.coalesce("parent_has_card", F.lit(False)) & F.coalesce(
        "child_has_card", F.lit(False)
    )

    metrics: dict[str, tuple[Column, Column | None, Column]] = {
        "languages": (
            (n_langs["parent"] > 0) & (n_langs["child"] > 0),
            n_langs["parent"],
            n_langs["child"],
        ),
        "multilingual_to_english_only": (
            multilingual & (n_langs["child"] > 0),
            None,
            english_only,
        ),
        "card_chars": (both_cards, F.col("parent_card_chars"), F.col("child_card_chars")),
        "card_words": (both_cards, F.col("parent_card_words"), F.col("child_card_words")),
        "auto_generated": (
            both_cards,
            F.col("parent_auto_generated"),
            F.col("child_auto_generated"),
        ),
        "has_card": (F.lit(True), F.col("parent_has_card"), F.col("child_has_card")),
    }
    aggregates = []
    for name, (where, parent, child) in metrics.items():
        parent_mean = (
            F.avg(F.when(where, parent.cast("double")))
            if parent is not None
            else F.lit(None).cast("double")
        )
        aggregates.append(
            F.struct(
                F.lit(name).alias("metric"),
                parent_mean.alias("parent_value"),
                F.avg(F.when(where, child.cast("double"))).alias("child_value"),
                F.count(F.when(where, F.lit(1))).alias("n"),
            ).alias(name)
        )
    # All metrics in one aggregation (grouping sets over relation and depth), then one row
    # per metric; a metric no edge of a group qualifies for gets no row for that group.
    wide = ends.groupingSets(sets, "relation", "depth").agg(
        F.grouping("relation").alias("_all_relations"),
        F.grouping("depth").alias("_all_depths"),
        *aggregates,
    )
    relation = F.when(F.col("_all_relations") == 1, F.lit(ALL_RELATIONS)).otherwise(
        F.col("relation")
    )
    depth = F.when(F.col("_all_depths") == 1, F.lit("all")).otherwise(F.col("depth").cast("string"))
    return (
        wide.select(
            relation.alias("relation"),
            depth.alias("depth"),
            F.explode(F.array(*[F.col(m) for m in metrics])).alias("m"),
        )
        .select("relation", "depth", "m.metric", "m.parent_value", "m.child_value", "m.n")
        .where((F.col("n") > 0) & F.col("depth").isNotNull())
    )


def _union_views(frames: dict[str, DataFrame]) -> DataFrame:
    """One frame with a leading `view` column from one frame per graph view."""
    tagged = [
        frame.select(F.lit(view).alias("view"), *frame.columns) for view, frame in frames.items()
    ]
    result = tagged[0]
    for frame in tagged[1:]:
        result = result.unionByName(frame)
    return result


def drift_tables(
    spark: SparkSession,
    models: DataFrame,
    edges: DataFrame,
    top_n: int,
    nodes: DataFrame | None = None,
) -> dict[str, DataFrame]:
    """Every drift table of one snapshot, each measured in every graph view; with `nodes`
    (lineage's table) drift_summary also comes by the child's depth."""
    table = default_license_table()
    # Views are relation filters: both ends of every edge are joined once, and every view's
    # edges are measured in one pass over them with a `view` column (`edges_by_view`).
    every_edge_facts = edge_facts(edges, models).cache()
    categories = license_categories(spark, models, table)
    pair_counts = trait_pair_counts(
        edge_trait_values(edges_by_view(every_edge_facts), categories)
    ).cache()
    counts = transitions(pair_counts).cache()
    summaries: dict[str, DataFrame] = {}
    for view in VIEWS:
        # Only models with a parent in the view can be an edge's child: the rest (most of
        # the snapshot) would cross the join's shuffle for nothing.
        child_depths = (
            None
            if nodes is None
            else nodes.where((F.col("view") == view) & (F.col("n_parents") > 0)).select(
                F.col("model_id").alias("child_id"), F.col("depth_min").alias("depth")
            )
        )
        summaries[view] = drift_summary(edges_in_view(every_edge_facts, view), child_depths)
    return {
        "mutation": mutation_rates(pair_counts),
        "transitions": counts,
        "orderings": orderings(spark, counts, top_n),
        "drift_summary": _union_views(summaries),
        "license_conflicts": license_conflicts(edges_in_view(every_edge_facts, "all"), table),
    }


def run(spark: SparkSession, args: StageArgs) -> dict[str, int]:
    """Write `mutation`, `transitions`, `orderings`, `drift_summary`, `license_conflicts`."""
    output, snapshot = str(args.output), args.snapshot
    models = read_table(spark, output, "models", snapshot).select(*MODEL_COLUMNS).cache()
    fit_shuffle_partitions(spark, models.count(), args.config.spark)
    edges = read_view_edges(spark, output, snapshot, args.config).cache()
    nodes = read_table(spark, output, "nodes", snapshot)
    tables = drift_tables(spark, models, edges, args.config.drift.top_n, nodes)
    write_snapshot(spark, tables, output, snapshot)
    spark.catalog.clearCache()
    return {table: read_table(spark, output, table, snapshot).count() for table in tables}


def main(argv: list[str] | None = None) -> int:
    return stage_main("drift", argv, run)


if __name__ == "__main__":
    raise SystemExit(main())
