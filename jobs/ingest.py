"""Stage 1: parse model cards and Hub metadata into `models`, `card_texts`, `signatures`
and `rejects`.

    python -m jobs.ingest --input PATH --format card-dataset --output DIR --snapshot 2026-11-01

Reads top to bottom: find the source files -> read them as records -> parse every
record in Arrow batches (Python sees whole batches, never single rows through Py4J)
and sketch each batch's cards (MinHash signature and template score from one hashing of
the text, so no later stage reads card text again), written once as Parquet -> keep one
winner per duplicate id -> write the tables, each reading only its columns of the parse
-> check that every input row became exactly one model or one reject.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import StructField, StructType

from jobs import schemas
from jobs.cli import JobArgs, UserError, checkpoint_root, parse_args, pedigree_version, run_main
from jobs.config import Config
from jobs.spark_session import build_session, fit_shuffle_partitions
from jobs.tables import frozen, read_table, snapshot_checkpoints, write_snapshot
from udfs.minhash import Sketcher
from udfs.model_row import MODEL_FIELDS, parse_model_card, storable_id
from udfs.sources import (
    FLAT_SEPARATOR,
    decode_card_bytes,
    model_id_from_readme_path,
    raw_from_record,
    raw_records,
    record_from_json_line,
)

log = logging.getLogger("pedigree.ingest")

FORMATS = ("card-dataset", "hub-listing", "cards", "ecosystem-csv")

# File kinds each format may come as, by file name ending.
FILE_KINDS = {
    "parquet": (".parquet",),
    "jsonl": (".jsonl", ".json", ".jsonl.gz", ".json.gz", ".ndjson"),
    "csv": (".csv", ".csv.gz"),
    "readme": ("README.md",),
}
FORMAT_KINDS = {
    "card-dataset": ("parquet", "jsonl"),
    "hub-listing": ("parquet", "jsonl"),
    "cards": ("parquet", "jsonl", "readme"),
    "ecosystem-csv": ("csv",),
}

DUPLICATE_ID = "duplicate_id"
PARSER_ERROR = "parser_error"
CARD_WITHOUT_LISTING = "card_without_listing"
# A `scripts/fetch_hub.py` output folder: the listing shards, and the README shards.
FETCH_LISTING, FETCH_CARDS = "hub-listing", "cards"
# File kinds whose records are columns, which `udfs.sources.raw_records` maps a batch at a time.
COLUMN_KINDS = ("parquet", "csv")
# Columns the fetched README brings to its listing row (names no source uses).
FETCHED = ("_listed", "_card_id", "_fetched_card", "_card_error")
# `signature_lists`' rows: the `signatures` table's columns, nullable as read from Parquet.
UNPACKED_SIGNATURES = StructType(
    [StructField(f.name, schemas.nullable_type(f.dataType)) for f in schemas.SIGNATURES.fields]
)


def fetch_cards_folder(input_path: Path, fmt: str) -> Path | None:
    """The `cards/` folder of a fetch_hub output given as `--format hub-listing` input."""
    folder = input_path / FETCH_CARDS
    if fmt == "hub-listing" and (input_path / FETCH_LISTING).is_dir() and folder.is_dir():
        return folder
    return None


def _hidden(relative: Path) -> bool:
    """Whether a file under the input folder is out of the input, as Spark's own listing
    has it: it, or a folder on its way, starts with `_` or `.` (`_temporary` of a failed
    write, `.ipynb_checkpoints` copies, `_SUCCESS`).

    >>> _hidden(Path(".ipynb_checkpoints/eco-checkpoint.csv")), _hidden(Path("org/m/README.md"))
    (True, False)
    """
    return any(part.startswith(("_", ".")) for part in relative.parts)


def source_files(input_path: Path, fmt: str) -> tuple[str, list[Path]]:
    """The input's data files and their kind; one clear error when there are none or a mix."""
    if not input_path.exists():
        raise UserError(f"input {input_path} does not exist; pass a file or folder with --input")
    if fmt == "hub-listing" and (input_path / FETCH_LISTING).is_dir():
        input_path = input_path / FETCH_LISTING  # a fetch_hub folder: its cards are joined
    candidates = (
        [input_path]
        if input_path.is_file()
        else sorted(
            p
            for p in input_path.rglob("*")
            if p.is_file() and not _hidden(p.relative_to(input_path))
        )
    )
    kinds: dict[str, list[Path]] = {}
    for path in candidates:
        for kind in FORMAT_KINDS[fmt]:
            if path.name.endswith(FILE_KINDS[kind]):
                kinds.setdefault(kind, []).append(path)
                break
    if not kinds:
        wanted = ", ".join(e for k in FORMAT_KINDS[fmt] for e in FILE_KINDS[k])
        raise UserError(f"no {fmt} files ({wanted}) under {input_path}; check --input and --format")
    if len(kinds) > 1:
        raise UserError(
            f"{input_path} mixes {' and '.join(sorted(kinds))} files; give one kind per run"
        )
    for path in next(iter(kinds.values())):
        try:
            with path.open("rb") as handle:
                handle.read(1)
        except OSError as err:
            raise UserError(f"cannot read {path}: {err.strerror}; check its permissions") from None
    kind, files = next(iter(kinds.items()))
    return kind, files


