"""Hub links and fenced or listed parents as real cards write them, and cards built to be slow."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.inferred import _fenced_blocks, _merge_lists, card_parent_mentions


def found(body):
    return {(m["parent_id"], m["relation"], m["evidence"]) for m in card_parent_mentions(body)}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "Quantizations of https://huggingface.co/Org/Model-7B.",
            {("Org/Model-7B", "quantized", "prose")},
            id="full stop",
        ),
        pytest.param(
            "A finetune of https://huggingface.co/org/x, trained on y",
            {("org/x", "unknown", "link")},
            id="comma",
        ),
        pytest.param(
            "**Fork of https://huggingface.co/sberbank-ai/rugpt3large_based_on_gpt2**",
            {("sberbank-ai/rugpt3large_based_on_gpt2", "unknown", "link")},
            id="bold markers",
        ),
        pytest.param(
            "cloned from https://huggingface.co/akdeniz27/bert-base-turkish-cased-ner.",
            {("akdeniz27/bert-base-turkish-cased-ner", "unknown", "link")},
            id="2022 card",
        ),
        pytest.param(
            "Try https://hf.co/a/b! Or https://hf.co/c/d? See https://hf.co/e/f; "
            "https://hf.co/g/h: | https://hf.co/i/j| ~~https://hf.co/k/l~~",
            {(f"{a}/{b}", "unknown", "link") for a, b in ["ab", "cd", "ef", "gh", "ij", "kl"]},
            id="other sentence and markdown punctuation",
        ),
        pytest.param(
            "Quants of https://huggingface.co/org/model-v1.5. Also https://hf.co/o/x.git.",
            {("org/model-v1.5", "quantized", "prose"), ("o/x.git", "unknown", "link")},
            id="dots inside an id stay",
        ),
        pytest.param(
            "Fine-tuned version of [x](https://huggingface.co/org/base.), see "
            "https://huggingface.co/org/base/tree/main.",
            {("org/base", "finetune", "prose")},
            id="in a markdown link and after a tree tail",
        ),
    ],
)
def test_a_url_ends_before_the_punctuation_after_it(body, expected):
    assert found(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "written by [gchhablani](https://hf.co/gchhablani)",
        "[Visualize in exBERT](https://huggingface.co/exbert/?model=bert-base-uncased)",
        "Quantized by [TheBloke](https://huggingface.co/TheBloke).",
        "Models of https://huggingface.co/dbmdz and https://huggingface.co/speechbrain/",
        "Fine-tuned version of [bert](https://huggingface.co/exbert/?model=bert-base-uncased)",
        "Fine-tuned version of [me](https://huggingface.co/someone?tab=models) and "
        "[us](https://huggingface.co/some-org#models)",
        "Quantizations of https://huggingface.co/transformers/ made with "
        "https://huggingface.co/autotrain",
        "See https://huggingface.co/languages, https://huggingface.co/inference-endpoints and "
        "https://huggingface.co/terms-of-service.",
        "Fine-tuned version of [bert](https://huggingface.co/transformers/model_doc/bert.html)",
    ],
)
def test_user_organisation_and_site_pages_are_no_parents(body):
    assert found(body) == set()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "This model is a fine-tuned version of [gpt2](https://huggingface.co/gpt2) on x.",
            {("gpt2", "finetune", "prose")},
            id="trainer sentence",
        ),
        pytest.param(
            "Fine-tuned version of [t5](https://huggingface.co/t5-small/tree/main).",
            {("t5-small", "finetune", "prose")},
            id="revision tail",
        ),
        pytest.param(
            "```yaml\nbase_model: https://huggingface.co/bert-base-uncased\n```",
            {("bert-base-uncased", "finetune", "config")},
            id="config",
        ),
        pytest.param(
            "Compare with [GPT-2](https://huggingface.co/gpt2) and https://hf.co/org/m.",
            {("org/m", "unknown", "link")},
            id="a bare link says nothing of a one-segment page",
        ),
    ],
)
def test_namespace_less_models_are_parents_when_a_sentence_or_config_names_them(body, expected):
    assert found(body) == expected


# The regexes `_fenced_blocks` and `_merge_lists` replace: same matches, quadratic time.
FENCE_REGEX = re.compile(r"```[^\n]*\n(.*?)```", re.DOTALL)
MERGE_LIST_REGEX = re.compile(
    r"(?:models were included in the merge|models? merged|merge of the following models)"
    r"[^\n]*\n((?:[ \t]*(?:[*+-]|\d+\.)[^\n]*\n?){1,64})",
    re.IGNORECASE,
)
CARD_PIECES = [
    "```",
    "`",
    "yaml",
    "\n",
    "\r",
    " ",
    "\t",
    "x",
    "* ",
    "- ",
    "+",
    "1.",
    "12",
    "a/b",
    "Models Merged",
    "models were included in the merge",
    "MERGE OF THE FOLLOWING MODELS",
    "model merged",
]


@settings(max_examples=3000)
@given(st.lists(st.sampled_from(CARD_PIECES)))
def test_fences_and_merge_lists_are_what_the_regexes_found(pieces):
    body = "".join(pieces)
    assert list(_fenced_blocks(body)) == [m.group(1) for m in FENCE_REGEX.finditer(body)]
    merge_lists = [m.group(1) for m in MERGE_LIST_REGEX.finditer(body)]
    assert list(_merge_lists(body, body.lower())) == merge_lists


def test_a_merge_list_ends_after_64_items():
    items = "".join(f"* org/m{i}\n" for i in range(70))
    assert len(found("Models merged:\n" + items)) == 64


FENCED_CONFIG = "```yaml\nbase_model: a/x\n```\n"
MERGE_LIST = "The following models were included in the merge:\n* a/x\n* b/y\n\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            FENCED_CONFIG + "```" * 200_000,
            {("a/x", "finetune", "config")},
            id="a line of backticks",
        ),
        pytest.param(
            FENCED_CONFIG + "```yaml\rbase_model: b/y\r```\r" * 100_000,
            {("a/x", "finetune", "config")},
            id="fences in a card with carriage returns only",
        ),
        pytest.param(
            MERGE_LIST + "models merged " * 200_000,
            {("a/x", "merge", "prose"), ("b/y", "merge", "prose")},
            id="a line of merge phrases",
        ),
        pytest.param(
            " ".join(f"https://hf.co/org/m{i}" for i in range(60_000)),
            {(f"org/m{i}", "unknown", "link") for i in range(60_000)},
            id="many links",
        ),
    ],
)
def test_cards_made_to_be_slow_take_linear_time(body, expected):
    """Each card took minutes when matching scanned from every marker to the end of its
    line (or checked every link against every mention found): the suite's runtime is the
    check, as the project times no unit test."""
    assert found(body) == expected
