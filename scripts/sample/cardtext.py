"""Card text: the prose, templates and YAML front matter real cards carry.

Imitates hand-written cards (headings and paragraphs from a pool of pseudo-English
sentences), the Trainer's and the Hub's auto-generated templates, GGUF-my-repo and mergekit
intros, scraper error messages, and card YAML the way people write it (block style, plain
scalars where safe). Reference values (DESIGN.md): mean card length parent 9,773 -> child
4,402 characters (paragraph length is chosen in traits.py); auto-generated cards child minus
parent +0.25 (only the Trainer and Hub templates carry the auto-generated wording); the
similarity order, since paragraph ids shared along edges give shared text.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import numpy as np

from scripts.sample.draws import _words

REL_PHRASE = ("fine-tuned version", "LoRA adapter", "quantized version", "merge")
HEADINGS = (
    ("## Model description", "## Model Details", "## Overview", "## About this model"),
    ("## Intended uses & limitations", "## Uses", "## How to use", "## Intended use"),
    ("## Training procedure", "## Training Details", "## Training", "## Fine-tuning procedure"),
    ("## Evaluation results", "## Evaluation", "## Results", "## Benchmarks"),
    ("## Limitations and bias", "## Citation", "## License", "## Acknowledgements"),
)
TRAINER_NOTE = (
    "<!-- This model card has been generated automatically according to the information the "
    "Trainer had access to. You should probably proofread and complete it, then remove this "
    "comment. -->"
)
HUB_TEMPLATE = """## Model Details

### Model Description

<!-- Provide a longer summary of what this model is. -->

This is the model card of a 🤗 transformers model that has been pushed on the Hub. This model \
card has been automatically generated.

- **Developed by:** [More Information Needed]
- **Funded by [optional]:** [More Information Needed]
- **Shared by [optional]:** [More Information Needed]
- **Model type:** [More Information Needed]
- **Language(s) (NLP):** [More Information Needed]
- **License:** [More Information Needed]
- **Finetuned from model [optional]:** {parent}

## Uses

### Direct Use

[More Information Needed]

### Out-of-Scope Use

[More Information Needed]

## Bias, Risks, and Limitations

[More Information Needed]

## How to Get Started with the Model

Use the code below to get started with the model.

[More Information Needed]

## Training Details

### Training Data

[More Information Needed]

### Training Procedure

[More Information Needed]

## Environmental Impact

Carbon emissions can be estimated using the [Machine Learning Impact \
calculator](https://mlco2.github.io/impact#compute) presented in [Lacoste et al. \
(2019)](https://arxiv.org/abs/1910.09700).

- **Hardware Type:** [More Information Needed]
- **Hours used:** [More Information Needed]
- **Cloud Provider:** [More Information Needed]
- **Carbon Emitted:** [More Information Needed]"""
HUB_SUMMARY = "<!-- Provide a quick summary of what the model is/does. -->"
GGUF_INTRO = (
    "This model was converted to GGUF format from [`{p}`](https://huggingface.co/{p}) using "
    "llama.cpp via the ggml.ai's GGUF-my-repo space.\nRefer to the original model card for more "
    "details on the model.\n\n## Use with llama.cpp\n\n```bash\nllama-cli --hf-repo {me} "
    '--hf-file model-q4_k_m.gguf -p "The meaning to life and the universe is"\n```'
)
MERGE_INTRO = (
    "This is a merge of pre-trained language models created using "
    "[mergekit](https://github.com/cg123/mergekit).\n\n## Merge Details\n### Merge Method\n\n"
    "This model was merged using the {method} merge method.\n\n### Models Merged\n\n"
    "The following models were included in the merge:\n{models}"
)
COMPARE_LINE = "We compare it with [{x}](https://huggingface.co/{x}) on the same benchmarks."
SCRAPER_ERRORS = (
    "Error: the path 'README.md' does not exist in the given repository '{id}'.",
    "Error: 404 Client Error. Entry Not Found for url: "
    "https://huggingface.co/{id}/resolve/main/README.md.",
)
EMPTY_CARDS = ("", "\n", "  \n\n")
REAL_WORDS = _words(
    "model data training dataset evaluation accuracy tokens language fine tuning base "
    "parameters learning rate batch inference results performance benchmark task text input "
    "output prompt instruction chat response context length layers attention weights license "
    "users research limitations bias safety quality score validation test split epochs "
    "optimizer loss checkpoint architecture transformer encoder decoder embedding vocabulary "
    "sequence classification generation translation summarization question answer image audio "
    "speech vision pipeline library hardware compute gpu memory precision quantization adapter "
    "merge community release version english multilingual domain medical legal code math "
    "reasoning the a of and to in for with on by is are was this that we our it as from"
)
SYLLABLES = _words(
    "ka lo mi ra zen tor vi nu sa qi dex lu mo ne pi ro ta xu be co da fe gi ha jo ky ma no "
    "pa re si tu wa yo ze bri cal dor fen gar hul jin kor lem mar nix pol quin ros sul tek vor"
)

N_SLOTS = 12  # paragraph slots per card (see _slot_values)
FAMILY_SLOT = N_SLOTS - 1  # the slot descendants copy from their family root
SENT_BITS = 15
SENT_MASK = (1 << SENT_BITS) - 1
SENT_STEP = 7919  # stride between a paragraph's sentences in the pool
MAX_VERB = 12  # most sentences per paragraph
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./+-]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


@lru_cache(maxsize=1 << 16, typed=True)
def _scalar(value: Any) -> str:
    """A YAML scalar: plain when unambiguous, else a JSON (= YAML double-quoted) string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text)