def read_records(spark: SparkSession, kind: str, files: list[Path], config: Config) -> DataFrame:
    """One DataFrame row per input record, plus the file it came from."""
    paths = [str(p) for p in files]
    if kind == "parquet":
        frame = spark.read.parquet(*paths)
    elif kind == "jsonl":
        frame = spark.read.text(paths).withColumnRenamed("value", "line")
    elif kind == "csv":
        frame = (
            spark.read.option("header", True)
            .option("multiLine", True)
            .option("escape", '"')
            .option("mode", "PERMISSIVE")
            .csv(paths)
        )
        # json_normalize's `cardData.license` columns: Spark would read the dot as a field.
        frame = frame.toDF(*[name.replace(".", FLAT_SEPARATOR) for name in frame.columns])
    else:
        frame = spark.read.format("binaryFile").load(paths).select("path", "content")
    frame = frame.withColumn("source_file", F.input_file_name())
    wanted = config.ingest.min_partitions or spark.sparkContext.defaultParallelism
    if frame.rdd.getNumPartitions() < wanted:
        frame = frame.repartition(wanted)
    return frame


def with_fetched_cards(
    records: DataFrame, kind: str, cards: DataFrame, cards_kind: str
) -> DataFrame:
    """Listing records with their fetched README (`_fetched_card`) and its failure reason
    (`_card_error`), joined by model id. A README row whose model is not in the listing
    stays a row of its own (`_listed` null), so it can be rejected rather than lost."""
    if kind == "jsonl":
        listing_id = F.coalesce(
            F.get_json_object("line", "$.id"), F.get_json_object("line", "$.modelId")
        )
    else:
        listing_id = F.col("id")
    if cards_kind == "jsonl":
        fetched = cards.select(
            F.get_json_object("line", "$.model_id").alias("_card_id"),
            F.get_json_object("line", "$.card").alias("_fetched_card"),
            F.get_json_object("line", "$.error").alias("_card_error"),
        )
    else:
        fetched = cards.select(
            F.col("model_id").alias("_card_id"),
            F.col("card").alias("_fetched_card"),
            F.col("error").alias("_card_error"),
        )
    fetched = fetched.where(F.col("_card_id").isNotNull()).dropDuplicates(["_card_id"])
    listed = records.withColumn("_listed", F.lit(True)).withColumn("_listing_id", listing_id)
    joined = listed.join(fetched, listed["_listing_id"] == fetched["_card_id"], "full_outer")
    return joined.drop("_listing_id")


