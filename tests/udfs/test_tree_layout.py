"""The family-tree layout: every member drawn or counted in a box, never more than the
limit, roots on top, children under drawn parents."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.tree_layout import Member, collapsed_box, layout_tree


def star(n_children: int) -> tuple[list[Member], list[tuple[str, str, str]]]:
    members = [Member("base", 0, 10**6)] + [
        Member(f"child-{i:05d}", 1, i) for i in range(n_children)
    ]
    edges = [
        (f"child-{i:05d}", "base", "quantized" if i % 3 else "finetune") for i in range(n_children)
    ]
    return members, edges


def test_a_star_of_20000_children_draws_the_most_downloaded_and_one_box_for_the_rest() -> None:
    members, edges = star(20_000)
    layout = layout_tree(members, edges, max_nodes=50, max_per_level=30)
    drawn = layout.drawn_models
    assert len(drawn) == 31
    assert drawn[0] == "base"
    assert set(drawn[1:]) == {f"child-{i:05d}" for i in range(19_970, 20_000)}
    box = collapsed_box(1)
    assert layout.collapsed == {box: 19_970}
    hidden = range(19_970)
    assert layout.collapsed_relations[box] == {
        "finetune": sum(1 for i in hidden if i % 3 == 0),
        "quantized": sum(1 for i in hidden if i % 3),
    }
    assert len(layout.edges) == 30 and all(parent == "base" for _, parent, _ in layout.edges)


def test_a_small_tree_is_drawn_whole_with_roots_on_top_and_levels_centred() -> None:
    members = [Member("r", 0), Member("a", 1), Member("b", 1), Member("c", 2)]
    edges = [("a", "r", "finetune"), ("b", "r", "adapter"), ("c", "a", "merge")]
    layout = layout_tree(members, edges, max_nodes=10, max_per_level=10)
    assert layout.collapsed == {}
    assert {n: y for n, (_, y) in layout.positions.items()} == {"r": 0, "a": 1, "b": 1, "c": 2}
    xs = {n: x for n, (x, _) in layout.positions.items()}
    assert xs == {"r": 0.5, "a": 0.0, "b": 1.0, "c": 0.5}  # one-model levels centred
    assert sorted(layout.edges) == sorted(edges)


@st.composite
def random_forest(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 120))
    depths = {0: 0}
    members = [Member("m0", 0, draw(st.integers(0, 100)))]
    edges = []
    for i in range(1, n):
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1)))
        depth = 0 if parent is None else depths[parent] + 1
        depths[i] = depth
        members.append(Member(f"m{i}", depth, draw(st.integers(0, 100))))
        if parent is not None:
            edges.append((f"m{i}", f"m{parent}", draw(st.sampled_from(["finetune", "merge"]))))
    return members, edges


@settings(max_examples=200, deadline=None)
@given(random_forest(), st.integers(1, 60), st.integers(1, 20))
def test_every_member_is_drawn_or_counted_and_limits_hold(forest, max_nodes, per_level) -> None:
    members, edges = forest
    layout = layout_tree(members, edges, max_nodes=max_nodes, max_per_level=per_level)
    drawn = set(layout.drawn_models)
    assert len(drawn) <= max_nodes
    assert len(drawn) + sum(layout.collapsed.values()) == len(members)
    depth = {m.model_id: m.depth for m in members}
    parents = {}
    for child, parent, _ in edges:
        parents.setdefault(child, set()).add(parent)
    for node in drawn:
        assert layout.positions[node][1] == depth[node]
        assert sum(1 for n in drawn if depth[n] == depth[node]) <= per_level
        if depth[node] > 0:
            assert parents[node] & drawn, node
    assert all(c in drawn and p in drawn for c, p, _ in layout.edges)
    assert {(c, p) for c, p, _ in layout.edges} == {
        (c, p) for c, p, _ in edges if c in drawn and p in drawn
    }


def test_a_deep_chain_folds_the_levels_below_the_limit_into_one_box() -> None:
    """Past the drawn models nothing deeper can hang from a drawn parent: one box for all
    of them, not a "+1 more" box per level (5,000 boxes made a 2 MB SVG in 16 s)."""
    members = [Member(f"m{i:04d}", i) for i in range(5_000)]
    edges = [(f"m{i:04d}", f"m{i - 1:04d}", "finetune") for i in range(1, 5_000)]
    layout = layout_tree(members, edges, max_nodes=120, max_per_level=30)
    assert len(layout.drawn_models) == 120
    assert layout.collapsed == {collapsed_box(120): 4_880}
    assert layout.collapsed_relations[collapsed_box(120)] == {"finetune": 4_880}
    assert len(layout.positions) == 121
