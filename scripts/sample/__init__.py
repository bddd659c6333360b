"""Hub-shaped sample generator: one module per part of the Hugging Face Hub it imitates.

`generate` seeds one numpy Generator and runs the parts in a fixed order, so the same seed
and N give byte-identical files:

  shape      shape parameters (DESIGN.md reference values) and the codes every part shares
  draws      hashing and inverse-CDF draws the other modules use
  metadata   licenses, pipeline tags, model-index, libraries
  kinds      modalities and the famous base models
  languages  language codes and language sets
  dates      createdAt / last_modified timestamps
  graph      the family forest and every per-model structural decision
  merges     the extra parents of merge models
  cards      card states: who has a card, broken rows, duplicates, prose-only mentions
  traits     per-model traits and their drift along edges
  names      model ids and authors
  truth      the ground truth a correct pipeline computes
  cardtext   card prose, templates and YAML front matter
  render     one model's dump row and listing record
  writing    the Parquet / JSON lines / manifest files

The command line is scripts/generate_sample.py, which lists the files written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from scripts.sample.cardtext import _sentences
from scripts.sample.dates import DAY, _epoch
from scripts.sample.graph import _build_graph
from scripts.sample.kinds import FAMOUS
from scripts.sample.languages import MULTI, _LangSets, _parse_langs
from scripts.sample.names import _names
from scripts.sample.render import _Renderer
from scripts.sample.shape import MIN_MODELS
from scripts.sample.traits import _assign_traits
from scripts.sample.truth import _truth
from scripts.sample.writing import _manifest, _write_shards, _write_truth


def generate(
    n_models: int,
    seed: int,
    output: Path,
    shard_rows: int = 100_000,
    snapshot_date: str = "2026-11-01",
) -> dict[str, Any]:
    """Write the sample under output and return its manifest (also written as manifest.json)."""
    if n_models < MIN_MODELS:
        raise ValueError(f"--models must be at least {MIN_MODELS}")
    output = Path(output)
    end = _epoch(f"{snapshot_date}T00:00:00") - DAY
    start = _epoch("2020-03-01T00:00:00")
    rng = np.random.default_rng(seed)
    g = _build_graph(n_models, rng, start, end)
    multi = [_parse_langs(f.languages) for f in FAMOUS]
    sizes = rng.integers(3, 30, 40).tolist()
    multi += [tuple(sorted(rng.choice(MULTI, s, replace=False).tolist())) for s in sizes]
    ls = _LangSets(multi)
    tr = _assign_traits(g, ls, rng, end + DAY - 1)
    ids, authors = _names(g, tr, rng)
    truth = _truth(g, ids)
    ids_pa = pa.array(ids)
    renderer = _Renderer(g, tr, ls, ids, authors, truth, seed, _sentences(rng))
    n_rows, n_shards, card_chars = _write_shards(output, g, tr, renderer, rng, shard_rows)
    _write_truth(output, g, tr, ls, truth, ids_pa)
    manifest = _manifest(
        g, tr, ls, truth, ids_pa, seed, snapshot_date, shard_rows, n_rows, n_shards, card_chars
    )
    (output / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
