"""On the generated sample: the family resemblance order the generator built in."""

from __future__ import annotations

import pytest

from jobs.config import LineageConfig, load_config
from jobs.lineage import build_edges, lineage_tables
from jobs.similarity import score_pairs, summarise, typed_pairs
from jobs.tables import read_table

pytestmark = [pytest.mark.spark, pytest.mark.graphframes, pytest.mark.slow]


def test_siblings_resemble_more_than_parent_child_more_than_random(spark, generated_tables):
    _, output, snapshot = generated_tables
    config = load_config().similarity
    models = read_table(spark, str(output), "models", snapshot)
    edges, self_loops = build_edges(models)
    nodes, _, _ = lineage_tables(models, edges, self_loops, LineageConfig())
    sigs = read_table(spark, str(output), "signatures", snapshot).cache()
    scored = score_pairs(typed_pairs(edges, nodes, sigs, config, ("all",)), models, sigs)
    summary = {
        r["pair_type"]: r
        for r in summarise(scored, config.bootstrap_samples, config.pair_seed)
        .where("measure = 'card'")
        .collect()
    }
    print(  # the figures quoted in the closing note
        {
            k: (v["n"], round(v["mean"], 3), round(v["ci_low"], 3), round(v["ci_high"], 3))
            for k, v in summary.items()
        }
    )
    siblings, parent_child = summary["siblings"], summary["parent_child"]
    grand, rand = summary["grandparent_grandchild"], summary["random"]
    assert siblings["ci_low"] > parent_child["ci_high"]
    assert parent_child["ci_low"] > rand["ci_high"]
    # Only ~70 grandparent pairs at this size: their CI is wide, the order of means holds.
    assert parent_child["mean"] > grand["mean"] > rand["mean"]
    assert summary["same_family_random"]["ci_low"] > rand["ci_high"]
    assert all(r["ci_low"] <= r["mean"] <= r["ci_high"] for r in summary.values())
