"""Timestamps: createdAt and the dump's ISO format.

Imitates the Hub's createdAt: roots spread with the Hub's growth since 2020, the famous base
models at their real dates (2022-03-02T23:29:04 for every model that predates the field),
children strictly after their parents and everything before the snapshot date. No DESIGN.md
reference value applies; the rule kept is that every edge but the deliberate cycles points
from an older model to a newer one.
"""

from __future__ import annotations

import numpy as np

from scripts.sample.draws import Arr
from scripts.sample.kinds import FAMOUS
from scripts.sample.shape import R_MISSING, R_ROOT

DAY = 86_400


def _epoch(iso: str) -> int:
    """ISO date-time (UTC) -> epoch seconds."""
    return int(np.datetime64(iso, "s").astype(np.int64))


def _iso(ts: Arr) -> list[str]:
    """Epoch seconds -> the dump's '2021-10-28T17:14:26.000Z'."""
    text = np.datetime_as_string(ts.astype("datetime64[s]").astype("datetime64[ms]"), unit="ms")
    return [t + "Z" for t in text.tolist()]


def _created(
    role: Arr,
    famous: Arr,
    tparent: Arr,
    tdepth: Arr,
    rng: np.random.Generator,
    start: int,
    end: int,
) -> Arr:
    """Creation times: roots spread with the Hub's growth, children strictly after parents."""
    total = len(role)
    u = rng.random(total)
    family_root = np.isin(role, (R_ROOT, R_MISSING))
    shape = np.where(family_root, 1 / 1.6, 1 / 2.5)
    created = (start + (end - 60 * DAY - start) * u**shape).astype(np.int64)
    is_famous = famous >= 0
    created[is_famous] = [
        min(_epoch(FAMOUS[i].created), end - 365 * DAY) for i in famous[is_famous]
    ]
    delta = (3600 + rng.exponential(45 * DAY, total)).astype(np.int64)
    for d in range(1, int(tdepth.max()) + 1):
        c = np.flatnonzero(tdepth == d)
        p = tparent[c]
        created[c] = created[p] + np.maximum(1, np.minimum(delta[c], (end - created[p]) // 2))
    return created
