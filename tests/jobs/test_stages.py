"""The stage CLIs after ingest, on the generated sample: every table written, with the
contents the stage functions promise, and one-line errors when inputs are missing."""

from __future__ import annotations

import importlib.metadata
import itertools
import json
import re
import urllib.parse
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from datasketch import LeanMinHash, MinHashLSH
from pyspark.sql import functions as F

from jobs import audit, drift, lineage, lookup, report, similarity
from jobs.config import load_config
from jobs.lineage import VIEWS
from jobs.report_family import family_slug
from jobs.report_html import escape, number
from jobs.tables import read_table
from tests.browser import Browser
from tests.components import shared_file
from udfs.drift import license_conflict
from udfs.minhash import card_shingles

pytestmark = [pytest.mark.spark, pytest.mark.graphframes, pytest.mark.slow]

TABLES = (
    *("edges", "self_loops", "nodes", "families", "inferred_edges", "inference_eval"),
    *("signatures", "pairs", "similarity_summary", "near_duplicate_pairs", "card_clusters"),
    *("mutation", "transitions", "orderings", "drift_summary", "license_conflicts"),
    *("audit", "model_index_by_task", "weight_risk", "orphans"),
)
FAST = ("--set", "similarity.bootstrap_samples=200", "--set", "similarity.random_pairs=2000")


@pytest.fixture(scope="module")
def staged(spark, generated_tables):
    """lineage, similarity, drift and audit run through their `main` on the ingested sample."""
    _, output, snapshot = generated_tables
    argv = ["--output", str(output), "--snapshot", snapshot, *FAST]
    codes = {m.__name__: m.main(argv) for m in (lineage, similarity, drift, audit)}
    tables = {}
    for name in TABLES:
        tables[name] = read_table(spark, str(output), name, snapshot)
    models = read_table(spark, str(output), "models", snapshot)
    return codes, tables, models


def test_every_stage_exits_0(staged) -> None:
    codes, _, _ = staged
    assert codes == {"jobs.lineage": 0, "jobs.similarity": 0, "jobs.drift": 0, "jobs.audit": 0}


def test_edges_and_self_loops_are_exactly_the_declared_parents(staged, generated_sample) -> None:
    _, tables, _ = staged
    truth = pq.read_table(generated_sample / "truth" / "edges.parquet").to_pylist()
    declared = {
        (e["child_id"], e["parent_id"], e["relation"])
        for e in truth
        if e["declared_via"] not in ("prose", "name")
    }
    edges = {(r["child_id"], r["parent_id"], r["relation"]) for r in tables["edges"].collect()}
    loops = {(r["child_id"], r["child_id"], r["relation"]) for r in tables["self_loops"].collect()}
    assert edges | loops == declared and not edges & loops
    known = {(e["child_id"], e["parent_id"]) for e in truth if e["parent_known"]}
    for row in tables["edges"].collect():
        assert row["parent_known"] == ((row["child_id"], row["parent_id"]) in known)


def test_families_and_depths_equal_the_generators_truth_in_every_view(
    staged, generated_sample
) -> None:
    _, tables, _ = staged
    truth = pq.read_table(generated_sample / "truth" / "lineage.parquet").to_pylist()
    expected = {
        (t["view"], t["model_id"]): (t["family_id"], t["depth_min"], t["depth_max"], t["in_cycle"])
        for t in truth
    }
    found = {
        (r["view"], r["model_id"]): (r["family_id"], r["depth_min"], r["depth_max"], r["in_cycle"])
        for r in tables["nodes"].where("view != 'all_plus_inferred'").collect()
    }
    assert found == expected
    assert sum(v[3] for v in expected.values()) > 0  # the sample has cycles and self-loops
    assert max(v[2] for v in expected.values()) >= 3


