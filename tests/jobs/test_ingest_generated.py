"""Ingest on a generated snapshot recovers exactly what the generator declared."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jobs.cli import JobArgs
from jobs.config import load_config
from jobs.ingest import run
from jobs.tables import read_table

pytestmark = pytest.mark.spark

SNAPSHOT = "2026-11-01"


@pytest.fixture(scope="module")
def ingested(spark, generated_tables):
    counts, output, snapshot = generated_tables
    models = {
        r["model_id"]: r for r in read_table(spark, str(output), "models", snapshot).collect()
    }
    rejects = read_table(spark, str(output), "rejects", snapshot).collect()
    return counts, models, rejects


def truth(sample: Path, name: str) -> list[dict]:
    return pq.read_table(sample / "truth" / f"{name}.parquet").to_pylist()


def test_counts_reconcile_and_only_duplicates_are_rejected(ingested, generated_sample) -> None:
    counts, models, rejects = ingested
    manifest = json.loads((generated_sample / "manifest.json").read_text())
    assert counts["rows_in"] == manifest["n_rows"] == counts["models"] + counts["rejects"]
    assert len(models) == manifest["n_models"]
    assert {r["reason"] for r in rejects} == {"duplicate_id"}
    assert len(rejects) == manifest["broken"]["duplicate_id"]


def test_declared_parents_equal_the_true_edges(ingested, generated_sample) -> None:
    _, models, _ = ingested
    found = {
        (m["model_id"], b["parent_id"], b["relation"])
        for m in models.values()
        for b in m["base_models"]
    }
    declared = {
        (e["child_id"], e["parent_id"], e["relation"])
        for e in truth(generated_sample, "edges")
        if e["declared_via"] not in ("prose", "name")
    }
    assert found == declared


def test_card_presence_licenses_and_languages_match_the_truth(ingested, generated_sample) -> None:
    _, models, _ = ingested
    nodes = {n["model_id"]: n for n in truth(generated_sample, "nodes")}
    assert set(nodes) == set(models)
    mismatched = [
        m
        for m, n in nodes.items()
        if (models[m]["has_card"], sorted(models[m]["licenses"]), sorted(models[m]["languages"]))
        != (n["has_card"], sorted(n["licenses"]), sorted(n["languages"]))
    ]
    broken = {b["model_id"] for b in truth(generated_sample, "broken") if b["kind"] == "bad_yaml"}
    assert set(mismatched) <= broken, sorted(set(mismatched) - broken)[:5]


def test_hub_listing_gives_the_same_models_and_parents(
    spark, ingested, generated_sample, tmp_path: Path
) -> None:
    _, dump_models, _ = ingested
    args = JobArgs(
        generated_sample / "hub-listing", "hub-listing", tmp_path, SNAPSHOT, load_config()
    )
    run(spark, args)
    listing = read_table(spark, str(tmp_path), "models", SNAPSHOT).collect()
    assert {m["model_id"] for m in listing} == set(dump_models)
    assert {(m["model_id"], b["parent_id"]) for m in listing for b in m["base_models"]} == {
        (m["model_id"], b["parent_id"]) for m in dump_models.values() for b in m["base_models"]
    }
    assert all(m["files"] for m in listing)
