"""From the Hub's shapes to the models table in one path: a fetch_hub folder (listing and
READMEs, from the project's Hub test server) ingested whole, and the Anatomy paper's CSV
read with its cards, parents and scrape failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.audit import weight_risk
from jobs.cli import JobArgs
from jobs.config import load_config
from jobs.ingest import run
from jobs.tables import read_table
from scripts import fetch_hub
from tests.jobs.ecosystem_csv import (
    RELATION_COLUMNS,
    parents_from_tags,
    write_cards_notebook_csv,
    write_ecosystem_csv,
    write_released_csv,
)
from tests.scripts.hub_server import FakeHub, make_models, real_shaped_models, serve

pytestmark = pytest.mark.spark

SNAPSHOT = "2026-11-01"
N_CSV = 500


def ingest(spark, input_path: Path, fmt: str, output: Path) -> dict[str, int]:
    return run(spark, JobArgs(input_path, fmt, output, SNAPSHOT, load_config()))


def models_of(spark, output: Path) -> dict[str, dict]:
    rows = read_table(spark, str(output), "models", SNAPSHOT).collect()
    return {r["model_id"]: r.asDict(recursive=True) for r in rows}


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory):
    """A fetch_hub folder (`--cards --files`) of 60 generated plus the real-shaped models."""
    models, readmes = make_models(60)
    shaped, shaped_readmes, states = real_shaped_models()
    out = tmp_path_factory.mktemp("fetch") / "hub"
    hub = FakeHub([*models, *shaped], {**readmes, **shaped_readmes}, states)
    with serve(hub):
        argv = ["--output", str(out), "--endpoint", hub.base_url, "--page-size", "25"]
        assert fetch_hub.main([*argv, "--cards", "--files", "--quiet", "--workers", "4"]) == 0
    return out, hub


def test_a_fetch_folder_ingests_whole_with_its_cards_and_listing_metadata(
    spark, fetched, tmp_path: Path
) -> None:
    folder, hub = fetched
    counts = ingest(spark, folder, "hub-listing", tmp_path / "out")
    assert counts == {"rows_in": len(hub.models), "models": len(hub.models), "rejects": 0}
    models = models_of(spark, tmp_path / "out")
    assert set(models) == {m["id"] for m in hub.models}
    for served in hub.models:
        row = models[served["id"]]
        readme = hub.readmes.get(served["id"])
        assert row["has_card"] == (readme is not None and len(readme) > 3), served["id"]
        assert (row["downloads"], row["likes"]) == (served["downloads"], served["likes"])
        assert row["files"] == [s["rfilename"] for s in served["siblings"]]
    reasons = {m: r["card_error"] for m, r in models.items() if r["card_error"]}
    assert reasons == {
        "meta-llama/Llama-3.1-8B": "GatedRepo",
        "someone/taken-down": "DisabledRepo",
        "private-org/private-model": "RepoNotFound",
        "someone/withheld-model": "HTTP 451",
        "someone/no-readme": "EntryNotFound",
        **{m: "EntryNotFound" for m in (r["id"] for r in hub.models[:60]) if m not in hub.readmes},
    }
    risk = {
        r["weight_format"]: r["n_models"]
        for r in weight_risk(read_table(spark, str(tmp_path / "out"), "models", SNAPSHOT)).collect()
    }
    files = [[s["rfilename"] for s in m["siblings"]] for m in hub.models]
    assert risk == {
        k: v
        for k, v in {
            "safetensors": sum(any(f.endswith(".safetensors") for f in fs) for fs in files),
            "pickle_only": sum(
                "pytorch_model.bin" in fs and not any(f.endswith(".safetensors") for f in fs)
                for fs in files
            ),
            "no_weights_recognised": sum(
                not any(f.endswith((".safetensors", ".bin")) for f in fs) for fs in files
            ),
        }.items()
        if v
    }


def test_a_readme_without_its_listing_row_is_rejected_not_lost(
    spark, fetched, tmp_path: Path
) -> None:
    folder, hub = fetched
    extra = folder / "cards" / "part-99999.jsonl"
    extra.write_text('{"model_id": "ghost/model", "card": "# ghost", "error": null}\n')
    try:
        counts = ingest(spark, folder, "hub-listing", tmp_path / "out")
    finally:
        extra.unlink()
    assert counts == {
        "rows_in": len(hub.models) + 1,
        "models": len(hub.models),
        "rejects": 1,
        "card_without_listing": 1,
    }


def test_the_anatomy_papers_csv_ingests_with_cards_parents_and_scrape_failures(
    spark, tmp_path: Path
) -> None:
    records = write_ecosystem_csv(tmp_path / "ecosystem.csv", N_CSV)
    counts = ingest(spark, tmp_path / "ecosystem.csv", "ecosystem-csv", tmp_path / "out")
    assert counts == {"rows_in": N_CSV, "models": N_CSV, "rejects": 0}
    models = models_of(spark, tmp_path / "out")
    for i, record in enumerate(records):
        row = models[record["id"]]
        failed = i % 25 == 24
        assert row["has_card"] is not failed, record["id"]
        assert (row["card_error"] or "").startswith("404 Client Error") is failed
        assert row["licenses"] == [record["cardData"]["license"]]
        assert row["files"] == [s["rfilename"] for s in record["siblings"]]
        assert row["downloads"] == record["downloads"]
        parents = {(b["parent_id"], b["relation"]) for b in row["base_models"]}
        if i % 10 == 0:
            assert parents == set(), record["id"]
        else:
            relation = list(RELATION_COLUMNS)[i % 4]
            assert parents == {(f"base-{i - i % 10}", relation)}, record["id"]


@pytest.mark.parametrize(
    "write", [write_released_csv, write_cards_notebook_csv], ids=["released", "cards notebook"]
)
def test_the_papers_own_csv_layouts_ingest_with_cards_and_the_parents_their_tags_name(
    spark, tmp_path: Path, write
) -> None:
    """The released dataset's columns and the card notebook's `fullJson` + `ModelCard`."""
    records = write(tmp_path / "paper.csv", N_CSV)
    counts = ingest(spark, tmp_path / "paper.csv", "ecosystem-csv", tmp_path / "out")
    assert counts == {"rows_in": N_CSV, "models": N_CSV, "rejects": 0}
    models = models_of(spark, tmp_path / "out")
    assert set(models) == {r["id"] for r in records}
    for i, record in enumerate(records):
        row = models[record["id"]]
        assert row["has_card"] is (i % 25 != 24), record["id"]
        assert row["downloads"] == record["downloads"]
        assert row["likes"] == record["likes"]
        assert row["pipeline_tag"] == "text-generation"
        assert row["created_at"] is not None, record["id"]
        expected = {
            (parent, relation)
            for relation, column in RELATION_COLUMNS.items()
            for parent in parents_from_tags(record["tags"])[column]
        }
        assert {(b["parent_id"], b["relation"]) for b in row["base_models"]} == expected
