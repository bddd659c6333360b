"""scripts/generate_sample.py: determinism, both source formats, and the ground truth's promises.

The truth files are what later stages are graded against, so they are checked here against
independent oracles: a small reference parser of the declared metadata, PyYAML on the card
front matter, and networkx for components, cycles and depths.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pyarrow.parquet as pq
import pytest
import yaml

from scripts import generate_sample as gs
from scripts.sample import languages, metadata, shape

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "generate_sample.py"
# sha256sum of `generate_sample.py --models 3000 --seed 11` (default shard rows), recorded
# before the generator was split into scripts/sample/
RECORDED = Path(__file__).resolve().parent / "fixtures" / "sample_3000_seed11.sha256"
N = 3000
SEED = 11
RELATIONS = ("finetune", "adapter", "quantized", "merge")
HUB_URL = "https://huggingface.co/"
# huggingface_hub's REGEX_YAML_BLOCK: how the Hub finds a card's front matter
FRONT_MATTER = re.compile(r"^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))")


@dataclass
class Sample:
    """One generated sample, loaded: dump rows, listing records, truth tables, manifest."""

    dump: list[dict[str, Any]]
    listing: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    nodes: dict[str, dict[str, Any]]
    broken: list[dict[str, Any]]
    manifest: dict[str, Any]

    def latest(self, rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
        """One row per id: the latest last_modified (how duplicates resolve)."""
        out: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row[key] not in out or row["last_modified"] > out[row[key]]["last_modified"]:
                out[row[key]] = row
        return out

    @property
    def cards(self) -> dict[str, dict[str, Any]]:
        return self.latest(self.dump, "modelId")

    @property
    def records(self) -> dict[str, dict[str, Any]]:
        return self.latest(self.listing, "id")

    def declared(self, known_only: bool = False) -> list[dict[str, Any]]:
        return [
            e
            for e in self.edges
            if e["declared_via"] not in ("prose", "name") and (e["parent_known"] or not known_only)
        ]

    def broken_ids(self, kind: str) -> set[str]:
        return {b["model_id"] for b in self.broken if b["kind"] == kind}


def _load(out: Path) -> Sample:
    listing = [
        json.loads(line)
        for path in sorted((out / "hub-listing").glob("part-*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    nodes = pq.read_table(out / "truth" / "nodes.parquet").to_pylist()
    return Sample(
        dump=pq.read_table(out / "card-dataset").to_pylist(),
        listing=listing,
        edges=pq.read_table(out / "truth" / "edges.parquet").to_pylist(),
        nodes={n["model_id"]: n for n in nodes},
        broken=pq.read_table(out / "truth" / "broken.parquet").to_pylist(),
        manifest=json.loads((out / "manifest.json").read_text()),
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    out = tmp_path_factory.mktemp("sample")
    gs.generate(N, SEED, out, shard_rows=1000)
    return _load(out)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _front(card: str) -> str | None:
    m = FRONT_MATTER.match(card.removeprefix("\ufeff"))
    return m.group(2) if m else None


def _shingles(text: str, k: int = 3) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def _jaccard(a: set[Any], b: set[Any]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _is_auto(card: str | None) -> bool:
    low = (card or "").lower()
    return "automatically generated" in low or "generated automatically" in low


def _known_edges_outside_cycles(s: Sample) -> Iterator[tuple[str, str]]:
    for e in s.declared(known_only=True):
        if not s.nodes[e["child_id"]]["in_cycle"]:
            yield e["child_id"], e["parent_id"]


# --- determinism and CLI ---------------------------------------------------------------------
def test_same_seed_same_bytes_other_seed_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gs.main(["--models", "1000", "--seed", "5", "--output", str(tmp_path / "a")])
    line = capsys.readouterr().out.strip()
    assert line.startswith("generated 1000 models (seed 5)") and str(tmp_path / "a") in line
    gs.generate(1000, 5, tmp_path / "b")
    gs.generate(1000, 6, tmp_path / "c")
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert a == b
    assert a.keys() == c.keys()
    assert a["card-dataset/part-00000.parquet"] != c["card-dataset/part-00000.parquet"]


def test_rejects_a_sample_too_small_for_its_structures(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        gs.generate(100, 1, tmp_path)


def test_the_generator_package_writes_byte_identical_files_to_the_recorded_run(
    tmp_path: Path,
) -> None:
    gs.generate(3000, 11, tmp_path)
    pairs = (line.split(maxsplit=1) for line in RECORDED.read_text().splitlines())
    recorded = {path: digest for digest, path in pairs}
    written = {path: hashlib.sha256(data).hexdigest() for path, data in _files(tmp_path).items()}
    assert written == recorded


# --- formats ---------------------------------------------------------------------------------
def test_card_dataset_has_the_dump_schema(sample: Sample, tmp_path: Path) -> None:
    gs.generate(1000, 3, tmp_path, shard_rows=400)
    parts = sorted((tmp_path / "card-dataset").glob("part-*.parquet"))
    assert [p.name for p in parts] == [f"part-{i:05d}.parquet" for i in range(3)]
    schema = pq.read_schema(parts[0])
    assert schema.names == [
        "modelId", "author", "last_modified", "downloads", "likes",
        "library_name", "tags", "pipeline_tag", "createdAt", "card",
    ]  # fmt: skip
    assert [str(t) for t in schema.types] == [
        "string", "string", "string", "int64", "int64",
        "string", "list<element: string>", "string", "string", "string",
    ]  # fmt: skip
    iso = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z")
    assert all(iso.fullmatch(r["last_modified"]) for r in sample.dump)
    assert all(iso.fullmatch(r["createdAt"]) for r in sample.dump if r["createdAt"])
    assert any(r["author"] is None for r in sample.dump)  # legacy ids such as "gpt2"
    assert any(r["downloads"] is None for r in sample.dump)


def test_hub_listing_has_the_list_models_shape(sample: Sample) -> None:
    keys = {
        "id", "author", "created_at", "last_modified", "downloads", "likes",
        "library_name", "pipeline_tag", "tags", "card_data", "siblings",
    }  # fmt: skip
    assert all(set(r) == keys for r in sample.listing)
    assert Counter(r["id"] for r in sample.listing) == Counter(r["modelId"] for r in sample.dump)
    for rec in sample.listing:
        assert rec["card_data"] is None or isinstance(rec["card_data"], dict)
        assert all(set(f) == {"rfilename"} for f in rec["siblings"])
    names = [{f["rfilename"] for f in r["siblings"]} for r in sample.listing]
    pickle_only = [
        n for n in names if "pytorch_model.bin" in n and not any(".safetensors" in f for f in n)
    ]
    assert pickle_only, "some models ship pickle weights only"


def test_tags_and_files_agree_with_cards(sample: Sample) -> None:
    cards = sample.cards
    scraper = sample.broken_ids("scraper_error")
    for rec in sample.records.values():
        files = [f["rfilename"] for f in rec["siblings"]]
        tags = rec["tags"]
        assert ("safetensors" in tags) == any(f.endswith(".safetensors") for f in files)
        assert ("pytorch" in tags) == any(f.endswith(".bin") for f in files)
        has_readme = cards[rec["id"]]["card"] is not None and rec["id"] not in scraper
        assert ("README.md" in files) == has_readme
        assert cards[rec["id"]]["tags"] == tags


def test_duplicate_ids_differ_only_in_last_modified(sample: Sample) -> None:
    counts = Counter(r["modelId"] for r in sample.dump)
    twice = {k for k, v in counts.items() if v > 1}
    assert twice == sample.broken_ids("duplicate_id") and max(counts.values()) == 2
    assert len(counts) == N == len(sample.nodes) == sample.manifest["n_models"]
    assert len(sample.dump) == sample.manifest["n_rows"] == N + len(twice)
    for model_id in twice:
        a, b = (r for r in sample.dump if r["modelId"] == model_id)
        assert a["last_modified"] != b["last_modified"]
        assert {k: v for k, v in a.items() if k != "last_modified"} == {
            k: v for k, v in b.items() if k != "last_modified"
        }


# --- card YAML -------------------------------------------------------------------------------
def test_front_matter_parses_to_card_data_except_bad_yaml(sample: Sample) -> None:
    bad = sample.broken_ids("bad_yaml")
    records = sample.records
    parsed = 0
    for model_id, row in sample.cards.items():
        card_data = records[model_id]["card_data"]
        front = _front(row["card"] or "")
        if model_id in bad:
            assert front is not None and card_data is None
            with pytest.raises(yaml.YAMLError):
                yaml.safe_load(front)
        elif card_data is not None:
            assert front is not None and yaml.safe_load(front) == card_data
            parsed += 1
    assert parsed > N // 3
    cards = sample.cards
    assert all(cards[m]["card"].startswith("\ufeff---") for m in sample.broken_ids("bom"))
    assert all("\r\n" in cards[m]["card"] for m in sample.broken_ids("crlf"))
    assert all(records[m]["card_data"] for m in sample.broken_ids("bom"))


def test_messy_values_appear_as_on_the_hub(sample: Sample) -> None:
    data = [r["card_data"] for r in sample.records.values() if r["card_data"]]
    licenses = [d["license"] for d in data if "license" in d]
    assert any(isinstance(x, list) for x in licenses)
    assert {"???", "other"} <= {x for x in licenses if isinstance(x, str)}
    assert any(x in ("MIT", "apache-2", "Apache 2.0", "Apache-2.0") for x in licenses)
    base = [d["base_model"] for d in data if "base_model" in d]
    assert [] in base
    assert any(isinstance(b, str) and b.startswith(HUB_URL) for b in base)
    assert any(isinstance(b, list) and len(b) > 1 for b in base)
    assert any(isinstance(b, str) and "/" not in b for b in base)  # legacy id such as "gpt2"
    assert any(isinstance(d.get("language"), str) for d in data)
    assert any(t.startswith("language:") for r in sample.listing for t in r["tags"])


# --- truth: edges ----------------------------------------------------------------------------
def _reference_parse(s: Sample) -> set[tuple[str, str, str, str]]:
    """Declared parents from tags and card YAML, the way DESIGN.md defines them."""
    out = set()
    for model_id, rec in s.records.items():
        tag_rel: dict[str, str] = {}
        tag_parents: set[str] = set()
        for tag in rec["tags"]:
            if not tag.startswith("base_model:"):
                continue
            rest = tag.removeprefix("base_model:")
            head, _, tail = rest.partition(":")
            if tail and head in RELATIONS:
                tag_rel[tail] = head
            else:
                tag_parents.add(rest)
        data = rec["card_data"] or {}
        value = data.get("base_model", [])
        values = [value] if isinstance(value, str) else value
        yaml_parents = {v.removeprefix(HUB_URL) for v in values}
        parents = tag_parents | yaml_parents
        for parent in parents:
            relation = tag_rel.get(parent) or data.get("base_model_relation")
            relation = relation or ("merge" if len(parents) > 1 else "unknown")
            via = "both" if parent in tag_parents and parent in yaml_parents else None
            via = via or ("tag" if parent in tag_parents else "yaml")
            out.add((model_id, parent, relation, via))
    return out


def test_truth_edges_are_what_the_metadata_declares(sample: Sample) -> None:
    truth = {
        (e["child_id"], e["parent_id"], e["relation"], e["declared_via"]) for e in sample.declared()
    }
    assert len(truth) == len(sample.declared())
    assert _reference_parse(sample) == truth


def test_truth_traits_are_what_the_metadata_declares(sample: Sample) -> None:
    codes = set(languages.LANGS)
    for model_id, rec in sample.records.items():
        node = sample.nodes[model_id]
        data = rec["card_data"] or {}
        declared = data.get("language", [])
        langs = {x.lower() for x in ([declared] if isinstance(declared, str) else declared)}
        langs |= {t.removeprefix("language:") for t in rec["tags"] if t.startswith("language:")}
        langs |= {t for t in rec["tags"] if t in codes}
        assert langs == set(node["languages"])
        licenses = {t.removeprefix("license:") for t in rec["tags"] if t.startswith("license:")}
        if data.get("license") == "???":
            licenses.add("unknown")
        assert licenses == set(node["licenses"])
        assert node["license"] == (node["licenses"][0] if node["licenses"] else None)


def test_edge_children_exist_and_parent_known_means_in_snapshot(sample: Sample) -> None:
    ids = set(sample.nodes)
    for e in sample.edges:
        assert e["child_id"] in ids
        assert e["parent_known"] == (e["parent_id"] in ids)
        assert e["relation"] in RELATIONS
    missing = [e for e in sample.edges if not e["parent_known"]]
    assert missing and {e["child_id"] for e in missing} == sample.broken_ids("missing_parent")


def test_prose_mentions_are_not_declarations(sample: Sample) -> None:
    prose = [e for e in sample.edges if e["declared_via"] == "prose"]
    assert prose
    declaring = {e["child_id"] for e in sample.declared()}
    cards = sample.cards
    for e in prose:
        assert e["child_id"] not in declaring
        assert f"[{e['parent_id']}]({HUB_URL}{e['parent_id']})" in cards[e["child_id"]]["card"]
        assert "fine-tuned version of" in cards[e["child_id"]]["card"]


# --- truth: graph ----------------------------------------------------------------------------
def test_family_ids_are_smallest_ids_of_weak_components(sample: Sample) -> None:
    graph = nx.Graph()
    graph.add_nodes_from(sample.nodes)
    graph.add_edges_from((e["child_id"], e["parent_id"]) for e in sample.declared())
    for component in nx.connected_components(graph):
        family = min(component)
        for model_id in component & sample.nodes.keys():
            assert sample.nodes[model_id]["family_id"] == family


def test_cycles_depths_and_roots_match_a_graph_oracle(sample: Sample) -> None:
    graph = nx.DiGraph()
    graph.add_nodes_from(sample.nodes)
    graph.add_edges_from((e["parent_id"], e["child_id"]) for e in sample.declared(known_only=True))
    cyclic = {v for scc in nx.strongly_connected_components(graph) if len(scc) > 1 for v in scc}
    cyclic |= {v for v, _ in nx.selfloop_edges(graph)}
    assert cyclic == {m for m, n in sample.nodes.items() if n["in_cycle"]}
    assert cyclic == sample.broken_ids("self_loop") | sample.broken_ids("cycle")

    dag = graph.copy()
    dag.remove_edges_from([(u, v) for u, v in graph.edges if u in cyclic and v in cyclic])
    dmin: dict[str, int] = {}
    dmax: dict[str, int] = {}
    for v in nx.topological_sort(dag):
        parents = list(dag.predecessors(v))
        dmin[v] = 1 + min(dmin[p] for p in parents) if parents else 0
        dmax[v] = 1 + max(dmax[p] for p in parents) if parents else 0
    for model_id, node in sample.nodes.items():
        assert (node["depth_min"], node["depth_max"]) == (dmin[model_id], dmax[model_id])
        root = node["root_id"]
        assert sample.nodes[root]["depth_min"] == 0
        assert nx.shortest_path_length(dag, root, model_id) == node["depth_min"]


def test_showcase_structures_exist(sample: Sample) -> None:
    nodes = sample.nodes.values()
    assert max(n["depth_min"] for n in nodes) >= 6
    assert any(n["depth_min"] != n["depth_max"] for n in nodes)  # a diamond
    merge_parents = Counter(e["child_id"] for e in sample.declared() if e["relation"] == "merge")
    assert merge_parents and set(merge_parents.values()) <= {2, 3, 4}
    assert {2, 3} <= set(merge_parents.values())
    assert any(e["child_id"] == e["parent_id"] for e in sample.declared())
    pairs = {(e["child_id"], e["parent_id"]) for e in sample.declared()}
    assert any((p, c) in pairs for c, p in pairs if c != p)  # a 2-cycle
    sizes = sorted(Counter(n["family_id"] for n in nodes).values(), reverse=True)
    assert sizes[0] >= 50 and sizes.count(1) > N // 2  # heavy tail: giants and many singletons


# --- shape -----------------------------------------------------------------------------------
def test_shares_and_relation_mix_follow_the_reference(sample: Sample) -> None:
    with_parent = {e["child_id"] for e in sample.declared()}
    assert 0.27 <= len(with_parent) / N <= 0.33
    mix = Counter(e["relation"] for e in sample.declared(known_only=True))
    assert mix["adapter"] > mix["finetune"] > mix["quantized"] > mix["merge"] > 0
    broken_ids = {b["model_id"] for b in sample.broken}
    assert 0.007 <= len(broken_ids) / N <= 0.015
    assert {b["kind"] for b in sample.broken} == set(shape.BROKEN_KINDS)
    has_card = sum(n["has_card"] for n in sample.nodes.values()) / N
    assert 0.62 <= has_card <= 0.72
    longer_than_3 = sum(len(r["card"] or "") > 3 for r in sample.cards.values()) / N
    assert abs(longer_than_3 - 0.67) < 0.05
    assert sample.manifest["share_with_parent"] == pytest.approx(len(with_parent) / N, abs=1e-4)


def test_broken_rows_look_broken(sample: Sample) -> None:
    cards = sample.cards
    assert all(cards[m]["card"].strip() == "" for m in sample.broken_ids("empty_card"))
    assert all(cards[m]["card"].startswith("Error") for m in sample.broken_ids("scraper_error"))
    junk = [cards[m]["card"] for m in sample.broken_ids("binary_junk")]
    assert junk and all("\x00" in c and "\ufffd" in c for c in junk)
    for kind in ("empty_card", "scraper_error"):
        assert not any(sample.nodes[m]["has_card"] for m in sample.broken_ids(kind))


def test_dates_are_ordered(sample: Sample) -> None:
    cards = sample.cards
    for row in sample.dump:
        assert row["createdAt"] is None or row["createdAt"] < row["last_modified"]
    prose = [(e["child_id"], e["parent_id"]) for e in sample.edges if e["declared_via"] == "prose"]
    for child, parent in [*_known_edges_outside_cycles(sample), *prose]:
        c, p = cards[child]["createdAt"], cards[parent]["createdAt"]
        assert c is None or p is None or p < c
    assert max(r["last_modified"] for r in sample.dump) < "2026-11-01"


def test_snapshot_date_bounds_every_timestamp(tmp_path: Path) -> None:
    gs.generate(1000, 2, tmp_path, snapshot_date="2025-07-01")
    s = _load(tmp_path)
    assert max(r["last_modified"] for r in s.dump) < "2025-07-01"
    assert s.manifest["snapshot_date"] == "2025-07-01"
    cards = s.cards
    for child, parent in _known_edges_outside_cycles(s):
        c, p = cards[child]["createdAt"], cards[parent]["createdAt"]
        assert c is None or p is None or p < c


def test_traits_drift_the_reported_way(sample: Sample) -> None:
    cards = sample.cards
    pairs = [
        (cards[c]["card"], cards[p]["card"])
        for c, p in _known_edges_outside_cycles(sample)
        if cards[c]["card"] and cards[p]["card"]
    ]
    child_len = sum(len(c) for c, _ in pairs) / len(pairs)
    parent_len = sum(len(p) for _, p in pairs) / len(pairs)
    assert parent_len > 1.5 * child_len
    child_auto = sum(_is_auto(c) for c, _ in pairs) / len(pairs)
    parent_auto = sum(_is_auto(p) for _, p in pairs) / len(pairs)
    assert child_auto - parent_auto > 0.15
    langs = [
        (len(sample.nodes[c]["languages"]), len(sample.nodes[p]["languages"]))
        for c, p in _known_edges_outside_cycles(sample)
    ]
    both = [(c, p) for c, p in langs if c and p]
    assert sum(c for c, _ in both) / len(both) < 0.5 * sum(p for _, p in both) / len(both)
    # licenses drift toward permissive: more commercial -> permissive edges than the reverse
    category = {lic: cat for lic, cat, _ in metadata.LICENSES}
    moves: Counter[tuple[str, str]] = Counter()
    for c, p in _known_edges_outside_cycles(sample):
        lc, lp = sample.nodes[c]["license"], sample.nodes[p]["license"]
        if lc and lp and lc != lp:
            moves[category[lp], category[lc]] += 1
    assert moves["commercial", "permissive"] > moves["permissive", "commercial"]


def test_card_similarity_order(sample: Sample) -> None:
    cards = {
        m: _shingles(r["card"]) for m, r in sample.cards.items() if sample.nodes[m]["has_card"]
    }
    parent_of: dict[str, str] = {}
    children: defaultdict[str, list[str]] = defaultdict(list)
    for c, p in _known_edges_outside_cycles(sample):
        if c in cards and p in cards and c != p:
            parent_of.setdefault(c, p)
            children[p].append(c)
    rng = random.Random(0)

    def mean(pairs: list[tuple[str, str]]) -> float:
        pairs = rng.sample(pairs, min(400, len(pairs)))
        return sum(_jaccard(cards[a], cards[b]) for a, b in pairs) / len(pairs)

    siblings = [(k[i], k[i + 1]) for k in children.values() for i in range(len(k) - 1)]
    parent_child = list(parent_of.items())
    grand = [(c, parent_of[p]) for c, p in parent_of.items() if p in parent_of]
    ids = sorted(cards)
    unrelated = [(rng.choice(ids), rng.choice(ids)) for _ in range(400)]
    assert mean(siblings) > mean(parent_child) > mean(grand) > mean(unrelated)


def test_model_index_claims_concentrate_in_token_classification(sample: Sample) -> None:
    with_index = {m for m, n in sample.nodes.items() if n["has_model_index"]}
    records = sample.records
    assert all("model-index" in records[m]["card_data"] for m in with_index)
    overall = len(with_index) / N
    assert 0.02 <= overall <= 0.07
    token = [m for m, r in records.items() if r["pipeline_tag"] == "token-classification"]
    assert sum(m in with_index for m in token) / len(token) > 2 * overall


def test_manifest_reports_the_shape(sample: Sample) -> None:
    m = sample.manifest
    assert m["seed"] == SEED and m["generator_version"] == shape.GENERATOR_VERSION
    declared = sample.declared()
    assert m["edges"]["declared"] == len(declared)
    assert m["edges"]["by_relation"] == dict(Counter(e["relation"] for e in declared))
    assert m["broken"] == {k: len(sample.broken_ids(k)) for k in shape.BROKEN_KINDS}
    sizes = Counter(n["family_id"] for n in sample.nodes.values())
    assert m["family_size_top10"][0]["size"] == max(sizes.values())
    depth = Counter(n["depth_min"] for n in sample.nodes.values())
    assert m["depth_histogram"] == {str(d): depth[d] for d in range(max(depth) + 1)}
    assert sum(m["license_mix"].values()) == N
