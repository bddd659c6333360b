"""The report's headline numbers, each beside the value the papers give for it.

    python -m jobs.report --output DIR --snapshot YYYY-MM-DD

Reads only the published tables of one snapshot (pyarrow, no Spark) and writes
`<output>/report/snapshot=<date>/summary.json`: one entry per headline number,
`{"metric", "value", "reference", "ratio", "source", "how"}`. The references are the
ones DESIGN.md lists (Anatomy 2025: 1,860,411 models, July 2025; Jiang et al. 2023).

Reading order: the reference table -> one small reader per table -> the metrics ->
the file.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from jobs.cli import OneLineParser, run_main, snapshot_date
from jobs.tables import read_partition

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


def measured_values(output: Path, snapshot: str) -> dict[str, float | None]:
    """pedigree's value for every reference metric, from the snapshot's tables."""
    values: dict[str, float | None] = {}
    edges = read_partition(output, "edges", snapshot, ["relation"], pc.field("parent_known"))
    relations = edges.column("relation")
    values["edges_parent_known"] = len(relations)
    for relation in ("finetune", "quantized", "adapter", "merge"):
        values[f"edges_{relation}"] = pc.sum(pc.equal(relations, relation)).as_py() or 0

    mutation = _rows(
        output,
        snapshot,
        "mutation",
        ["trait", "mutation_rate"],
        (pc.field("view") == ALL) & (pc.field("relation") == "finetune"),
    )
    rates = {r["trait"]: r["mutation_rate"] for r in mutation}
    for trait in ("license", "language", "pipeline_tag"):
        values[f"mutation_{trait}_finetune"] = rates.get(trait)

    drift = _rows(
        output,
        snapshot,
        "drift_summary",
        ["metric", "parent_value", "child_value"],
        (pc.field("view") == ALL) & (pc.field("relation") == ALL) & (pc.field("depth") == ALL),
    )
    summary = {r["metric"]: r for r in drift}
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

    models = read_partition(output, "models", snapshot, ["card_chars", "has_model_index"])
    n_models = models.num_rows
    long_cards = pc.sum(pc.greater(pc.fill_null(models.column("card_chars"), 0), 3)).as_py()
    with_index = pc.sum(pc.fill_null(models.column("has_model_index"), False)).as_py()
    values["cards_over_3_chars_share"] = (long_cards or 0) / n_models if n_models else None
    values["model_index_share"] = (with_index or 0) / n_models if n_models else None

    similarity = _rows(
        output,
        snapshot,
        "similarity_summary",
        ["pair_type", "mean"],
        (pc.field("view") == ALL) & (pc.field("measure") == "card"),
    )
    means = {r["pair_type"]: r["mean"] for r in similarity}
    ordered = [means[kind] for kind in SIMILARITY_ORDER if means.get(kind) is not None]
    values["similarity_order_holds"] = (
        float(all(a > b for a, b in itertools.pairwise(ordered)))
        if len(ordered) == len(SIMILARITY_ORDER)
        else None
    )

    by_task = {
        r["pipeline_tag"]: r["share"]
        for r in _rows(output, snapshot, "model_index_by_task", ["pipeline_tag", "share"], None)
    }
    values["model_index_share_token_classification"] = by_task.get("token-classification")
    values["model_index_share_untagged"] = by_task.get("(untagged)")
    return values


def headlines(output: Path, snapshot: str) -> list[Headline]:
    """Every reference metric with pedigree's value and value / reference."""
    values = measured_values(output, snapshot)
    found = []
    for ref in REFERENCES:
        value = values[ref.metric]
        value = None if value is None else float(value)
        ratio = None if value is None or ref.reference == 0 else value / ref.reference
        found.append(Headline(ref.metric, value, ref.reference, ratio, ref.source, ref.how))
    return found


def write_summary(output: Path, snapshot: str) -> Path:
    """`<output>/report/snapshot=<date>/summary.json`, replaced whole."""
    folder = output / "report" / f"snapshot={snapshot}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "summary.json"
    document = {"snapshot": snapshot, "headlines": [asdict(h) for h in headlines(output, snapshot)]}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = OneLineParser(
        prog="jobs.report",
        description="Headline numbers of one snapshot beside the papers' values (summary.json).",
        epilog="example: python -m jobs.report --output output --snapshot 2026-11-01",
    )
    parser.add_argument("--output", required=True, type=Path, help="root folder of all tables")
    parser.add_argument("--snapshot", required=True, type=snapshot_date, help="YYYY-MM-DD")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    def body() -> None:
        args = parse_args(argv)
        print(write_summary(args.output, args.snapshot))

    return run_main("report", body)


if __name__ == "__main__":
    sys.exit(main())
