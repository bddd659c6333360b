"""The report's sections: each reads what it shows from one snapshot's tables (pyarrow,
only the columns it needs) and draws its figures.

Reading order: small readers -> one function per section (data -> figures -> text) ->
the family pages. Every section says how to read it; numbers come straight from the
tables so that `summary.json`, the page and a query of the tables agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from jobs import figures
from jobs.cli import UserError
from jobs.config import ReportConfig
from jobs.lineage import PLUS_INFERRED, VIEWS
from jobs.report_html import Figure, Section, escape, link, table, table_or_note
from jobs.tables import TABLE_STAGES, MissingTable, id_in, read_ids, read_partition
from udfs.cards import split_front_matter

ALL = "all"
RELATIONS = ("finetune", "adapter", "quantized", "merge", "unknown")
TOP_FAMILY_ROWS = 20  # the families' table lists at least this many
PAIR_TYPES = ("siblings", "parent_child", "grandparent_grandchild", "same_family_random", "random")
MEASURES = ("card", "license", "language", "tags", "datasets", "library", "pipeline_tag")
NO_FAMILIES = "No families in this snapshot."
# Creation dates before this month are placeholders (the Unix epoch, 0001-01-01), not
# models: the first Hub models date from the 2010s.
FIRST_MONTH = "2000-01"


@dataclass
class Snapshot:
    """Where one snapshot's tables are, and where its figures go."""

    output: Path
    snapshot: str
    folder: Path  # the report folder being written
    config: ReportConfig
    # The configured inference threshold: what the report says lineage used when
    # `inference_eval` cannot tell (no model declares a parent, so nothing was scored).
    inference_threshold: float | None = None
    # The lineage view the family, drift and growth sections draw (`tree_view`).
    view: str = ALL
    # (how many were read, the largest families of `view`): see `largest_families`
    largest: tuple[int, list[dict[str, Any]]] = field(default_factory=lambda: (0, []), repr=False)

    def read(self, table: str, columns: list[str], where: Any = None) -> pa.Table:
        return read_partition(self.output, table, self.snapshot, columns, where)

    def rows(self, table: str, columns: list[str], where: Any = None) -> list[dict[str, Any]]:
        return self.read(table, columns, where).to_pylist()

    def figure(self, name: str, svg: str, caption: str) -> Figure:
        path = self.folder / "figures" / f"{name}.svg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
        return Figure(f"figures/{name}.svg", caption)


def tree_view(snap: Snapshot) -> str:
    """The view the family, drift and growth sections draw: `all`, the declared edges,
    unless no model declares a parent and inference found some (a dump from before
    `base_model` existed, such as the Feb 2022 scrape). Then `all_plus_inferred`, which
    those sections say (`view_note`): in `all` every model would be alone."""
    try:
        declared = snap.read("edges", ["child_id"]).num_rows
        inferred = snap.read(
            "families", ["size"], (pc.field("view") == PLUS_INFERRED) & (pc.field("size") > 1)
        ).num_rows
    except MissingTable:
        return ALL
    known = snap.inference_threshold is not None  # the threshold the view was built with
    return PLUS_INFERRED if known and declared == 0 and inferred > 0 else ALL


def added_by_view(threshold: float) -> pc.Expression:
    """The `inferred_edges` rows view `all_plus_inferred` adds, as `jobs.inference.view_edges`
    selects them: at or above the threshold, of children that declare no parent."""
    return (pc.field("confidence") >= threshold) & ~pc.field("child_declares")


def view_note(snap: Snapshot) -> list[str]:
    """The sentence a section drawn from `all_plus_inferred` starts with; none for `all`."""
    if snap.view == ALL:
        return []
    threshold = "" if snap.inference_threshold is None else f" ≥ {snap.inference_threshold:g}"
    return [
        "<p><strong>No model in this snapshot declares a parent</strong>: this section "
        f"draws view <code>{escape(snap.view)}</code>, the parents inferred from cards and "
        f"names at confidence{threshold} (see Undocumented lineage).</p>"
    ]


