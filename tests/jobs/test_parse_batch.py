"""Ingest's batch function without Spark: a parsed batch's signatures and prose mentions
are those of the stored card, whichever path (columns or JSON lines) parsed it."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st
from pyspark.sql.pandas.types import to_arrow_schema

from jobs import schemas
from jobs.config import load_config
from jobs.ingest import UNPACKED_SIGNATURES, packed_signatures, parse_batch, signature_lists
from udfs.cards import split_front_matter
from udfs.inferred import card_parent_mentions
from udfs.minhash import Sketcher, to_list

CONFIG = load_config().similarity
SKETCHER = Sketcher(CONFIG.num_perm, CONFIG.seed, CONFIG.shingle_size)
PARSED = to_arrow_schema(schemas.PARSED)
SIGNATURES = to_arrow_schema(UNPACKED_SIGNATURES)

# Pieces real cards are made of: characters whose lowercase is longer (İ), a byte-order
# mark, CRLF, a lone surrogate, and prose naming a parent in any letter case.
PIECES = st.sampled_from(
    [
        "---\nlicense: mit\n---\n",
        "\ufeff---\r\nlicense: apache-2.0\r\n---\r\n",
        "# Model card\n",
        "This model is a fine-tuned version of [bert](https://huggingface.co/google/bert) ",
        "GGUF Quants of `Org/Model-7B`. ",
        "A FINE-TUNED VERSION OF [Bert](https://huggingface.co/Google/Bert-Base) ",
        "İstanbul ẞtraße ΣΑΣ ",
        "<p align='center'>Hi&nbsp;there</p> ",
        "see https://huggingface.co/a/b and [x](https://x.io/d). ",
        "bad \udce9 text ",
        "the quick brown fox jumps over the lazy dog ",
        "\n\n",
    ]
)
CARDS = st.lists(st.none() | st.lists(PIECES, max_size=8).map("".join), min_size=1, max_size=6)


def _check(out: pa.RecordBatch) -> None:
    for row in out.to_pylist():
        if row["reject_reason"] is not None:
            continue
        card = row["card"]
        if card is None:
            assert row["minhash"] is None and row["n_shingles"] is None
            continue
        sketch = SKETCHER.sketch([card])
        signature = sketch.signatures[0]
        packed = row["minhash"]
        assert (None if packed is None else to_list(np.frombuffer(packed, "<u4"))) == (
            None if signature is None else to_list(signature)
        )
        assert row["n_shingles"] == sketch.n_shingles[0]
        assert row["template_score"] == sketch.template_scores[0]
        assert row["parent_mentions"] == card_parent_mentions(split_front_matter(card)[1])


@settings(max_examples=120, deadline=None, database=None)
@given(CARDS)
def test_a_parquet_batch_is_sketched_as_its_stored_cards(cards: list[str | None]) -> None:
    cards = [c.replace("\udce9", "\u00e9") if c else c for c in cards]  # Arrow holds UTF-8
    batch = pa.RecordBatch.from_pydict(
        {
            "modelId": [f"org/m{i}" for i in range(len(cards))],
            "card": cards,
            "source_file": ["file:/in/part-0.parquet"] * len(cards),
        }
    )
    _check(parse_batch(batch, "parquet", "", 200_000, SKETCHER, PARSED))


@settings(max_examples=60, deadline=None, database=None)
@given(CARDS)
def test_a_json_lines_batch_is_sketched_as_its_stored_cards(cards: list[str | None]) -> None:
    lines = [json.dumps({"modelId": f"org/m{i}", "card": c}) for i, c in enumerate(cards)]
    batch = pa.RecordBatch.from_pydict(
        {"line": lines, "source_file": ["file:/in/cards.jsonl"] * len(cards)}
    )
    _check(parse_batch(batch, "jsonl", "", 200_000, SKETCHER, PARSED))


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.lists(st.none() | st.lists(st.integers(0, 2**32 - 1), min_size=4, max_size=4), max_size=12),
    st.integers(0, 3),
    st.sampled_from([pa.binary(), pa.large_binary()]),
)
def test_packed_signatures_unpack_to_the_tables_lists(
    signatures: list[list[int] | None], skip: int, binary: pa.DataType
) -> None:
    packed = packed_signatures([None if s is None else np.array(s, np.uint32) for s in signatures])
    packed = packed.cast(binary)  # how Spark sends it, by `arrow.useLargeVarTypes`
    batch = pa.RecordBatch.from_arrays(
        [
            pa.array([f"org/m{i}" for i in range(len(signatures))]),
            packed,
            pa.array([i for i in range(len(signatures))], pa.int32()),
        ],
        names=["model_id", "minhash", "n_shingles"],
    )
    carded = batch.filter(pc.is_valid(packed)).slice(skip)  # a slice starts past offset 0
    out = signature_lists(carded, SIGNATURES).to_pylist()
    kept = [(i, s) for i, s in enumerate(signatures) if s is not None][skip:]
    assert out == [{"model_id": f"org/m{i}", "minhash": s, "n_shingles": i} for i, s in kept]
    assert packed.null_count == sum(s is None for s in signatures)


def test_ids_a_reject_row_cannot_hold_as_they_came_are_rejected_not_fatal() -> None:
    """A JSON id with a lone surrogate once failed the whole Arrow batch (and the job) when
    its reject row was built; ids that are not strings became models `123` and `True`."""
    lines = ['{"id": "org/m\\ud800"}', '{"id": 123}', '{"id": true}', '{"id": "org/fine"}']
    batch = pa.RecordBatch.from_pydict({"line": lines, "source_file": ["file:/in/l.jsonl"] * 4})
    rows = parse_batch(batch, "jsonl", "", 200_000, SKETCHER, PARSED).to_pylist()
    assert [(r["model_id"], r["raw_id"], r["reject_reason"]) for r in rows] == [
        (None, "org/m\ufffd", "invalid_id"),
        (None, "123", "invalid_id"),
        (None, "True", "invalid_id"),
        ("org/fine", "org/fine", None),
    ]
