"""Parents models do not declare: `inferred_edges` and how well inference recovers the
parents models do declare (`inference_eval`). Run by the lineage stage, whose
`all_plus_inferred` view adds the confident inferred edges to the declared ones.

Reads top to bottom: candidates from what cards say (the `parent_mentions` ingest found in
each card's body) and from model names -> resolved against the snapshot's ids -> near-
duplicate cards of older, far more downloaded candidates as added evidence -> one edge per
(child, parent) with its evidence, relation and confidence. Nothing here reads the
declarations (`base_models`), except `child_declares` and the evaluation, which compares
the inferred parents of declaring models with what they declare.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from jobs import schemas
from jobs.config import Config, InferenceConfig
from jobs.tables import frozen, read_table
from udfs.inferred import (
    CONFIG,
    EVIDENCE_ORDER,
    NAME,
    NAME_DERIVATION_HINT,
    NEAR_DUPLICATE,
    PROSE,
    RELATION_ORDER,
    SAME_NAME,
    UNKNOWN,
    derived_name,
)

INFERRED = "inferred"  # view-edge column: true for an edge inference added
INFERRED_SOURCE = "inferred"
EVALUATION_THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(1, 20))

_DERIVED_NAME = StructType(
    [
        StructField("base_name", StringType(), nullable=False),
        StructField("relation", StringType(), nullable=False),
    ]
)


def _name_key(model_id: Column) -> Column:
    """A model's name without its namespace, lowercased: what names are matched on."""
    return F.lower(F.element_at(F.split(model_id, "/"), -1))


def _namespace(model_id: Column) -> Column:
    """The namespace of an id, null for an id without one (`gpt2`)."""
    return F.when(model_id.contains("/"), F.split(model_id, "/")[0])


def mention_candidates(models: DataFrame) -> DataFrame:
    """`child_id, parent_ref, relation, evidence`: every parent a card names."""
    return models.select(
        F.col("model_id").alias("child_id"), F.explode("parent_mentions").alias("m")
    ).select(
        "child_id",
        F.col("m.parent_id").alias("parent_ref"),
        F.col("m.relation").alias("relation"),
        F.col("m.evidence").alias("evidence"),
    )


def name_candidates(models: DataFrame) -> DataFrame:
    """`child_id, base_name, relation, evidence`: the name a model's own name derives from
    (`name`), and its bare name as a re-upload of a model under another namespace
    (`same_name`). The Python `derived_name` sees only the names `NAME_DERIVATION_HINT`
    lets through (and any with a non-ASCII character): a row-at-a-time UDF over every id
    was most of this step's time at 2M models.

    The UDF is marked nondeterministic only so that it runs once per name: Spark 4.1
    pushes the filter on its result below the projection and so evaluates a deterministic
    Python UDF twice, once for the filter and once for the columns (SPARK-47672)."""
    names = models.select(
        F.col("model_id").alias("child_id"), _name_key(F.col("model_id")).alias("name")
    )
    hinted = F.col("name").rlike(NAME_DERIVATION_HINT) | F.col("name").rlike("[^\\x00-\\x7f]")
    derive = F.udf(derived_name, _DERIVED_NAME, useArrow=True).asNondeterministic()
    derived = (
        names.where(hinted)
        .select("child_id", derive("child_id").alias("derived"))
        .where(F.col("derived").isNotNull())
        .select(
            "child_id",
            F.col("derived.base_name").alias("base_name"),
            F.col("derived.relation").alias("relation"),
            F.lit(NAME).alias("evidence"),
        )
    )
    same = names.select(
        "child_id",
        F.col("name").alias("base_name"),
        F.lit(UNKNOWN).alias("relation"),
        F.lit(SAME_NAME).alias("evidence"),
    )
    return derived.unionByName(same)