def counts_by(frame: pa.Table, keys: list[str]) -> list[dict[str, Any]]:
    """Row counts per distinct key tuple (column `n`)."""
    grouped = frame.group_by(keys).aggregate([([], "count_all")])
    return grouped.rename_columns([*keys, "n"][: grouped.num_columns]).to_pylist()


def month_range(months: Iterable[str]) -> list[str]:
    """Every month from the first to the last, gaps included. Compared as numbers: as
    text, "10000-01" sorts before "9999-12".

    >>> month_range(["2021-11", "2022-02"])
    ['2021-11', '2021-12', '2022-01', '2022-02']
    >>> month_range(["9999-12"])
    ['9999-12']
    """
    present = sorted(tuple(map(int, month.split("-"))) for month in set(months))
    if not present:
        return []
    (year, mon), last = present[0], present[-1]
    out = []
    while (year, mon) <= last:
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return out


def missing_section(anchor: str, title: str, table: str, snap: Snapshot) -> Section:
    """What a section says when a table it reads has no complete partition."""
    stage = TABLE_STAGES.get(table, "the pipeline")
    command = f"python -m jobs.{stage} --output {escape(snap.output)} --snapshot {snap.snapshot}"
    return Section(
        anchor,
        title,
        f"Not drawn: table <code>{escape(table)}</code> has no complete partition for "
        f"{snap.snapshot}. Run <code>{command}</code> (or <code>make run</code>), then the "
        "report again.",
    )


def family_size_counts(snap: Snapshot, views: Sequence[str] = ()) -> dict[str, dict[int, int]]:
    """Per view (`views` first, then any other view the table holds), {family size: how
    many families have it}, largest size first. Counted in Arrow: the Hub has millions of
    families but few distinct sizes, and a list of every family's size per view was most
    of the report's time for the sections that show them."""
    counted = counts_by(snap.read("families", ["view", "size"]), ["view", "size"])
    present = sorted({row["view"] for row in counted} - set(views))
    by_view: dict[str, dict[int, int]] = {view: {} for view in [*views, *present]}
    for row in sorted(counted, key=lambda row: row["size"], reverse=True):
        by_view[row["view"]][row["size"]] = row["n"]
    return by_view


def largest_sizes(counts: Mapping[int, int], k: int) -> list[int]:
    """The `k` largest family sizes, one per family, from `family_size_counts`' counts.

    >>> largest_sizes({40: 1, 2: 3, 1: 9}, 3)
    [40, 2, 2]
    """
    return list(islice((size for size, n in counts.items() for _ in range(n)), k))


def family_sizes(snap: Snapshot) -> Section:
    sizes = family_size_counts(snap, VIEWS)
    how = (
        "A family is a weakly connected component of a graph view. Each line gives, for a "
        "size x, the share of families with at least x models, on log-log axes: a straight, "
        "slowly falling line is a heavy tail (a few huge families, many singletons)."
    )
    if not any(sizes.values()):
        return Section("family-sizes", "Family sizes", how, [], [f"<p>{NO_FAMILIES}</p>"])
    svg = figures.ccdf(sizes, "family size (models)", "Family size, complementary CDF")
    body = table(
        ["view", "families", "singletons", "largest family"],
        [[v, sum(c.values()), c.get(1, 0), next(iter(c), 0)] for v, c in sizes.items()],
    )
    return Section(
        "family-sizes",
        "Family sizes",
        how,
        [snap.figure("family_size_ccdf", svg, "Family-size CCDF per view")],
        [body],
    )


