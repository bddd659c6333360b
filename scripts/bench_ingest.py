"""Benchmark ingest: Spark local[N] throughput vs the bare parser loop in one process.

Generates (or reuses) a snapshot of `--models` models, runs `jobs.ingest` on it
`--runs` times in fresh processes, and times the same parser (`raw_from_record` +
`parse_model`) in a plain Python loop over the first `--loop-cards` cards: the
per-card cost without Spark, measured in the same invocation.

    python scripts/bench_ingest.py --models 200000 --runs 3 --output bench/ingest.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from scripts.bench_common import (
    ingest_command,
    machine,
    run_measured,
    summarise,
    write_report,
)
from udfs.model_row import parse_model
from udfs.sources import raw_from_record

REPO = Path(__file__).resolve().parent.parent


def ensure_sample(models: int, seed: int, folder: Path) -> Path:
    if not (folder / "manifest.json").is_file():
        from scripts.generate_sample import generate

        generate(n_models=models, seed=seed, output=folder)
    return folder


def bare_loop_cards_per_second(card_dataset: Path, n_cards: int, repeats: int) -> float:
    """Median cards/s of the parser alone, one process, one core."""
    rows: list[dict] = []
    for shard in sorted(card_dataset.glob("*.parquet")):
        rows.extend(pq.read_table(shard).to_pylist())
        if len(rows) >= n_cards:
            break
    rows = rows[:n_cards]
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        for row in rows:
            parse_model(raw_from_record(row))
        rates.append(len(rows) / (time.perf_counter() - started))
    return statistics.median(rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--loop-cards", type=int, default=20_000)
    parser.add_argument("--samples", type=Path, default=REPO / "bench" / "samples")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "ingest.json")
    args = parser.parse_args()

    sample = ensure_sample(args.models, args.seed, args.samples / f"{args.models}-{args.seed}")
    manifest = json.loads((sample / "manifest.json").read_text())
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="pedigree-bench-") as out:
            command = ingest_command(sample / "card-dataset", out, "2026-11-01", args.master)
            runs.append(run_measured(command))
    spark = summarise(runs)
    spark["cards_per_second"] = round(manifest["n_rows"] / spark["median_seconds"])
    loop_rate = bare_loop_cards_per_second(sample / "card-dataset", args.loop_cards, args.runs)
    report = {
        "machine": machine(),
        "command": " ".join(["scripts/bench_ingest.py", *sys.argv[1:]]),
        "rows_in": manifest["n_rows"],
        "master": args.master,
        "spark_ingest": spark,
        "bare_loop": {
            "cards": args.loop_cards,
            "cards_per_second": round(loop_rate),
            "ms_per_card": round(1000 / loop_rate, 3),
        },
        "spark_vs_bare_loop": round(spark["cards_per_second"] / loop_rate, 2),
    }
    write_report(report, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