def parse_record(
    kind: str, record: dict[str, Any], root: str, max_card_chars: int
) -> tuple[dict, str | None]:
    """One input record -> one PARSED row (a model, or a reject with its reason) and the
    lowered body to sketch (`parse_raw`).

    A model's `template_score`, `minhash` and `n_shingles` are left for `sketch_cards`."""
    source_file = record.pop("source_file", None)
    listed, card_id, fetched_card, card_error = (record.pop(k, None) for k in FETCHED)
    reject = {"raw_id": None, "source_file": source_file, "reject_detail": None}
    if card_id is not None and listed is None:
        return {**reject, "raw_id": card_id, "reject_reason": CARD_WITHOUT_LISTING}, None
    if kind == "jsonl":
        decoded, error = record_from_json_line(record.get("line"))
        if decoded is None:
            return {**reject, "reject_reason": error}, None
        record = decoded
    elif kind == "readme":
        record = {
            "model_id": model_id_from_readme_path(record["path"], root),
            "card": decode_card_bytes(record["content"]),
        }
    if card_id is not None:
        record = {**record, "card": record.get("card") or fetched_card, "card_error": card_error}
    return parse_raw(raw_from_record(record), source_file, max_card_chars)


def parse_raw(
    raw: dict[str, Any], source_file: str | None, max_card_chars: int
) -> tuple[dict, str | None]:
    """One raw dict (`udfs.sources`) -> one PARSED row (a model, or a reject with its
    reason) and, for a model with a card, its lowered body: the sketch reads the card's
    words from it instead of splitting and lowercasing the card again."""
    reject = {
        "raw_id": storable_id(raw["model_id"]),
        "source_file": source_file,
        "reject_detail": None,
    }
    if raw["card"] is not None and len(raw["card"]) > max_card_chars:
        raw["card"] = raw["card"][:max_card_chars]
    try:
        model, reason, card = parse_model_card(raw, score_template=False)
    except Exception as err:  # a parser bug must cost one row, never the job
        failed = {**reject, "reject_reason": PARSER_ERROR, "reject_detail": type(err).__name__}
        return failed, None
    if model is None:
        return {**reject, "reject_reason": reason}, None
    if card is None or not model["has_card"]:
        return {**model, "card": None, "raw_id": raw["model_id"], "source_file": source_file}, None
    row = {**model, "card": card.text, "raw_id": raw["model_id"], "source_file": source_file}
    return row, card.lowered_body


def sketch_cards(
    rows: list[dict], bodies: list[str | None], sketcher: Sketcher
) -> list[npt.NDArray[np.uint32] | None]:
    """Fill each model row's shingle count and template score from one batch sketch of
    their cards' lowered `bodies` (None for a row without a card); returns every row's
    signature (None for a reject or a card without shingles)."""
    carded = [i for i, body in enumerate(bodies) if body is not None]
    found = sketcher.sketch_bodies([body for body in bodies if body is not None])
    signatures: list[npt.NDArray[np.uint32] | None] = [None] * len(rows)
    for i, signature, count, score in zip(
        carded, found.signatures, found.n_shingles, found.template_scores, strict=True
    ):
        rows[i]["template_score"] = score
        rows[i]["n_shingles"] = count
        signatures[i] = signature
    return signatures


def packed_signatures(signatures: list[npt.NDArray[np.uint32] | None]) -> pa.Array:
    """The parsed rows' `minhash` column: each signature's uint32 values as one binary
    value (null without a signature). Parquet writes and reads a list one element at a time,
    128 a card, where the parsed rows are written and read back once more than the
    `signatures` table; `signature_lists` turns them into that table's lists."""
    present = np.fromiter((s is not None for s in signatures), dtype=bool, count=len(signatures))
    kept = [s.astype("<u4", copy=False) for s in signatures if s is not None]
    values = np.concatenate(kept).tobytes() if kept else b""
    offsets = np.zeros(len(signatures) + 1, dtype=np.int32)
    np.cumsum([s.nbytes if s is not None else 0 for s in signatures], out=offsets[1:])
    validity = pa.py_buffer(np.packbits(present, bitorder="little"))
    return pa.Array.from_buffers(
        pa.binary(), len(signatures), [validity, pa.py_buffer(offsets), pa.py_buffer(values)]
    )


