"""Stage 3a (part): card signatures and near-duplicate candidate pairs by LSH, in Spark.

Reads as: card_texts -> MinHash signatures (datasketch, in Arrow batches) -> LSH band
keys (Spark SQL hashes of signature slices) -> buckets -> candidate pairs (all pairs in
small buckets, a star around the smallest id in big ones) -> pairs verified by their
estimated Jaccard. Clustering the verified pairs is a connected-components step
(GraphFrames), issue 5.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import (
    ArrayType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from jobs.config import SimilarityConfig
from udfs.minhash import Sketcher, choose_bands, to_list

SIGNATURES = StructType(
    [
        StructField("model_id", StringType(), nullable=False),
        StructField("minhash", ArrayType(LongType(), containsNull=False), nullable=False),
        StructField("n_shingles", IntegerType(), nullable=False),
    ]
)


def signatures(card_texts: DataFrame, config: SimilarityConfig) -> DataFrame:
    """One MinHash signature per card with at least one shingle (empty cards get none)."""
    arrow_schema = to_arrow_schema(SIGNATURES)
    num_perm, seed, shingle_size = config.num_perm, config.seed, config.shingle_size

    def sketch(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        sketcher = Sketcher(num_perm=num_perm, seed=seed, shingle_size=shingle_size)
        for batch in batches:
            ids = batch.column("model_id").to_pylist()
            found = sketcher.sketch(batch.column("card").to_pylist())
            rows = [
                {"model_id": model_id, "minhash": to_list(signature), "n_shingles": count}
                for model_id, signature, count in zip(
                    ids, found.signatures, found.n_shingles, strict=True
                )
                if signature is not None
            ]
            yield pa.RecordBatch.from_pylist(rows, schema=arrow_schema)

    return card_texts.select("model_id", "card").mapInArrow(sketch, SIGNATURES)


def estimated_jaccard(a: str, b: str) -> Column:
    """Share of equal positions of two signature columns: MinHash's Jaccard estimate."""
    matches = F.size(F.filter(F.arrays_zip(F.col(a), F.col(b)), lambda x: x[a] == x[b]))
    return matches / F.size(F.col(a))


def band_buckets(sigs: DataFrame, config: SimilarityConfig) -> DataFrame:
    """`band, key, model_id`: one row per card and LSH band, keyed by a hash of the band."""
    bands, rows = choose_bands(config.num_perm, config.lsh_threshold)
    band = F.explode(F.sequence(F.lit(0), F.lit(bands - 1))).alias("band")
    return sigs.select("model_id", "minhash", band).select(
        "band",
        F.xxhash64("band", F.slice("minhash", F.col("band") * rows + 1, rows)).alias("key"),
        "model_id",
    )


def candidate_pairs(buckets: DataFrame, max_bucket: int) -> DataFrame:
    """Distinct `a_id < b_id` pairs sharing a bucket, without quadratic blow-up.

    A bucket of at most `max_bucket` members yields all its pairs; a larger one links
    every member to its smallest id (one cluster, n - 1 pairs), and its members are never
    collected into one list.
    """
    sizes = (
        buckets.groupBy("band", "key")
        .agg(F.count(F.lit(1)).alias("size"), F.min("model_id").alias("representative"))
        .where(F.col("size") > 1)
    )
    shared = buckets.join(sizes, on=["band", "key"])
    small = (
        shared.where(F.col("size") <= max_bucket)
        .groupBy("band", "key")
        .agg(F.collect_list("model_id").alias("members"))
        .select(F.explode("members").alias("a_id"), "members")
        .select("a_id", F.explode("members").alias("b_id"))
    )
    large = shared.where(F.col("size") > max_bucket).select(
        F.col("representative").alias("a_id"), F.col("model_id").alias("b_id")
    )
    return small.unionByName(large).where(F.col("a_id") < F.col("b_id")).distinct()


def verified_pairs(pairs: DataFrame, sigs: DataFrame, threshold: float) -> DataFrame:
    """Candidate pairs whose estimated card Jaccard reaches `threshold`, with the estimate."""
    left = sigs.select(F.col("model_id").alias("a_id"), F.col("minhash").alias("a_sig"))
    right = sigs.select(F.col("model_id").alias("b_id"), F.col("minhash").alias("b_sig"))
    scored = (
        pairs.join(left, on="a_id")
        .join(right, on="b_id")
        .select("a_id", "b_id", estimated_jaccard("a_sig", "b_sig").alias("card_jaccard"))
    )
    return scored.where(F.col("card_jaccard") >= threshold)
