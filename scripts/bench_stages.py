"""Benchmark the stages after ingest: lineage, similarity (and its LSH step), drift, audit.

For each `--sizes` value: generate (once, reused) and ingest (once, reused) a snapshot,
then `--runs` times run each stage in a fresh process on it, recording wall time and
peak RSS. The LSH step (band keys, candidate pairs, verification into
`near_duplicate_pairs`) is also timed alone, from the signatures ingest wrote. All
sizes run in one invocation, so the ratios between them are side by side.

    python -m scripts.bench_stages --sizes 200000 2000000 --runs 3 --output bench/stages.json

Lineage reads only ids, declared parents, licenses and dates, so `--ingest-format
hub-listing` (the listing JSONL, no card text) prepares its input in a fraction of the
card dump's ingest time; the lineage rows then record the depth rounds it took.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.bench_common import (
    ingest_command,
    machine,
    run_measured,
    summarise,
    write_report,
)
from scripts.bench_ingest import ensure_sample

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = "2026-11-01"
STAGES = ("lineage", "similarity", "lsh", "drift", "audit")

LSH_PROGRAM = """
import sys
from pathlib import Path
from jobs.config import load_config
from jobs.similarity import near_duplicate_pairs
from jobs.spark_session import build_session
from jobs.tables import read_table
config = load_config(None, ("spark.master=" + sys.argv[2],))
spark = build_session(config, Path(sys.argv[1]))
sigs = read_table(spark, sys.argv[1], "signatures", sys.argv[3])
pairs = near_duplicate_pairs(sigs, config.similarity)
pairs.write.mode("overwrite").parquet(sys.argv[1] + "/_bench_near_duplicate_pairs")
"""


def stage_command(stage: str, output: Path, master: str) -> list[str]:
    if stage == "lsh":
        return [sys.executable, "-c", LSH_PROGRAM, str(output), master, SNAPSHOT]
    return [
        *(sys.executable, "-m", f"jobs.{stage}"),
        *("--output", str(output), "--snapshot", SNAPSHOT),
        *("--set", f"spark.master={master}"),
    ]


def ensure_ingested(sample: Path, folder: Path, master: str, source_format: str) -> Path:
    if not (folder / "models" / f"snapshot={SNAPSHOT}" / "_SUCCESS").is_file():
        command = ingest_command(
            sample / source_format, str(folder), SNAPSHOT, master, source_format
        )
        run_measured(command)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    parser.add_argument("--samples", type=Path, default=REPO / "bench" / "samples")
    parser.add_argument(
        "--ingest-format", choices=("card-dataset", "hub-listing"), default="card-dataset"
    )
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "stages.json")
    args = parser.parse_args()

    results = []
    for size in args.sizes:
        name = f"{size}-{args.seed}"
        sample = ensure_sample(size, args.seed, args.samples / name)
        folder = args.samples / f"{name}-ingested-{args.ingest_format}"
        ingested = ensure_ingested(sample, folder, args.master, args.ingest_format)
        timings: dict[str, list[dict[str, float]]] = {stage: [] for stage in args.stages}
        for _ in range(args.runs):
            for stage in args.stages:
                timings[stage].append(run_measured(stage_command(stage, ingested, args.master)))
        results.append(
            {"models": size, **{stage: summarise(runs) for stage, runs in timings.items()}}
        )
    reference = results[0]
    for result in results[1:]:
        result["ratio_to_first"] = {
            stage: round(result[stage]["median_seconds"] / reference[stage]["median_seconds"], 2)
            for stage in args.stages
        }
    report = {
        "machine": machine(),
        "command": " ".join(["scripts/bench_stages.py", *sys.argv[1:]]),
        "master": args.master,
        "ingest_format": args.ingest_format,
        "results": results,
    }
    write_report(report, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
