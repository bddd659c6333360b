"""Stage 2: family trees. Edges, then per graph view the families and each model's depth.

    python -m jobs.lineage --output DIR --snapshot 2026-11-01

Reads top to bottom as: declared parents -> edges (self-loops dropped and kept in their
own table, parents missing from the snapshot kept with `parent_known = false`) -> per
view: graph on precomputed long ids -> leaves (one parent, no children) set apart ->
components (GraphFrames connectedComponents) and depth (GraphFrames aggregateMessages, one
generation per round) of the rest, each leaf its parent's -> nodes -> families.

Rules (DESIGN.md "Definitions"), over the models in the snapshot:
  * A family is a weakly connected component of the view; its id is its smallest model id.
  * A root has no parent in the view. A parent missing from the snapshot does not count:
    the child is a root with `parent_missing = true`.
  * `depth_min` / `depth_max`: shortest / longest number of generations from a root.
  * Declared cycles (A says B is its parent and B says A) are strongly connected
    components of two or more models, plus self-loops; their models get `in_cycle`.
    Edges inside a cycle are not generations: a model in a cycle takes its depth from
    its parents outside the cycle, and is a root (depth 0) when it has none. Models
    below a cycle get ordinary depths. So every depth is finite and the same on reruns.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import NamedTuple

from pyspark.sql import Column, DataFrame, Observation, SparkSession, Window
from pyspark.sql import functions as F

from jobs import schemas
from jobs.cli import StageArgs, stage_main
from jobs.config import LineageConfig
from jobs.inference import INFERRED, evaluation, id_key, inferred_edges, view_edges
from jobs.spark_session import fit_shuffle_partitions, require_graphframes
from jobs.tables import frozen, read_table, snapshot_checkpoints, write_snapshot

log = logging.getLogger("pedigree.lineage")

DECLARED_VIEWS = ("all", "no_merges", "finetune_only")
PLUS_INFERRED = "all_plus_inferred"  # declared edges and the confident inferred ones
VIEWS = (*DECLARED_VIEWS, PLUS_INFERRED)
RELATIONS = ("finetune", "adapter", "quantized", "merge", "unknown")


def declared_edges(models: DataFrame) -> DataFrame:
    """One row per (child, declared parent), self-loops included, straight from `models`."""
    return models.select(
        F.col("model_id").alias("child_id"), F.explode("base_models").alias("parent")
    ).select(
        "child_id",
        F.col("parent.parent_id").alias("parent_id"),
        F.col("parent.relation").alias("relation"),
        F.col("parent.source").alias("source"),
        F.col("parent.other_relations").alias("other_relations"),
    )


def build_edges(models: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(edges, self_loops): every child -> parent edge, and the dropped self-references.

    The relation is the one `udfs.parents` chose by its precedence (several parents and
    nothing declared -> merge, one parent and nothing declared -> unknown); the others
    stay in `other_relations`. A parent is the snapshot's model of its id in any letter
    case, with or without `.git` (`inference.id_key`; the exact spelling first when the
    snapshot holds two), and is written as the snapshot spells it: cards often write the
    base model in lower case. A parent id absent from the snapshot keeps its edge with
    `parent_known = false`, so orphans stay visible.
    """
    declared = declared_edges(models)
    ids = models.select(id_key(F.col("model_id")).alias("_key"), F.col("model_id").alias("_known"))
    exact_first = Window.partitionBy("child_id", "parent_id").orderBy(
        (F.col("_known") != F.col("parent_id")).cast("int").asc_nulls_last(), "_known"
    )
    resolved = (
        declared.withColumn("_key", id_key(F.col("parent_id")))
        .join(ids, on="_key", how="left")
        .withColumn("_rank", F.row_number().over(exact_first))
        .where("_rank = 1")
        .select(
            "child_id",
            F.coalesce("_known", "parent_id").alias("parent_id"),
            "relation",
            "source",
            "other_relations",
            F.col("_known").isNotNull().alias("parent_known"),
        )
    )
    self_loops = resolved.where(F.col("child_id") == F.col("parent_id"))
    edges = resolved.where(F.col("child_id") != F.col("parent_id"))
    return edges.select(*schemas.EDGES.fieldNames()), self_loops.select("child_id", "relation")


def relation_in_view(relation: str, view: str) -> bool:
    """Whether an edge of `relation` belongs to graph `view`: `all`, `no_merges` (the
    paper's families), `finetune_only` or `all_plus_inferred`."""
    if view not in VIEWS:
        raise ValueError(f"unknown graph view '{view}'; choose one of {', '.join(VIEWS)}")
    if view in ("all", PLUS_INFERRED):
        return True
    return relation != "merge" if view == "no_merges" else relation == "finetune"


