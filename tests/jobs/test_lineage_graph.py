"""Families, depths, roots and cycles on hand-made graphs where the answer is obvious,
and against networkx (a test-only oracle) on random forests and DAGs with cycles."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from pyspark.sql import functions as F

from jobs import schemas
from jobs.config import LineageConfig
from jobs.lineage import (
    RELATIONS,
    VIEWS,
    build_edges,
    connected_components,
    counted_state,
    family_table,
    lineage_tables,
    peel_leaves,
)

pytestmark = [pytest.mark.spark, pytest.mark.graphframes]


def models_frame(spark, declared: dict[str, list[tuple[str, str]]]):
    """Models with ids, base_models, a license and a creation date."""
    rows = []
    for number, (model_id, parents) in enumerate(sorted(declared.items())):
        row = dict.fromkeys(schemas.MODELS.fieldNames())
        row["model_id"] = model_id
        row["licenses"] = [f"lic-{model_id}"]
        row["created_at"] = f"2024-01-{number + 1:02d}T00:00:00Z"
        row["base_models"] = [
            {"parent_id": p, "relation": r, "source": "tag", "other_relations": []}
            for p, r in parents
        ]
        rows.append(row)
    return spark.createDataFrame(rows, schemas.MODELS)


def lineage(spark, declared, config: LineageConfig | None = None):
    models = models_frame(spark, declared)
    edges, self_loops = build_edges(models)
    nodes, families, facts = lineage_tables(models, edges, self_loops, config or LineageConfig())
    by_view: dict[str, dict[str, tuple]] = {}
    for row in nodes.collect():
        by_view.setdefault(row["view"], {})[row["model_id"]] = (
            row["family_id"],
            row["root_ids"],
            row["depth_min"],
            row["depth_max"],
            row["n_parents"],
            row["n_children"],
            row["in_cycle"],
            row["parent_missing"],
        )
    family_rows = {(r["view"], r["family_id"]): r.asDict() for r in families.collect()}
    return by_view, family_rows, facts


FT, Q, AD, MG = "finetune", "quantized", "adapter", "merge"


@pytest.fixture(scope="module")
def hand_made(spark):
    """One snapshot holding every hand-made shape, each its own family."""
    declared = {
        # chain a0 <- a1 <- a2 <- a3
        "a0": [],
        "a1": [("a0", FT)],
        "a2": [("a1", FT)],
        "a3": [("a2", Q)],
        # star: b0 with three children
        "b0": [],
        "b1": [("b0", FT)],
        "b2": [("b0", AD)],
        "b3": [("b0", Q)],
        # two families joined by a merge m
        "c0": [],
        "c1": [("c0", FT)],
        "d0": [],
        "m": [("c1", MG), ("d0", MG)],
        # diamond e0 -> e1 -> e2 -> e4 and e0 -> e3 -> e4 -> e5 (depth_min != depth_max)
        "e0": [],
        "e1": [("e0", FT)],
        "e2": [("e1", FT)],
        "e3": [("e0", FT)],
        "e4": [("e2", FT), ("e3", FT)],
        "e5": [("e4", FT)],
        # 2-cycle f1 <-> f2 with a parent f0 above f1 and a child f3 below f2
        "f0": [],
        "f1": [("f0", FT), ("f2", FT)],
        "f2": [("f1", FT)],
        "f3": [("f2", FT)],
        # 3-cycle g1 -> g2 -> g3 -> g1, nothing outside it, a child g4 below g3
        "g1": [("g3", FT)],
        "g2": [("g1", FT)],
        "g3": [("g2", FT)],
        "g4": [("g3", FT)],
        # self-loop h0 (also declares itself), child h1
        "h0": [("h0", FT)],
        "h1": [("h0", FT)],
        # missing parent: k1's parent is not in the snapshot; k2 below k1
        "k1": [("gone/model", FT)],
        "k2": [("k1", FT)],
        # isolated
        "z": [],
    }
    return lineage(spark, declared)


def test_chain(hand_made) -> None:
    nodes = hand_made[0]["all"]
    assert [nodes[f"a{i}"][2:4] for i in range(4)] == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert {nodes[f"a{i}"][0] for i in range(4)} == {"a0"}
    assert all(nodes[f"a{i}"][1] == ["a0"] for i in range(4))
    assert nodes["a0"][4:6] == (0, 1) and nodes["a3"][4:6] == (1, 0)
    family = hand_made[1][("all", "a0")]
    assert (family["size"], family["max_depth"], family["n_leaves"]) == (4, 3, 1)
    assert (family["edges_finetune"], family["edges_quantized"]) == (2, 1)
    assert family["root_licenses"] == ["lic-a0"]


def test_star(hand_made) -> None:
    nodes = hand_made[0]["all"]
    assert nodes["b0"][5] == 3
    assert all(nodes[f"b{i}"][2:4] == (1, 1) for i in (1, 2, 3))
    family = hand_made[1][("all", "b0")]
    assert (family["size"], family["n_leaves"], family["max_depth"]) == (4, 3, 1)
    assert (family["edges_finetune"], family["edges_adapter"], family["edges_quantized"]) == (
        1,
        1,
        1,
    )


def test_merge_joins_two_families_in_all_but_not_in_no_merges(hand_made) -> None:
    views, families, _ = hand_made
    assert {views["all"][m][0] for m in ("c0", "c1", "d0", "m")} == {"c0"}
    assert views["all"]["m"][1] == ["c0", "d0"]
    assert views["all"]["m"][2:5] == (1, 2, 2)
    assert families[("all", "c0")]["root_ids"] == ["c0", "d0"]
    assert families[("all", "c0")]["edges_merge"] == 2
    no_merges = views["no_merges"]
    assert (no_merges["c1"][0], no_merges["d0"][0], no_merges["m"][0]) == ("c0", "d0", "m")
    assert no_merges["m"][1:5] == (["m"], 0, 0, 0)


def test_diamond_has_different_shortest_and_longest_depth(hand_made) -> None:
    nodes = hand_made[0]["all"]
    assert nodes["e4"][2:4] == (2, 3)
    assert nodes["e5"][2:4] == (3, 4)
    assert nodes["e4"][1] == ["e0"]
    assert hand_made[1][("all", "e0")]["max_depth"] == 4


def test_two_cycle_takes_depth_from_outside_parents(hand_made) -> None:
    nodes = hand_made[0]["all"]
    assert [nodes[k][6] for k in ("f0", "f1", "f2", "f3")] == [False, True, True, False]
    # f1 <-> f2 is not a generation: f1 is a child of f0, f2 a root (nothing outside).
    assert nodes["f1"][2:4] == (1, 1)
    assert nodes["f2"][1:4] == (["f2"], 0, 0)
    assert nodes["f3"][1:4] == (["f2"], 1, 1)
    assert hand_made[1][("all", "f0")]["root_ids"] == ["f0", "f2"]
    assert hand_made[1][("all", "f0")]["n_in_cycle"] == 2


def test_three_cycle_without_a_way_in_is_three_roots(hand_made) -> None:
    nodes = hand_made[0]["all"]
    assert [nodes[g][6] for g in ("g1", "g2", "g3", "g4")] == [True, True, True, False]
    assert [nodes[g][2] for g in ("g1", "g2", "g3")] == [0, 0, 0]
    assert nodes["g4"][1:4] == (["g3"], 1, 1)


def test_self_loop_is_flagged_and_is_no_generation(hand_made) -> None:
    nodes = hand_made[0]["all"]
    assert nodes["h0"][1:8] == (["h0"], 0, 0, 0, 1, True, False)
    assert nodes["h1"][2:4] == (1, 1)


def test_missing_parent_leaves_a_flagged_root(hand_made) -> None:
    nodes = hand_made[0]["all"]
    assert nodes["k1"][1:8] == (["k1"], 0, 0, 0, 1, False, True)
    assert nodes["k2"][0] == "k1" and nodes["k2"][2] == 1 and not nodes["k2"][7]
    assert "gone/model" not in nodes


def test_isolated_model_is_its_own_family(hand_made) -> None:
    assert hand_made[0]["all"]["z"] == ("z", ["z"], 0, 0, 0, 0, False, False)
    assert hand_made[1][("all", "z")]["size"] == 1


def test_finetune_only_view_drops_other_relations(hand_made) -> None:
    nodes = hand_made[0]["finetune_only"]
    assert nodes["a3"][0] == "a3" and nodes["a3"][2] == 0
    assert nodes["b2"][0] == "b2" and nodes["b1"][0] == "b0"


def test_every_model_has_a_row_in_every_view(hand_made) -> None:
    views = hand_made[0]
    assert set(views) == {"all", "no_merges", "finetune_only", "all_plus_inferred"}
    assert len({frozenset(v) for v in views.values()}) == 1
    assert len(views["all"]) == 31


def test_depth_rounds_cap_is_reported_not_looped(spark) -> None:
    chain = {"r0": []} | {f"r{i}": [(f"r{i - 1}", FT)] for i in range(1, 6)}
    views, families, facts = lineage(spark, chain, LineageConfig(max_depth_rounds=2))
    nodes = views["all"]
    assert facts["depth_rounds"] == 2
    assert facts["depth_unresolved"] == 3 * len(VIEWS)  # the chain is finetune: every view
    assert [nodes[f"r{i}"][2] for i in range(6)] == [0, 1, 2, None, None, None]
    # the family's depth is unknown, not the deepest member placed (2 read as the real one)
    assert families["all", "r0"]["max_depth"] is None


def path_components(spark, n: int, config: LineageConfig) -> list[list[int]]:
    """Components of a zigzag path of `n` vertices (1 -> 2 <- 3 -> 4 ...): one family as
    wide as it is long, and never deeper than one generation."""
    links = [(i, i + 1) if i % 2 else (i + 1, i) for i in range(1, n)]
    found = connected_components(
        spark.createDataFrame([(i,) for i in range(1, n + 1)], "id long"),
        spark.createDataFrame(links, "src long, dst long"),
        config,
    )
    groups: dict[int, list[int]] = {}
    for row in found.collect():
        groups.setdefault(row["component"], []).append(row["id"])
    return sorted(sorted(group) for group in groups.values())


def test_graphx_components_are_not_cut_at_31_rounds(spark, caplog) -> None:
    """graphframes-py 0.11.0 stops GraphX after 31 rounds unless given max_iter: a path
    of 40 came back as several families. The smallest id is at one end, so the path
    needs 39 rounds, and a cut one would need the hand-over, which is logged."""
    with caplog.at_level("INFO", logger="pedigree.lineage"):
        got = path_components(spark, 40, LineageConfig(components_algorithm="graphx"))
    assert got == [list(range(1, 41))]
    assert "unfinished" not in caplog.text


def test_graphx_unfinished_hands_over_to_randomized_contraction(spark, caplog) -> None:
    config = LineageConfig(components_algorithm="graphx", graphx_max_iter=5)
    with caplog.at_level("INFO", logger="pedigree.lineage"):
        got = path_components(spark, 40, config)
    assert got == [list(range(1, 41))]
    assert "GraphX unfinished after 5 rounds" in caplog.text


def test_a_depth_rounds_state_is_counted_as_it_is_written(spark) -> None:
    """The placed and waiting counts come from the write itself (an Observation), and what
    comes back is the state written: a wrong count ends the depth rounds early or late."""
    rows = [(1, 0), (2, 0), (3, 1), (4, 2), (5, 0)]
    state = spark.createDataFrame(rows, "id long, waiting int")
    written, placed, waiting = counted_state(state)
    assert (placed, waiting) == (3, 2)
    assert sorted(map(tuple, written.collect())) == rows
    assert counted_state(state.where("id < 0"))[1:] == (0, 0)


def test_isolated_rows_are_what_the_grouping_of_all_nodes_gives(spark) -> None:
    """Isolated models skip the graph joins and the family grouping; their rows must be
    the ones `family_table` computes from their nodes: self-loop only, missing parent only,
    licenses repeated, unsorted or absent, no creation date, and a linked family beside."""
    declared = {
        "alone": [],
        "loop-only": [("loop-only", FT)],
        "orphan": [("gone/parent", Q)],
        "licensed": [],
        "unlicensed": [],
        "p": [],
        "c": [("p", AD)],
    }
    models = models_frame(spark, declared)
    models = models.withColumn(
        "licenses",
        F.when(F.col("model_id") == "licensed", F.array(*map(F.lit, ["mit", "apache-2.0", "mit"])))
        .when(F.col("model_id") == "unlicensed", F.lit(None))
        .otherwise(F.col("licenses")),
    ).withColumn("created_at", F.when(F.col("model_id") != "alone", F.col("created_at")))
    edges, self_loops = build_edges(models)
    nodes, families, _ = lineage_tables(models, edges, self_loops, LineageConfig())
    no_edges = spark.createDataFrame(
        [], "view string, family_id string, " + ", ".join(f"edges_{r} long" for r in RELATIONS)
    )
    traits = models.select("model_id", "licenses", "created_at")
    grouped = family_table(nodes.join(traits, "model_id", "left"), no_edges).where(
        F.col("size") == 1
    )
    fast = families.where(F.col("size") == 1)
    assert fast.schema == grouped.schema
    assert sorted(fast.collect()) == sorted(grouped.collect())
    assert fast.count() == 5 * len(VIEWS) + 2  # and c, p apart in finetune_only (an adapter)
    flags = {
        (r["view"], r["model_id"]): (r["in_cycle"], r["parent_missing"], r["root_ids"])
        for r in nodes.collect()
    }
    assert flags[("all", "loop-only")] == (True, False, ["loop-only"])
    assert flags[("all", "orphan")] == (False, True, ["orphan"])
    assert flags[("finetune_only", "orphan")] == (False, False, ["orphan"])
    rows = {(r["view"], r["family_id"]): r for r in families.collect()}
    assert rows[("all", "licensed")]["root_licenses"] == ["apache-2.0", "mit"]
    assert rows[("all", "unlicensed")]["root_licenses"] == []
    assert rows[("all", "loop-only")]["n_in_cycle"] == 1
    assert rows[("all", "alone")]["first_created"] is None


def test_only_childless_vertices_with_one_parent_leave_the_graphframes_core(spark) -> None:
    """GraphFrames runs on the core; a leaf takes its family and depths from its parent. A
    vertex with two parents (a merge) can join two families, and one with children has
    descendants to place, so both stay in the core, whatever their links' order."""
    links = spark.createDataFrame(
        [(1, 2), (2, 3), (1, 4), (5, 6), (7, 6), (2, 8), (9, 9)], "src long, dst long"
    )
    graph = peel_leaves(links)
    assert sorted(r["id"] for r in graph.core.collect()) == [1, 2, 5, 6, 7, 9]
    assert sorted(map(tuple, graph.leaf_links.collect())) == [(1, 4), (2, 3), (2, 8)]
    assert sorted(map(tuple, graph.core_links.collect())) == [(1, 2), (5, 6), (7, 6), (9, 9)]
    degrees = {r["id"]: (r["n_parents"], r["n_children"]) for r in graph.degrees.collect()}
    assert degrees == {
        1: (0, 2),
        2: (1, 2),
        3: (1, 0),
        4: (1, 0),
        5: (0, 1),
        6: (2, 0),
        7: (0, 1),
        8: (1, 0),
        9: (1, 1),
    }