def model_by_name(models: DataFrame, min_downloads: int) -> DataFrame:
    """`name_key, parent_id`: for each model name, the model a bare name most likely means:
    most downloads, then oldest, then smallest id (one row per name, so a common name such
    as `test` never multiplies candidates). Only a model with at least `min_downloads`
    stands for its name: a bare name means the well-known model, and a stray copy under a
    user's namespace (`someone/bert-base-uncased`, 8 downloads) must not take its place
    when the snapshot lacks the original."""
    order = Window.partitionBy("name_key").orderBy(
        F.desc_nulls_last("downloads"), F.asc_nulls_last("created_at"), "model_id"
    )
    return (
        models.where(F.col("downloads") >= min_downloads)
        .select(
            "model_id", _name_key(F.col("model_id")).alias("name_key"), "downloads", "created_at"
        )
        .withColumn("_rank", F.row_number().over(order))
        .where(F.col("_rank") == 1)
        .select("name_key", F.col("model_id").alias("parent_id"))
    )


def id_key(model_id: Column) -> Column:
    """`udfs.parents.reference_key` in Spark: an id as references to it are matched, in any
    letter case (the Hub has one repository per id whatever its case) and without a `.git`
    ending, so a git remote (`https://huggingface.co/org/model.git`) names `org/model`; a
    model whose name ends in `.git` (the Hub still lists some) is still found."""
    return F.regexp_replace(F.lower(model_id), r"\.git$", "")


def resolve_mentions(mentions: DataFrame, models: DataFrame, by_name: DataFrame) -> DataFrame:
    """Mentions as snapshot ids: the id itself in any letter case (Hub ids are unique up to
    case) with or without `.git`, else for a bare name the model that name means; an
    unknown id stays as written."""
    ids = models.select(id_key(F.col("model_id")).alias("id_key"), F.col("model_id").alias("by_id"))
    named = by_name.select(F.col("name_key").alias("ref_key"), F.col("parent_id").alias("by_name"))
    resolved = mentions.withColumn("ref_key", F.lower("parent_ref")).join(
        ids, id_key(F.col("parent_ref")) == ids["id_key"], how="left"
    )
    bare = ~F.col("parent_ref").contains("/")
    resolved = resolved.drop("id_key").join(named, on="ref_key", how="left")
    return resolved.select(
        "child_id",
        F.coalesce("by_id", F.when(bare, F.col("by_name")), "parent_ref").alias("parent_id"),
        "relation",
        "evidence",
    )


def resolve_names(names: DataFrame, by_name: DataFrame) -> DataFrame:
    """Name candidates that exist in the snapshot; a same-name candidate only under another
    namespace (under its own namespace it is the model itself)."""
    resolved = names.join(by_name, names["base_name"] == by_name["name_key"], "inner")
    other_namespace = ~F.coalesce(
        _namespace(F.col("parent_id")) == _namespace(F.col("child_id")), F.lit(False)
    )
    keep = (F.col("evidence") != SAME_NAME) | other_namespace
    return resolved.where(keep).select("child_id", "parent_id", "relation", "evidence")


def model_facts(models: DataFrame) -> DataFrame:
    """`model_id, created_at, downloads, declares`: all inference asks of a model, joined
    once on each side of the candidates."""
    return models.select(
        "model_id",
        "created_at",
        F.coalesce("downloads", F.lit(0)).alias("downloads"),
        (F.coalesce(F.size("base_models"), F.lit(0)) > 0).alias("declares"),
    )


def plausible(candidates: DataFrame, facts: DataFrame) -> DataFrame:
    """Candidates without self-references and parents younger than their child (when both
    dates are known), with what the later steps need of both ends: `parent_known`, both
    download counts, `child_declares`."""
    parent = facts.select(
        F.col("model_id").alias("parent_id"),
        F.col("created_at").alias("parent_created"),
        F.col("downloads").alias("parent_downloads"),
        F.lit(True).alias("parent_known"),
    )
    child = facts.select(
        F.col("model_id").alias("child_id"),
        F.col("created_at").alias("born"),
        F.col("downloads").alias("child_downloads"),
        F.col("declares").alias("child_declares"),
    )
    joined = candidates.join(parent, on="parent_id", how="left").join(child, on="child_id")
    younger = F.col("parent_created") >= F.col("born")
    return joined.where(
        (F.lower("parent_id") != F.lower("child_id")) & ~F.coalesce(younger, F.lit(False))
    ).select(
        "child_id",
        "parent_id",
        "relation",
        "evidence",
        F.coalesce("parent_known", F.lit(False)).alias("parent_known"),
        "parent_downloads",
        "child_downloads",
        "child_declares",
    )


