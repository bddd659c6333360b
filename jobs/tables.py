"""Reading and writing snapshot partitions: `<output>/<table>/snapshot=<date>/`.

A stage writes all its tables into a staging folder first and swaps each into place
only when every table is written, so a failed run never leaves a partition that
looks complete, and rerunning a snapshot replaces that partition and nothing else.
Paths go through Hadoop's FileSystem so the same code works on HDFS or S3; `read_partition`
reads a published partition with pyarrow (no Spark) for the lookup and the report.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from pyspark.sql import DataFrame, SparkSession

from jobs.cli import UserError

SUCCESS_MARKER = "_SUCCESS"
# Which stage writes each table: what the report and the lookup tell a user to run when a
# table has no partition for the snapshot.
TABLE_STAGES = {
    **dict.fromkeys(("models", "card_texts", "ingest_run", "signatures", "rejects"), "ingest"),
    **dict.fromkeys(("edges", "nodes", "families", "inferred_edges", "inference_eval"), "lineage"),
    **dict.fromkeys(("similarity_summary", "card_clusters", "pairs"), "similarity"),
    **dict.fromkeys(
        ("mutation", "transitions", "orderings", "drift_summary", "license_conflicts"), "drift"
    ),
    **dict.fromkeys(("audit", "model_index_by_task", "weight_risk"), "audit"),
    **dict.fromkeys(("diff_models", "diff_edges", "diff_licenses", "diff_children"), "diff"),
}


class MissingTable(UserError):
    """A stage's input table has no complete partition for the snapshot."""

    def __init__(self, message: str, table: str = "") -> None:
        super().__init__(message)
        self.table = table


def partition_path(output: str, table: str, snapshot: str) -> str:
    return f"{output.rstrip('/')}/{table}/snapshot={snapshot}"


def staging_path(output: str, snapshot: str) -> str:
    return f"{output.rstrip('/')}/_staging/{snapshot}-{uuid.uuid4().hex[:12]}"


def _fs(spark: SparkSession, path: str):  # type: ignore[no-untyped-def]
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hadoop_path


def path_exists(spark: SparkSession, path: str) -> bool:
    fs, hadoop_path = _fs(spark, path)
    return bool(fs.exists(hadoop_path))


def delete_path(spark: SparkSession, path: str) -> None:
    fs, hadoop_path = _fs(spark, path)
    fs.delete(hadoop_path, True)


def publish(spark: SparkSession, staged: Mapping[str, str], output: str, snapshot: str) -> None:
    """Swap staged table folders into their snapshot partitions (old partition removed)."""
    for table, source in staged.items():
        target = partition_path(output, table, snapshot)
        fs, target_path = _fs(spark, target)
        _, source_path = _fs(spark, source)
        if fs.exists(target_path):
            fs.delete(target_path, True)
        fs.mkdirs(target_path.getParent())
        if not fs.rename(source_path, target_path):
            raise OSError(f"could not move {source} to {target}")


def remove_stale_staging(spark: SparkSession, output: str, snapshot: str) -> None:
    """Delete staging folders a crashed run of this snapshot left behind.

    One run per snapshot at a time (what a scheduler does): a staging folder of the same
    snapshot that exists when a write starts belongs to a run that died.
    """
    fs, pattern = _fs(spark, f"{output.rstrip('/')}/_staging/{snapshot}-*")
    for status in fs.globStatus(pattern) or []:
        fs.delete(status.getPath(), True)


def published_snapshots(spark: SparkSession, output: str, table: str) -> list[str]:
    """The snapshots of `table` with a complete partition, oldest first, listed through
    Hadoop's FileSystem: a local folder and an `hdfs://` or `s3a://` output alike."""
    fs, pattern = _fs(spark, f"{output.rstrip('/')}/{table}/snapshot=*")
    found = []
    for status in fs.globStatus(pattern) or []:
        folder = status.getPath()
        if fs.exists(folder.suffix(f"/{SUCCESS_MARKER}")):
            found.append(str(folder.getName()).removeprefix("snapshot="))
    return sorted(found)


def write_snapshot(
    spark: SparkSession, tables: Mapping[str, DataFrame], output: str, snapshot: str
) -> dict[str, str]:
    """Write every table, then publish them together; returns table -> partition path."""
    remove_stale_staging(spark, output, snapshot)
    staging = staging_path(output, snapshot)
    try:
        staged = {}
        for table, frame in tables.items():
            staged[table] = f"{staging}/{table}"
            frame.write.mode("errorifexists").parquet(staged[table])
        publish(spark, staged, output, snapshot)
    finally:
        delete_path(spark, staging)
    return {table: partition_path(output, table, snapshot) for table in tables}


