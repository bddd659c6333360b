"""Report sections on hand-written partitions (pyarrow, no Spark): the shapes a real run can
leave, such as a listing without READMEs, whose card tables are empty, or an input whose
every row was rejected, whose tables are all empty."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.config import ReportConfig
from jobs.figures import short_label
from jobs.report import headline_section, headlines, write_report, write_summary
from jobs.report_family import FamilyRows, family_page, family_rows
from jobs.report_inferred import undocumented_lineage
from jobs.report_sections import (
    Snapshot,
    busiest_tasks,
    largest_families,
    license_drift,
    month_range,
    mutation,
    over_time,
    template_clusters,
    tree_view,
    what_changed,
)
from jobs.tables import id_in, read_ids, read_partition

SNAPSHOT = "2026-11-01"
SCRIPT = "<script>alert(1)</script>"


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
MODELS = pa.schema(
    [
        ("model_id", pa.string()),
        ("downloads", pa.int64()),
        ("licenses", pa.list_(pa.string())),
        ("pipeline_tag", pa.string()),
        ("library_name", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
    ]
)
CARDS = pa.schema([("model_id", pa.string()), ("card", pa.string())])


def test_no_template_clusters_is_a_sentence_not_a_failure(tmp_path: Path) -> None:
    write_partition(tmp_path, "card_clusters", [], CLUSTERS)
    write_partition(tmp_path, "card_texts", [], CARDS)
    section = template_clusters(Snapshot(tmp_path, SNAPSHOT, tmp_path / "report", ReportConfig()))
    assert section.body == ["<p>No near-duplicate cards in this snapshot.</p>"]


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
    write_partition(tmp_path, "models", [{"model_id": "org/m", "card_chars": 9}], MODELS)
    write_partition(tmp_path, "card_texts", [], CARDS)
    index = write_report(tmp_path, SNAPSHOT, ReportConfig()).read_text(encoding="utf-8")
    assert "Not drawn: table <code>families</code>" in index
    assert not list((tmp_path / "report" / f"snapshot={SNAPSHOT}").glob("families/*.html"))


MODELS = pa.schema(
    [
        ("model_id", pa.string()),
        ("created_at", pa.string()),
        ("card_chars", pa.int32()),
        ("has_model_index", pa.bool_()),
        ("base_models", pa.list_(pa.struct([("parent_id", pa.string())]))),
        ("downloads", pa.int64()),
        ("licenses", pa.list_(pa.string())),
        ("pipeline_tag", pa.string()),
        ("library_name", pa.string()),
    ]
)
FAMILIES = pa.schema(
    [
        ("family_id", pa.string()),
        ("view", pa.string()),
        ("size", pa.int64()),
        ("max_depth", pa.int32()),
        ("n_leaves", pa.int64()),
        *[(f"edges_{r}", pa.int64()) for r in ("finetune", "adapter", "quantized", "merge")],
        ("edges_unknown", pa.int64()),
        ("root_licenses", pa.list_(pa.string())),
        ("first_created", pa.string()),
        ("last_created", pa.string()),
    ]
)
NODES = pa.schema(
    [
        ("model_id", pa.string()),
        ("view", pa.string()),
        ("family_id", pa.string()),
        ("depth_min", pa.int32()),
        ("n_children", pa.int32()),
    ]
)
EDGES = pa.schema(
    [
        ("child_id", pa.string()),
        ("parent_id", pa.string()),
        ("relation", pa.string()),
        ("parent_known", pa.bool_()),
    ]
)
INFERRED_EDGES = pa.schema(
    [
        ("child_id", pa.string()),
        ("parent_id", pa.string()),
        ("relation", pa.string()),
        ("parent_known", pa.bool_()),
        ("evidence", pa.list_(pa.string())),
        ("confidence", pa.float64()),
        ("child_declares", pa.bool_()),
    ]
)
INFERENCE_EVAL = pa.schema(
    [
        ("group", pa.string()),
        ("key", pa.string()),
        ("threshold", pa.float64()),
        *[(n, pa.int64()) for n in ("n_predicted", "n_correct", "n_truth", "n_found")],
        ("precision", pa.float64()),
        ("recall", pa.float64()),
    ]
)
MODEL_INDEX = pa.schema(
    [("pipeline_tag", pa.string()), ("n_models", pa.int64()), ("share", pa.float64())]
)
# Every table the report reads, with the columns it reads.
REPORTED = {
    "ingest_run": pa.schema(
        [
            ("input", pa.string()),
            ("format", pa.string()),
            *[(n, pa.int64()) for n in ("rows_in", "models", "rejects")],
            ("pedigree_version", pa.string()),
            ("finished_at", pa.string()),
        ]
    ),
    "models": MODELS,
    "card_texts": CARDS,
    "edges": EDGES,
    "nodes": NODES,
    "families": FAMILIES,
    "inferred_edges": INFERRED_EDGES,
    "inference_eval": INFERENCE_EVAL,
    "similarity_summary": pa.schema(
        [
            ("view", pa.string()),
            ("pair_type", pa.string()),
            ("measure", pa.string()),
            *[(n, pa.float64()) for n in ("mean", "ci_low", "ci_high")],
        ]
    ),
    "card_clusters": CLUSTERS,
    "mutation": pa.schema(
        [
            ("view", pa.string()),
            ("relation", pa.string()),
            ("trait", pa.string()),
            ("n_edges", pa.int64()),
            ("mutation_rate", pa.float64()),
        ]
    ),
    "transitions": TRANSITIONS,
    "orderings": ORDERINGS,
    "drift_summary": pa.schema(
        [
            ("view", pa.string()),
            ("relation", pa.string()),
            ("depth", pa.string()),
            ("metric", pa.string()),
            ("parent_value", pa.float64()),
            ("child_value", pa.float64()),
            ("n", pa.int64()),
        ]
    ),
    "audit": pa.schema(
        [
            ("scope", pa.string()),
            ("attribute", pa.string()),
            ("n_models", pa.int64()),
            ("share", pa.float64()),
        ]
    ),
    "model_index_by_task": MODEL_INDEX,
    "weight_risk": pa.schema(
        [("weight_format", pa.string()), ("n_models", pa.int64()), ("share", pa.float64())]
    ),
}


def snapshot_of(output: Path) -> Snapshot:
    return Snapshot(output, SNAPSHOT, output / "report", ReportConfig())


def sections_of(index: str) -> dict[str, str]:
    """Each section of a report page by its anchor."""
    return dict(re.findall(r'<section id="([^"]+)">(.*?)</section>', index, re.DOTALL))


def test_a_snapshot_whose_every_row_was_rejected_gets_a_report_in_sentences(
    tmp_path: Path,
) -> None:
    """Every table written and empty but ingest's run record: each section says in a
    sentence that it has nothing to show, none draws an empty figure or an empty table."""
    run = {"input": "in", "format": "hub-listing", "rows_in": 3, "models": 0, "rejects": 3}
    for name, schema in REPORTED.items():
        write_partition(tmp_path, name, [run] if name == "ingest_run" else [], schema)
    index = write_report(tmp_path, SNAPSHOT, ReportConfig()).read_text(encoding="utf-8")
    found = sections_of(index)
    assert len(found) == 13
    for anchor, section in found.items():
        assert "<tbody></tbody>" not in section and "<figure>" not in section, anchor
        if anchor != "papers":
            assert re.search(r"</p>\s*<p>[A-Z]", section), anchor
    for anchor in ("family-sizes", "undocumented", "families", "time"):
        assert "<p>No families in this snapshot.</p>" in found[anchor], anchor
    assert not (tmp_path / "report" / f"snapshot={SNAPSHOT}" / "figures").exists()
    assert largest_families(snapshot_of(tmp_path), 5) == []


def test_headline_counts_read_as_counts_and_small_shares_keep_their_digits(
    tmp_path: Path,
) -> None:
    """Jiang et al.'s share of untagged models with a model-index is 0.0005: it must not
    read as 0.001, nor a measured 0.00012 as 0.000; summary.json keeps the exact values."""
    edges = [
        {"child_id": f"o/c{i}", "parent_id": "o/p", "relation": "finetune", "parent_known": True}
        for i in range(1234)
    ]
    write_partition(tmp_path, "edges", edges, EDGES)
    untagged = {"pipeline_tag": "(untagged)", "n_models": 10_000, "share": 0.00012345}
    write_partition(tmp_path, "model_index_by_task", [untagged], MODEL_INDEX)
    found = headlines(tmp_path, SNAPSHOT)
    html = "".join(headline_section(found).body)
    assert '<td>edges_parent_known</td><td class="num">1,234</td>' in html
    assert '<td>edges_merge</td><td class="num">0</td>' in html
    assert '<td>model_index_share_untagged</td><td class="num">0.000123</td>' in html
    assert '<td class="num">0.0005</td><td class="num">0.247</td>' in html
    summary = json.loads(write_summary(tmp_path, tmp_path, SNAPSHOT).read_text())["headlines"]
    values = {h["metric"]: h["value"] for h in summary}
    assert values["edges_parent_known"] == 1234
    assert values["model_index_share_untagged"] == 0.00012345


def test_month_range_crosses_year_9999_without_running_on() -> None:
    assert month_range(["9999-11", "9999-12"]) == ["9999-11", "9999-12"]


def models_created(output: Path, dates: dict[str, str | None]) -> None:
    write_partition(
        output, "models", [{"model_id": m, "created_at": d} for m, d in dates.items()], MODELS
    )
    write_partition(output, "edges", [], EDGES)


def test_over_time_leaves_out_creation_dates_before_2000_or_after_the_snapshot(
    tmp_path: Path,
) -> None:
    dates = {
        "o/a": "2023-04-05T10:00:00",
        "o/b": "2023-06-01T00:00:00",
        "o/future": "9999-12-31T00:00:00",
        "o/epoch": "1970-01-01T00:00:00",
        "o/month13": "2023-13-01T00:00:00",
        "o/none": None,
    }
    models_created(tmp_path, dates)
    write_partition(tmp_path, "families", [], FAMILIES)
    write_partition(tmp_path, "nodes", [], NODES)
    section = over_time(snapshot_of(tmp_path))
    assert (
        "Models left out of these lines: 2 without a creation date, and 2 dated before "
        "2000 or after the snapshot's month (2026-11)"
    ) in section.how_to_read
    svg = (tmp_path / "report" / section.figures[0].file).read_text(encoding="utf-8")
    assert re.findall(r"\b\d{4}-\d\d\b", svg) == ["2023-04", "2023-05", "2023-06"]


def test_growth_legend_shortens_a_long_family_id(tmp_path: Path) -> None:
    """A 254-character id (Hub ids reach 96) in the legend squashed the axes to a sliver."""
    family = "org/" + "a" * 250
    models_created(tmp_path, {family: "2023-04-05T10:00:00"})
    row = {"family_id": family, "view": "all", "size": 1, "root_licenses": []}
    write_partition(tmp_path, "families", [row], FAMILIES)
    node = {"model_id": family, "view": "all", "family_id": family}
    write_partition(tmp_path, "nodes", [node], NODES)
    section = over_time(snapshot_of(tmp_path))
    growth = (tmp_path / "report" / section.figures[1].file).read_text(encoding="utf-8")
    texts = re.findall(r"<text\b[^>]*>(.*?)</text>", growth, re.DOTALL)
    assert short_label(family) in texts and not any(family in text for text in texts)
    assert len(short_label(family)) == 40


def test_older_snapshot_folder_names_are_escaped(tmp_path: Path) -> None:
    section = what_changed(snapshot_of(tmp_path), [SCRIPT]).render()
    assert SCRIPT not in section and "&lt;script&gt;" in section


def test_evidence_kinds_are_escaped_in_the_undocumented_lineage_text(tmp_path: Path) -> None:
    write_partition(tmp_path, "models", [{"model_id": "o/c", "base_models": []}], MODELS)
    guess = {"child_id": "o/c", "evidence": [SCRIPT], "confidence": 0.9, "child_declares": False}
    write_partition(tmp_path, "inferred_edges", [guess], INFERRED_EDGES)
    score = {"group": "evidence", "key": SCRIPT, "threshold": 0.5, "n_predicted": 1}
    write_partition(tmp_path, "inference_eval", [score], INFERENCE_EVAL)
    write_partition(tmp_path, "families", [], FAMILIES)
    section = undocumented_lineage(snapshot_of(tmp_path)).render()
    assert SCRIPT not in section
    assert "evidence: &lt;script&gt;alert(1)&lt;/script&gt; 1)" in section


def test_without_declarations_the_configured_threshold_counts_the_inferred_parents(
    tmp_path: Path,
) -> None:
    """The 2022 card dump declares nothing, so `inference_eval` scores nothing and holds no
    row at lineage's threshold: the text said "0 of them a parent at confidence ≥ —" while
    the view had added 1,494 edges."""
    models = [{"model_id": f"o/c{i}", "base_models": []} for i in range(3)]
    write_partition(tmp_path, "models", models, MODELS)
    guesses = [
        {"child_id": "o/c0", "evidence": ["prose"], "confidence": 0.85, "child_declares": False},
        {"child_id": "o/c1", "evidence": ["link"], "confidence": 0.25, "child_declares": False},
    ]
    write_partition(tmp_path, "inferred_edges", guesses, INFERRED_EDGES)
    write_partition(tmp_path, "inference_eval", [], INFERENCE_EVAL)
    write_partition(tmp_path, "families", [], FAMILIES)
    snap = Snapshot(tmp_path, SNAPSHOT, tmp_path / "report", ReportConfig(), 0.5)
    section = undocumented_lineage(snap).render()
    assert "gives 1 of them a parent at confidence ≥ 0.5 (1 edge; evidence: prose 1)" in section


def test_family_tree_cuts_long_ids_in_the_middle(tmp_path: Path) -> None:
    """The tree's title and labels keep both ends of a long id: the owner and the quant
    suffix that tells siblings apart (labels used to lose the end, the title overflowed)."""
    root = "org/" + "r" * 120
    child = "TheBloke/" + "m" * 80 + "-GGUF"
    nodes = [
        {"model_id": root, "depth_min": 0, "n_children": 1},
        {"model_id": child, "depth_min": 1, "n_children": 0},
    ]
    edges = [{"child_id": child, "parent_id": root, "relation": "quantized"}]
    snap = snapshot_of(tmp_path)
    no_models = MODELS.empty_table()
    drawn = FamilyRows(pa.Table.from_pylist(nodes), no_models, pa.Table.from_pylist(edges))
    family_page(snap, {"family_id": root, "size": 2}, drawn)
    (svg_file,) = (tmp_path / "report" / "families" / "figures").glob("*.svg")
    texts = re.findall(r"<text\b[^>]*>(.*?)</text>", svg_file.read_text("utf-8"), re.DOTALL)
    assert f"Family {short_label(root, 60)}" in texts
    assert short_label("m" * 80 + "-GGUF", 28) in texts
    assert not any(root in text or "m" * 30 in text for text in texts)


def spoil_column(path: Path, row_group: int, column: int) -> None:
    """Overwrite one column chunk of one row group with zeros: reading it then fails."""
    chunk = pq.ParquetFile(path).metadata.row_group(row_group).column(column)
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    data = bytearray(path.read_bytes())
    data[start : start + chunk.total_compressed_size] = bytes(chunk.total_compressed_size)
    path.write_bytes(bytes(data))


def test_cards_of_a_few_ids_are_read_only_from_the_row_groups_that_hold_them(
    tmp_path: Path,
) -> None:
    """The excerpts' cards come from the row groups holding their ids: every other card
    chunk is spoiled here, and a filtered scan of the table (what the report did) fails on
    them. Each spoiled row group's smallest and largest ids span a wanted id, so statistics
    cannot skip it. Ids take the Hub's shapes: over 96 characters, dots, `.git`, unicode."""
    long_id = "org-" + "x" * 100 + "/model.v2.git"
    files = [
        ["a/1", "zz/ü-9", "a/0", "zz/ü-99"],  # wanted: zz/ü-9 (row group 0)
        ["a/2", "zz/3", long_id, "zz/4"],  # wanted: the long id (row group 1)
    ]
    folder = tmp_path / "card_texts" / f"snapshot={SNAPSHOT}"
    folder.mkdir(parents=True)
    for n, ids in enumerate(files):
        path = folder / f"part-{n}.parquet"
        pq.write_table(
            pa.table({"model_id": ids, "card": [f"card {i}" for i in ids]}), path, row_group_size=2
        )
        spoil_column(path, 1 - n, 1)
    (folder / "_SUCCESS").touch()
    wanted = ["zz/ü-9", long_id, "absent/model"]
    found = read_ids(tmp_path, "card_texts", SNAPSHOT, "model_id", wanted, ["model_id", "card"])
    assert sorted(found.to_pylist(), key=lambda r: r["model_id"]) == [
        {"model_id": long_id, "card": f"card {long_id}"},
        {"model_id": "zz/ü-9", "card": "card zz/ü-9"},
    ]
    with pytest.raises(OSError):
        read_partition(
            tmp_path, "card_texts", SNAPSHOT, ["model_id", "card"], id_in("model_id", wanted)
        )
    none = read_ids(tmp_path, "card_texts", SNAPSHOT, "model_id", [], ["model_id", "card"])
    assert none.num_rows == 0 and none.column_names == ["model_id", "card"]


