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


def test_a_self_reference_does_not_make_the_one_real_parent_a_merge():
    """Lineage drops the self-reference; the other parent is a lone parent, not one of a
    merge (which `no_merges` and `finetune_only` would leave out)."""
    got = parse_parents(["base_model:org/me", "base_model:org/base"], None, None, "Org/Me")
    assert got == [parent("org/base", "unknown", "tag"), parent("org/me", "unknown", "tag")]
    two = parse_parents(["base_model:org/a", "base_model:org/b"], None, None, "org/me")
    assert [p["relation"] for p in two] == ["merge", "merge"]
    git_self = parse_parents(["base_model:org/base"], "https://hf.co/org/me.git", None, "org/me")
    assert [(p["parent_id"], p["relation"]) for p in git_self] == [
        ("org/base", "unknown"),
        ("org/me.git", "unknown"),
    ]


def test_a_git_remote_and_the_id_are_one_parent():
    """Lineage reads `org/base.git` as `org/base`: two entries would be two edges, a merge."""
    got = parse_parents(["base_model:org/base"], "https://huggingface.co/org/base.git", None)
    assert got == [parent("org/base", "unknown", "both")]


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


@pytest.mark.parametrize(
    "sub_page",
    [
        "raw/main/config.json",
        "blob/main/README.md",
        "edit/main/README.md",
        "resolve/main/model.safetensors",
        "tree/main",
        "commit/abc123",
        "commits/main",
        "discussions",
        "discussions/3",
        "community",
        "settings",
        "tensorboard",
    ],
)
def test_model_page_sub_paths_name_the_model(sub_page):
    assert normalize_repo_id(f"https://huggingface.co/org/name/{sub_page}") == "org/name"


def test_sub_page_cut_keeps_models_named_like_a_sub_page():
    assert normalize_repo_id("org/tree") == "org/tree"
    assert normalize_repo_id("https://huggingface.co/org/tree/tree/main") == "org/tree"
    assert normalize_repo_id("https://huggingface.co/gpt2/raw/main/config.json") == "gpt2"


@pytest.mark.parametrize(
    "url",
    [
        "https://huggingface.co/datasets/imdb",
        "https://huggingface.co/datasets/org/set",
        "https://huggingface.co/spaces/gradio",
        "https://huggingface.co/spaces/gradio/x",
        "https://HuggingFace.co/Spaces/gradio/x/tree/main",
        "https://huggingface.co/docs/transformers",
        "https://huggingface.co/blog/lora",
        "https://huggingface.co/papers/2106.09685",
        "https://huggingface.co/docs",
        "https://huggingface.co/models",
        "https://huggingface.co/models?other=llama",
    ],
)
def test_hub_urls_of_pages_that_are_not_models_are_not_parents(url):
    assert normalize_repo_id(url) is None
    assert parse_parents([], url, "finetune") == []


def test_old_models_url_form_names_the_model():
    assert normalize_repo_id("https://huggingface.co/models/org/name") == "org/name"
    assert normalize_repo_id("huggingface.co/models/org/name/tree/main") == "org/name"


def test_parents_differing_only_in_case_are_one_parent_spelled_as_the_tags():
    tags = ["base_model:meta-llama/Llama-2-7b-hf", "base_model:finetune:meta-llama/Llama-2-7b-hf"]
    assert parse_parents(tags, "meta-llama/llama-2-7b-hf", None) == [
        parent("meta-llama/Llama-2-7b-hf", "finetune", "both")
    ]


def test_yaml_parents_differing_only_in_case_keep_the_first_spelling():
    assert parse_parents([], ["Org/A", "org/a"], "adapter") == [parent("Org/A", "adapter", "yaml")]
    assert parse_parents(["base_model:Org/A"], ["org/a", "org/b"], None) == [
        parent("Org/A", "merge", "both"),
        parent("org/b", "merge", "yaml"),
    ]


def test_tag_spelling_does_not_depend_on_tag_order():
    tags = ["base_model:finetune:Org/a", "base_model:Org/A"]
    assert parse_parents(tags, None, None) == parse_parents(tags[::-1], None, None)
    assert parse_parents(tags, None, None) == [parent("Org/A", "finetune", "tag")]
