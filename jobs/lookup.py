"""One model's place in the ecosystem, from pedigree's tables: the Hub's model-tree panel.

    python -m jobs.lookup MODEL_ID --output DIR --snapshot YYYY-MM-DD [--view all] [--json]

Reads the published partitions of one snapshot with pyarrow, no Spark: a lookup starts in
a second. Only the columns it needs are read, and rows are filtered while reading (row
groups whose statistics rule the id out are skipped). Ancestors and descendants are walked
over the view's edges held as two id arrays; in `all_plus_inferred` those are the declared
edges plus the `inferred_edges` at or above `--threshold` of models that declare none
(what the lineage stage's view holds when it ran with that threshold), each marked with
its confidence and evidence. Output folders must be on a local or mounted filesystem.

An id typed in another letter case answers for the one stored id it names (the Hub resolves
ids in any case). Without the tables of drift or similarity the lookup still answers, and
says which stage computes the license conflicts or the near-duplicate cluster.

Reading order: read the tables -> the model's row (else the stored id it names, else
suggestions) -> walk up (ancestors) and down (descendants) -> siblings, family, conflicts,
near-duplicate cluster -> print.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from jobs.cli import (
    OneLineParser,
    UserError,
    local_output,
    output_location,
    run_main,
    snapshot_date,
)
from jobs.config import load_config
from jobs.lineage import PLUS_INFERRED, VIEWS, relation_in_view
from jobs.tables import TABLE_STAGES, MissingTable, read_partition

TRAITS = (
    "author",
    "created_at",
    "downloads",
    "likes",
    "library_name",
    "pipeline_tag",
    "licenses",
    "languages",
    "datasets",
    "has_card",
    "card_error",
)
TOP_SIBLINGS = 10
CLOSEST_IDS = 5
# Most ids difflib compares for suggestions: comparing all 2M of the Hub took 10 s.
MAX_CANDIDATES = 2000
# How many first letters of a namespace or name pick candidates when none share either.
PREFIX = 3
# Tables of later stages -> what the lookup reads there: without them the lookup answers
# the rest and says which stage (`TABLE_STAGES`) to run.
LATER_TABLES = {
    "license_conflicts": "license conflicts",
    "card_clusters": "near-duplicate cluster",
}


@dataclass
class Lookup:
    """Everything the lookup answers about one model in one view."""

    model_id: str
    view: str
    traits: dict[str, Any]
    parents: list[dict[str, Any]]
    ancestors: list[dict[str, Any]]  # every model above, with its distance and relation
    roots: list[str]
    children: list[dict[str, Any]]
    descendants_by_relation: dict[str, int]
    n_descendants: int
    siblings: list[dict[str, Any]]
    family: dict[str, Any]
    license_conflicts: list[dict[str, Any]]
    cluster: dict[str, Any] | None
    not_computed: dict[str, str] = field(default_factory=dict)  # table -> command writing it
    notes: list[str] = field(default_factory=list)


def lowered(text: str) -> str:
    """`text` lowercased the way Arrow lowercases the stored ids, so both sides agree."""
    return str(pc.utf8_lower(pa.scalar(text)).as_py())


def best_matches(ids: pa.ChunkedArray, wanted: str) -> list[str]:
    """The ids of `ids` closest to lowercase `wanted` by difflib, ignoring case; past
    `MAX_CANDIDATES` ids only those closest in length are compared (a typo keeps it)."""
    low = pc.utf8_lower(ids)
    if len(ids) > MAX_CANDIDATES:
        length_gap = pc.abs(pc.subtract(pc.utf8_length(low), len(wanted)))
        nearest = pc.sort_indices(length_gap)[:MAX_CANDIDATES]
        ids, low = ids.take(nearest), low.take(nearest)
    spellings: dict[str, list[str]] = {}
    for spelling, model_id in zip(low.to_pylist(), ids.to_pylist(), strict=True):
        spellings.setdefault(spelling, []).append(model_id)
    close = difflib.get_close_matches(wanted, list(spellings), n=CLOSEST_IDS, cutoff=0.5)
    return [model_id for c in close for model_id in sorted(spellings[c])][:CLOSEST_IDS]


def closest_ids(ids: pa.ChunkedArray, model_id: str) -> list[str]:
    """Stored ids spelled like `model_id`, ignoring case. Cheap at millions of ids: difflib
    sees ids of the same namespace or name, else ids whose namespace or name starts alike
    (Arrow picks them), never every id."""
    wanted = lowered(model_id)
    namespace, _, name = wanted.rpartition("/")
    low = pc.utf8_lower(ids)
    without_namespace = pc.invert(pc.match_substring(low, "/"))
    same_namespace = pc.starts_with(low, f"{namespace}/") if namespace else without_namespace
    same_name = pc.or_(pc.ends_with(low, f"/{name}"), pc.equal(low, name))
    starts_alike = pc.or_(
        pc.starts_with(low, wanted[:PREFIX]), pc.match_substring(low, f"/{name[:PREFIX]}")
    )
    for near in (pc.or_(same_namespace, same_name), starts_alike):
        found = best_matches(ids.filter(near), wanted)
        if found:
            return found
    return []


def stored_id(output: Path, snapshot: str, model_id: str) -> str:
    """The one stored id equal to `model_id` ignoring letter case (Hub ids are unique in
    any case, and the Hub resolves them so); refused, with the ids meant, otherwise."""
    ids = read_partition(output, "models", snapshot, ["model_id"]).column("model_id")
    same = sorted(ids.filter(pc.equal(pc.utf8_lower(ids), lowered(model_id))).to_pylist())
    if len(same) == 1:
        return str(same[0])
    suggestions = same or closest_ids(ids, model_id)
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise UserError(f"no model {model_id!r} in snapshot {snapshot} under {output}{hint}")


def model_traits(output: Path, snapshot: str, model_id: str) -> dict[str, Any] | None:
    """The model's `TRAITS`, None when no model has exactly this id."""
    rows = read_partition(
        output,
        "models",
        snapshot,
        ["model_id", *TRAITS],
        pc.field("model_id") == model_id,
        optional=TRAITS,
    ).to_pylist()
    return {k: v for k, v in rows[0].items() if k != "model_id"} if rows else None