def edges_in_view(edges: DataFrame, view: str) -> DataFrame:
    """The edges of one graph view (see `relation_in_view`). Edges with an `inferred`
    column (`jobs.inference.view_edges`) keep inferred ones for `all_plus_inferred` only;
    edges without one are all declared."""
    if view == PLUS_INFERRED:
        return edges
    declared = edges.where(~F.col(INFERRED)) if INFERRED in edges.columns else edges
    if view == "all":
        return declared
    kept = [r for r in RELATIONS if relation_in_view(r, view)]
    return declared.where(F.col("relation").isin(kept))


def vertex_ids(models: DataFrame, carried: Sequence[str] = ()) -> DataFrame:
    """`model_id, id, *carried`: a long per model, increasing in model-id order.

    GraphFrames gets longs, never strings (string ids go through an indexing step that
    AQE can break: graphframes issues 428 and 453). The ids follow the model-id order (a
    sort, then `monotonically_increasing_id`: partition index in the high bits, row in
    the low 33), so a component's smallest long is its smallest model id. `carried`
    columns ride along the sort, which shuffles every model anyway.
    """
    return (
        models.select("model_id", *carried)
        .orderBy("model_id")
        .select("model_id", F.monotonically_increasing_id().alias("id"), *carried)
    )


# What a model's family row needs of it, carried by its vertex from the graph's ids to its
# node: no join with `models` at the end of the stage.
FAMILY_TRAITS = ("licenses", "created_at")

# A vertex is (view index << 48) | model id: one graph, every view a disjoint copy of it.
# Model ids stay below 2**48 while the sort has under 2**15 partitions.
VIEW_SHIFT = 48
MODEL_BITS = (1 << VIEW_SHIFT) - 1


def view_index(spark: SparkSession) -> DataFrame:
    """`view, view_no`: the graph views and the high bits their vertices carry."""
    return spark.createDataFrame(list(enumerate(VIEWS)), "view_no int, view string").select(
        "view", "view_no"
    )


def vertex(view_no: str, number: str) -> Column:
    return F.shiftleft(F.col(view_no).cast("long"), VIEW_SHIFT) + F.col(number)


def in_view(views: str, view_no: str) -> Column:
    """Whether bit `view_no` of the bit set `views` is on."""
    return F.expr(f"shiftright({views}, {view_no}) & 1 = 1")


def graph_edges(edges: DataFrame, ids: DataFrame) -> DataFrame:
    """`src` (parent), `dst` (child), view, relation: each view's edges between snapshot
    models, in that view's copy of the graph."""
    parent = ids.select(F.col("model_id").alias("parent_id"), F.col("id").alias("parent_no"))
    child = ids.select(F.col("model_id").alias("child_id"), F.col("id").alias("child_no"))
    return (
        edges_by_view(edges.where("parent_known"))
        .join(F.broadcast(view_index(ids.sparkSession)), on="view", how="inner")
        .join(parent, on="parent_id", how="inner")
        .join(child, on="child_id", how="inner")
        .select(
            vertex("view_no", "parent_no").alias("src"),
            vertex("view_no", "child_no").alias("dst"),
            "view",
            "relation",
        )
    )


def edges_by_view(edges: DataFrame, views: Sequence[str] = VIEWS) -> DataFrame:
    """Every edge once per view it belongs to, with a `view` column: one pass over the
    edges serves every view."""
    frames = [edges_in_view(edges, view).withColumn("view", F.lit(view)) for view in views]
    every = frames[0]
    for frame in frames[1:]:
        every = every.unionByName(frame)
    return every


class PeeledGraph(NamedTuple):
    """The linked vertices with their leaves set apart. A leaf has one parent and no
    children: the fine-tunes and quantizations nobody builds on (80 % of the linked
    vertices of the generated 200k sample). Its family is its parent's and its depths are
    its parent's plus one, known by one join, so GraphFrames runs on the `core` only."""

    degrees: DataFrame  # id, n_parents, n_children: every linked vertex
    core: DataFrame  # id, n_parents: the linked vertices that are not leaves
    core_links: DataFrame  # src, dst: the links between them
    leaf_links: DataFrame  # src, dst: each leaf's one link, from its parent


