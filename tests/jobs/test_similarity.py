"""Signatures and LSH candidate pairs on hand-made cards."""

from __future__ import annotations

import random

import pytest

from jobs.config import SimilarityConfig
from jobs.similarity import band_buckets, candidate_pairs, signatures, verified_pairs
from udfs.minhash import Sketcher, to_list

pytestmark = pytest.mark.spark

CONFIG = SimilarityConfig()


def prose(seed: int, words: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(words))


TEMPLATE = "---\nlicense: mit\n---\n# Model card\n" + prose(1)
CARDS = {
    "org/template-a": TEMPLATE,
    "org/template-b": TEMPLATE.replace("license: mit", "license: apache-2.0"),  # YAML only
    "org/template-c": TEMPLATE + " one extra sentence at the end",
    "org/other": prose(2),
    "org/another": prose(3),
    "org/empty": "---\nlicense: mit\n---\n",
}


@pytest.fixture(scope="module")
def sigs(spark):
    card_texts = spark.createDataFrame(list(CARDS.items()), "model_id string, card string")
    return signatures(card_texts, CONFIG).cache()


def test_signatures_equal_the_udf_and_skip_empty_cards(sigs) -> None:
    rows = {r["model_id"]: r for r in sigs.collect()}
    assert set(rows) == set(CARDS) - {"org/empty"}
    expected = Sketcher(CONFIG.num_perm, CONFIG.seed, CONFIG.shingle_size).sketch(
        [CARDS["org/other"]]
    )
    assert rows["org/other"]["minhash"] == to_list(expected.signatures[0])
    assert rows["org/other"]["n_shingles"] == expected.n_shingles[0]
    assert rows["org/template-a"]["minhash"] == rows["org/template-b"]["minhash"]


def test_signatures_are_identical_across_runs(spark, sigs) -> None:
    card_texts = spark.createDataFrame(list(CARDS.items()), "model_id string, card string")
    again = signatures(card_texts.repartition(3), CONFIG)
    assert sorted(map(tuple, again.collect())) == sorted(map(tuple, sigs.collect()))


def test_lsh_finds_the_template_cards_and_only_them(sigs) -> None:
    pairs = candidate_pairs(band_buckets(sigs, CONFIG), CONFIG.max_bucket)
    found = verified_pairs(pairs, sigs, CONFIG.lsh_threshold).collect()
    assert sorted((r["a_id"], r["b_id"]) for r in found) == [
        ("org/template-a", "org/template-b"),
        ("org/template-a", "org/template-c"),
        ("org/template-b", "org/template-c"),
    ]
    assert all(r["card_jaccard"] >= 0.95 for r in found)


def test_a_huge_bucket_is_a_star_not_all_pairs(spark) -> None:
    same = [(f"m{i:03d}", TEMPLATE) for i in range(60)]
    card_texts = spark.createDataFrame(same, "model_id string, card string")
    sigs = signatures(card_texts, CONFIG)
    pairs = candidate_pairs(band_buckets(sigs, CONFIG), max_bucket=10).collect()
    assert sorted((r["a_id"], r["b_id"]) for r in pairs) == [
        ("m000", f"m{i:03d}") for i in range(1, 60)
    ]


def test_pair_types_on_a_small_family(spark) -> None:
    from jobs import schemas
    from jobs.lineage import build_edges
    from jobs.similarity import score_pairs, typed_pairs

    family = {"p": [], "c1": ["p"], "c2": ["p"], "c3": ["p"], "g": ["c1"]}
    rows = []
    for model_id, parents in family.items():
        row = dict.fromkeys(schemas.MODELS.fieldNames())
        row.update(model_id=model_id, licenses=["mit"] if model_id != "g" else ["mit", "other"])
        row["base_models"] = [
            {"parent_id": p, "relation": "finetune", "source": "tag", "other_relations": []}
            for p in parents
        ]
        rows.append(row)
    models = spark.createDataFrame(rows, schemas.MODELS)
    edges, _ = build_edges(models)
    card_texts = spark.createDataFrame(
        [(m, TEMPLATE) for m in family], "model_id string, card string"
    )
    sigs = signatures(card_texts, CONFIG)
    config = SimilarityConfig(sibling_pairs_per_parent=2, random_pairs=2)
    nodes = spark.createDataFrame(
        [(m, "all", "c1") for m in family] + [("loner", "all", "loner")],
        "model_id string, view string, family_id string",
    )

    pairs = typed_pairs(edges, nodes, sigs, config).collect()

    by_type: dict[str, list[tuple[str, str]]] = {}
    for r in pairs:
        by_type.setdefault(r["pair_type"], []).append((r["a_id"], r["b_id"]))
    assert sorted(by_type["parent_child"]) == [("c1", "g"), ("p", "c1"), ("p", "c2"), ("p", "c3")]
    assert sorted(by_type["grandparent_grandchild"]) == [("p", "g")]
    assert len(by_type["siblings"]) == 2 and all(a < b for a, b in by_type["siblings"])
    assert len(by_type["random"]) == 2
    # five carded members of one family: two disjoint pairs, never the other family's model
    same_family = by_type["same_family_random"]
    members = [m for pair in same_family for m in pair]
    assert len(same_family) == 2 and len(set(members)) == 4 and set(members) <= set(family)
    scored = {
        (r["pair_type"], r["a_id"], r["b_id"]): r
        for r in score_pairs(typed_pairs(edges, nodes, sigs, config), models, sigs).collect()
    }
    grand = scored[("grandparent_grandchild", "p", "g")]
    assert grand["license_jaccard"] == 0.5  # {mit} vs {mit, other}
    assert grand["card_jaccard"] == 1.0
    assert grand["language_jaccard"] is None  # neither declares a language


@pytest.mark.graphframes
def test_card_clusters_are_components_of_the_near_duplicate_pairs(spark) -> None:
    from jobs.similarity import card_clusters

    near = spark.createDataFrame(
        [("a/x", "b/y"), ("b/y", "c/z"), ("d/u", "e/v")], "a_id string, b_id string"
    )
    models = spark.createDataFrame(
        [("a/x", 5), ("b/y", 900), ("c/z", None), ("d/u", 7), ("e/v", 7), ("f/w", 10**6)],
        "model_id string, downloads long",
    )
    found = {
        r["model_id"]: (r["cluster_id"], r["cluster_size"], r["representative_id"])
        for r in card_clusters(near, models, "graphframes").collect()
    }
    assert found == {
        "a/x": ("a/x", 3, "b/y"),
        "b/y": ("a/x", 3, "b/y"),
        "c/z": ("a/x", 3, "b/y"),
        "d/u": ("d/u", 2, "d/u"),  # a download tie goes to the smaller id
        "e/v": ("d/u", 2, "d/u"),
    }