SIGNATURE_OFFSET = 2**31


def compact_signatures(signatures: DataFrame) -> DataFrame:
    """Signatures with every value as a 32-bit int, shifted by -2**31. MinHash values lie in
    [0, 2**32) and the stages only compare them for equality (equal positions, hashes of
    LSH bands), which the shift keeps; a signature then crosses a shuffle in about half
    the bytes of the table's longs."""
    return signatures.withColumn(
        "minhash", F.transform("minhash", lambda value: (value - SIGNATURE_OFFSET).cast("int"))
    )


def estimated_jaccard(left: Column, right: Column) -> Column:
    """The share of equal MinHash positions of two signatures, in Spark SQL."""
    same = F.filter(F.zip_with(left, right, lambda a, b: a == b), lambda equal: equal)
    return F.size(same) / F.size(left)


def near_duplicate_evidence(
    candidates: DataFrame, signatures: DataFrame, config: InferenceConfig
) -> DataFrame:
    """A near-duplicate evidence row for each known candidate whose card is near-identical
    to its child's and which has at least `near_duplicate_download_ratio` times the
    downloads: the pattern of a re-upload or a lightly edited copy of a popular model.
    Downloads are compared first, so only the signatures of those few pairs are joined."""
    popular = (
        F.col("parent_known")
        & (F.col("parent_downloads") > 0)
        & (
            F.col("parent_downloads")
            >= F.col("child_downloads") * config.near_duplicate_download_ratio
        )
    )
    pairs = candidates.where(popular).select("child_id", "parent_id", "child_declares").distinct()
    ends = pairs.select(F.col("child_id").alias("model_id")).union(
        pairs.select(F.col("parent_id").alias("model_id"))
    )
    sig = compact_signatures(signatures.select("model_id", "minhash")).join(
        ends.distinct(), "model_id", "left_semi"
    )
    joined = pairs.join(
        sig.withColumnsRenamed({"model_id": "child_id", "minhash": "c"}), "child_id"
    ).join(sig.withColumnsRenamed({"model_id": "parent_id", "minhash": "p"}), "parent_id")
    close = estimated_jaccard(F.col("c"), F.col("p")) >= config.near_duplicate_jaccard
    return joined.where(close).select(
        "child_id",
        "parent_id",
        F.lit(UNKNOWN).alias("relation"),
        F.lit(NEAR_DUPLICATE).alias("evidence"),
        F.lit(True).alias("parent_known"),
        "child_declares",
    )


def confidence(kinds: Column, weights: Mapping[str, float]) -> Column:
    """`udfs.inferred.combine_confidence` in Spark SQL, over an array of distinct evidence
    kinds: the same factors in the same (sorted) order, so the same double."""
    weight_of = F.create_map(
        *[F.lit(value) for kind, weight in weights.items() for value in (kind, float(weight))]
    )
    doubt = F.aggregate(
        F.array_sort(kinds),
        F.lit(1.0),
        lambda acc, kind: acc * (F.lit(1.0) - F.coalesce(weight_of[kind], F.lit(0.0))),
    )
    alone = F.size(F.array_except(kinds, F.array(F.lit(NEAR_DUPLICATE)))) == 0
    return F.when(alone, F.lit(0.0)).otherwise(F.lit(1.0) - doubt)


