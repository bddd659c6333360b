"""Every table's Spark schema, in one place (DESIGN.md "Tables")."""

from __future__ import annotations

from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    DataType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

STRINGS = ArrayType(StringType(), containsNull=False)

BASE_MODEL = StructType(
    [
        StructField("parent_id", StringType(), nullable=False),
        StructField("relation", StringType(), nullable=False),
        StructField("source", StringType(), nullable=False),
        StructField("other_relations", STRINGS, nullable=False),
    ]
)

# A parent the card's body names without declaring it (udfs.inferred.card_parent_mentions).
PARENT_MENTION = StructType(
    [
        StructField("parent_id", StringType(), nullable=False),
        StructField("relation", StringType(), nullable=False),
        StructField("evidence", StringType(), nullable=False),
    ]
)

MODELS = StructType(
    [
        StructField("model_id", StringType(), nullable=False),
        StructField("author", StringType()),
        StructField("created_at", StringType()),
        StructField("last_modified", StringType()),
        StructField("downloads", LongType()),
        StructField("likes", LongType()),
        StructField("library_name", StringType()),
        StructField("pipeline_tag", StringType()),
        StructField("tags", STRINGS),
        StructField("licenses", STRINGS),
        StructField("languages", STRINGS),
        StructField("datasets", STRINGS),
        StructField("base_models", ArrayType(BASE_MODEL, containsNull=False)),
        StructField("parent_mentions", ArrayType(PARENT_MENTION, containsNull=False)),
        StructField("has_front_matter", BooleanType()),
        StructField("yaml_error", StringType()),
        StructField("has_card", BooleanType()),
        StructField("card_chars", IntegerType()),
        StructField("card_words", IntegerType()),
        StructField("auto_generated", BooleanType()),
        StructField("template_score", DoubleType()),
        StructField("has_model_index", BooleanType()),
        StructField("n_model_index_metrics", IntegerType()),
        StructField("sections", STRINGS),
        StructField("is_error_page", BooleanType()),
        StructField("files", STRINGS),
        StructField("card_sha1", StringType()),
        StructField("card_error", StringType()),
    ]
)

REJECTS = StructType(
    [
        StructField("raw_id", StringType()),
        StructField("reason", StringType(), nullable=False),
        StructField("detail", StringType()),
        StructField("source_file", StringType()),
    ]
)

# One row per ingest run of a snapshot: what was read and how it reconciled (the report's
# header), so later stages never need the input again.
INGEST_RUN = StructType(
    [
        StructField("input", StringType(), nullable=False),
        StructField("format", StringType(), nullable=False),
        StructField("rows_in", LongType(), nullable=False),
        StructField("models", LongType(), nullable=False),
        StructField("rejects", LongType(), nullable=False),
        StructField("pedigree_version", StringType(), nullable=False),
        StructField("finished_at", StringType(), nullable=False),
        StructField("shingle_size", IntegerType()),
        StructField("num_perm", IntegerType()),
        StructField("seed", LongType()),
    ]
)

# Card text of every model with a card, for readers of the text (report, lookup).
CARD_TEXTS = StructType(
    [
        StructField("model_id", StringType(), nullable=False),
        StructField("card", StringType(), nullable=False),
    ]
)

EDGES = StructType(
    [
        StructField("child_id", StringType(), nullable=False),
        StructField("parent_id", StringType(), nullable=False),
        StructField("relation", StringType(), nullable=False),
        StructField("parent_known", BooleanType(), nullable=False),
        StructField("source", StringType(), nullable=False),
        StructField("other_relations", STRINGS, nullable=False),
    ]
)

# What the parser emits per input row: a model (reason null) or a reject (reason set).
PARSED = StructType(
    [
        *[StructField(f.name, f.dataType, nullable=True) for f in MODELS.fields],
        StructField("card", StringType()),
        StructField("minhash", BinaryType()),  # packed: jobs.ingest.packed_signatures
        StructField("n_shingles", IntegerType()),
        StructField("reject_reason", StringType()),
        StructField("reject_detail", StringType()),
        StructField("raw_id", StringType()),
        StructField("source_file", StringType()),
    ]
)

SIGNATURES = StructType(
    [
        StructField("model_id", StringType(), nullable=False),
        StructField("minhash", ArrayType(LongType(), containsNull=False), nullable=False),
        StructField("n_shingles", IntegerType(), nullable=False),
    ]
)