def _emit_map(d: dict[str, Any], ind: int, out: list[str], seq_ind: int) -> None:
    """Block-style mapping; seq_ind varies list indentation the way hand-written cards do."""
    pad = " " * ind
    for key, value in d.items():
        if isinstance(value, dict):
            out.append(f"{pad}{key}:")
            _emit_map(value, ind + 2, out, seq_ind)
        elif isinstance(value, list) and not value:
            out.append(f"{pad}{key}: []")
        elif isinstance(value, list):
            out.append(f"{pad}{key}:")
            _emit_seq(value, ind + seq_ind, out, seq_ind)
        else:
            out.append(f"{pad}{key}: {_scalar(value)}")


def _emit_seq(items: list[Any], ind: int, out: list[str], seq_ind: int) -> None:
    """Block-style sequence, mappings inside it in compact '- key: value' form."""
    pad = " " * ind
    for item in items:
        if isinstance(item, dict):
            sub: list[str] = []
            _emit_map(item, ind + 2, sub, seq_ind)
            sub[0] = f"{pad}- {sub[0][ind + 2 :]}"
            out.extend(sub)
        else:
            out.append(f"{pad}- {_scalar(item)}")


def front_matter(card_data: dict[str, Any], seq_ind: int = 0) -> str:
    """Card YAML block the way people write it (block style, plain scalars where safe)."""
    lines = ["---"]
    _emit_map(card_data, 0, lines, seq_ind)
    lines.append("---")
    return "\n".join(lines) + "\n"


def _sentences(rng: np.random.Generator) -> list[str]:
    """Pool of 2**SENT_BITS pseudo-English sentences that card paragraphs are built from."""
    n_fake = 2500
    syl = rng.integers(0, len(SYLLABLES), (n_fake, 3)).tolist()
    n_syl = rng.integers(1, 4, n_fake).tolist()
    vocab = list(REAL_WORDS) + [
        "".join(SYLLABLES[s] for s in syl[i][: n_syl[i]]) for i in range(n_fake)
    ]
    n_sent = 1 << SENT_BITS
    lengths = rng.integers(8, 19, n_sent)
    words = np.floor(len(vocab) * rng.random(int(lengths.sum())) ** 1.8).astype(np.int64).tolist()
    out: list[str] = []
    pos = 0
    for length in lengths.tolist():
        text = " ".join(vocab[w] for w in words[pos : pos + length])
        pos += length
        out.append(text[0].upper() + text[1:] + ".")
    return out


def _mention(parent: str, rel: int) -> str:
    """The prose line cards use to name their parent (not a metadata declaration)."""
    return f"This model is a {REL_PHRASE[rel]} of [{parent}](https://huggingface.co/{parent})."