def strongest_relation(rows: Column) -> Column:
    """`udfs.inferred.pick_relation` in Spark SQL, over an array of (relation, evidence)."""
    relations = F.array(*[F.lit(r) for r in RELATION_ORDER])
    evidence = F.array(*[F.lit(e) for e in EVIDENCE_ORDER])
    ranked = F.transform(
        F.filter(rows, lambda row: F.array_contains(relations, row["relation"])),
        lambda row: F.struct(
            F.array_position(evidence, row["evidence"]).alias("evidence_rank"),
            F.array_position(relations, row["relation"]).alias("relation_rank"),
            row["relation"].alias("relation"),
        ),
    )
    return F.coalesce(F.array_min(ranked)["relation"], F.lit(UNKNOWN))


def score_edges(evidence: DataFrame, config: InferenceConfig) -> DataFrame:
    """One row per (child, parent): its distinct evidence, the relation the strongest
    evidence says and the combined confidence; pairs with no confidence are dropped.
    Spark SQL, not a Python UDF: at 2M models the UDF's Arrow round trip of every
    candidate was a quarter of inference."""
    grouped = evidence.groupBy("child_id", "parent_id").agg(
        F.collect_list(F.struct("relation", "evidence")).alias("rows"),
        F.max("parent_known").alias("parent_known"),
        F.max("child_declares").alias("child_declares"),
    )
    kinds = F.array_sort(F.array_distinct(F.transform("rows", lambda r: r["evidence"])))
    scored = grouped.select(
        "child_id",
        "parent_id",
        strongest_relation(F.col("rows")).alias("relation"),
        kinds.alias("evidence"),
        confidence(kinds, config.weights()).alias("confidence"),
        "child_declares",
        "parent_known",
    )
    return scored.where(F.col("confidence") > 0)


def prefer_what_the_card_says(scored: DataFrame) -> DataFrame:
    """A child whose card names a parent (prose or config) keeps only parents its card
    names: a name or a link then only adds to them. (`bjorz/layoutxlm-finetuned-funsd-test`
    says it is a fine-tune of microsoft/layoutxlm-base; its name also matches
    `beomus/layoutxlm`, which is not its parent.)"""
    said = F.arrays_overlap("evidence", F.array(F.lit(PROSE), F.lit(CONFIG)))
    card_names_one = F.max(F.col("_said").cast("int")).over(Window.partitionBy("child_id")) == 1
    return (
        scored.withColumn("_said", said)
        .withColumn("_card_names_one", card_names_one)
        .where(~F.col("_card_names_one") | F.col("_said"))
        .drop("_said", "_card_names_one")
    )


def inferred_edges(models: DataFrame, signatures: DataFrame, config: InferenceConfig) -> DataFrame:
    """The `inferred_edges` table: every candidate parent with some confidence."""
    by_name = model_by_name(models, config.min_name_downloads)
    # Written once: the evidence reads the candidates twice, and each read would run the
    # name UDF over every model id and resolve every candidate again.
    candidates = frozen(
        plausible(
            resolve_mentions(mention_candidates(models), models, by_name).unionByName(
                resolve_names(name_candidates(models), by_name)
            ),
            model_facts(models),
        )
    )
    evidence = candidates.select(
        "child_id", "parent_id", "relation", "evidence", "parent_known", "child_declares"
    ).unionByName(near_duplicate_evidence(candidates, signatures, config))
    scored = prefer_what_the_card_says(score_edges(evidence, config))
    return scored.select(*schemas.INFERRED_EDGES.fieldNames())


def view_edges(edges: DataFrame, inferred: DataFrame, threshold: float) -> DataFrame:
    """Declared edges (`inferred` false) and, for models that declare no parent, the
    inferred ones at or above the threshold (`inferred` true): what the graph views read."""
    added = inferred.where((F.col("confidence") >= threshold) & ~F.col("child_declares")).select(
        "child_id",
        "parent_id",
        "relation",
        "parent_known",
        F.lit(INFERRED_SOURCE).alias("source"),
        F.array().cast("array<string>").alias("other_relations"),
        F.lit(True).alias(INFERRED),
    )
    declared = edges.select(*schemas.EDGES.fieldNames(), F.lit(False).alias(INFERRED))
    return declared.unionByName(added)


