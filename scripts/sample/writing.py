"""Writes the sample: card dump, hub listing, truth tables and the manifest.

Imitates the public daily card dataset (Parquet with its schema, modelId ... card) and
HfApi.list_models JSON, shard by shard, duplicate ids carrying an older last_modified; the
truth goes to Parquet under truth/. The manifest reports the shape statistics to compare
with DESIGN.md's reference values: edges by relation (573,653 parent-known edges: finetune
189,391, quantized 101,921, adapter 241,417, about 40K merge), share with a card (67%),
model-index share (about 4%) and the drift of card length (9,773 -> 4,402), auto-generated
cards (+0.25) and languages (6.60 -> 1.81) over parent/child pairs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from scripts.sample.dates import _iso
from scripts.sample.draws import Arr
from scripts.sample.graph import _Graph
from scripts.sample.languages import LANGS, _LangSets
from scripts.sample.metadata import LIBS, LIC_IDS, PIPES
from scripts.sample.render import _Renderer
from scripts.sample.shape import (
    A_NONE,
    BROKEN_KINDS,
    C_BAD,
    C_BOM,
    C_CRLF,
    C_OK,
    GENERATOR_VERSION,
    MG,
    RELATIONS,
    UNDECLARED,
    VIA,
)
from scripts.sample.traits import _Traits
from scripts.sample.truth import _Truth, _view_lineage

DUMP_SCHEMA = pa.schema(
    [
        pa.field("modelId", pa.string(), nullable=False),
        pa.field("author", pa.string()),
        pa.field("last_modified", pa.string(), nullable=False),
        pa.field("downloads", pa.int64()),
        pa.field("likes", pa.int64(), nullable=False),
        pa.field("library_name", pa.string()),
        pa.field("tags", pa.list_(pa.string()), nullable=False),
        pa.field("pipeline_tag", pa.string()),
        pa.field("createdAt", pa.string()),
        pa.field("card", pa.string()),
    ]
)


def _write_shards(
    out: Path, g: _Graph, tr: _Traits, r: _Renderer, rng: np.random.Generator, shard_rows: int
) -> tuple[int, int, Arr]:
    """Write both source formats shard by shard; return (rows, shards, card chars)."""
    rows = np.concatenate([np.arange(g.n), g.dup])
    older = np.concatenate([np.zeros(g.n, bool), np.ones(len(g.dup), bool)])
    perm = rng.permutation(len(rows))
    rows, older = rows[perm], older[perm]
    card_chars = np.full(g.n, -1, np.int64)
    dump_dir, listing_dir = out / "card-dataset", out / "hub-listing"
    for d in (dump_dir, listing_dir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    shard = 0
    for shard, s in enumerate(range(0, len(rows), shard_rows)):
        v_arr = rows[s : s + shard_rows]
        lm = np.where(
            older[s : s + shard_rows],
            g.created[v_arr] + (tr.last_mod[v_arr] - g.created[v_arr]) // 2,
            tr.last_mod[v_arr],
        )
        cols: dict[str, list[Any]] = {name: [] for name in DUMP_SCHEMA.names}
        lines: list[str] = []
        chars: list[int] = []
        for nd, lm_iso, created_iso in zip(
            r.nodes(v_arr), _iso(lm), _iso(g.created[v_arr]), strict=True
        ):
            card, card_data, tags, files = r.row(nd)
            chars.append(-1 if card is None else len(card))
            record = {
                "modelId": r.ids[nd.v],
                "author": r.authors[nd.v],
                "last_modified": lm_iso,
                "downloads": nd.downloads if nd.downloads >= 0 else None,
                "likes": nd.likes,
                "library_name": LIBS[nd.lib] if nd.lib >= 0 else None,
                "tags": tags,
                "pipeline_tag": PIPES[nd.pipe] if nd.pipe >= 0 else None,
                "createdAt": None if nd.created_null else created_iso,
                "card": card,
            }
            for name, value in record.items():
                cols[name].append(value)
            listing = {
                "id": record["modelId"],
                "author": record["author"],
                "created_at": record["createdAt"],
                "last_modified": lm_iso,
                "downloads": record["downloads"],
                "likes": nd.likes,
                "library_name": record["library_name"],
                "pipeline_tag": record["pipeline_tag"],
                "tags": tags,
                "card_data": card_data,
                "siblings": [{"rfilename": f} for f in files],
            }
            lines.append(json.dumps(listing, separators=(",", ":")))
        card_chars[v_arr] = chars
        table = pa.Table.from_pydict(cols, schema=DUMP_SCHEMA)
        pq.write_table(table, dump_dir / f"part-{shard:05d}.parquet", compression="zstd")
        (listing_dir / f"part-{shard:05d}.jsonl").write_text("\n".join(lines) + "\n")
        del cols, lines, table
    return len(rows), shard + 1, card_chars


def _write_truth(
    out: Path, g: _Graph, tr: _Traits, ls: _LangSets, truth: _Truth, ids_pa: pa.Array
) -> None:
    """Ground truth as Parquet: edges, nodes and broken rows (rules: truth.py's docstring)."""
    tdir = out / "truth"
    tdir.mkdir(parents=True, exist_ok=True)
    n = g.n
    edges = pa.table(
        {
            "child_id": ids_pa.take(pa.array(truth.child)),
            "parent_id": ids_pa.take(pa.array(truth.parent)),
            "relation": pa.array(np.array(RELATIONS)[truth.rel].tolist()),
            "parent_known": pa.array(truth.parent < n),
            "declared_via": pa.array(np.array(VIA)[truth.via].tolist()),
        }
    )
    pq.write_table(edges, tdir / "edges.parquet", compression="zstd")

    lang_ids = tr.lang[:n]
    sizes = ls.size[lang_ids]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32)
    starts = np.repeat(ls.off[lang_ids], sizes)
    within = np.arange(int(sizes.sum())) - np.repeat(offsets[:-1], sizes)
    languages = pa.ListArray.from_arrays(
        pa.array(offsets), pa.array(LANGS).take(pa.array(ls.flat[starts + within]))
    )
    lic_names = pa.array(LIC_IDS)
    lic = tr.lic[:n]
    lic_pairs = np.stack([lic, tr.lic2[:n]], axis=1)
    lic_valid = lic_pairs >= 0
    lic_off = np.concatenate([[0], np.cumsum(lic_valid.sum(axis=1))]).astype(np.int32)
    licenses = pa.ListArray.from_arrays(
        pa.array(lic_off), lic_names.take(pa.array(lic_pairs[lic_valid]))
    )
    nodes = pa.table(
        {
            "model_id": ids_pa.slice(0, n),
            "family_id": ids_pa.take(pa.array(truth.fam_label[:n])),
            "root_id": ids_pa.take(pa.array(truth.root[:n])),
            "depth_min": pa.array(truth.dmin[:n].astype(np.int32)),
            "depth_max": pa.array(truth.dmax[:n].astype(np.int32)),
            "in_cycle": pa.array(truth.in_cycle[:n]),
            "has_card": pa.array(truth.has_card[:n]),
            "license": lic_names.take(pa.array(np.where(lic >= 0, lic, 0), mask=lic < 0)),
            "licenses": licenses,
            "languages": languages,
            "has_model_index": pa.array(tr.has_mi[:n]),
        }
    )
    pq.write_table(nodes, tdir / "nodes.parquet", compression="zstd")
    declared = ~np.isin(truth.via, UNDECLARED)
    lineage = _view_lineage(
        g,
        ids_pa,
        truth.child[declared],
        truth.parent[declared],
        truth.rel[declared],
        truth.in_cycle,
    )
    pq.write_table(lineage, tdir / "lineage.parquet", compression="zstd")
    bad = np.flatnonzero(g.broken[:n] >= 0)
    broken = pa.table(
        {
            "model_id": ids_pa.take(pa.array(bad)),
            "kind": pa.array(np.array(BROKEN_KINDS)[g.broken[bad]].tolist()),
        }
    )
    pq.write_table(broken, tdir / "broken.parquet", compression="zstd")


