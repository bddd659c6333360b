"""Drift measures on tiny edge sets whose answers are worked out by hand in the comments."""

import itertools
import random
from collections import Counter
from statistics import mean

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.drift import (
    PERMISSIVENESS,
    RESTRICTED_CATEGORIES,
    best_ordering,
    count_transitions,
    edge_transitions,
    is_multilingual,
    jaccard_distance,
    license_conflict,
    multilingual_to_english_only,
    net_traffic,
)
from udfs.normalize import LICENSE_CATEGORIES, LicenseTable

# --- mutation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parent", "child", "expected"),
    [
        (["mit"], ["mit"], 0.0),  # 1 - 1/1
        (["mit"], ["apache-2.0"], 1.0),  # 1 - 0/2
        (["en", "fr", "de"], ["en", "es"], 0.75),  # shared {en}, union {de,en,es,fr}: 1 - 1/4
        (["a", "b"], ["b", "c"], 2 / 3),  # 1 - 1/3
        (["en", "en", "fr"], ["fr"], 0.5),  # duplicates ignored: {en,fr} vs {fr}: 1 - 1/2
        (frozenset({"en", "fr"}), {"fr", "en"}, 0.0),
        (["mit"], [], None),  # the child does not declare the trait
        ([], ["mit"], None),
        (None, ["mit"], None),
        ([], [], None),
    ],
)
def test_jaccard_distance(parent, child, expected):
    distance = jaccard_distance(parent, child)
    assert distance == (None if expected is None else pytest.approx(expected))


def test_mutation_rate_is_the_mean_over_edges_where_both_declare():
    edges = [
        (["mit"], ["mit"]),  # 0.0
        (["mit"], ["apache-2.0"]),  # 1.0
        (["en", "fr"], ["en"]),  # 1 - 1/2 = 0.5
        (["mit"], []),  # None: left out
        ([], ["mit"]),  # None: left out
    ]
    distances = [jaccard_distance(p, c) for p, c in edges]
    # (0.0 + 1.0 + 0.5) / 3 = 0.5
    assert mean(d for d in distances if d is not None) == 0.5


# --- transitions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parent", "child", "expected"),
    [
        # gained apache-2.0 <- from mit; dropped mit -> to apache-2.0: the same pair, once
        (["mit"], ["apache-2.0"], [("mit", "apache-2.0")]),
        # gained c: a->c, b->c; dropped a: a->b, a->c; a->c once
        (["a", "b"], ["b", "c"], [("a", "b"), ("a", "c"), ("b", "c")]),
        # dropped de, fr: each to every child value (en)
        (["en", "fr", "de"], ["en"], [("de", "en"), ("fr", "en")]),
        # gained de, fr: each from every parent value (en)
        (["en"], ["en", "fr", "de"], [("en", "de"), ("en", "fr")]),
        # gained c from a and b; dropped nothing (b is kept): no b->b
        (["a", "b"], ["a", "b", "c"], [("a", "c"), ("b", "c")]),
        (["en", "fr"], ["fr", "en", "en"], []),  # unchanged
        (["mit"], [], []),  # not declared on one side
        (None, ["mit"], []),
    ],
)
def test_edge_transitions(parent, child, expected):
    assert edge_transitions(parent, child) == expected


def test_count_transitions_over_a_tiny_edge_set():
    edges = [
        (["mit"], ["apache-2.0"]),  # mit->apache-2.0
        (["mit"], ["apache-2.0"]),  # mit->apache-2.0
        (["apache-2.0"], ["mit"]),  # apache-2.0->mit
        (["mit"], ["mit", "llama3"]),  # mit->llama3
        (["mit"], []),  # nothing
    ]
    assert count_transitions(edges) == Counter(
        {("mit", "apache-2.0"): 2, ("apache-2.0", "mit"): 1, ("mit", "llama3"): 1}
    )


def test_net_traffic():
    counts = {
        ("a", "b"): 5,
        ("b", "a"): 2,  # a->b net 5 - 2 = 3
        ("b", "c"): 1,
        ("c", "b"): 4,  # c->b net 4 - 1 = 3
        ("d", "e"): 3,
        ("e", "d"): 3,  # cancels: left out
        ("g", "f"): 2,  # one direction only: g->f 2
        ("f", "f"): 9,  # self-pair: left out
    }
    expected = {("a", "b"): 3, ("c", "b"): 3, ("g", "f"): 2}
    assert net_traffic(counts) == expected
    reversed_counts = dict(reversed(list(counts.items())))
    assert list(net_traffic(reversed_counts).items()) == list(expected.items())


# --- ordering ------------------------------------------------------------------------------


