import hashlib
import json
from datetime import date

import pytest

from udfs.model_row import MODEL_FIELDS, REJECT_REASONS, parse_model

CARD = """---
license: MIT
language: [en, fr-FR]
datasets: glue
base_model: https://huggingface.co/org/base/tree/main
base_model_relation: adapter
library_name: peft
tags: [lora]
---
# My adapter
A LoRA adapter for [the base](https://huggingface.co/org/base).
"""


def raw(**fields):
    record = {
        "model_id": "me/model",
        "author": "me",
        "created_at": "2024-01-02T03:04:05.000Z",
        "last_modified": "2024-02-03T04:05:06.000Z",
        "downloads": 10,
        "likes": 2,
        "library_name": None,
        "pipeline_tag": "text-generation",
        "tags": ["pytorch", "base_model:org/base", "base_model:adapter:org/base"],
        "card": CARD,
        "card_data": None,
        "files": ["README.md", "adapter_config.json"],
    }
    record.update(fields)
    return record


def parsed(**fields):
    row, reason = parse_model(raw(**fields))
    assert reason is None
    assert row is not None
    return row


def test_row_has_exactly_the_model_fields_in_order():
    assert tuple(parsed()) == MODEL_FIELDS


def test_full_row():
    row = parsed()
    assert row == {
        "model_id": "me/model",
        "author": "me",
        "created_at": "2024-01-02T03:04:05",
        "last_modified": "2024-02-03T04:05:06",
        "downloads": 10,
        "likes": 2,
        "library_name": "peft",
        "pipeline_tag": "text-generation",
        "tags": ["base_model:adapter:org/base", "base_model:org/base", "pytorch"],
        "licenses": ["mit"],
        "languages": ["en", "fr"],
        "datasets": ["glue"],
        "base_models": [
            {
                "parent_id": "org/base",
                "relation": "adapter",
                "source": "both",
                "other_relations": [],
            }
        ],
        "parent_mentions": [{"parent_id": "org/base", "relation": "adapter", "evidence": "prose"}],
        "has_front_matter": True,
        "yaml_error": None,
        "has_card": True,
        "card_chars": len(CARD),
        "card_words": len(CARD.split()),
        "auto_generated": False,
        "template_score": 0.0,  # its one shingle, "my adapter text", is not the template's
        "has_model_index": False,
        "n_model_index_metrics": 0,
        "sections": ["my adapter"],
        "is_error_page": False,
        "files": ["README.md", "adapter_config.json"],
        "card_sha1": hashlib.sha1(CARD.encode()).hexdigest(),
        "card_error": None,
    }


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"model_id": None}, "missing_id"),
        ({}, "missing_id"),
        ({"model_id": ""}, "missing_id"),
        ({"model_id": "  "}, "missing_id"),
        ({"model_id": 42}, "invalid_id"),
        ({"model_id": ["org/a"]}, "invalid_id"),
        ({"model_id": "org/my model"}, "invalid_id"),
        ({"model_id": "a/b/c"}, "invalid_id"),
        ({"model_id": "org/x--y"}, "invalid_id"),
        ({"model_id": "org/x..y"}, "invalid_id"),
        ({"model_id": "org/-x"}, "invalid_id"),
        ({"model_id": "org/x y"}, "invalid_id"),
    ],
)
def test_rejects(record, reason):
    assert parse_model(record) == (None, reason)
    assert reason in REJECT_REASONS


def test_not_a_mapping_is_rejected():
    assert parse_model(["org/a"]) == (None, "not_a_record")


def test_minimal_record_is_a_model():
    row, reason = parse_model({"model_id": " gpt2 "})
    assert reason is None
    assert row is not None
    assert row["model_id"] == "gpt2"
    assert row["author"] is None
    assert row["tags"] == []
    assert row["has_card"] is False
    assert row["has_front_matter"] is False
    assert row["template_score"] is None
    assert row["files"] is None
    assert row["card_sha1"] is None


def test_author_defaults_to_namespace():
    assert parsed(author=None)["author"] == "me"


