"""Who a model says its parents are: Hub `base_model:` tags and the card's YAML `base_model`.

The Hub derives tags `base_model:<id>` and `base_model:<relation>:<id>` from the card's YAML
`base_model` and `base_model_relation` (and from the repository's files: an adapter config
makes it an adapter, GGUF weights a quantization). A listing may carry either, or both; this
module merges them into one declaration per parent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from udfs.normalize import clean_text, hub_reference, text_list

BASE_MODEL_TAG = "base_model:"

# When a parent is declared under several relations, the edge keeps the first of this order
# and lists the others. A relation from a Hub tag beats one from YAML base_model_relation
# (the Hub resolves the tag from the YAML and the repository's files); between declarations
# of one kind the more specific relation wins: a merge combines several parents, an adapter
# cannot run without its parent's weights, a quantization is the parent's weights at lower
# precision, and finetune is the Hub's generic default.
RELATION_PRECEDENCE = ("merge", "adapter", "quantized", "finetune")
UNKNOWN_RELATION = "unknown"
INFERRED_MULTI_PARENT_RELATION = "merge"  # DESIGN: several parents, nothing declared -> merge

SOURCE_TAG, SOURCE_YAML, SOURCE_BOTH = "tag", "yaml", "both"

# Hub repo ids, as huggingface_hub's validate_repo_id: "name" or "namespace/name", each part
# letters, digits, "_", "-", "." starting and ending with a letter, digit or "_"; "--" and
# ".." nowhere. Three of its rules are not applied, because the Hub still lists models that
# break them: the 96-character limit (espnet/... names), ASCII only (unicode names) and no
# ".git" ending. Parts may have up to MAX_ID_PART_CHARS.
MAX_ID_PART_CHARS = 256
_ID_PART = rf"[^\W](?:[\w.-]{{0,{MAX_ID_PART_CHARS - 2}}}[^\W])?"
HUB_ID_RE = re.compile(rf"(?:{_ID_PART}/)?{_ID_PART}")
# Sections of a Hub URL a model can be in: a user's namespace (""), or the older
# huggingface.co/models/<id>. Datasets, Spaces, docs and the other sections hold no models.
MODEL_SECTIONS = ("", "models")


def is_valid_id(repo_id: str) -> bool:
    """True for ids the Hub accepts.

    >>> [is_valid_id(i) for i in ["gpt2", "org/name-1.0", "a/b/c", "x--y", "o/ok_", "o/é.git"]]
    [True, True, False, False, True, True]
    """
    return HUB_ID_RE.fullmatch(repo_id) is not None and "--" not in repo_id and ".." not in repo_id


def reference_key(repo_id: str) -> str:
    """The id as references to a model are compared: in lower case (the Hub has one
    repository per id whatever its case) and without a `.git` ending (a git remote names
    the repository). `jobs.inference.id_key` is the same key in Spark.

    >>> reference_key("Org/Model.GIT"), reference_key("org/model")
    ('org/model', 'org/model')
    """
    return repo_id.lower().removesuffix(".git")


def normalize_repo_id(value: Any) -> str | None:
    """A declared model reference as a Hub id, or None when it cannot be one.

    Hub URLs lose their host and any page below the model's (/tree/..., /discussions, ...);
    URLs of datasets, Spaces and the site's other sections are not models. An id without
    namespace stays as is. Only strings are references: YAML numbers (`base_model: 3.5`)
    are not.

    >>> normalize_repo_id(" https://huggingface.co/org/name/tree/main/ ")
    'org/name'
    >>> normalize_repo_id("bert-base-uncased"), normalize_repo_id("my model")
    ('bert-base-uncased', None)
    >>> normalize_repo_id("hf.co/org/name/discussions/3"), normalize_repo_id("hf.co/datasets/imdb")
    ('org/name', None)
    """
    text = clean_text(value) if isinstance(value, str) else None
    if text is None:
        return None
    section, repo_id = hub_reference(text)
    return repo_id if section in MODEL_SECTIONS and is_valid_id(repo_id) else None


def _relation(value: Any) -> str | None:
    text = clean_text(value)
    relation = text.lower() if text else None
    return relation if relation in RELATION_PRECEDENCE else None


@dataclass
class _Declared:
    parent_id: str
    sources: set[str] = field(default_factory=set)
    tag_relations: set[str] = field(default_factory=set)
    yaml_relations: set[str] = field(default_factory=set)


def parse_parents(
    tags: Any, yaml_base_model: Any, yaml_relation: Any, model_id: str | None = None
) -> list[dict[str, Any]]:
    """One declaration per parent: parent_id, relation, source, other_relations.

    `relation` is the declared one by RELATION_PRECEDENCE, else inferred: "merge" when the
    model declares several parents other than itself (`model_id`, compared by
    `reference_key`), "unknown" otherwise. `source` says where the parent was declared
    ("tag", "yaml" or "both"). Ids with one `reference_key` (differing only in case or a
    `.git` ending) are one parent, spelled as the tags spell it, since the Hub writes its
    tags with the repository's id (the first in sort order should they disagree, whatever
    the tags' order), else as the YAML first does. A model naming itself is returned like
    any parent: lineage drops and counts self-references. Sorted by parent_id.

    >>> [parent] = parse_parents(["base_model:adapter:org/a"], "org/a", "finetune")
    >>> parent["parent_id"], parent["relation"], parent["source"], parent["other_relations"]
    ('org/a', 'adapter', 'both', ['finetune'])
    >>> [p["relation"] for p in parse_parents([], ["org/a", "org/b"], None)]
    ['merge', 'merge']
    """
    declared: dict[str, _Declared] = {}  # by reference_key
    for tag in text_list(tags):
        if not tag.startswith(BASE_MODEL_TAG):
            continue
        rest = tag[len(BASE_MODEL_TAG) :]
        head, colon, tail = rest.partition(":")
        relation = _relation(head) if colon else None
        parent_id = normalize_repo_id(tail if relation else rest)
        if parent_id is not None:
            entry = declared.setdefault(reference_key(parent_id), _Declared(parent_id))
            entry.parent_id = min(entry.parent_id, parent_id)
            entry.sources.add(SOURCE_TAG)
            if relation:
                entry.tag_relations.add(relation)
    yaml_declared = _relation(yaml_relation)
    yaml_values = yaml_base_model if isinstance(yaml_base_model, list) else [yaml_base_model]
    for value in yaml_values:
        parent_id = normalize_repo_id(value)
        if parent_id is not None:
            entry = declared.setdefault(reference_key(parent_id), _Declared(parent_id))
            entry.sources.add(SOURCE_YAML)
            if yaml_declared:
                entry.yaml_relations.add(yaml_declared)

    # A self-reference is no parent (lineage drops it): it must not make a lone parent a merge.
    own_key = reference_key(model_id) if model_id is not None else None
    n_parents = sum(1 for key in declared if key != own_key)
    inferred = INFERRED_MULTI_PARENT_RELATION if n_parents > 1 else UNKNOWN_RELATION
    parents = []
    for entry in sorted(declared.values(), key=lambda declaration: declaration.parent_id):
        strongest = entry.tag_relations or entry.yaml_relations
        relation = min(strongest, key=RELATION_PRECEDENCE.index) if strongest else inferred
        others = (entry.tag_relations | entry.yaml_relations) - {relation}
        parents.append(
            {
                "parent_id": entry.parent_id,
                "relation": relation,
                "source": SOURCE_BOTH if len(entry.sources) == 2 else next(iter(entry.sources)),
                "other_relations": sorted(others, key=RELATION_PRECEDENCE.index),
            }
        )
    return parents
