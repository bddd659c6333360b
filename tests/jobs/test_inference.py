"""Inferred parents on hand-made snapshots with real-shaped ids: what resolves, what is
refused, how evidence combines, how the view and the evaluation use it."""

from __future__ import annotations

import pytest

from jobs import schemas
from jobs.config import InferenceConfig
from jobs.inference import evaluation, inferred_edges, name_candidates, score_edges, view_edges
from jobs.lineage import build_edges, edges_in_view
from udfs.inferred import (
    ADAPTER,
    EVIDENCE_TYPES,
    FINETUNE,
    MERGE,
    NAME,
    QUANTIZED,
    SAME_NAME,
    UNKNOWN,
    card_parent_mentions,
    combine_confidence,
    derived_name,
    pick_relation,
)
from udfs.minhash import Sketcher, to_list

pytestmark = pytest.mark.spark

LONG = "espnet/" + "kamo-naoyuki_librispeech_asr_train_asr_conformer6_n_fft512_hop" + "9" * 45
CONFIG = InferenceConfig()
SHARED_CARD = " ".join(f"word{i} text{i % 7} more{i % 3}" for i in range(200))


def model(model_id, created="2024-01-01T00:00:00", downloads=10, body="", declares=()):
    row = dict.fromkeys(schemas.MODELS.fieldNames())
    row.update(
        model_id=model_id,
        created_at=created,
        downloads=downloads,
        parent_mentions=card_parent_mentions(body),
        base_models=[
            {"parent_id": p, "relation": "finetune", "source": "tag", "other_relations": []}
            for p in declares
        ],
    )
    return row


@pytest.fixture(scope="module")
def snapshot(spark):
    rows = [
        model("meta-llama/Llama-2-7b-hf", "2023-07-01T00:00:00", 900_000),
        model("someone/llama-2-7b-hf", "2023-08-01T00:00:00", 5),  # a re-upload, less used
        model("TheBloke/Llama-2-7B-hf-GGUF", "2023-09-01T00:00:00"),  # name only
        model(
            "fan/llama-2-7b-hf",  # name only, but its card copies the popular one's
            "2023-10-01T00:00:00",
            1,
            body=SHARED_CARD,
        ),
        model("distilbert-base-uncased", "2020-01-01T00:00:00", 50_000),
        model(
            "user/distilbert-imdb.v2",
            "2022-01-01T00:00:00",
            body="This model is a fine-tuned version of [distilbert-base-uncased]"
            "(https://huggingface.co/distilbert-base-uncased) on the imdb dataset.",
        ),
        model(
            "user/declares",
            body="This model is a fine-tuned version of [x](https://huggingface.co/"
            "DistilBERT-base-uncased).",
            declares=["distilbert-base-uncased"],
        ),
        model(
            "user/links-only",
            body="We compare with [gpt2](https://huggingface.co/someone/gpt2-gone) in the paper.",
        ),
        model(
            "org/old-child",
            "2019-01-01T00:00:00",
            body="Fine-tuned version of [d](https://huggingface.co/distilbert-base-uncased).",
        ),
        model(LONG, body=f"Fine-tuned from model: https://huggingface.co/{LONG}"),
        model("mwesner/bert-base-uncased", "2020-06-01T00:00:00", 8),  # a stray copy
        model("beomus/layoutxlm", "2021-01-01T00:00:00", 125),
        model(
            "bjorz/layoutxlm-finetuned-funsd-test",
            "2022-01-01T00:00:00",
            body="This model is a fine-tuned version of [microsoft/layoutxlm-base]"
            "(https://huggingface.co/microsoft/layoutxlm-base) on an unknown dataset.",
        ),
        model(
            "caioamb/bert-base-uncased-finetuned-md",
            "2021-06-01T00:00:00",
            body="This model is a fine-tuned version of [bert-base-uncased]"
            "(https://huggingface.co/bert-base-uncased) on an unknown dataset.",
        ),
        model(
            "org/modèle-é.git", body="GGUF quants of [t](https://huggingface.co/org/unlisted.v1)"
        ),
        model("org/base-x", "2020-01-01T00:00:00"),
        model("org/cloned", body="Fine-tuned version of https://huggingface.co/org/base-x.git."),
        model("org/self", body="git clone https://huggingface.co/ORG/self.git"),
        model(
            "fan/of-git",
            "2025-01-01T00:00:00",
            body="Quants of [m](https://huggingface.co/org/modèle-é.git).",
        ),
    ]
    models = spark.createDataFrame(rows, schemas.MODELS)
    sketcher = Sketcher()
    signature = to_list(sketcher.signatures([SHARED_CARD])[0])
    signatures = spark.createDataFrame(
        [(m, signature, 400) for m in ("meta-llama/Llama-2-7b-hf", "fan/llama-2-7b-hf")],
        schemas.SIGNATURES,
    )
    inferred = {
        (r.child_id, r.parent_id): r.asDict()
        for r in inferred_edges(models, signatures, CONFIG).collect()
    }
    return models, inferred


