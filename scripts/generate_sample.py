"""Generate a deterministic, Hub-shaped model snapshot together with its ground truth.

Why: every pedigree stage needs input that looks like the real Hub (heavy-tailed families,
messy metadata, broken rows) and whose correct answer is known, at any size from a unit test
to the whole Hub (about 2M models). Same seed and N give byte-identical data files.

    python scripts/generate_sample.py --models N --seed S --output DIR \
        [--snapshot-date 2026-11-01] [--shard-rows 100000]

Writes under DIR:
  card-dataset/part-NNNNN.parquet  the public daily card dump (modelId ... card)
  hub-listing/part-NNNNN.jsonl     the same models as HfApi.list_models JSON (no card text)
  truth/edges.parquet              declared parent edges a correct parser must find, plus
                                   prose-only mentions (declared_via='prose') it must not count
  truth/nodes.parquet              family, root, depths, cycles, card and trait facts per model
  truth/lineage.parquet            per graph view (all, no_merges, finetune_only) and model:
                                   family_id, depth_min, depth_max, in_cycle, over the models
                                   in the snapshot only (DESIGN.md: a missing parent is no node)
  truth/broken.parquet             every deliberately broken row (model_id, kind)
  manifest.json                    seed, sizes and the shape statistics of the sample

The generator is the package scripts/sample/, one module per part of the Hub it imitates; the
truth rules (what a correct pipeline computes) are in scripts/sample/truth.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if not __package__:  # run as a file: the repository root is not on sys.path yet
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.sample import generate

__all__ = ["generate", "main"]


def main(argv: list[str] | None = None) -> None:
    """CLI: generate, then print one summary line."""
    parser = argparse.ArgumentParser(
        prog="pedigree sample",
        description=__doc__.split("\n\n")[0],
        epilog="example:\n  pedigree sample --models 20000 --seed 7 --output data/sample",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--models", type=int, required=True, help="number of distinct models")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--snapshot-date", default="2026-11-01")
    parser.add_argument("--shard-rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    generate(args.models, args.seed, args.output, args.shard_rows, args.snapshot_date)
    secs = time.perf_counter() - t0
    print(f"generated {args.models} models (seed {args.seed}) in {secs:.1f}s -> {args.output}")


if __name__ == "__main__":
    main()
