"""Report sections on hand-written partitions (pyarrow, no Spark): the shapes a real run can
leave, such as a listing without READMEs, whose card tables are empty."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from jobs.config import ReportConfig
from jobs.report import write_report
from jobs.report_sections import Snapshot, license_drift, template_clusters

SNAPSHOT = "2026-11-01"


def write_partition(output: Path, table: str, rows: list[dict], schema: pa.Schema) -> None:
    folder = output / table / f"snapshot={SNAPSHOT}"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "part-0.parquet")
    (folder / "_SUCCESS").touch()


CLUSTERS = pa.schema(
    [
        ("model_id", pa.string()),
        ("cluster_id", pa.string()),
        ("cluster_size", pa.int64()),
        ("representative_id", pa.string()),
    ]
)
CARDS = pa.schema([("model_id", pa.string()), ("card", pa.string())])


def test_no_template_clusters_is_an_empty_table_not_a_failure(tmp_path: Path) -> None:
    write_partition(tmp_path, "card_clusters", [], CLUSTERS)
    write_partition(tmp_path, "card_texts", [], CARDS)
    section = template_clusters(Snapshot(tmp_path, SNAPSHOT, tmp_path / "report", ReportConfig()))
    assert "<tbody></tbody>" in "".join(section.body)


def test_template_clusters_show_the_representatives_card_body(tmp_path: Path) -> None:
    clusters = [
        {"model_id": m, "cluster_id": "a/x", "cluster_size": 3, "representative_id": "a/y"}
        for m in ("a/x", "a/y", "a/z")
    ] + [{"model_id": "b/q", "cluster_id": "b/q", "cluster_size": 9, "representative_id": "b/q"}]
    cards = [
        {"model_id": "a/y", "card": "---\nlicense: mit\n---\n# Y <b>card</b>"},
        {"model_id": "b/q", "card": "Q" * 500},
    ]
    write_partition(tmp_path, "card_clusters", clusters, CLUSTERS)
    write_partition(tmp_path, "card_texts", cards, CARDS)
    config = ReportConfig(card_excerpt_chars=20)
    body = "".join(template_clusters(Snapshot(tmp_path, SNAPSHOT, tmp_path, config)).body)
    assert body.index("<td>b/q</td>") < body.index("<td>a/y</td>")  # largest first
    assert f"<pre>{'Q' * 20}…</pre>" in body
    assert "<pre># Y &lt;b&gt;card&lt;/b&gt;</pre>" in body  # front matter gone, escaped


TRANSITIONS = pa.schema(
    [
        ("view", pa.string()),
        ("relation", pa.string()),
        ("trait", pa.string()),
        ("from_value", pa.string()),
        ("to_value", pa.string()),
        ("count", pa.int64()),
    ]
)
ORDERINGS = pa.schema(
    [
        ("view", pa.string()),
        ("trait", pa.string()),
        ("rank", pa.int32()),
        ("value", pa.string()),
        ("pairs_fit", pa.int64()),
        ("pairs_total", pa.int64()),
        ("traffic_explained", pa.float64()),
    ]
)


def test_no_license_transitions_say_so_instead_of_an_empty_heat_map(tmp_path: Path) -> None:
    """A card dump that declares no parents (the 2022 Hub's) has no transitions at all."""
    moved = {"view": "all", "relation": "all", "trait": "license", "count": 4}
    write_partition(
        tmp_path, "transitions", [{**moved, "from_value": "mit", "to_value": "other"}], TRANSITIONS
    )
    write_partition(tmp_path, "orderings", [], ORDERINGS)
    section = license_drift(Snapshot(tmp_path, SNAPSHOT, tmp_path / "report", ReportConfig()))
    assert [f.file for f in section.figures] == ["figures/transitions_license.svg"]
    assert "No edge in this snapshot changes its license_category." in "".join(section.body)


def test_a_snapshot_without_lineage_tables_still_gets_a_report(tmp_path: Path) -> None:
    """Only ingest's tables: every lineage section says what to run, nothing fails."""
    models = pa.schema(
        [
            ("model_id", pa.string()),
            ("card_chars", pa.int64()),
            ("has_model_index", pa.bool_()),
            ("created_at", pa.string()),
        ]
    )
    write_partition(tmp_path, "models", [{"model_id": "org/m", "card_chars": 9}], models)
    write_partition(tmp_path, "card_texts", [], CARDS)
    index = write_report(tmp_path, SNAPSHOT, ReportConfig()).read_text(encoding="utf-8")
    assert "Not drawn: table <code>families</code>" in index
    assert not list((tmp_path / "report" / f"snapshot={SNAPSHOT}").glob("families/*.html"))