def forward_traffic(order, counts):
    """Net traffic flowing forward along `order`: the MILP's objective, recomputed."""
    position = {value: p for p, value in enumerate(order)}
    return sum(
        flow
        for (a, b), flow in net_traffic(counts).items()
        if a in position and b in position and position[a] < position[b]
    )


def shuffled_dicts(counts, n, seed=0):
    rng = random.Random(seed)
    items = list(counts.items())
    for _ in range(n):
        rng.shuffle(items)
        yield dict(items)


def test_chain_with_one_contradicting_edge():
    # a->b 10, b->c 8, c->d 6 forward; d->a 1 contradicts. Every order breaks the cycle
    # a->b->c->d->a somewhere; breaking d->a (the cheapest) forces a<b<c<d.
    counts = {("a", "b"): 10, ("b", "c"): 8, ("c", "d"): 6, ("d", "a"): 1}
    result = best_ordering(counts, ["d", "c", "b", "a"])
    assert result.order == ["a", "b", "c", "d"]
    assert result.pairs_fit == 3  # a->b, b->c, c->d of 4 pairs with net traffic
    assert result.pairs_total == 4
    assert result.traffic_explained == pytest.approx(24 / 25)  # (10 + 8 + 6) / (10+8+6+1)
    assert result.optimal


def test_ordering_ignores_values_outside_the_top_n_and_duplicates():
    counts = {("a", "b"): 10, ("b", "c"): 8, ("c", "d"): 6, ("d", "a"): 1, ("z", "a"): 100}
    result = best_ordering(counts, ["b", "a", "d", "c", "a"])
    assert result.order == ["a", "b", "c", "d"]
    assert (result.pairs_fit, result.pairs_total) == (3, 4)


def test_equal_cycle_ties_are_broken_alphabetically_and_deterministically():
    # a->b, b->c, c->a, 5 each: every order agrees with exactly 2 of the 3 pairs (10 of 15).
    # Optimal orders: abc, bca, cab; the alphabetically first is abc.
    counts = {("a", "b"): 5, ("b", "c"): 5, ("c", "a"): 5}
    results = [best_ordering(shuffled, ["c", "a", "b"]) for shuffled in shuffled_dicts(counts, 6)]
    results += [best_ordering(counts, list(values)) for values in itertools.permutations("abc")]
    assert all(result == results[0] for result in results)
    assert results[0].order == ["a", "b", "c"]
    assert forward_traffic(results[0].order, counts) == 10
    assert (results[0].pairs_fit, results[0].pairs_total) == (2, 3)
    assert results[0].traffic_explained == pytest.approx(10 / 15)


def test_equal_cycle_breaks_tie_to_the_alphabetically_first():
    # a->b->c->d->a, 1 each: an optimum breaks one edge (3 of 4): abcd, bcda, cdab, dabc.
    # Whichever HiGHS finds first, the answer is the alphabetically first one.
    counts = {("a", "b"): 1, ("b", "c"): 1, ("c", "d"): 1, ("d", "a"): 1}
    for shuffled in shuffled_dicts(counts, 4):
        result = best_ordering(shuffled, ["d", "b", "c", "a"])
        assert result.order == ["a", "b", "c", "d"]
        assert (result.pairs_fit, result.pairs_total) == (3, 4)


def test_tie_between_cycle_breaks_with_a_free_value():
    # Cycle a->c 1, c->d 1, d->a 2; b has no traffic. An optimum breaks a->c or c->d
    # (3 of 4 forward): c<d<a or d<a<c, b anywhere. First of all: b, c, d, a (HiGHS may find
    # b, d, a, c first; the answer must not depend on it).
    counts = {("c", "d"): 1, ("d", "a"): 2, ("a", "c"): 1}
    for shuffled in shuffled_dicts(counts, 3):
        result = best_ordering(shuffled, ["a", "b", "c", "d"])
        assert result.order == ["b", "c", "d", "a"]
        assert (result.pairs_fit, result.pairs_total) == (2, 3)
        assert result.traffic_explained == pytest.approx(3 / 4)  # (1 + 2) / (1 + 1 + 2)


def test_values_without_net_traffic_are_free():
    # Only c->a: c must precede a. Orders bca, cab, cba are optimal; first is b, c, a.
    assert best_ordering({("c", "a"): 2}, ["a", "b", "c"]).order == ["b", "c", "a"]
    # Symmetric traffic nets to zero: nothing to explain, alphabetical order.
    symmetric = {("a", "b"): 3, ("b", "a"): 3, ("d", "c"): 2, ("c", "d"): 2}
    result = best_ordering(symmetric, ["d", "c", "b", "a"])
    assert result.order == ["a", "b", "c", "d"]
    assert (result.pairs_fit, result.pairs_total, result.traffic_explained) == (0, 0, 1.0)