# --- networkx oracle -------------------------------------------------------------------


def oracle(declared: dict[str, list[tuple[str, str]]]) -> dict[str, tuple]:
    """The module docstring's rules, computed with networkx on the `all` view."""
    graph = nx.DiGraph()
    graph.add_nodes_from(declared)
    for child, parents in declared.items():
        for parent, _ in parents:
            if parent in declared and parent != child:
                graph.add_edge(parent, child)
    scc = {n: i for i, comp in enumerate(nx.strongly_connected_components(graph)) for n in comp}
    cyclic = {n for comp in nx.strongly_connected_components(graph) if len(comp) > 1 for n in comp}
    self_loops = {c for c, ps in declared.items() for p, _ in ps if p == c}
    dag = nx.DiGraph()
    dag.add_nodes_from(graph)
    dag.add_edges_from((a, b) for a, b in graph.edges if scc[a] != scc[b])
    order = list(nx.topological_sort(dag))
    dmin: dict[str, int] = {}
    dmax: dict[str, int] = {}
    roots: dict[str, set[str]] = {}
    for node in order:
        parents = list(dag.predecessors(node))
        if not parents:
            dmin[node], dmax[node], roots[node] = 0, 0, {node}
        else:
            dmin[node] = min(dmin[p] for p in parents) + 1
            dmax[node] = max(dmax[p] for p in parents) + 1
            roots[node] = set().union(*(roots[p] for p in parents))
    family = {n: min(comp) for comp in nx.weakly_connected_components(graph) for n in comp}
    return {
        n: (family[n], sorted(roots[n]), dmin[n], dmax[n], n in cyclic or n in self_loops)
        for n in graph
    }


