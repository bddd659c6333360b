"""Audit measures on hand-made models with hand-counted answers."""

from __future__ import annotations

import pytest

from jobs import schemas
from jobs.audit import missing_attributes, missing_flags, model_index_by_task, orphans, weight_risk
from jobs.config import AuditConfig
from jobs.lineage import build_edges

pytestmark = pytest.mark.spark


def model(model_id: str, **fields):
    row = dict.fromkeys(schemas.MODELS.fieldNames())
    row.update(model_id=model_id, base_models=[], licenses=[], languages=[], datasets=[])
    row.update(fields)
    return row


@pytest.fixture(scope="module")
def models(spark):
    rows = [
        model(
            "org/base",
            pipeline_tag="fill-mask",
            licenses=["mit"],
            languages=["en"],
            library_name="transformers",
            has_card=True,
            has_model_index=True,
            files=["model.safetensors", "pytorch_model.bin"],
        ),
        model(
            "org/base-finetuned-x",
            pipeline_tag="fill-mask",
            licenses=["unknown"],
            has_card=True,
            has_model_index=False,
            files=["pytorch_model.bin"],
            base_models=[
                {
                    "parent_id": "gone/model",
                    "relation": "finetune",
                    "source": "yaml",
                    "other_relations": [],
                }
            ],
        ),
        model(
            "org/thing-lora",
            pipeline_tag="token-classification",
            has_card=False,
            has_model_index=True,
            files=["adapter.gguf"],
        ),
        model("org/plain", has_card=True, has_model_index=False),
    ]
    return spark.createDataFrame(rows, schemas.MODELS)


def test_missing_attribute_shares(models) -> None:
    table = missing_attributes(missing_flags(models, AuditConfig()))
    got = {(r["scope"], r["attribute"]): (r["n_models"], r["n_missing"]) for r in table.collect()}
    # license: only org/base declares a usable one ("unknown" is not a license).
    assert got[("all", "license")] == (4, 3)
    assert got[("all", "card")] == (4, 1)
    assert got[("all", "pipeline_tag")] == (4, 1)
    # base_model is judged on derived-looking names only: -finetuned-x has one, -lora not.
    assert got[("all", "base_model")] == (2, 1)
    assert got[("fill-mask", "languages")] == (2, 1)
    assert got[("(untagged)", "model_index")] == (1, 1)


def test_model_index_by_task(models) -> None:
    rows = {
        r["pipeline_tag"]: (r["n_models"], r["share"])
        for r in model_index_by_task(models).collect()
    }
    assert rows == {"fill-mask": (2, 0.5), "token-classification": (1, 1.0), "(untagged)": (1, 0.0)}


def test_weight_risk_where_files_are_known(models) -> None:
    rows = {r["weight_format"]: (r["n_models"], r["share"]) for r in weight_risk(models).collect()}
    assert rows == {
        "safetensors": (1, 1 / 3),
        "pickle_only": (1, 1 / 3),
        "no_weights_recognised": (1, 1 / 3),
    }


def test_orphans_are_children_of_missing_parents(models) -> None:
    edges, _ = build_edges(models)
    assert [tuple(r) for r in orphans(edges).collect()] == [
        ("org/base-finetuned-x", "gone/model", "finetune")
    ]


def test_null_lists_are_missing_with_ansi_off(spark) -> None:
    """Clusters that run with `spark.sql.ansi.enabled=false` get size(null) = -1, which a
    coalesce of the size took for a declared list."""
    rows = [model("org/a", languages=None, datasets=None), model("org/b", languages=["en"])]
    before = spark.conf.get("spark.sql.ansi.enabled")
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        flags = missing_flags(spark.createDataFrame(rows, schemas.MODELS), AuditConfig())
        got = {(r["attribute"], r["n_missing"]) for r in missing_attributes(flags).collect()}
    finally:
        spark.conf.set("spark.sql.ansi.enabled", before)
    assert {("languages", 1), ("datasets", 2)} <= got
