"""What a model card is made of: front matter, metadata, body, and facts about the text.

A model card is a README.md. It may open with a YAML block between two ``---`` lines (the
front matter, the card's machine-readable metadata); the rest is the markdown body. Every
function here is pure and never raises on odd input: 2 million cards from the wild contain
everything, and one bad card must not fail a Spark task.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import huggingface_hub
import numpy as np
import yaml

# The Hub's own front-matter rule, copied verbatim from huggingface_hub.repocard
# (REGEX_YAML_BLOCK, itself "the exact same regex as in the Hub server"): an optional run of
# whitespace, `---`, a newline (LF, CRLF or CR), the YAML, a newline, `---`. Copied rather
# than imported because importing huggingface_hub.repocard costs ~0.3 s per Python worker;
# tests/udfs/test_cards.py fails if the two patterns ever differ.
FRONT_MATTER_RE = re.compile(
    r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))"
)
BOM = "\ufeff"

# libyaml's composer recurses in C and segfaults (killing the worker) on nesting tens of
# thousands deep; real metadata nests fewer than 20 levels. Deeper input is a yaml_error.
MAX_YAML_NESTING = 2000
_FLOW_BRACKET_RE = re.compile(r"[\[\]{}]")
_BLOCK_INDENT_RE = re.compile(r"^(?:[ \t]|[-?:](?=[ \t]))*", re.MULTILINE)

AUTO_GENERATED_PHRASES = ("automatically generated", "generated automatically")
MIN_CARD_CHARS = 4  # DESIGN: a card counts when its stripped text is longer than 3 characters

# A README fetch that failed and was stored as the card (seen in the public card dumps).
ERROR_PAGE_RE = re.compile(
    r"\A\s*(?:Error: the path '[^'\n]*' does not exist|Entry not found)", re.IGNORECASE
)
MAX_ERROR_PAGE_CHARS = 500

# ATX headings (`## Title`) outside fenced code blocks, whose `# comment` lines are not headings.
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\1[ \t]*$|\Z)", re.M)
# Greedy and linear on purpose: a lazy match up to an optional closing "###" backtracks
# quadratically on long lines of "# # # #"; _normalise_heading drops the closing run.
# A line start is the newline before it (the body is read with one in front), not `^` under
# MULTILINE: a pattern that opens with a literal character is tried only where that
# character is, not at every position of the card (a quarter of the time).
ATX_HEADING = r" {0,3}#{1,6}[ \t]"  # a heading line's start, after its newline
_HEADING_RE = re.compile(r"\n" + ATX_HEADING + r"[ \t]*(.*)")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG_RE = re.compile(r"<[^>]*>")
_HEADING_NOISE_RE = re.compile(r"\[optional\]|[*_`~]|^\s*\d+(?:\.\d+)*[.)]?\s+")
MAX_SECTIONS = 200
MAX_HEADING_CHARS = 200

MAX_METRICS = 2**31 - 1  # the models table stores the count as a 32-bit int

# The Hub's default card template (udfs.minhash.template_score compares cards with it).
TEMPLATE_PATH = Path(huggingface_hub.__file__).parent / "templates" / "modelcard_template.md"
_JINJA_RE = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_JINJA_DEFAULT_RE = re.compile(r"""default\(\s*(["'])(.*?)\1""", re.DOTALL)


class Card(NamedTuple):
    """A card split into its parts; `meta` is None when there is no usable front matter.
    `lowered_body` is `body.lower()`, made once for the prose mentions and the sketch."""

    text: str
    yaml_text: str | None
    body: str
    meta: dict[str, Any] | None
    yaml_error: str | None
    lowered_body: str


def split_front_matter(text: str) -> tuple[str | None, str]:
    """Split a card into (YAML text, body) with the Hub's rule; (None, text) without a block.

    A leading UTF-8 byte-order mark is dropped first: editors add it, the Hub tolerates it.
    Lines may end in LF, CRLF or CR, except that the closing `---` must be followed by LF,
    CRLF or the end of the text: the Hub reads a CR-only card with a body as having no
    metadata, and so do we.

    >>> split_front_matter("---\\nlicense: mit\\n---\\n# Hi")
    ('license: mit', '# Hi')
    >>> split_front_matter("\\ufeff---\\r\\nlicense: mit\\r\\n---\\r\\nBody")
    ('license: mit', 'Body')
    >>> split_front_matter("# No metadata")
    (None, '# No metadata')
    """
    if text.startswith(BOM):
        text = text[1:]
    match = FRONT_MATTER_RE.search(text)
    if match is None:
        return None, text
    return match.group(2), text[match.end() :]


def _nesting_bound(yaml_text: str) -> int:
    """An upper bound on the YAML nesting depth, computed only when it could be large.

    Brackets are counted wherever they stand, quoted or not, and the count never drops
    below zero: closing brackets earlier in the text (in a quoted string, say) must not
    cancel the opening ones of a deep flow collection after them, which libyaml would
    recurse into until the process dies.

    >>> _nesting_bound("a: '" + "]" * 3000 + "'\\nb: " + "[" * 3000 + "]" * 3000) >= 3000
    True
    """
    bound = 0
    if yaml_text.count("[") + yaml_text.count("{") > MAX_YAML_NESTING:
        depth = 0
        for bracket in _FLOW_BRACKET_RE.findall(yaml_text):
            depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
            bound = max(bound, depth)
    if len(yaml_text) > MAX_YAML_NESTING:
        bound += max(len(indent) for indent in _BLOCK_INDENT_RE.findall(yaml_text))
    return bound


def load_yaml(yaml_text: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """Parse front matter with libyaml's safe loader into (metadata, error); never raises.

    Values come back as YAML typed them (dates, numbers, booleans); the normalisers turn
    the ones the model row keeps into JSON-safe values. An empty block is empty metadata,
    as on the Hub; a block that is not a mapping is an error.

    >>> load_yaml("license: mit\\ntags: [a, b]")
    ({'license': 'mit', 'tags': ['a', 'b']}, None)
    >>> load_yaml("just text")
    (None, 'not a mapping: str')
    >>> load_yaml("a: [1,")[1].split(":")[0]
    'ParserError'
    """
    if yaml_text is None:
        return None, None
    if _nesting_bound(yaml_text) > MAX_YAML_NESTING:
        return None, f"nested deeper than {MAX_YAML_NESTING} levels"
    try:
        data = safe_load(yaml_text)
    except Exception as exc:  # YAMLError, but also ValueError (bad dates), RecursionError...
        first_line = str(exc).strip().split("\n", 1)[0]
        return None, f"{type(exc).__name__}: {first_line}"[:300]
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return None, f"not a mapping: {type(data).__name__}"
    return data, None


_YAML_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT, _MAP, _SEQ = (
    _YAML_TAG + name for name in ("str", "null", "bool", "int", "float", "map", "seq")
)


class _LeftToPyYAML(Exception):
    """A node `_plain_value` does not build: PyYAML's constructor builds the document."""


def safe_load(yaml_text: str) -> Any:
    """`yaml.load(yaml_text, Loader=yaml.CSafeLoader)`, the same value or the same error,
    in about 70 % of its time on the Hub's front matter.

    libyaml parses and composes the nodes; `_plain_value` builds the plain documents
    (strings, numbers, booleans, nulls, lists and mappings) without PyYAML's generic
    constructor. A document with anything else (an anchor used twice, a merge key, a
    date, an explicit tag) or any error while building is built again by PyYAML's
    constructor, so its value or its error is PyYAML's own.

    Most front matter is a few `key: value` lines and lists of plain values
    (`_simple_mapping`): read line by line, without libyaml."""
    simple = _simple_mapping(yaml_text)
    if simple is not None:
        return simple
    loader = yaml.CSafeLoader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _plain_value(node, loader, set())
        except Exception:  # _LeftToPyYAML, or an error PyYAML must raise in its own words
            return loader.construct_document(node)
    finally:
        loader.dispose()


# The lines `_simple_mapping` reads: `key: value`, `key:`, and `- value` (indented by
# none or two spaces) under a `key:`. Keys and values are ASCII plain scalars that cannot
# start or end an indicator, a quote, a comment or a flow collection, and hold no `: `.
_SIMPLE_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
_SIMPLE_SCALAR = r"[A-Za-z0-9_.+()=](?:[A-Za-z0-9_.+()=/, -]*[A-Za-z0-9_.+()=/])?"
_SIMPLE_LINE_RE = re.compile(
    rf"({_SIMPLE_KEY}):(?: ({_SIMPLE_SCALAR}))?|((?:  )?)- ({_SIMPLE_SCALAR})"
)
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALARS: dict[str, Any] = {}  # plain scalar -> its value; the Hub repeats a few thousand
_MAX_SCALARS = 65536
_NOT_SIMPLE: Any = object()  # not a value: the line or scalar is not simple


def _simple_mapping(yaml_text: str) -> dict[Any, Any] | None:
    """The value PyYAML loads from front matter made only of `key: value` lines, `key:`
    lines and plain lists under them (`_SIMPLE_LINE_RE`); None for anything else, or for a
    scalar PyYAML would not build as a string, number, boolean or null (dates, `=`, a bad
    number), which `safe_load` leaves to libyaml.

    >>> _simple_mapping("license: mit\\nlanguage:\\n  - en\\n  - fr\\nprivate: no\\nv: 1.5")
    {'license': 'mit', 'language': ['en', 'fr'], 'private': False, 'v': 1.5}
    >>> _simple_mapping("date: 2022-01-31"), _simple_mapping("tags: [a, b]")
    (None, None)
    """
    mapping: dict[Any, Any] = {}
    listed: list[Any] | None = None  # the list `- value` lines go to
    open_key: Any = _NOT_SIMPLE  # the key of the last `key:` line, while its list may follow
    indent = ""
    for line in yaml_text.split("\n"):
        match = _SIMPLE_LINE_RE.fullmatch(line)
        if match is None:
            return None
        key, value, item_indent, item = match.groups()
        if key is not None:
            opens_list = value is None  # `key:` only; `key: null` is a value, not a list's key
            key = _plain_scalar(key)
            if key is _NOT_SIMPLE or (
                value is not None and (value := _plain_scalar(value)) is _NOT_SIMPLE
            ):
                return None
            mapping[key] = value
            open_key, listed = (key if opens_list else _NOT_SIMPLE), None
            continue
        if listed is None:
            if open_key is _NOT_SIMPLE:
                return None
            listed, indent = [], item_indent
            mapping[open_key] = listed
        elif item_indent != indent:
            return None
        if (item := _plain_scalar(item)) is _NOT_SIMPLE:
            return None
        listed.append(item)
    return mapping


def _plain_scalar(text: str) -> Any:
    """The value PyYAML builds for a plain scalar, or `_NOT_SIMPLE` when it is not a string,
    number, boolean or null, or building it fails."""
    found = _SCALARS.get(text, _NOT_SIMPLE)
    if found is not _NOT_SIMPLE:
        return found
    node = yaml.ScalarNode(_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)), text)
    try:
        found = _plain_scalar_value(node, _CONSTRUCTOR)
    except Exception:  # another type, or a malformed number: the full path says which
        return _NOT_SIMPLE
    if len(_SCALARS) >= _MAX_SCALARS:
        _SCALARS.clear()
    _SCALARS[text] = found
    return found


def _plain_value(node: yaml.Node, loader: yaml.CSafeLoader, seen: set[int]) -> Any:
    """The value PyYAML's SafeConstructor builds for a plain `node` (see `safe_load`)."""
    if id(node) in seen:  # an alias: PyYAML shares one object (a billion laughs stay small)
        raise _LeftToPyYAML
    seen.add(id(node))
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        return _plain_scalar_value(node, loader)
    if isinstance(node, yaml.MappingNode) and tag == _MAP:
        mapping = {}
        for key, value in node.value:  # a merge (`<<`) or value (`=`) key is left to PyYAML
            mapping[_plain_value(key, loader, seen)] = _plain_value(value, loader, seen)
        return mapping
    if isinstance(node, yaml.SequenceNode) and tag == _SEQ:
        return [_plain_value(item, loader, seen) for item in node.value]
    raise _LeftToPyYAML


def _plain_scalar_value(
    node: yaml.ScalarNode, constructor: yaml.constructor.SafeConstructor
) -> Any:
    """The string, null, boolean, int or float SafeConstructor builds for a scalar node of
    that tag; `_LeftToPyYAML` for any other tag."""
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return constructor.bool_values[node.value.lower()]
    if tag == _INT:
        return constructor.construct_yaml_int(node)
    if tag == _FLOAT:
        return constructor.construct_yaml_float(node)
    raise _LeftToPyYAML


def read_card(text: str) -> Card:
    """Split a card and parse its front matter.

    >>> card = read_card("---\\nlicense: mit\\n---\\nBody")
    >>> card.meta, card.body, card.yaml_error, card.lowered_body
    ({'license': 'mit'}, 'Body', None, 'body')
    """
    yaml_text, body = split_front_matter(text)
    meta, error = load_yaml(yaml_text)
    return Card(text, yaml_text, body, meta, error, body.lower())


def lowered_body(text: str | None) -> str:
    """A card's body, front matter dropped, lowercased: what its words are read from
    (`read_card(text).lowered_body` without parsing the front matter).

    >>> lowered_body("---\\nlicense: mit\\n---\\n# My Model"), lowered_body(None)
    ('# my model', '')
    """
    return split_front_matter(text)[1].lower() if text else ""


def is_auto_generated(text: str) -> bool:
    """DESIGN's rule: the lowercased card says it was generated automatically.

    >>> is_auto_generated("<!-- This model card has been generated automatically -->")
    True
    """
    lowered = text.lower()
    return any(phrase in lowered for phrase in AUTO_GENERATED_PHRASES)


def is_error_page(text: str) -> bool:
    """True when the "card" is a failed README fetch saved in its place.

    >>> is_error_page("Error: the path 'README.md' does not exist in the given tree")
    True
    """
    return len(text) <= MAX_ERROR_PAGE_CHARS and ERROR_PAGE_RE.match(text) is not None


# Templated cards repeat the same few hundred headings; keys are at most 800 characters.
@lru_cache(maxsize=4096)
def _normalise_heading(heading: str) -> str:
    heading = heading.strip()
    text, _, closing = heading.rpartition(" ")
    if closing and not closing.strip("#"):  # "## Title ##": the closing run is not text
        heading = text
    heading = _HTML_TAG_RE.sub("", _LINK_RE.sub(r"\1", heading))
    heading = _HEADING_NOISE_RE.sub("", heading.lower())
    return " ".join(heading.split()).strip(" :.-")[:MAX_HEADING_CHARS]


def section_headings(body: str) -> list[str]:
    """Normalised markdown headings of the body, unique, in order; code blocks skipped.

    Lowercase, links and emphasis reduced to their text, "[optional]" and numbering
    removed, so that cards written from the same template list the same sections.

    >>> section_headings("# Card for X\\n## Uses [optional]\\n```\\n# code\\n```\\n## 2. **Uses**")
    ['card for x', 'uses']
    """
    sections: dict[str, None] = {}
    if "```" in body or "~~~" in body:  # the fence expression tries every line start
        body = _FENCE_RE.sub("", body)
    for raw in _HEADING_RE.findall("\n" + body):
        heading = _normalise_heading(raw[: 4 * MAX_HEADING_CHARS])
        if heading:
            sections[heading] = None
            if len(sections) == MAX_SECTIONS:
                break
    return list(sections)


def render_template(template: str) -> str:
    """The Hub's Jinja card template as a card written with no values filled in.

    Placeholders with a default show the default (what an untouched generated card says),
    other tags disappear.

    >>> render_template('# Card for {{ id | default("Model ID", true) }}{{ card_data }}')
    '# Card for Model ID'
    """

    def fill(match: re.Match[str]) -> str:
        default = _JINJA_DEFAULT_RE.search(match.group(1) or "")
        return default.group(2) if default else ""

    return _JINJA_RE.sub(fill, template)


def model_index_metrics(meta: Mapping[str, Any] | None) -> tuple[bool, int]:
    """(has model-index, number of metric entries under model-index[*].results[*].metrics).

    >>> model_index_metrics({"model-index": [{"results": [{"metrics": [{"type": "f1"}]}]}]})
    (True, 1)
    """
    entries = meta.get("model-index") if meta else None
    if not isinstance(entries, list) or not entries:
        return False, 0
    # Keyed by identity: YAML aliases can repeat one results list thousands of times.
    per_results: dict[int, int] = {}
    total = 0
    for entry in entries:
        results = entry.get("results") if isinstance(entry, dict) else None
        if not isinstance(results, list):
            continue
        if id(results) not in per_results:
            per_results[id(results)] = sum(
                len(result["metrics"])
                for result in results
                if isinstance(result, dict) and isinstance(result.get("metrics"), list)
            )
        total += per_results[id(results)]
    return True, min(total, MAX_METRICS)


# Each byte as 0 when it is an ASCII character str.split() splits on (space, \t\n\v\f\r,
# \x1c-\x1f), else 1; and the characters past ASCII it splits on (all below U+3001).
_WORD_BYTES = bytes(0 if chr(b).isspace() else 1 for b in range(128)) + bytes([1]) * 128
_NON_ASCII_SPACE_RE = re.compile(
    "[" + "".join(c for c in map(chr, range(128, 0x3001)) if c.isspace()) + "]"
)


def word_count(text: str) -> int:
    """`len(text.split())` without building the words: a word starts at each byte that
    is not a separator after one that is. A typical card's split made ~400 strings only to
    count them; this takes 0.3 of its time on a generated card, 0.7 on a real one (more of
    them hold non-ASCII text). Text with a non-ASCII space takes split().

    >>> word_count(" two\x1fwords "), word_count(""), word_count("é tu"), word_count("a\u3000b")
    (2, 0, 2, 2)
    """
    if not text:
        return 0
    if not text.isascii() and _NON_ASCII_SPACE_RE.search(text):
        return len(text.split())
    data = text.encode("utf-8", "surrogatepass").translate(_WORD_BYTES)
    in_word = np.frombuffer(data, dtype=np.uint8)
    return int(in_word[0]) + int(np.count_nonzero(in_word[1:] > in_word[:-1]))


def card_facts(card: str | Card | None, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Facts about a card's text; `meta` (default: the card's own front matter) for model-index.

    card_chars and card_words measure the whole README, front matter included, as the
    Anatomy paper's card lengths do. A scraper error saved in place of the README is no
    card. `template_score` holds its place, None: the sketch of the card fills it
    (`udfs.minhash.template_score`, from the same shingles as the card's signature).

    >>> facts = card_facts("---\\nlicense: mit\\n---\\n# Model\\nText generated automatically.")
    >>> facts["has_card"], facts["auto_generated"], facts["sections"], facts["card_words"]
    (True, True, ['model'], 9)
    """
    if isinstance(card, str):
        card = read_card(card)
    if card is None:
        text, body = "", ""
    else:
        text, body = card.text, card.body
        if meta is None:
            meta = card.meta
    error_page = is_error_page(text)
    if error_page:
        text, body = "", ""
    has_card = len(text.strip()) >= MIN_CARD_CHARS
    has_model_index, n_metrics = model_index_metrics(meta)
    return {
        "has_card": has_card,
        "card_chars": len(text),
        "card_words": word_count(text),
        "auto_generated": is_auto_generated(text),
        "template_score": None,
        "has_model_index": has_model_index,
        "n_model_index_metrics": n_metrics,
        "sections": section_headings(body),
        "is_error_page": error_page,
    }
