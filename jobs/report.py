"""The last stage: a report a person opens in a browser, and its headline numbers.

    python -m jobs.report --output DIR --snapshot YYYY-MM-DD [--set report.top_families=20]

Reads only the published tables of one snapshot (pyarrow, no Spark) and writes
`<output>/report/snapshot=<date>/`: `index.html` (every section with its figures as SVG
files beside it), one page per large family under `families/`, and `summary.json`, one
entry per headline number, `{"metric", "value", "reference", "ratio", "source", "how"}`.
The references are the ones DESIGN.md lists (Anatomy 2025: 1,860,411 models, July 2025;
Jiang et al. 2023). The output folder must be local or mounted.

Reading order: the reference table -> the metrics -> the header -> the pages -> the files.
"""

from __future__ import annotations

import itertools
import json
import logging
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from jobs import report_family
from jobs import report_sections as sections
from jobs.cli import (
    StageArgs,
    UserError,
    local_output,
    parse_stage_args,
    pedigree_version,
    run_main,
)
from jobs.config import ReportConfig
from jobs.report_html import Section, escape, facts, link, page, table
from jobs.report_inferred import undocumented_lineage
from jobs.tables import SUCCESS_MARKER, MissingTable, read_partition

log = logging.getLogger("pedigree.report")

ANATOMY, JIANG = "Anatomy 2025", "Jiang 2023"
ALL = "all"
# Similarity order the Anatomy paper reports for card text, most similar first.
SIMILARITY_ORDER = ("siblings", "parent_child", "grandparent_grandchild", "random")


@dataclass(frozen=True)
class Reference:
    metric: str
    reference: float
    source: str
    how: str  # where pedigree's value comes from


REFERENCES = (
    Reference("edges_parent_known", 573_653, ANATOMY, "edges with parent_known"),
    Reference("edges_finetune", 189_391, ANATOMY, "known-parent edges, relation finetune"),
    Reference("edges_quantized", 101_921, ANATOMY, "known-parent edges, relation quantized"),
    Reference("edges_adapter", 241_417, ANATOMY, "known-parent edges, relation adapter"),
    Reference("edges_merge", 40_000, ANATOMY, "known-parent edges, relation merge (about 40K)"),
    Reference("mutation_license_finetune", 0.198, ANATOMY, "mutation, view all, finetune"),
    Reference("mutation_language_finetune", 0.242, ANATOMY, "mutation, view all, finetune"),
    Reference("mutation_pipeline_tag_finetune", 0.411, ANATOMY, "mutation, view all, finetune"),
    Reference("languages_parent", 6.60, ANATOMY, "drift_summary languages, parent mean"),
    Reference("languages_child", 1.81, ANATOMY, "drift_summary languages, child mean"),
    Reference("card_chars_parent", 9_773, ANATOMY, "drift_summary card_chars, parent mean"),
    Reference("card_chars_child", 4_402, ANATOMY, "drift_summary card_chars, child mean"),
    Reference("auto_generated_child_minus_parent", 0.25, ANATOMY, "drift_summary auto_generated"),
    Reference("cards_over_3_chars_share", 0.67, ANATOMY, "models with card_chars > 3"),
    Reference(
        "similarity_order_holds", 1.0, ANATOMY, "card similarity " + " > ".join(SIMILARITY_ORDER)
    ),
    Reference("model_index_share", 0.04, JIANG, "models with a model-index"),
    Reference(
        "model_index_share_token_classification",
        0.168,
        JIANG,
        "model_index_by_task, token-classification",
    ),
    Reference("model_index_share_untagged", 0.0005, JIANG, "model_index_by_task, untagged"),
)


@dataclass(frozen=True)
class Headline:
    metric: str
    value: float | None
    reference: float
    ratio: float | None
    source: str
    how: str


def _rows(output: Path, snapshot: str, table: str, columns: list[str], where: Any) -> list[dict]:
    return read_partition(output, table, snapshot, columns, where).to_pylist()


def edge_values(output: Path, snapshot: str) -> dict[str, float | None]:
    edges = read_partition(output, "edges", snapshot, ["relation"], pc.field("parent_known"))
    relations = edges.column("relation")
    values: dict[str, float | None] = {"edges_parent_known": len(relations)}
    for relation in ("finetune", "quantized", "adapter", "merge"):
        values[f"edges_{relation}"] = pc.sum(pc.equal(relations, relation)).as_py() or 0
    return values


def mutation_values(output: Path, snapshot: str) -> dict[str, float | None]:
    mutation = _rows(
        output,
        snapshot,
        "mutation",
        ["trait", "mutation_rate"],
        (pc.field("view") == ALL) & (pc.field("relation") == "finetune"),
    )
    rates = {r["trait"]: r["mutation_rate"] for r in mutation}
    return {f"mutation_{t}_finetune": rates.get(t) for t in ("license", "language", "pipeline_tag")}


