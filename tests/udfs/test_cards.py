import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from huggingface_hub.repocard import REGEX_YAML_BLOCK
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.cards import (
    _HEADING_RE,
    FRONT_MATTER_RE,
    MAX_YAML_NESTING,
    TEMPLATE_PATH,
    card_facts,
    load_yaml,
    model_index_metrics,
    read_card,
    render_template,
    safe_load,
    section_headings,
    split_front_matter,
    word_count,
)
from udfs.minhash import template_score
from udfs.model_row import parse_model

FIXTURES = Path(__file__).parent / "fixtures"


def rendered_template_body() -> str:
    return split_front_matter(render_template(TEMPLATE_PATH.read_text(encoding="utf-8")))[1]


# --- front matter --------------------------------------------------------------------------


def test_front_matter_rule_is_the_hubs():
    assert FRONT_MATTER_RE.pattern == REGEX_YAML_BLOCK.pattern


@pytest.mark.parametrize(
    "text",
    [
        "---\nlicense: mit\n---\nBody",
        "---\r\nlicense: mit\r\n---\r\nBody",
        "---\rlicense: mit\r---\nBody",
        "\ufeff---\nlicense: mit\n---\nBody",
        "\n\n  ---\nlicense: mit\n---   \nBody",
    ],
    ids=["lf", "crlf", "cr", "bom", "leading-whitespace"],
)
def test_split_front_matter_line_endings(text):
    assert split_front_matter(text) == ("license: mit", "Body")


def test_split_front_matter_closing_line_at_end_of_text():
    assert split_front_matter("---\na: 1\n---") == ("a: 1", "")
    assert split_front_matter("---\ra: 1\r---") == ("a: 1", "")


def test_split_front_matter_cr_after_closing_line_is_not_a_block_as_on_the_hub():
    text = "---\ra: 1\r---\rBody"
    assert split_front_matter(text) == (None, text)
    assert REGEX_YAML_BLOCK.search(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "# Title\n---\na: 1\n---\n",
        "no front matter",
        "",
        "---\na: 1\n(never closed)",
        "--- a\n---\n",
    ],
)
def test_split_front_matter_without_block(text):
    assert split_front_matter(text) == (None, text)


def test_split_front_matter_keeps_later_rules_in_body():
    yaml_text, body = split_front_matter("---\na: 1\n---\ntext\n---\nmore")
    assert (yaml_text, body) == ("a: 1", "text\n---\nmore")


# --- YAML ----------------------------------------------------------------------------------


def test_load_yaml_mapping_keeps_yaml_types():
    meta, error = load_yaml("license: mit\ndate: 2022-01-31\nlanguage: no\nn: 3")
    assert error is None
    assert meta is not None
    assert meta["license"] == "mit"
    assert str(meta["date"]) == "2022-01-31"
    assert meta["language"] is False
    assert meta["n"] == 3


@pytest.mark.parametrize("yaml_text", ["", "# only a comment"])
def test_load_yaml_empty_block_is_empty_metadata(yaml_text):
    assert load_yaml(yaml_text) == ({}, None)


def test_load_yaml_none_is_no_metadata():
    assert load_yaml(None) == (None, None)


@pytest.mark.parametrize(
    ("yaml_text", "error_start"),
    [
        ("tags:text-classification", "not a mapping: str"),
        ("- a\n- b", "not a mapping: list"),
        ("a: [1,", "ParserError"),
        ("a: b: c", "ScannerError"),
        ("a: 1\n\ta: 2", "ScannerError"),
        ("d: 2022-13-45", "ValueError"),
        ("a: !!python/object:os.system x", "ConstructorError"),
        ("[" * 30_000, "nested deeper"),
        ("a:\n" + "- " * 30_000 + "x", "nested deeper"),
    ],
)
def test_load_yaml_errors_are_returned(yaml_text, error_start):
    meta, error = load_yaml(yaml_text)
    assert meta is None
    assert error is not None
    assert error.startswith(error_start)