def random_declarations(seed: int, n: int, cycles: int) -> dict[str, list[tuple[str, str]]]:
    """A forest with merges (each model names 0-3 older models), plus a few back edges."""
    rng = random.Random(seed)
    ids = [f"org{rng.randrange(5)}/model-{i:03d}" for i in range(n)]
    declared: dict[str, list[tuple[str, str]]] = {}
    for i, model in enumerate(ids):
        k = 0 if i == 0 else rng.choices([0, 1, 2, 3], [25, 60, 10, 5])[0]
        parents = rng.sample(ids[:i], min(k, i))
        relation = MG if len(parents) > 1 else rng.choice([FT, AD, Q])
        declared[model] = [(p, relation) for p in parents]
    for _ in range(cycles):
        a, b = sorted(rng.sample(range(n), 2))
        declared[ids[a]] = [*declared[ids[a]], (ids[b], FT)]  # older names a younger: a cycle
    if cycles:
        declared[ids[-1]] = [*declared[ids[-1]], (ids[-1], FT)]
        declared[ids[-2]] = [*declared[ids[-2]], ("missing/parent", FT)]
    return declared


def test_matches_networkx_on_random_graphs(spark) -> None:
    """Four random graphs (two forests with merges, two with cycles) in one snapshot."""
    declared: dict[str, list[tuple[str, str]]] = {}
    for seed, cycles in [(1, 0), (2, 0), (3, 3), (4, 6)]:
        part = random_declarations(seed, n=120, cycles=cycles)
        prefix = f"g{seed}-"
        declared |= {
            prefix + model: [(p if p.startswith("missing/") else prefix + p, r) for p, r in parents]
            for model, parents in part.items()
        }
    views, _, _ = lineage(spark, declared)
    got = {m: (v[0], v[1], v[2], v[3], v[6]) for m, v in views["all"].items()}
    assert got == oracle(declared)
    assert sum(v[4] for v in got.values()) > 0  # cycles were present