def drift_values(output: Path, snapshot: str) -> dict[str, float | None]:
    drift = _rows(
        output,
        snapshot,
        "drift_summary",
        ["metric", "parent_value", "child_value"],
        (pc.field("view") == ALL) & (pc.field("relation") == ALL) & (pc.field("depth") == ALL),
    )
    summary = {r["metric"]: r for r in drift}
    values: dict[str, float | None] = {}
    for metric in ("languages", "card_chars"):
        row = summary.get(metric, {})
        values[f"{metric}_parent"] = row.get("parent_value")
        values[f"{metric}_child"] = row.get("child_value")
    auto = summary.get("auto_generated")
    values["auto_generated_child_minus_parent"] = (
        auto["child_value"] - auto["parent_value"]
        if auto and auto["child_value"] is not None and auto["parent_value"] is not None
        else None
    )
    return values


def model_values(output: Path, snapshot: str) -> dict[str, float | None]:
    models = read_partition(output, "models", snapshot, ["card_chars", "has_model_index"])
    n_models = models.num_rows
    long_cards = pc.sum(pc.greater(pc.fill_null(models.column("card_chars"), 0), 3)).as_py()
    with_index = pc.sum(pc.fill_null(models.column("has_model_index"), False)).as_py()
    return {
        "cards_over_3_chars_share": (long_cards or 0) / n_models if n_models else None,
        "model_index_share": (with_index or 0) / n_models if n_models else None,
    }


def similarity_values(output: Path, snapshot: str) -> dict[str, float | None]:
    similarity = _rows(
        output,
        snapshot,
        "similarity_summary",
        ["pair_type", "mean"],
        (pc.field("view") == ALL) & (pc.field("measure") == "card"),
    )
    means = {r["pair_type"]: r["mean"] for r in similarity}
    ordered = [means[kind] for kind in SIMILARITY_ORDER if means.get(kind) is not None]
    holds = (
        float(all(a > b for a, b in itertools.pairwise(ordered)))
        if len(ordered) == len(SIMILARITY_ORDER)
        else None
    )
    return {"similarity_order_holds": holds}


def audit_values(output: Path, snapshot: str) -> dict[str, float | None]:
    by_task = {
        r["pipeline_tag"]: r["share"]
        for r in _rows(output, snapshot, "model_index_by_task", ["pipeline_tag", "share"], None)
    }
    return {
        "model_index_share_token_classification": by_task.get("token-classification"),
        "model_index_share_untagged": by_task.get("(untagged)"),
    }


VALUE_READERS = (
    edge_values,
    mutation_values,
    drift_values,
    model_values,
    similarity_values,
    audit_values,
)


def measured_values(output: Path, snapshot: str) -> dict[str, float | None]:
    """pedigree's value for every reference metric, from the snapshot's tables; a metric
    whose table was not written (its stage not run) is None."""
    values: dict[str, float | None] = dict.fromkeys((ref.metric for ref in REFERENCES), None)
    for reader in VALUE_READERS:
        try:
            values.update(reader(output, snapshot))
        except MissingTable:
            continue
    return values


def headlines(output: Path, snapshot: str) -> list[Headline]:
    """Every reference metric with pedigree's value and value / reference. A count stays
    an int, so the page shows 57 edges, not 57.0."""
    values = measured_values(output, snapshot)
    found = []
    for ref in REFERENCES:
        value = values[ref.metric]
        ratio = None if value is None or ref.reference == 0 else value / ref.reference
        found.append(Headline(ref.metric, value, ref.reference, ratio, ref.source, ref.how))
    return found


def write_summary(folder: Path, output: Path, snapshot: str) -> Path:
    """`summary.json` in `folder`: the snapshot and every headline."""
    path = folder / "summary.json"
    document = {"snapshot": snapshot, "headlines": [asdict(h) for h in headlines(output, snapshot)]}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def older_snapshots(output: Path, snapshot: str) -> list[str]:
    """Snapshots before `snapshot` with a complete `models` partition, oldest first."""
    found = []
    for folder in (output / "models").glob("snapshot=*"):
        date = folder.name.removeprefix("snapshot=")
        if date < snapshot and (folder / SUCCESS_MARKER).is_file():
            found.append(date)
    return sorted(found)


def run_facts(output: Path, snapshot: str) -> list[tuple[str, Any]]:
    """The header: what was read, how many models, which pedigree made the tables."""
    try:
        run = read_partition(
            output,
            "ingest_run",
            snapshot,
            ["input", "format", "rows_in", "models", "rejects", "pedigree_version", "finished_at"],
        ).to_pylist()[0]
    except UserError:  # tables of a pedigree before ingest_run existed
        models = read_partition(output, "models", snapshot, ["model_id"]).num_rows
        run = {"input": "not recorded", "models": models}
    return [
        ("snapshot", snapshot),
        ("input", f"{run['input']} ({run.get('format', '?')})"),
        ("models", run["models"]),
        (
            "input rows / rejects",
            f"{run.get('rows_in', '?'):,} / {run.get('rejects', '?'):,}"
            if "rows_in" in run
            else "not recorded",
        ),
        ("tables by pedigree", run.get("pedigree_version", "not recorded")),
        ("ingested at", run.get("finished_at", "not recorded")),
        ("report by pedigree", pedigree_version()),
    ]