def test_busiest_tasks_are_ranked_by_their_models_not_by_their_last_row() -> None:
    """`base_model` judges only a task's derived-looking names: 300 conversational models
    with 2 such names outrank 260 token classifiers with 60 (the 2022 slice's shape)."""
    audit = [
        {"scope": "all", "attribute": "card", "n_models": 5000},
        {"scope": "conversational", "attribute": "card", "n_models": 300},
        {"scope": "conversational", "attribute": "base_model", "n_models": 2},
        {"scope": "token-classification", "attribute": "card", "n_models": 260},
        {"scope": "token-classification", "attribute": "base_model", "n_models": 60},
        {"scope": "fill-mask", "attribute": "base_model", "n_models": None},
    ]
    assert busiest_tasks(audit, 2) == ["conversational", "token-classification"]


def nothing_declared(output: Path) -> None:
    """A snapshot shaped like the Feb 2022 dump: no declared edge, so every family of view
    `all` is one model, and one family of `all_plus_inferred` from an inferred edge (and one
    below the threshold, and one of a child that declares, which the view leaves out)."""
    parent, child = "gpt2", "huggingtweets/ÿ-" + "x" * 90 + ".v1"
    write_partition(output, "edges", [], EDGES)
    inferred = [
        (child, parent, "finetune", 0.9, False),
        ("weak/one", parent, "finetune", 0.3, False),
        ("says/own", parent, "finetune", 0.9, True),
    ]
    write_partition(
        output,
        "inferred_edges",
        [
            {
                "child_id": c,
                "parent_id": p,
                "relation": r,
                "parent_known": True,
                "confidence": x,
                "child_declares": d,
            }
            for c, p, r, x, d in inferred
        ],
        INFERRED_EDGES,
    )
    ids = [parent, child, "weak/one", "says/own"]
    family = {"all": {m: m for m in ids}, "all_plus_inferred": {m: m for m in ids}}
    family["all_plus_inferred"][child] = parent
    write_partition(
        output,
        "nodes",
        [
            {
                "view": view,
                "family_id": f,
                "model_id": m,
                "depth_min": int(m == child),
                "n_children": int(m == parent and view != "all"),
            }
            for view, members in family.items()
            for m, f in members.items()
        ],
        NODES,
    )
    sizes = {view: Counter(members.values()) for view, members in family.items()}
    write_partition(
        output,
        "families",
        [{"view": v, "family_id": f, "size": n} for v, c in sizes.items() for f, n in c.items()],
        FAMILIES,
    )
    write_partition(
        output,
        "models",
        [{"model_id": m, "downloads": 10, "licenses": ["mit"]} for m in ids],
        MODELS,
    )
    write_partition(
        output,
        "mutation",
        [
            {
                "view": "all_plus_inferred",
                "relation": "finetune",
                "trait": "license",
                "n_edges": 1,
                "mutation_rate": 0.0,
            }
        ],
        REPORTED["mutation"],
    )


