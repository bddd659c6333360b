"""Drift measures along family-tree edges: mutation, transitions, orderings, license conflicts.

A trait (licenses, languages, tasks, libraries...) is compared between a parent and its child
as two sets of values. `jobs/drift.py` applies the per-edge measures here to every edge (about
600k on the whole Hub), so they are plain functions of small collections: no Spark, no numpy,
results sorted so that every run writes the same rows. The one global measure, the ordering
of a trait's top values that best explains the direction of drift, runs once per trait on a
small collected table of counts and solves an exact MILP (DESIGN.md, Definitions).

Scalar traits (pipeline_tag, library_name) are compared as one-element sets; a null trait is
an empty set, which means "not declared".
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from udfs.normalize import (
    MULTILINGUAL,
    LicenseTable,
    default_license_table,
    license_category,
)

Transition = tuple[str, str]

# Category -> permissiveness rank, least permissive first (the order of the paper's list).
# commercial (vendor licenses: Llama, Gemma) ties every derivative to one vendor's terms and
# acceptable-use policy; use-restricted (RAIL, CC-NC) is a public license that forbids some
# uses; copyleft asks to share alike or attribute; permissive asks (almost) nothing. A module
# constant, not a key of conf/licenses.yaml: that loader accepts exactly the keys it has, and
# this order defines what a conflict is rather than how licenses are spelled.
PERMISSIVENESS: Mapping[str, int] = {
    "commercial": 0,
    "use-restricted": 1,
    "copyleft": 2,
    "permissive": 3,
}
# A child may relicense a copyleft or permissive parent's derivative (the category says
# nothing finer); a commercial or use-restricted parent's terms must be kept.
RESTRICTED_CATEGORIES = frozenset({"commercial", "use-restricted"})

ENGLISH = "en"


def _as_set(values: Collection[str]) -> Collection[str]:
    """The values as a set, without copying one that already is a set."""
    return values if isinstance(values, (set, frozenset)) else set(values)


# --- per edge ------------------------------------------------------------------------------


def jaccard_distance(parent: Collection[str] | None, child: Collection[str] | None) -> float | None:
    """1 - |P & C| / |P | C|; None unless both declare the trait (non-empty, non-null).

    The mutation rate of a trait is the mean of this over the edges where it is not None
    (DESIGN.md: "over edges where both declare the trait"): a child that declares nothing has
    not mutated, it is silent. Symmetric, in [0, 1], duplicates ignored.

    >>> jaccard_distance(["mit"], ["mit"]), jaccard_distance(["en", "fr"], ["en"])
    (0.0, 0.5)
    >>> jaccard_distance(["mit"], ["apache-2.0"]), jaccard_distance(["en"], []) is None
    (1.0, True)
    """
    if not parent or not child:
        return None
    p, c = _as_set(parent), _as_set(child)
    shared = sum(1 for value in p if value in c)
    return 1.0 - shared / (len(p) + len(c) - shared)


def edge_transitions(
    parent: Collection[str] | None, child: Collection[str] | None
) -> list[Transition]:
    """The (from, to) transitions of one edge, sorted, each pair at most once.

    With gained = C - P and dropped = P - C, DESIGN.md's rule is:
    each g in gained is a transition p -> g from every p in P, and
    each d in dropped is a transition d -> c to every c in C
    (p == g and d == c cannot happen: g is not in P, d not in C).
    A pair can arise from both a gain and a drop: mit -> apache-2.0 when a child swaps one
    license for the other. It is counted ONCE per edge: it is one change seen from two sides.
    Equivalently: every (p, c) in P x C except the pairs where both p and c are kept (in
    P & C); so an unchanged trait, or one not declared on both sides (P or C empty), gives
    no transitions.

    >>> edge_transitions(["mit"], ["apache-2.0"])
    [('mit', 'apache-2.0')]
    >>> edge_transitions(["de", "en", "fr"], ["en"])  # dropped de, fr: each -> en
    [('de', 'en'), ('fr', 'en')]
    >>> edge_transitions(["en"], ["en", "fr"])  # gained fr: from en
    [('en', 'fr')]
    >>> edge_transitions(["en", "fr"], ["en", "fr"]), edge_transitions([], ["en"])
    ([], [])
    """
    if not parent or not child:
        return []
    p, c = _as_set(parent), _as_set(child)
    if p == c:  # the common case: the child inherits the trait unchanged
        return []
    return sorted((a, b) for a in p for b in c if not (a in c and b in p))


def count_transitions(
    edges: Iterable[tuple[Collection[str] | None, Collection[str] | None]],
) -> Counter[Transition]:
    """Transition counts over (parent values, child values) edges: the input of the ordering.

    >>> count_transitions([(["mit"], ["apache-2.0"]), (["mit"], ["apache-2.0", "mit"])])
    Counter({('mit', 'apache-2.0'): 2})
    """
    counts: Counter[Transition] = Counter()
    for parent, child in edges:
        counts.update(edge_transitions(parent, child))
    return counts


def net_traffic(counts: Mapping[Transition, int]) -> dict[Transition, int]:
    """Net flow per unordered pair {a, b}: count(a -> b) - count(b -> a), keyed by the
    direction where it is positive; pairs that cancel out and self-pairs are left out.
    Keys sorted, so the same counts give the same dict whatever their order.

    >>> net_traffic({("mit", "apache-2.0"): 5, ("apache-2.0", "mit"): 2, ("en", "fr"): 1})
    {('en', 'fr'): 1, ('mit', 'apache-2.0'): 3}
    >>> net_traffic({("a", "b"): 2, ("b", "a"): 2, ("c", "c"): 7})
    {}
    """
    net: dict[Transition, int] = {}
    for a, b in counts:
        low, high = (a, b) if a < b else (b, a)
        if low == high or (a == high and (low, high) in counts):  # each pair once
            continue
        flow = counts.get((low, high), 0) - counts.get((high, low), 0)
        if flow > 0:
            net[low, high] = flow
        elif flow < 0:
            net[high, low] = -flow
    return dict(sorted(net.items()))


# --- ordering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ordering:
    """The order of a trait's values that agrees with the most net traffic.

    pairs_total counts the value pairs with non-zero net traffic, pairs_fit those whose net
    flows forward (from earlier to later in `order`); traffic_explained is the share of all
    |net| traffic that flows forward (1.0 when there is none: nothing contradicts the order).
    optimal says the solver proved that no order agrees with more traffic.
    """

    order: list[str]
    pairs_fit: int
    pairs_total: int
    traffic_explained: float
    optimal: bool


def best_ordering(
    counts: Mapping[Transition, int], values: Sequence[str], *, time_limit: float = 60.0
) -> Ordering:
    """The exact linear ordering of `values` (a trait's top N) that best explains its drift.

    Maximises the net traffic that flows forward along the order, as a MILP solved by HiGHS
    (scipy.optimize.milp): a binary x_ab for each pair a < b, 1 when a comes before b, the
    objective sum((count(a->b) - count(b->a)) * x_ab), and x_ab + x_bc - x_ac in [0, 1] for
    every triple a < b < c, which makes the x a transitive order. Counts of pairs outside
    `values` are ignored; duplicates in `values` and its order do not matter.

    Ties: many orders can be optimal (values with no traffic between them; a cycle with equal
    weights). The result is the alphabetically first of them (the smallest as a sequence), so
    it depends only on the counts, never on dict order or on which optimum HiGHS hits. Values
    with no net traffic between them are free: the solver's order is first rewritten as the
    alphabetically first order with the same directed pairs (a smallest-first topological
    sort). One more solve, with a cut excluding those directions, asks whether another optimum
    exists (for real counts there rarely is); only then positions are filled left to right,
    each with the smallest value that still admits an optimal completion (one MILP with the
    prefix fixed per smaller candidate: at N=20 about a hundred solves, a few seconds).

    `time_limit` (seconds) bounds all the solves together. If the first solve does not prove
    optimality, `optimal` is False and the order is the solver's best, or the values by net
    score (outgoing minus incoming net traffic) if it found none.

    >>> result = best_ordering({("a", "b"): 3, ("b", "c"): 2, ("c", "a"): 1}, ["c", "b", "a"])
    >>> result.order, result.pairs_fit, result.pairs_total, round(result.traffic_explained, 3)
    (['a', 'b', 'c'], 2, 3, 0.833)
    """
    names = sorted(set(values))
    pairs = list(itertools.combinations(range(len(names)), 2))
    weights = [
        counts.get((names[i], names[j]), 0) - counts.get((names[j], names[i]), 0) for i, j in pairs
    ]
    if len(names) < 2:
        return _ordering(names, list(range(len(names))), pairs, weights, optimal=True)
    model = _LinearOrdering(len(names), pairs, weights, time.monotonic() + time_limit)
    order, optimal = model.solve([])
    if order is None:
        return _ordering(names, model.by_score(), pairs, weights, optimal=False)
    best = model.forward(order)
    other = model.solve([], exclude=order)[0] if optimal else None
    if other is not None and model.forward(other) == best:  # several optima: tie-break
        for position in range(len(names) - 1):
            for candidate in sorted(order[position + 1 :]):
                if candidate > order[position]:
                    break
                trial = model.solve([*order[:position], candidate])[0]
                if trial is not None and model.forward(trial) == best:
                    order = trial
                    break
    return _ordering(names, order, pairs, weights, optimal=optimal)


class _LinearOrdering:
    """The linear-ordering MILP over items 0..n-1, solvable with a fixed prefix."""

    def __init__(
        self, n: int, pairs: list[tuple[int, int]], weights: list[int], deadline: float
    ) -> None:
        # scipy is imported here, not at the top: the per-edge functions above run in every
        # Spark Python worker, which should not load scipy to compute a Jaccard distance.
        import numpy as np
        from scipy.optimize import LinearConstraint
        from scipy.sparse import coo_array

        self.n, self.pairs, self.weights, self.deadline = n, pairs, weights, deadline
        index = {pair: k for k, pair in enumerate(pairs)}
        triangles = [
            (index[i, j], index[j, k], index[i, k])
            for i, j, k in itertools.combinations(range(n), 3)
        ]
        self.constraints = []  # x_ab + x_bc - x_ac in [0, 1], built once for every solve
        if triangles:
            rows = np.repeat(np.arange(len(triangles)), 3)
            coefs = np.tile([1.0, 1.0, -1.0], len(triangles))
            shape = (len(triangles), len(pairs))
            matrix = coo_array((coefs, (rows, np.ravel(triangles))), shape=shape).tocsr()
            self.constraints.append(LinearConstraint(matrix, 0.0, 1.0))

    def solve(
        self, prefix: list[int], exclude: list[int] | None = None
    ) -> tuple[list[int] | None, bool]:
        """The best order starting with `prefix` (canonical form), and whether it is proven.

        With `exclude`, the best of the orders that orient some pair with net traffic otherwise
        than `exclude` does (None if there is none).
        """
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp

        m = len(self.pairs)
        lower, upper = np.zeros(m), np.ones(m)
        rank = {item: r for r, item in enumerate(prefix)}
        for k, (i, j) in enumerate(self.pairs):
            ri, rj = rank.get(i), rank.get(j)
            if ri is not None or rj is not None:
                i_first = rj is None or (ri is not None and ri < rj)
                lower[k] = upper[k] = float(i_first)
        constraints = list(self.constraints)
        if exclude is not None:  # no-good cut: sum of the weighted x that change >= 1
            coefs = np.array(
                [
                    (-1.0 if i_first else 1.0) if weight else 0.0
                    for weight, i_first in zip(self.weights, self.before(exclude), strict=True)
                ]
            )
            kept = np.count_nonzero(coefs < 0)  # x that must drop from 1 to 0 to count
            constraints.append(LinearConstraint(coefs[np.newaxis], 1.0 - kept, np.inf))
        result = milp(
            -np.array(self.weights, dtype=float),
            integrality=np.ones(m),
            bounds=Bounds(lower, upper),
            constraints=constraints,
            options={"mip_rel_gap": 0.0, "time_limit": max(0.0, self.deadline - time.monotonic())},
        )
        if result.x is None:
            return None, False
        return self.canonical([bool(value > 0.5) for value in result.x]), result.status == 0

    def before(self, order: list[int]) -> list[bool]:
        """Per pair (i, j): does i come before j in `order`?"""
        position = {item: p for p, item in enumerate(order)}
        return [position[i] < position[j] for i, j in self.pairs]

    def canonical(self, before: list[bool]) -> list[int]:
        """The alphabetically first order that orients every weighted pair as `before` does.

        Pairs without net traffic are free, so this keeps the objective: the smallest-first
        topological sort of the precedence graph of the weighted pairs.
        """
        successors: list[list[int]] = [[] for _ in range(self.n)]
        indegree = [0] * self.n
        for (i, j), weight, i_first in zip(self.pairs, self.weights, before, strict=True):
            if weight:
                a, b = (i, j) if i_first else (j, i)
                successors[a].append(b)
                indegree[b] += 1
        ready = [item for item in range(self.n) if indegree[item] == 0]
        order: list[int] = []
        while ready:
            item = heapq.heappop(ready)
            order.append(item)
            for successor in successors[item]:
                indegree[successor] -= 1
                if indegree[successor] == 0:
                    heapq.heappush(ready, successor)
        return order

    def forward(self, order: list[int]) -> int:
        """The net traffic that flows forward along `order` (the objective, exactly)."""
        return _fit(order, self.pairs, self.weights)[1]

    def by_score(self) -> list[int]:
        """Items by net outgoing traffic, highest first, then by name: the fallback order."""
        score = [0] * self.n
        for (i, j), weight in zip(self.pairs, self.weights, strict=True):
            score[i] += weight
            score[j] -= weight
        return sorted(range(self.n), key=lambda item: (-score[item], item))


def _fit(order: list[int], pairs: list[tuple[int, int]], weights: list[int]) -> tuple[int, int]:
    """(pairs whose net flows forward along `order`, the net traffic they carry)."""
    position = {item: p for p, item in enumerate(order)}
    pairs_fit = traffic = 0
    for (i, j), weight in zip(pairs, weights, strict=True):
        if weight and (weight > 0) == (position[i] < position[j]):
            pairs_fit += 1
            traffic += abs(weight)
    return pairs_fit, traffic


def _ordering(
    names: list[str],
    order: list[int],
    pairs: list[tuple[int, int]],
    weights: list[int],
    *,
    optimal: bool,
) -> Ordering:
    pairs_fit, traffic = _fit(order, pairs, weights)
    total = sum(abs(weight) for weight in weights)
    return Ordering(
        order=[names[item] for item in order],
        pairs_fit=pairs_fit,
        pairs_total=sum(1 for weight in weights if weight),
        traffic_explained=traffic / total if total else 1.0,
        optimal=optimal,
    )


# --- licenses ------------------------------------------------------------------------------


def license_conflict(
    parent_licenses: Collection[str] | None,
    child_licenses: Collection[str] | None,
    table: LicenseTable | None = None,
) -> str | None:
    """Why the child's declared license breaks a commercial or use-restricted parent's, or None.

    Categories are ranked by PERMISSIVENESS: commercial < use-restricted < copyleft <
    permissive. A conflict is a parent whose most restrictive categorised license is
    commercial or use-restricted, and a child whose most restrictive license is still more
    permissive than that: the child dropped the parent's strongest restriction without
    declaring anything as strong (a card listing [llama3, mit] keeps the Llama terms).
    Licenses in no category (other, unknown) never make a conflict: on the parent side they
    are ignored; on the child side they might carry the parent's terms (the Hub's `other`
    often is the Llama license), so such a child is never flagged. Nothing declared on
    either side: None.

    >>> license_conflict(["llama3"], ["apache-2.0"])
    'commercial parent license llama3 -> permissive child license apache-2.0'
    >>> license_conflict(["apache-2.0"], ["mit"]), license_conflict(["llama3"], ["other"])
    (None, None)
    """
    table = table or default_license_table()
    parent, _ = _categorised(parent_licenses, table)
    if not parent:
        return None
    parent_rank, parent_license, parent_category = min(parent)
    if parent_category not in RESTRICTED_CATEGORIES:
        return None
    child, child_uncategorised = _categorised(child_licenses, table)
    if not child or child_uncategorised:
        return None
    child_rank, child_license, child_category = min(child)
    if child_rank <= parent_rank:
        return None
    return (
        f"{parent_category} parent license {parent_license}"
        f" -> {child_category} child license {child_license}"
    )


def _categorised(
    licenses: Collection[str] | None, table: LicenseTable
) -> tuple[list[tuple[int, str, str]], bool]:
    """(rank, license, category) of each categorised license; whether any is not categorised.

    min() of the list is the most restrictive license, ties broken by name.
    """
    ranked: list[tuple[int, str, str]] = []
    uncategorised = False
    for value in licenses or ():
        category = license_category(value, table)
        if category in PERMISSIVENESS:
            ranked.append((PERMISSIVENESS[category], value, category))
        else:
            uncategorised = True
    return ranked, uncategorised


# --- languages -----------------------------------------------------------------------------


def is_multilingual(languages: Collection[str] | None) -> bool:
    """Declares two languages or more, or `multilingual`.

    >>> is_multilingual(["en", "fr"]), is_multilingual(["multilingual"]), is_multilingual(["en"])
    (True, True, False)
    """
    if not languages:
        return False
    found = _as_set(languages)
    return len(found) >= 2 or MULTILINGUAL in found


def multilingual_to_english_only(
    parent_languages: Collection[str] | None, child_languages: Collection[str] | None
) -> bool | None:
    """Did a multilingual parent get an English-only child (exactly {'en'})?

    None unless the parent is multilingual and the child declares languages: the edge is
    outside the denominator. So the mean of the non-null results (Spark's avg skips nulls) is
    the share of multilingual parents' declaring children that kept only English.

    >>> multilingual_to_english_only(["de", "en"], ["en"])
    True
    >>> multilingual_to_english_only(["multilingual"], ["en", "fr"])
    False
    >>> multilingual_to_english_only(["en"], ["en"]), multilingual_to_english_only(["en", "fr"], [])
    (None, None)
    """
    if not child_languages or not is_multilingual(parent_languages):
        return None
    return _as_set(child_languages) == {ENGLISH}