@pytest.mark.parametrize(
    ("counts", "values", "order", "pairs_fit", "pairs_total"),
    [
        ({}, [], [], 0, 0),
        ({("x", "y"): 4}, ["x"], ["x"], 0, 0),
        ({("b", "a"): 2}, ["a", "b"], ["b", "a"], 1, 1),
        ({("b", "a"): 2, ("a", "b"): 2}, ["b", "a"], ["a", "b"], 0, 0),
    ],
)
def test_orderings_of_up_to_two_values(counts, values, order, pairs_fit, pairs_total):
    result = best_ordering(counts, values)
    assert result.order == order
    assert (result.pairs_fit, result.pairs_total) == (pairs_fit, pairs_total)
    assert result.traffic_explained == 1.0
    assert result.optimal


def test_ordering_matches_brute_force_on_small_random_traffic():
    rng = random.Random(20250701)
    for _ in range(40):
        values = [f"v{i}" for i in range(rng.randint(3, 6))]
        counts = {
            (a, b): rng.randint(0, 3)
            for a, b in itertools.permutations(values, 2)
            if rng.random() < 0.6
        }
        result = best_ordering(counts, values)
        permutations = [list(p) for p in itertools.permutations(values)]
        best = max(forward_traffic(p, counts) for p in permutations)
        assert forward_traffic(result.order, counts) == best
        assert result.order == min(p for p in permutations if forward_traffic(p, counts) == best)
        assert result.optimal


def test_planted_order_of_twenty_values_is_recovered():
    # Each pair: 50 + noise forward along the planted order, noise (< 50) backward, so
    # every net flows forward and the planted order is the unique optimum.
    rng = random.Random(7)
    planted = [f"value{i:02d}" for i in range(20)]
    rng.shuffle(planted)
    counts = {
        (a, b): rng.randint(0, 30) + (50 if planted.index(a) < planted.index(b) else 0)
        for a, b in itertools.permutations(planted, 2)
    }
    result = best_ordering(counts, sorted(planted))
    assert result.order == planted
    assert (result.pairs_fit, result.pairs_total, result.traffic_explained) == (190, 190, 1.0)
    assert result.optimal


def test_out_of_time_gives_a_complete_order_flagged_not_optimal():
    rng = random.Random(3)
    values = [f"value{i:02d}" for i in range(20)]
    counts = {(a, b): rng.randint(0, 100) for a, b in itertools.permutations(values, 2)}
    result = best_ordering(counts, values, time_limit=0.0)
    assert sorted(result.order) == values
    assert not result.optimal


# --- licenses ------------------------------------------------------------------------------


def test_permissiveness_ranks_the_paper_categories():
    assert set(PERMISSIVENESS) == set(LICENSE_CATEGORIES)
    assert sorted(PERMISSIVENESS, key=PERMISSIVENESS.__getitem__) == [
        "commercial",
        "use-restricted",
        "copyleft",
        "permissive",
    ]
    assert {"commercial", "use-restricted"} == RESTRICTED_CATEGORIES


def conflict(parent_category, parent_license, child_category, child_license):
    return (
        f"{parent_category} parent license {parent_license}"
        f" -> {child_category} child license {child_license}"
    )


def test_license_conflict_reason():
    assert license_conflict(["llama3"], ["apache-2.0"]) == (
        "commercial parent license llama3 -> permissive child license apache-2.0"
    )


@pytest.mark.parametrize(
    ("parent", "child", "expected"),
    [
        (["llama3"], ["apache-2.0"], conflict("commercial", "llama3", "permissive", "apache-2.0")),
        (
            ["cc-by-nc-4.0"],
            ["mit"],
            conflict("use-restricted", "cc-by-nc-4.0", "permissive", "mit"),
        ),
        (["openrail"], ["gpl-3.0"], conflict("use-restricted", "openrail", "copyleft", "gpl-3.0")),
        (
            ["llama3"],
            ["cc-by-nc-4.0"],
            conflict("commercial", "llama3", "use-restricted", "cc-by-nc-4.0"),
        ),
        (
            ["Llama 3"],
            ["Apache 2.0"],
            conflict("commercial", "Llama 3", "permissive", "Apache 2.0"),
        ),
        (["apache-2.0"], ["mit"], None),  # permissive parent: the child may relicense
        (["gpl-3.0"], ["mit"], None),  # copyleft parent: category says nothing finer
        (["mit"], ["llama3"], None),  # more restrictive child
        (["cc-by-nc-4.0"], ["llama3"], None),  # commercial ranks below use-restricted
        (["llama3"], ["llama3"], None),
        (["llama3"], ["llama2"], None),  # same category
        (["llama3"], ["unknown"], None),  # unknown anything: never a conflict
        (["unknown"], ["mit"], None),
        (["other"], ["mit"], None),
        (["llama3"], ["other"], None),  # `other` may be the Llama license itself
        (["llama3"], ["wtfpl"], None),  # in no category
        (["llama3"], [], None),  # the child declares nothing
        (None, ["mit"], None),
    ],
)
def test_license_conflict_single_licenses(parent, child, expected):
    assert license_conflict(parent, child) == expected


