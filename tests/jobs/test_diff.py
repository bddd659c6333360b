"""jobs.diff on two generated snapshots that differ in known ways reports exactly those."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs import diff, lineage, report
from jobs.cli import JobArgs, StageArgs
from jobs.config import load_config
from jobs.ingest import run as ingest
from jobs.tables import read_table

pytestmark = [pytest.mark.spark, pytest.mark.graphframes, pytest.mark.slow]

OLD, NEW = "2026-11-01", "2026-11-08"


def new_model(model_id: str, parent: str) -> dict:
    card = f"---\nlicense: apache-2.0\nbase_model: {parent}\n---\n# {model_id}\n\nA fine-tune."
    return {
        "modelId": model_id,
        "author": model_id.split("/")[0],
        "last_modified": "2026-11-05T00:00:00.000Z",
        "downloads": 1,
        "likes": 0,
        "library_name": "transformers",
        "tags": ["transformers", f"base_model:finetune:{parent}", "license:apache-2.0"],
        "pipeline_tag": None,
        "createdAt": "2026-11-05T00:00:00.000Z",
        "card": card,
    }


def relicensed(row: dict) -> dict:
    """The same model, its MIT license (card and tag) replaced by Apache-2.0."""
    return {
        **row,
        "tags": ["license:apache-2.0" if t == "license:mit" else t for t in row["tags"]],
        "card": row["card"].replace("\nlicense: mit\n", "\nlicense: apache-2.0\n", 1),
    }


@pytest.fixture(scope="module")
def two_snapshots(spark, generated_sample: Path, tmp_path_factory: pytest.TempPathFactory):
    """The sample as OLD; NEW drops 5 leaf models, adds 4 children, relicenses 3 models."""
    rows = []
    for shard in sorted((generated_sample / "card-dataset").glob("*.parquet")):
        rows.extend(pq.read_table(shard).to_pylist())
    schema = pq.read_schema(next((generated_sample / "card-dataset").glob("*.parquet")))
    output = tmp_path_factory.mktemp("diff")
    old_input = output / "in-old"
    old_input.mkdir()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), old_input / "part-0.parquet")
    ingest(spark, JobArgs(old_input, "card-dataset", output, OLD, load_config()))
    lineage.run(spark, StageArgs(output, OLD, load_config()))

    edges = read_table(spark, str(output), "edges", OLD).collect()
    parents = {e["parent_id"] for e in edges}
    once = {m for m, n in Counter(r["modelId"] for r in rows).items() if n == 1}
    leaves = sorted(m for m in once if m not in parents)
    removed = set(leaves[:5])
    mit = sorted(
        r["modelId"]
        for r in rows
        if r["modelId"] in once
        and r["modelId"] not in removed
        and [t for t in r["tags"] if t.startswith("license:")] == ["license:mit"]
        and r["card"]
        and "\nlicense: mit\n" in r["card"]
    )[:3]
    grown = sorted(parents & once - removed)[:4]
    assert (len(removed), len(mit), len(grown)) == (5, 3, 4), "the sample has too few of each"
    added = {f"diff-test/child-{i}": parent for i, parent in enumerate(grown)}
    new_rows = [
        relicensed(r) if r["modelId"] in mit else r for r in rows if r["modelId"] not in removed
    ] + [new_model(m, p) for m, p in added.items()]
    new_input = output / "in-new"
    new_input.mkdir()
    pq.write_table(pa.Table.from_pylist(new_rows, schema=schema), new_input / "part-0.parquet")
    ingest(spark, JobArgs(new_input, "card-dataset", output, NEW, load_config()))
    lineage.run(spark, StageArgs(output, NEW, load_config()))
    known = {"removed": removed, "added": added, "relicensed": set(mit), "edges": edges}
    return output, known


@pytest.fixture(scope="module")
def diffed(two_snapshots):
    output, known = two_snapshots
    assert diff.main(["--output", str(output), "--snapshot", NEW, "--against", OLD]) == 0
    return output, known


def test_diff_reports_exactly_the_known_differences(spark, diffed) -> None:
    output, known = diffed
    table = {
        name: read_table(spark, str(output), name, NEW).collect()
        for name in ("diff_models", "diff_edges", "diff_licenses", "diff_children")
    }
    assert {(r["model_id"], r["change"]) for r in table["diff_models"]} == {
        *((m, "removed") for m in known["removed"]),
        *((m, "added") for m in known["added"]),
    }
    edges_of_removed = {
        (e["child_id"], e["parent_id"], e["relation"], "removed")
        for e in known["edges"]
        if e["child_id"] in known["removed"]
    }
    assert {
        (r["child_id"], r["parent_id"], r["relation"], r["change"]) for r in table["diff_edges"]
    } == {(m, p, "finetune", "added") for m, p in known["added"].items()} | edges_of_removed
    assert {
        r["model_id"]: (r["old_licenses"], r["new_licenses"]) for r in table["diff_licenses"]
    } == {m: (["mit"], ["apache-2.0"]) for m in known["relicensed"]}
    growth = {r["parent_id"]: r["growth"] for r in table["diff_children"]}
    lost = Counter(p for _, p, _, _ in edges_of_removed)
    expected = Counter(known["added"].values())
    expected.subtract(lost)
    assert growth == {p: n for p, n in expected.items() if n}
    assert {r["against"] for rows in table.values() for r in rows} == {OLD}


def test_the_report_says_what_changed_and_which_stages_are_missing(diffed) -> None:
    """NEW has ingest, lineage and diff tables only: the report shows the changes, draws
    what those tables hold, and names the table and stage for every other section."""
    output, known = diffed
    index = report.write_report(output, NEW, load_config().report)
    page = index.read_text(encoding="utf-8")
    changes = page[page.index('<section id="changes">') :]
    assert f"What changed since {OLD}" in changes
    assert '<tr><td>added</td><td class="num">4</td></tr>' in changes
    assert '<tr><td>removed</td><td class="num">5</td></tr>' in changes
    assert "<p>3 models changed their licenses.</p>" in changes
    for model in known["relicensed"]:
        assert f"<td>{model}</td><td>mit</td><td>apache-2.0</td>" in changes
    for anchor, table in (("resemblance", "similarity_summary"), ("mutation", "mutation")):
        section = page[page.index(f'<section id="{anchor}">') :]
        assert section.index(f"Not drawn: table <code>{table}</code>") < section.index("</section>")
    assert 'id="family-sizes"' in page and "figures/family_size_ccdf.svg" in page
    summary = json.loads((index.parent / "summary.json").read_text())["headlines"]
    values = {h["metric"]: h["value"] for h in summary}
    edges = pq.read_table(output / "edges" / f"snapshot={NEW}").to_pylist()
    assert values["edges_parent_known"] == sum(e["parent_known"] for e in edges)
    assert values["mutation_license_finetune"] is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--snapshot", NEW], "the following arguments are required: --against"),
        (["--snapshot", OLD, "--against", NEW], f"--against {NEW} must be older than"),
        (["--snapshot", NEW, "--against", "2026-13-01"], "expected YYYY-MM-DD"),
    ],
)
def test_bad_against_is_one_line_and_exit_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = diff.main(["--output", str(tmp_path), *argv])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and message in lines[0], lines
