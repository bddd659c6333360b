#!/usr/bin/env python3
"""Hidden-declaration evaluation of inferred lineage.

For each input (a card dump: the generated sample, the real 2022 slice) it runs ingest and
lineage twice in one Spark application: on the input as it is, and on a copy whose parent
declarations are removed (`udfs.inferred.hide_declarations`: YAML base_model keys and the
Hub's base_model: tags). Then it reports

- blindness: inference on the copy equals inference on the original, edge for edge;
- precision and recall of the copy's inferred parents against what the original declares,
  per threshold, evidence kind and relation (the lineage stage's `inference_eval`, with the
  copy's inferred edges and the original's declarations);
- with generator truth beside the input (`truth/edges.parquet`): precision and recall on the
  children that declare nothing and name their parent only in prose;
- how many undeclared models get a parent, and the family sizes of `all` and
  `all_plus_inferred`;
- with --hand-check N: N inferred edges of undeclared models drawn at random (seeded) with
  the card text around their evidence, written as a Markdown checklist to judge by hand.

usage: scripts/eval_inference.py --input DIR_OR_FILE [--truth DIR] --name NAME
           --output docs/inference/NAME.json [--hand-check 50]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import functions as F

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jobs import ingest, lineage  # noqa: E402
from jobs.cli import StageArgs  # noqa: E402
from jobs.cli import parse_args as ingest_args  # noqa: E402
from jobs.inference import evaluation  # noqa: E402
from jobs.spark_session import build_session  # noqa: E402
from jobs.tables import read_table  # noqa: E402
from udfs.inferred import hide_declarations  # noqa: E402
from udfs.sources import record_from_json_line  # noqa: E402

SNAPSHOT = "2026-11-01"
CONTEXT_CHARS = 160


def read_dump(path: Path) -> pa.Table:
    """A card dump (Parquet folder or file, or JSON lines, gzipped or not) as one table."""
    if path.is_dir() or path.suffix == ".parquet":
        return pq.read_table(path)
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        rows = [record_from_json_line(line)[0] for line in handle]
    return pa.Table.from_pylist([r for r in rows if r is not None])


def hidden_copy(dump: pa.Table, target: Path) -> Path:
    """The dump with every parent declaration removed from cards and tags."""
    cards, tags = [], []
    for card, tag_list in zip(
        dump.column("card").to_pylist(), dump.column("tags").to_pylist(), strict=True
    ):
        hidden_card, hidden_tags = hide_declarations(card, tag_list)
        cards.append(hidden_card)
        tags.append(hidden_tags if tag_list is not None else None)
    hidden = dump.set_column(dump.schema.get_field_index("card"), "card", pa.array(cards))
    hidden = hidden.set_column(
        hidden.schema.get_field_index("tags"), "tags", pa.array(tags, pa.list_(pa.string()))
    )
    target.mkdir(parents=True)
    pq.write_table(hidden, target / "part-00000.parquet")
    return target


def run_stages(spark: Any, source: Path, output: Path) -> None:
    args = ingest_args(
        "ingest",
        ingest.FORMATS,
        [
            "--input",
            str(source),
            "--format",
            "card-dataset",
            "--output",
            str(output),
            "--snapshot",
            SNAPSHOT,
        ],
    )
    ingest.run(spark, args)
    lineage.run(spark, StageArgs(args.output, args.snapshot, args.config))


def rows(frame: Any) -> list[dict[str, Any]]:
    return [row.asDict(recursive=True) for row in frame.collect()]


def evaluate(
    spark: Any,
    original: Path,
    hidden: Path,
    truth: Path | None,
    threshold: float,
    hand_check: int,
    seed: int,
) -> dict[str, Any]:
    table = lambda out, name: read_table(spark, str(out), name, SNAPSHOT)  # noqa: E731
    keys = ["child_id", "parent_id", "relation", "evidence", "confidence"]
    seen = table(original, "inferred_edges").select(*keys)
    blind = table(hidden, "inferred_edges").select(*keys)
    differ = seen.exceptAll(blind).count() + blind.exceptAll(seen).count()
    models = table(original, "models")
    declares = models.selectExpr("model_id AS child_id", "size(base_models) > 0 AS child_declares")
    hidden_inferred = (
        table(hidden, "inferred_edges").drop("child_declares").join(declares, "child_id")
    )
    edges = table(original, "edges")
    scores = rows(evaluation(hidden_inferred, edges, threshold))
    undeclared = hidden_inferred.where(f"NOT child_declares AND confidence >= {threshold}")
    result: dict[str, Any] = {
        "models": models.count(),
        "declaring_models": declares.where("child_declares").count(),
        "declared_edges": edges.count(),
        "inferred_edges_differing_between_original_and_hidden": differ,
        "threshold": threshold,
        "undeclared_models": declares.where("NOT child_declares").count(),
        "undeclared_models_with_inferred_parent": undeclared.select("child_id").distinct().count(),
        "inferred_edges_of_undeclared_models": undeclared.count(),
        "evidence_of_undeclared_models_edges": {
            "+".join(r["evidence"]): r["count"]
            for r in rows(undeclared.groupBy("evidence").count().orderBy(F.desc("count")))
        },
        "parent_in_snapshot": undeclared.where("parent_known").count(),
        "evaluation": sorted(scores, key=lambda r: (r["group"], r["key"], r["threshold"])),
        "families": family_shapes(table(original, "families")),
    }
    if truth is not None:
        result["undeclared_truth"] = undeclared_truth(truth, undeclared)
    if hand_check:
        result["hand_check"] = sample_for_hand_check(
            rows(undeclared.select("child_id", "parent_id", "relation", "evidence", "confidence")),
            rows(table(original, "card_texts")),
            hand_check,
            seed,
        )
    return result


def family_shapes(families: Any) -> dict[str, Any]:
    shapes = {}
    for view in ("all", "all_plus_inferred"):
        sizes = sorted(
            (r["size"] for r in families.where(f"view = '{view}'").select("size").collect()),
            reverse=True,
        )
        shapes[view] = {
            "families": len(sizes),
            "singletons": sum(1 for s in sizes if s == 1),
            "largest_10": sizes[:10],
            "models_in_families_of_10_or_more": sum(s for s in sizes if s >= 10),
        }
    return shapes


def undeclared_truth(truth: Path, undeclared: Any) -> dict[str, Any]:
    """Undeclared children scored against the generator's truth: the parents their card
    names only in prose (declared_via = prose) or their name derives from (= name)."""
    edges = pq.read_table(truth / "edges.parquet").to_pylist()
    hidden = {
        (e["child_id"], e["parent_id"].lower()): e["declared_via"]
        for e in edges
        if e["declared_via"] in ("prose", "name")
    }
    guesses = {(r["child_id"], r["parent_id"].lower()) for r in rows(undeclared)}
    right = guesses & set(hidden)
    scored: dict[str, Any] = {
        "truth_edges": len(hidden),
        "inferred": len(guesses),
        "right": len(right),
        "precision": len(right) / len(guesses) if guesses else None,
        "recall": len(right) / len(hidden) if hidden else None,
    }
    for via in ("prose", "name"):
        wanted = {pair for pair, v in hidden.items() if v == via}
        scored[f"recall_{via}"] = len(wanted & guesses) / len(wanted) if wanted else None
    return scored


def sample_for_hand_check(
    edges: list[dict[str, Any]], cards: list[dict[str, Any]], n: int, seed: int
) -> list[dict[str, Any]]:
    """n inferred edges at random, each with the card text around its first mention."""
    text = {c["model_id"]: c["card"] for c in cards}
    picked = random.Random(seed).sample(
        sorted(edges, key=lambda e: (e["child_id"], e["parent_id"])), min(n, len(edges))
    )
    checklist = []
    for edge in picked:
        card = text.get(edge["child_id"]) or ""
        at = card.lower().find(edge["parent_id"].lower())
        context = card[max(0, at - CONTEXT_CHARS) : at + CONTEXT_CHARS] if at >= 0 else ""
        checklist.append({**edge, "context": " ".join(context.split())})
    return checklist


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--truth", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--hand-check", type=int, default=0)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args()
    dump = read_dump(args.input)
    with tempfile.TemporaryDirectory(prefix="pedigree-eval-") as work:
        root = Path(work)
        original_input = root / "original"
        original_input.mkdir()
        pq.write_table(dump, original_input / "part-00000.parquet")
        hidden_input = hidden_copy(dump, root / "hidden")
        config_args = ingest_args(
            "ingest",
            ingest.FORMATS,
            [
                "--input",
                str(original_input),
                "--format",
                "card-dataset",
                "--output",
                str(root / "out"),
                "--snapshot",
                SNAPSHOT,
            ],
        )
        spark = build_session(config_args.config, root / "out")
        run_stages(spark, original_input, root / "out-original")
        run_stages(spark, hidden_input, root / "out-hidden")
        threshold = args.threshold or config_args.config.inference.threshold
        result = evaluate(
            spark,
            root / "out-original",
            root / "out-hidden",
            args.truth,
            threshold,
            args.hand_check,
            args.seed,
        )
        spark.stop()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps({k: v for k, v in result.items() if k not in ("evaluation", "hand_check")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
