"""The lookup on hand-written partitions (pyarrow, no Spark): outputs where the later stages
have not run, and ids typed in another letter case or with a typo."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import StructType

from jobs import lookup, schemas
from jobs.tables import SUCCESS_MARKER, partition_path

SNAPSHOT = "2026-11-01"
ROOT, TUNED, QUANT = "gpt2", "acme/gpt2-tuned", "acme/gpt2-gguf"
# The Hub treats ids as unique regardless of case; these two are a crafted clash.
CLASHING = ("Org/Model", "org/model")
LLAMA = "meta-llama/Llama-2-7b-hf"
MODEL_IDS = (ROOT, TUNED, QUANT, *CLASHING, LLAMA)
EDGES = ((TUNED, ROOT, "finetune"), (QUANT, ROOT, "quantized"))
# card_clusters has no schema in jobs.schemas: similarity builds it with a select.
CARD_CLUSTERS = pa.schema(
    [
        ("model_id", pa.string()),
        ("cluster_id", pa.string()),
        ("cluster_size", pa.int64()),
        ("representative_id", pa.string()),
    ]
)


def write_partition(output: Path, table: str, rows: list[dict], schema: StructType | pa.Schema):
    """One published partition: a Parquet file and the marker readers require."""
    arrow_schema = schema if isinstance(schema, pa.Schema) else to_arrow_schema(schema)
    folder = Path(partition_path(str(output), table, SNAPSHOT))
    folder.mkdir(parents=True)
    full_rows = [{name: row.get(name) for name in arrow_schema.names} for row in rows]
    table_data = pa.Table.from_pylist(full_rows, schema=arrow_schema)
    pq.write_table(table_data, folder / "part-00000.parquet")
    (folder / SUCCESS_MARKER).touch()


def write_ingest_and_lineage(output: Path, model_ids: tuple[str, ...] = MODEL_IDS) -> None:
    """What ingest and lineage write for gpt2 and its two children (view `all` only)."""
    models = [
        {"model_id": m, "downloads": 10 * n, "licenses": ["mit"]} for n, m in enumerate(model_ids)
    ]
    write_partition(output, "models", models, schemas.MODELS)
    edges = [
        {
            "child_id": child,
            "parent_id": parent,
            "relation": relation,
            "parent_known": True,
            "source": "base_model",
            "other_relations": [],
        }
        for child, parent, relation in EDGES
    ]
    write_partition(output, "edges", edges, schemas.EDGES)
    depths = {ROOT: 0, TUNED: 1, QUANT: 1}
    nodes = [
        {
            "model_id": m,
            "view": "all",
            "family_id": ROOT if m in depths else m,
            "root_ids": [ROOT if m in depths else m],
            "depth_min": depths.get(m, 0),
            "depth_max": depths.get(m, 0),
            "n_parents": int(depths.get(m, 0) > 0),
            "n_children": 2 if m == ROOT else 0,
            "in_cycle": False,
            "parent_missing": False,
        }
        for m in model_ids
    ]
    write_partition(output, "nodes", nodes, schemas.NODES)
    counts = dict.fromkeys(
        ("n_leaves", "n_in_cycle", "edges_adapter", "edges_merge", "edges_unknown"), 0
    )
    family = {
        **counts,
        "family_id": ROOT,
        "view": "all",
        "root_ids": [ROOT],
        "size": 3,
        "max_depth": 1,
        "edges_finetune": 1,
        "edges_quantized": 1,
        "root_licenses": ["mit"],
    }
    write_partition(output, "families", [family], schemas.FAMILIES)


def write_drift_and_similarity(output: Path) -> None:
    conflict = {
        "child_id": TUNED,
        "parent_id": ROOT,
        "parent_license": "mit",
        "child_license": "proprietary",
        "reason": "restricts",
    }
    write_partition(output, "license_conflicts", [conflict], schemas.LICENSE_CONFLICTS)
    cluster = [
        {"model_id": m, "cluster_id": QUANT, "cluster_size": 2, "representative_id": TUNED}
        for m in (TUNED, QUANT)
    ]
    write_partition(output, "card_clusters", cluster, CARD_CLUSTERS)


def run_lookup(output: Path, model_id: str, capsys: pytest.CaptureFixture[str]):
    """`pedigree lookup` as a user runs it: exit code, stdout, stderr."""
    code = lookup.main([model_id, "--output", str(output), "--snapshot", SNAPSHOT])
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def test_without_drift_and_similarity_the_lookup_answers_and_names_the_stages_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_ingest_and_lineage(tmp_path)
    code, out, err = run_lookup(tmp_path, TUNED, capsys)
    assert (code, err) == (0, "")
    assert f"<- {ROOT} (finetune)" in out and f"family {ROOT}: 3 models" in out
    assert f"siblings (top 10 by downloads): 1\n  {QUANT}" in out
    assert "license conflicts: not computed" in out and "python -m jobs.drift" in out
    assert "near-duplicate cluster: not computed" in out and "python -m jobs.similarity" in out

    found = lookup.lookup(tmp_path, SNAPSHOT, TUNED, "all", threshold=0.9)
    assert sorted(found.not_computed) == ["card_clusters", "license_conflicts"]
    assert found.license_conflicts == [] and found.cluster is None


def test_with_every_stage_run_conflicts_and_cluster_are_answered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_ingest_and_lineage(tmp_path)
    write_drift_and_similarity(tmp_path)
    code, out, _ = run_lookup(tmp_path, TUNED, capsys)
    assert code == 0 and "not computed" not in out
    assert f"license conflict with {ROOT}: mit -> proprietary (restricts)" in out
    assert f"near-duplicate cluster {QUANT}: 2 cards, representative {TUNED}" in out


def test_an_id_in_another_letter_case_answers_for_the_one_stored_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_ingest_and_lineage(tmp_path)
    code, out, err = run_lookup(tmp_path, "GPT2", capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"{ROOT}  (view all)")
    assert f"answered for {ROOT}" in out
    assert f"-> {TUNED} (finetune)" in out

    found = lookup.lookup(tmp_path, SNAPSHOT, "Acme/GPT2-Tuned", "all", threshold=0.9)
    assert found.model_id == TUNED and [a["model_id"] for a in found.ancestors] == [ROOT]


def test_an_id_matching_several_stored_ids_ignoring_case_lists_them_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_ingest_and_lineage(tmp_path)
    code, out, err = run_lookup(tmp_path, "ORG/MODEL", capsys)
    assert (code, out) == (2, "")
    assert "no model 'ORG/MODEL'" in err and "did you mean Org/Model, org/model?" in err


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("meta-llama/Llama-2-7b-hg", LLAMA),  # one-letter typo in the name
        ("meta-lama/Llama-2-7b-hf", LLAMA),  # wrong namespace
        ("Meta-Lama/llama-2-7B-hf", LLAMA),  # wrong namespace, other case
        ("meta-lama/Llama-2-7b-hg", LLAMA),  # a typo in both
        ("acme/gpt2-tune", TUNED),
    ],
)
def test_an_unknown_id_suggests_the_near_spelling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str, meant: str
) -> None:
    write_ingest_and_lineage(tmp_path)
    code, _, err = run_lookup(tmp_path, typed, capsys)
    assert code == 2 and "did you mean" in err and meant in err


def test_an_unknown_id_like_no_stored_one_gets_no_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_ingest_and_lineage(tmp_path)
    code, _, err = run_lookup(tmp_path, "zzz/qqqqqqqqqq", capsys)
    assert code == 2 and "did you mean" not in err


def test_a_namespace_larger_than_the_search_bound_still_yields_the_typo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the bound the candidates closest in length are compared, where a typo lies."""
    monkeypatch.setattr(lookup, "MAX_CANDIDATES", 3)
    crowd = [f"big/{'x' * n}" for n in range(1, 30)]
    ids = pa.chunked_array([[*crowd, "big/model-one"]])
    assert lookup.closest_ids(ids, "big/model-onr")[0] == "big/model-one"
