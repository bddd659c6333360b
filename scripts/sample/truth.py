"""Ground truth: what a correct pipeline computes from the sample.

Imitates nothing on the Hub: these are the answers later stages are graded against, in node
index space, by these rules:
  * family_id: smallest id in the weakly connected component over all declared edges, parents
    missing from the snapshot included as placeholder nodes (so it may name a missing model).
  * depth_min / depth_max: shortest / longest generation count from a root over edges whose
    parent is in the snapshot, ignoring self-loops and edges inside a cycle; a model with no
    such parent is a root (depth 0, root_id = itself). root_id follows the parent with the
    smallest (depth_min, id).
  * has_card: card text longer than 3 characters that is not a scraper error message.
  * license / languages: canonical values declared by card YAML or Hub tags.
All edges except self-loops and the deliberate 2-cycles point from an earlier-created model
to a later one, which is why no other cycle can exist.
Reference value (DESIGN.md): the declared edges with the parent in the snapshot are what the
573,653 edges count; the lineage views (all, no_merges, finetune_only) follow DESIGN's rule
that a missing parent is no node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scripts.sample.draws import Arr
from scripts.sample.graph import _Graph
from scripts.sample.shape import (
    C_BAD,
    C_BOM,
    C_CRLF,
    C_JUNK,
    C_OK,
    CH_NAME,
    CH_PROSE,
    FT,
    MG,
    R_CYCLE,
    R_SELF,
)


def _components(n_nodes: int, a: Arr, b: Arr) -> Arr:
    """Connected components by hooking and pointer jumping: label = smallest node index."""
    lab = np.arange(n_nodes)
    while True:
        la, lb = lab[a], lab[b]
        lo, hi = np.minimum(la, lb), np.maximum(la, lb)
        m = lo != hi
        if not m.any():
            return lab
        np.minimum.at(lab, hi[m], lo[m])
        while True:
            nxt = lab[lab]
            if np.array_equal(nxt, lab):
                break
            lab = nxt


@dataclass
class _Truth:
    """Ground-truth edges (declared + prose) and per-node facts, in node index space."""

    child: Arr
    parent: Arr
    rel: Arr
    via: Arr
    fam_label: Arr  # node index of the family id (all-edges view)
    fam_label_nm: Arr  # same without merge edges
    root: Arr
    dmin: Arr
    dmax: Arr
    in_cycle: Arr
    has_card: Arr


def _depths(total: int, c: Arr, p: Arr) -> tuple[Arr, Arr]:
    """Shortest / longest generation count from a root over the edges p -> c (acyclic)."""
    has_par = np.zeros(total, bool)
    has_par[c] = True
    big = np.int64(1 << 30)
    dmin = np.where(has_par, big, 0)
    while True:
        new = np.full(total, big)
        np.minimum.at(new, c, np.minimum(dmin[p] + 1, big))
        new = np.where(has_par, new, 0)
        if np.array_equal(new, dmin):
            break
        dmin = new
    dmax = np.zeros(total, np.int64)
    while True:
        new = np.zeros(total, np.int64)
        np.maximum.at(new, c, dmax[p] + 1)
        if np.array_equal(new, dmax):
            break
        dmax = new
    return dmin, dmax


VIEW_MASKS = {
    "all": lambda rel: np.ones(len(rel), bool),
    "no_merges": lambda rel: rel != MG,
    "finetune_only": lambda rel: rel == FT,
}


def _view_lineage(
    g: _Graph, ids_pa: pa.Array, child: Arr, parent: Arr, rel: Arr, in_cycle: Arr
) -> pa.Table:
    """Per view, over the models in the snapshot (a missing parent is no node): family id
    (smallest id of the weak component), depths ignoring edges inside a cycle, in_cycle."""
    n = g.n
    order_ids = pc.sort_indices(ids_pa.slice(0, n)).to_numpy()
    rank = np.empty(n, np.int64)
    rank[order_ids] = np.arange(n)
    known = parent < n
    columns: dict[str, list[Any]] = {k: [] for k in ("model_id", "view", "family_id")}
    depth_min: list[Arr] = []
    depth_max: list[Arr] = []
    for view, mask_of in VIEW_MASKS.items():
        keep = known & mask_of(rel)
        c, p = child[keep], parent[keep]
        label = order_ids[_components(n, rank[c], rank[p])[rank]]
        generation = ~(in_cycle[c] & in_cycle[p])
        dmin, dmax = _depths(n, c[generation], p[generation])
        columns["model_id"].append(ids_pa.slice(0, n))
        columns["view"].append(pa.array([view] * n))
        columns["family_id"].append(ids_pa.take(pa.array(label)))
        depth_min.append(dmin[:n].astype(np.int32))
        depth_max.append(dmax[:n].astype(np.int32))
    return pa.table(
        {
            "model_id": pa.concat_arrays(columns["model_id"]),
            "view": pa.concat_arrays(columns["view"]),
            "family_id": pa.concat_arrays(columns["family_id"]),
            "depth_min": pa.array(np.concatenate(depth_min)),
            "depth_max": pa.array(np.concatenate(depth_max)),
            "in_cycle": pa.array(np.tile(in_cycle[:n], len(VIEW_MASKS))),
        }
    )


def _truth(g: _Graph, ids: list[str]) -> _Truth:
    """Edges, families, cycles, depths and roots by the rules in the module docstring."""
    total = len(g.role)
    n = g.n
    tree_c = np.flatnonzero(g.tparent[:n] >= 0)
    child = np.concatenate([tree_c, g.extra_child])
    parent = np.concatenate([g.tparent[tree_c], g.extra_parent])
    order = np.lexsort((parent, child))
    child, parent = child[order], parent[order]
    rel = g.rel[child]
    via = g.channel[child]

    order_ids = pc.sort_indices(pa.array(ids)).to_numpy()
    rank = np.empty(total, np.int64)
    rank[order_ids] = np.arange(total)

    def family(c: Arr, p: Arr) -> Arr:
        lab = _components(total, rank[c], rank[p])
        return order_ids[lab[rank]]

    fam_label = family(child, parent)
    no_merge = rel != MG
    fam_label_nm = family(child[no_merge], parent[no_merge])

    in_cycle = np.isin(g.role, (R_SELF, R_CYCLE))
    use = (parent < n) & ~(in_cycle[child] & in_cycle[parent])
    c, p = child[use], parent[use]
    has_par = np.zeros(total, bool)
    has_par[c] = True
    dmin, dmax = _depths(total, c, p)
    root = np.arange(total)
    best = (dmin[p] == dmin[c] - 1) & has_par[c]
    bc, bp = c[best], p[best]
    order = np.lexsort((rank[bp], bc, dmin[bc]))
    bc, bp = bc[order], bp[order]
    first = np.ones(len(bc), bool)
    first[1:] = bc[1:] != bc[:-1]  # bc is grouped by child within each depth level
    depth_of = dmin[bc]
    for d in range(1, int(dmin[:n].max()) + 1):
        sel = first & (depth_of == d)
        root[bc[sel]] = root[bp[sel]]

    prose_c, prose_p = g.prose_child, g.prose_parent
    name_c, name_p = g.name_child, g.name_parent
    has_card = np.isin(g.card, (C_OK, C_BOM, C_CRLF, C_BAD, C_JUNK))
    return _Truth(
        child=np.concatenate([child, prose_c, name_c]),
        parent=np.concatenate([parent, prose_p, name_p]),
        rel=np.concatenate([rel, np.full(len(prose_c), FT), g.name_rel]),
        via=np.concatenate([via, np.full(len(prose_c), CH_PROSE), np.full(len(name_c), CH_NAME)]),
        fam_label=fam_label,
        fam_label_nm=fam_label_nm,
        root=root,
        dmin=dmin,
        dmax=dmax,
        in_cycle=in_cycle,
        has_card=has_card,
    )