def test_inferred_parents_of_undeclaring_models_are_the_generators_hidden_ones(
    staged, generated_sample
) -> None:
    """The generator keeps, for models that declare nothing, the parent their card names
    in prose or their name derives from; inference above the threshold finds them, and the
    all_plus_inferred view holds exactly the declared edges plus those."""
    _, tables, _ = staged
    threshold = load_config().inference.threshold
    truth = pq.read_table(generated_sample / "truth" / "edges.parquet").to_pylist()
    hidden = {
        (e["child_id"], e["parent_id"]): e["declared_via"]
        for e in truth
        if e["declared_via"] in ("prose", "name")
    }
    inferred = (
        tables["inferred_edges"]
        .where(f"NOT child_declares AND confidence >= {threshold}")
        .collect()
    )
    guessed = {(r["child_id"], r["parent_id"]) for r in inferred}
    right = guessed & set(hidden)
    assert len(right) >= 0.9 * len(guessed), "precision on undeclared models"
    for via in ("prose", "name"):
        wanted = {pair for pair, v in hidden.items() if v == via}
        assert wanted and len(wanted & guessed) >= 0.8 * len(wanted), via
    plus = tables["nodes"].where("view = 'all_plus_inferred'").agg(F.sum("n_parents")).first()[0]
    plain = tables["nodes"].where("view = 'all'").agg(F.sum("n_parents")).first()[0]
    known = sum(1 for r in inferred if r["parent_known"])
    assert plus == plain + known


def test_inference_eval_has_a_curve_and_scores_against_the_declarations(staged) -> None:
    _, tables, _ = staged
    rows = tables["inference_eval"].collect()
    curve = sorted(
        (r["threshold"], r["precision"], r["recall"]) for r in rows if r["group"] == "overall"
    )
    assert len(curve) == 19
    recalls = [r for _, _, r in curve]
    assert recalls == sorted(recalls, reverse=True) and recalls[0] > 0.5
    declared = tables["edges"].count()
    assert {r["n_truth"] for r in rows if r["group"] == "overall"} == {declared}
    assert {r["key"] for r in rows if r["group"] == "evidence"} >= {"prose", "name"}


def test_roots_and_family_rows_agree_with_the_nodes(staged, generated_sample) -> None:
    _, tables, _ = staged
    truth = pq.read_table(generated_sample / "truth" / "nodes.parquet").to_pylist()
    nodes = {r["model_id"]: r for r in tables["nodes"].where("view = 'all'").collect()}
    for t in truth:
        assert t["root_id"] in nodes[t["model_id"]]["root_ids"], t["model_id"]
    families = tables["families"].where("view = 'all'").collect()
    assert sum(f["size"] for f in families) == len(nodes)
    by_family: dict[str, list] = {}
    for node in nodes.values():
        by_family.setdefault(node["family_id"], []).append(node)
    for family in families:
        members = by_family[family["family_id"]]
        assert family["size"] == len(members)
        assert family["root_ids"] == sorted(m["model_id"] for m in members if m["depth_min"] == 0)
        assert family["max_depth"] == max(m["depth_max"] for m in members)
        assert family["n_leaves"] == sum(m["n_children"] == 0 for m in members)
    edges = tables["edges"].where("parent_known").count()
    assert sum(f["edges_" + r] for f in families for r in lineage.RELATIONS) == edges


