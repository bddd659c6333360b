"""Benchmark GraphFrames' connected-components algorithms on a snapshot's lineage graph.

Reads a pipeline output (its `models`, `edges` and `inferred_edges`), builds the graph the
lineage stage builds (every view a disjoint copy, isolated models left out, the leaves set
apart), writes it once, then runs each `--algorithms` entry `--runs` times, alternating,
in one Spark session: wall seconds of components + the smallest-id family labels, and a
fingerprint of the labels (every algorithm must give the same families).

    python -m scripts.bench_components --tables OUT --snapshot 2026-11-01 \\
        --algorithms graphx randomized_contraction graphframes --runs 3 \\
        --output bench/components.json
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pyspark.sql import functions as F

from jobs.config import LineageConfig, load_config
from jobs.inference import read_view_edges
from jobs.lineage import components, lineage_graph, peel_leaves
from jobs.spark_session import build_session, fit_shuffle_partitions
from jobs.tables import read_table, snapshot_checkpoints
from scripts.bench_common import machine, write_report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=Path, required=True, help="a pipeline output folder")
    parser.add_argument("--snapshot", required=True)
    parser.add_argument(
        "--algorithms", nargs="+", default=["graphx", "randomized_contraction", "graphframes"]
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--output", type=Path, default=Path("bench/components.json"))
    args = parser.parse_args()

    config = load_config(None, (f"spark.master={args.master}",))
    output = str(args.tables.resolve())
    with tempfile.TemporaryDirectory(prefix="pedigree-bench-cc-") as scratch:
        spark = build_session(config, Path(scratch))
        models = read_table(spark, output, "models", args.snapshot)
        fit_shuffle_partitions(spark, models.count(), config.spark)
        seconds: dict[str, list[float]] = {name: [] for name in args.algorithms}
        fingerprints: set[tuple[int, int]] = set()
        with snapshot_checkpoints(spark, f"{scratch}/out", args.snapshot):
            edges = read_view_edges(spark, output, args.snapshot, config)
            links, linked, _ = lineage_graph(models, edges)
            peeled = peel_leaves(links)
            graph = {
                "linked_vertices": linked.count(),
                "links": links.count(),
                "core_vertices": peeled.core.count(),
                "core_links": peeled.core_links.count(),
            }
            for _ in range(args.runs):
                for name in args.algorithms:
                    lineage = LineageConfig(components_algorithm=name)
                    started = time.perf_counter()
                    found = components(peeled, lineage).agg(
                        F.countDistinct("family"), F.bit_xor(F.xxhash64("id", "family"))
                    )
                    row = found.first()
                    seconds[name].append(round(time.perf_counter() - started, 1))
                    assert row is not None
                    fingerprints.add((int(row[0]), int(row[1])))
        spark.stop()
    report: dict[str, Any] = {
        "machine": machine(),
        "tables": output,
        "graph": graph,
        "families": next(iter(fingerprints))[0] if len(fingerprints) == 1 else None,
        "same_families_every_run": len(fingerprints) == 1,
        "runs_seconds": seconds,
        "median_seconds": {name: statistics.median(times) for name, times in seconds.items()},
    }
    write_report(report, args.output)
    return 0 if len(fingerprints) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
