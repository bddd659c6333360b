"""Where to draw each member of a family tree: one row per generation, roots on top.

The Hub's biggest families hold tens of thousands of models, mostly children of one
base model; drawing all of them is a black smear. `layout_tree` keeps at most
`max_nodes` models, level by level from the roots (within a level those with the most
children first, then the most downloaded, and only models whose parent is drawn), and
folds every model it leaves out into one "+N more" box per level, which says how many
models and of which relations it holds; below the first level that draws nobody, nothing
can hang from a drawn parent, so that level's box holds every deeper model too.
Within a level, models sit under their parents (mean parent position), so lines cross less.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Member:
    model_id: str
    depth: int
    downloads: int = 0
    children: int = 0  # models that have it as a parent: drawing these shows the branches


@dataclass
class TreeLayout:
    positions: dict[str, tuple[float, int]]  # node -> (x, depth); collapsed boxes included
    edges: list[tuple[str, str, str]]  # (child, parent, relation) between drawn models
    collapsed: dict[str, int] = field(default_factory=dict)  # "+N more" box -> N
    collapsed_relations: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def drawn_models(self) -> list[str]:
        return [n for n in self.positions if n not in self.collapsed]


def collapsed_box(depth: int) -> str:
    """The node id of the box standing for the models left out at `depth`."""
    return f"\u2026 depth {depth}"


def layout_tree(
    members: Sequence[Member],
    edges: Sequence[tuple[str, str, str]],
    max_nodes: int,
    max_per_level: int,
) -> TreeLayout:
    """Positions of at most `max_nodes` members plus one box per level for the rest (one
    box for all levels from the first that draws nobody).

    >>> members = [Member("root", 0, 9), Member("a", 1, 5), Member("b", 1, 1), Member("c", 2)]
    >>> edges = [("a", "root", "finetune"), ("b", "root", "adapter"), ("c", "b", "quantized")]
    >>> full = layout_tree(members, edges, max_nodes=10, max_per_level=10)
    >>> sorted(full.positions) == ["a", "b", "c", "root"] and full.collapsed == {}
    True
    >>> small = layout_tree(members, edges, max_nodes=2, max_per_level=10)
    >>> small.drawn_models, small.collapsed
    (['root', 'a'], {'… depth 1': 1, '… depth 2': 1})
    >>> small.collapsed_relations["… depth 1"]
    {'adapter': 1}
    """
    parents: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for child, parent, relation in edges:
        parents[child].append((parent, relation))
    levels: dict[int, list[Member]] = defaultdict(list)
    for member in members:
        levels[member.depth].append(member)

    positions: dict[str, tuple[float, int]] = {}
    layout = TreeLayout(positions=positions, edges=[])
    budget = max_nodes
    for depth in sorted(levels):
        ranked = sorted(levels[depth], key=lambda m: (-m.children, -m.downloads, m.model_id))
        attached = [
            m for m in ranked if depth == 0 or any(p in positions for p, _ in parents[m.model_id])
        ]
        shown = attached[: max(0, min(budget, max_per_level))]
        budget -= len(shown)
        shown_ids = {m.model_id for m in shown}

        def under_parents(member: Member) -> float:
            xs = [positions[p][0] for p, _ in parents[member.model_id] if p in positions]
            return sum(xs) / len(xs) if xs else 0.0

        ordered = sorted(shown, key=lambda m: (under_parents(m), m.model_id))
        for x, member in enumerate(ordered):
            positions[member.model_id] = (float(x), depth)
        left_out = [m for m in ranked if m.model_id not in shown_ids]
        if not shown:  # nothing drawn here, so nothing deeper can attach: one box for all
            left_out += [m for deeper in levels if deeper > depth for m in levels[deeper]]
        if left_out:
            box = collapsed_box(depth)
            positions[box] = (float(len(ordered)), depth)
            layout.collapsed[box] = len(left_out)
            relations: Counter[str] = Counter(
                relation for m in left_out for _, relation in parents[m.model_id][:1]
            )
            layout.collapsed_relations[box] = dict(sorted(relations.items()))
        if not shown:
            break
    _centre_levels(positions)
    layout.edges = [
        (child, parent, relation)
        for child, parent, relation in edges
        if child in positions and parent in positions
    ]
    return layout


def _centre_levels(positions: dict[str, tuple[float, int]]) -> None:
    """Shift every level so that all levels share one centre line."""
    widths: dict[int, float] = {}
    for x, depth in positions.values():
        widths[depth] = max(widths.get(depth, 0.0), x)
    widest = max(widths.values(), default=0.0)
    for node, (x, depth) in positions.items():
        positions[node] = (x + (widest - widths[depth]) / 2, depth)