def headline_section(found: Sequence[Headline]) -> Section:
    rows = [[h.metric, h.value, h.reference, h.ratio, h.source, h.how] for h in found]
    return Section(
        "papers",
        "Beside the papers",
        "Every headline number the Anatomy paper (1,860,411 models, July 2025) or Jiang et "
        "al. (ICSE 2023) reports, beside pedigree's value on this snapshot and their ratio. "
        "A sample is not the Hub: counts scale with the snapshot's size, shares and means "
        "should be comparable. The same numbers are in summary.json.",
        [],
        [table(["metric", "pedigree", "paper", "ratio", "source", "how measured"], rows)],
    )


def write_family_page(
    snap: sections.Snapshot, family: dict[str, Any], rows: report_family.FamilyRows, file: str
) -> None:
    title, family_sections = report_family.family_page(snap, family, rows)
    facts_block = facts(
        [
            ("family", family["family_id"]),
            ("size", family["size"]),
            ("max depth", family["max_depth"]),
            ("root licenses", ", ".join(family["root_licenses"]) or "none"),
            ("snapshot", snap.snapshot),
        ]
    )
    header = f"<p>{link('../index.html', '← report')}</p><h1>{escape(title)}</h1>{facts_block}"
    (snap.folder / file).write_text(page(title, header, family_sections, contents=False), "utf-8")


def write_report(
    output: Path, snapshot: str, config: ReportConfig, inference_threshold: float | None = None
) -> Path:
    """`<output>/report/snapshot=<date>/`: index.html, family pages, figures, summary.json.
    `inference_threshold` is the configured one, for a snapshot where no model declares a
    parent (its `inference_eval` then holds no row at the threshold lineage used).

    Built in a staging folder beside it and swapped in whole, so a reader never sees a
    half-written report and a rerun replaces it.
    """
    root = output / "report"
    target = root / f"snapshot={snapshot}"
    for stale in root.glob(f"_staging-{snapshot}-*"):  # left by a killed run of this snapshot
        shutil.rmtree(stale, ignore_errors=True)
    staging = root / f"_staging-{snapshot}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    try:
        snap = sections.Snapshot(output, snapshot, staging, config, inference_threshold)
        snap.view = sections.tree_view(snap)
        try:
            families = sections.largest_families(snap, config.top_families)
        except MissingTable:
            families = []
        pages = {
            f["family_id"]: f"families/{report_family.family_slug(f['family_id'])}.html"
            for f in families
        }
        drawn = report_family.family_rows(snap, [f["family_id"] for f in families])
        for family in families:
            family_id = family["family_id"]
            write_family_page(snap, family, drawn[family_id], pages[family_id])
        body = [headline_section(headlines(output, snapshot))]
        builders: list[tuple[str, str, Callable[[], Section | None]]] = [
            ("family-sizes", "Family sizes", lambda: sections.family_sizes(snap)),
            ("depth", "Depth", lambda: sections.depths(snap)),
            ("relations", "Relation mix", lambda: sections.relation_mix(snap)),
            ("undocumented", "Undocumented lineage", lambda: undocumented_lineage(snap)),
            ("families", "The largest families", lambda: sections.top_families(snap, pages)),
            ("resemblance", "Family resemblance", lambda: sections.resemblance(snap)),
            ("mutation", "Mutation", lambda: sections.mutation(snap)),
            ("license-drift", "Directional drift", lambda: sections.license_drift(snap)),
            ("drift-depth", "Inheritance along the tree", lambda: sections.drift_by_depth(snap)),
            ("documentation", "Documentation gaps and risks", lambda: sections.documentation(snap)),
            (
                "templates",
                "Near-duplicate and template cards",
                lambda: sections.template_clusters(snap),
            ),
            ("time", "Over time", lambda: sections.over_time(snap)),
            (
                "changes",
                "What changed",
                lambda: sections.what_changed(snap, older_snapshots(output, snapshot)),
            ),
        ]
        for anchor, title, build in builders:
            try:
                section = build()
            except MissingTable as missing:
                section = sections.missing_section(anchor, title, missing.table, snap)
            if section is not None:
                body.append(section)
        header_facts = run_facts(output, snapshot)
        header = f"<h1>pedigree — the model ecosystem on {snapshot}</h1>{facts(header_facts)}"
        (staging / "index.html").write_text(
            page(f"pedigree report {snapshot}", header, body), encoding="utf-8"
        )
        write_summary(staging, output, snapshot)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target / "index.html"


def parse_args(argv: Sequence[str] | None) -> StageArgs:
    return parse_stage_args("report", argv)


def main(argv: Sequence[str] | None = None) -> int:
    def body() -> None:
        args = parse_args(argv)
        started = time.monotonic()
        config = args.config
        output = local_output(args.output)
        index = write_report(output, args.snapshot, config.report, config.inference.threshold)
        log.info("report %s: %s in %.1fs", args.snapshot, index, time.monotonic() - started)
        print(index)

    return run_main("report", body)


if __name__ == "__main__":
    sys.exit(main())
