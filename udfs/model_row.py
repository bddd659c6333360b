"""One input record -> one row of the models table, or the reason it cannot be a model.

Every source (Hub listing, card dumps, the Anatomy CSV) is first mapped to the same raw dict:
model_id, author, created_at, last_modified, downloads, likes, library_name, pipeline_tag,
tags, card, card_data (the listing's already-parsed YAML), files and card_error (why the
README could not be fetched, when the source says). Only a record without a
usable model id is rejected; a model with a broken or missing card is still a model, with
yaml_error and the card facts saying what is wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from udfs.cards import Card, card_facts, read_card
from udfs.inferred import card_parent_mentions
from udfs.minhash import template_score
from udfs.normalize import (
    clean_text,
    normalize_count,
    normalize_datasets,
    normalize_languages,
    normalize_library,
    normalize_licenses,
    normalize_slug,
    normalize_tags,
    normalize_timestamp,
    text_list,
    without_lone_surrogates,
)
from udfs.parents import is_valid_id, parse_parents

MODEL_FIELDS = (
    "model_id",
    "author",
    "created_at",
    "last_modified",
    "downloads",
    "likes",
    "library_name",
    "pipeline_tag",
    "tags",
    "licenses",
    "languages",
    "datasets",
    "base_models",
    "parent_mentions",
    "has_front_matter",
    "yaml_error",
    "has_card",
    "card_chars",
    "card_words",
    "auto_generated",
    "template_score",
    "has_model_index",
    "n_model_index_metrics",
    "sections",
    "is_error_page",
    "files",
    "card_sha1",
    "card_error",
)

NOT_A_RECORD = "not_a_record"  # the input row is not a mapping at all
MISSING_ID = "missing_id"  # no model id, or an empty one
INVALID_ID = "invalid_id"  # not a string, or not a Hub id (udfs.parents.is_valid_id)
REJECT_REASONS = frozenset({NOT_A_RECORD, MISSING_ID, INVALID_ID})


def _check_id(value: Any) -> tuple[str | None, str | None]:
    """(model id, None) or (None, reject reason); surrounding whitespace is not part of an id."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, MISSING_ID
    if not isinstance(value, str) or not is_valid_id(value.strip()):
        return None, INVALID_ID
    return value.strip(), None


def utf8_card(value: Any) -> tuple[str | None, str | None]:
    """(card text, its SHA-1) with lone surrogates replaced, so Arrow can store what we derive."""
    if not isinstance(value, str):
        return None, None
    text = without_lone_surrogates(value)
    return text, hashlib.sha1(text.encode("utf-8")).hexdigest()


def storable_id(value: Any) -> str | None:
    """An input row's id as a reject row can hold it: text, lone surrogates replaced.
    A reject keeps what came in, so an id that is not a string is kept as its text.

    >>> storable_id("org/m\\ud800"), storable_id(123), storable_id(None)
    ('org/m�', '123', None)
    """
    if value is None:
        return None
    return without_lone_surrogates(value if isinstance(value, str) else str(value))


def parse_model(
    raw: Any, *, score_template: bool = True
) -> tuple[dict[str, Any] | None, str | None]:
    """(model row with exactly MODEL_FIELDS, None) or (None, a reason in REJECT_REASONS).

    `score_template=False` leaves `template_score` None for a caller that sketches the
    card anyway (ingest sketches a batch at once and takes the score from the sketch).

    Metadata comes from the card's YAML, key by key falling back to the listing's card_data;
    library_name and pipeline_tag prefer the listing's top-level value (the Hub's resolved
    one); tags fall back to the YAML tags only when the source has none. Never raises.

    >>> row, reason = parse_model({"model_id": "org/m", "card": "---\\nlicense: MIT\\n---\\nHi"})
    >>> row["licenses"], row["author"], row["has_front_matter"], reason
    (['mit'], 'org', True, None)
    >>> parse_model({"model_id": "bad id"})
    (None, 'invalid_id')
    """
    row, reason, _ = parse_model_card(raw, score_template=score_template)
    return row, reason


def parse_model_card(
    raw: Any, *, score_template: bool = True
) -> tuple[dict[str, Any] | None, str | None, Card | None]:
    """`parse_model`, and the card it read (None without one): ingest sketches the card from
    its lowered body, split and lowercased once here."""
    if not isinstance(raw, Mapping):
        return None, NOT_A_RECORD, None
    model_id, reason = _check_id(raw.get("model_id"))
    if model_id is None:
        return None, reason, None

    card_text, card_sha1 = utf8_card(raw.get("card"))
    card = read_card(card_text) if card_text is not None else None
    listing = raw.get("card_data")
    meta: dict[Any, Any] = dict(listing) if isinstance(listing, Mapping) else {}
    if card is not None and card.meta:
        meta.update((key, value) for key, value in card.meta.items() if value is not None)

    raw_tags = raw.get("tags")
    tags = normalize_tags(raw_tags if raw_tags is not None else meta.get("tags"))
    files = raw.get("files")
    namespace, slash, _ = model_id.partition("/")
    facts = card_facts(card, meta)
    if score_template and facts["has_card"]:
        facts["template_score"] = template_score(card_text)
    row = {
        "model_id": model_id,
        "author": clean_text(raw.get("author")) or (namespace if slash else None),
        "created_at": normalize_timestamp(raw.get("created_at")),
        "last_modified": normalize_timestamp(raw.get("last_modified")),
        "downloads": normalize_count(raw.get("downloads")),
        "likes": normalize_count(raw.get("likes")),
        "library_name": normalize_library(raw.get("library_name"))
        or normalize_library(meta.get("library_name")),
        "pipeline_tag": normalize_slug(raw.get("pipeline_tag"))
        or normalize_slug(meta.get("pipeline_tag")),
        "tags": tags,
        "licenses": normalize_licenses(meta.get("license"), tags),
        "languages": normalize_languages(meta.get("language"), tags, meta.get("tags")),
        "datasets": normalize_datasets(meta.get("datasets"), tags),
        "base_models": parse_parents(
            tags, meta.get("base_model"), meta.get("base_model_relation"), model_id
        ),
        "parent_mentions": (
            card_parent_mentions(card.body, card.lowered_body) if card is not None else []
        ),
        "has_front_matter": card is not None and card.yaml_text is not None,
        "yaml_error": card.yaml_error if card is not None else None,
        **facts,
        "files": text_list(files) if isinstance(files, (list, tuple)) else None,
        "card_sha1": card_sha1,
        "card_error": clean_text(raw.get("card_error")),
    }
    return row, None, card