def depths(snap: Snapshot) -> Section:
    nodes = snap.read("nodes", ["view", "depth_min"])
    counted = counts_by(nodes, ["view", "depth_min"])
    levels = sorted({r["depth_min"] for r in counted if r["depth_min"] is not None})
    how = (
        "Generations from the root: 0 is a model with no parent in the view, 1 its "
        "children, and so on (shortest path when a model has several parents). The y axis "
        "is logarithmic."
    )
    if not levels:
        return Section("depth", "Depth", how, [], ["<p>No models in this snapshot's graph.</p>"])
    by_view = {
        view: {r["depth_min"]: r["n"] for r in counted if r["view"] == view} for view in VIEWS
    }
    svg = figures.grouped_bars(
        [str(d) for d in levels],
        {view: [by_view[view].get(d, 0) for d in levels] for view in VIEWS},
        "models",
        "Models by generation (depth_min; 0 = root)",
        log=True,
    )
    return Section(
        "depth", "Depth", how, [snap.figure("depth_histogram", svg, "Depth histogram per view")]
    )


def relation_mix(snap: Snapshot) -> Section:
    counted = counts_by(
        snap.read("edges", ["relation", "parent_known"]), ["relation", "parent_known"]
    )
    how = (
        "Every declared child → parent edge by its relation (from the Hub's "
        "<code>base_model:</code> tags and the card's <code>base_model_relation</code>; "
        "several parents and nothing declared counts as merge, otherwise unknown). "
        "&quot;Parent missing&quot;: the parent is not a model of this snapshot."
    )
    if not counted:
        return Section(
            "relations", "Relation mix", how, [], ["<p>No declared edges in this snapshot.</p>"]
        )
    known = {r["relation"]: r["n"] for r in counted if r["parent_known"]}
    missing = {r["relation"]: r["n"] for r in counted if not r["parent_known"]}
    svg = figures.grouped_bars(
        list(RELATIONS),
        {
            "parent in snapshot": [known.get(r, 0) for r in RELATIONS],
            "parent missing": [missing.get(r, 0) for r in RELATIONS],
        },
        "declared edges",
        "Relation mix of declared edges",
    )
    return Section(
        "relations",
        "Relation mix",
        how,
        [snap.figure("relation_mix", svg, "Declared edges by relation")],
    )


def resemblance(snap: Snapshot) -> Section:
    rows = snap.rows(
        "similarity_summary", ["view", "pair_type", "measure", "mean", "ci_low", "ci_high"]
    )
    figs = []
    compared = {r["view"] for r in rows if r["mean"] is not None}
    for view in (view for view in VIEWS if view in compared):
        cells = {(r["pair_type"], r["measure"]): r for r in rows if r["view"] == view}
        present = [p for p in PAIR_TYPES if any(k[0] == p for k in cells)]
        series = {p: [cells.get((p, m), {}).get("mean") for m in MEASURES] for p in present}
        errors = {
            p: [
                (cells[(p, m)]["ci_low"], cells[(p, m)]["ci_high"])
                if (p, m) in cells and cells[(p, m)]["ci_low"] is not None
                else None
                for m in MEASURES
            ]
            for p in present
        }
        svg = figures.grouped_bars(
            list(MEASURES),
            series,
            "mean Jaccard similarity",
            f"Resemblance by pair type, view {view}",
            errors,
        )
        figs.append(snap.figure(f"similarity_{view}", svg, f"Similarity by pair type, view {view}"))
    if figs:
        notes = [
            f"<p>No pairs of models to compare in view {view}.</p>"
            for view in VIEWS
            if view not in compared
        ]
    else:
        notes = ["<p>No pairs of models to compare in this snapshot.</p>"]
    return Section(
        "resemblance",
        "Family resemblance",
        "Mean Jaccard similarity of two models' traits (card text by MinHash; license, "
        "language, tags, datasets, library and task as exact set Jaccard, over the pairs "
        "where both declare the trait, as the mutation rates are), by how the two are "
        "related, with bootstrap 95 % confidence intervals. Kin should resemble each "
        "other more than random pairs: siblings &gt; parent/child &gt; grandparent/grandchild "
        "&gt; random in the Anatomy paper.",
        figs,
        notes,
    )