def peel_leaves(links: DataFrame) -> PeeledGraph:
    """Each linked vertex's link counts, and the links split at the leaves."""
    ends = links.select(
        F.explode(
            F.array(
                F.struct(F.col("dst").alias("id"), F.lit(1).alias("up"), F.lit(0).alias("down")),
                F.struct(F.col("src").alias("id"), F.lit(0).alias("up"), F.lit(1).alias("down")),
            )
        ).alias("end")
    ).select("end.*")
    degrees = frozen(
        ends.groupBy("id").agg(
            F.sum("up").cast("int").alias("n_parents"),
            F.sum("down").cast("int").alias("n_children"),
        )
    )
    is_leaf = (F.col("n_parents") == 1) & (F.col("n_children") == 0)
    leaves = degrees.where(is_leaf).select(F.col("id").alias("dst"), F.lit(True).alias("leaf"))
    marked = frozen(
        links.select("src", "dst")
        .join(leaves, on="dst", how="left")
        .select("src", "dst", F.coalesce("leaf", F.lit(False)).alias("leaf"))
    )
    return PeeledGraph(
        degrees,
        degrees.where(~is_leaf).select("id", "n_parents"),
        marked.where(~F.col("leaf")).select("src", "dst"),
        marked.where(F.col("leaf")).select("src", "dst"),
    )


ADAPTIVE = "spark.sql.adaptive.enabled"


@contextmanager
def adaptive_execution(spark: SparkSession) -> Iterator[None]:
    """Adaptive query execution on while the block runs, whatever the session says; the
    session's own value comes back after."""
    before = spark.conf.get(ADAPTIVE)
    if before is None or before.lower() == "true":
        yield
        return
    log.info("%s=true for GraphFrames' randomized contraction", ADAPTIVE)
    spark.conf.set(ADAPTIVE, "true")
    try:
        yield
    finally:
        spark.conf.set(ADAPTIVE, before)


def connected_components(vertices: DataFrame, links: DataFrame, config: LineageConfig) -> DataFrame:
    """`id, component`: GraphFrames connectedComponents with the configured algorithm.

    GraphFrames 0.11.0's randomized contraction, on its way back, reads each table of
    representatives and overwrites it in one job. With AQE off, as some clusters run,
    that job fails on a `ccreps-N` file the overwrite has just deleted; with AQE on it
    passes (every run so far, 20k to 2M models). So it runs with AQE on.

    GraphX's label propagation takes one round per link between a family's smallest id
    and its farthest member, and graphframes-py 0.11.0 stops it after 31 rounds unless
    told otherwise (its default `2 ^ 31 - 2` is an XOR; graphframes PR #902). It gets
    `graphx_max_iter` rounds; if a link still joins two labels then, the components are
    not finished and randomized contraction computes them instead. Both callers' link
    ends are all among `vertices` (GraphX would add missing ends and drop them again).
    GraphFrames persists and counts its result before it returns: the whole algorithm
    runs inside the block."""
    from graphframes import GraphFrame

    graph = GraphFrame(vertices, links)
    if config.components_algorithm == "graphx":
        found = graph.connectedComponents(algorithm="graphx", max_iter=config.graphx_max_iter)
        if not links_across(found, links):
            return found
        log.info(
            "components: GraphX unfinished after %d rounds (lineage.graphx_max_iter); "
            "randomized contraction instead",
            config.graphx_max_iter,
        )
        found.unpersist()
        algorithm = "randomized_contraction"
    else:
        algorithm = config.components_algorithm
    contraction = algorithm == "randomized_contraction"
    with adaptive_execution(vertices.sparkSession) if contraction else nullcontext():
        return graph.connectedComponents(
            algorithm=algorithm, broadcastThreshold=config.components_broadcast_threshold
        )


def links_across(found: DataFrame, links: DataFrame) -> bool:
    """Whether any link joins two different components of `found` (`id, component`): then
    the labels are not yet components. Labels never cross a component, so with none
    across, each component has one label."""
    label = found.select("id", "component")
    ends = links.join(label.withColumnsRenamed({"id": "src", "component": "src_c"}), "src").join(
        label.withColumnsRenamed({"id": "dst", "component": "dst_c"}), "dst"
    )
    return not ends.where(F.col("src_c") != F.col("dst_c")).isEmpty()


def components(graph: PeeledGraph, config: LineageConfig) -> DataFrame:
    """`id, family` (the family's smallest vertex): GraphFrames connectedComponents on the
    core, each leaf in its parent's component."""
    found = frozen(
        connected_components(graph.core.select("id"), graph.core_links, config).select(
            "id", "component"
        )
    )
    leaves = graph.leaf_links.join(
        found.withColumnRenamed("id", "src"), on="src", how="inner"
    ).select(F.col("dst").alias("id"), "component")
    every = found.unionByName(leaves)
    smallest = every.groupBy("component").agg(F.min("id").alias("family"))
    return every.join(smallest, on="component", how="inner").select("id", "family")