def test_pairs_cover_every_view_and_parent_child_pairs_are_the_view_edges(staged) -> None:
    _, tables, _ = staged
    pairs, edges = tables["pairs"], tables["edges"].where("parent_known")
    assert {r["view"] for r in pairs.select("view").distinct().collect()} == set(VIEWS)
    for view, rule in (
        ("all", F.lit(True)),
        ("no_merges", F.col("relation") != "merge"),
        ("finetune_only", F.col("relation") == "finetune"),
    ):
        found = {
            (r["a_id"], r["b_id"])
            for r in pairs.where((F.col("view") == view) & (F.col("pair_type") == "parent_child"))
            .select("a_id", "b_id")
            .collect()
        }
        expected = {(r["parent_id"], r["child_id"]) for r in edges.where(rule).collect()}
        assert found == expected, view
    threshold = load_config().inference.threshold
    added = tables["inferred_edges"].where(
        f"parent_known AND NOT child_declares AND confidence >= {threshold}"
    )
    plus = {
        (r["a_id"], r["b_id"])
        for r in pairs.where("view = 'all_plus_inferred' AND pair_type = 'parent_child'").collect()
    }
    declared = {(r["parent_id"], r["child_id"]) for r in edges.collect()}
    assert plus == declared | {(r["parent_id"], r["child_id"]) for r in added.collect()}
    assert plus > declared
    # Disjoint random pairs: 2000 asked for, at most half the signed cards available.
    random = pairs.where("pair_type = 'random' AND view = 'all'")
    assert random.count() == min(2000, tables["signatures"].count() // 2)


def test_summary_has_every_view_type_and_measure_with_the_resemblance_order(staged) -> None:
    _, tables, _ = staged
    summary = {
        (r["view"], r["pair_type"], r["measure"]): r for r in tables["similarity_summary"].collect()
    }
    for view in VIEWS:
        for kind in ("parent_child", "siblings", "random"):
            assert (view, kind, "card") in summary
    card = {k[1]: v["mean"] for k, v in summary.items() if k[0] == "all" and k[2] == "card"}
    assert card["siblings"] > card["parent_child"] > card["random"]


def test_near_duplicates_reach_the_threshold_and_signatures_are_the_cards_with_words(
    staged, spark, generated_tables
) -> None:
    _, tables, _ = staged
    _, output, snapshot = generated_tables
    config = load_config().similarity
    texts = read_table(spark, str(output), "card_texts", snapshot).collect()
    shingled = {r["model_id"]: card_shingles(r["card"], config.shingle_size) for r in texts}
    signed = {r["model_id"] for r in tables["signatures"].select("model_id").collect()}
    assert signed == {m for m, shingles in shingled.items() if shingles}

    # Oracle: datasketch's own MinHashLSH over the same signatures, then the threshold.
    lsh = MinHashLSH(threshold=config.lsh_threshold, num_perm=config.num_perm)
    sketches = {
        r["model_id"]: LeanMinHash(
            seed=config.seed, hashvalues=np.array(r["minhash"], np.uint32), scheme="affine32"
        )
        for r in tables["signatures"].select("model_id", "minhash").collect()
    }
    for model_id, sketch in sketches.items():
        lsh.insert(model_id, sketch)
    expected = {
        (a, b)
        for a, sketch in sketches.items()
        for b in lsh.query(sketch)
        if a < b and sketch.jaccard(sketches[b]) >= config.lsh_threshold
    }
    near = {(r["a_id"], r["b_id"]) for r in tables["near_duplicate_pairs"].collect()}
    assert len(expected) > 10
    # Copies are stars, not all pairs: every link is an oracle pair, and the links connect
    # exactly the groups the oracle's pairs connect.
    assert near <= expected
    assert partition(near) == partition(expected)


def partition(pairs: set[tuple[str, str]]) -> set[frozenset[str]]:
    """The connected components of undirected pairs, as sets of ids."""
    parent = {m: m for pair in pairs for m in pair}

    def find(m: str) -> str:
        while parent[m] != m:
            m = parent[m]
        return m

    for a, b in pairs:
        parent[max(find(a), find(b))] = min(find(a), find(b))
    groups: dict[str, set[str]] = {}
    for m in parent:
        groups.setdefault(find(m), set()).add(m)
    return {frozenset(g) for g in groups.values()}


def test_drift_tables_are_measured_in_every_view(staged) -> None:
    _, tables, _ = staged
    for name in ("mutation", "transitions", "orderings", "drift_summary"):
        views = {r["view"] for r in tables[name].select("view").distinct().collect()}
        assert views == set(VIEWS), name
    ranks: dict[tuple[str, str], list[int]] = {}
    for r in tables["orderings"].collect():
        ranks.setdefault((r["view"], r["trait"]), []).append(r["rank"])
    assert all(sorted(v) == list(range(1, len(v) + 1)) and len(v) <= 20 for v in ranks.values())
    finetune = {
        (r["relation"], r["trait"])
        for r in tables["mutation"].where("view = 'finetune_only'").collect()
    }
    assert {relation for relation, _ in finetune} == {"finetune", "all"}


def test_license_conflicts_are_the_known_edges_that_loosen_a_restricted_license(staged) -> None:
    """Oracle: the edges and each model's licenses as the tables hold them, checked one by
    one in Python with the hand-tested rule, against what the stage's join found."""
    _, tables, models = staged
    licenses = {
        r["model_id"]: r["licenses"] for r in models.select("model_id", "licenses").collect()
    }
    expected = set()
    for edge in tables["edges"].where("parent_known").collect():
        parent, child = licenses[edge["parent_id"]], licenses[edge["child_id"]]
        if parent and child and license_conflict(parent, child) is not None:
            expected.add((edge["child_id"], edge["parent_id"]))
    found = [(r["child_id"], r["parent_id"]) for r in tables["license_conflicts"].collect()]
    assert expected and sorted(found) == sorted(expected)


def test_audit_counts_every_model_and_orphans_are_the_unknown_parents(staged) -> None:
    _, tables, models = staged
    overall = {r["attribute"]: r for r in tables["audit"].where("scope = 'all'").collect()}
    n_models = models.count()
    assert set(overall) == set(audit.ATTRIBUTES)
    assert all(overall[a]["n_models"] == n_models for a in overall if a != "base_model")
    assert overall["card"]["n_missing"] == models.where("NOT has_card").count()
    orphans = {(r["child_id"], r["parent_id"]) for r in tables["orphans"].collect()}
    unknown = tables["edges"].where("NOT parent_known").select("child_id", "parent_id").collect()
    assert orphans == {(r["child_id"], r["parent_id"]) for r in unknown} and orphans


@pytest.mark.parametrize("stage", [lineage, similarity, drift, audit])
def test_a_stage_before_its_inputs_fails_in_one_line_with_exit_2(
    stage, spark, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = stage.main(["--output", str(tmp_path), "--snapshot", "2026-11-01"])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    name = stage.__name__.split(".")[1]
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith(f"pedigree {name}: error: table "), lines
    assert "run the stage that writes it first" in lines[0]
    assert not [p.name for p in tmp_path.iterdir() if p.name != "_checkpoints"]


def test_a_missing_output_folder_fails_before_spark(tmp_path: Path, capsys) -> None:
    code = drift.main(["--output", str(tmp_path / "nope"), "--snapshot", "2026-11-01"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("pedigree drift: error: output folder ")


def test_card_clusters_are_the_components_of_the_near_duplicate_pairs(staged) -> None:
    _, tables, models = staged
    near = {(r["a_id"], r["b_id"]) for r in tables["near_duplicate_pairs"].collect()}
    clusters = {r["model_id"]: r for r in tables["card_clusters"].collect()}
    component = {m: group for group in partition(near) for m in group}
    assert set(clusters) == set(component)
    downloads = {r["model_id"]: r["downloads"] or -1 for r in models.collect()}
    for m, row in clusters.items():
        members = component[m]
        assert row["cluster_id"] == min(members)
        assert row["cluster_size"] == len(members)
        best = max(members, key=lambda x: (downloads[x], [-ord(c) for c in x]))
        assert downloads[row["representative_id"]] == downloads[best]


def test_same_family_pairs_lie_in_one_family_of_their_view(staged) -> None:
    _, tables, _ = staged
    family = {(r["view"], r["model_id"]): r["family_id"] for r in tables["nodes"].collect()}
    pairs = tables["pairs"].where("pair_type = 'same_family_random'").collect()
    assert pairs
    for r in pairs:
        assert family[(r["view"], r["a_id"])] == family[(r["view"], r["b_id"])]
    for view in VIEWS:
        used = [m for r in pairs if r["view"] == view for m in (r["a_id"], r["b_id"])]
        assert len(used) == len(set(used)), view  # disjoint within a view


def test_drift_summary_by_relation_and_depth_equals_a_python_count(staged) -> None:
    _, tables, models = staged
    depth = {r["model_id"]: r["depth_min"] for r in tables["nodes"].where("view = 'all'").collect()}
    languages = {r["model_id"]: r["languages"] or [] for r in models.collect()}
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for e in tables["edges"].where("parent_known").collect():
        p, c = languages[e["parent_id"]], languages[e["child_id"]]
        if p and c:
            for key in itertools.product(
                (e["relation"], "all"), (str(depth[e["child_id"]]), "all")
            ):
                groups.setdefault(key, []).append((len(p), len(c)))
    rows = {
        (r["relation"], r["depth"]): r
        for r in tables["drift_summary"].where("view = 'all' AND metric = 'languages'").collect()
    }
    assert set(rows) == set(groups)
    assert len({d for _, d in groups}) >= 4 and len({r for r, _ in groups}) >= 4
    for key, values in groups.items():
        assert rows[key]["n"] == len(values), key
        assert rows[key]["parent_value"] == pytest.approx(sum(p for p, _ in values) / len(values))
        assert rows[key]["child_value"] == pytest.approx(sum(c for _, c in values) / len(values))


def truth_links(generated_sample: Path) -> tuple[dict[str, set[str]], dict[str, set[str]], dict]:
    """Declared parent links of the generator's truth: (up, down, relation by edge)."""
    up: dict[str, set[str]] = {}
    down: dict[str, set[str]] = {}
    relation = {}
    for e in pq.read_table(generated_sample / "truth" / "edges.parquet").to_pylist():
        if e["declared_via"] not in ("prose", "name") and e["child_id"] != e["parent_id"]:
            up.setdefault(e["child_id"], set()).add(e["parent_id"])
            down.setdefault(e["parent_id"], set()).add(e["child_id"])
            relation[(e["child_id"], e["parent_id"])] = e["relation"]
    return up, down, relation


def reach(start: str, links: dict[str, set[str]]) -> set[str]:
    found, todo = set(), [start]
    while todo:
        for nxt in links.get(todo.pop(), ()):
            if nxt not in found and nxt != start:
                found.add(nxt)
                todo.append(nxt)
    return found


def test_lookup_of_a_root_a_merge_child_and_a_deep_descendant_equals_the_truth(
    staged, generated_tables, generated_sample
) -> None:
    _, output, snapshot = generated_tables
    up, down, relation = truth_links(generated_sample)
    lineage_truth = pq.read_table(generated_sample / "truth" / "lineage.parquet").to_pylist()
    acyclic = {t["model_id"] for t in lineage_truth if t["view"] == "all" and not t["in_cycle"]}
    depth = {t["model_id"]: t["depth_max"] for t in lineage_truth if t["view"] == "all"}
    root = max(
        (m for m in down if m not in up and m in acyclic), key=lambda m: (len(reach(m, down)), m)
    )
    merge_child = min(
        c
        for c, ps in up.items()
        if len(ps) > 1 and c in acyclic and all(relation[(c, p)] == "merge" for p in ps)
    )
    deep = max((m for m in acyclic if m in up), key=lambda m: (depth[m] or 0, m))
    assert depth[deep] >= 3
    for model_id in (root, merge_child, deep):
        found = lookup.lookup(output, snapshot, model_id, "all")
        assert {a["model_id"] for a in found.ancestors} == reach(model_id, up), model_id
        assert {p["model_id"] for p in found.parents} == up.get(model_id, set())
        assert {c["model_id"] for c in found.children} == down.get(model_id, set())
        assert found.n_descendants == len(reach(model_id, down)), model_id
        for p in found.parents:
            assert p["relation"] == relation[(model_id, p["model_id"])]
        assert found.family["depth_max"] == depth[model_id]
    assert len(lookup.lookup(output, snapshot, root, "all").ancestors) == 0


def test_lookup_in_all_plus_inferred_walks_the_inferred_parents_the_view_counted(
    staged, generated_tables
) -> None:
    """Every undeclaring child with a confident inferred parent: in `all_plus_inferred` the
    lookup lists that parent, marked inferred, and its topmost ancestors are the roots the
    lineage stage computed for the view; in `all` the child has no parent."""
    _, tables, _ = staged
    _, output, snapshot = generated_tables
    added = (
        tables["inferred_edges"]
        .where("confidence >= 0.5 AND NOT child_declares AND parent_known")
        .collect()
    )
    view_nodes = tables["nodes"].where("view = 'all_plus_inferred'").collect()
    roots = {r["model_id"]: r["root_ids"] for r in view_nodes if not r["in_cycle"]}
    in_cycle = {r["model_id"] for r in view_nodes if r["in_cycle"]}
    has_known_parent = {
        e["child_id"]
        for e in lookup.view_edge_rows(output, snapshot, "all_plus_inferred", 0.5)
        if e["parent_id"] in roots or e["parent_id"] in in_cycle
    }
    checked = 0
    for edge in sorted(added, key=lambda e: e["child_id"])[:25]:
        child = edge["child_id"]
        if child not in roots:
            continue
        found = lookup.lookup(output, snapshot, child, "all_plus_inferred")
        parent = next(p for p in found.parents if p["model_id"] == edge["parent_id"])
        assert parent["inferred"]["confidence"] == edge["confidence"]
        assert parent["inferred"]["evidence"] == edge["evidence"]
        if any(a["model_id"] in in_cycle for a in found.ancestors):
            continue
        line = [child, *(a["model_id"] for a in found.ancestors if a["model_id"] in roots)]
        topmost = sorted(m for m in line if m not in has_known_parent)
        assert found.roots == topmost == roots[child], child
        assert lookup.lookup(output, snapshot, child, "all").parents == []
        checked += 1
    assert checked >= 10
    stricter = lookup.lookup(output, snapshot, child, "all_plus_inferred", threshold=1.01)
    assert stricter.parents == []


def test_lookup_cli_prints_json_and_an_unknown_id_exits_2_with_suggestions(
    staged, generated_tables, capsys
) -> None:
    _, output, snapshot = generated_tables
    some_id = (
        pq.read_table(output / "models" / f"snapshot={snapshot}", columns=["model_id"])
        .column("model_id")[0]
        .as_py()
    )
    args = ["--output", str(output), "--snapshot", snapshot]
    assert lookup.main([some_id, *args, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["model_id"] == some_id and answer["view"] == "all"
    assert lookup.main([some_id + "x", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean" in err[0] and some_id in err[0]


def design_reference_values() -> set[float]:
    """The numbers of DESIGN.md's "Reference values" section, as fractions and counts."""
    text = shared_file("DESIGN.md").read_text(encoding="utf-8")
    section = text.split("## Reference values")[1].split("\n## ")[0].split("\n", 1)[1]
    section = section.replace("longer\nthan 3 characters", "").replace("than 3 characters", "")
    found = set()
    for digits, suffix in re.findall(r"(\d[\d,]*(?:\.\d+)?)(%|K)?", section):
        value = float(digits.replace(",", ""))
        found.add(round(value / 100 if suffix == "%" else value * 1000 if suffix else value, 6))
    return found


@pytest.fixture(scope="module")
def reported(staged, generated_tables) -> Path:
    """The report of the staged snapshot, three family pages: its index.html."""
    _, output, snapshot = generated_tables
    config = load_config(None, ("report.top_families=3",))
    return report.write_report(output, snapshot, config.report)


def test_summary_json_puts_every_reference_beside_the_tables_values(
    staged, generated_tables, reported
) -> None:
    _, tables, models = staged
    path = reported.parent / "summary.json"
    headlines = {h["metric"]: h for h in json.loads(path.read_text())["headlines"]}
    assert design_reference_values() <= {round(h["reference"], 6) for h in headlines.values()}
    assert {h["source"] for h in headlines.values()} == {"Anatomy 2025", "Jiang 2023"}
    # Three values recomputed from the tables through Spark, not through the report's reader.
    assert headlines["edges_parent_known"]["value"] == tables["edges"].where("parent_known").count()
    license_rate = (
        tables["mutation"]
        .where("view = 'all' AND relation = 'finetune' AND trait = 'license'")
        .first()["mutation_rate"]
    )
    assert headlines["mutation_license_finetune"]["value"] == pytest.approx(license_rate)
    long_cards = models.where("card_chars > 3").count() / models.count()
    assert headlines["cards_over_3_chars_share"]["value"] == pytest.approx(long_cards)
    ratio = headlines["edges_finetune"]
    assert ratio["ratio"] == pytest.approx(ratio["value"] / 189_391)


def test_the_report_shows_the_tables_numbers(staged, generated_tables, reported) -> None:
    _, tables, models = staged
    page = reported.read_text(encoding="utf-8")
    run = tables_run_record(generated_tables)
    assert f"<dd>{number(models.count())}</dd>" in page
    assert f"<dd>{escape(run['input'])} (card-dataset)</dd>" in page
    families = sorted(
        tables["families"].where("view = 'all'").collect(),
        key=lambda f: (-f["size"], f["family_id"]),
    )
    pages = sorted((reported.parent / "families").glob("*.html"))
    assert len(pages) == 3
    for family in families[:3]:
        slug = family_slug(family["family_id"])
        assert f'href="families/{slug}.html"' in page
        family_page = (reported.parent / "families" / f"{slug}.html").read_text(encoding="utf-8")
        assert f"<dt>size</dt><dd>{number(family['size'])}</dd>" in family_page
        assert f"of {family['size']:,} members" in family_page
    titles = re.findall(r'<section id="([^"]+)"><h2>', page)
    assert titles == [
        "papers",
        "family-sizes",
        "depth",
        "relations",
        "undocumented",
        "families",
        "resemblance",
        "mutation",
        "license-drift",
        "drift-depth",
        "documentation",
        "templates",
        "time",
    ]


def tables_run_record(generated_tables) -> dict:
    _, output, snapshot = generated_tables
    return pq.read_table(output / "ingest_run" / f"snapshot={snapshot}").to_pylist()[0]


def test_ingest_records_its_input_and_counts(generated_tables) -> None:
    counts, _, _ = generated_tables
    run = tables_run_record(generated_tables)
    assert {k: run[k] for k in ("rows_in", "models", "rejects")} == {
        k: counts[k] for k in ("rows_in", "models", "rejects")
    }
    assert run["format"] == "card-dataset" and run["input"].endswith("card-dataset")
    assert run["pedigree_version"] == importlib.metadata.version("pedigree")


@pytest.mark.browser
def test_the_report_opens_in_chromium_with_every_figure_drawn_and_every_link_alive(
    reported, tmp_path: Path
) -> None:
    """Real headless Chromium opens every page from disk: no console error, no failed or
    remote load, every image decoded, every link to a file or anchor that exists, and
    every figure file holds drawn data marks (SVG boxes the browser measures)."""
    folder = reported.parent
    pages = [reported, *sorted((folder / "families").glob("*.html"))]
    figures_files = sorted(folder.rglob("*.svg"))
    browser = Browser()
    try:
        referenced = set()
        for page in pages:
            visit = browser.visit(page)
            assert visit.console_errors == [] and visit.failed_loads == [], (page, visit)
            images = browser.evaluate(
                "[...document.images].map(i => [i.getAttribute('src'), i.complete,"
                " i.naturalWidth, i.naturalHeight])"
            )
            assert images, f"{page} has no figure"
            for src, complete, width, height in images:
                assert complete and width > 100 and height > 100, (page, src, width, height)
                referenced.add((page.parent / src).resolve())
            anchors = set(browser.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)"))
            for href in browser.evaluate(
                "[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
            ):
                if href.startswith("#"):
                    assert href[1:] in anchors, (page, href)
                else:
                    assert not re.match(r"^[a-z]+:", href), f"{page} links out: {href}"
                    assert (page.parent / urllib.parse.unquote(href)).is_file(), (page, href)
            if page == reported:
                shot = tmp_path / "index.png"
                width, height = browser.screenshot(shot)
                png = shot.read_bytes()
                assert png[:8] == b"\x89PNG\r\n\x1a\n" and height > 5000 and width >= 1000
                print(
                    f"report index: {width}x{height} px, {len(png):,} bytes PNG, "
                    f"loaded in {visit.load_ms:.0f} ms"
                )
        assert referenced == {f.resolve() for f in figures_files}, "figure files not shown"
        for figure in figures_files:
            browser.visit(figure)
            drawn = browser.evaluate(
                "[...document.querySelectorAll('[id^=\"data-\"]')]"
                ".filter(e => { const b = e.getBBox(); return b.width * b.height > 0; }).length"
            )
            assert drawn > 0, f"{figure.name} is an empty figure"
    finally:
        browser.close()


def test_similarity_refuses_signatures_sketched_with_other_settings(
    staged, generated_tables, capsys
) -> None:
    _, output, snapshot = generated_tables
    argv = ["--output", str(output), "--snapshot", snapshot, "--set", "similarity.seed=2"]
    code = similarity.main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith("pedigree similarity: error: signatures of snapshot ")
    assert "seed=1, this run asks for shingle_size=3, num_perm=128, seed=2" in err[-1]
    assert err[-1].endswith("rerun ingest with the same similarity settings")
