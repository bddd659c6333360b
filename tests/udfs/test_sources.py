import datetime as dt
import json

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.sources import (
    FIELD_ALIASES,
    decode_card_bytes,
    model_id_from_readme_path,
    raw_from_record,
    raw_records,
    record_from_json_line,
)


def test_card_dump_columns_map_to_raw_keys() -> None:
    raw = raw_from_record(
        {
            "modelId": "org/m",
            "author": "org",
            "createdAt": None,
            "last_modified": "2021-10-28T17:14:26.000Z",
            "downloads": 3,
            "likes": 0,
            "library_name": "transformers",
            "tags": ["pytorch", "base_model:gpt2"],
            "pipeline_tag": "text-generation",
            "card": "---\nlicense: mit\n---\nhi",
        }
    )
    assert raw["model_id"] == "org/m"
    assert raw["last_modified"] == "2021-10-28T17:14:26.000Z"
    assert raw["created_at"] is None
    assert raw["tags"] == ["pytorch", "base_model:gpt2"]
    assert raw["card_data"] is None and raw["files"] is None


def test_hub_listing_columns_map_to_raw_keys() -> None:
    raw = raw_from_record(
        {
            "id": "org/m",
            "created_at": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
            "card_data": {"license": "mit", "base_model": ["a/b"]},
            "siblings": [{"rfilename": "model.safetensors"}, {"rfilename": "README.md"}],
        }
    )
    assert raw["model_id"] == "org/m"
    assert raw["created_at"] == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert raw["card_data"] == {"license": "mit", "base_model": ["a/b"]}
    assert raw["files"] == ["model.safetensors", "README.md"]


def test_csv_text_values_are_coerced() -> None:
    raw = raw_from_record(
        {
            "id": "m",
            "tags": "['a', 'b']",
            "downloads": "12",
            "likes": "x",
            "cardData": '{"license": "mit"}',
            "siblings": "[{'rfilename': 'a.bin'}]",
        }
    )
    assert raw["tags"] == ["a", "b"]
    assert raw["card_data"] == {"license": "mit"}
    assert raw["files"] == ["a.bin"]


def test_anatomy_csv_row_maps_card_card_data_parents_and_the_scrape_failure() -> None:
    """A row of the paper's CSV as Spark reads it: every value text, lists as Python reprs,
    `cardData` flattened by json_normalize, the README in `modelCard`."""
    row = {
        "_c0": "7",
        "_id": "0000000000000000000007",
        "model_id": "org/m.v1",
        "modelId": "org/m.v1",
        "tags": "['transformers', 'license:mit']",
        "siblings": "[{'rfilename': 'README.md'}, {'rfilename': 'pytorch_model.bin'}]",
        "cardData.license": "mit",
        "cardData.language": "['en', 'fr']",
        "cardData.co2_eq_emissions.emissions": "12.5",
        "cardData.base_model": None,
        "modelCard": "---\nlicense: mit\n---\n# m",
        "ratelimit_retries": "0",
        "exception_raised": None,
        "parent_model": "['base']",
        "finetune_parent": "[]",
        "quantized_parent": "['base']",
        "adapter_parent": "[]",
        "merge_parent": "[]",
        "languages": "['en', 'fr']",
    }
    raw = raw_from_record(row)
    assert raw["model_id"] == "org/m.v1"
    assert raw["card"] == "---\nlicense: mit\n---\n# m"
    assert raw["card_data"] == {
        "license": "mit",
        "language": ["en", "fr"],
        "co2_eq_emissions": {"emissions": "12.5"},
    }
    assert raw["tags"] == [
        "transformers",
        "license:mit",
        "base_model:base",
        "base_model:quantized:base",
    ]
    assert raw["files"] == ["README.md", "pytorch_model.bin"]
    assert raw["card_error"] is None
    # Tags that already name a parent win over the notebook's columns.
    tagged = raw_from_record({**row, "tags": "['base_model:adapter:other']"})
    assert tagged["tags"] == ["base_model:adapter:other"]
    failed = raw_from_record({**row, "modelCard": None, "exception_raised": "404 Client Error"})
    assert failed["card"] is None and failed["card_error"] == "404 Client Error"


def test_comma_separated_tags() -> None:
    raw = raw_from_record({"id": "m", "tags": "a, b,,c", "lastModified": 1_700_000_000_000})
    assert raw["tags"] == ["a", "b", "c"]
    assert raw["last_modified"] == 1_700_000_000_000


@pytest.mark.parametrize(
    ("line", "error"),
    [("", "empty_line"), ("   ", "empty_line"), ("{oops", "invalid_json"), ("[1]", "invalid_json")],
)
def test_bad_json_lines_give_errors(line: str, error: str) -> None:
    assert record_from_json_line(line) == (None, error)


