"""Benchmark card signatures in one process: the vectorised `Sketcher` against datasketch's
object API (one `MinHash` per card, `update_batch` of its shingles: what a researcher's
script does, and what pedigree did before), on the same cards, in one invocation.

Cards: the 5,000 real cards of `../shared/data/hub-2022-sample.jsonl.gz` when present, and
the cards of a generated sample. Medians of `--runs`; the ratio is datasketch / Sketcher.

    python -m scripts.bench_sketch --runs 3 --output bench/sketch.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from datasketch import MinHash

from scripts.bench_common import machine, write_report
from scripts.bench_ingest import ensure_sample
from udfs.minhash import Sketcher, card_shingles, shingle_hash

REAL_CARDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "hub-2022-sample.jsonl.gz"
BATCH = 2000  # ingest.arrow_batch_rows


def datasketch_loop(cards: list[str | None]) -> int:
    signed = 0
    for card in cards:
        shingles = list(card_shingles(card, 3))
        if shingles:
            minhash = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash)
            minhash.update_batch(shingles)
            signed += 1
    return signed


def sketcher_batches(cards: list[str | None]) -> int:
    sketcher = Sketcher(num_perm=128, seed=1, shingle_size=3)
    signed = 0
    for start in range(0, len(cards), BATCH):
        signed += sum(s is not None for s in sketcher.signatures(cards[start : start + BATCH]))
    return signed


def timed(function: Any, cards: list[str | None], runs: int) -> dict[str, Any]:
    seconds, signed = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        signed = function(cards)
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    return {
        "runs_seconds": [round(s, 2) for s in seconds],
        "median_seconds": round(median, 2),
        "cards_per_second": round(len(cards) / median),
        "signed": signed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generated", type=int, default=20000, help="generated models")
    parser.add_argument("--work", type=Path, default=Path("/tmp/pedigree-bench-sketch"))
    parser.add_argument("--output", type=Path, default=Path("bench/sketch.json"))
    args = parser.parse_args()
    inputs: dict[str, list[str | None]] = {}
    if REAL_CARDS.is_file():
        with gzip.open(REAL_CARDS, "rt", encoding="utf-8") as lines:
            inputs["real 2022 cards"] = [json.loads(line).get("card") for line in lines]
    sample = ensure_sample(args.generated, 7, args.work / f"sample-{args.generated}")
    inputs["generated cards"] = [
        card
        for shard in sorted((sample / "card-dataset").glob("*.parquet"))
        for card in pq.read_table(shard, columns=["card"]).column("card").to_pylist()
    ]
    results = {}
    for name, cards in inputs.items():
        reference = timed(datasketch_loop, cards, args.runs)
        vectorised = timed(sketcher_batches, cards, args.runs)
        assert reference["signed"] == vectorised["signed"]
        results[name] = {
            "cards": len(cards),
            "datasketch_per_card": reference,
            "sketcher_batches": vectorised,
            "ratio": round(reference["median_seconds"] / vectorised["median_seconds"], 2),
        }
    write_report({"machine": machine(), "inputs": results}, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