def cycle_members(pending: DataFrame, links: DataFrame, max_iter: int) -> DataFrame:
    """`id, scc`: vertices in a strongly connected component of two or more.

    Only the vertices the depth rounds could not order (in or below a cycle) are searched,
    so GraphFrames' stronglyConnectedComponents runs on a handful of them.
    """
    from graphframes import GraphFrame

    nodes = pending.select("id")
    inner = links.join(nodes.withColumnRenamed("id", "src"), on="src", how="left_semi").join(
        nodes.withColumnRenamed("id", "dst"), on="dst", how="left_semi"
    )
    scc = GraphFrame(nodes, inner.select("src", "dst")).stronglyConnectedComponents(
        maxIter=max_iter
    )
    sizes = scc.groupBy("component").agg(F.count(F.lit(1)).alias("size"))
    return (
        scc.join(sizes, on="component", how="inner")
        .where(F.col("size") > 1)
        .select("id", F.col("component").alias("scc"))
    )


@dataclass
class DepthResult:
    """Per vertex `id, depth_min, depth_max, roots` (array of vertices); what it took."""

    depths: DataFrame
    rounds: int
    unresolved: int
    cycle_ids: DataFrame


EMPTY_ROOTS = "array<long>"


def _placed(pending: DataFrame) -> DataFrame:
    """Pending vertices whose parents are all placed, as placed rows (root if none sent)."""
    return pending.where("waiting = 0").select(
        "id",
        F.coalesce("seen_min", F.lit(0)).alias("depth_min"),
        F.coalesce("seen_max", F.lit(0)).alias("depth_max"),
        F.when(F.size("seen_roots") > 0, F.col("seen_roots"))
        .otherwise(F.array("id"))
        .alias("roots"),
    )


def _receive(
    pending: DataFrame, frontier: DataFrame, links: DataFrame
) -> tuple[DataFrame, DataFrame]:
    """One generation: the frontier sends depth + 1 and its roots to its children.

    Returns the updated pending vertices and the messages, which GraphFrames 0.11.0's
    aggregateMessages leaves persisted: the caller unpersists them once the round is
    written, or every round's messages would stay cached to the end of the stage."""
    from graphframes import GraphFrame
    from graphframes.lib import AggregateMessages as AM

    empty = F.array().cast(EMPTY_ROOTS)
    sending = links.join(frontier.select(F.col("id").alias("src")), "src", "left_semi")
    vertices = frontier.select("id", "depth_min", "depth_max", "roots").unionByName(
        pending.select(
            "id",
            F.lit(None).cast("int").alias("depth_min"),
            F.lit(None).cast("int").alias("depth_max"),
            empty.alias("roots"),
        )
    )
    # One struct of aggregates: graphframes-py 0.11.0 passes the first of several aggCols
    # to the JVM twice (an ambiguous column); a single one works.
    messages = GraphFrame(vertices, sending).aggregateMessages(
        [
            F.struct(
                F.min(AM.msg["depth_min"]).alias("m_min"),
                F.max(AM.msg["depth_max"]).alias("m_max"),
                F.array_distinct(F.flatten(F.collect_list(AM.msg["roots"]))).alias("m_roots"),
                F.count(F.lit(1)).alias("m_count"),
            ).alias("m")
        ],
        sendToDst=[
            (AM.src["depth_min"] + 1).alias("depth_min"),
            (AM.src["depth_max"] + 1).alias("depth_max"),
            AM.src["roots"].alias("roots"),
        ],
    )
    received = messages.select("id", "m.*")
    updated = pending.join(received, on="id", how="left").select(
        "id",
        (F.col("waiting") - F.coalesce("m_count", F.lit(0))).alias("waiting"),
        F.least("seen_min", "m_min").alias("seen_min"),
        F.greatest("seen_max", "m_max").alias("seen_max"),
        F.array_union("seen_roots", F.coalesce("m_roots", empty)).alias("seen_roots"),
    )
    return updated, messages