def mutation(snap: Snapshot) -> Section:
    rows = snap.rows(
        "mutation",
        ["view", "relation", "trait", "n_edges", "mutation_rate"],
        pc.field("view") == snap.view,
    )
    traits = sorted({r["trait"] for r in rows})
    relations = [r for r in (*RELATIONS, ALL) if any(x["relation"] == r for x in rows)]
    rate = {(r["relation"], r["trait"]): r["mutation_rate"] for r in rows}
    figs = []
    if any(value is not None for value in rate.values()):
        svg = figures.grouped_bars(
            traits,
            {rel: [rate.get((rel, t)) for t in traits] for rel in relations},
            "mutation rate (mean Jaccard distance)",
            f"Mutation rate per trait and relation, view {snap.view}",
        )
        figs.append(snap.figure("mutation", svg, "Mutation rate per trait and relation"))
    return Section(
        "mutation",
        "Mutation",
        "How much a child's trait differs from its parent's: the mean Jaccard distance of "
        "the two sets over edges where both declare the trait (0 = always inherited "
        "unchanged, 1 = never shared). The Anatomy paper finds on finetune edges license "
        "0.198, language 0.242, pipeline_tag 0.411.",
        figs,
        [
            *view_note(snap),
            table_or_note(
                ["relation", "trait", "edges", "mutation rate"],
                [
                    [r["relation"], r["trait"], r["n_edges"], r["mutation_rate"]]
                    for r in sorted(rows, key=lambda r: (r["trait"], r["relation"]))
                ],
                "No edge in this snapshot declares a trait at both ends.",
            ),
        ],
    )


def license_drift(snap: Snapshot) -> Section:
    figs = []
    notes = []
    for trait in ("license_category", "license"):
        rows = snap.rows(
            "transitions",
            ["from_value", "to_value", "count"],
            (pc.field("view") == snap.view)
            & (pc.field("relation") == ALL)
            & (pc.field("trait") == trait),
        )
        traffic: Counter[str] = Counter()
        for r in rows:
            traffic[r["from_value"]] += r["count"]
            traffic[r["to_value"]] += r["count"]
        top = [v for v, _ in traffic.most_common(snap.config.top_values)]
        if not top:
            notes.append(f"<p>No edge in this snapshot changes its {escape(trait)}.</p>")
            continue
        cell = {(r["from_value"], r["to_value"]): r["count"] for r in rows}
        matrix = [[float(cell.get((a, b), 0)) for b in top] for a in top]
        svg = figures.heatmap(
            matrix,
            top,
            top,
            f"{trait} transitions (parent value → child value)",
            "edges",
            "child's value",
            "parent's value",
        )
        figs.append(
            snap.figure(f"transitions_{trait}", svg, f"{trait} transition matrix, view {snap.view}")
        )
    orderings = snap.rows(
        "orderings",
        ["trait", "rank", "value", "pairs_fit", "pairs_total", "traffic_explained"],
        pc.field("view") == snap.view,
    )
    by_trait: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(orderings, key=lambda r: (r["trait"], r["rank"])):
        by_trait[r["trait"]].append(r)
    fitted = table_or_note(
        ["trait", "ordering (traffic flows left → right)", "pairs fit", "traffic explained"],
        [
            [
                t,
                " → ".join(r["value"] for r in rs),
                f"{rs[0]['pairs_fit']} / {rs[0]['pairs_total']}",
                rs[0]["traffic_explained"],
            ]
            for t, rs in by_trait.items()
        ],
        "No ordering to fit: no edge in this snapshot changes a trait.",
    )
    return Section(
        "license-drift",
        "Directional drift",
        "Rows are the parent's value, columns the child's: each cell counts edges where the "
        "child moved from that value to that one (values kept on both sides are not "
        "moves). The table gives, per trait, the order of the busiest values that agrees "
        "with the most net traffic (an exact linear-ordering MILP): traffic flows from the "
        "left of the order to the right.",
        figs,
        [*view_note(snap), *notes, fitted],
    )


