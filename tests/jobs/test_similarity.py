"""Signatures and LSH candidate pairs on hand-made cards."""

from __future__ import annotations

import dataclasses
import random

import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from jobs.config import LineageConfig, SimilarityConfig
from jobs.schemas import SIGNATURES
from jobs.similarity import (
    band_buckets,
    card_estimates,
    large_bucket_stars,
    near_duplicate_pairs,
    same_family_pairs,
    shared_buckets,
)
from udfs.minhash import Sketcher, choose_bands, to_list

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


def signatures(spark, cards: list[tuple[str, str]]):
    """The `signatures` rows ingest writes for these cards (tests/jobs/test_ingest.py)."""
    found = Sketcher(CONFIG.num_perm, CONFIG.seed, CONFIG.shingle_size).sketch(
        [card for _, card in cards]
    )
    rows = [
        (model_id, to_list(signature), count)
        for (model_id, _), signature, count in zip(
            cards, found.signatures, found.n_shingles, strict=True
        )
        if signature is not None
    ]
    return spark.createDataFrame(rows, SIGNATURES)


@pytest.fixture(scope="module")
def sigs(spark):
    return signatures(spark, list(CARDS.items())).cache()


def test_lsh_finds_the_template_cards_and_only_them(sigs) -> None:
    found = near_duplicate_pairs(sigs, CONFIG).collect()
    links = {(r["a_id"], r["b_id"]) for r in found}
    templates = {"org/template-a", "org/template-b", "org/template-c"}
    # three mutually similar cards: two links of a spanning forest join all three
    assert len(links) == 2 and {m for link in links for m in link} == templates
    assert links <= {
        ("org/template-a", "org/template-b"),
        ("org/template-a", "org/template-c"),
        ("org/template-b", "org/template-c"),
    }
    assert all(r["card_jaccard"] >= 0.95 for r in found)


def test_a_bucket_of_templated_variants_is_a_forest_not_all_pairs(spark) -> None:
    variants = [
        (f"org/variant-{i:02d}", TEMPLATE + "".join(f" v{i}w{k}" for k in range(12)))
        for i in range(30)
    ]
    sigs = signatures(spark, variants)
    assert sigs.select("minhash").distinct().count() > 20, "distinct signatures, not copies"

    found = {
        (r["a_id"], r["b_id"]): r["card_jaccard"]
        for r in near_duplicate_pairs(sigs, CONFIG).collect()
    }

    assert {m for link in found for m in link} == {m for m, _ in variants}
    # each bucket a forest: at most bands * 29 links (one cluster of 30), not its 435 pairs
    bands, _ = choose_bands(CONFIG.num_perm, CONFIG.lsh_threshold)
    assert 29 <= len(found) <= bands * 29 < 435
    assert all(value >= CONFIG.lsh_threshold for value in found.values())


def test_a_huge_bucket_is_a_star_not_all_pairs(spark) -> None:
    same = [(f"m{i:03d}", TEMPLATE) for i in range(60)]
    sigs = signatures(spark, same)
    pairs = large_bucket_stars(shared_buckets(band_buckets(sigs, CONFIG)), max_bucket=10).collect()
    assert sorted((r["a_id"], r["b_id"]) for r in pairs) == [
        ("m000", f"m{i:03d}") for i in range(1, 60)
    ]


def test_large_buckets_keep_the_star_links_their_signatures_verify(spark) -> None:
    """Buckets over max_bucket become stars around their smallest id, each link kept only
    when the centre's and the member's own signatures agree enough, with that estimate."""
    variants = [
        (f"org/variant-{i:02d}", TEMPLATE + "".join(f" v{i}w{k}" for k in range(5 * i)))
        for i in range(24)
    ]
    sigs = signatures(spark, variants)
    config = dataclasses.replace(CONFIG, max_bucket=5)
    signature = {r["model_id"]: r["minhash"] for r in sigs.collect()}

    def estimate(a: str, b: str) -> float:
        return sum(x == y for x, y in zip(signature[a], signature[b], strict=True)) / len(
            signature[a]
        )

    stars = large_bucket_stars(shared_buckets(band_buckets(sigs, config)), config.max_bucket)
    star_pairs = {(r["a_id"], r["b_id"]) for r in stars.collect()}
    found = {
        (r["a_id"], r["b_id"]): r["card_jaccard"]
        for r in near_duplicate_pairs(sigs, config).collect()
    }

    verified = {p for p in star_pairs if estimate(*p) >= config.lsh_threshold}
    assert verified and verified != star_pairs, "some star links pass, some fail"
    assert verified <= set(found)
    assert not (star_pairs - verified) & set(found)
    assert all(value == estimate(*pair) >= config.lsh_threshold for pair, value in found.items())


