"""Edges from declared parents, on hand-made models where the answer is obvious."""

from __future__ import annotations

import pytest

from jobs import schemas
from jobs.lineage import build_edges, edges_in_view

pytestmark = pytest.mark.spark


def models_frame(spark, declared: dict[str, list[tuple[str, str]]]):
    """Models with only ids and base_models filled: {child: [(parent, relation), ...]}."""
    rows = []
    for model_id, parents in declared.items():
        row = dict.fromkeys(schemas.MODELS.fieldNames())
        row["model_id"] = model_id
        row["base_models"] = [
            {"parent_id": p, "relation": r, "source": "tag", "other_relations": []}
            for p, r in parents
        ]
        rows.append(row)
    return spark.createDataFrame(rows, schemas.MODELS)


def test_edges_self_loops_and_missing_parents(spark) -> None:
    models = models_frame(
        spark,
        {
            "base": [],
            "ft": [("base", "finetune")],
            "q": [("ft", "quantized")],
            "merged": [("ft", "merge"), ("other/gone", "merge")],
            "selfish": [("selfish", "finetune")],
            "isolated": [],
        },
    )

    edges, self_loops = build_edges(models)

    got = sorted((e.child_id, e.parent_id, e.relation, e.parent_known) for e in edges.collect())
    assert got == [
        ("ft", "base", "finetune", True),
        ("merged", "ft", "merge", True),
        ("merged", "other/gone", "merge", False),
        ("q", "ft", "quantized", True),
    ]
    assert [tuple(r) for r in self_loops.collect()] == [("selfish", "finetune")]
    assert edges.schema.fieldNames() == schemas.EDGES.fieldNames()


def test_a_parent_is_the_snapshot_model_of_its_id_in_any_case_and_without_git(spark) -> None:
    """Hub ids are one repository whatever their case, and cards often write the base
    model in lower case or as a git remote: the edge is known and spelled as the snapshot
    spells it; a model naming itself in another case is a self-loop, not an orphan."""
    models = models_frame(
        spark,
        {
            "meta-llama/Llama-2-7b-hf": [],
            "me/ft": [("meta-llama/llama-2-7b-hf", "finetune")],
            "me/q": [("https-style/Remote", "quantized")],
            "https-style/remote.git": [],
            "Org/M": [("org/m", "finetune")],
            "two/Spellings": [],
            "two/spellings": [],
            "me/exact": [("two/spellings", "finetune")],
            "me/orphan": [("gone/Model.git", "finetune")],
        },
    )
    edges, self_loops = build_edges(models)
    got = sorted((e.child_id, e.parent_id, e.parent_known) for e in edges.collect())
    assert got == [
        ("me/exact", "two/spellings", True),
        ("me/ft", "meta-llama/Llama-2-7b-hf", True),
        ("me/orphan", "gone/Model.git", False),
        ("me/q", "https-style/remote.git", True),
    ]
    assert [tuple(r) for r in self_loops.collect()] == [("Org/M", "finetune")]


def test_graph_views(spark) -> None:
    models = models_frame(
        spark,
        {
            "a": [],
            "b": [("a", "finetune")],
            "c": [("b", "adapter")],
            "m": [("a", "merge"), ("c", "merge")],
        },
    )
    edges, _ = build_edges(models)

    def view(name: str) -> list[tuple[str, str]]:
        return sorted((e.child_id, e.parent_id) for e in edges_in_view(edges, name).collect())

    assert view("all") == [("b", "a"), ("c", "b"), ("m", "a"), ("m", "c")]
    assert view("no_merges") == [("b", "a"), ("c", "b")]
    assert view("finetune_only") == [("b", "a")]
    with pytest.raises(ValueError, match="unknown graph view"):
        edges_in_view(edges, "everything")