def test_closing_brackets_before_deep_nesting_do_not_hide_it_from_the_guard():
    """Closing brackets in a quoted value once cancelled the opening ones of a deep flow list
    after them; libyaml then recursed until the process died (rc 139 at 100,000 levels).
    Loaded in a child process, so the old code fails this test instead of killing pytest."""
    program = (
        "from udfs.cards import load_yaml\n"
        "n = 100_000\n"
        'text = "a: \'" + "]" * n + "\'\\nb: " + "[" * n + "]" * n\n'
        "print(load_yaml(text))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("(None, 'nested deeper")


def test_load_yaml_accepts_ordinary_nesting_and_big_flow_lists():
    nested = "a:" + "".join(f"\n{'  ' * depth}b{depth}:" for depth in range(1, 50)) + " x"
    assert load_yaml(nested)[1] is None
    big = "scores: [" + ", ".join(["[1, 2]"] * (MAX_YAML_NESTING * 2)) + "]"
    assert load_yaml(big)[1] is None


def yaml_outcome(load, text: str) -> tuple[str, ...]:
    """What loading `text` gives, typed: `repr` tells `1` from `True` and keeps key order."""
    try:
        return ("value", repr(load(text)))
    except Exception as exc:
        return ("error", type(exc).__name__, str(exc))


def pyyaml(text: str):
    return yaml.load(text, Loader=yaml.CSafeLoader)


PYYAML_CORNERS = [
    "license: mit\ntags: [a, b]",
    "license: null\n- mit",
    "a: &x [1, 2]\nb: *x",
    "base: &b {license: mit}\nmodel:\n  <<: *b\n  name: x",
    "<<: [{a: 1}, {b: 2}]\nc: 3",
    "=: value\nother: 1",
    "d: 2022-01-31\nt: 2001-12-14t21:59:43.10-05:00\nu: 2001-12-14 21:59:43.10 -5",
    "d: 2022-13-45",
    "s: !!set {a, b}\no: !!omap [a: 1, b: 2]\np: !!pairs [a: 1]\nb: !!binary aGk=",
    "x: !!str 12\ny: !!int '7'\nz: !!float '1'\nm: !!map {a: 1}\nq: !!seq [1]",
    "w: !!bool maybe",
    "v: !!int x",
    "m: !!map x",
    "[a, b]: 1",
    "{a: 1}: 2",
    "? [x]\n: y",
    "a: 1\na: 2\nb: 3\na: 4",
    "n: [0x1F, 0o17, 017, 1_000, 1:30, -0b101, +12, 0, -0, 0b]",
    "f: [.inf, -.Inf, .NaN, 1e3, 1.5e-3, 6.8523015e+5, 1_0.5, 190:20:30.15, .5, 1.]",
    "b: [yes, No, ON, off, y, n, true, False, ~, null, Null, '', \"\"]",
    "a: !custom x",
    "a: !!python/object:os.system x",
    "recursive: &r [*r]",
    "a: &a [1]\nb: &b [*a, *a]\nc: [*b, *b]",
    "k: &k key\n*k : value",
    "empty:\nlist: []\nmap: {}",
    "unicode: 'é'\n'ключ': значение\nemoji: 🤗",
    "multi: |\n  line1\n  line2\nfolded: >\n  a\n  b",
    "1: int key\n1.5: float key\ntrue: bool key\nnull: null key\n2022-01-01: date key",
    "model-index:\n- name: m\n  results:\n  - metrics:\n    - {type: acc, value: 0.9}",
    "tags:\n- a\n- - nested\n  - list\n- {k: v}",
    "%YAML 1.1\n---\na: 1",
    "a: 1\n---\nb: 2",
    "",
    "just text",
    "- a\n- b",
]


@pytest.mark.parametrize("text", PYYAML_CORNERS)
def test_safe_load_is_pyyamls_on_corner_cases(text):
    """The fast path builds plain documents itself; everything else must still be PyYAML's
    value or PyYAML's error, word for word."""
    assert yaml_outcome(safe_load, text) == yaml_outcome(pyyaml, text)


def test_safe_load_shares_an_aliased_value_as_pyyaml_does():
    """Built once per alias: nine aliases of nine aliases, nine levels deep, would
    otherwise be billions of copies (here five levels, so that `repr` stays small)."""
    laughs = "a: &a [x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcd", "bcde", strict=True)
    )
    loaded = safe_load(laughs)
    assert loaded["e"][0] is loaded["e"][8] is loaded["d"]
    assert yaml_outcome(safe_load, laughs) == yaml_outcome(pyyaml, laughs)


YAML_PIECES = [
    "a", "b", "license", "é", ":", ": ", " ", "  ", "\n", "\n  ", "- ", "[", "]", "{", "}",
    ", ", "&x ", "*x", "&y ", "*y", "<<", "=", "? ", "!!str ", "!!int ", "!!set ", "!!map ",
    "!!binary ", "!t ", "yes", "No", "~", "null", "0x1F", "017", "1_0", "1:30", ".inf",
    ".NaN", "1e3", "-", "2022-01-31", "2022-13-45", "'", '"', "#", "|", ">", "%", "---",
]  # fmt: skip