def test_copies_are_a_star_and_lsh_runs_once_per_distinct_signature(spark) -> None:
    copies = [(f"copy/{i:03d}", TEMPLATE) for i in range(40)]
    variants = [(f"variant/{i}", TEMPLATE + f" and one more line {i}") for i in range(3)]
    sigs = signatures(spark, [*copies, *variants, ("org/other", prose(2))])

    found = {
        (r["a_id"], r["b_id"]): r["card_jaccard"]
        for r in near_duplicate_pairs(sigs, CONFIG).collect()
    }

    star = {("copy/000", f"copy/{i:03d}"): 1.0 for i in range(1, 40)}
    assert {k: v for k, v in found.items() if k[1].startswith("copy/")} == star
    variant_links = {k for k in found if k[1].startswith("variant/")}
    assert len(variant_links) <= 6, "pairs among 4 distinct signatures, never with each copy"
    linked = {m for link in variant_links for m in link}
    assert linked - {"copy/000"} == {"variant/0", "variant/1", "variant/2"}
    assert all(v >= CONFIG.lsh_threshold for v in found.values())
    assert not any("org/other" in k for k in found)


def test_near_duplicate_pairs_are_written_with_one_schema_however_they_are_written(
    spark, tmp_path
) -> None:
    """The table's Parquet schema does not depend on the plan that writes it. Here no
    bucket is large enough for a star: straight from its plan, Spark's adaptive execution
    dropped the empty star branch and wrote `card_jaccard` as not null; from a cached
    frame, as the similarity stage wrote it, the same rows came out nullable. Signatures
    come from Parquet, as the stage reads them."""
    variants = [
        (f"org/variant-{i:02d}", TEMPLATE + "".join(f" v{i}w{k}" for k in range(5 * i)))
        for i in range(24)
    ]
    copies = [(f"copy/{i}", TEMPLATE) for i in range(3)]
    signatures(spark, variants + copies).write.parquet(str(tmp_path / "signatures"))
    near = near_duplicate_pairs(spark.read.parquet(str(tmp_path / "signatures")), CONFIG)
    near.write.parquet(str(tmp_path / "plain"))
    cached = near.persist()
    cached.write.parquet(str(tmp_path / "cached"))
    cached.unpersist()

    written = {way: pq.read_table(tmp_path / way) for way in ("plain", "cached")}
    assert {way: table.num_rows for way, table in written.items()} == {"plain": 13, "cached": 13}
    fields = {way: [(f.name, f.nullable) for f in t.schema] for way, t in written.items()}
    every_nullable = [("a_id", True), ("b_id", True), ("card_jaccard", True)]
    assert fields == {"plain": every_nullable, "cached": every_nullable}


def finetuned_models(spark, declared: dict[str, tuple[dict, list[str]]]):
    """Models with the given traits, each a fine-tune of its listed parents (by tag)."""
    from jobs import schemas

    rows = []
    for model_id, (traits, parents) in declared.items():
        row = dict.fromkeys(schemas.MODELS.fieldNames())
        row.update(model_id=model_id, **traits)
        row["base_models"] = [
            {"parent_id": p, "relation": "finetune", "source": "tag", "other_relations": []}
            for p in parents
        ]
        rows.append(row)
    return spark.createDataFrame(rows, schemas.MODELS)


