"""One page per large family: its tree (udfs.tree_layout, drawn by jobs.figures) and its
members with their traits, from the snapshot's nodes, edges and models (view all)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow.compute as pc

from jobs import figures
from jobs.report_html import Figure, Section, table
from jobs.report_sections import ALL, Snapshot
from jobs.tables import id_in
from udfs.normalize import license_category
from udfs.tree_layout import Member, layout_tree


def model_category(licenses: Sequence[str]) -> str:
    """A model's license category for colouring: its first declared license's, else unknown.

    >>> model_category(["mit"]), model_category([])
    ('permissive', 'unknown')
    """
    return license_category(licenses[0]) if licenses else "unknown"


@dataclass
class FamilyRows:
    """What a family page draws: its nodes (view all), members' traits, declared edges."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    traits: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)


def family_rows(snap: Snapshot, family_ids: Sequence[str]) -> dict[str, FamilyRows]:
    """The rows of every family drawn, each table read once for all of them: a scan of
    the nodes, models and edges per page was a third of the report's time at 2M models.
    No family drawn reads nothing: a snapshot without lineage tables still gets its report."""
    if not family_ids:
        return {}
    nodes = snap.rows(
        "nodes",
        ["model_id", "family_id", "depth_min", "n_children"],
        (pc.field("view") == ALL) & id_in("family_id", family_ids),
    )
    family_of = {n["model_id"]: n["family_id"] for n in nodes}
    ids = list(family_of)
    found = {family_id: FamilyRows() for family_id in family_ids}
    for node in nodes:
        found[node["family_id"]].nodes.append(node)
    for row in snap.rows(
        "models",
        ["model_id", "downloads", "licenses", "pipeline_tag", "library_name", "created_at"],
        id_in("model_id", ids),
    ):
        found[family_of[row["model_id"]]].traits[row["model_id"]] = row
    for edge in snap.rows(
        "edges",
        ["child_id", "parent_id", "relation"],
        id_in("child_id", ids) & pc.field("parent_known"),
    ):
        found[family_of[edge["child_id"]]].edges.append(edge)
    return found


def family_page(
    snap: Snapshot, family: dict[str, Any], drawn: FamilyRows
) -> tuple[str, list[Section]]:
    """The tree and members of one family (view all): its title and sections."""
    family_id = family["family_id"]
    nodes, traits, edges = drawn.nodes, drawn.traits, drawn.edges
    ids = [n["model_id"] for n in nodes]
    members = [
        Member(
            n["model_id"],
            n["depth_min"] or 0,
            traits.get(n["model_id"], {}).get("downloads") or 0,
            n["n_children"],
        )
        for n in nodes
    ]
    triples = [(e["child_id"], e["parent_id"], e["relation"]) for e in edges]
    layout = layout_tree(
        members, triples, snap.config.tree_max_nodes, snap.config.tree_max_per_level
    )
    colours = {
        m: model_category(traits.get(m, {}).get("licenses") or []) for m in layout.drawn_models
    }
    labels = (
        {m: figures.short_label(m.split("/")[-1], 28) for m in layout.drawn_models}
        if len(layout.drawn_models) <= 60
        else {
            m: figures.short_label(m.split("/")[-1], 28)
            for m in layout.drawn_models
            if layout.positions[m][1] == 0
        }
    )
    for box, n in layout.collapsed.items():
        colours[box] = "other"
        mix = ", ".join(f"{k} {v}" for k, v in layout.collapsed_relations[box].items())
        labels[box] = f"+{n:,} more ({mix})" if mix else f"+{n:,} more"
    svg = figures.tree(
        layout.positions,
        labels,
        colours,
        layout.edges,
        f"Family {figures.short_label(family_id, 60)}",
    )
    slug = family_slug(family_id)
    tree = Figure(f"figures/{slug}.svg", f"Family tree of {family_id}")
    path = snap.folder / "families" / tree.file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(svg, encoding="utf-8")
    parent_of = {e["child_id"]: (e["parent_id"], e["relation"]) for e in edges}
    listed = sorted(
        nodes, key=lambda n: (-(traits.get(n["model_id"], {}).get("downloads") or 0), n["model_id"])
    )
    listed = listed[: snap.config.family_members_listed]
    rows = []
    for member in listed:
        t = traits.get(member["model_id"], {})
        parent, relation = parent_of.get(member["model_id"], (None, None))
        rows.append(
            [
                member["model_id"],
                member["depth_min"],
                parent,
                relation,
                t.get("licenses") or [],
                t.get("pipeline_tag"),
                t.get("library_name"),
                t.get("downloads"),
                t.get("created_at"),
            ]
        )
    shown = f"{len(layout.drawn_models):,} of {len(ids):,} models drawn"
    sections = [
        Section(
            "tree",
            "Tree",
            "Roots at the top, one row per generation; line style is the relation, colour "
            "the license category of the model. "
            + (
                f"{shown}: past the size limit each generation's remaining models are one "
                "&quot;+N more&quot; box."
                if layout.collapsed
                else f"{shown}."
            ),
            [tree],
        ),
        Section(
            "members",
            "Members",
            f"The {len(rows):,} most downloaded of {len(ids):,} members, with one declared "
            "parent each (the first found) and its relation.",
            [],
            [
                table(
                    [
                        "model",
                        "depth",
                        "parent",
                        "relation",
                        "licenses",
                        "task",
                        "library",
                        "downloads",
                        "created",
                    ],
                    rows,
                )
            ],
        ),
    ]
    return f"Family {family_id}", sections


def family_slug(family_id: str) -> str:
    """A file name for a family page: the id made safe, with a short hash for uniqueness.

    >>> family_slug("meta-llama/Llama-2-7b-hf")[:25]
    'meta-llama--Llama-2-7b-hf'
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", family_id.replace("/", "--"))[:80]
    return f"{safe}-{hashlib.sha1(family_id.encode()).hexdigest()[:8]}"