def drift_by_depth(snap: Snapshot) -> Section:
    rows = snap.rows(
        "drift_summary",
        ["depth", "metric", "parent_value", "child_value", "n"],
        (pc.field("view") == snap.view) & (pc.field("relation") == ALL),
    )
    levels = sorted({int(r["depth"]) for r in rows if r["depth"] != ALL})
    cell = {(r["metric"], r["depth"]): r for r in rows}
    figs = []
    unmeasured = []
    for metric, label in (
        ("languages", "declared languages (mean)"),
        ("card_chars", "card length, characters (mean)"),
        ("auto_generated", "share of auto-generated cards"),
    ):
        series = {
            end: [cell.get((metric, str(d)), {}).get(f"{end}_value") for d in levels]
            for end in ("parent", "child")
        }
        if all(value is None for values in series.values() for value in values):
            unmeasured.append(metric)
            continue
        svg = figures.lines(levels, series, "child's depth", label, f"{metric} along the tree")
        figs.append(snap.figure(f"drift_{metric}", svg, f"{label} by depth, parent vs child"))
    if figs:
        notes = [f"<p>No edge in this snapshot has a value for {m}.</p>" for m in unmeasured]
    else:
        notes = ["<p>No parent-child edges in this snapshot to follow down the tree.</p>"]
    return Section(
        "drift-depth",
        "Inheritance along the tree",
        "For the edges whose child sits at a given depth, the mean of a trait at the "
        "parent end and at the child end. The Anatomy paper: declared languages fall from "
        "6.60 (parents) to 1.81 (children), cards shrink from 9,773 to 4,402 characters, "
        "and children's cards are auto-generated 25 points more often.",
        figs,
        [*view_note(snap), *notes],
    )


def busiest_tasks(audit: list[dict[str, Any]], n: int) -> list[str]:
    """The `n` tasks with the most models. A task's rows judge different numbers of its
    models (`base_model` only those with a derived-looking name), so its size is its
    largest `n_models`, not whichever row comes last."""
    sizes: Counter[str] = Counter()
    for row in audit:
        if row["scope"] != ALL:
            sizes[row["scope"]] = max(sizes[row["scope"]], row["n_models"] or 0)
    return [scope for scope, _ in sizes.most_common(n)]


def documentation(snap: Snapshot) -> Section:
    how = (
        "The heat map gives, for all models and the busiest tasks, the share missing each "
        "attribute (Jiang et al.'s audit). The bars give the share of models per task whose "
        "card carries a machine-readable <code>model-index</code> (Jiang et al.: about 4 % "
        "overall, 16.8 % of token-classification). Weight formats: <em>pickle_only</em> "
        "repositories load arbitrary code when opened."
    )
    title = "Documentation gaps and risks"
    audit = snap.rows("audit", ["scope", "attribute", "n_models", "share"])
    if not audit:
        return Section(
            "documentation", title, how, [], ["<p>No models in this snapshot to audit.</p>"]
        )
    tasks = busiest_tasks(audit, snap.config.top_values)
    attributes = sorted({r["attribute"] for r in audit})
    share = {(r["scope"], r["attribute"]): r["share"] for r in audit}
    heat = figures.heatmap(
        [[share.get((s, a), float("nan")) for a in attributes] for s in [ALL, *tasks]],
        [ALL, *tasks],
        attributes,
        "Share of models missing each attribute",
        "share missing",
    )
    figs = [snap.figure("missing_by_task", heat, "Missing attributes by task")]
    index = snap.rows("model_index_by_task", ["pipeline_tag", "n_models", "share"])
    index = sorted((r for r in index if r["share"] is not None), key=lambda r: -r["n_models"])
    if index:
        index_svg = figures.bars(
            {r["pipeline_tag"]: r["share"] for r in index[: snap.config.top_values]},
            "share with model-index",
            "Machine-readable results (model-index) by task",
            horizontal=True,
        )
        figs.append(snap.figure("model_index_by_task", index_svg, "model-index share by task"))
    risk = snap.rows("weight_risk", ["weight_format", "n_models", "share"])
    body = []
    if risk:
        risk_svg = figures.bars(
            {r["weight_format"]: r["n_models"] for r in risk},
            "models",
            "Weight formats (models whose file list is known)",
        )
        figs.append(snap.figure("weight_risk", risk_svg, "Weight-format risk"))
    else:
        body.append(
            "<p>No file lists in this input: weight formats cannot be judged "
            "(fetch with <code>scripts/fetch_hub.py --files</code>).</p>"
        )
    return Section("documentation", title, how, figs, body)