def test_pair_types_on_a_small_family(spark) -> None:
    from jobs.lineage import build_edges
    from jobs.similarity import score_pairs, typed_pairs

    family = {"p": [], "c1": ["p"], "c2": ["p"], "c3": ["p"], "g": ["c1"]}
    models = finetuned_models(
        spark,
        {
            m: ({"licenses": ["mit"] if m != "g" else ["mit", "other"]}, parents)
            for m, parents in family.items()
        },
    )
    edges, _ = build_edges(models)
    sigs = signatures(spark, [(m, TEMPLATE) for m in family])
    config = SimilarityConfig(sibling_pairs_per_parent=2, random_pairs=2)
    nodes = spark.createDataFrame(
        [
            (m, "all", "c1", len(ps), sum(m in up for up in family.values()))
            for m, ps in family.items()
        ]
        + [("loner", "all", "loner", 0, 0)],
        "model_id string, view string, family_id string, n_parents int, n_children int",
    )

    pairs = typed_pairs(edges, nodes, sigs, config, ("all",)).collect()

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
        for r in score_pairs(
            typed_pairs(edges, nodes, sigs, config, ("all",)), models, sigs
        ).collect()
    }
    grand = scored[("grandparent_grandchild", "p", "g")]
    assert grand["license_jaccard"] == 0.5  # {mit} vs {mit, other}
    assert grand["card_jaccard"] == 1.0
    assert grand["language_jaccard"] is None  # neither declares a language


def test_traits_compare_only_where_both_declare_and_siblings_need_a_known_parent(spark) -> None:
    """DESIGN's mutation rate counts the edges where both ends declare a trait; similarity
    scores the same pairs (an undeclared side read as 0 pulled every kin type towards 0).
    Children of a parent outside the snapshot are roots of their own families, no siblings."""
    from jobs.lineage import build_edges
    from jobs.similarity import score_pairs, typed_pairs

    traits = {
        "p": (["mit"], ["en", "fr"], []),
        "c1": (["mit"], ["en"], ["p"]),
        "c2": ([], [], ["p"]),
        "o1": (["mit"], [], ["gone/base"]),
        "o2": (["mit"], [], ["gone/base"]),
    }
    models = finetuned_models(
        spark,
        {
            m: ({"licenses": licenses, "languages": languages}, parents)
            for m, (licenses, languages, parents) in traits.items()
        },
    )
    edges, _ = build_edges(models)
    sigs = signatures(spark, [(m, TEMPLATE) for m in traits])
    config = SimilarityConfig(sibling_pairs_per_parent=5, random_pairs=1)
    nodes = spark.createDataFrame(
        [(m, "all", m if m.startswith("o") else "p", 0, 0) for m in traits],
        "model_id string, view string, family_id string, n_parents int, n_children int",
    )
    pairs = typed_pairs(edges, nodes, sigs, config, ("all",))
    scored = {
        (r["pair_type"], r["a_id"], r["b_id"]): r
        for r in score_pairs(pairs, models, sigs).collect()
    }
    assert {(a, b) for kind, a, b in scored if kind == "siblings"} == {("c1", "c2")}
    c1, c2 = scored["parent_child", "p", "c1"], scored["parent_child", "p", "c2"]
    assert (c1["license_jaccard"], c1["language_jaccard"]) == (1.0, 0.5)
    assert (c2["license_jaccard"], c2["language_jaccard"]) == (None, None)


