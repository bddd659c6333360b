"""Edge changes between two snapshots on hand-made edges (no GraphFrames, no sample)."""

from __future__ import annotations

import pytest

from jobs import diff

pytestmark = pytest.mark.spark


def test_a_relation_change_is_neither_a_removed_nor_an_added_edge(spark) -> None:
    """c -> p was `unknown` and becomes `merge` when c declares a second parent q: one
    edge added (c -> q), one relation changed, nothing removed."""
    columns = "child_id string, parent_id string, relation string"
    old = spark.createDataFrame([("c", "p", "unknown"), ("d", "p", "finetune")], columns)
    new = spark.createDataFrame([("c", "p", "merge"), ("c", "q", "merge")], columns)
    got = {tuple(r) for r in diff.edge_changes(old, new).collect()}
    assert got == {
        ("c", "p", "merge", "unknown", "relation_changed"),
        ("c", "q", "merge", None, "added"),
        ("d", "p", "finetune", None, "removed"),
    }