def _drop_cycle_edges(
    pending: DataFrame, links: DataFrame, cycles: DataFrame
) -> tuple[DataFrame, DataFrame]:
    """(pending, links) without the edges inside a cycle: they are not generations."""
    inside = (
        links.join(cycles.withColumnRenamed("id", "src"), on="src", how="inner")
        .join(cycles.select(F.col("id").alias("dst"), F.col("scc").alias("dst_scc")), "dst")
        .where(F.col("scc") == F.col("dst_scc"))
        .select("src", "dst")
    )
    dropped = inside.groupBy(F.col("dst").alias("id")).agg(F.count(F.lit(1)).alias("n"))
    pending = pending.join(dropped, on="id", how="left").select(
        "id",
        (F.col("waiting") - F.coalesce("n", F.lit(0))).alias("waiting"),
        "seen_min",
        "seen_max",
        "seen_roots",
    )
    return pending, links.join(inside, on=["src", "dst"], how="left_anti")


def depths(graph: PeeledGraph, config: LineageConfig) -> DepthResult:
    """Shortest and longest generation count from the roots, and the roots above each
    vertex: the core's by `core_depths`, a leaf's its parent's plus one generation (null
    when its parent's is). `rounds` are the core's."""
    core = core_depths(graph.core, graph.core_links, config)
    below = graph.leaf_links.join(
        core.depths.withColumnRenamed("id", "src"), on="src", how="inner"
    ).select(
        F.col("dst").alias("id"),
        (F.col("depth_min") + 1).alias("depth_min"),
        (F.col("depth_max") + 1).alias("depth_max"),
        "roots",
    )
    unresolved = core.unresolved
    if unresolved:
        unresolved += below.where(F.col("depth_min").isNull()).count()
    return DepthResult(core.depths.unionByName(below), core.rounds, unresolved, core.cycle_ids)


def core_depths(vertices: DataFrame, links: DataFrame, config: LineageConfig) -> DepthResult:
    """Shortest and longest generation count from the roots, and the roots above each vertex
    (`vertices`: id, n_parents, every parent among them).

    Kahn's order, one generation per round: a vertex is placed once all its parents are,
    taking min/max of their depths + 1 and the union of their roots (messages sent with
    GraphFrames aggregateMessages from the vertices placed in the round before). When the
    rounds stall with vertices left, those are in or below a cycle: the cycles are found
    (`cycle_members`), the edges inside them dropped, and the rounds go on. After
    `max_depth_rounds` the rest stays unplaced (null depth) and is reported.
    """
    spark = vertices.sparkSession
    state, n_frontier, n_pending = counted_state(
        vertices.select(
            "id",
            F.col("n_parents").alias("waiting"),
            F.lit(None).cast("int").alias("seen_min"),
            F.lit(None).cast("int").alias("seen_max"),
            F.array().cast(EMPTY_ROOTS).alias("seen_roots"),
        )
    )
    live_links = links.select("src", "dst")
    cycle_ids = spark.createDataFrame([], "id long, scc long")
    placed = [_placed(state)]
    pending = state.where("waiting > 0")
    searched_cycles = False
    rounds = 0
    while n_pending and rounds < config.max_depth_rounds:
        if n_frontier:
            rounds += 1
            updated, messages = _receive(pending, placed[-1], live_links)
            state, n_frontier, n_pending = counted_state(updated)
            messages.unpersist()
        elif not searched_cycles:
            searched_cycles = True
            cycle_ids = frozen(cycle_members(pending, live_links, config.scc_max_iter))
            updated, live_links = _drop_cycle_edges(pending, live_links, cycle_ids)
            state, n_frontier, n_pending = counted_state(updated)
        else:
            break
        placed.append(_placed(state))
        pending = state.where("waiting > 0")
        log.debug("depth round %d: %d placed, %d waiting", rounds, n_frontier, n_pending)
    if n_pending:
        log.warning(
            "depth: %d vertices not placed after %d rounds (lineage.max_depth_rounds); "
            "their depth is null",
            n_pending,
            rounds,
        )
    unplaced = pending.select(
        "id",
        F.lit(None).cast("int").alias("depth_min"),
        F.lit(None).cast("int").alias("depth_max"),
        F.lit(None).cast(EMPTY_ROOTS).alias("roots"),
    )
    every = unplaced
    for frame in placed:
        every = every.unionByName(frame)
    return DepthResult(every, rounds, n_pending, cycle_ids)


def counted_state(state: DataFrame) -> tuple[DataFrame, int, int]:
    """(`state` written once (`frozen`), vertices it places, vertices still waiting): both
    counts taken by an Observation as the write goes, not by a job over what it wrote,
    which cost one more query per depth round."""
    sizes = Observation()
    written = frozen(
        state.observe(
            sizes,
            F.count(F.when(F.col("waiting") == 0, True)).alias("ready"),
            F.count(F.when(F.col("waiting") > 0, True)).alias("waiting"),
        )
    )
    counts = sizes.get
    return written, int(counts["ready"]), int(counts["waiting"])