@given(st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join))
@settings(max_examples=3000, deadline=None)
def test_safe_load_is_pyyamls_on_any_text_from_yaml_pieces(text):
    assert yaml_outcome(safe_load, text) == yaml_outcome(pyyaml, text)


SIMPLE_KEYS = ["license", "tags", "yes", "On", "null", "NULL", "n", "a_b", "x-y", "_k", "k1"]
SIMPLE_VALUES = [
    "mit", "Apache-2.0", "yes", "No", "~", "null", "0x1F", "0o17", "017", "1_0", "0b101",
    "+12", "1.5", "1.", ".5", ".inf", ".NaN", "._", "1e3", "1.5e+3", "2022-01-31",
    "2022-13-45", "=", "=x", "a b", "a  b", "a, b", "(x)", "x/y", "...", "---", "0", "09",
    "-1", "a #b", "a: b", "'q'", "é", "a ", "x=1",
]  # fmt: skip
SIMPLE_LINES = st.one_of(
    st.builds("{}: {}".format, st.sampled_from(SIMPLE_KEYS), st.sampled_from(SIMPLE_VALUES)),
    st.builds("{}:".format, st.sampled_from(SIMPLE_KEYS)),
    st.builds(
        "{}- {}".format, st.sampled_from(["", " ", "  ", "    "]), st.sampled_from(SIMPLE_VALUES)
    ),
    st.sampled_from(["", "  name: x", "# comment", "a:b", "---"]),
)


@given(st.lists(SIMPLE_LINES, min_size=1, max_size=8).map("\n".join))
@settings(max_examples=3000, deadline=None)
def test_safe_load_is_pyyamls_on_key_value_lines_and_lists(text):
    """The line-by-line path for simple front matter (`key: value`, `key:` and lists),
    on the scalars YAML 1.1 types (booleans, numbers, nulls, dates) and the lines near it
    that it must leave to libyaml."""
    assert yaml_outcome(safe_load, text) == yaml_outcome(pyyaml, text)


PLAIN_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(PLAIN_VALUES, st.booleans())
@settings(max_examples=500, deadline=None)
def test_safe_load_is_pyyamls_on_dumped_documents(value, flow):
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert yaml_outcome(safe_load, text) == yaml_outcome(pyyaml, text)


def test_read_card_broken_yaml_keeps_body():
    card = read_card("---\na: [1,\n---\n# Body")
    assert card.meta is None
    assert card.yaml_error == "ParserError: while parsing a flow node"
    assert card.body == "# Body"


# --- card facts ----------------------------------------------------------------------------


def test_trainer_card_facts():
    text = (FIXTURES / "trainer_card.md").read_text(encoding="utf-8")
    facts = card_facts(text)
    assert facts["has_card"] is True
    assert facts["auto_generated"] is True
    assert facts["has_model_index"] is True
    assert facts["n_model_index_metrics"] == 3
    assert facts["is_error_page"] is False
    assert facts["card_chars"] == len(text)
    assert facts["card_words"] == len(text.split())
    assert facts["sections"] == [
        "tiny-bert-imdb",
        "model description",
        "intended uses & limitations",
        "training procedure",
        "training hyperparameters",
        "framework versions",
    ]
    assert 0.0 <= template_score(text) < 0.2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!-- This model card has been generated automatically -->", True),
        ("This card was AUTOMATICALLY GENERATED by a script.", True),
        ("Weights generated automatically from a checkpoint.", True),
        ("Generated by hand, automatically checked.", False),
    ],
)
def test_auto_generated(text, expected):
    assert card_facts(text)["auto_generated"] is expected


@pytest.mark.parametrize(
    ("text", "has_card"), [("", False), ("   \n\t ", False), (" abc ", False), ("abcd", True)]
)
def test_has_card_needs_more_than_three_characters(text, has_card):
    facts = card_facts(text)
    assert facts["has_card"] is has_card
    row, _ = parse_model({"model_id": "org/m", "card": text})
    assert row is not None and (row["template_score"] is None) is not has_card


def test_no_card_facts():
    facts = card_facts(None)
    assert facts["has_card"] is False
    assert facts["card_chars"] == 0
    assert facts["sections"] == []


def test_error_page_is_flagged_and_counts_as_no_card():
    facts = card_facts("Error: the path 'README.md' does not exist in the given tree")
    assert facts["is_error_page"] is True
    assert facts["has_card"] is False
    assert facts["card_chars"] == 0
    row, _ = parse_model({"model_id": "org/m", "card": "Error: the path 'x' does not exist"})
    assert row is not None and row["template_score"] is None
    assert card_facts("# Error: the path 'x' does not exist")["is_error_page"] is False
    long_card = "Error: the path 'README.md' does not exist\n" + "text " * 200
    assert card_facts(long_card)["is_error_page"] is False


