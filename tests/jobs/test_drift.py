"""Drift measures on tiny hand-made edge sets with hand-computed answers."""

from __future__ import annotations

import random
from fractions import Fraction
from functools import reduce

import pytest
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs import schemas
from jobs.drift import (
    edge_facts,
    edge_trait_values,
    license_categories,
    license_conflicts,
    mutation_rates,
    orderings,
    trait_pair_counts,
    transitions,
)
from jobs.lineage import build_edges, edges_by_view, edges_in_view
from udfs.normalize import default_license_table

pytestmark = pytest.mark.spark

# child <- parent (relation), with each model's licenses, languages, pipeline tag.
MODELS = {
    "base": ([], ["llama3"], ["en", "fr", "de"], "text-generation"),
    "ft": ([("base", "finetune")], ["apache-2.0"], ["en"], "text-generation"),
    "mitbase": ([], ["mit"], [], "fill-mask"),
    "q": ([("mitbase", "quantized")], ["mit"], ["en"], "fill-mask"),
    "ft2": ([("mitbase", "finetune")], [], ["en"], "text-classification"),
}


@pytest.fixture(scope="module")
def frames(spark):
    rows = []
    for model_id, (parents, licenses, languages, task) in MODELS.items():
        row = dict.fromkeys(schemas.MODELS.fieldNames())
        row.update(model_id=model_id, licenses=licenses, languages=languages, pipeline_tag=task)
        row["base_models"] = [
            {"parent_id": p, "relation": r, "source": "tag", "other_relations": []}
            for p, r in parents
        ]
        rows.append(row)
    models = spark.createDataFrame(rows, schemas.MODELS)
    edges, _ = build_edges(models)
    table = default_license_table()
    categories = license_categories(spark, models, table)
    return models, edges, edge_trait_values(edge_facts(edges, models), categories), table


def test_mutation_rates_by_relation(frames) -> None:
    _, _, edge_traits, _ = frames
    rates = {
        (r["relation"], r["trait"]): (r["n_edges"], round(r["mutation_rate"], 4))
        for r in mutation_rates(trait_pair_counts(edge_traits)).collect()
    }
    # license: ft<-base {apache-2.0} vs {llama3}: 1.0; q<-mitbase {mit} vs {mit}: 0.0;
    # ft2 declares none, so it does not count.
    assert rates[("finetune", "license")] == (1, 1.0)
    assert rates[("quantized", "license")] == (1, 0.0)
    assert rates[("all", "license")] == (2, 0.5)
    # language: ft {en} vs base {en, fr, de}: 1 - 1/3; mitbase declares none.
    assert rates[("finetune", "language")] == (1, 0.6667)
    # pipeline_tag: ft same (0), ft2 changed (1) -> finetune mean 0.5; q same.
    assert rates[("finetune", "pipeline_tag")] == (2, 0.5)
    assert rates[("all", "pipeline_tag")] == (3, round(1 / 3, 4))
    # license category: commercial -> permissive on ft, permissive -> permissive on q.
    assert rates[("all", "license_category")] == (2, 0.5)


def test_transitions_follow_the_gained_dropped_rule(frames) -> None:
    _, _, edge_traits, _ = frames
    got = {
        (r["trait"], r["from_value"], r["to_value"]): r["count"]
        for r in transitions(trait_pair_counts(edge_traits)).where("relation = 'all'").collect()
    }
    assert got == {
        ("license", "llama3", "apache-2.0"): 1,
        ("license_category", "commercial", "permissive"): 1,
        ("language", "fr", "en"): 1,  # dropped fr, dropped de; en kept on both sides
        ("language", "de", "en"): 1,
        ("pipeline_tag", "fill-mask", "text-classification"): 1,
    }