def test_prose_resolves_ids_case_insensitively_and_keeps_unknown_parents(snapshot) -> None:
    _, inferred = snapshot
    imdb = inferred["user/distilbert-imdb.v2", "distilbert-base-uncased"]
    assert (imdb["relation"], imdb["evidence"], imdb["parent_known"]) == (
        "finetune",
        ["prose"],
        True,
    )
    assert imdb["confidence"] == pytest.approx(CONFIG.prose)
    declares = inferred["user/declares", "distilbert-base-uncased"]
    assert declares["child_declares"] is True
    unlisted = inferred["org/modèle-é.git", "org/unlisted.v1"]
    assert (unlisted["relation"], unlisted["parent_known"]) == ("quantized", False)


def test_a_git_remote_names_the_model_and_a_git_named_model_is_found(snapshot) -> None:
    """`https://huggingface.co/org/m.git` is how a card says `git clone`: it means org/m, and
    on org/m's own card it is no parent; a model whose name ends in `.git` is still found."""
    _, inferred = snapshot
    cloned = inferred["org/cloned", "org/base-x"]
    assert (cloned["relation"], cloned["parent_known"]) == ("finetune", True)
    assert not [pair for pair in inferred if pair[0] == "org/self"]
    assert inferred["fan/of-git", "org/modèle-é.git"]["parent_known"] is True


def test_names_resolve_to_the_model_a_name_means(snapshot) -> None:
    _, inferred = snapshot
    gguf = inferred["TheBloke/Llama-2-7B-hf-GGUF", "meta-llama/Llama-2-7b-hf"]
    assert (gguf["relation"], gguf["evidence"]) == ("quantized", ["name"])
    # The bare name under another namespace points at the most downloaded holder of it.
    assert inferred["someone/llama-2-7b-hf", "meta-llama/Llama-2-7b-hf"]["evidence"] == [
        "same_name"
    ]
    assert not any(child == "meta-llama/Llama-2-7b-hf" for child, _ in inferred)


def test_name_candidates_in_spark_are_the_python_rules(spark) -> None:
    """Spark sends only hinted names (and non-ASCII ones) to `derived_name`; every name
    still gets what the Python rules give it, a Unicode digit (`٤`, which Java's `\\d`
    does not match) and a name without a namespace included."""
    ids = [
        "TheBloke/Llama-2-7B-Chat-GGUF",
        "me/Mistral-7B-v0.1-Q4_K_M-GGUF",
        "u/bert-base-uncased-finetuned-squad",
        "x/phi-2_lora",
        "q/model-6.5bpw-exl2",
        "org/MODÈLE-7B-GGUF",
        "org/llama-٤bpw",
        "org/modèle-é.git",
        "gpt2",
        "org/GGUF",
        LONG,
        "a/b-lora",
    ]
    models = spark.createDataFrame([model(i) for i in ids], schemas.MODELS)
    found = {tuple(r) for r in name_candidates(models).collect()}
    same = {(i, i.rpartition("/")[2].lower(), UNKNOWN, SAME_NAME) for i in ids}
    derived = {
        (i, d["base_name"], d["relation"], NAME) for i in ids if (d := derived_name(i)) is not None
    }
    assert found == same | derived
    assert ("org/llama-٤bpw", "llama", QUANTIZED, NAME) in derived


def test_the_name_rule_runs_once_per_name(spark) -> None:
    """The Python name rule is one step of the plan, not one for the filter on its result
    and another for the columns taken from it."""
    models = spark.createDataFrame([model("TheBloke/Llama-2-7B-Chat-GGUF")], schemas.MODELS)
    plan = name_candidates(models)._jdf.queryExecution().executedPlan().toString()
    assert plan.count("ArrowEvalPython") == 1


def test_a_bare_name_never_means_a_little_used_copy(snapshot) -> None:
    """The 2022 slice has `mwesner/bert-base-uncased` (8 downloads) but not
    `bert-base-uncased`: its fine-tunes' parent stays the id their cards name."""
    _, inferred = snapshot
    parents = {
        p: r for (c, p), r in inferred.items() if c == "caioamb/bert-base-uncased-finetuned-md"
    }
    assert set(parents) == {"bert-base-uncased"}
    assert parents["bert-base-uncased"]["parent_known"] is False


def test_a_parent_the_card_names_beats_a_name_match(snapshot) -> None:
    _, inferred = snapshot
    parents = {p for c, p in inferred if c == "bjorz/layoutxlm-finetuned-funsd-test"}
    assert parents == {"microsoft/layoutxlm-base"}


