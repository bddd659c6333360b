"""Per-model traits and how they drift from parent to child, generation by generation.

Imitates what models declare and how children differ from their parents: license, languages,
pipeline tag, library, datasets, card length, auto-generated cards, model-index claims,
downloads, likes, last_modified and weight layout. Reference values (DESIGN.md): mutation on
finetune edges license 0.198, language 0.242, pipeline_tag 0.411; mean declared languages
parent 6.60 -> child 1.81; mean card length 9,773 -> 4,402 characters (sentences per
paragraph, `verb`); auto-generated cards child minus parent +0.25; model-index about 4%
(16.8% of token-classification); similarity order siblings > parent/child >
grandparent/grandchild > random (`_slot_values`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scripts.sample.cardtext import FAMILY_SLOT, MAX_VERB, N_SLOTS
from scripts.sample.dates import DAY, _epoch
from scripts.sample.draws import Arr, _cum, _draw, _mix
from scripts.sample.graph import _Graph
from scripts.sample.kinds import ALL_ARCHES, FAMOUS, K_DIFF, SPECS
from scripts.sample.languages import EN, MULTI, _LangSets
from scripts.sample.metadata import (
    BASE_LICENSE,
    L_DIFF,
    L_GGUF,
    L_MLX,
    L_PEFT,
    L_SB3,
    L_ST,
    L_TF,
    L_TIMM,
    LIC_CAT,
    LIC_CATS,
    LIC_DRIFT,
    LIC_IDS,
    LIC_KEEP,
    MODEL_INDEX_OTHER,
    MODEL_INDEX_P,
    MODEL_INDEX_UNTAGGED,
    PIPES,
    UNKNOWN_LIC,
)
from scripts.sample.shape import (
    A_HUB,
    A_NONE,
    A_TRAINER,
    AD,
    C_BOM,
    C_CRLF,
    C_NONE,
    C_OK,
    QU,
    R_CHAIN,
    R_CHILD,
    R_ISO,
    R_MISSING,
    R_ROOT,
    W_ADAPTER,
    W_ADAPTER_BIN,
    W_BIN,
    W_BOTH,
    W_DIFFUSERS,
    W_GGUF,
    W_LORA,
    W_MLX,
    W_SAFE,
    W_SB3,
    W_ST,
)


@dataclass
class _Traits:
    """Per-node traits; license/languages/datasets are as declared (masked without a card)."""

    lic: Arr
    lic2: Arr  # second license of a dual-licensed model, -1 for none
    lang: Arr
    pipe: Arr
    lib: Arr
    arch: Arr
    ds0: Arr
    ds1: Arr
    tmpl: Arr
    verb: Arr  # sentences per card paragraph: card length
    auto: Arr
    slots: Arr  # paragraph ids per card slot: the card's text
    has_mi: Arr
    downloads: Arr  # -1 for null
    likes: Arr
    last_mod: Arr
    created_null: Arr
    wfmt: Arr
    author: Arr  # index into the author pool, -1 for famous ids


def _assign_traits(g: _Graph, ls: _LangSets, rng: np.random.Generator, end: int) -> _Traits:
    """Traits inherited generation by generation with the drift DESIGN.md reports."""
    total = len(g.role)
    kind = g.kind
    # fresh draws for everyone; children then overwrite them from their parent level by level
    base_lic = _draw(_cum([BASE_LICENSE.get(x, 0.0) for x in LIC_IDS]), rng.random(total))
    lic_decl = np.where(g.role == R_ISO, 0.5, 0.85)
    lic = np.where(rng.random(total) < lic_decl, base_lic, -1)
    multi_pool = np.arange(ls.multi0 + len(FAMOUS), len(ls.sets))
    u = rng.random(total)
    base_lang = np.where(
        u < 0.7,
        1 + EN,
        np.where(
            u < 0.9,
            1 + rng.integers(0, MULTI, total),
            multi_pool[rng.integers(0, len(multi_pool), total)],
        ),
    )
    lang_p = np.array([s.lang_p for s in SPECS])[kind]
    lang = np.where(rng.random(total) < lang_p, base_lang, 0)
    pipe_idx = [[PIPES.index(p) for p, _ in s.pipes] for s in SPECS]
    width = max(len(x) for x in pipe_idx)
    pipe_tab = np.array([x + [x[0]] * (width - len(x)) for x in pipe_idx])
    pipe_cum = _cum([[w for _, w in s.pipes] + [0.0] * (width - len(s.pipes)) for s in SPECS])
    fresh_pipe = pipe_tab[kind, _draw(pipe_cum[kind], rng.random(total))]
    pipe = np.where(rng.random(total) < np.where(g.role == R_ISO, 0.35, 0.1), -1, fresh_pipe)
    kind_lib = np.array([s.library for s in SPECS])
    lib = np.where(rng.random(total) < np.where(g.role == R_ISO, 0.1, 0.03), -1, kind_lib[kind])
    n_arch = np.array([len(s.arches) for s in SPECS])
    arch_tab = np.array(
        [
            [ALL_ARCHES.index(a) for a in s.arches] + [0] * (n_arch.max() - len(s.arches))
            for s in SPECS
        ]
    )
    arch = arch_tab[kind, (rng.random(total) * n_arch[kind]).astype(np.int64)]
    n_ds = np.array([len(s.datasets) for s in SPECS])
    fresh_ds = np.where(n_ds[kind] > 0, (rng.random(total) * n_ds[kind]).astype(np.int64), -1)
    ds0 = np.where(rng.random(total) < 0.35, fresh_ds, -1)
    ds1 = np.where(rng.random(total) < 0.08, (rng.random(total) * n_ds[kind]).astype(np.int64), -1)
    ds1 = np.where(n_ds[kind] > 0, ds1, -1)
    tmpl = rng.integers(0, 4, total)
    slots = rng.integers(0, 2**31 - 1, (total, N_SLOTS), dtype=np.int64)

    fam = g.famous >= 0
    for i in np.flatnonzero(fam):
        f = FAMOUS[int(g.famous[i])]
        lic[i] = LIC_IDS.index(f.license)
        lang[i] = ls.multi0 + int(g.famous[i])
        pipe[i] = PIPES.index(f.pipe)
        lib[i] = f.library
        arch[i] = ALL_ARCHES.index(f.arch)
        ds0[i] = ds1[i] = -1

    drift_rows = [LIC_DRIFT[c] for c in LIC_CATS] + [BASE_LICENSE]
    lic_cum = _cum([[row.get(x, 0.0) for x in LIC_IDS] for row in drift_rows])
    keep_pipe = np.array([s.keep_pipe for s in SPECS])
    quant_lib = np.array([-1, L_GGUF, L_TF, L_MLX])
    for d in range(1, int(g.tdepth.max()) + 1):
        c = np.flatnonzero(g.tdepth == d)
        p = g.tparent[c]
        k = len(c)
        r = g.rel[c]
        # license: keep, or drift by the parent's category (index 6 = parent declared none)
        pcat = np.where(lic[p] >= 0, LIC_CAT[np.maximum(lic[p], 0)], len(LIC_CATS))
        keep = rng.random(k) < np.append(LIC_KEEP, 0.0)[pcat]
        moved = _draw(lic_cum[pcat], rng.random(k))
        lic[c] = np.where(rng.random(k) < 0.78, np.where(keep, lic[p], moved), -1)
        # languages shrink toward one, often English (6.6 -> 1.8 in the Anatomy paper)
        plang = lang[p]
        size = ls.size[plang]
        uu = rng.random(k)
        member = ls.member(plang, rng.random(k))
        single = np.where(ls.has_en[plang] & (rng.random(k) < 0.6), 1 + EN, 1 + member)
        pair = np.where(member == EN, 1 + EN, ls.pair0 + EN * ls.n + member)
        shrunk = np.where(uu < 0.25, pair, single)
        keep_lang = np.where(size <= 2, uu < 0.85, uu < 0.12)
        child_lang = np.where(size == 0, base_lang[c], np.where(keep_lang, plang, shrunk))
        lang[c] = np.where(rng.random(k) < 0.62, child_lang, 0)
        # pipeline tag: adapters and quantizations keep it, finetunes sometimes change task
        kp = np.where(np.isin(r, (AD, QU)), 0.97, keep_pipe[kind[c]])
        inherit = (pipe[p] >= 0) & (rng.random(k) < kp)
        pipe[c] = np.where(rng.random(k) < 0.05, -1, np.where(inherit, pipe[p], fresh_pipe[c]))
        # library follows the relation
        ft_lib = np.where(np.isin(lib[p], (L_TF, L_DIFF, L_ST, L_TIMM)), lib[p], kind_lib[kind[c]])
        ad_lib = np.where(kind[c] == K_DIFF, L_DIFF, np.where(rng.random(k) < 0.85, L_PEFT, L_TF))
        q_lib = quant_lib[_draw(_cum([0.35, 0.15, 0.3, 0.2]), rng.random(k))]
        new_lib = np.where(r == AD, ad_lib, np.where(r == QU, q_lib, ft_lib))
        lib[c] = np.where(rng.random(k) < 0.04, -1, new_lib)
        arch[c] = arch[p]
        ds0[c] = np.where(
            rng.random(k) < 0.2, ds0[p], np.where(rng.random(k) < 0.55, fresh_ds[c], -1)
        )
        tmpl[c] = np.where(rng.random(k) < 0.8, tmpl[p], tmpl[c])
        slots[c] = _slot_values(p, slots[p], slots[c], rng)
    # most descendants quote their family root (its intro, citation): every pair inside a
    # family shares more than a random pair does, whatever its distance
    quotes = (g.tparent >= 0) & (rng.random(total) < 0.8)
    slots[quotes, FAMILY_SLOT] = slots[g.troot[quotes], FAMILY_SLOT]

    n_children = np.bincount(g.tparent[g.tparent >= 0], minlength=total)
    is_child = np.isin(g.role, (R_CHILD, R_CHAIN))
    internal = is_child & (n_children > 0)
    verb_mu = np.select(
        [fam, np.isin(g.role, (R_ROOT, R_MISSING)), internal, is_child],
        [9.0, 7.0, 5.0, 2.9],
        2.2,
    )
    verb = np.clip(np.round(verb_mu * np.exp(rng.normal(0, 0.4, total))), 1, MAX_VERB).astype(
        np.int64
    )
    verb[fam] = rng.integers(8, MAX_VERB + 1, int(fam.sum()))
    p_auto = np.select([fam, g.role == R_ROOT, internal, is_child], [0.0, 0.1, 0.25, 0.38], 0.3)
    p_auto[g.prose_child] = 0.6
    auto_on = rng.random(total) < p_auto
    trainer = (kind != K_DIFF) & (g.rel != AD) & (rng.random(total) < 0.7)
    auto = np.where(auto_on, np.where(trainer, A_TRAINER, A_HUB), A_NONE)

    # declared traits: nothing without a card, and '???' needs readable YAML
    valid_yaml = np.isin(g.card, (C_OK, C_BOM, C_CRLF))
    no_card = g.card == C_NONE
    lic = np.where(no_card | ((lic == UNKNOWN_LIC) & ~valid_yaml), -1, lic)
    second = np.array([LIC_IDS.index("mit"), LIC_IDS.index("apache-2.0")])[
        rng.integers(0, 2, total)
    ]
    dual = valid_yaml & (lic >= 0) & (second != lic) & (rng.random(total) < 0.02)
    lic2 = np.where(dual, second, -1)
    lang = np.where(no_card, 0, lang)
    ds0 = np.where(no_card, -1, ds0)
    ds1 = np.where(no_card | (ds1 == ds0), -1, ds1)

    mi_p = np.array(
        [MODEL_INDEX_P.get(p, MODEL_INDEX_OTHER) for p in PIPES] + [MODEL_INDEX_UNTAGGED]
    )
    p_mi = mi_p[np.where(pipe >= 0, pipe, len(PIPES))] * np.where(auto == A_TRAINER, 1.5, 1.0)
    has_mi = valid_yaml & (rng.random(total) < p_mi)

    log_dl = np.select(
        [fam, g.role == R_ROOT, is_child, g.role == R_ISO], [15.0, 5.0, 3.0, 1.5], 2.0
    ) + np.where(g.rel == QU, 1.0, 0.0)
    dl = np.floor(np.exp(log_dl + rng.normal(0, 2.2, total))).astype(np.int64)
    likes = np.floor(np.exp(0.45 * np.log1p(dl) - 2 + rng.normal(0, 1.2, total))).astype(np.int64)
    downloads = np.where((rng.random(total) < 0.01) & ~fam, -1, dl)
    gap = np.maximum(end - 120 - g.created, 0)
    last_mod = g.created + 120 + np.minimum(rng.exponential(120 * DAY, total), gap).astype(np.int64)
    created_null = (g.role == R_ISO) & (g.broken < 0) & (rng.random(total) < 0.003)
    created_null[g.prose_child] = False

    old = g.created < _epoch("2023-06-01T00:00:00")
    u = rng.random(total)
    tf_w = np.where(u < np.where(old, 0.45, 0.12), W_BIN, np.where(u < 0.6, W_BOTH, W_SAFE))
    wfmt = np.select(
        [
            (g.rel == QU) & np.isin(lib, (-1, L_GGUF)),
            lib == L_MLX,
            (lib == L_PEFT) & (u < 0.2),
            lib == L_PEFT,
            (lib == L_DIFF) & (g.rel == AD),
            lib == L_DIFF,
            lib == L_SB3,
            lib == L_ST,
        ],
        [W_GGUF, W_MLX, W_ADAPTER_BIN, W_ADAPTER, W_LORA, W_DIFFUSERS, W_SB3, W_ST],
        tf_w,
    )
    n_authors = max(64, len(g.role) // 6)
    n_quant = max(3, len(g.role) // 100_000)
    general = np.floor(n_authors * rng.random(total) ** 3).astype(np.int64)
    quantizer = np.floor(n_quant * rng.random(total) ** 2).astype(np.int64)
    author = np.where((g.rel == QU) & (rng.random(total) < 0.55), quantizer, general)
    author[fam] = -1
    return _Traits(
        lic=lic,
        lic2=lic2,
        lang=lang,
        pipe=pipe,
        lib=lib,
        arch=arch,
        ds0=ds0,
        ds1=ds1,
        tmpl=tmpl,
        verb=verb,
        auto=auto,
        slots=slots,
        has_mi=has_mi,
        downloads=downloads,
        likes=likes,
        last_mod=last_mod,
        created_null=created_null,
        wfmt=wfmt,
        author=author,
    )


def _slot_values(parent: Arr, pslots: Arr, own: Arr, rng: np.random.Generator) -> Arr:
    """A child's card paragraphs: shared with its siblings (keyed by the parent), copied from
    the parent, or its own. Expected shared slots: siblings 0.36 > parent/child 0.25 >
    grandparent/grandchild 0.06 > random 0, giving DESIGN's similarity order."""
    u = rng.random(own.shape)
    group = _mix(parent[:, None] * N_SLOTS + np.arange(N_SLOTS), 7) % np.uint64(2**31 - 1)
    return np.where(u < 0.55, group.astype(np.int64), np.where(u < 0.80, pslots, own))