def read_view_edges(spark: SparkSession, output: str, snapshot: str, config: Config) -> DataFrame:
    """`view_edges` of a snapshot from the `edges` and `inferred_edges` tables."""
    return view_edges(
        read_table(spark, output, "edges", snapshot),
        read_table(spark, output, "inferred_edges", snapshot),
        config.inference.threshold,
    )


def evaluation(inferred: DataFrame, edges: DataFrame, threshold: float) -> DataFrame:
    """The `inference_eval` table: inference scored against declarations. Inference never
    reads them, so the declaring models are a test set with their answers hidden: each
    inferred parent of a declaring model is right when the model declares it (ids compared
    by `id_key`). `overall` at every threshold of EVALUATION_THRESHOLDS (the
    precision-recall curve); per `evidence` kind and per `relation` at the chosen one."""
    truth = edges.select(
        "child_id",
        id_key(F.col("parent_id")).alias("parent_key"),
        F.col("relation").alias("declared"),
    ).dropDuplicates(["child_id", "parent_key"])
    guesses = inferred.where("child_declares").select(
        "child_id",
        id_key(F.col("parent_id")).alias("parent_key"),
        "relation",
        "evidence",
        "confidence",
    )
    # Written once: the curve, the totals and both breakdowns each read it, and each read
    # joined every guess with every declaration again.
    pairs = frozen(
        guesses.join(truth, on=["child_id", "parent_key"], how="full_outer").withColumn(
            "right", F.col("declared").isNotNull()
        )
    )
    spark = inferred.sparkSession
    grid = spark.createDataFrame([(t,) for t in EVALUATION_THRESHOLDS], "threshold double")
    guessed = F.col("confidence") >= F.col("threshold")
    overall = (
        pairs.crossJoin(F.broadcast(grid))
        .groupBy("threshold")
        .agg(
            F.count_if(guessed).alias("n_predicted"),
            F.count_if(guessed & F.col("right")).alias("n_correct"),
            F.count_if("right").alias("n_truth"),
        )
        .select(F.lit("overall").alias("group"), F.lit("all").alias("key"), "*")
        .withColumn("n_found", F.col("n_correct"))
    )
    at = pairs.withColumn("threshold", F.lit(threshold))
    total = pairs.agg(F.count_if("right").alias("n_truth"))
    by_evidence = (
        at.where(guessed)
        .select("right", F.explode("evidence").alias("key"))
        .groupBy("key")
        .agg(F.count("*").alias("n_predicted"), F.count_if("right").alias("n_correct"))
        .crossJoin(F.broadcast(total))
        .withColumns({"group": F.lit("evidence"), "n_found": F.col("n_correct")})
    )
    predicted = (
        at.where(guessed)
        .groupBy(F.col("relation").alias("key"))
        .agg(F.count("*").alias("n_predicted"), F.count_if("right").alias("n_correct"))
    )
    declared = (
        at.where("right")
        .groupBy(F.col("declared").alias("key"))
        .agg(F.count("*").alias("n_truth"), F.count_if(guessed).alias("n_found"))
    )
    by_relation = (
        predicted.join(declared, on="key", how="full_outer")
        .na.fill(0, ["n_predicted", "n_correct", "n_truth", "n_found"])
        .withColumn("group", F.lit("relation"))
    )
    columns = ["group", "key", "threshold", "n_predicted", "n_correct", "n_truth", "n_found"]
    chosen = {"threshold": F.lit(threshold)}
    rows = overall.select(*columns).unionByName(by_evidence.withColumns(chosen).select(*columns))
    rows = rows.unionByName(by_relation.withColumns(chosen).select(*columns))
    return rows.select(
        *columns,
        _share("n_correct", "n_predicted").alias("precision"),
        _share("n_found", "n_truth").alias("recall"),
    ).select(*[F.col(f.name).cast(f.dataType) for f in schemas.INFERENCE_EVAL.fields])


def _share(part: str, whole: str) -> Column:
    return F.when(F.col(whole) > 0, F.col(part) / F.col(whole))