def test_with_nothing_declared_the_tree_sections_draw_the_inferred_view_and_say_so(
    tmp_path: Path,
) -> None:
    """On the 2022 dump view `all` is every model alone: mutation, drift and the largest
    families were empty and the family pages were singletons, while inference had found a
    764-model gpt2 family."""
    nothing_declared(tmp_path)
    snap = Snapshot(tmp_path, SNAPSHOT, tmp_path / "report", ReportConfig(), 0.5)
    assert tree_view(Snapshot(tmp_path, SNAPSHOT, tmp_path, ReportConfig())) == "all"
    snap.view = tree_view(snap)
    assert snap.view == "all_plus_inferred"
    (largest,) = largest_families(snap, 1)
    assert (largest["family_id"], largest["size"]) == ("gpt2", 2)
    drawn = family_rows(snap, ["gpt2"])["gpt2"]
    assert drawn.edges.to_pylist() == [
        {
            "child_id": "huggingtweets/ÿ-" + "x" * 90 + ".v1",
            "parent_id": "gpt2",
            "relation": "finetune",
        }
    ]
    body = "".join(str(part) for part in mutation(snap).body)
    assert "No model in this snapshot declares a parent" in body
    assert "0.5" in body and "all_plus_inferred" in body


def test_a_declared_edge_keeps_the_tree_sections_on_view_all(tmp_path: Path) -> None:
    nothing_declared(tmp_path)
    edges = tmp_path / "edges" / f"snapshot={SNAPSHOT}" / "part-0.parquet"
    table = pq.read_table(edges)
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "child_id": "a/b",
                    "parent_id": "gpt2",
                    "relation": "finetune",
                    "parent_known": True,
                }
            ],
            schema=table.schema,
        ),
        edges,
    )
    snap = Snapshot(tmp_path, SNAPSHOT, tmp_path / "report", ReportConfig(), 0.5)
    assert tree_view(snap) == "all"
    assert "declares a parent" not in "".join(str(part) for part in mutation(snap).body)