def test_matches_networkx_with_randomized_contraction(spark) -> None:
    declared = random_declarations(6, n=200, cycles=3)
    config = LineageConfig(components_algorithm="randomized_contraction")
    views, _, _ = lineage(spark, declared, config)
    got = {m: (v[0], v[1], v[2], v[3], v[6]) for m, v in views["all"].items()}
    assert got == oracle(declared)


def test_matches_networkx_with_adaptive_execution_off(spark) -> None:
    """A cluster may run with AQE off. GraphFrames' randomized contraction then fails on a
    table it overwrites while reading it, unless lineage turns AQE on around it; the
    session's own setting is back once lineage is done."""
    declared = random_declarations(5, n=200, cycles=3)
    before = spark.conf.get("spark.sql.adaptive.enabled")
    spark.conf.set("spark.sql.adaptive.enabled", "false")
    try:
        views, _, _ = lineage(
            spark, declared, LineageConfig(components_algorithm="randomized_contraction")
        )
        after = spark.conf.get("spark.sql.adaptive.enabled")
    finally:
        spark.conf.set("spark.sql.adaptive.enabled", before)
    got = {m: (v[0], v[1], v[2], v[3], v[6]) for m, v in views["all"].items()}
    assert got == oracle(declared)
    assert after == "false"
