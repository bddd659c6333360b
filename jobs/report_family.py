"""One page per large family: its tree (udfs.tree_layout, drawn by jobs.figures) and its
members with their traits, from the snapshot's nodes, edges and models (the report's view:
`tree_view`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from jobs import figures
from jobs.lineage import PLUS_INFERRED
from jobs.report_html import Figure, Section, table
from jobs.report_sections import ALL, Snapshot, added_by_view, view_note
from jobs.tables import id_in
from udfs.normalize import license_category
from udfs.tree_layout import Member, layout_tree


def model_category(licenses: Sequence[str]) -> str:
    """A model's license category for colouring: its first declared license's, else unknown.

    >>> model_category(["mit"]), model_category([])
    ('permissive', 'unknown')
    """
    return license_category(licenses[0]) if licenses else "unknown"


NODE_COLUMNS = ["model_id", "depth_min", "n_children"]
MODEL_COLUMNS = ["model_id", "downloads", "licenses", "pipeline_tag", "library_name", "created_at"]
EDGE_COLUMNS = ["child_id", "parent_id", "relation"]


@dataclass
class FamilyRows:
    """What a family page draws, kept in Arrow: its nodes (the report's view, NODE_COLUMNS),
    its members' traits (MODEL_COLUMNS) and edges (EDGE_COLUMNS: the declared ones, and in
    `all_plus_inferred` the inferred ones it adds). The largest families
    have hundreds of thousands of members at 2M models, and turning every row into a Python
    dict took longer than drawing the pages; only the drawn and listed members need one."""

    nodes: pa.Table
    models: pa.Table
    edges: pa.Table


def python_values(column: pa.ChunkedArray) -> list[Any]:
    """A string or integer column as Python values, through numpy: many times faster than
    `to_pylist` for a long column. String nulls stay None; an integer column with nulls
    comes back as floats (NaN), so fill them first.

    >>> python_values(pa.chunked_array([pa.array(["a", None])]))
    ['a', None]
    """
    return column.to_numpy(zero_copy_only=False).tolist()


def rows_of(table: pa.Table, column: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The rows of `table` whose `column` is one of `ids`, by that column's value."""
    return {row[column]: row for row in table.filter(id_in(column, ids)).to_pylist()}


def family_rows(snap: Snapshot, family_ids: Sequence[str]) -> dict[str, FamilyRows]:
    """The rows of every family drawn, each table read once for all of them: a scan of
    the nodes, models and edges per page was a third of the report's time at 2M models.
    No family drawn reads nothing: a snapshot without lineage tables still gets its report."""
    if not family_ids:
        return {}
    nodes = snap.read(
        "nodes",
        ["family_id", *NODE_COLUMNS],
        (pc.field("view") == snap.view) & id_in("family_id", family_ids),
    )
    member_ids = nodes.column("model_id").combine_chunks()
    models = snap.read("models", MODEL_COLUMNS, pc.field("model_id").isin(member_ids))
    edges = snap.read(
        "edges", EDGE_COLUMNS, pc.field("child_id").isin(member_ids) & pc.field("parent_known")
    )
    if snap.view == PLUS_INFERRED and snap.inference_threshold is not None:
        added = snap.read(
            "inferred_edges",
            EDGE_COLUMNS,
            pc.field("child_id").isin(member_ids)
            & pc.field("parent_known")
            & added_by_view(snap.inference_threshold),
        )
        edges = pa.concat_tables([edges, added.cast(edges.schema)])
    found = {}
    for family_id in family_ids:
        family_nodes = nodes.filter(pc.field("family_id") == family_id)
        ids = family_nodes.column("model_id").combine_chunks()
        found[family_id] = FamilyRows(
            family_nodes.select(NODE_COLUMNS),
            models.filter(pc.is_in(models.column("model_id"), ids)),
            edges.filter(pc.is_in(edges.column("child_id"), ids)),
        )
    return found


def family_page(
    snap: Snapshot, family: dict[str, Any], drawn: FamilyRows
) -> tuple[str, list[Section]]:
    """The tree and members of one family (the report's view): its title and sections."""
    family_id = family["family_id"]
    ids = python_values(drawn.nodes.column("model_id"))
    downloads = dict(
        zip(
            python_values(drawn.models.column("model_id")),
            python_values(pc.fill_null(drawn.models.column("downloads"), 0)),
            strict=True,
        )
    )
    members = [
        Member(model_id, depth, downloads.get(model_id, 0), children)
        for model_id, depth, children in zip(
            ids,
            python_values(pc.fill_null(drawn.nodes.column("depth_min"), 0)),
            python_values(pc.fill_null(drawn.nodes.column("n_children"), 0)),
            strict=True,
        )
    ]
    triples = list(zip(*(python_values(drawn.edges.column(c)) for c in EDGE_COLUMNS), strict=True))
    layout = layout_tree(
        members, triples, snap.config.tree_max_nodes, snap.config.tree_max_per_level
    )
    listed = sorted(ids, key=lambda m: (-downloads.get(m, 0), m))
    listed = listed[: snap.config.family_members_listed]
    traits = rows_of(drawn.models, "model_id", [*layout.drawn_models, *listed])
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
    parent_of = {child: (parent, relation) for child, parent, relation in triples}
    depth_of = rows_of(drawn.nodes, "model_id", listed)
    rows = []
    for model_id in listed:
        t = traits.get(model_id, {})
        parent, relation = parent_of.get(model_id, (None, None))
        rows.append(
            [
                model_id,
                depth_of[model_id]["depth_min"],
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
            f"The {len(rows):,} most downloaded of {len(ids):,} members, with one "
            f"{'declared' if snap.view == ALL else 'declared or inferred'} parent each (one of "
            "them when it has several) and its relation.",
            [],
            [
                *view_note(snap),
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
                ),
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