def read_table(spark: SparkSession, output: str, table: str, snapshot: str) -> DataFrame:
    """Read a published partition; one without a success marker is incomplete and refused."""
    path = partition_path(output, table, snapshot)
    if not path_exists(spark, f"{path}/{SUCCESS_MARKER}"):
        raise MissingTable(
            f"table {table} has no complete snapshot {snapshot} at {path}; "
            "run the stage that writes it first (make run runs them all)",
            table,
        )
    return spark.read.parquet(path)


@contextmanager
def snapshot_checkpoints(spark: SparkSession, output: str, snapshot: str) -> Iterator[str]:
    """Checkpoint under `<output>/_checkpoints/<snapshot>/` for the block, removed after.

    What a killed run of this snapshot left there is removed first: one run per snapshot
    at a time, so anything already there belongs to a dead run.
    """
    root = f"{output.rstrip('/')}/_checkpoints/{snapshot}"
    delete_path(spark, root)
    spark.sparkContext.setCheckpointDir(root)
    try:
        yield root
    finally:
        delete_path(spark, root)


def id_in(column: str, ids: Sequence[str]) -> Any:
    """A pyarrow filter `column in ids`; typed, so an empty list filters to nothing instead of
    failing (pyarrow reads `[]` as an array of nulls)."""
    return pc.field(column).isin(pa.array(list(ids), type=pa.string()))


def published_dataset(output: Path, table: str, snapshot: str) -> ds.Dataset:
    """A published partition (its `_SUCCESS` marker present) as a pyarrow dataset."""
    folder = Path(partition_path(str(output), table, snapshot))
    if not (folder / SUCCESS_MARKER).is_file():
        raise MissingTable(
            f"no complete {table} partition for snapshot {snapshot} under {output}; "
            "run the pipeline for that snapshot first",
            table,
        )
    return ds.dataset(folder, format="parquet", exclude_invalid_files=True)


def read_partition(
    output: Path,
    table: str,
    snapshot: str,
    columns: list[str],
    where: Any = None,
    optional: Sequence[str] = (),
) -> pa.Table:
    """A published partition, only `columns`, filtered. Columns in `optional` are left out
    when the partition lacks them (written by an older pedigree)."""
    dataset = published_dataset(output, table, snapshot)
    present = set(dataset.schema.names)
    wanted = [c for c in columns if c in present or c not in optional]
    return dataset.to_table(columns=wanted, filter=where)


def read_ids(
    output: Path, table: str, snapshot: str, id_column: str, ids: Sequence[str], columns: list[str]
) -> pa.Table:
    """The rows of a few ids from a published partition: the id column is read first, and
    `columns` only from the row groups that hold one of the ids. A filtered scan decodes
    every value of the row groups its statistics cannot skip, and random ids skip none:
    3.7 GB of `card_texts` at 2M models to keep ten cards."""
    dataset = published_dataset(output, table, snapshot)
    wanted = id_in(id_column, ids)
    holding = [
        group
        for fragment in dataset.get_fragments()
        for group in fragment.split_by_row_group()
        if group.to_table(columns=[id_column], filter=wanted).num_rows
    ]
    return ds.FileSystemDataset(
        holding, dataset.schema, dataset.format, dataset.filesystem
    ).to_table(columns=columns, filter=wanted)


def frozen(frame: DataFrame) -> DataFrame:
    """Cut the plan: write `frame` as Parquet under the checkpoint dir and read it back.

    Not `DataFrame.checkpoint`: its result keeps the original plan's size estimate, and
    Spark estimates a join as the product of its inputs, so across rounds the estimate
    grows to numbers with millions of digits and planning stalls. A Parquet read is
    estimated from its file sizes, which also lets Spark broadcast the small frames.
    On shared storage it survives a lost executor, like a reliable checkpoint.
    Read back with the schema it was written with: inferring it from the files costs a
    Spark job of its own each time (45 of lineage's 458 jobs at 200k models).
    """
    spark = frame.sparkSession
    root = spark.sparkContext.getCheckpointDir()
    assert root is not None, "build_session sets the checkpoint dir"
    path = f"{root}/frozen-{uuid.uuid4().hex}"
    frame.write.parquet(path)
    return spark.read.schema(frame.schema).parquet(path)