def test_template_score_high_for_the_template_and_low_for_prose():
    assert template_score(rendered_template_body()) == 1.0
    prose = (
        "The river bends twice before it reaches the town, and in spring the water runs "
        "brown with snow melt from the mountains. Fishermen wait on the bridge at dawn."
    )
    assert template_score(prose) < 0.05


def test_template_score_for_a_partly_filled_template():
    body = rendered_template_body().replace(
        "[More Information Needed]", "A model for detecting spam in short messages.", 10
    )
    assert 0.5 < template_score(body) < 1.0


def test_template_render_drops_jinja_and_keeps_defaults():
    rendered = render_template(TEMPLATE_PATH.read_text(encoding="utf-8"))
    assert "{{" not in rendered
    assert "{%" not in rendered
    assert "# Model Card for Model ID" in rendered
    assert "[More Information Needed]" in rendered


def test_template_score_of_body_without_words():
    assert template_score("---\nlicense: mit\n---\n") == 0.0
    row, _ = parse_model({"model_id": "org/m", "card": "---\nlicense: mit\n---\n"})
    assert row is not None and row["template_score"] == 0.0


# --- model-index ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (None, (False, 0)),
        ({}, (False, 0)),
        ({"model-index": []}, (False, 0)),
        ({"model-index": "yes"}, (False, 0)),
        ({"model-index": [{"name": "x"}]}, (True, 0)),
        ({"model-index": [{"results": [{"metrics": [{}, {}]}, {"metrics": [{}]}]}]}, (True, 3)),
        ({"model-index": [{"results": [{"metrics": "f1"}, "junk"]}, "junk", None]}, (True, 0)),
        (
            {"model-index": [{"results": [{"metrics": [{}]}]}, {"results": [{"metrics": [{}]}]}]},
            (True, 2),
        ),
    ],
)
def test_model_index_metrics(meta, expected):
    assert model_index_metrics(meta) == expected


def test_model_index_with_yaml_aliases_counts_each_occurrence():
    yaml_text = "r: &r [{metrics: [a, b]}]\nmodel-index:\n- {results: *r}\n- {results: *r}"
    meta, _ = load_yaml(yaml_text)
    assert model_index_metrics(meta) == (True, 4)


def test_card_facts_counts_model_index_in_given_metadata():
    meta = {"model-index": [{"results": [{"metrics": [{"type": "f1"}]}]}]}
    facts = card_facts("# Card without front matter", meta)
    assert (facts["has_model_index"], facts["n_model_index_metrics"]) == (True, 1)


# --- sections ------------------------------------------------------------------------------


def test_section_headings_normalised():
    body = (
        "# Model Card for [Foo](https://x.y)\n"
        "## Uses [optional]\n"
        "### 1. **Direct Use:**\n"
        "#### <b>Bias</b> ###\n"
        "####### seven hashes is not a heading\n"
        "#no space is not a heading\n"
        "~~~\n# inside tildes\n~~~\n"
        "## uses\n"
        "## C#\n"
    )
    assert section_headings(body) == ["model card for foo", "uses", "direct use", "bias", "c#"]


def test_section_headings_unclosed_fence_hides_the_rest():
    assert section_headings("## A\n```\n## B") == ["a"]


LINE_START_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*)$", re.MULTILINE)


@settings(max_examples=3000)
@given(st.lists(st.sampled_from(["#", "##", "####### ", " ", "   ", "\t", "\n", "\r", "a", "é"])))
def test_headings_found_from_newlines_are_those_found_at_line_starts(pieces):
    """`_HEADING_RE` reads the body after a newline it adds; `^` under MULTILINE was the rule."""
    body = "".join(pieces)
    assert _HEADING_RE.findall("\n" + body) == LINE_START_HEADING.findall(body)


@given(
    st.one_of(
        st.text(),
        st.text(st.characters(max_codepoint=127)),
        st.text(st.sampled_from(" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x00\x7fa-")),
    )
)
@settings(max_examples=500, deadline=None)
def test_word_count_is_the_number_of_words_split_finds(text):
    assert word_count(text) == len(text.split())


def test_every_character_split_splits_on_is_known_to_word_count():
    """word_count's byte path trusts that no character past U+3000 is a space."""
    spaces = [c for c in map(chr, range(0x110000)) if c.isspace()]
    assert max(spaces) <= "\u3000"
    assert all(word_count(f"a{c}b") == 2 for c in spaces)