def later_stage_rows(
    output: Path,
    snapshot: str,
    table: str,
    columns: list[str],
    model_id: str,
    not_computed: dict[str, str],
) -> list[dict[str, Any]]:
    """The rows of a `LATER_TABLES` table whose first column is `model_id`; when its stage
    has not run, none, and the command to run it goes into `not_computed`."""
    try:
        return read_partition(
            output, table, snapshot, columns, pc.field(columns[0]) == model_id
        ).to_pylist()
    except MissingTable:
        stage = TABLE_STAGES[table]
        not_computed[table] = f"python -m jobs.{stage} --output {output} --snapshot {snapshot}"
        return []


def view_edge_rows(output: Path, snapshot: str, view: str, threshold: float) -> list[dict]:
    """The view's edges as `child_id, parent_id, relation, inferred` rows (plus the
    confidence and evidence of inferred ones), read with pyarrow like `view_edges` builds
    them in Spark: declared edges, and for `all_plus_inferred` the confident inferred
    parents of models that declare none."""
    columns = ["child_id", "parent_id", "relation"]
    declared = [
        {**e, "inferred": False}
        for e in read_partition(output, "edges", snapshot, columns).to_pylist()
        if relation_in_view(e["relation"], view)
    ]
    if view != PLUS_INFERRED:
        return declared
    added = read_partition(
        output,
        "inferred_edges",
        snapshot,
        [*columns, "confidence", "evidence"],
        (pc.field("confidence") >= threshold) & ~pc.field("child_declares"),
    ).to_pylist()
    return declared + [{**e, "inferred": True} for e in added]


def walk(start: str, links: dict[str, list[tuple[str, str]]]) -> list[dict[str, Any]]:
    """Breadth-first over `links` (id -> [(next id, relation)]): every model reached once,
    at its shortest distance, with the relation of the link that reached it."""
    seen = {start}
    found: list[dict[str, Any]] = []
    queue = deque([(start, 0)])
    while queue:
        current, distance = queue.popleft()
        for nxt, relation in sorted(links.get(current, ())):
            if nxt not in seen:
                seen.add(nxt)
                found.append(
                    {
                        "model_id": nxt,
                        "distance": distance + 1,
                        "relation": relation,
                        "via": current,
                    }
                )
                queue.append((nxt, distance + 1))
    return found