def _top_families(label: Arr, n: int, ids_pa: pa.Array, k: int = 10) -> list[dict[str, Any]]:
    """The k largest families by snapshot models, with their family ids."""
    sizes = np.bincount(label[:n], minlength=len(label))
    top = np.argsort(-sizes, kind="stable")[:k]
    names = ids_pa.take(pa.array(top)).to_pylist()
    return [{"family_id": f, "size": int(sizes[t])} for f, t in zip(names, top, strict=True)]


def _manifest(
    g: _Graph,
    tr: _Traits,
    ls: _LangSets,
    truth: _Truth,
    ids_pa: pa.Array,
    seed: int,
    snapshot: str,
    shard_rows: int,
    n_rows: int,
    n_shards: int,
    card_chars: Arr,
) -> dict[str, Any]:
    """Shape statistics of the sample, to compare with DESIGN.md's reference values."""
    n = g.n
    # the trainer and Hub templates carry DESIGN's auto-generated wording; nothing else does
    auto_card = (tr.auto != A_NONE) & np.isin(g.card, (C_OK, C_BOM, C_CRLF, C_BAD))
    declared = ~np.isin(truth.via, UNDECLARED)
    known = declared & (truth.parent < n)
    rel_names = np.array(RELATIONS)
    by_rel = {r: int((truth.rel[declared] == i).sum()) for i, r in enumerate(RELATIONS)}
    by_rel_known = {r: int((truth.rel[known] == i).sum()) for i, r in enumerate(RELATIONS)}
    merge_n = np.bincount(truth.child[declared & (truth.rel == MG)])
    depth_hist = np.bincount(truth.dmin[:n])
    lic = tr.lic[:n]
    lic_counts = np.bincount(lic[lic >= 0], minlength=len(LIC_IDS))
    lic_mix = {LIC_IDS[i]: int(lic_counts[i]) for i in np.argsort(-lic_counts, kind="stable")}
    lic_mix = {k: v for k, v in lic_mix.items() if v} | {"(none)": int((lic < 0).sum())}
    has_parent = np.zeros(n, bool)
    has_parent[truth.child[declared]] = True
    # drift over edges with both ends in the snapshot, outside cycles
    c, p = truth.child[known], truth.parent[known]
    keep = ~truth.in_cycle[c]
    c, p = c[keep], p[keep]
    both_cards = (card_chars[c] >= 0) & (card_chars[p] >= 0)
    n_lang = ls.size[tr.lang]
    both_lang = (n_lang[c] > 0) & (n_lang[p] > 0)
    broken_counts = np.bincount(g.broken[:n][g.broken[:n] >= 0], minlength=len(BROKEN_KINDS))

    def mean(x: Arr) -> float:
        return round(float(x.mean()), 4) if len(x) else 0.0

    return {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "n_models": n,
        "n_rows": n_rows,
        "snapshot_date": snapshot,
        "shards": n_shards,
        "shard_rows": shard_rows,
        "edges": {
            "declared": int(declared.sum()),
            "parent_known": int(known.sum()),
            "prose_only": int((~declared).sum()),
            "by_relation": by_rel,
            "by_relation_parent_known": by_rel_known,
            "by_declared_via": {
                v: int((truth.via == i).sum()) for i, v in enumerate(VIA) if i not in UNDECLARED
            },
            "merge_parents": {str(k): int((merge_n == k).sum()) for k in range(2, 5)},
            "relation_share": {
                r: round(by_rel[r] / max(1, int(declared.sum())), 4) for r in rel_names.tolist()
            },
        },
        "broken": {k: int(broken_counts[i]) for i, k in enumerate(BROKEN_KINDS)},
        "broken_share": round(float((g.broken[:n] >= 0).mean()), 5),
        "family_size_top10": _top_families(truth.fam_label, n, ids_pa),
        "family_size_top10_no_merges": _top_families(truth.fam_label_nm, n, ids_pa),
        "n_families_multi": int((np.bincount(truth.fam_label[:n]) > 1).sum()),
        "depth_histogram": {str(d): int(x) for d, x in enumerate(depth_hist)},
        "max_depth_max": int(truth.dmax[:n].max()),
        "license_mix": lic_mix,
        "share_with_card": round(float(truth.has_card[:n].mean()), 4),
        "share_with_parent": round(float(has_parent.mean()), 4),
        "share_model_index": round(float(tr.has_mi[:n].mean()), 4),
        "drift": {
            "card_chars_parent": mean(card_chars[p][both_cards]),
            "card_chars_child": mean(card_chars[c][both_cards]),
            "auto_generated_parent": mean(auto_card[p][both_cards]),
            "auto_generated_child": mean(auto_card[c][both_cards]),
            "languages_parent": mean(n_lang[p][both_lang]),
            "languages_child": mean(n_lang[c][both_lang]),
        },
    }