def test_readme_paths_give_model_ids() -> None:
    root = "file:///data/cards"
    assert model_id_from_readme_path("file:/data/cards/org/m/README.md", root) == "org/m"
    assert model_id_from_readme_path("file:/data/cards/gpt2/README.md", root) == "gpt2"
    assert model_id_from_readme_path("file:/data/cards/README.md", root) is None
    assert model_id_from_readme_path("file:/elsewhere/a/b/README.md", root) is None


def test_a_long_json_list_written_as_text_is_read_whole() -> None:
    """The literal cap guards `ast.literal_eval`; JSON of any length is read (a repo of
    3,000 files lists them in 155,000 characters)."""
    files = [f"shard-{i:05d}-of-03000.safetensors" for i in range(3000)]
    as_json = json.dumps([{"rfilename": name} for name in files])
    assert len(as_json) > 100_000
    assert raw_from_record({"id": "org/m", "siblings": as_json})["files"] == files


@pytest.mark.parametrize("value", [123, 1.5, True, ["org/m"]])
def test_an_id_that_is_not_text_stays_as_it_came_for_the_row_to_reject(value: object) -> None:
    raw = raw_from_record({"id": value})
    assert raw["model_id"] == value
    batch = raw_records(pa.RecordBatch.from_pylist([{"id": "org/m"}]))
    assert batch[0]["model_id"] == "org/m"


def test_undecodable_card_bytes_become_replacement_characters() -> None:
    assert decode_card_bytes(b"ok \xff\xfe") == "ok \ufffd\ufffd"
    assert decode_card_bytes(None) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "modelId",
                "tags",
                "siblings",
                "cardData",
                "downloads",
                "createdAt",
                "card",
                "likes",
            ]
        ),
        json_values,
    )
)
def test_any_record_maps_without_raising(record: dict) -> None:
    raw = raw_from_record(record)
    assert raw["tags"] is None or all(isinstance(t, str) for t in raw["tags"])
    assert raw["files"] is None or all(isinstance(f, str) for f in raw["files"])


@settings(deadline=None)
@given(st.text())
def test_any_line_decodes_without_raising(line: str) -> None:
    record, error = record_from_json_line(line)
    assert (record is None) != (error is None)


# Columns of the types Parquet and CSV inputs give ingest, under the names sources use.
text_values = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
COLUMN_TYPES = {
    "string": (
        pa.string(),
        st.none()
        | text_values
        | st.sampled_from(["['a', None]", " x, y ,", "{'license': 'mit'}", "[{'rfilename': 'f'}]"]),
    ),
    "large_string": (pa.large_string(), st.none() | text_values),
    "int": (pa.int64(), st.none() | st.integers(-(2**63), 2**63 - 1)),
    "list": (pa.list_(pa.string()), st.none() | st.lists(st.none() | text_values, max_size=3)),
    "struct": (
        pa.struct([("license", pa.string())]),
        st.none() | st.fixed_dictionaries({"license": st.none() | text_values}),
    ),
    "files": (
        pa.list_(pa.struct([("rfilename", pa.string())])),
        st.none() | st.lists(st.fixed_dictionaries({"rfilename": text_values}), max_size=2),
    ),
}
COLUMN_NAMES = [
    *(name for aliases in FIELD_ALIASES.values() for name in aliases),
    "sha",
    "parent_model",
    "cardData/license",
]


@st.composite
def record_batches(draw) -> pa.RecordBatch:
    n_rows = draw(st.integers(0, 4))
    names = draw(st.lists(st.sampled_from(COLUMN_NAMES), unique=True, max_size=8))
    arrays = []
    for _ in names:
        arrow_type, values = COLUMN_TYPES[draw(st.sampled_from(sorted(COLUMN_TYPES)))]
        arrays.append(
            pa.array(draw(st.lists(values, min_size=n_rows, max_size=n_rows)), arrow_type)
        )
    return pa.RecordBatch.from_arrays(arrays, names=names)


@settings(deadline=None, max_examples=300)
@given(record_batches())
def test_a_batch_maps_a_column_at_a_time_to_what_each_row_maps_to(batch: pa.RecordBatch) -> None:
    assert raw_records(batch) == [raw_from_record(record) for record in batch.to_pylist()]


def test_the_first_alias_with_a_value_wins_in_each_row() -> None:
    batch = pa.RecordBatch.from_pydict(
        {"id": ["x/1", "x/2", None], "modelId": [None, "m/2", None], "card": ["a", None, "c"]}
    )
    assert [(raw["model_id"], raw["card"]) for raw in raw_records(batch)] == [
        ("x/1", "a"),
        ("m/2", None),
        (None, "c"),
    ]