def model_id_lists(frame: DataFrame, column: str, names: DataFrame) -> DataFrame:
    """`id, <column>` with an array of vertices turned into the sorted model ids they name."""
    lookup = names.select(F.col("id").alias("member"), F.col("model_id").alias("name"))
    exploded = frame.select("id", F.explode(column).alias("member"))
    return (
        exploded.join(lookup, on="member", how="inner")
        .groupBy("id")
        .agg(F.sort_array(F.collect_list("name")).alias(column))
    )


def view_flags(edges: DataFrame, self_loops: DataFrame) -> DataFrame:
    """`view, model_id, parent_missing, self_loop` for the few models that name a parent
    outside the snapshot or themselves in a view: one small table, one join per path."""
    missing = edges_by_view(edges.where(~F.col("parent_known"))).select(
        "view",
        F.col("child_id").alias("model_id"),
        F.lit(True).alias("parent_missing"),
        F.lit(False).alias("self_loop"),
    )
    looped = edges_by_view(self_loops).select(
        "view",
        F.col("child_id").alias("model_id"),
        F.lit(False).alias("parent_missing"),
        F.lit(True).alias("self_loop"),
    )
    return (
        missing.unionByName(looped)
        .groupBy("view", "model_id")
        .agg(F.max("parent_missing").alias("parent_missing"), F.max("self_loop").alias("self_loop"))
    )


def linked_nodes(
    linked: DataFrame,
    degrees: DataFrame,
    families: DataFrame,
    placed: DepthResult,
    flags: DataFrame,
) -> DataFrame:
    """One row per vertex on an edge of its view (schemas.NODES, plus the model's
    `licenses` and `created_at` for its family row): family, depths, roots and counts
    from the graph algorithms."""
    in_cycle = placed.cycle_ids.select("id").distinct().withColumn("cycle", F.lit(True))
    family_names = linked.select(F.col("id").alias("family"), F.col("model_id").alias("family_id"))
    roots = model_id_lists(placed.depths, "roots", linked)
    return (
        linked.join(families, on="id", how="inner")
        .join(family_names, on="family", how="inner")
        .join(placed.depths.drop("roots"), on="id", how="left")
        .join(roots, on="id", how="left")
        .join(degrees, on="id", how="left")
        .join(in_cycle, on="id", how="left")
        .join(flags, on=["view", "model_id"], how="left")
        .select(
            "model_id",
            "view",
            "family_id",
            F.col("roots").alias("root_ids"),
            "depth_min",
            "depth_max",
            F.coalesce("n_parents", F.lit(0)).cast("int").alias("n_parents"),
            F.coalesce("n_children", F.lit(0)).cast("int").alias("n_children"),
            (F.coalesce("cycle", F.lit(False)) | F.coalesce("self_loop", F.lit(False))).alias(
                "in_cycle"
            ),
            F.coalesce("parent_missing", F.lit(False)).alias("parent_missing"),
            *FAMILY_TRAITS,
        )
    )


def isolated_nodes(isolated: DataFrame, flags: DataFrame) -> DataFrame:
    """One row per vertex on no edge of its view (schemas.NODES, plus the model's
    `licenses` and `created_at` for its family row): its own family and root at depth 0,
    without parents or children; only the flags need a join."""
    return isolated.join(flags, on=["view", "model_id"], how="left").select(
        "model_id",
        "view",
        F.col("model_id").alias("family_id"),
        F.array("model_id").alias("root_ids"),
        F.lit(0).alias("depth_min"),
        F.lit(0).alias("depth_max"),
        F.lit(0).alias("n_parents"),
        F.lit(0).alias("n_children"),
        F.coalesce("self_loop", F.lit(False)).alias("in_cycle"),
        F.coalesce("parent_missing", F.lit(False)).alias("parent_missing"),
        *FAMILY_TRAITS,
    )


