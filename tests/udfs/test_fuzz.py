"""Nothing a card or a listing can contain makes the parsers raise or emit unstorable rows."""

import json
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udfs.cards import load_yaml, split_front_matter
from udfs.model_row import MODEL_FIELDS, REJECT_REASONS, parse_model
from udfs.sources import FIELD_ALIASES

FUZZ = settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Fragments that make random text look like cards: front matter, YAML syntax, markdown.
SYNTAX = [*"[]{},:|>'\"#~ \t\n\r\ufeff", "---", "\r\n", "- ", "? ", "&a ", "*a", "!!binary ", "```"]
KEYS = [
    f"{k}: " for k in ("license", "language", "base_model", "base_model_relation", "model-index")
]
VALUES = ["mit", "no", "org/a", "https://hf.co/org/b", "2022-01-01", ".nan", "\udce9", "## "]
PHRASES = ["generated automatically", "Error: the path 'README.md' does not exist"]
CARD_PIECES = st.sampled_from(SYNTAX + KEYS + VALUES + PHRASES + ["metrics: ", "datasets: "])
card_like = st.one_of(st.text(), st.lists(CARD_PIECES, max_size=60).map("".join))
decoded_bytes = st.tuples(st.binary(max_size=400), st.sampled_from(["replace", "surrogateescape"]))

json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.dates()
    | st.datetimes(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
RAW_KEYS = list(FIELD_ALIASES)  # the keys raw_from_record produces, what parse_model reads
META_KEYS = ["license", "language", "datasets", "base_model", "base_model_relation", "tags"]
raw_records = st.fixed_dictionaries(
    {},
    optional={
        "model_id": st.one_of(st.sampled_from(["org/m", "gpt2", " a/b "]), json_like),
        "tags": st.one_of(
            json_like,
            st.lists(
                st.sampled_from(["base_model:finetune:org/a", "license:mit", "en"]) | st.text()
            ),
        ),
        "card": card_like,
        "card_data": st.one_of(
            json_like, st.dictionaries(st.sampled_from(META_KEYS), json_like, max_size=6)
        ),
        **{
            key: json_like
            for key in RAW_KEYS
            if key not in {"model_id", "tags", "card", "card_data"}
        },
    },
)


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def check_row(result):
    row, reason = result
    assert (row is None) != (reason is None)
    if row is None:
        assert reason in REJECT_REASONS
        return
    assert tuple(row) == MODEL_FIELDS
    json.dumps(row, allow_nan=False)
    for text in strings_in(row):
        text.encode("utf-8")
    assert not any(isinstance(v, (date, datetime)) for v in row.values())


@FUZZ
@given(card_like)
def test_split_front_matter_never_raises(text):
    yaml_text, body = split_front_matter(text)
    assert text.removeprefix("\ufeff").endswith(body)
    assert yaml_text is None or yaml_text in text


@FUZZ
@given(card_like)
def test_load_yaml_never_raises(text):
    meta, error = load_yaml(text)
    assert (meta is None) != (error is None)
    assert meta is None or isinstance(meta, dict)


@FUZZ
@given(card_like)
def test_parse_model_never_raises_on_any_card(card):
    check_row(parse_model({"model_id": "org/m", "card": card}))


@FUZZ
@given(decoded_bytes)
def test_parse_model_never_raises_on_decoded_bytes(data_and_errors):
    data, errors = data_and_errors
    card = data.decode("utf-8", errors=errors)
    check_row(parse_model({"model_id": "org/m", "card": card}))
    split_front_matter(card)
    load_yaml(card)


@FUZZ
@given(raw_records)
def test_parse_model_never_raises_on_any_record(record):
    check_row(parse_model(record))


@FUZZ
@given(json_like)
def test_parse_model_never_raises_on_non_records(value):
    check_row(parse_model(value))