def signature_lists(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """A batch of `model_id, minhash, n_shingles` with every packed signature
    (`packed_signatures`, none null) as the list of longs the `signatures` table holds.
    Spark sends binary with 32-bit offsets, or 64-bit under `arrow.useLargeVarTypes`."""
    packed = batch.column("minhash")
    offset_type = np.int64 if pa.types.is_large_binary(packed.type) else np.int32
    if batch.num_rows == 0:
        values = np.empty(0, dtype=np.int64)
        offsets = np.zeros(1, dtype=np.int32)
    else:
        bounds = np.frombuffer(packed.buffers()[1], dtype=offset_type)
        bounds = bounds[packed.offset : packed.offset + len(packed) + 1]
        data = np.frombuffer(packed.buffers()[2], dtype=np.uint8)[bounds[0] : bounds[-1]]
        values = data.view("<u4").astype(np.int64)
        offsets = (bounds - bounds[0]) // 4
    field = schema.field("minhash")
    lists = pa.ListArray.from_arrays(pa.array(offsets), pa.array(values), type=field.type)
    columns = [batch.column("model_id"), lists, batch.column("n_shingles")]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def unpack_signatures(winners: DataFrame) -> DataFrame:
    """The `signatures` table's rows from the winners' packed signatures (on the executors)."""
    schema = to_arrow_schema(UNPACKED_SIGNATURES)

    def unpack(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield signature_lists(batch, schema)

    carded = winners.where(F.col("minhash").isNotNull()).select(*schemas.SIGNATURES.fieldNames())
    return carded.mapInArrow(unpack, UNPACKED_SIGNATURES)


def parse_batch(
    batch: pa.RecordBatch,
    kind: str,
    root: str,
    max_card_chars: int,
    sketcher: Sketcher,
    schema: pa.Schema,
) -> pa.RecordBatch:
    """One Arrow batch of input records -> one batch of PARSED rows, signatures included.

    Records of columns (Parquet, CSV) are mapped to raw dicts a column at a time, unless
    fetched READMEs were joined to them; JSON lines and READMEs are decoded row by row."""
    if kind in COLUMN_KINDS and not set(FETCHED) & set(batch.schema.names):
        sources = batch.column("source_file").to_pylist()
        raws = raw_records(batch.drop_columns(["source_file"]))
        parsed = [
            parse_raw(raw, source, max_card_chars)
            for raw, source in zip(raws, sources, strict=True)
        ]
    else:
        parsed = [parse_record(kind, record, root, max_card_chars) for record in batch.to_pylist()]
    rows = [row for row, _ in parsed]
    signatures = sketch_cards(rows, [body for _, body in parsed], sketcher)
    out = pa.RecordBatch.from_pylist(rows, schema=schema)
    at = schema.get_field_index("minhash")
    return out.set_column(at, schema.field(at), packed_signatures(signatures))


def parse_records(records: DataFrame, kind: str, root: str, config: Config) -> DataFrame:
    """Parse and sketch every record in Arrow batches on the executors (mapInArrow)."""
    arrow_schema = to_arrow_schema(schemas.PARSED)
    max_card_chars = config.ingest.max_card_chars
    similarity = config.similarity

    def parse_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        sketcher = Sketcher(similarity.num_perm, similarity.seed, similarity.shingle_size)
        for batch in batches:
            yield parse_batch(batch, kind, root, max_card_chars, sketcher, arrow_schema)

    return records.mapInArrow(parse_batches, schemas.PARSED)


def parse_once(records: DataFrame, kind: str, root: str, config: Config) -> DataFrame:
    """Parse every record once and write the rows as Parquet under the checkpoint dir, so
    that each table reads only its own columns of them: the models table never reads the
    card text, which a cached block would deserialize whole for every table."""
    return frozen(parse_records(records, kind, root, config))


def repeated_ids(parsed: DataFrame) -> DataFrame:
    """`model_id`s that more than one parsed model row claims (rare: usually empty)."""
    models = parsed.where(F.col("reject_reason").isNull())
    return models.groupBy("model_id").count().where(F.col("count") > 1).select("model_id")


def ranked_duplicates(parsed: DataFrame, repeated: DataFrame) -> DataFrame:
    """The model rows whose id is in `repeated`, ranked within their id (`_rank` 1 wins):
    the latest last_modified first, ties broken by a content hash.

    Duplicates are rare, so the caller keeps this small frame: found by one scan of the
    parsed rows, not by one scan (every card's text included) per table written. When no
    id repeats (a Hub dump's ids are unique) the frame is empty without that scan, which
    reads every model column of every row to keep none (19 task seconds at 2M)."""
    models = parsed.where(F.col("reject_reason").isNull())
    if repeated.isEmpty():
        return models.where(F.lit(False)).withColumn("_rank", F.lit(1))
    content_hash = F.sha2(F.to_json(F.struct(*MODEL_FIELDS)), 256)
    order = Window.partitionBy("model_id").orderBy(
        F.col("last_modified").desc_nulls_last(), content_hash
    )
    return models.join(F.broadcast(repeated), on="model_id", how="left_semi").withColumn(
        "_rank", F.row_number().over(order)
    )


def pick_duplicate_winners(
    models: DataFrame, repeated: DataFrame, ranked: DataFrame
) -> tuple[DataFrame, DataFrame]:
    """One row per model id: (winners with their card text, losers). Every row of an id no
    other row claims wins as it is, and of a repeated id the first of `ranked_duplicates`;
    losers become `duplicate_id` rejects. Only the rare repeated rows are ranked, so the
    card text of every other row never crosses a shuffle. Both are rebalanced: read from
    their cache they keep the window's partitions, and each would be a file in every table
    (a few rows each); rebalanced, AQE packs them into as few files as their size needs."""
    columns = [*schemas.MODELS.fieldNames(), "card", "minhash", "n_shingles"]
    winners = (
        models.join(F.broadcast(repeated), on="model_id", how="left_anti")
        .select(*columns)
        .unionByName(ranked.where(F.col("_rank") == 1).select(*columns).hint("rebalance"))
    )
    losers = (
        ranked.where(F.col("_rank") > 1)
        .select(
            F.col("raw_id"),
            F.lit(DUPLICATE_ID).alias("reason"),
            F.concat(F.lit("rank "), F.col("_rank").cast("string")).alias("detail"),
            F.col("source_file"),
        )
        .hint("rebalance")
    )
    return winners, losers


def to_tables(parsed: DataFrame, repeated: DataFrame, ranked: DataFrame) -> dict[str, DataFrame]:
    """Split parsed rows into the `models`, `card_texts`, `signatures` and `rejects` tables."""
    models = parsed.where(F.col("reject_reason").isNull())
    winners, duplicates = pick_duplicate_winners(models, repeated, ranked)
    rejects = parsed.where(F.col("reject_reason").isNotNull()).select(
        "raw_id",
        F.col("reject_reason").alias("reason"),
        F.col("reject_detail").alias("detail"),
        "source_file",
    )
    return {
        "models": spark_cast(winners, schemas.MODELS),
        "card_texts": spark_cast(winners.where(F.col("card").isNotNull()), schemas.CARD_TEXTS),
        "signatures": spark_cast(unpack_signatures(winners), schemas.SIGNATURES),
        "rejects": spark_cast(rejects.unionByName(duplicates), schemas.REJECTS),
    }


def spark_cast(frame: DataFrame, schema: Any) -> DataFrame:
    """Select a table's columns in schema order with the schema's types, every nested field
    nullable: the parsed rows are read back from Parquet, where everything is nullable."""
    return frame.select(
        *[F.col(f.name).cast(schemas.nullable_type(f.dataType)) for f in schema.fields]
    )


def reconcile(spark: SparkSession, args: JobArgs, rows_in: int) -> dict[str, int]:
    """Count what was written and check `rows_in == models + rejects`."""
    output, snapshot = str(args.output), args.snapshot
    n_models = read_table(spark, output, "models", snapshot).count()
    reasons = {
        row["reason"]: row["count"]
        for row in read_table(spark, output, "rejects", snapshot)
        .groupBy("reason")
        .count()
        .collect()
    }
    n_rejects = sum(reasons.values())
    if rows_in != n_models + n_rejects:
        raise RuntimeError(
            f"ingest lost rows: rows_in={rows_in} but models={n_models} + rejects={n_rejects}"
        )
    return {"rows_in": rows_in, "models": n_models, "rejects": n_rejects, **reasons}


def write_run_record(spark: SparkSession, args: JobArgs, counts: dict[str, int]) -> None:
    """The `ingest_run` table: the input, its format, the reconciled counts and the
    settings the card signatures were sketched with."""
    finished = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    sketch = args.config.similarity
    record = (
        str(args.input.resolve()),
        args.format,
        counts["rows_in"],
        counts["models"],
        counts["rejects"],
        pedigree_version(),
        finished,
        sketch.shingle_size,
        sketch.num_perm,
        sketch.seed,
    )
    frame = spark.createDataFrame([record], schemas.INGEST_RUN).coalesce(1)
    write_snapshot(spark, {"ingest_run": frame}, str(args.output), args.snapshot)


def run(spark: SparkSession, args: JobArgs) -> dict[str, int]:
    """Ingest one snapshot; returns the reconciled counts."""
    kind, files = source_files(args.input, args.format)
    records = read_records(spark, kind, files, args.config)
    cards_folder = fetch_cards_folder(args.input, args.format)
    if cards_folder is not None:
        cards_kind, card_files = source_files(cards_folder, "hub-listing")
        cards = read_records(spark, cards_kind, card_files, args.config)
        records = with_fetched_cards(records, kind, cards, cards_kind)
    # As Spark names the files it reads: absolute, neither percent-encoded nor through
    # symlinks, so a README's path starts with it whatever the folder's name or location.
    root = os.path.abspath(args.input) if args.input.is_dir() else ""
    rows_in = records.count()
    fit_shuffle_partitions(spark, rows_in, args.config.spark)
    spark.conf.set(
        "spark.sql.execution.arrow.maxRecordsPerBatch", str(args.config.ingest.arrow_batch_rows)
    )
    # Every table comes from one parse, one look for repeated ids and one ranking of their
    # rows: keep all three rather than parse every card, group every id, or scan every
    # card for the repeated ones, once per table. The ranked rows are few unless the input
    # repeats most of its ids; kept on disk.
    with snapshot_checkpoints(spark, str(args.output), args.snapshot):
        parsed = parse_once(records, kind, root, args.config)
        repeated = repeated_ids(parsed).persist()
        ranked = ranked_duplicates(parsed, repeated).persist(StorageLevel.DISK_ONLY)
        try:
            tables = to_tables(parsed, repeated, ranked)
            write_snapshot(spark, tables, str(args.output), args.snapshot)
        finally:
            for frame in (ranked, repeated):
                frame.unpersist()
    counts = reconcile(spark, args, rows_in)
    write_run_record(spark, args, counts)
    return counts


def main(argv: list[str] | None = None) -> int:
    def body() -> None:
        args = parse_args("ingest", FORMATS, argv)
        started = time.monotonic()
        kind, _ = source_files(args.input, args.format)  # bad input fails before Spark starts
        spark = build_session(args.config, checkpoint_root(args.output))
        counts = run(spark, args)
        totals = ("rows_in", "models", "rejects")
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()) if k not in totals)
        log.info(
            "ingest %s (%s): rows_in=%d models=%d rejects=%d (%s) -> %s in %.1fs",
            args.snapshot,
            kind,
            counts["rows_in"],
            counts["models"],
            counts["rejects"],
            reasons or "none",
            args.output,
            time.monotonic() - started,
        )

    return run_main("ingest", body)


if __name__ == "__main__":
    raise SystemExit(main())
