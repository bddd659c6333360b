"""Benchmark the sample generator: wall time and peak RSS, medians over repeated runs.

Each size runs `--runs` times in fresh processes; the smallest size is the reference
the others are compared against in the same invocation (the machine is shared and
noisy, so ratios say more than absolute seconds). Results go to a JSON file.

    python -m scripts.bench_generate --sizes 200000 2000000 --runs 3 --output bench/generate.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.bench_common import machine, summarise

SCRIPT = Path(__file__).resolve().parent / "generate_sample.py"


def measure(n_models: int, seed: int) -> dict[str, float]:
    """One generator run in a child process: wall seconds and the child's peak RSS."""
    with tempfile.TemporaryDirectory(prefix="pedigree-bench-") as out:
        started = time.monotonic()
        child = subprocess.Popen(
            [
                sys.executable,
                str(SCRIPT),
                "--models",
                str(n_models),
                "--seed",
                str(seed),
                "--output",
                out,
            ],
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"bench_generate: generator failed at {n_models} models")
        manifest = json.loads((Path(out) / "manifest.json").read_text())
    return {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024, "manifest": manifest}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 2_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, default=Path("bench/generate.json"))
    args = parser.parse_args()
    results = []
    for size in sorted(args.sizes):
        runs = [measure(size, args.seed) for _ in range(args.runs)]
        results.append({"models": size, **summarise(runs), "manifest": runs[0]["manifest"]})
        print(
            f"bench_generate: {size} models: median {results[-1]['median_seconds']} s, "
            f"peak RSS {results[-1]['median_peak_rss_mib']} MiB",
            flush=True,
        )
    reference = results[0]["median_seconds"]
    for result in results:
        result["ratio_to_smallest"] = round(result["median_seconds"] / reference, 2)
    report = {
        "machine": machine(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "results": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"bench_generate: results in {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
