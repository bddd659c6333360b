"""Stage 3a: family resemblance and near-duplicate cards, in Spark.

    python -m jobs.similarity --output DIR --snapshot 2026-11-01

Reads as: signatures (MinHash, written by ingest's one pass over the cards) -> pairs of
each type in each graph view, scored by estimated card Jaccard and exact trait
Jaccards -> mean and bootstrap CI per view, pair type and measure. Alongside: LSH band
keys (Spark SQL hashes of signature slices) over one card per distinct signature (copies
linked to their group's smallest id) -> buckets -> in each bucket of at most `max_bucket`
cards a spanning forest of its pairs verified by their estimated Jaccard, in a bigger one
a verified star around its smallest id (`near_duplicate_pairs`) -> their connected
components (GraphFrames) -> `card_clusters`, the near-duplicate and template groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import reduce
from itertools import pairwise

import pandas as pd
import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from jobs.cli import StageArgs, UserError, stage_main
from jobs.config import LineageConfig, SimilarityConfig
from jobs.inference import compact_signatures, estimated_jaccard, read_view_edges
from jobs.lineage import VIEWS, connected_components, edges_by_view, vertex_ids
from jobs.schemas import PAIRS, SUMMARY
from jobs.spark_session import fit_shuffle_partitions, require_graphframes
from jobs.tables import MissingTable, frozen, read_table, snapshot_checkpoints, write_snapshot
from udfs.minhash import (
    bootstrap_ci,
    choose_bands,
    near_duplicate_forest,
    sample_sibling_pairs,
)


def band_buckets(sigs: DataFrame, config: SimilarityConfig) -> DataFrame:
    """`band, key, model_id`: one row per card and LSH band, keyed by a hash of the band."""
    bands, rows = choose_bands(config.num_perm, config.lsh_threshold)
    band = F.explode(F.sequence(F.lit(0), F.lit(bands - 1))).alias("band")
    return sigs.select("model_id", "minhash", band).select(
        "band",
        F.xxhash64("band", F.slice("minhash", F.col("band") * rows + 1, rows)).alias("key"),
        "model_id",
    )


def shared_buckets(buckets: DataFrame) -> DataFrame:
    """`band, key, model_id, size, representative` for the members of buckets of more than
    one card (most cards share none), with the bucket's size and smallest id.

    Counted over a window on the bucket, so the band rows cross one shuffle; an aggregate
    joined back to them shuffled all of them twice."""
    bucket = Window.partitionBy("band", "key")
    return buckets.select(
        "band",
        "key",
        "model_id",
        F.count(F.lit(1)).over(bucket).alias("size"),
        F.min("model_id").over(bucket).alias("representative"),
    ).where(F.col("size") > 1)


def large_bucket_stars(shared: DataFrame, max_bucket: int) -> DataFrame:
    """Distinct `a_id < b_id` candidate pairs linking every member of a bucket of more than
    `max_bucket` cards to its smallest id (one cluster, n - 1 pairs); such a bucket's
    members are never collected into one list."""
    return (
        shared.where(F.col("size") > max_bucket)
        .select(F.col("representative").alias("a_id"), F.col("model_id").alias("b_id"))
        .where(F.col("a_id") < F.col("b_id"))
        .distinct()
    )


NEAR_DUPLICATES = StructType(
    [*PAIRS.fields, StructField("card_jaccard", DoubleType(), nullable=False)]
)


def small_bucket_forests(
    shared: DataFrame, sigs: DataFrame, max_bucket: int, threshold: float
) -> DataFrame:
    """`a_id, b_id, card_jaccard`: in each bucket of at most `max_bucket` cards, a spanning
    forest of the pairs whose estimated Jaccard reaches `threshold` (`near_duplicate_forest`).

    All pairs of a bucket are compared inside one task, but only the forest's links leave
    it: a bucket of 1,000 templated cards gives at most 999 rows, not 500,000."""
    grouped = (
        shared.where(F.col("size") <= max_bucket)
        .join(sigs, on="model_id")
        .groupBy("band", "key")
        .agg(F.collect_list(F.struct("model_id", "minhash")).alias("members"))
        .select("members")
    )
    arrow_schema = to_arrow_schema(NEAR_DUPLICATES)

    def forests(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            buckets = batch.column("members")
            offsets = buckets.offsets.to_numpy()
            model_ids, minhashes = buckets.flatten().flatten()
            ids = model_ids.to_pylist()
            matrix = minhashes.flatten().to_numpy().reshape(len(ids), -1)
            links = [
                link
                for start, end in pairwise(offsets - offsets[0])
                for link in near_duplicate_forest(ids[start:end], matrix[start:end], threshold)
            ]
            yield pa.RecordBatch.from_pylist(
                [dict(zip(arrow_schema.names, link, strict=True)) for link in links],
                schema=arrow_schema,
            )

    return grouped.mapInArrow(forests, NEAR_DUPLICATES)


def card_estimates(
    pairs: DataFrame, sigs: DataFrame, how: str = "inner", carried: Sequence[str] = ()
) -> DataFrame:
    """`a_id, b_id, card_jaccard` (and the `carried` columns) of every pair, estimated from
    the two signatures.

    Both ends join `sigs` unrenamed on `model_id`, so one shuffle of the signatures by id
    serves both joins and any other join of `sigs` on `model_id` in the same query. With
    `how="left"` a pair with an end without a signature keeps a null estimate."""
    with_a = (
        pairs.select(F.col("a_id").alias("model_id"), "b_id", *carried)
        .join(sigs, on="model_id", how=how)
        .select(
            F.col("model_id").alias("a_id"),
            F.col("b_id").alias("model_id"),
            F.col("minhash").alias("a_sig"),
            *carried,
        )
    )
    both = F.col("a_sig").isNotNull() & F.col("minhash").isNotNull()
    return with_a.join(sigs, on="model_id", how=how).select(
        "a_id",
        F.col("model_id").alias("b_id"),
        F.when(both, estimated_jaccard(F.col("a_sig"), F.col("minhash"))).alias("card_jaccard"),
        *carried,
    )


def verified_pairs(pairs: DataFrame, sigs: DataFrame, threshold: float) -> DataFrame:
    """Candidate pairs whose estimated card Jaccard reaches `threshold`, with the estimate
    (`card_estimates`: the forests' join of the signatures by id is shared too)."""
    scored = card_estimates(pairs, sigs)
    return scored.where(F.col("card_jaccard") >= threshold)


PAIR_TYPES = (
    "parent_child",
    "siblings",
    "grandparent_grandchild",
    "same_family_random",
    "random",
)
# Trait measures: set-valued traits and the scalar ones compared as one-element sets.
TRAIT_COLUMNS = {
    "license": "licenses",
    "language": "languages",
    "tags": "tags",
    "datasets": "datasets",
    "library": "library_name",
    "pipeline_tag": "pipeline_tag",
}
SET_COLUMNS = ("licenses", "languages", "tags", "datasets")
MEASURES = ("card", *TRAIT_COLUMNS)


def parent_child_pairs(edges: DataFrame) -> DataFrame:
    """Every edge whose parent is in the snapshot, parent first."""
    return edges.where(F.col("parent_known")).select(
        "view", F.col("parent_id").alias("a_id"), F.col("child_id").alias("b_id")
    )


def grandparent_pairs(edges: DataFrame) -> DataFrame:
    """Two-step paths grandparent -> parent -> grandchild, one row per distinct pair."""
    upper = edges.where(F.col("parent_known")).select(
        "view", F.col("parent_id").alias("a_id"), F.col("child_id").alias("middle")
    )
    lower = edges.where(F.col("parent_known")).select(
        "view", F.col("parent_id").alias("middle"), F.col("child_id").alias("b_id")
    )
    return (
        upper.join(lower, on=["view", "middle"])
        .where(F.col("a_id") != F.col("b_id"))
        .select("view", "a_id", "b_id")
        .distinct()
    )


VIEW_PAIRS = StructType([StructField("view", StringType(), nullable=False), *PAIRS.fields])


def sibling_pairs(edges: DataFrame, cap: int, seed: int) -> DataFrame:
    """Pairs of children of one parent in the snapshot (as `parent_child_pairs`), at most
    `cap` per parent by a seeded sample."""
    families = (
        edges.where(F.col("parent_known"))
        .groupBy("view", "parent_id")
        .agg(F.collect_set("child_id").alias("children"))
    )
    arrow_schema = to_arrow_schema(VIEW_PAIRS)

    def sample(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = [
                {"view": family["view"], "a_id": a, "b_id": b}
                for family in batch.to_pylist()
                for a, b in sample_sibling_pairs(family["children"], cap, seed, family["parent_id"])
            ]
            yield pa.RecordBatch.from_pylist(rows, schema=arrow_schema)

    return families.where(F.size("children") > 1).mapInArrow(sample, VIEW_PAIRS).distinct()


def random_pairs(sigs: DataFrame, n_pairs: int, seed: int, views: Sequence[str]) -> DataFrame:
    """`n_pairs` disjoint random pairs of models with a card: a seeded shuffle, halves zipped.
    The same pairs stand in every view: the baseline does not depend on the graph.

    The 2 * n_pairs models with the smallest seeded hash are a top-k (each partition keeps
    its k smallest, the driver merges them), never one task ordering every model; pairs are
    1-2, 3-4, ... in hash order."""
    order = F.xxhash64(F.lit(seed), "model_id")
    chosen = [
        row["model_id"]
        for row in sigs.select("model_id", order.alias("_order"))
        .orderBy("_order", "model_id")
        .limit(2 * n_pairs)
        .collect()
    ]
    pairs = list(zip(chosen[0::2], chosen[1::2], strict=False))
    return sigs.sparkSession.createDataFrame(pairs, PAIRS).select(
        F.explode(F.array(*[F.lit(view) for view in views])).alias("view"), "a_id", "b_id"
    )


def same_family_pairs(nodes: DataFrame, sigs: DataFrame, cap: int, seed: int) -> DataFrame:
    """Disjoint random pairs of models with a card in one family of a view, at most `cap`
    per family.

    Members are shuffled by a seeded hash within their family and paired 1-2, 3-4, ...:
    the baseline that separates "related by descent" from "in the same family". Only
    models on an edge of the view are ranked: families are the components of the edges,
    so a model on none is a family of one and pairs with no one (at 2M models, about
    three quarters of the node rows, which the window would shuffle and sort).
    """
    on_an_edge = (F.col("n_parents") > 0) | (F.col("n_children") > 0)
    carded = (
        nodes.where(on_an_edge)
        .select("view", "model_id", "family_id")
        .join(sigs.select("model_id"), on="model_id", how="left_semi")
    )
    order = Window.partitionBy("view", "family_id").orderBy(
        F.xxhash64(F.lit(seed), "model_id"), "model_id"
    )
    # Each odd member with the next one: one window (a self-join of its halves computed
    # the window twice).
    ranked = carded.select(
        "view",
        F.col("model_id").alias("a_id"),
        F.lead("model_id").over(order).alias("b_id"),
        F.row_number().over(order).alias("i"),
    )
    return ranked.where(
        (F.col("i") % 2 == 1) & (F.col("i") < 2 * cap) & F.col("b_id").isNotNull()
    ).select("view", "a_id", "b_id")


def _set_jaccard(a: Column, b: Column) -> Column:
    """Exact Jaccard of two sets; null unless both declare the trait (DESIGN: the same
    pairs the mutation rate counts, so parent_child similarity = 1 - mutation rate)."""
    both = (F.size(a) > 0) & (F.size(b) > 0)
    return F.when(both, F.size(F.array_intersect(a, b)) / F.size(F.array_union(a, b)))


def _as_set(column: str) -> Column:
    """A trait column as a set: arrays as they are, a scalar as a one-element set."""
    value = F.col(column)
    as_array = value if column in SET_COLUMNS else F.when(value.isNotNull(), F.array(value))
    return F.coalesce(as_array, F.array().cast("array<string>"))


# Every (view, pair type) a pair can stand for, as one bit of a long.
PAIR_KINDS = tuple((view, kind) for view in VIEWS for kind in PAIR_TYPES)
assert len(PAIR_KINDS) < 64, "a pair's kinds are bits of one long"


def pair_kind_bits(pairs: DataFrame) -> DataFrame:
    """`a_id, b_id, kinds`: each distinct pair once, with every (view, pair type) it stands
    for as a bit of `kinds` (`PAIR_KINDS` order)."""
    bits = F.create_map(
        *[
            part
            for i, (view, kind) in enumerate(PAIR_KINDS)
            for part in (F.lit(f"{view}/{kind}"), F.lit(1 << i))
        ]
    )
    bit = bits[F.concat_ws("/", "view", "pair_type")]
    return pairs.groupBy("a_id", "b_id").agg(F.bit_or(bit).alias("kinds"))


def rows_per_kind(scores: DataFrame) -> DataFrame:
    """One row per (view, pair type) bit of each pair's `kinds`, the pair's scores on each."""
    every = F.array(
        *[
            F.struct(
                F.lit(view).alias("view"),
                F.lit(kind).alias("pair_type"),
                F.lit(1 << i).alias("bit"),
            )
            for i, (view, kind) in enumerate(PAIR_KINDS)
        ]
    )
    held = F.filter(every, lambda k: (F.col("kinds").bitwiseAND(k["bit"])) != 0)
    return scores.select(F.explode(held).alias("k"), "*").select(
        "k.view", "k.pair_type", "a_id", "b_id", *[f"{m}_jaccard" for m in MEASURES]
    )


def score_pairs(pairs: DataFrame, models: DataFrame, sigs: DataFrame) -> DataFrame:
    """Card Jaccard (estimated from signatures) and exact trait Jaccards of every pair.

    Views share most of their pairs (a parent-child edge is in three or four of them), so
    each distinct pair is scored once, carrying the (view, pair type)s it stands for as
    the bits of one long, and expanded to one row per kind at the end: the signatures,
    the widest columns, cross the shuffle a third as often, and no join takes the scores
    back to the pairs. The card estimate is taken as soon as both signatures are joined,
    so they are dropped before the traits' joins shuffle the pairs again."""
    distinct = pair_kind_bits(pairs)
    traits = models.select("model_id", *[_as_set(c).alias(m) for m, c in TRAIT_COLUMNS.items()])
    a = traits.select(
        F.col("model_id").alias("a_id"), *[F.col(m).alias(f"a_{m}") for m in TRAIT_COLUMNS]
    )
    b = traits.select(
        F.col("model_id").alias("b_id"), *[F.col(m).alias(f"b_{m}") for m in TRAIT_COLUMNS]
    )
    cards = card_estimates(distinct, sigs, how="left", carried=["kinds"])
    scores = (
        cards.join(a, on="a_id")
        .join(b, on="b_id")
        .select(
            "a_id",
            "b_id",
            "kinds",
            "card_jaccard",
            *[
                _set_jaccard(F.col(f"a_{m}"), F.col(f"b_{m}")).alias(f"{m}_jaccard")
                for m in TRAIT_COLUMNS
            ],
        )
    )
    return rows_per_kind(scores)


def summarise(scored: DataFrame, n_boot: int, seed: int) -> DataFrame:
    """Mean and bootstrap 95% CI of every measure per view and pair type (nulls left out).

    Each group reaches Python as its distinct values and their counts (a card estimate
    takes at most num_perm + 1 values), not as one row per pair: the bootstrap needs
    nothing more (`udfs.minhash.bootstrap_ci`)."""
    counted = (
        scored.select(
            "view",
            "pair_type",
            F.explode(
                F.array(
                    *[
                        F.struct(F.lit(m).alias("measure"), F.col(f"{m}_jaccard").alias("value"))
                        for m in MEASURES
                    ]
                )
            ).alias("m"),
        )
        .select("view", "pair_type", "m.measure", "m.value")
        .where(F.col("value").isNotNull())
        .groupBy("view", "pair_type", "measure", "value")
        .agg(F.count(F.lit(1)).alias("n"))
    )

    def bootstrap(frame: pd.DataFrame) -> pd.DataFrame:
        counts = frame["n"].to_numpy()
        mean, low, high = bootstrap_ci(frame["value"].to_numpy(), n_boot, seed, counts=counts)
        return pd.DataFrame(
            [
                (
                    frame["view"].iat[0],
                    frame["pair_type"].iat[0],
                    frame["measure"].iat[0],
                    int(counts.sum()),
                    mean,
                    low,
                    high,
                )
            ],
            columns=SUMMARY.fieldNames(),
        )

    return counted.groupBy("view", "pair_type", "measure").applyInPandas(bootstrap, SUMMARY)


def typed_pairs(
    edges: DataFrame,
    nodes: DataFrame,
    sigs: DataFrame,
    config: SimilarityConfig,
    views: Sequence[str],
) -> DataFrame:
    """Every pair type of the given graph views' edges and families, tagged with view and
    type; each type is built for all views at once."""
    edges = edges_by_view(edges, views)
    nodes = nodes.where(F.col("view").isin(list(views)))
    kinds = {
        "parent_child": parent_child_pairs(edges),
        "siblings": sibling_pairs(edges, config.sibling_pairs_per_parent, config.pair_seed),
        "grandparent_grandchild": grandparent_pairs(edges),
        "same_family_random": same_family_pairs(
            nodes, sigs, config.same_family_pairs_per_family, config.pair_seed
        ),
        "random": random_pairs(sigs, config.random_pairs, config.pair_seed, views),
    }
    tagged = [
        frame.select("view", F.lit(kind).alias("pair_type"), "a_id", "b_id")
        for kind, frame in kinds.items()
    ]
    return reduce(DataFrame.unionByName, tagged)


def signature_groups(sigs: DataFrame) -> DataFrame:
    """`model_id, minhash, representative`: every card with the smallest id among the cards
    whose signature equals its own, written once under the checkpoint dir.

    One shuffle of the signatures, partitioned and sorted by a hash of the signature first
    (a long, so the sort rarely compares two arrays); the copies and the distinct cards
    the LSH steps read several times are then plain file scans, where each use of a
    `groupBy("minhash")` and a join back on the array shuffled every signature again.
    """
    same_signature = Window.partitionBy(F.xxhash64("minhash"), "minhash")
    return frozen(
        sigs.select(
            "model_id", "minhash", F.min("model_id").over(same_signature).alias("representative")
        )
    )


def bucket_members(distinct: DataFrame, shared: DataFrame) -> DataFrame:
    """The signatures of the cards in a bucket shared with another card, the only ones the
    stars and forests compare: their ids are broadcast to the scan, so the rest (most
    cards share no bucket) never cross the shuffle that joins signatures to pairs."""
    ids = shared.select("model_id").distinct()
    return distinct.join(F.broadcast(ids), on="model_id", how="left_semi")


def near_duplicate_pairs(sigs: DataFrame, config: SimilarityConfig) -> DataFrame:
    """Card pairs whose estimated Jaccard reaches the threshold, as links that connect the
    same clusters as all such pairs would, in a number bounded by the cards and bands.

    Copied and templated cards often have identical signatures: each group of identical
    signatures is a star around its smallest id (estimate 1.0). LSH then runs over one
    card per distinct signature, so a thousand copies of a card are one bucket member, not
    half a million pairs; a link between two groups stands for every pair between them.
    Each bucket contributes a verified spanning forest (a big one: a verified star), never
    all its pairs, which grow with the square of the templated cards. The members of
    shared buckets, under a million of the 12 million band rows at 2M cards, are written
    once: stars and forests each computed the bucket sizes over every band row.

    The links come back written (`frozen`), so the table is written from a plain Parquet
    read, with one schema. Written from their plan, the schema depended on the plan:
    where adaptive execution dropped an empty star branch, `card_jaccard` came out
    `not null`; from a cached frame it came out nullable.
    """
    grouped = signature_groups(sigs)
    copies = grouped.where(F.col("model_id") != F.col("representative")).select(
        F.col("representative").alias("a_id"),
        F.col("model_id").alias("b_id"),
        F.lit(1.0).alias("card_jaccard"),
    )
    distinct = grouped.where(F.col("model_id") == F.col("representative")).select(
        "model_id", "minhash"
    )
    shared = frozen(shared_buckets(band_buckets(distinct, config)))
    members = bucket_members(distinct, shared)
    stars = verified_pairs(
        large_bucket_stars(shared, config.max_bucket), members, config.lsh_threshold
    )
    forests = small_bucket_forests(shared, members, config.max_bucket, config.lsh_threshold)
    return frozen(stars.unionByName(forests).distinct().unionByName(copies))


def card_clusters(near_pairs: DataFrame, models: DataFrame, config: LineageConfig) -> DataFrame:
    """`model_id, cluster_id, cluster_size, representative_id` for every card in a verified
    near-duplicate pair: connected components (GraphFrames, on long ids) of those pairs.

    A cluster is named by its smallest model id; its representative is its most downloaded
    member (ties to the smaller id), the card a reader would look at first.
    """
    members = (
        near_pairs.select(F.col("a_id").alias("model_id"))
        .union(near_pairs.select(F.col("b_id").alias("model_id")))
        .distinct()
    )
    ids = frozen(vertex_ids(members))
    links = (
        near_pairs.join(
            ids.select(F.col("model_id").alias("a_id"), F.col("id").alias("src")), "a_id"
        )
        .join(ids.select(F.col("model_id").alias("b_id"), F.col("id").alias("dst")), "b_id")
        .select("src", "dst")
    )
    found = connected_components(ids.select("id"), links, config)
    labelled = found.join(ids, on="id", how="inner").join(
        models.select("model_id", "downloads"), on="model_id", how="left"
    )
    most_downloaded_then_smallest = F.struct(
        F.coalesce("downloads", F.lit(-1)).alias("downloads"), (-F.col("id")).alias("earlier")
    )
    per_cluster = labelled.groupBy("component").agg(
        F.min("model_id").alias("cluster_id"),
        F.count(F.lit(1)).alias("cluster_size"),
        F.max_by("model_id", most_downloaded_then_smallest).alias("representative_id"),
    )
    return labelled.join(per_cluster, on="component", how="inner").select(
        "model_id", "cluster_id", "cluster_size", "representative_id"
    )


SKETCH_SETTINGS = ("shingle_size", "num_perm", "seed")


def ingested_signatures(
    spark: SparkSession, output: str, snapshot: str, config: SimilarityConfig
) -> DataFrame:
    """The `signatures` ingest wrote, refused when they were sketched with other settings
    than this run's (ingest records them in `ingest_run`)."""
    try:
        run = read_table(spark, output, "ingest_run", snapshot).first()
        sigs = read_table(spark, output, "signatures", snapshot)
    except MissingTable as missing:
        raise MissingTable(
            f"no complete {missing.table} for snapshot {snapshot} under {output}: ingest "
            "sketches the cards; rerun ingest for this snapshot",
            missing.table,
        ) from None
    assert run is not None, "ingest_run has one row per ingest"
    recorded = run.asDict()
    sketched = {key: recorded.get(key) for key in SKETCH_SETTINGS}
    wanted = {key: getattr(config, key) for key in SKETCH_SETTINGS}
    if sketched != wanted:
        said = ", ".join(f"{k}={sketched[k]}" for k in SKETCH_SETTINGS)
        asked = ", ".join(f"{k}={wanted[k]}" for k in SKETCH_SETTINGS)
        raise UserError(
            f"signatures of snapshot {snapshot} were sketched with {said}, this run asks "
            f"for {asked}; rerun ingest with the same similarity settings"
        )
    return sigs


def run(spark: SparkSession, args: StageArgs) -> dict[str, int]:
    """Write `pairs`, `similarity_summary`, `near_duplicate_pairs` and `card_clusters`."""
    require_graphframes(spark)
    output, snapshot, config = str(args.output), args.snapshot, args.config.similarity
    models = read_table(spark, output, "models", snapshot)
    fit_shuffle_partitions(spark, models.count(), args.config.spark)
    edges = read_view_edges(spark, output, snapshot, args.config)
    nodes = read_table(spark, output, "nodes", snapshot)
    # Not cached: a shuffle of a cached frame is not reused under AQE (SPARK-58767), so
    # the card estimates' two joins of the signatures would shuffle them twice; read from
    # Parquet, one shuffle serves both, and the other reads take only the ids.
    sigs = compact_signatures(ingested_signatures(spark, output, snapshot, config))
    with snapshot_checkpoints(spark, output, snapshot):
        pairs = typed_pairs(edges, nodes, sigs, config, VIEWS)
        scored = score_pairs(pairs, models, sigs).persist(StorageLevel.MEMORY_AND_DISK)
        near = near_duplicate_pairs(sigs, config)
        tables = {
            "pairs": scored,
            "similarity_summary": summarise(scored, config.bootstrap_samples, config.pair_seed),
            "near_duplicate_pairs": near,
            "card_clusters": card_clusters(near, models, args.config.lineage),
        }
        write_snapshot(spark, tables, output, snapshot)
        scored.unpersist()
    return {table: read_table(spark, output, table, snapshot).count() for table in tables}


def main(argv: list[str] | None = None) -> int:
    return stage_main("similarity", argv, run)


if __name__ == "__main__":
    raise SystemExit(main())
