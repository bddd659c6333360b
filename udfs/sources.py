"""Turn one input record of any source format into the source-neutral raw dict.

The four formats (DESIGN.md "Sources") name the same facts differently: `modelId` or
`id`, `createdAt` or `created_at`, `cardData` or `card_data`, `siblings` as a list of
`{"rfilename": ...}`. One alias table maps them all, and values are coerced to the
types `udfs.model_row.parse_model` expects, without ever raising.

The Anatomy paper's CSV (`ecosystem-csv`) is the listing JSON flattened by pandas
`json_normalize` (`cardData.license`, ...) with the README in `modelCard`, the scrape's
failure in `exception_raised`, parents in `parent_model` and `<relation>_parent`
columns, and lists as Python reprs; those are read back into the same raw dict. The
paper's notebooks also write the listing record whole, as the Python repr of a dict, in a
`fullJson` column (`index,modelId,fullJson,Metadata,ModelCard` for the cards they
scraped): its keys fill the columns the row lacks.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa

# raw key -> accepted source column names, first match wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "model_id": ("model_id", "modelId", "id"),
    "author": ("author",),
    "created_at": ("created_at", "createdAt"),
    "last_modified": ("last_modified", "lastModified"),
    "downloads": ("downloads",),
    "likes": ("likes",),
    "library_name": ("library_name", "libraryName"),
    "pipeline_tag": ("pipeline_tag", "pipelineTag"),
    "tags": ("tags",),
    "card": ("card", "card_text", "readme", "text", "modelCard", "ModelCard", "model_card"),
    "card_data": ("card_data", "cardData"),
    "files": ("siblings", "files"),
    "card_error": ("card_error", "exception_raised"),
}
# The Anatomy CSV's parent columns -> the relation of the Hub tag they were made from.
PARENT_COLUMNS = {
    "parent_model": None,
    "finetune_parent": "finetune",
    "quantized_parent": "quantized",
    "adapter_parent": "adapter",
    "merge_parent": "merge",
}
# pandas `json_normalize` joins nested keys with "."; ingest reads them with "/" (Spark
# treats a dot in a column name as a struct field).
FLAT_SEPARATOR = "/"
FLATTENED_CARD_DATA = "cardData"
# A column holding the whole listing record (the Anatomy notebooks' `fullJson`).
LISTING_RECORD_COLUMNS = ("fullJson", "full_json")
# Raw keys whose value is text (`_text`).
TEXT_KEYS = ("author", "library_name", "pipeline_tag", "card", "card_error")

MAX_LITERAL_CHARS = 100_000


def record_from_json_line(line: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """Decode one JSON-lines record; a bad line gives an error instead of raising.

    >>> record_from_json_line('{"id": "a/b"}')
    ({'id': 'a/b'}, None)
    >>> record_from_json_line('{oops')[1]
    'invalid_json'
    """
    if line is None or not line.strip():
        return None, "empty_line"
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None, "invalid_json"
    if not isinstance(value, dict):
        return None, "invalid_json"
    return value, None


def raw_from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """Map a record's columns onto the raw keys; lists and mappings written as text are read.

    Scalars (dates, counts) pass through as they come: `parse_model`'s normalisers own
    their rules.

    >>> raw = raw_from_record({"modelId": "a/b", "tags": "['x', 'y']", "downloads": "7"})
    >>> raw["model_id"], raw["tags"], raw["downloads"]
    ('a/b', ['x', 'y'], '7')
    >>> raw = raw_from_record({"modelId": "a/b", "fullJson": "{'id': 'a/b', 'likes': 3}"})
    >>> raw["model_id"], raw["likes"]
    ('a/b', 3)
    """
    listing = _mapping(_first(record, LISTING_RECORD_COLUMNS))
    if listing is not None:
        record = {**listing, **{k: v for k, v in record.items() if v is not None and v != ""}}
    picked = {key: _first(record, names) for key, names in FIELD_ALIASES.items()}
    card_data = _mapping(picked["card_data"])
    if card_data is None:
        card_data = _unflatten(record, FLATTENED_CARD_DATA)
    tags = _string_list(picked["tags"])
    if not any(tag.startswith("base_model:") for tag in tags or ()):
        tags = [*(tags or ()), *_parent_column_tags(record)] or tags
    return {
        "model_id": _id_text(picked["model_id"]),
        "author": _text(picked["author"]),
        "created_at": picked["created_at"],
        "last_modified": picked["last_modified"],
        "downloads": picked["downloads"],
        "likes": picked["likes"],
        "library_name": _text(picked["library_name"]),
        "pipeline_tag": _text(picked["pipeline_tag"]),
        "tags": tags,
        "card": _text(picked["card"]),
        "card_data": card_data,
        "files": _file_names(picked["files"]),
        "card_error": _text(picked["card_error"]),
    }


def raw_records(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    """`raw_from_record` of every row of an Arrow batch (the same dicts), mapped a column
    at a time: each raw key's columns are found once per batch, not once per row, and a
    column of strings is already text. A batch with flattened columns (`cardData.license`),
    parent columns or a whole listing record (the Anatomy CSV's), or a repeated column
    name, goes row by row.

    >>> batch = pa.RecordBatch.from_pydict({"modelId": ["a/b", None], "id": ["x", "c/d"]})
    >>> [raw["model_id"] for raw in raw_records(batch)]
    ['a/b', 'c/d']
    """
    names = batch.schema.names
    if len(set(names)) < len(names) or any(
        name in PARENT_COLUMNS or name in LISTING_RECORD_COLUMNS or len(_flat_keys(name)) > 1
        for name in names
    ):
        return [raw_from_record(record) for record in batch.to_pylist()]
    columns: dict[str, list[Any]] = {}
    for key, aliases in FIELD_ALIASES.items():
        present = [name for name in aliases if name in names]
        values = _coalesced([batch.column(name).to_pylist() for name in present], batch.num_rows)
        rule = _COLUMN_RULES.get(key)
        if rule in (_text, _id_text) and all(_is_text(batch.schema.field(n).type) for n in present):
            rule = None  # strings are text already
        columns[key] = values if rule is None else [*map(rule, values)]
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _coalesced(columns: list[list[Any]], n_rows: int) -> list[Any]:
    """Per row, the first value that is not None (`_first` over whole columns)."""
    if not columns:
        return [None] * n_rows
    if len(columns) == 1:
        return columns[0]
    return [next((v for v in row if v is not None), None) for row in zip(*columns, strict=True)]


def _is_text(arrow_type: pa.DataType) -> bool:
    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _flat_keys(column: str) -> list[str]:
    """A column name's key path as `json_normalize` wrote it (`/` as ingest reads `.`)."""
    return column.replace(FLAT_SEPARATOR, ".").split(".")


def _unflatten(record: Mapping[str, Any], prefix: str) -> dict[str, Any] | None:
    """Columns `prefix.a.b` (pandas `json_normalize`; `/` as read by ingest) back into
    `{"a": {"b": ...}}`; None when there are no such values.

    >>> _unflatten({"cardData.license": "mit", "cardData/x/y": "['a']", "id": 1}, "cardData")
    {'license': 'mit', 'x': {'y': ['a']}}
    """
    found: dict[str, Any] = {}
    for column, value in record.items():
        keys = _flat_keys(column)
        if len(keys) < 2 or keys[0] != prefix or value is None or value == "":
            continue
        if isinstance(value, str) and value.lstrip().startswith(("[", "{")):
            parsed = _parse_literal(value.strip())
            value = value if parsed is None else parsed
        *path, leaf = keys[1:]
        node = found
        for key in path:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node[leaf] = value
    return found or None


def _parent_column_tags(record: Mapping[str, Any]) -> list[str]:
    """The Anatomy CSV's parent columns as the Hub tags they stand for, for rows whose
    tags do not carry them.

    >>> _parent_column_tags({"parent_model": "['a/b']", "quantized_parent": "['a/b']"})
    ['base_model:a/b', 'base_model:quantized:a/b']
    """
    tags = []
    for column, relation in PARENT_COLUMNS.items():
        for parent in _string_list(record.get(column)) or ():
            tags.append(f"base_model:{relation}:{parent}" if relation else f"base_model:{parent}")
    return tags


def model_id_from_readme_path(path: str, root: str) -> str | None:
    """A README folder holds `<root>/<namespace>/<name>/README.md` (or `<root>/<name>/...`).

    `path` is Spark's name for the file (`file:/data/my cards/org/m/README.md`: not
    percent-encoded), `root` the folder's absolute path written the same way.

    >>> model_id_from_readme_path("file:/data/cards/org/m/README.md", "file:/data/cards")
    'org/m'
    >>> root = "/data/mes cartes 100%"
    >>> model_id_from_readme_path(f"file:{root}/gpt2/README.md", root)
    'gpt2'
    """
    try:
        rel = PurePosixPath(_strip_scheme(path)).relative_to(_strip_scheme(root).rstrip("/") or "/")
    except ValueError:
        return None
    parts = rel.parts[:-1]
    if len(parts) not in (1, 2):
        return None
    return "/".join(parts)


def decode_card_bytes(content: bytes | None) -> str | None:
    """README bytes as text; undecodable bytes become U+FFFD rather than failing the row."""
    if content is None:
        return None
    return content.decode("utf-8", errors="replace")


def _strip_scheme(path: str) -> str:
    for prefix in ("file://", "file:"):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def _first(record: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if name in record and record[name] is not None:
            return record[name]
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)


def _id_text(value: Any) -> Any:
    """An id as text, when it is text: an id that is not a string (`{"id": 123}`) stays as it
    is, for `parse_model` to reject as invalid rather than turn into model `123`.

    >>> _id_text(b"org/m"), _id_text(True)
    ('org/m', True)
    """
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _parse_literal(value: str) -> Any:
    """A list or dict written as text (CSV exports): JSON first, then a Python literal.
    JSON of any length (its parser is linear); a Python literal only up to
    MAX_LITERAL_CHARS, which bounds what `ast.literal_eval` may cost."""
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        pass
    if len(value) > MAX_LITERAL_CHARS:
        return None
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _string_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            value = _parse_literal(stripped)
        else:
            value = [part for part in (p.strip() for p in stripped.split(",")) if part]
    if not isinstance(value, list | tuple):
        return None
    return [item if isinstance(item, str) else str(item) for item in value if item is not None]


def _mapping(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        value = _parse_literal(value.strip())
    return dict(value) if isinstance(value, Mapping) else None


def _file_names(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = _parse_literal(value.strip())
    if not isinstance(value, list | tuple):
        return None
    names = []
    for item in value:
        if isinstance(item, Mapping):
            item = item.get("rfilename")
        if isinstance(item, str):
            names.append(item)
    return names


# How `raw_records` turns a column's values into a raw key's, as `raw_from_record` does.
_COLUMN_RULES = {
    **{key: _text for key in TEXT_KEYS},
    "model_id": _id_text,
    "tags": _string_list,
    "card_data": _mapping,
    "files": _file_names,
}