def test_edges_with_the_same_sets_count_once_each(spark) -> None:
    """Three license edges, two of them mit -> apache-2.0: the distinct pairs of sets are
    measured once, weighted by their edges, so both counts and means are per edge."""
    edge_traits = spark.createDataFrame(
        [
            ("a", "base", "finetune", "license", ["mit"], ["apache-2.0"]),
            ("b", "base", "finetune", "license", ["mit"], ["apache-2.0"]),
            ("c", "base", "finetune", "license", ["mit"], ["mit"]),
        ],
        "child_id string, parent_id string, relation string, trait string, "
        "parent_values array<string>, child_values array<string>",
    )
    pair_counts = trait_pair_counts(edge_traits)
    assert sorted((r["child_values"], r["n_edges"]) for r in pair_counts.collect()) == [
        (["apache-2.0"], 2),
        (["mit"], 1),
    ]
    counts = {
        (r["relation"], r["from_value"], r["to_value"]): r["count"]
        for r in transitions(pair_counts).collect()
    }
    assert counts == {("finetune", "mit", "apache-2.0"): 2, ("all", "mit", "apache-2.0"): 2}
    rates = {
        r["relation"]: (r["n_edges"], r["mutation_rate"])
        for r in mutation_rates(pair_counts).collect()
    }
    assert rates == {"finetune": (3, 2 / 3), "all": (3, 2 / 3)}


def test_mutation_rates_do_not_depend_on_how_rows_are_partitioned(spark) -> None:
    """A laptop and a cluster split the rows differently; a sum of doubles taken in another
    order can end in another last bit, so the rates are summed exactly and agree with
    exact rational arithmetic."""
    rng = random.Random(11)
    values = [f"v{i}" for i in range(9)]
    rows = [
        (
            rng.choice(["finetune", "adapter", "quantized"]),
            "language",
            rng.sample(values, rng.randint(1, 5)),
            rng.sample(values, rng.randint(1, 5)),
            rng.randint(1, 10**6),
        )
        for _ in range(3000)
    ]
    pair_counts = spark.createDataFrame(
        rows,
        "relation string, trait string, parent_values array<string>, "
        "child_values array<string>, n_edges long",
    )

    def rates(frame: DataFrame) -> dict[str, float]:
        return {r["relation"]: r["mutation_rate"] for r in mutation_rates(frame).collect()}

    one_partition = rates(pair_counts.coalesce(1))
    assert one_partition == rates(pair_counts.repartition(17, F.rand(seed=3)))
    assert one_partition == rates(pair_counts.repartition(5, F.rand(seed=8)))
    for relation in ("finetune", "all"):
        kept = [r for r in rows if relation in (r[0], "all")]
        exact = sum(
            n * (1 - Fraction(len(set(p) & set(c)), len(set(p) | set(c)))) for _, _, p, c, n in kept
        ) / sum(r[4] for r in kept)
        assert abs(one_partition[relation] - float(exact)) < 1e-15


def test_ordering_puts_sources_before_destinations(spark, frames) -> None:
    _, _, edge_traits, _ = frames
    result = orderings(spark, transitions(trait_pair_counts(edge_traits)), top_n=20)
    language = [r["value"] for r in result.where("trait = 'language'").orderBy("rank").collect()]
    assert language[-1] == "en" and sorted(language[:2]) == ["de", "fr"]
    row = result.where("trait = 'language'").first()
    assert (row["pairs_fit"], row["pairs_total"], row["traffic_explained"]) == (2, 2, 1.0)


def test_every_view_in_one_pass_equals_each_view_alone(spark, frames) -> None:
    # drift_tables measures all views at once (a `view` column); each view's rows must be
    # what that view's edges alone give (finetune_only drops the quantized edge here).
    _, _, edge_traits, _ = frames
    together = edges_by_view(edge_traits)
    views = ("all", "finetune_only")
    measures = {
        "mutation": lambda frame: mutation_rates(trait_pair_counts(frame)),
        "transitions": lambda frame: transitions(trait_pair_counts(frame)),
        "orderings": lambda frame: orderings(
            spark, transitions(trait_pair_counts(frame)), top_n=20
        ),
    }
    for name, measure in measures.items():
        every = measure(together).where(F.col("view").isin(*views))
        alone = reduce(
            DataFrame.unionByName,
            [
                measure(edges_in_view(edge_traits, v)).select(F.lit(v).alias("view"), "*")
                for v in views
            ],
        )
        got, expected = sorted(every.collect()), sorted(alone.collect())
        assert got == expected, name
        assert {r["view"] for r in got} == set(views), name


def test_license_conflicts(frames) -> None:
    models, edges, _, table = frames
    conflicts = [tuple(r) for r in license_conflicts(edge_facts(edges, models), table).collect()]
    assert conflicts == [
        (
            "ft",
            "base",
            "llama3",
            "apache-2.0",
            "commercial parent license llama3 -> permissive child license apache-2.0",
        )
    ]