def top_families(snap: Snapshot, pages: dict[str, str]) -> Section:
    rows = [
        [
            link(pages[f["family_id"]], f["family_id"])
            if f["family_id"] in pages
            else escape(f["family_id"]),
            f["size"],
            f["max_depth"],
            f["n_leaves"],
            *[f[f"edges_{r}"] for r in RELATIONS],
            f["root_licenses"],
            f["first_created"],
            f["last_created"],
        ]
        for f in largest_families(snap, max(snap.config.top_families, TOP_FAMILY_ROWS))
    ]
    return Section(
        "families",
        "The largest families",
        f"Families of view {snap.view}, largest first; a family is named by its smallest "
        "model id. The first ones link to a page with their tree and members.",
        [],
        [
            *view_note(snap),
            table_or_note(
                [
                    "family",
                    "size",
                    "max depth",
                    "leaves",
                    *[f"{r} edges" for r in RELATIONS],
                    "root licenses",
                    "first created",
                    "last created",
                ],
                rows,
                NO_FAMILIES,
                raw=(0,),
            ),
        ],
    )


def largest_families(snap: Snapshot, n: int) -> list[dict[str, Any]]:
    """The `n` largest families of the report's view, largest first, ties by id. The table is read
    once, for the most any section asks: it has a row per family of every view (6 million
    at 2M models), and the family pages, the families' table and the growth figure each
    want their own number of the largest."""
    most = max(n, snap.config.top_families, TOP_FAMILY_ROWS, snap.config.growth_families)
    if snap.largest[0] < most:
        families = snap.read(
            "families",
            [
                "family_id",
                "size",
                "max_depth",
                "n_leaves",
                *[f"edges_{r}" for r in RELATIONS],
                "root_licenses",
                "first_created",
                "last_created",
            ],
            pc.field("view") == snap.view,
        )
        ranked = []
        if families.num_rows:  # select_k_unstable fails on an empty table
            order = pc.select_k_unstable(
                families, most, [("size", "descending"), ("family_id", "ascending")]
            )
            ranked = sorted(
                families.take(order).to_pylist(), key=lambda f: (-f["size"], f["family_id"])
            )
        snap.largest = (most, ranked)
    return snap.largest[1][:n]


def template_clusters(snap: Snapshot) -> Section:
    clusters = snap.read("card_clusters", ["cluster_id", "cluster_size", "representative_id"])
    distinct = clusters.group_by(["cluster_id", "cluster_size", "representative_id"]).aggregate([])
    top = sorted(distinct.to_pylist(), key=lambda c: (-c["cluster_size"], c["cluster_id"]))
    top = top[: snap.config.template_clusters]
    wanted = [c["representative_id"] for c in top]
    cards = {
        r["model_id"]: r["card"]
        for r in read_ids(
            snap.output, "card_texts", snap.snapshot, "model_id", wanted, ["model_id", "card"]
        ).to_pylist()
    }
    limit = snap.config.card_excerpt_chars
    rows = []
    for c in top:
        body = split_front_matter(cards.get(c["representative_id"], ""))[1].strip()
        excerpt = body[:limit] + ("…" if len(body) > limit else "")
        rows.append([c["cluster_size"], c["representative_id"], f"<pre>{escape(excerpt)}</pre>"])
    return Section(
        "templates",
        "Near-duplicate and template cards",
        "Groups of cards whose MinHash similarity reaches the LSH threshold (connected "
        "components of near-duplicate pairs), largest first, each with the start of its "
        "most downloaded member's card. Big groups are templates filled in by tools "
        "(the Trainer's auto-generated card, quantizers' cards) rather than written by hand.",
        [],
        [
            table_or_note(
                ["models", "representative", "representative card (start)"],
                rows,
                "No near-duplicate cards in this snapshot.",
                raw=(2,),
            )
        ],
    )


