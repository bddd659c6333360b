"""Benchmark card signatures: Spark local[N] vs the bare datasketch loop in one process.

Ingests (once, reused) a generated snapshot of `--models` models, then `--runs` times
computes and writes the MinHash signature of every card with `jobs.similarity` in a
fresh Spark process, and times `udfs.minhash.Sketcher` over the same cards in a plain
loop in this process (the same permutations and hash, so equal work), all in one
invocation so the ratio is measured side by side.

    python -m scripts.bench_similarity --models 200000 --runs 3 --output bench/similarity.json
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
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
from scripts.bench_ingest import ensure_sample
from udfs.minhash import Sketcher

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = "2026-11-01"

SIGNATURE_PROGRAM = """
import sys
from pathlib import Path
from jobs.config import load_config
from jobs.similarity import signatures
from jobs.spark_session import build_session
from jobs.tables import read_table
config = load_config(None, ("spark.master=" + sys.argv[3],))
spark = build_session(config, Path(sys.argv[2]))
cards = read_table(spark, sys.argv[1], "card_texts", sys.argv[4])
signatures(cards, config.similarity).write.parquet(sys.argv[2] + "/signatures")
"""


def ensure_ingested(sample: Path, folder: Path) -> Path:
    if not (folder / "card_texts" / f"snapshot={SNAPSHOT}" / "_SUCCESS").is_file():
        subprocess.run(
            ingest_command(sample / "card-dataset", str(folder), SNAPSHOT, "local[2]"),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return folder


def bare_loop_cards_per_second(folder: Path, runs: int) -> tuple[int, float]:
    cards = pq.read_table(folder / "card_texts" / f"snapshot={SNAPSHOT}").column("card")
    texts = cards.to_pylist()
    rates = []
    for _ in range(runs):
        sketcher = Sketcher()
        started = time.perf_counter()
        sketcher.sketch(texts)
        rates.append(len(texts) / (time.perf_counter() - started))
    return len(texts), statistics.median(rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--samples", type=Path, default=REPO / "bench" / "samples")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "similarity.json")
    args = parser.parse_args()

    sample = ensure_sample(args.models, args.seed, args.samples / f"{args.models}-{args.seed}")
    ingested = ensure_ingested(sample, args.samples / f"{args.models}-{args.seed}-ingested")
    n_cards, loop_rate = bare_loop_cards_per_second(ingested, args.runs)
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="pedigree-bench-") as out:
            command = [
                sys.executable,
                "-c",
                SIGNATURE_PROGRAM,
                str(ingested),
                out,
                args.master,
                SNAPSHOT,
            ]
            runs.append(run_measured(command))
    spark = summarise(runs)
    spark["cards_per_second"] = round(n_cards / spark["median_seconds"])
    report = {
        "machine": machine(),
        "command": " ".join(["scripts/bench_similarity.py", *sys.argv[1:]]),
        "cards": n_cards,
        "master": args.master,
        "spark_signatures": spark,
        "bare_loop": {"cards_per_second": round(loop_rate)},
        "spark_vs_bare_loop": round(spark["cards_per_second"] / loop_rate, 2),
    }
    write_report(report, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