def test_a_pair_scored_once_keeps_every_view_and_type_it_stands_for(spark) -> None:
    """One distinct pair in several views and types comes back once per (view, type), each
    row with the pair's scores; a pair in one view only never leaks into another."""
    from jobs import schemas
    from jobs.similarity import score_pairs

    rows = []
    for model_id, licenses in {"p": ["mit"], "c": ["mit", "other"], "x": ["mit"]}.items():
        row = dict.fromkeys(schemas.MODELS.fieldNames())
        row.update(model_id=model_id, licenses=licenses)
        rows.append(row)
    models = spark.createDataFrame(rows, schemas.MODELS)
    sigs = signatures(spark, [("p", TEMPLATE), ("c", TEMPLATE), ("x", prose(7))])
    pairs = spark.createDataFrame(
        [
            ("all", "parent_child", "p", "c"),
            ("no_merges", "parent_child", "p", "c"),
            ("all_plus_inferred", "parent_child", "p", "c"),
            ("all", "random", "p", "c"),
            ("finetune_only", "siblings", "c", "x"),
        ],
        "view string, pair_type string, a_id string, b_id string",
    )

    scored = score_pairs(pairs, models, sigs).collect()

    kinds = sorted((r["view"], r["pair_type"], r["a_id"], r["b_id"]) for r in scored)
    assert kinds == sorted(tuple(r) for r in pairs.collect())
    p_c = [r for r in scored if (r["a_id"], r["b_id"]) == ("p", "c")]
    assert {(r["card_jaccard"], r["license_jaccard"]) for r in p_c} == {(1.0, 0.5)}
    (c_x,) = [r for r in scored if r["a_id"] == "c"]
    assert c_x["license_jaccard"] == 0.5 and c_x["card_jaccard"] < 0.2


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
        for r in card_clusters(near, models, LineageConfig()).collect()
    }
    assert found == {
        "a/x": ("a/x", 3, "b/y"),
        "b/y": ("a/x", 3, "b/y"),
        "c/z": ("a/x", 3, "b/y"),
        "d/u": ("d/u", 2, "d/u"),  # a download tie goes to the smaller id
        "e/v": ("d/u", 2, "d/u"),
    }


def test_same_family_pairs_are_the_hash_order_taken_two_by_two(spark) -> None:
    """Members of a family in seeded-hash order pair 1-2, 3-4, ... up to `cap` pairs; a
    member without a card takes no part, an odd one out and a family of one get none."""
    members = {"big": [f"org/m{i}.v2" for i in range(8)], "one": ["org/alone"]}
    # "big" is a chain m0 -> m1 -> ... -> m7: its first member has no parent, its last no child
    edge_counts = {m: (int(i > 0), int(i < 7)) for i, m in enumerate(members["big"])}
    nodes = spark.createDataFrame(
        [
            (view, m, fam, *edge_counts.get(m, (0, 0)))
            for view in ("all", "merge_only")
            for fam, ms in members.items()
            for m in ms
        ],
        "view string, model_id string, family_id string, n_parents int, n_children int",
    )
    carded = [m for ms in members.values() for m in ms if m != "org/m3.v2"]
    sigs = spark.createDataFrame([(m,) for m in carded], "model_id string")
    seed = 11
    order = {
        r["model_id"]: (r["h"], r["model_id"])
        for r in sigs.select("model_id", F.xxhash64(F.lit(seed), "model_id").alias("h")).collect()
    }
    in_order = sorted((m for m in members["big"] if m in order), key=order.__getitem__)
    for cap, expected_pairs in ((2, 2), (3, 3), (9, 3)):
        got = sorted(tuple(r) for r in same_family_pairs(nodes, sigs, cap, seed).collect())
        expected = sorted(
            (view, in_order[2 * k], in_order[2 * k + 1])
            for view in ("all", "merge_only")
            for k in range(expected_pairs)
        )
        assert got == expected, cap


def test_card_estimates_keep_pairs_without_a_signature_only_when_asked(spark, sigs) -> None:
    pairs = spark.createDataFrame(
        [("org/template-a", "org/template-b"), ("org/template-a", "org/no-card")],
        "a_id string, b_id string",
    )
    inner = {
        (r["a_id"], r["b_id"]): r["card_jaccard"] for r in card_estimates(pairs, sigs).collect()
    }
    left = {
        (r["a_id"], r["b_id"]): r["card_jaccard"]
        for r in card_estimates(pairs, sigs, how="left").collect()
    }
    assert list(inner) == [("org/template-a", "org/template-b")]
    assert inner[("org/template-a", "org/template-b")] > 0.9  # the YAML alone differs
    assert left == {**inner, ("org/template-a", "org/no-card"): None}
