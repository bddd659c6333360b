"""Card states: who has a card, which rows are broken, which ids appear twice.

Imitates the public card dump: models without a README, cards with a BOM or CRLF line ends,
YAML no parser accepts, empty cards, binary junk, scraper error messages stored as cards,
ids listed twice, and parentless models whose card names a famous base model only in prose.
Reference values (DESIGN.md): cards longer than 3 characters on 67% of models (CARD_SHARE);
broken rows about 1% of N (shares in shape.py).
"""

from __future__ import annotations

import numpy as np

from scripts.sample.dates import DAY
from scripts.sample.draws import Arr, _count, _cum, _draw
from scripts.sample.kinds import FAMOUS
from scripts.sample.shape import (
    BROKEN_KINDS,
    C_BAD,
    C_BOM,
    C_CRLF,
    C_EMPTY,
    C_JUNK,
    C_NONE,
    C_OK,
    C_SCRAPER,
    CARD_BREAKS,
    CARD_SHARE,
    DUPLICATE_SHARE,
    NAME_SHARE,
    PROSE_SHARE,
    R_CHILD,
    R_CYCLE,
    R_FAMOUS,
    R_ISO,
    R_ROOT,
    R_SELF,
)

CARD_STATE_OF_BREAK = {
    "bad_yaml": C_BAD,
    "bom": C_BOM,
    "crlf": C_CRLF,
    "empty_card": C_EMPTY,
    "binary_junk": C_JUNK,
    "scraper_error": C_SCRAPER,
}


def _card_states(n: int, role: Arr, tparent: Arr, rng: np.random.Generator) -> tuple[Arr, Arr, Arr]:
    """Who has a card, which rows are deliberately broken and which ids appear twice."""
    total = len(role)
    broken = np.full(total, -1, np.int64)
    snap = np.arange(total) < n
    broken[(role == R_SELF)] = BROKEN_KINDS.index("self_loop")
    broken[(role == R_CYCLE)] = BROKEN_KINDS.index("cycle")
    orphan = snap & (tparent >= n)
    broken[orphan] = BROKEN_KINDS.index("missing_parent")
    p_role = np.array([1.0, 0.92, 0.9, 1.0, 1.0, 1.0, 0.0, 1.0])
    others = float(p_role[role[snap]].sum())
    n_iso = int((role[snap] == R_ISO).sum())
    target = (CARD_SHARE + CARD_BREAKS["empty_card"] + CARD_BREAKS["scraper_error"]) * n
    p_role[R_ISO] = min(0.95, max(0.05, (target - others) / max(n_iso, 1)))
    card = np.where(rng.random(total) < p_role[role], C_OK, C_NONE)

    cand = np.flatnonzero(
        snap & (card == C_OK) & np.isin(role, (R_ROOT, R_CHILD, R_ISO)) & (broken < 0)
    )
    counts = [_count(n * share) for share in CARD_BREAKS.values()]
    picked = rng.choice(cand, sum(counts), replace=False)
    for kind_name, chosen in zip(
        CARD_BREAKS, np.split(picked, np.cumsum(counts)[:-1]), strict=True
    ):
        card[chosen] = CARD_STATE_OF_BREAK[kind_name]
        broken[chosen] = BROKEN_KINDS.index(kind_name)
    free = np.flatnonzero(snap & (broken < 0) & (role != R_FAMOUS))
    dup = np.sort(rng.choice(free, _count(n * DUPLICATE_SHARE), replace=False))
    broken[dup] = BROKEN_KINDS.index("duplicate_id")
    return card, broken, dup


def _prose(
    n: int, role: Arr, card: Arr, broken: Arr, created: Arr, rng: np.random.Generator
) -> tuple[Arr, Arr]:
    """Parentless models whose card names a famous base model only in prose."""
    cand = np.flatnonzero((role == R_ISO) & (card == C_OK) & (broken < 0))
    child = np.sort(rng.choice(cand, min(len(cand), _count(n * PROSE_SHARE)), replace=False))
    fam_w = np.array([f.weight for f in FAMOUS])
    parent = _draw(_cum(fam_w), rng.random(len(child)))
    ok = created[parent] < created[child] - DAY
    return child[ok], parent[ok]


def _name_only(
    n: int, role: Arr, card: Arr, broken: Arr, created: Arr, taken: Arr, rng: np.random.Generator
) -> tuple[Arr, Arr]:
    """Parentless models named after a famous base model with a quantization or adapter
    suffix (X-GGUF, X-AWQ, X-lora) and nothing else saying so: the name is the evidence."""
    cand = np.flatnonzero((role == R_ISO) & (broken < 0))
    cand = np.setdiff1d(cand, taken)
    child = np.sort(rng.choice(cand, min(len(cand), _count(n * NAME_SHARE)), replace=False))
    fam_w = np.array([f.weight for f in FAMOUS])
    parent = _draw(_cum(fam_w), rng.random(len(child)))
    ok = created[parent] < created[child] - DAY
    return child[ok], parent[ok]