def test_near_duplicate_cards_only_add_to_other_evidence(snapshot) -> None:
    _, inferred = snapshot
    copy = inferred["fan/llama-2-7b-hf", "meta-llama/Llama-2-7b-hf"]
    assert copy["evidence"] == ["near_duplicate", "same_name"]
    alone = 1 - (1 - CONFIG.same_name)
    assert copy["confidence"] == pytest.approx(
        1 - (1 - CONFIG.same_name) * (1 - CONFIG.near_duplicate)
    )
    assert copy["confidence"] > alone


def test_refused_candidates(snapshot) -> None:
    _, inferred = snapshot
    assert ("org/old-child", "distilbert-base-uncased") not in inferred  # parent is younger
    assert not any(child == LONG for child, _ in inferred)  # names itself
    links = inferred["user/links-only", "someone/gpt2-gone"]
    assert links["confidence"] < CONFIG.threshold


def test_view_adds_confident_edges_of_undeclaring_models_only(spark, snapshot) -> None:
    models, _ = snapshot
    edges, _ = build_edges(models)
    signatures = spark.createDataFrame([], schemas.SIGNATURES)
    inferred = inferred_edges(models, signatures, CONFIG)
    combined = view_edges(edges, inferred, CONFIG.threshold)
    declared = {(r.child_id, r.parent_id) for r in edges_in_view(combined, "all").collect()}
    everything = {
        (r.child_id, r.parent_id) for r in edges_in_view(combined, "all_plus_inferred").collect()
    }
    assert declared == {("user/declares", "distilbert-base-uncased")}
    assert ("user/distilbert-imdb.v2", "distilbert-base-uncased") in everything
    assert ("user/links-only", "someone/gpt2-gone") not in everything
    assert not any(
        child == "user/declares" and (child, p) not in declared for child, p in everything
    )


def test_evaluation_scores_inference_against_declarations(spark, snapshot) -> None:
    models, _ = snapshot
    edges, _ = build_edges(models)
    inferred = inferred_edges(models, spark.createDataFrame([], schemas.SIGNATURES), CONFIG)
    rows = {(r.group, r.key, r.threshold): r for r in evaluation(inferred, edges, 0.5).collect()}
    overall = rows["overall", "all", 0.5]
    assert (overall.n_predicted, overall.n_correct, overall.n_truth) == (1, 1, 1)
    assert (overall.precision, overall.recall) == (1.0, 1.0)
    assert rows["overall", "all", 0.9].n_predicted == 0
    assert rows["overall", "all", 0.9].precision is None
    assert rows["evidence", "prose", 0.5].n_correct == 1
    assert rows["relation", "finetune", 0.5].n_found == 1


def test_scoring_in_spark_sql_equals_the_python_rules_bit_for_bit(spark) -> None:
    """Every set of evidence kinds, each row with a relation that varies by position
    (unknown included), repeated rows too: Spark's relation and confidence are exactly the
    Python rules' (`pick_relation`, `combine_confidence`)."""
    relations = (FINETUNE, ADAPTER, QUANTIZED, MERGE, UNKNOWN)
    weights = {**CONFIG.weights(), "link": 0.1 + 1e-9}  # a weight with an inexact product
    config = InferenceConfig(link=weights["link"])
    groups: dict[str, list[dict[str, str]]] = {}
    for mask in range(1, 2 ** len(EVIDENCE_TYPES)):
        kinds = [k for bit, k in enumerate(EVIDENCE_TYPES) if mask >> bit & 1]
        rows = [
            {"relation": relations[(mask + at) % len(relations)], "evidence": kind}
            for at, kind in enumerate(kinds + kinds[:1])
        ]
        groups[f"child-{mask}"] = rows
    evidence = spark.createDataFrame(
        [
            (child, "org/parent", row["relation"], row["evidence"], True, False)
            for child, rows in groups.items()
            for row in rows
        ],
        "child_id string, parent_id string, relation string, evidence string, "
        "parent_known boolean, child_declares boolean",
    )
    scored = {r.child_id: r for r in score_edges(evidence, config).collect()}
    expected = {
        child: (pick_relation(rows), combine_confidence([r["evidence"] for r in rows], weights))
        for child, rows in groups.items()
    }
    kept = {child for child, (_, confidence) in expected.items() if confidence > 0}
    assert set(scored) == kept and len(kept) == len(groups) - 1  # near_duplicate alone: 0
    for child in kept:
        assert (scored[child].relation, scored[child].confidence) == expected[child], child
        assert scored[child].evidence == sorted({r["evidence"] for r in groups[child]})