def family_table(view_nodes: DataFrame, edge_counts: DataFrame) -> DataFrame:
    """One row per family of linked models and view (schemas.FAMILIES), from their nodes
    (with each model's `licenses` and `created_at`) and the graph edges. The nodes carry
    those two from the graph's vertices: a join with `models` here shuffled every model
    once more at the end of the stage.

    A family's roots are its models at depth 0 (no parent in the view, or in a cycle
    with no parent outside it).
    """
    is_root = F.col("depth_min") == 0
    by_family = view_nodes.groupBy("view", "family_id").agg(
        F.sort_array(F.collect_list(F.when(is_root, F.col("model_id")))).alias("root_ids"),
        F.count(F.lit(1)).alias("size"),
        # null, not the deepest placed member, when a member's depth is unknown (a family
        # deeper than lineage.max_depth_rounds): a partial maximum reads as the real one
        F.when(F.count_if(F.col("depth_max").isNull()) == 0, F.max("depth_max")).alias("max_depth"),
        F.count(F.when(F.col("n_children") == 0, True)).alias("n_leaves"),
        F.count(F.when(F.col("in_cycle"), True)).alias("n_in_cycle"),
        F.sort_array(
            F.array_distinct(
                # array_compact: the nodes' Parquet round trip forgets that no license is null
                F.flatten(F.collect_list(F.when(is_root, F.array_compact("licenses"))))
            )
        ).alias("root_licenses"),
        F.min("created_at").alias("first_created"),
        F.max("created_at").alias("last_created"),
    )
    return (
        by_family.join(edge_counts, on=["view", "family_id"], how="left")
        .fillna(0, [f"edges_{relation}" for relation in RELATIONS])
        .select(*schemas.FAMILIES.fieldNames())
    )


def single_model_families(isolated: DataFrame) -> DataFrame:
    """The family of one isolated model per row (schemas.FAMILIES): what `family_table`'s
    grouping gives a family of one root without edges, with no grouping and no join (the
    isolated nodes carry their model's licenses and creation date)."""
    no_licenses = F.array().cast(schemas.STRINGS)
    return isolated.select(
        F.col("family_id"),
        "view",
        F.array_compact("root_ids").alias("root_ids"),  # as collect_list's: no null element
        F.lit(1).cast("long").alias("size"),
        F.lit(0).alias("max_depth"),
        F.lit(1).cast("long").alias("n_leaves"),
        F.col("in_cycle").cast("long").alias("n_in_cycle"),
        *[F.lit(0).cast("long").alias(f"edges_{relation}") for relation in RELATIONS],
        # array_compact: a Parquet round trip (`frozen`) forgets that no license is null
        F.sort_array(F.array_distinct(F.array_compact(F.coalesce("licenses", no_licenses)))).alias(
            "root_licenses"
        ),
        F.col("created_at").alias("first_created"),
        F.col("created_at").alias("last_created"),
    )


def family_edge_counts(links: DataFrame, families: DataFrame, linked: DataFrame) -> DataFrame:
    """`view, family_id, edges_<relation>...`: each family's edges by relation."""
    family_names = linked.select(F.col("id").alias("family"), F.col("model_id").alias("family_id"))
    return (
        links.join(families.withColumnRenamed("id", "dst"), on="dst", how="inner")
        .join(family_names, on="family", how="inner")
        .groupBy("view", "family_id")
        .agg(
            *[
                F.count(F.when(F.col("relation") == relation, True)).alias(f"edges_{relation}")
                for relation in RELATIONS
            ]
        )
    )


def linked_views(links: DataFrame) -> DataFrame:
    """`id, views`: each model on an edge of some view, with the bit set of those views
    (bit `view_no`); one row per model, so the split below never joins every vertex."""
    ends = links.select(F.explode(F.array("src", "dst")).alias("vertex"))
    return (
        ends.select(
            F.col("vertex").bitwiseAND(F.lit(MODEL_BITS)).alias("id"),
            F.expr(f"shiftleft(1, CAST(shiftright(vertex, {VIEW_SHIFT}) AS INT))").alias("bit"),
        )
        .groupBy("id")
        .agg(F.bit_or("bit").alias("views"))
    )