def lookup(
    output: Path, snapshot: str, model_id: str, view: str, threshold: float | None = None
) -> Lookup:
    """Read the snapshot's tables and answer for `model_id` in `view` (inferred edges at
    or above `threshold`, by default the configured `inference.threshold`)."""
    notes: list[str] = []
    traits = model_traits(output, snapshot, model_id)
    if traits is None:
        asked, model_id = model_id, stored_id(output, snapshot, model_id)
        notes.append(f"answered for {model_id}: no model {asked!r}, and ids ignore letter case")
        traits = model_traits(output, snapshot, model_id)
        assert traits is not None, "stored_id returns a stored id"

    if threshold is None:
        threshold = load_config().inference.threshold
    up: dict[str, list[tuple[str, str]]] = {}
    down: dict[str, list[tuple[str, str]]] = {}
    inferred: dict[tuple[str, str], dict[str, Any]] = {}
    for edge in view_edge_rows(output, snapshot, view, threshold):
        up.setdefault(edge["child_id"], []).append((edge["parent_id"], edge["relation"]))
        down.setdefault(edge["parent_id"], []).append((edge["child_id"], edge["relation"]))
        if edge["inferred"]:
            key = (edge["child_id"], edge["parent_id"])
            inferred[key] = {"confidence": edge["confidence"], "evidence": edge["evidence"]}
    ancestors = walk(model_id, up)
    descendants = walk(model_id, down)
    for a in ancestors:
        a["inferred"] = inferred.get((a["via"], a["model_id"]))
    for d in descendants:
        d["inferred"] = inferred.get((d["model_id"], d["via"]))
    parents = [a for a in ancestors if a["distance"] == 1]
    children = [d for d in descendants if d["distance"] == 1]

    node_columns = ["model_id", "family_id", "root_ids", "depth_min", "depth_max", "in_cycle"]
    in_view = pc.field("view") == view
    node = read_partition(
        output, "nodes", snapshot, node_columns, in_view & (pc.field("model_id") == model_id)
    ).to_pylist()
    family: dict[str, Any] = {}
    roots: list[str] = []
    if node:
        roots = node[0]["root_ids"] or []
        family_rows = read_partition(
            output,
            "families",
            snapshot,
            ["family_id", "size", "max_depth", "root_ids", "root_licenses"],
            in_view & (pc.field("family_id") == node[0]["family_id"]),
        ).to_pylist()
        family = {
            **(family_rows[0] if family_rows else {"family_id": node[0]["family_id"]}),
            "depth_min": node[0]["depth_min"],
            "depth_max": node[0]["depth_max"],
            "in_cycle": node[0]["in_cycle"],
        }

    sibling_ids = sorted(
        {child for parent in parents for child, _ in down.get(parent["model_id"], ())} - {model_id}
    )
    siblings = (
        read_partition(
            output,
            "models",
            snapshot,
            ["model_id", "downloads"],
            pc.field("model_id").isin(sibling_ids),
        ).to_pylist()
        if sibling_ids
        else []
    )
    siblings.sort(key=lambda s: (-(s["downloads"] or 0), s["model_id"]))

    above = [a["model_id"] for a in ancestors]
    not_computed: dict[str, str] = {}
    conflicts = later_stage_rows(
        output,
        snapshot,
        "license_conflicts",
        ["child_id", "parent_id", "parent_license", "child_license", "reason"],
        model_id,
        not_computed,
    )
    conflicts = [c for c in conflicts if c["parent_id"] in above]
    cluster_rows = later_stage_rows(
        output,
        snapshot,
        "card_clusters",
        ["model_id", "cluster_id", "cluster_size", "representative_id"],
        model_id,
        not_computed,
    )
    return Lookup(
        model_id=model_id,
        view=view,
        traits=traits,
        parents=parents,
        ancestors=ancestors,
        roots=roots,
        children=children,
        descendants_by_relation=dict(sorted(Counter(d["relation"] for d in descendants).items())),
        n_descendants=len(descendants),
        siblings=siblings[:TOP_SIBLINGS],
        family=family,
        license_conflicts=conflicts,
        cluster=cluster_rows[0] if cluster_rows else None,
        not_computed=not_computed,
        notes=notes,
    )