def months_of(timestamps: pa.ChunkedArray) -> pa.ChunkedArray:
    """`YYYY-MM` of every ISO timestamp of a column (null when there is none), in Arrow.

    >>> months = pa.chunked_array([["2023-04-05T10:00:00", None, "junk", "2023-13-01"]])
    >>> months_of(months).to_pylist()
    ['2023-04', None, None, None]
    """
    dated = pc.match_substring_regex(timestamps, r"^[0-9]{4}-(0[1-9]|1[0-2])")
    return pc.if_else(dated, pc.utf8_slice_codeunits(timestamps, 0, 7), None)


def plausible_months(months: pa.ChunkedArray, last: str) -> pa.ChunkedArray:
    """`months` with those before FIRST_MONTH or after `last` (the snapshot's month) made
    null: no model is created after its snapshot, and one 9999-12-31 stretched the time
    axis over 8,000 years. As text, since `months_of` writes every year with 4 digits.

    >>> months = pa.chunked_array([["1970-01", "2023-04", "9999-12", None]])
    >>> plausible_months(months, "2026-11").to_pylist()
    [None, '2023-04', None, None]
    """
    inside = pc.and_(pc.greater_equal(months, FIRST_MONTH), pc.less_equal(months, last))
    return pc.if_else(inside, months, None)


def count_pairs(frame: pa.Table, key: str) -> dict[str, Counter[str]]:
    """`key` -> month -> rows, over the rows with a month."""
    counted: dict[str, Counter[str]] = defaultdict(Counter)
    for row in counts_by(frame.filter(pc.is_valid(frame.column("month"))), [key, "month"]):
        counted[row[key]][row["month"]] = row["n"]
    return counted


def over_time(snap: Snapshot) -> Section:
    models = snap.read("models", ["model_id", "created_at"])
    dated = months_of(models.column("created_at"))
    last = snap.snapshot[:7]
    month = plausible_months(dated, last)
    undated = dated.null_count
    implausible = month.null_count - undated
    created = pa.table({"model_id": models.column("model_id"), "month": month})
    per_month = Counter(
        {r["month"]: r["n"] for r in counts_by(created, ["month"]) if r["month"] is not None}
    )
    months = month_range(per_month)
    figs, notes = [], []
    if months:
        edges = snap.read("edges", ["child_id", "relation"])
        by_relation = count_pairs(
            edges.join(created, keys="child_id", right_keys="model_id", join_type="inner"),
            "relation",
        )
        models_svg = figures.lines(
            months,
            {
                "models": [per_month.get(m, 0) for m in months],
                **{
                    r: [by_relation[r].get(m, 0) for m in months]
                    for r in RELATIONS
                    if by_relation[r]
                },
            },
            "month created",
            "created that month",
            "Models and declared edges created per month",
        )
        figs.append(
            snap.figure("created_per_month", models_svg, "Models and edges created per month")
        )
    else:
        notes.append("<p>No model in this snapshot has a creation date to place it in time.</p>")
    top = [f["family_id"] for f in largest_families(snap, snap.config.growth_families)]
    if not top:
        notes.append(f"<p>{NO_FAMILIES}</p>")
    elif months:
        members = snap.read(  # one read of the nodes for every family drawn
            "nodes",
            ["model_id", "family_id"],
            (pc.field("view") == snap.view) & id_in("family_id", top),
        )
        joined = count_pairs(members.join(created, keys="model_id", join_type="inner"), "family_id")
        growth: dict[str, list[float | None]] = {
            family: [float(joined[family].get(m, 0)) for m in months] for family in top
        }
        growth_svg = figures.lines(
            months,
            growth,
            "month",
            "members (cumulative)",
            "Growth of the largest families",
            cumulative=True,
        )
        figs.append(snap.figure("family_growth", growth_svg, "Growth of the largest families"))
    return Section(
        "time",
        "Over time",
        "From each model's <code>created_at</code>: models created per month, and declared "
        "edges by relation dated by their child (the Anatomy paper's time trends); then the "
        f"cumulative size of the largest families (view {snap.view}). Models left out of these "
        f"lines: {undated:,} without a creation date, and {implausible:,} dated before "
        f"{FIRST_MONTH[:4]} or after the snapshot's month ({last}), such dates (1970-01-01, "
        "9999-12-31) being placeholders or typos.",
        figs,
        [*view_note(snap), *notes],
    )


