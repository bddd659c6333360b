"""Helpers of the end-to-end tests: ports, process trees, pipeline runs, table contents."""

from __future__ import annotations

import hashlib
import json
import math
import os
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from jobs.config import REPO_ROOT

# Means and CIs summed in a different order on a cluster differ in the last bits.
FLOAT_DIGITS = 9
# NaN (a measure with no defined value) must stay distinct from null (no value): JSON
# has neither, so each gets its own marker.
NAN = "<NaN>"
# Columns that say when and from which path a run read its input: they differ between
# runs by design, everything else must not.
RUN_RECORD_COLUMNS = {"ingest_run": ("finished_at", "input")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def pipeline_command(source: Path, output: Path, snapshot: str) -> list[str]:
    return [
        *(sys.executable, "-m", "jobs.pipeline", "--input", str(source)),
        *("--format", "card-dataset", "--output", str(output), "--snapshot", snapshot),
        *("--set", "spark.master=local[2]"),
    ]


def pipeline_local(
    source: Path, output: Path, snapshot: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    """The whole pipeline in local[2] in a fresh process; `extra` arguments appended."""
    return subprocess.run(
        [*pipeline_command(source, output, snapshot), *extra],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
    )


def written_tables(output: Path, snapshot: str) -> list[str]:
    """Tables with a partition folder for `snapshot`, complete or not (the report is HTML,
    not a table: `report_summary` compares it)."""
    return sorted(
        p.parent.name
        for p in output.glob(f"*/snapshot={snapshot}")
        if p.parent.name[0] != "_" and p.parent.name != "report"
    )


def report_summary(output: Path, snapshot: str) -> dict:
    """The report's summary.json, whose values must agree between runs of one snapshot."""
    path = output / "report" / f"snapshot={snapshot}" / "summary.json"
    return json.loads(path.read_text(encoding="utf-8"))


def canonical(value: object) -> object:
    if isinstance(value, float):
        return NAN if math.isnan(value) else round(value, FLOAT_DIGITS)
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    return value


def table_rows(output: Path, table: str, snapshot: str) -> list[str]:
    """A partition's rows as sorted canonical JSON: equal lists mean equal tables."""
    frame = pq.read_table(output / table / f"snapshot={snapshot}").to_pylist()
    for row in frame:
        for column in RUN_RECORD_COLUMNS.get(table, ()):
            row.pop(column)
    return sorted(json.dumps(canonical(row), sort_keys=True, default=str) for row in frame)


def content_hash(output: Path, table: str, snapshot: str) -> str:
    return hashlib.sha256("\n".join(table_rows(output, table, snapshot)).encode()).hexdigest()


def assert_same_tables(output: Path, reference: Path, snapshot: str) -> None:
    tables = written_tables(reference, snapshot)
    assert len(tables) >= 16 and written_tables(output, snapshot) == tables
    for table in tables:
        assert table_rows(output, table, snapshot) == table_rows(reference, table, snapshot), table
    assert canonical(report_summary(output, snapshot)) == canonical(
        report_summary(reference, snapshot)
    )
