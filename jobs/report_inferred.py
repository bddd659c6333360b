"""The report's "Undocumented lineage" section: how many models without a declared parent
get an inferred one, how right inference is on the models that do declare (precision and
recall against their hidden declarations), and how the families change when it is counted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyarrow.compute as pc

from jobs import figures
from jobs.report_html import Section, counted, escape, table_or_note
from jobs.report_sections import (
    NO_FAMILIES,
    Snapshot,
    added_by_view,
    family_size_counts,
    largest_sizes,
)

DECLARED_VIEW, INFERRED_VIEW = "all", "all_plus_inferred"
TOP_SIZES = 5


def chosen_threshold(rows: list[dict[str, Any]]) -> float | None:
    """The threshold lineage ran with: the one its per-evidence and per-relation rows use."""
    return next((r["threshold"] for r in rows if r["group"] != "overall"), None)


def undocumented_lineage(snap: Snapshot) -> Section:
    scores = snap.rows(
        "inference_eval",
        [
            "group",
            "key",
            "threshold",
            "n_predicted",
            "n_correct",
            "n_truth",
            "n_found",
            "precision",
            "recall",
        ],
    )
    threshold = chosen_threshold(scores)
    if threshold is None:
        threshold = snap.inference_threshold
    # Only the edges the view adds reach Python: the scan filters them (millions at 2M).
    added = added_by_view(threshold if threshold is not None else 2.0)
    undeclared = snap.rows("inferred_edges", ["child_id", "evidence"], added)
    parents = snap.read("models", ["base_models"]).column("base_models")
    declaring = pc.sum(pc.greater(pc.list_value_length(parents), 0)).as_py() or 0
    n_undeclared = len(parents) - declaring
    children = len({r["child_id"] for r in undeclared})
    evidence = Counter(kind for r in undeclared for kind in r["evidence"])

    curve = [
        (r["threshold"], r["recall"], r["precision"])
        for r in scores
        if r["group"] == "overall" and r["precision"] is not None and r["recall"] is not None
    ]
    figures_drawn = []
    if curve:
        svg = figures.precision_recall(curve, threshold, "Inferred parents of declaring models")
        figures_drawn.append(snap.figure("inference_pr_curve", svg, "Precision-recall curve"))
    by_kind = table_or_note(
        ["measured by", "value", "inferred", "right", "declared", "found", "precision", "recall"],
        [
            [
                r["group"],
                r["key"],
                r["n_predicted"],
                r["n_correct"],
                r["n_truth"],
                r["n_found"],
                r["precision"],
                r["recall"],
            ]
            for r in sorted(scores, key=lambda r: (r["group"], r["key"]))
            if r["group"] != "overall"
        ],
        "Nothing to score inference on: no model in this snapshot declares a parent.",
    )
    every_view = family_size_counts(snap, (DECLARED_VIEW, INFERRED_VIEW))
    sizes = {view: every_view[view] for view in (DECLARED_VIEW, INFERRED_VIEW)}
    shape_rows = [
        [
            view,
            sum(counts.values()),
            counts.get(1, 0),
            ", ".join(map(str, largest_sizes(counts, TOP_SIZES))),
        ]
        for view, counts in sizes.items()
    ]
    shape = table_or_note(
        ["view", "families", "singletons", f"largest {TOP_SIZES}"],
        shape_rows if any(sizes.values()) else [],
        NO_FAMILIES,
    )
    text = (
        f"{counted(n_undeclared, 'model')} {'declares' if n_undeclared == 1 else 'declare'} "
        "no parent. Inference (card wording, pasted configs, "
        f"links, names, near-duplicate cards; never the declarations) gives {children:,} of "
        f"them a parent at confidence ≥ {threshold if threshold is not None else '—'} "
        f"({counted(len(undeclared), 'edge')}; evidence: "
        f"{escape(', '.join(f'{k} {v:,}' for k, v in evidence.most_common())) or 'none'}). "
        "The view <code>all_plus_inferred</code> adds those edges to the declared ones. "
        "To see how often inference is right, it is scored on the models that do declare "
        "parents, whose declarations it never reads: precision is the share of their inferred "
        "parents they declare, recall the share of declared parents inferred. The curve moves "
        "the threshold; the star is the one in use."
    )
    return Section(
        "undocumented",
        "Undocumented lineage",
        text,
        figures_drawn,
        [by_kind, shape],
    )