def split_vertices(ids: DataFrame, links: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(linked, isolated): every model once per view, as disjoint copies of one graph
    (`id` = its view's vertex), split into the vertices on an edge of their view and the
    rest. Both keep the model's `licenses` and `created_at`, which its family row needs.

    Most models have neither a parent nor a child in a view (about 70 % in the `all` view,
    more in the others). Each is its own family, a root at depth 0: known without a graph
    algorithm, so only the linked vertices go through GraphFrames. Each model's views on
    an edge are one bit set, joined once per model; the vertices follow from it without a
    shuffle.
    """
    known = frozen(
        ids.join(linked_views(links), on="id", how="left").withColumn(
            "views", F.coalesce("views", F.lit(0))
        )
    )
    every = known.crossJoin(F.broadcast(view_index(ids.sparkSession)))
    on_an_edge = in_view("views", "view_no")
    linked = every.where(on_an_edge).select(
        vertex("view_no", "id").alias("id"), "view", "model_id", *FAMILY_TRAITS
    )
    isolated = every.where(~on_an_edge).select("view", "model_id", *FAMILY_TRAITS)
    return frozen(linked), isolated


class LineageGraph(NamedTuple):
    """Every view's copy of the graph: its `links`, and its vertices split into `linked`
    (GraphFrames' input) and `isolated`."""

    links: DataFrame
    linked: DataFrame
    isolated: DataFrame


def lineage_graph(models: DataFrame, edges: DataFrame) -> LineageGraph:
    """The graph the lineage stage computes on, written once (ids, links, linked)."""
    ids = frozen(vertex_ids(models, carried=FAMILY_TRAITS))
    links = frozen(graph_edges(edges, ids))
    return LineageGraph(links, *split_vertices(ids, links))


def lineage_tables(
    models: DataFrame, edges: DataFrame, self_loops: DataFrame, config: LineageConfig
) -> tuple[DataFrame, DataFrame, dict[str, int]]:
    """(nodes, families, facts) over every graph view at once; facts: rounds, cycles.

    Only the linked vertices go through components, depth and the joins that read their
    results; an isolated vertex's node and family rows follow from its id and flags."""
    links, linked, isolated = lineage_graph(models, edges)
    log.debug("components: %s over every view", config.components_algorithm)
    graph = peel_leaves(links)
    families = frozen(components(graph, config))
    placed = depths(graph, config)
    flags = frozen(view_flags(edges, self_loops))
    linked_rows = frozen(linked_nodes(linked, graph.degrees, families, placed, flags))
    isolated_rows = isolated_nodes(isolated, flags)
    edge_counts = family_edge_counts(links, families, linked)
    family_frame = family_table(linked_rows, edge_counts).unionByName(
        single_model_families(isolated_rows)
    )
    node_table = linked_rows.unionByName(isolated_rows)
    facts = {"depth_rounds": placed.rounds, "depth_unresolved": placed.unresolved}
    return node_table.select(*schemas.NODES.fieldNames()), family_frame, facts


def log_top_families(families: DataFrame, n: int) -> None:
    """The largest families, in the log under --verbose (a query only then)."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    for row in (
        families.where(F.col("view") == "all").orderBy(F.desc("size"), "family_id").limit(n)
    ).collect():
        log.debug(
            "family %s: %d models, %d roots, max depth %s",
            row["family_id"],
            row["size"],
            len(row["root_ids"]),
            row["max_depth"],
        )


def run(spark: SparkSession, args: StageArgs) -> dict[str, int]:
    """Write `edges`, `self_loops`, `inferred_edges`, `inference_eval`, `nodes` and
    `families` for one snapshot from `models` (and the card `signatures`)."""
    require_graphframes(spark)
    output = str(args.output)
    models = read_table(spark, output, "models", args.snapshot)
    signatures = read_table(spark, output, "signatures", args.snapshot)
    fit_shuffle_partitions(spark, models.count(), args.config.spark)
    edges, self_loops = build_edges(models)
    inference = args.config.inference
    with snapshot_checkpoints(spark, output, args.snapshot):
        edges = frozen(edges)
        self_loops = frozen(self_loops)
        inferred = frozen(inferred_edges(models, signatures, inference))
        node_table, family_frame, facts = lineage_tables(
            models,
            view_edges(edges, inferred, inference.threshold),
            self_loops,
            args.config.lineage,
        )
        write_snapshot(
            spark,
            {
                "edges": edges,
                "self_loops": self_loops,
                "inferred_edges": inferred,
                "inference_eval": evaluation(inferred, edges, inference.threshold),
                "nodes": node_table,
                "families": family_frame,
            },
            output,
            args.snapshot,
        )
    written_edges = read_table(spark, output, "edges", args.snapshot)
    families = read_table(spark, output, "families", args.snapshot)
    log_top_families(families, args.config.lineage.top_families_logged)
    return {
        "edges": written_edges.count(),
        "parent_known": written_edges.where(F.col("parent_known")).count(),
        "self_loops": read_table(spark, output, "self_loops", args.snapshot).count(),
        "inferred": read_table(spark, output, "inferred_edges", args.snapshot)
        .where(F.col("confidence") >= inference.threshold)
        .count(),
        "nodes": read_table(spark, output, "nodes", args.snapshot).count(),
        "families": families.count(),
        **facts,
    }


def main(argv: list[str] | None = None) -> int:
    return stage_main("lineage", argv, run)


if __name__ == "__main__":
    raise SystemExit(main())
