"""Parents a model does not declare: what its card's prose, pasted configs and links, and
its own name say about where it came from.

Each function reads one kind of evidence and never looks at declarations (the `base_model:`
tags or YAML), so inference can be scored against declarations by hiding nothing but
trusting this module not to peek. Ingest calls `card_parent_mentions` on each card's body;
lineage resolves names (`derived_name`) against the snapshot's model ids, adds the
near-duplicate signal and combines the evidence with `combine_confidence`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from udfs.cards import ATX_HEADING, split_front_matter
from udfs.parents import normalize_repo_id

PROSE, CONFIG, LINK, NAME, SAME_NAME, NEAR_DUPLICATE = (
    "prose",
    "config",
    "link",
    "name",
    "same_name",
    "near_duplicate",
)
EVIDENCE_TYPES = (PROSE, CONFIG, LINK, NAME, SAME_NAME, NEAR_DUPLICATE)
FINETUNE, ADAPTER, QUANTIZED, MERGE, UNKNOWN = (
    "finetune",
    "adapter",
    "quantized",
    "merge",
    "unknown",
)
# When evidence disagrees on a relation, the stronger kind of evidence wins (a sentence or a
# config says what was done; a name suffix only hints), then the more specific relation.
RELATION_ORDER = (MERGE, ADAPTER, QUANTIZED, FINETUNE)
EVIDENCE_ORDER = (CONFIG, PROSE, NAME, SAME_NAME, LINK, NEAR_DUPLICATE)

# A URL's path runs to a space, a bracket or a quote, and never ends with the sentence or
# markdown punctuation that follows URLs in prose (`.`, `,`, `;`, `:`, `!`, `?`, `*`, `|`,
# `~`), which no model id ends with either; dots inside (`org/model-v1.5`) stay.
_URL_STOP = r"\s()\[\]<>\"'`"
_HF_URL = (
    r"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/"
    rf"([^{_URL_STOP}]*[^{_URL_STOP}.,;:!?*|~])"
)
_MD_LINK = re.compile(r"\[([^\]\n]{0,200})\]\(\s*(" + r"[^)\s]*" + r")\s*\)")
_HF_LINK = re.compile(_HF_URL, re.IGNORECASE)
_BARE_ID = re.compile(r"`?([^\W_][\w.-]*(?:/[\w.-]+)?)`?")

# Wording that names where a model came from: (a word the phrase contains, the phrase in
# lowercase, the relation it implies). The word is found with str.find, and the phrase only
# tried on a short window around it: regex alternations over a whole card are slow.
_QUANT_FORMAT = r"(?:gguf|ggml|gptq|awq|exl2|mlx|bnb|int4|int8|[248]-?bit)(?: format)?"
_PHRASE_TABLE: tuple[tuple[str, str, str], ...] = (
    # One pattern per word, its wordings as alternatives that cannot start alike: each
    # pattern is tried around every place its word is (`_phrases`), thousands in a card set.
    (
        "tune",
        r"fine[- ]?tuned (?:version|checkpoint|variant) of(?: the)?(?: model)?"
        r"|fine[- ]?tuned (?:from|on top of)(?: model)?(?: \[optional\])?(?:\*\*)?:?"
        r"|fine[- ]?tuned(?= \[)"  # "is a fine-tuned [X](...) model"
        r"|fine[- ]?tunes? (?:checkpoint )?of(?: the)?",
        FINETUNE,
    ),
    ("trained", r"trained (?:on top of|from)(?: the)?", FINETUNE),
    # Quantizers' "Original model: <URL>", model cards' "- **Base model:** [X](...)": a
    # parent without a relation (the name or another sentence may give one).
    ("original model", r"original model\**:", UNKNOWN),
    ("base model", r"base model\**:", UNKNOWN),
    ("based on", r"based on(?: a| the)?(?: pre-?trained)?(?= \[)", FINETUNE),
    ("quantiz", r"quantized (?:version|model|weights) of(?: the)?|quantizations? of", QUANTIZED),
    ("quants", r"quants (?:for|of)", QUANTIZED),
    ("model files", _QUANT_FORMAT + r" model files (?:for|of)", QUANTIZED),
    ("version", _QUANT_FORMAT + r" (?:con)?versions? (?:for|of)", QUANTIZED),
    ("weights", _QUANT_FORMAT + r" weights (?:for|of)", QUANTIZED),
    ("convert", r"converted to (?:gguf|mlx|ggml)(?: format)? from", QUANTIZED),
    # and AdapterHub's "An [adapter](https://adapterhub.ml) for the bert-base-uncased model"
    (
        "adapter",
        r"adapters? (?:for|of|on top of|trained on top of)(?: the)?"
        r"|adapter\]\([^)\s]{0,80}\) for(?: the)?",
        ADAPTER,
    ),
    ("lora", r"lora (?:weights|model|fine-?tune) (?:for|of)(?: the)?", ADAPTER),
    ("adaption", r"adaption weights for", ADAPTER),  # diffusers' DreamBooth LoRA cards
)
_PHRASES = tuple((word, re.compile(pattern), rel) for word, pattern, rel in _PHRASE_TABLE)
_PHRASE_REACH = (40, 60)  # characters a phrase may start before its word and end after it
_REFERENCE_WINDOW = 40  # characters between a phrase and the start of its reference
# "non-finetuned version of X" says the model is not X's child.
_NEGATIONS = ("non-", "non ", "not ")
# Where a card starts quoting its parent's card (quantizers and converters paste it below
# their own text): llama.cpp-era tools' marker, or a heading naming the original's card.
_QUOTE_MARKER = "<!-- original-model-card start -->"
_QUOTE_HEADING = re.compile(ATX_HEADING + r"[ \t]*[*_]*original model(?:'s)? card")
_HEADING_START = re.compile(ATX_HEADING)
# How far back from a phrase a line start is looked for: a heading is short, and looking
# back to the start of a long line for every phrase on it took quadratic time.
_HEADING_REACH = 200
# mergekit's "The following models were included in the merge:" and its variants, found in
# the lowercased card; a list of up to _MAX_MERGE_ITEMS items on the next lines follows.
_MERGE_PHRASE = re.compile(
    r"models were included in the merge|models? merged|merge of the following models"
)
_LIST_ITEM = re.compile(r"[ \t]*(?:[*+-]|\d+\.)")
_MAX_MERGE_ITEMS = 64
_CONFIG_MODEL = re.compile(
    r"^[ \t]*(?:-[ \t]*)?(base_model|model|model_name_or_path|pretrained_model_name_or_path)"
    r"[ \t]*:[ \t]*[\"']?([^\s\"'#]+)",
    re.MULTILINE,
)
_ADAPTER_CONFIG = re.compile(
    r"^[ \t]*adapter[ \t]*:[ \t]*[\"']?q?lora", re.IGNORECASE | re.MULTILINE
)

# Name suffixes and the relation they hint at; stripped from the end, repeatedly.
_QUANT_SUFFIX = (
    r"gguf|ggml|gptq|awq|exl2|mlx|mlc|hqq|bnb|nf4|fp8(?:-dynamic)?|int[48]|[2-8]-?bits?|"
    r"imatrix|i1|(?:q[2-8]|iq[1-8])(?:_k)?(?:_(?:[msl0-9]|xs|xxs|nl|xl))?|f16|bf16|fp16|q\d+f\d+(?:_\d)?|"
    r"\d+(?:\.\d+)?bpw(?:-h[4-8])?|(?:32|64|128)g(?:-actorder(?:_true)?)?|quantized|w4a16|w8a8"
)
_ADAPTER_SUFFIX = r"q?lora|adapters?|peft"
_FINETUNED = r"[-_](?:fine-?tuned|ft)"
_SUFFIX = re.compile(
    rf"[-_.](?:(?P<quantized>{_QUANT_SUFFIX})|(?P<adapter>{_ADAPTER_SUFFIX}))$", re.IGNORECASE
)
_FINETUNED_OF = re.compile(rf"^(?P<base>.+){_FINETUNED}(?:[-_].*)?$", re.IGNORECASE)
MIN_BASE_CHARS = 3
# Every lowercased ASCII name `derived_name` finds a base in contains a match of this, read
# alike by Python's `re` and Java's regex (lineage filters the names with it in Spark and
# sends only those, and names with a non-ASCII character, to the Python function).
NAME_DERIVATION_HINT = rf"[-_.](?:{_QUANT_SUFFIX}|{_ADAPTER_SUFFIX})$|{_FINETUNED}(?:[-_]|$)"


def _reference(text: str) -> str | None:
    """The model id a reference at the start of `text` names: a markdown link to a Hub page
    (its target: the text is often a nickname), a bare Hub URL, or a bare id with a `/`,
    `-` or digit."""
    link = _MD_LINK.match(text)
    if link and link.group(2):
        target = _HF_LINK.match(link.group(2))
        return _model_page(target.group(1)) if target else None
    if link and "/" in link.group(1):  # mlx-lm's "from [`org/model`]()": the text is the id
        text = link.group(1)
    elif link:
        return None
    url = _HF_LINK.match(text)
    if url:
        return _model_page(url.group(1))
    bare = _BARE_ID.match(text)
    if bare and re.search(r"[/\d-]", bare.group(1)):
        return normalize_repo_id(bare.group(1).rstrip("."))
    return None


# What may follow a namespace-less model id in a link to its page: nothing, or one of the
# model's pages (`gpt2/tree/main`, `gpt2/blob/main/config.json`); not `/`, `?` or `#`.
_ONE_SEGMENT_TAIL = re.compile(r"(?:/\w.*)?", re.DOTALL)


def _model_page(path: str) -> str | None:
    """The model id of a huggingface.co path; None for the site's sections (datasets, docs,
    exbert, ...) and for a one-segment path not written as a model's page is, with a
    trailing `/`, a query or a fragment (`speechbrain/`, `gchhablani?tab=models`). A user's
    or an organisation's page (`TheBloke`) is written as a namespace-less model's (`gpt2`)
    is: `card_parent_mentions` tells them apart by what the card says.

    >>> _model_page("org/name/tree/main"), _model_page("gpt2"), _model_page("gpt2/tree/v1")
    ('org/name', 'gpt2', 'gpt2')
    >>> _model_page("exbert/?model=gpt2"), _model_page("speechbrain/"), _model_page("a?b=c")
    (None, None, None)
    """
    first = re.split(r"[/?#]", path, maxsplit=1)[0]
    repo_id = normalize_repo_id("https://huggingface.co/" + path)  # None for HUB_SECTIONS
    if repo_id is None or "/" in repo_id:
        return repo_id
    return repo_id if _ONE_SEGMENT_TAIL.fullmatch(path, len(first)) else None


def card_parent_mentions(body: str | None, lowered: str | None = None) -> list[dict[str, str]]:
    """Parents a card's body names: `parent_id, relation, evidence`, one per (parent,
    evidence), sorted. Evidence is `prose` (a sentence such as the Trainer's "fine-tuned
    version of [X](https://huggingface.co/X)" or mergekit's list of merged models),
    `config` (a training or merge configuration pasted in a code fence) or `link` (any other
    link to a Hub model page, relation unknown). `lowered`, when given, is `body.lower()`
    (ingest has it already for the card's sketch).

    A page of a namespace-less model (`huggingface.co/gpt2`) looks like a user's or an
    organisation's (`huggingface.co/TheBloke`), so it is a parent only when a sentence or a
    config names it as one; a bare link to it is no evidence.

    >>> card_parent_mentions("This model is a fine-tuned version of "
    ...     "[t5-small](https://huggingface.co/google-t5/t5-small) on the xsum dataset.")
    [{'parent_id': 'google-t5/t5-small', 'relation': 'finetune', 'evidence': 'prose'}]
    >>> [m["relation"] for m in card_parent_mentions("GGUF quants of `org/Model-7B`.")]
    ['quantized']
    >>> fence = "```yaml\\nmodels:\\n  - model: a/x\\n  - model: b/y\\nmerge_method: slerp\\n```"
    >>> [(m["parent_id"], m["relation"], m["evidence"]) for m in card_parent_mentions(fence)]
    [('a/x', 'merge', 'config'), ('b/y', 'merge', 'config')]
    >>> card_parent_mentions("See [the dataset](https://huggingface.co/datasets/imdb).")
    []
    >>> [m["parent_id"] for m in card_parent_mentions("Fine-tuned version of "
    ...     "[GPT-2](https://huggingface.co/gpt2), by [me](https://hf.co/me).")]
    ['gpt2']
    >>> card_parent_mentions("Quants of https://huggingface.co/org/Model-v1.5.")[0]["parent_id"]
    'org/Model-v1.5'
    """
    if not body:
        return []
    lowered = _lowercase(body, lowered)
    quoted = _quoted_card_start(lowered)
    found = _named_parents(body[:quoted], lowered[:quoted]) if quoted is not None else {}
    if not found:
        found = _named_parents(body, lowered)
    named = {parent for parent, _ in found}
    for link in _hub_links(body):
        parent = _model_page(link.group(1))
        if parent is not None and "/" in parent and parent not in named:
            named.add(parent)
            found[(parent, LINK)] = UNKNOWN
    return [
        {"parent_id": parent, "relation": relation, "evidence": evidence}
        for (parent, evidence), relation in sorted(found.items())
    ]


def _named_parents(body: str, lowered: str) -> dict[tuple[str, str], str]:
    """{(parent, evidence): relation} of what the card's sentences, merge lists and pasted
    configs name (`prose`, `config`), the most specific relation per pair."""
    found: dict[tuple[str, str], str] = {}

    def add(parent: str | None, relation: str, evidence: str) -> None:
        if parent is None:
            return
        key = (parent, evidence)
        if key not in found or _rank(relation) < _rank(found[key]):
            found[key] = relation

    for end, relation in _phrases(lowered):
        window = body[end : end + _REFERENCE_WINDOW]
        at = end + len(window) - len(window.lstrip(" \t*:`"))
        add(_reference(body[at : at + 600]), relation, PROSE)
    if "merge" in lowered:
        for items in _merge_lists(body, lowered):
            for line in items.splitlines():
                add(_reference(line.strip().lstrip("*+-0123456789. \t")), MERGE, PROSE)
    for config in _fenced_blocks(body):
        merge = "merge_method" in config
        tuned = ADAPTER if _ADAPTER_CONFIG.search(config) else FINETUNE
        for key, value in _CONFIG_MODEL.findall(config):
            if merge or key == "base_model":
                add(_model_page_or_id(value), MERGE if merge else tuned, CONFIG)
    return found


def _quoted_card_start(lowered: str) -> int | None:
    """Where the card starts quoting its parent's own card, or None. What the quote's
    sentences name are the parent's parents (a GGUF repo quoting "fine-tuned version of
    Mistral-7B"), so `card_parent_mentions` reads only the text above it, unless that
    names nothing (some cards put the heading first, over their own text).

    >>> _quoted_card_start("# q\\nquants of a/b\\n# original model card\\n")
    18
    >>> _quoted_card_start("x\\n<!-- original-model-card start -->\\n"), _quoted_card_start("x")
    (2, None)
    """
    at = lowered.find("original")
    while at != -1:
        if at >= len("<!-- ") and lowered.startswith(_QUOTE_MARKER, at - len("<!-- ")):
            return at - len("<!-- ")
        line_start = _line_start(lowered, at)
        if line_start is not None and _QUOTE_HEADING.match(
            lowered, line_start, at + len("original model's card")
        ):
            return line_start
        at = lowered.find("original", at + 1)
    return None


def _line_start(lowered: str, at: int) -> int | None:
    """The start of the line holding position `at`, if it is at most _HEADING_REACH back."""
    reach = max(0, at - _HEADING_REACH)
    newline = lowered.rfind("\n", reach, at)
    if newline == -1 and reach > 0:
        return None
    return newline + 1


def _hub_links(body: str) -> Iterator[re.Match[str]]:
    """`_HF_LINK.finditer(body)`, tried only where a match can start: four or five
    characters before a `://`. Case-insensitive, the pattern gives the regex engine no
    literal to look for, so `finditer` tried it at every position of the card (five times
    the time on a card with links).

    >>> [m.group(1) for m in _hub_links("See HTTPS://hf.co/a/b and http://x.io/c")]
    ['a/b']
    """
    end = 0
    at = body.find("://")
    while at != -1:
        for start in (at - 5, at - 4):
            if start >= end and (link := _HF_LINK.match(body, start)):
                yield link
                end = link.end()
                break
        at = body.find("://", at + 1)


def _lowercase(body: str, lowered: str | None) -> str:
    """`body` lowercased character for character, so positions in it are positions in the
    body: `lowered` (`body.lower()`) unless a character changed length when lowercased.

    >>> _lowercase("İA", None), _lowercase("AB", "ab")
    ('İa', 'ab')
    """
    if lowered is None:
        lowered = body.lower()
    if len(lowered) == len(body):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in body)


def _phrases(lowered: str) -> list[tuple[int, str]]:
    """(end, relation) of every phrase in the card, in order, one per end position;
    `lowered` is the card lowercased character for character (`_lowercase`)."""
    before, after = _PHRASE_REACH
    found: dict[int, str] = {}
    for word, phrase, relation in _PHRASES:
        at = lowered.find(word)
        while at != -1:
            for match in phrase.finditer(lowered, max(0, at - before), at + after):
                if lowered.endswith(_NEGATIONS, 0, match.start()):
                    continue
                if relation == UNKNOWN and _in_heading(lowered, match.start()):
                    continue  # "# WangchanBERTa base model: `wangchanberta-base-wiki-newmm`"
                found.setdefault(match.end(), relation)
            at = lowered.find(word, at + len(word))
    return sorted(found.items())


def _in_heading(lowered: str, at: int) -> bool:
    """Whether position `at` is on a markdown heading line: there "base model:" describes
    the model's size and names the model itself, not a parent.

    >>> _in_heading("x\\n## roberta base model: a", 12), _in_heading("- base model: a", 2)
    (True, False)
    """
    line_start = _line_start(lowered, at)
    return line_start is not None and _HEADING_START.match(lowered, line_start, at) is not None


def _merge_lists(body: str, lowered: str) -> Iterator[str]:
    """The list items (up to _MAX_MERGE_ITEMS lines) on the lines after each line saying
    models were merged; `lowered` is the body lowercased character for character. Each
    line is read once: a regex scanning from every phrase to the end of its line took time
    quadratic in a line of phrases.

    >>> body = "Models Merged: models merged\\n* a/x\\n1. b/y\\nDone\\n"
    >>> list(_merge_lists(body, body.lower()))
    ['* a/x\\n1. b/y\\n']
    """
    resume = 0
    for phrase in _MERGE_PHRASE.finditer(lowered):
        if phrase.start() < resume:  # on a line already read
            continue
        line_end = body.find("\n", phrase.end())
        if line_end == -1:
            return
        start = end = line_end + 1
        for _ in range(_MAX_MERGE_ITEMS):
            if not _LIST_ITEM.match(body, end):
                break
            next_line = body.find("\n", end)
            end = len(body) if next_line == -1 else next_line + 1
        if end > start:
            yield body[start:end]
        resume = end


def _fenced_blocks(body: str) -> Iterator[str]:
    """The text of each code fence: from the line after a ``` to the next ```. Found with
    `str.find` in one pass: a regex scanning from every ``` to the end of its line took time
    quadratic in a line of backticks.

    >>> list(_fenced_blocks("```yaml\\nmodel: a/x\\n```\\n```never closed\\n"))
    ['model: a/x\\n']
    """
    opening = body.find("```")
    while opening != -1:
        line_end = body.find("\n", opening + 3)
        closing = body.find("```", line_end + 1) if line_end != -1 else -1
        if closing == -1:  # then no later ``` opens a fence either
            return
        yield body[line_end + 1 : closing]
        opening = body.find("```", closing + 3)


def _rank(relation: str) -> int:
    return RELATION_ORDER.index(relation) if relation in RELATION_ORDER else len(RELATION_ORDER)


def _model_page_or_id(value: str) -> str | None:
    url = _HF_LINK.match(value)
    return _model_page(url.group(1)) if url else normalize_repo_id(value)


def derived_name(model_id: str) -> dict[str, str] | None:
    """The name a model's own name says it derives from (`base_name`: lowercased, no
    namespace) and the `relation`, or None when the name says nothing. A quantization or
    adapter suffix (`-GGUF`, `-Q4_K_M`, `-mlx-4bit`, `-lora`, ...) or `X-finetuned-Y` gives
    the name without it. Lineage resolves it against the snapshot's ids (evidence `name`);
    it matches the bare name itself under other namespaces in Spark (`same_name`).

    >>> derived_name("TheBloke/Llama-2-7B-Chat-GGUF")
    {'base_name': 'llama-2-7b-chat', 'relation': 'quantized'}
    >>> derived_name("me/Mistral-7B-v0.1-Q4_K_M-GGUF")["base_name"]
    'mistral-7b-v0.1'
    >>> derived_name("u/bert-base-finetuned-squad"), derived_name("org/llama")
    ({'base_name': 'bert-base', 'relation': 'finetune'}, None)
    """
    name = model_id.rpartition("/")[2].lower()
    stripped, relation = name, None
    while (suffix := _SUFFIX.search(stripped)) and suffix.start() >= MIN_BASE_CHARS:
        relation = relation or (QUANTIZED if suffix.group("quantized") else ADAPTER)
        stripped = stripped[: suffix.start()]
    if relation is None and (tuned := _FINETUNED_OF.match(name)):
        stripped, relation = tuned.group("base"), FINETUNE
    if relation is None or len(stripped) < MIN_BASE_CHARS:
        return None
    return {"base_name": stripped, "relation": relation}


def combine_confidence(evidence: Iterable[str], weights: Mapping[str, float]) -> float:
    """Confidence that a candidate parent is the parent: noisy-or of the weights of its
    distinct kinds of evidence. Near-duplicate cards alone prove nothing (templates and
    copies make unrelated cards alike), so that evidence only adds to another. The factors
    multiply in the kinds' sorted order, so the last bit never depends on set order; the
    lineage job computes the same in Spark SQL (`jobs.inference.score_edges`), and a test
    holds the two equal.

    >>> weights = {"prose": 0.9, "name": 0.6, "near_duplicate": 0.3}
    >>> round(combine_confidence(["prose"], weights), 2)
    0.9
    >>> round(combine_confidence(["name", "near_duplicate"], weights), 2)
    0.72
    >>> combine_confidence(["near_duplicate"], weights)
    0.0
    """
    kinds = set(evidence)
    if not kinds - {NEAR_DUPLICATE}:
        return 0.0
    doubt = 1.0
    for kind in sorted(kinds):
        doubt *= 1.0 - float(weights.get(kind, 0.0))
    return 1.0 - doubt


def pick_relation(candidates: Iterable[Mapping[str, Any]]) -> str:
    """The relation an inferred edge gets from its evidence rows (`relation`, `evidence`):
    the one the strongest kind of evidence says, the more specific on a tie; unknown when
    none says one. (Spark SQL in `jobs.inference.score_edges`, held equal by a test.)

    >>> pick_relation([{"relation": "quantized", "evidence": "name"},
    ...                {"relation": "finetune", "evidence": "prose"}])
    'finetune'
    >>> pick_relation([{"relation": "unknown", "evidence": "link"}])
    'unknown'
    """
    known = [c for c in candidates if c["relation"] in RELATION_ORDER]
    if not known:
        return UNKNOWN
    best = min(known, key=lambda c: (EVIDENCE_ORDER.index(c["evidence"]), _rank(c["relation"])))
    return str(best["relation"])


_DECLARING_KEY = re.compile(r"^([\"']?)base_model(?:_relation)?\1[ \t]*:")


def hide_declarations(card: str | None, tags: Iterable[str] | None) -> tuple[str | None, list[str]]:
    """The card and tags with every parent declaration removed: the front matter's
    `base_model` and `base_model_relation` keys (with their list items) and the Hub's
    `base_model:` tags. The body and every other key stay byte for byte, so inference on the
    result sees exactly what it sees on a model that never declared (the hidden-declaration
    evaluation, scripts/eval_inference.py).

    >>> card = "---\\nlicense: mit\\nbase_model:\\n- org/a\\n- org/b\\ntags: [x]\\n---\\nBody"
    >>> hide_declarations(card, ["base_model:finetune:org/a", "pytorch"])
    ('---\\nlicense: mit\\ntags: [x]\\n---\\nBody', ['pytorch'])
    """
    kept_tags = [t for t in tags or [] if not str(t).startswith("base_model:")]
    if not card:
        return card, kept_tags
    yaml_text, _ = split_front_matter(card)
    if not yaml_text:
        return card, kept_tags
    lines, dropping = [], False
    for line in yaml_text.splitlines(keepends=True):
        if _DECLARING_KEY.match(line):
            dropping = True
            continue
        if dropping and (line[:1] in (" ", "\t", "-") or not line.strip()):
            continue
        dropping = False
        lines.append(line)
    stripped = "".join(lines).rstrip("\r\n") if lines else ""
    return card.replace(yaml_text, stripped, 1), kept_tags
