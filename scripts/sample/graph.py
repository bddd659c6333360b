"""The family forest: which model declares which parent, and each model's role.

Imitates the Hub's lineage graph: heavy-tailed (Zipf) families, the largest under famous
base models, children hanging mostly off the family root, finetune chains at least 6 deep
with a diamond merge, many isolated models, and the deliberate self-loops, 2-cycles and
families whose root is missing from the snapshot. Reference values (DESIGN.md): about 30% of
models declare a parent, the scale of the 573,653 parent-known edges among 1,860,411 models,
with the relation mix set per kind in kinds.py (adapter > finetune > quantized > merge).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scripts.sample.cards import _card_states, _name_only, _prose
from scripts.sample.dates import _created
from scripts.sample.draws import Arr, _count, _cum, _draw
from scripts.sample.kinds import FAMOUS, K_LLM, KIND_NAMES, SPECS
from scripts.sample.merges import _merge_parents
from scripts.sample.shape import (
    AD,
    C_BOM,
    C_CRLF,
    C_OK,
    CH_BOTH,
    CH_TAG,
    CH_YAML,
    CYCLE_PAIR_SHARE,
    FAMOUS_CHILD_SHARE,
    FT,
    MG,
    MISSING_FAMILY_SHARE,
    P_TO_ROOT,
    PARENT_GAMMA,
    PARENT_SHARE,
    QU,
    R_CYCLE,
    R_ISO,
    R_MISSING,
    R_SELF,
    SELF_LOOP_SHARE,
)


@dataclass
class _Graph:
    """Generated structure: nodes [0, n) are snapshot models, [n, total) missing parents."""

    n: int
    role: Arr
    tparent: Arr  # primary parent (traits are inherited along it), -1 for none
    rel: Arr  # relation to the parent(s), -1 for none
    kind: Arr
    famous: Arr
    troot: Arr
    tdepth: Arr
    created: Arr
    extra_child: Arr  # declared edges beyond tparent: merge parents, self-loops, 2-cycles
    extra_parent: Arr
    card: Arr
    channel: Arr
    broken: Arr  # index into BROKEN_KINDS, -1 for none
    dup: Arr  # models that appear twice
    prose_child: Arr
    prose_parent: Arr
    name_child: Arr  # parentless models named after a famous model (X-GGUF), nothing else
    name_parent: Arr
    name_rel: Arr
    bm_style: Arr  # YAML base_model form: 0 str, 1 list, 2 URL


def _family_sizes(budget: int, max_size: int, rng: np.random.Generator) -> Arr:
    """Heavy-tailed family child counts (Zipf) summing exactly to budget."""
    sizes = np.zeros(0, np.int64)
    while sizes.sum() < budget:
        more = np.minimum(rng.zipf(2.0, size=max(16, budget // 3)), max_size)
        sizes = np.concatenate([sizes, more])
    cut = int(np.searchsorted(np.cumsum(sizes), budget))
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= int(sizes.sum()) - budget
    return sizes[sizes > 0]


def _levels(tparent: Arr) -> tuple[Arr, Arr]:
    """Tree depth and tree root of every node along tparent (a forest)."""
    depth = np.where(tparent >= 0, -1, 0)
    root = np.arange(len(tparent))
    while (depth < 0).any():
        idx = np.flatnonzero(depth < 0)
        pd = depth[tparent[idx]]
        ok = idx[pd >= 0]
        depth[ok] = depth[tparent[ok]] + 1
        root[ok] = root[tparent[ok]]
    return depth, root


def _build_graph(n: int, rng: np.random.Generator, start: int, end: int) -> _Graph:
    """The family forest, its extra edges and every per-model structural decision."""
    nf = len(FAMOUS)
    chain_len = rng.integers(6, 11, size=max(2, n // 100_000))
    n_chain = int(chain_len.sum()) + len(chain_len)  # + one diamond merge per chain
    n_self = _count(n * SELF_LOOP_SHARE)
    n_cyc = _count(n * CYCLE_PAIR_SHARE)
    n_tree = round(PARENT_SHARE * n) - n_chain - n_self - 2 * n_cyc
    fam_w = np.array([f.weight for f in FAMOUS])
    famous_k = rng.multinomial(round(FAMOUS_CHILD_SHARE * n_tree), fam_w / fam_w.sum())
    synth_k = _family_sizes(n_tree - int(famous_k.sum()), max(3, n // 400), rng)
    small = np.flatnonzero(synth_k <= 3)
    missing = np.zeros(len(synth_k), bool)
    missing[rng.choice(small, min(len(small), _count(n * MISSING_FAMILY_SHARE, 2)), False)] = True
    n_missing = int(missing.sum())
    n_roots = len(synth_k) - n_missing
    o_root = nf
    o_child = o_root + n_roots
    o_chain = o_child + n_tree
    o_self = o_chain + n_chain
    o_cyc = o_self + n_self
    o_iso = o_cyc + 2 * n_cyc
    if o_iso > n:
        raise ValueError(f"--models {n} is too small for the generated structure")
    total = n + n_missing

    role = np.full(total, R_ISO, np.int8)
    for r, (a, b) in enumerate(
        [(0, nf), (o_root, o_child), (o_child, o_chain), (o_chain, o_self), (o_self, o_cyc)]
    ):
        role[a:b] = r
    role[o_cyc:o_iso] = R_CYCLE
    role[n:] = R_MISSING
    famous = np.full(total, -1, np.int64)
    famous[:nf] = np.arange(nf)
    kind = _draw(_cum([s.iso_w for s in SPECS]), rng.random(total))
    kind[:nf] = [KIND_NAMES.index(f.kind) for f in FAMOUS]
    tparent = np.full(total, -1, np.int64)
    rel = np.full(total, -1, np.int64)

    # tree children: family f's children occupy one contiguous block after o_child
    fam_root = np.concatenate([np.arange(nf), np.zeros(len(synth_k), np.int64)])
    fam_root[nf:][~missing] = o_root + np.arange(n_roots)
    fam_root[nf:][missing] = n + np.arange(n_missing)
    # systematic sampling over the children mass: each modality gets its share of children
    # even when one huge family would otherwise decide the relation mix of a small sample
    mass = (rng.random() + np.cumsum(synth_k) - synth_k / 2) / synth_k.sum() % 1.0
    kind[fam_root[nf:]] = _draw(_cum([s.synth_w for s in SPECS]), mass)
    fam_k = np.concatenate([famous_k, synth_k])
    fam_of = np.repeat(np.arange(len(fam_k)), fam_k)
    fam_start = o_child + np.concatenate([[0], np.cumsum(fam_k)[:-1]])
    kid = o_child + np.arange(n_tree)
    local = kid - fam_start[fam_of] + 1
    kind[kid] = kind[fam_root[fam_of]]
    rel[kid] = _draw(_cum([s.rel_p for s in SPECS])[kind[kid]], rng.random(n_tree))
    q = np.floor(local * rng.random(n_tree) ** PARENT_GAMMA).astype(np.int64)
    to_root = (rng.random(n_tree) < P_TO_ROOT) | (q == 0)
    tparent[kid] = np.where(to_root, fam_root[fam_of], fam_start[fam_of] + q - 1)
    # adapters and quantizations almost never get children: move such children up
    sterile = np.isin(rel, (AD, QU)) & (rng.random(total) < 0.97)
    while True:
        p = tparent[kid]
        bad = sterile[p]
        if not bad.any():
            break
        tparent[kid[bad]] = tparent[p[bad]]

    # chains of finetunes at least 6 deep under famous LLMs, each with a diamond merge
    extra_c: list[int] = []
    extra_p: list[int] = []
    llm_famous = np.array([i for i, f in enumerate(FAMOUS) if f.kind == "llm"])
    pos = o_chain
    for length, root in zip(chain_len, rng.choice(llm_famous, len(chain_len)), strict=True):
        nodes = np.arange(pos, pos + length)
        tparent[nodes] = np.concatenate([[root], nodes[:-1]])
        rel[nodes] = FT
        diamond = pos + length
        tparent[diamond] = nodes[2]
        rel[diamond] = MG
        extra_c.append(diamond)
        extra_p.append(int(nodes[1]))
        kind[pos : diamond + 1] = K_LLM
        pos = diamond + 1
    for v in range(o_self, o_cyc):
        extra_c.append(v)
        extra_p.append(v)
    for a in range(o_cyc, o_iso, 2):
        extra_c += [a, a + 1]
        extra_p += [a + 1, a]
    rel[o_self:o_iso] = FT

    tdepth, troot = _levels(tparent)
    created = _created(role, famous, tparent, tdepth, rng, start, end)
    _merge_parents(n, kid, rel, tparent, kind, role, created, rng, extra_c, extra_p)

    card, broken, dup = _card_states(n, role, tparent, rng)
    prose_child, prose_parent = _prose(n, role, card, broken, created, rng)
    kind[prose_child] = kind[prose_parent]
    # A stream of its own: the draws above and below stay those of earlier samples.
    named = rng.spawn(1)[0]
    name_child, name_parent = _name_only(n, role, card, broken, created, prose_child, named)
    name_rel = np.where(named.random(len(name_child)) < 0.7, QU, AD)
    kind[name_child] = kind[name_parent]
    valid_yaml = np.isin(card, (C_OK, C_BOM, C_CRLF))
    u = rng.random(total)
    channel = np.where(u < 0.72, CH_BOTH, np.where(u < 0.85, CH_YAML, CH_TAG))
    channel = np.where(valid_yaml, channel, CH_TAG)
    channel[role == R_SELF] = CH_YAML
    channel[role == R_CYCLE] = CH_BOTH
    bm_style = _draw(_cum([0.64, 0.24, 0.12]), rng.random(total))
    return _Graph(
        n=n,
        role=role,
        tparent=tparent,
        rel=rel,
        kind=kind,
        famous=famous,
        troot=troot,
        tdepth=tdepth,
        created=created,
        extra_child=np.array(extra_c, np.int64),
        extra_parent=np.array(extra_p, np.int64),
        card=card,
        channel=channel,
        broken=broken,
        dup=dup,
        prose_child=prose_child,
        prose_parent=prose_parent,
        name_child=name_child,
        name_parent=name_parent,
        name_rel=name_rel,
        bm_style=bm_style,
    )
