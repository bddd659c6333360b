"""Benchmark the last stage and the per-model lookup on whole pipeline outputs.

For each `--sizes` value: generate a snapshot (once, reused), run the whole pipeline on
it once (timed: every stage in one application, as `make run` does), then `--runs` times
`jobs.report` in a fresh process (wall time, peak RSS, the report folder's size), and
`--lookups` times `jobs.lookup --json` for each of three models the script picks from the
tables: the root of the largest family, a merge child and the deepest model.

    python -m scripts.bench_report --sizes 20000 2000000 --formats card-dataset hub-listing \\
        --runs 3 --lookups 5 --work /tmp/bench-report --output bench/report.json
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from jobs.tables import read_partition
from scripts.bench_common import machine, run_measured, summarise, write_report
from scripts.bench_ingest import ensure_sample

SNAPSHOT = "2026-11-01"


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def lookup_targets(output: Path) -> dict[str, str]:
    """A root of the largest family, a merge child and the deepest model (view all)."""
    families = read_partition(
        output, "families", SNAPSHOT, ["root_ids", "size"], pc.field("view") == "all"
    )
    largest = families.take(pc.select_k_unstable(families, 1, [("size", "descending")]))
    root = sorted(largest.column("root_ids")[0].as_py())[0]
    merge = read_partition(
        output,
        "edges",
        SNAPSHOT,
        ["child_id"],
        (pc.field("relation") == "merge") & pc.field("parent_known"),
    )
    nodes = read_partition(
        output, "nodes", SNAPSHOT, ["model_id", "depth_min"], pc.field("view") == "all"
    )
    deepest = nodes.take(pc.select_k_unstable(nodes, 1, [("depth_min", "descending")]))
    return {
        "root": root,
        "merge_child": sorted(merge.column("child_id").to_pylist())[0],
        "deepest": deepest.column("model_id")[0].as_py(),
    }


def bench_size(models: int, source_format: str, args: argparse.Namespace) -> dict[str, Any]:
    sample = ensure_sample(models, args.seed, args.work / f"sample-{models}")
    output = args.work / f"out-{models}-{source_format}"
    result: dict[str, Any] = {"models": models, "input": source_format}
    if not (output / "report" / f"snapshot={SNAPSHOT}" / "index.html").is_file():
        pipeline = [
            sys.executable,
            "-m",
            "jobs.pipeline",
            "--input",
            str(sample / source_format),
            "--format",
            source_format,
            "--output",
            str(output),
            "--snapshot",
            SNAPSHOT,
        ]
        result["pipeline_once"] = summarise([run_measured(pipeline)])
    report = [sys.executable, "-m", "jobs.report", "--output", str(output), "--snapshot", SNAPSHOT]
    result["report"] = summarise([run_measured(report) for _ in range(args.runs)])
    folder = output / "report" / f"snapshot={SNAPSHOT}"
    result["report"]["output_mib"] = round(folder_bytes(folder) / 2**20, 2)
    result["report"]["files"] = sum(1 for p in folder.rglob("*") if p.is_file())
    result["lookup"] = {}
    for kind, model_id in lookup_targets(output).items():
        command = [
            sys.executable,
            "-m",
            "jobs.lookup",
            model_id,
            "--output",
            str(output),
            "--snapshot",
            SNAPSHOT,
            "--json",
        ]
        runs = [run_measured(command)["seconds"] for _ in range(args.lookups)]
        result["lookup"][kind] = {
            "model_id": model_id,
            "runs_seconds": [round(r, 2) for r in runs],
            "median_seconds": round(statistics.median(runs), 2),
        }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000])
    parser.add_argument(
        "--formats",
        nargs="+",
        default=["card-dataset"],
        help="input per size, in order (the last repeats): card-dataset (cards and metadata) "
        "or hub-listing (the listing without README text: every table but the card ones full)",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lookups", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pedigree-bench-report"))
    parser.add_argument("--output", type=Path, default=Path("bench/report.json"))
    args = parser.parse_args()
    formats = [args.formats[min(i, len(args.formats) - 1)] for i in range(len(args.sizes))]
    results = [bench_size(n, f, args) for n, f in zip(args.sizes, formats, strict=True)]
    write_report({"machine": machine(), "sizes": results}, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
