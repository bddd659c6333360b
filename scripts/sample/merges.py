"""Merge models' extra parents.

Imitates mergekit merges on the Hub: 2 to 4 parents, often the primary parent's own parent
(a diamond) or any earlier LLM. Reference value (DESIGN.md): about 40K merge edges of the
573,653 parent-known edges. Every extra parent is older than the merge, so no cycle forms.
"""

from __future__ import annotations

import numpy as np

from scripts.sample.draws import Arr, _cum, _draw
from scripts.sample.kinds import K_LLM
from scripts.sample.shape import AD, FT, MG, QU, R_CHAIN, R_CHILD, R_FAMOUS, R_ROOT


def _merge_parents(
    n: int,
    kid: Arr,
    rel: Arr,
    tparent: Arr,
    kind: Arr,
    role: Arr,
    created: Arr,
    rng: np.random.Generator,
    extra_c: list[int],
    extra_p: list[int],
) -> None:
    """Give merges 1-3 more parents: the primary parent's own parent (a diamond) or any
    earlier LLM; every extra parent is older than the merge, so no cycle can form."""
    merges = kid[rel[kid] == MG]
    pool_mask = np.zeros(len(role), bool)
    pool_mask[:n] = (kind[:n] == K_LLM) & ~np.isin(rel[:n], (AD, QU))
    pool_mask &= np.isin(role, (R_FAMOUS, R_ROOT, R_CHILD, R_CHAIN))
    pool = np.flatnonzero(pool_mask)
    pool = pool[np.argsort(created[pool], kind="stable")]
    pool_t = created[pool]
    k_extra = 1 + _draw(_cum([0.6, 0.3, 0.1]), rng.random(len(merges)))
    u = rng.random((len(merges), 3, 2))
    for m, k, uu in zip(merges.tolist(), k_extra.tolist(), u, strict=True):
        p = int(tparent[m])
        parents = [p]
        gp = int(tparent[p])
        earlier = int(np.searchsorted(pool_t, created[m], side="left"))
        for j in range(k):
            if 0 <= gp < n and gp not in parents and uu[j, 0] < 0.4:
                parents.append(gp)
            elif earlier:
                cand = int(pool[int(uu[j, 1] * earlier)])
                if cand not in parents:
                    parents.append(cand)
        if len(parents) < 2:
            rel[m] = FT
            continue
        extra_c += [m] * (len(parents) - 1)
        extra_p += parents[1:]