@pytest.mark.parametrize(
    ("parent", "child", "expected"),
    [
        # most restrictive parent (llama3) vs most restrictive child (mit)
        (["apache-2.0", "llama3"], ["mit"], conflict("commercial", "llama3", "permissive", "mit")),
        # the child keeps the Llama terms beside its own code license
        (["llama3"], ["llama3", "mit"], None),
        # parent commercial (rank 0) beats its use-restricted license; child rank 1 > 0
        (
            ["cc-by-nc-4.0", "llama3"],
            ["cc-by-nc-4.0"],
            conflict("commercial", "llama3", "use-restricted", "cc-by-nc-4.0"),
        ),
        # `other` on the parent side is ignored, on the child side it vetoes
        (["llama3", "other"], ["mit"], conflict("commercial", "llama3", "permissive", "mit")),
        (["llama3"], ["mit", "other"], None),
        # equally permissive child licenses: the first by name is reported
        (
            ["llama3"],
            ["mit", "apache-2.0"],
            conflict("commercial", "llama3", "permissive", "apache-2.0"),
        ),
    ],
)
def test_license_conflict_license_lists(parent, child, expected):
    assert license_conflict(parent, child) == expected


def test_license_conflict_uses_the_given_table():
    table = LicenseTable(
        aliases={},
        unknown=frozenset({"unknown"}),
        category={"acme": "commercial", "mit": "permissive"},
    )
    assert license_conflict(["acme"], ["mit"], table) == (
        conflict("commercial", "acme", "permissive", "mit")
    )
    assert license_conflict(["llama3"], ["mit"], table) is None  # llama3 is "other" here


# --- languages -----------------------------------------------------------------------------


def test_share_of_multilingual_parents_with_english_only_children():
    assert is_multilingual(["en", "fr"]) and is_multilingual(["multilingual"])
    assert not is_multilingual(["en"]) and not is_multilingual([]) and not is_multilingual(None)
    edges = [
        (["de", "en"], ["en"]),  # True
        (["multilingual"], ["en", "en"]),  # True
        (["en", "fr"], ["en", "fr"]),  # False
        (["en", "fr"], ["fr"]),  # False
        (["en", "fr"], []),  # None: the child declares nothing
        (["en"], ["en"]),  # None: the parent is not multilingual
    ]
    flags = [multilingual_to_english_only(p, c) for p, c in edges]
    assert flags == [True, True, False, False, None, None]
    assert mean(flag for flag in flags if flag is not None) == 0.5  # 2 of 4


# --- properties ----------------------------------------------------------------------------

values = st.sampled_from(["en", "fr", "de", "mit", "llama3", "other", "unknown", "", "??"])
value_sets = st.one_of(st.none(), st.lists(values | st.text(max_size=5), max_size=6))


@settings(max_examples=200, deadline=None, database=None)
@given(value_sets, value_sets)
def test_per_edge_measures_never_raise(parent, child):
    distance = jaccard_distance(parent, child)
    assert distance == jaccard_distance(child, parent)
    if parent and child:
        assert distance is not None and 0.0 <= distance <= 1.0
    else:
        assert distance is None
    transitions = edge_transitions(parent, child)
    p, c = set(parent or ()), set(child or ())
    if p and c:  # DESIGN's rule, literally: gains from each parent value, drops to each child
        rule = {(a, g) for g in c - p for a in p} | {(d, b) for d in p - c for b in c}
    else:
        rule = set()
    assert transitions == sorted(rule)
    assert license_conflict(parent, child) is None or isinstance(
        license_conflict(parent, child), str
    )
    multilingual_to_english_only(parent, child)


@settings(max_examples=100, deadline=None, database=None)
@given(st.dictionaries(st.tuples(values, values), st.integers(0, 50), max_size=12))
def test_net_traffic_is_antisymmetric(counts):
    net = net_traffic(counts)
    for (a, b), flow in net.items():
        assert flow == counts.get((a, b), 0) - counts.get((b, a), 0) > 0
        assert (b, a) not in net
    # ... and none is left out: every ordered pair with more traffic one way is there.
    # Self-transitions (a, a) carry no direction.
    expected = {
        (a, b): n - counts.get((b, a), 0)
        for (a, b), n in counts.items()
        if a != b and n > counts.get((b, a), 0)
    }
    assert net == expected
