import pytest

from udfs.parents import RELATION_PRECEDENCE, is_valid_id, normalize_repo_id, parse_parents


def parent(parent_id, relation, source, other_relations=()):
    return {
        "parent_id": parent_id,
        "relation": relation,
        "source": source,
        "other_relations": list(other_relations),
    }


def test_tag_without_relation():
    assert parse_parents(["base_model:org/a", "pytorch"], None, None) == [
        parent("org/a", "unknown", "tag")
    ]


@pytest.mark.parametrize("relation", RELATION_PRECEDENCE)
def test_tag_with_relation(relation):
    tags = ["base_model:org/a", f"base_model:{relation}:org/a"]
    assert parse_parents(tags, None, None) == [parent("org/a", relation, "tag")]


def test_yaml_string_and_relation():
    assert parse_parents(None, "org/a", "Quantized") == [parent("org/a", "quantized", "yaml")]


def test_yaml_list_and_empty_list():
    assert parse_parents([], ["org/b", "org/a", "org/a"], "merge") == [
        parent("org/a", "merge", "yaml"),
        parent("org/b", "merge", "yaml"),
    ]
    assert parse_parents([], [], None) == []
    assert parse_parents([], None, "finetune") == []


def test_tag_and_yaml_give_source_both():
    tags = ["base_model:org/a", "base_model:finetune:org/a"]
    assert parse_parents(tags, "org/a", None) == [parent("org/a", "finetune", "both")]


def test_tag_relation_beats_yaml_relation():
    tags = ["base_model:finetune:org/a"]
    assert parse_parents(tags, "org/a", "merge") == [parent("org/a", "finetune", "both", ["merge"])]


def test_conflicting_tag_relations_follow_precedence():
    tags = [
        "base_model:finetune:org/a",
        "base_model:quantized:org/a",
        "base_model:adapter:org/a",
    ]
    assert parse_parents(tags, None, None) == [
        parent("org/a", "adapter", "tag", ["quantized", "finetune"])
    ]


def test_several_parents_without_relation_are_a_merge():
    assert parse_parents(["base_model:org/a"], ["org/b"], None) == [
        parent("org/a", "merge", "tag"),
        parent("org/b", "merge", "yaml"),
    ]


def test_inference_only_fills_undeclared_relations():
    tags = ["base_model:org/a", "base_model:finetune:org/a", "base_model:org/b"]
    assert parse_parents(tags, None, None) == [
        parent("org/a", "finetune", "tag"),
        parent("org/b", "merge", "tag"),
    ]


def test_url_and_no_namespace_ids():
    yaml_base = [
        "https://huggingface.co/org/a/tree/main/",
        "huggingface.co/org/b/",
        "http://hf.co/org/c?x=1",
        "bert-base-uncased",
    ]
    assert [p["parent_id"] for p in parse_parents([], yaml_base, None)] == [
        "bert-base-uncased",
        "org/a",
        "org/b",
        "org/c",
    ]


def test_invalid_ids_are_ignored():
    yaml_base = ["", "   ", "my model", "a/b/c", "org/x--y", None, 3.5, {"id": "org/a"}]
    tags = ["base_model:", "base_model:finetune:", "base_model:foo:org/a", "base_model:org/ b"]
    assert parse_parents(tags, yaml_base, None) == []


def test_unknown_yaml_relation_is_not_declared():
    assert parse_parents([], "org/a", "distillation") == [parent("org/a", "unknown", "yaml")]


def test_self_reference_is_returned():
    assert parse_parents(["base_model:org/me"], "org/me", None) == [
        parent("org/me", "unknown", "both")
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("org/name", "org/name"),
        (" org/name/ ", "org/name"),
        ("https://huggingface.co/org/name/blob/main/config.json", "org/name"),
        ("https://huggingface.co/datasets/org/name", None),
        ("gpt2", "gpt2"),
        ("org/name.git", "org/name.git"),  # such repos exist on the Hub
        ("ku-nlp/deberta-ü-日本語", "ku-nlp/deberta-ü-日本語"),
        ("org/.name", None),
        ("org/na..me", None),
        ("x" * 300, None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_repo_id(value, expected):
    assert normalize_repo_id(value) == expected


def test_long_legacy_names_are_valid():
    assert is_valid_id("espnet/" + "a_" * 60 + "valid.acc.ave")
