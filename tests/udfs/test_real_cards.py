"""Parse the 5,000 real cards of the shared 2022 sample (skipped only in a clone without
`../shared`)."""

import gzip
import json
from collections import Counter

import pytest

from tests.components import shared_file
from tests.udfs.test_cards import pyyaml, yaml_outcome
from udfs.cards import safe_load, split_front_matter
from udfs.model_row import parse_model

SAMPLE = "data/hub-2022-sample.jsonl.gz"
N_ROWS = 5000

pytestmark = pytest.mark.slow


def raw_from_dump(record):
    """The card-dataset source's columns, mapped to parse_model's raw record."""
    return {
        "model_id": record.get("modelId"),
        "author": record.get("author"),
        "created_at": record.get("createdAt"),
        "last_modified": record.get("last_modified"),
        "downloads": record.get("downloads"),
        "likes": record.get("likes"),
        "library_name": record.get("library_name"),
        "pipeline_tag": record.get("pipeline_tag"),
        "tags": record.get("tags"),
        "card": record.get("card"),
        "card_data": None,
        "files": None,
    }


@pytest.fixture(scope="module")
def results():
    with gzip.open(shared_file(SAMPLE), "rt", encoding="utf-8") as lines:
        return [parse_model(raw_from_dump(json.loads(line))) for line in lines]


def test_real_cards_counts(results):
    rows = [row for row, _ in results if row is not None]
    rejects = Counter(reason for row, reason in results if row is None)
    counts = {
        "parsed": len(rows),
        "rejected": sum(rejects.values()),
        "front_matter": sum(row["has_front_matter"] for row in rows),
        "yaml_error": sum(row["yaml_error"] is not None for row in rows),
        "error_page": sum(row["is_error_page"] for row in rows),
        "has_card": sum(row["has_card"] for row in rows),
        "auto_generated": sum(row["auto_generated"] for row in rows),
        "model_index": sum(row["has_model_index"] for row in rows),
        "with_licenses": sum(bool(row["licenses"]) for row in rows),
        "with_languages": sum(bool(row["languages"]) for row in rows),
        "with_base_models": sum(bool(row["base_models"]) for row in rows),
    }
    print(counts, dict(rejects))
    assert counts["parsed"] + counts["rejected"] == N_ROWS
    assert counts["rejected"] <= 10
    assert counts["error_page"] == 300  # the slice's documented scraper-error rows
    assert 3500 <= counts["front_matter"] <= 4500
    assert counts["yaml_error"] <= 50
    kinds = ("ParserError", "ScannerError", "ConstructorError", "not a mapping", "ValueError")
    assert all(row["yaml_error"].startswith(kinds) for row in rows if row["yaml_error"])
    assert counts["has_card"] >= 4500
    assert 300 <= counts["model_index"] <= 1500
    assert 1500 <= counts["with_licenses"] <= counts["front_matter"]
    # Feb 2022 predates the Hub's base_model metadata: (almost) no declared parents.
    assert counts["with_base_models"] <= 50


def test_batch_signatures_of_real_cards_equal_datasketch():
    """The vectorised Sketcher against datasketch's own MinHash (same hash function), and its
    template score against a set Jaccard of shingle strings, on every real card: longer,
    more templated and more duplicated than generated ones."""
    from datasketch import MinHash

    from udfs.cards import TEMPLATE_PATH, render_template
    from udfs.minhash import Sketcher, card_shingles, shingle_hash

    with gzip.open(shared_file(SAMPLE), "rt", encoding="utf-8") as lines:
        cards = [json.loads(line).get("card") for line in lines]
    sketches = Sketcher(num_perm=128, seed=1, shingle_size=3).sketch(cards)
    compared = 0
    template = card_shingles(render_template(TEMPLATE_PATH.read_text(encoding="utf-8")), 3)
    for card, signature, count, template_score in zip(cards, *sketches, strict=True):
        shingles = card_shingles(card, 3)
        assert count == len(shingles)
        overlap = len(shingles & template) / len(shingles | template) if shingles else 0.0
        assert template_score == overlap
        if not shingles:
            assert signature is None
            continue
        reference = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash)
        reference.update_batch(list(shingles))
        assert signature is not None and signature.tobytes() == reference.hashvalues.tobytes()
        compared += 1
    assert compared > 4500  # nearly every real card has words


def test_front_matter_of_every_real_card_loads_as_pyyaml_loads_it():
    """The fast YAML path against PyYAML on the real 2022 front matter, broken blocks too."""
    with gzip.open(shared_file(SAMPLE), "rt", encoding="utf-8") as lines:
        cards = [json.loads(line).get("card") for line in lines]
    blocks = [split_front_matter(card)[0] for card in cards if isinstance(card, str)]
    blocks = [block for block in blocks if block is not None]
    assert len(blocks) > 3000
    differing = [b for b in blocks if yaml_outcome(safe_load, b) != yaml_outcome(pyyaml, b)]
    assert differing == []