PAIRS = StructType(
    [StructField("a_id", StringType(), nullable=False), StructField("b_id", StringType(), False)]
)


SUMMARY = StructType(
    [
        StructField("view", StringType(), nullable=False),
        StructField("pair_type", StringType(), nullable=False),
        StructField("measure", StringType(), nullable=False),
        StructField("n", LongType(), nullable=False),
        StructField("mean", DoubleType()),
        StructField("ci_low", DoubleType()),
        StructField("ci_high", DoubleType()),
    ]
)


ORDERINGS = StructType(
    [
        StructField("trait", StringType(), nullable=False),
        StructField("rank", IntegerType(), nullable=False),
        StructField("value", StringType(), nullable=False),
        StructField("pairs_fit", IntegerType(), nullable=False),
        StructField("pairs_total", IntegerType(), nullable=False),
        StructField("traffic_explained", DoubleType(), nullable=False),
    ]
)


LICENSE_CONFLICTS = StructType(
    [
        StructField("child_id", StringType(), nullable=False),
        StructField("parent_id", StringType(), nullable=False),
        StructField("parent_license", StringType(), nullable=False),
        StructField("child_license", StringType(), nullable=False),
        StructField("reason", StringType(), nullable=False),
    ]
)


NODES = StructType(
    [
        StructField("model_id", StringType(), nullable=False),
        StructField("view", StringType(), nullable=False),
        StructField("family_id", StringType(), nullable=False),
        StructField("root_ids", STRINGS),
        StructField("depth_min", IntegerType()),
        StructField("depth_max", IntegerType()),
        StructField("n_parents", IntegerType(), nullable=False),
        StructField("n_children", IntegerType(), nullable=False),
        StructField("in_cycle", BooleanType(), nullable=False),
        StructField("parent_missing", BooleanType(), nullable=False),
    ]
)


FAMILIES = StructType(
    [
        StructField("family_id", StringType(), nullable=False),
        StructField("view", StringType(), nullable=False),
        StructField("root_ids", STRINGS, nullable=False),
        StructField("size", LongType(), nullable=False),
        StructField("max_depth", IntegerType()),
        StructField("n_leaves", LongType(), nullable=False),
        StructField("n_in_cycle", LongType(), nullable=False),
        StructField("edges_finetune", LongType(), nullable=False),
        StructField("edges_adapter", LongType(), nullable=False),
        StructField("edges_quantized", LongType(), nullable=False),
        StructField("edges_merge", LongType(), nullable=False),
        StructField("edges_unknown", LongType(), nullable=False),
        StructField("root_licenses", STRINGS, nullable=False),
        StructField("first_created", StringType()),
        StructField("last_created", StringType()),
    ]
)


INFERRED_EDGES = StructType(
    [
        StructField("child_id", StringType(), nullable=False),
        StructField("parent_id", StringType(), nullable=False),
        StructField("relation", StringType(), nullable=False),
        StructField("evidence", STRINGS, nullable=False),
        StructField("confidence", DoubleType(), nullable=False),
        StructField("child_declares", BooleanType(), nullable=False),
        StructField("parent_known", BooleanType(), nullable=False),
    ]
)


# Inference scored against what declaring models declare (jobs.inference.evaluation).
INFERENCE_EVAL = StructType(
    [
        StructField("group", StringType(), nullable=False),
        StructField("key", StringType(), nullable=False),
        StructField("threshold", DoubleType(), nullable=False),
        StructField("n_predicted", LongType(), nullable=False),
        StructField("n_correct", LongType(), nullable=False),
        StructField("n_truth", LongType(), nullable=False),
        StructField("n_found", LongType(), nullable=False),
        StructField("precision", DoubleType()),
        StructField("recall", DoubleType()),
    ]
)


def nullable_type(data_type: DataType) -> DataType:
    """`data_type` with every nested field and element nullable: the type Spark gives a
    column read back from Parquet, so casting such a column to it changes nothing.

    >>> nullable_type(ArrayType(StringType(), containsNull=False)).simpleString()
    'array<string>'
    >>> nullable_type(ArrayType(StringType(), containsNull=False)).containsNull
    True
    """
    if isinstance(data_type, ArrayType):
        return ArrayType(nullable_type(data_type.elementType), containsNull=True)
    if isinstance(data_type, StructType):
        return StructType(
            [StructField(f.name, nullable_type(f.dataType), nullable=True) for f in data_type]
        )
    return data_type