def what_changed(snap: Snapshot, older: Sequence[str]) -> Section | None:
    """The diff tables of this snapshot, when `jobs.diff` wrote them."""
    if not older:
        return None
    try:
        changes = counts_by(snap.read("diff_models", ["change", "against"]), ["against", "change"])
    except UserError:  # no diff partition: say how to make one
        return Section(
            "changes",
            "What changed",
            f"Older snapshots exist ({escape(', '.join(older))}) but this one has no diff tables.",
            [],
            [
                f"<p>Run <code>python -m jobs.diff --output {escape(snap.output)} --snapshot "
                f"{snap.snapshot} --against {escape(older[-1])}</code>.</p>"
            ],
        )
    edge_columns = ["change", "old_relation", "relation"]
    edges = counts_by(snap.read("diff_edges", edge_columns), edge_columns)
    licenses = snap.rows("diff_licenses", ["model_id", "old_licenses", "new_licenses"])
    growth = snap.rows(
        "diff_children",
        ["parent_id", "old_children", "new_children", "growth"],
        pc.field("growth") > 0,
    )
    growth.sort(key=lambda r: (-r["growth"], r["parent_id"]))
    against = changes[0]["against"] if changes else older[-1]
    relicensed = (
        (
            "<p>1 model changed its licenses.</p>"
            if len(licenses) == 1
            else f"<p>{len(licenses):,} models changed their licenses.</p>"
        )
        + table(
            ["model", "old licenses", "new licenses"],
            [[r["model_id"], r["old_licenses"], r["new_licenses"]] for r in licenses[:20]],
        )
        if licenses
        else "<p>No model changed its licenses.</p>"
    )
    return Section(
        "changes",
        f"What changed since {against}",
        "Models and declared edges added or removed since the older snapshot, edges whose "
        "relation changed, models whose "
        "licenses changed, and the parents that gained the most direct children.",
        [],
        [
            table_or_note(
                ["change", "models"],
                [[r["change"], r["n"]] for r in changes],
                "No model was added or removed.",
            ),
            table_or_note(
                ["change", "relation", "edges"],
                [
                    [
                        r["change"],
                        " → ".join(filter(None, [r["old_relation"], r["relation"]])),
                        r["n"],
                    ]
                    for r in edges
                ],
                "No declared edge was added, removed or relabelled.",
            ),
            relicensed,
            table_or_note(
                ["parent", "children before", "children now", "growth"],
                [
                    [r["parent_id"], r["old_children"], r["new_children"], r["growth"]]
                    for r in growth[:20]
                ],
                "No parent gained direct children.",
            ),
        ],
    )