def shortened(values: list[str], keep: int = 5) -> str:
    """The first `keep` values, then how many more.

    >>> shortened(["a", "b", "c"], keep=2)
    'a, b (+1 more)'
    """
    more = f" (+{len(values) - keep} more)" if len(values) > keep else ""
    return ", ".join(values[:keep]) + more


def how_linked(step: dict[str, Any]) -> str:
    """A walked link's relation, and for an inferred one its confidence and evidence.

    >>> how_linked({"relation": "finetune", "inferred": None})
    'finetune'
    >>> how_linked({"relation": "quantized", "inferred": {"confidence": 0.94,
    ...     "evidence": ["name", "prose"]}})
    'quantized, inferred 0.94 from name+prose'
    """
    found = step.get("inferred")
    if not found:
        return str(step["relation"])
    evidence = "+".join(found["evidence"] or [])
    return f"{step['relation']}, inferred {found['confidence']:.2f} from {evidence}"


def render(found: Lookup) -> str:
    """The lookup as a person reads it."""
    lines = [f"{found.model_id}  (view {found.view})"]
    lines.extend(f"  note: {note}" for note in found.notes)
    for key, value in found.traits.items():
        if value not in (None, []):
            lines.append(
                f"  {key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
            )
    family = found.family
    if family:
        lines.append(
            f"family {family['family_id']}: {family.get('size', '?')} models, max depth "
            f"{max_depth if (max_depth := family.get('max_depth')) is not None else 'unknown'}"
            f", this model at depth {family['depth_min']}"
            + (f"-{family['depth_max']}" if family["depth_max"] != family["depth_min"] else "")
            + f"; root licenses {shortened(family.get('root_licenses') or []) or 'none'}"
        )
    lines.append(f"ancestors ({len(found.ancestors)}), roots: {', '.join(found.roots) or '-'}")
    for a in found.ancestors:
        lines.append(f"  {'  ' * (a['distance'] - 1)}<- {a['model_id']} ({how_linked(a)})")
    by_relation = ", ".join(f"{r} {n}" for r, n in found.descendants_by_relation.items())
    lines.append(
        f"children ({len(found.children)}), descendants {found.n_descendants}: {by_relation or '-'}"
    )
    for c in found.children[:TOP_SIBLINGS]:
        lines.append(f"  -> {c['model_id']} ({how_linked(c)})")
    lines.append(f"siblings (top {TOP_SIBLINGS} by downloads): {len(found.siblings)}")
    for s in found.siblings:
        lines.append(f"  {s['model_id']} ({s['downloads'] or 0} downloads)")
    for c in found.license_conflicts:
        lines.append(
            f"license conflict with {c['parent_id']}: {c['parent_license']} -> "
            f"{c['child_license']} ({c['reason']})"
        )
    if found.cluster:
        lines.append(
            f"near-duplicate cluster {found.cluster['cluster_id']}: {found.cluster['cluster_size']}"
            f" cards, representative {found.cluster['representative_id']}"
        )
    for table, command in found.not_computed.items():
        lines.append(f"{LATER_TABLES[table]}: not computed; run {command}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = OneLineParser(
        prog="pedigree lookup",
        description="One model's traits, ancestors, descendants, family and near-duplicates "
        "(no Spark). Same as python -m jobs.lookup.",
        epilog="example:\n  pedigree lookup meta-llama/Llama-2-7b-hf --output output "
        "--snapshot 2026-11-01 --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model_id", help="the Hub id, e.g. meta-llama/Llama-2-7b-hf")
    parser.add_argument(
        "--output", required=True, type=output_location, help="root folder of all tables"
    )
    parser.add_argument("--snapshot", required=True, type=snapshot_date, help="YYYY-MM-DD")
    parser.add_argument("--view", default="all", choices=VIEWS, help="graph view (default all)")
    parser.add_argument(
        "--threshold",
        type=float,
        help="confidence from which inferred edges count in all_plus_inferred "
        "(default inference.threshold of conf/pedigree.yaml; use the one lineage ran with)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object, for scripts")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    def body() -> None:
        args = parse_args(argv)
        output = local_output(args.output)
        found = lookup(output, args.snapshot, args.model_id, args.view, args.threshold)
        text = json.dumps(asdict(found), default=str) if args.json else render(found)
        print(text)

    return run_main("lookup", body)


if __name__ == "__main__":
    sys.exit(main())