def test_junk_card_is_still_a_model():
    row = parsed(card="---\nlicense: [mit\n---\n# Body", tags=["license:apache-2.0"])
    assert row["has_front_matter"] is True
    assert row["yaml_error"] == "ParserError: while parsing a flow sequence"
    assert row["licenses"] == ["apache-2.0"]
    assert row["sections"] == ["body"]


def test_card_yaml_preferred_key_by_key_over_card_data():
    card_data = {"license": "apache-2.0", "datasets": ["squad"], "language": None}
    row = parsed(card=CARD, card_data=card_data, tags=[])
    assert row["licenses"] == ["mit"]
    assert row["datasets"] == ["glue"]
    assert row["languages"] == ["en", "fr"]
    row = parsed(card="---\nlicense: null\n---\n", card_data=card_data, tags=[])
    assert row["licenses"] == ["apache-2.0"]
    assert row["datasets"] == ["squad"]


def test_card_data_used_without_card():
    card_data = {
        "license": "cc-by-4.0",
        "base_model": ["org/a", "org/b"],
        "model-index": [{"results": [{"metrics": [{"type": "acc", "value": 1}]}]}],
    }
    row = parsed(card=None, card_data=card_data, tags=[])
    assert row["licenses"] == ["cc-by-4.0"]
    assert [p["relation"] for p in row["base_models"]] == ["merge", "merge"]
    assert (row["has_model_index"], row["n_model_index_metrics"]) == (True, 1)
    assert row["has_card"] is False


def test_listing_library_and_pipeline_win_over_yaml():
    row = parsed(library_name="Transformers", pipeline_tag=None)
    assert row["library_name"] == "transformers"
    assert row["pipeline_tag"] is None
    row = parsed(pipeline_tag=None, card="---\npipeline_tag: Text-Classification\n---\n")
    assert row["pipeline_tag"] == "text-classification"


def test_yaml_tags_used_only_without_source_tags():
    assert parsed(tags=None)["tags"] == ["lora"]
    assert parsed(tags=[])["tags"] == []


def test_junk_scalars_become_none():
    row = parsed(downloads="lots", likes=-3, created_at="yesterday", last_modified=17)
    assert (row["downloads"], row["likes"], row["created_at"], row["last_modified"]) == (
        None,
        None,
        None,
        None,
    )


def test_row_is_json_safe_when_yaml_has_dates_and_surrogates():
    card = "---\nlicense: 2022-01-01\ndatasets: [2022-01-01, d\udce9]\n---\n# Titl\udce9\n"
    row = parsed(card=card, author="m\udce9", files=["a\udce9"], tags=["t\udce9"])
    json.dumps(row, allow_nan=False)
    assert row["licenses"] == ["unknown"]
    assert row["datasets"] == ["2022-01-01", "d\ufffd"]
    assert row["sections"] == ["titl\ufffd"]
    stored = card.replace("\udce9", "\ufffd")
    assert row["card_sha1"] == hashlib.sha1(stored.encode("utf-8")).hexdigest()
    assert (row["author"], row["files"], row["tags"]) == ("m\ufffd", ["a\ufffd"], ["t\ufffd"])


def test_a_lone_surrogate_at_the_start_of_a_yaml_value_leaves_the_rest_readable():
    """Replaced by "?" it became YAML's mapping-key indicator, and the whole front matter
    failed to load (no license, no parents)."""
    row = parsed(card="---\nlicense: mit\nwidget:\n- text: \udcf0\n---\nx", tags=[])
    assert row["yaml_error"] is None and row["licenses"] == ["mit"]


def test_yaml_dates_in_card_data_are_strings():
    row = parsed(card=None, card_data={"datasets": date(2022, 1, 1)}, tags=[])
    assert row["datasets"] == ["2022-01-01"]


def test_the_reason_a_readme_could_not_be_fetched_is_kept() -> None:
    row = parsed(card=None, card_error="GatedRepo")
    assert (row["has_card"], row["card_error"]) == (False, "GatedRepo")
