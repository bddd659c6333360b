"""On the generated sample: Spark's drift measures equal the pure-Python rules, and the
drifts the generator built in come out with the right sign."""

from __future__ import annotations

from collections import Counter
from statistics import mean

import pytest
from pyspark.sql import functions as F

from jobs.drift import (
    drift_summary,
    edge_facts,
    edge_trait_values,
    license_categories,
    mutation_rates,
    trait_pair_counts,
    transitions,
)
from jobs.lineage import build_edges
from jobs.tables import read_table
from udfs.drift import edge_transitions, jaccard_distance, multilingual_to_english_only
from udfs.normalize import default_license_table

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def drift_inputs(spark, generated_tables):
    _, output, snapshot = generated_tables
    models = read_table(spark, str(output), "models", snapshot).cache()
    edges, _ = build_edges(models)
    edges = edges.cache()
    categories = license_categories(spark, models, default_license_table())
    return models, edges, edge_trait_values(edge_facts(edges, models), categories).cache()


def test_spark_measures_equal_the_python_rules(drift_inputs) -> None:
    _, _, edge_traits = drift_inputs
    rows = edge_traits.where(F.col("trait").isin("license", "language")).collect()
    rates = {
        (r["relation"], r["trait"]): r["mutation_rate"]
        for r in mutation_rates(trait_pair_counts(edge_traits)).where("relation = 'all'").collect()
    }
    counts = {
        (r["trait"], r["from_value"], r["to_value"]): r["count"]
        for r in transitions(trait_pair_counts(edge_traits)).where("relation = 'all'").collect()
    }
    for trait in ("license", "language"):
        edges = [(r["parent_values"], r["child_values"]) for r in rows if r["trait"] == trait]
        distances = [d for p, c in edges if (d := jaccard_distance(p, c)) is not None]
        assert rates[("all", trait)] == pytest.approx(mean(distances))
        expected = Counter(t for p, c in edges for t in edge_transitions(p, c))
        assert {(f, t): n for (tr, f, t), n in counts.items() if tr == trait} == dict(expected)


def test_built_in_drifts_have_the_right_sign(drift_inputs) -> None:
    models, edges, edge_traits = drift_inputs
    summary = {
        r["metric"]: r
        for r in drift_summary(edge_facts(edges, models)).where("relation = 'all'").collect()
    }
    print({k: (v["parent_value"], v["child_value"], v["n"]) for k, v in summary.items()})
    assert summary["languages"]["parent_value"] > 2 * summary["languages"]["child_value"]
    assert summary["card_chars"]["parent_value"] > summary["card_chars"]["child_value"]
    assert summary["auto_generated"]["child_value"] > summary["auto_generated"]["parent_value"]
    categories = {
        (r["from_value"], r["to_value"]): r["count"]
        for r in transitions(trait_pair_counts(edge_traits))
        .where("relation = 'all' AND trait = 'license_category'")
        .collect()
    }
    toward_permissive = sum(
        categories.get((restricted, "permissive"), 0)
        for restricted in ("commercial", "use-restricted")
    )
    away = sum(
        categories.get(("permissive", restricted), 0)
        for restricted in ("commercial", "use-restricted")
    )
    assert toward_permissive > 2 * away


def test_english_only_share_equals_the_python_rule(drift_inputs) -> None:
    models, edges, _ = drift_inputs
    languages = {
        r["model_id"]: r["languages"] for r in models.select("model_id", "languages").collect()
    }
    flags = [
        multilingual_to_english_only(languages[e["parent_id"]], languages[e["child_id"]])
        for e in edges.where("parent_known").collect()
    ]
    share = (
        drift_summary(edge_facts(edges, models))
        .where("relation = 'all' AND metric = 'multilingual_to_english_only'")
        .first()
    )
    declared = [f for f in flags if f is not None]
    assert share["n"] == len(declared)
    assert share["child_value"] == pytest.approx(mean(declared))
