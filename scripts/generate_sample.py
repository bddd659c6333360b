"""Generate a deterministic, Hub-shaped model snapshot together with its ground truth.

Why: every pedigree stage needs input that looks like the real Hub (heavy-tailed families,
messy metadata, broken rows) and whose correct answer is known, at any size from a unit test
to the whole Hub (about 2M models). Same seed and N give byte-identical data files.

    python scripts/generate_sample.py --models N --seed S --output DIR \
        [--snapshot-date 2026-11-01] [--shard-rows 100000]

Writes under DIR:
  card-dataset/part-NNNNN.parquet  the public daily card dump (modelId ... card)
  hub-listing/part-NNNNN.jsonl     the same models as HfApi.list_models JSON (no card text)
  truth/edges.parquet              declared parent edges a correct parser must find, plus
                                   prose-only mentions (declared_via='prose') it must not count
  truth/nodes.parquet              family, root, depths, cycles, card and trait facts per model
  truth/lineage.parquet            per graph view (all, no_merges, finetune_only) and model:
                                   family_id, depth_min, depth_max, in_cycle, over the models
                                   in the snapshot only (DESIGN.md: a missing parent is no node)
  truth/broken.parquet             every deliberately broken row (model_id, kind)
  manifest.json                    seed, sizes and the shape statistics of the sample

Truth rules (what a correct pipeline computes):
  * family_id: smallest id in the weakly connected component over all declared edges, parents
    missing from the snapshot included as placeholder nodes (so it may name a missing model).
  * depth_min / depth_max: shortest / longest generation count from a root over edges whose
    parent is in the snapshot, ignoring self-loops and edges inside a cycle; a model with no
    such parent is a root (depth 0, root_id = itself). root_id follows the parent with the
    smallest (depth_min, id).
  * has_card: card text longer than 3 characters that is not a scraper error message.
  * license / languages: canonical values declared by card YAML or Hub tags.
All edges except self-loops and the deliberate 2-cycles point from an earlier-created model
to a later one, which is why no other cycle can exist.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

Arr = npt.NDArray[Any]

GENERATOR_VERSION = "1.0.0"
MIN_MODELS = 1000
DAY = 86_400

# --- shape parameters (DESIGN.md reference values) --------------------------------------------
PARENT_SHARE = 0.30  # models that declare at least one parent
FAMOUS_CHILD_SHARE = 0.40  # of tree children, those in the famous base models' families
P_TO_ROOT = 0.55  # a child hangs directly off its family root
PARENT_GAMMA = 2.5  # otherwise an earlier member, biased toward old (shallow) ones
CARD_SHARE = 0.67  # models with a card longer than 3 characters
PROSE_SHARE = 0.015  # parentless models naming a parent only in prose
CYCLE_PAIR_SHARE = 0.0001
MISSING_FAMILY_SHARE = 0.0008  # families whose root is missing from the snapshot
# broken rows by kind, as a share of N (self-loops, 2-cycles and missing parents come from
# the graph; together about 1%)
CARD_BREAKS = {
    "bad_yaml": 0.0025,
    "bom": 0.001,
    "crlf": 0.0015,
    "empty_card": 0.0008,
    "binary_junk": 0.0005,
    "scraper_error": 0.0007,
}
DUPLICATE_SHARE = 0.001
SELF_LOOP_SHARE = 0.0003
BROKEN_KINDS = (
    *CARD_BREAKS,
    "duplicate_id",
    "self_loop",
    "cycle",
    "missing_parent",
)

RELATIONS = ("finetune", "adapter", "quantized", "merge")
FT, AD, QU, MG = range(4)
VIA = ("tag", "yaml", "both", "prose")
CH_TAG, CH_YAML, CH_BOTH, CH_PROSE = range(4)

# roles in the generated graph
R_FAMOUS, R_ROOT, R_CHILD, R_CHAIN, R_SELF, R_CYCLE, R_ISO, R_MISSING = range(8)
# card states: OK/BOM/CRLF carry valid YAML; the others have none a parser can read
C_NONE, C_OK, C_BOM, C_CRLF, C_BAD, C_EMPTY, C_JUNK, C_SCRAPER = range(8)
CARD_STATE_OF_BREAK = {
    "bad_yaml": C_BAD,
    "bom": C_BOM,
    "crlf": C_CRLF,
    "empty_card": C_EMPTY,
    "binary_junk": C_JUNK,
    "scraper_error": C_SCRAPER,
}
# auto-generated card styles
A_NONE, A_TRAINER, A_HUB = range(3)
# weight file layouts (siblings)
W_SAFE, W_BIN, W_BOTH, W_GGUF, W_ADAPTER, W_ADAPTER_BIN, W_DIFFUSERS, W_LORA, W_MLX = range(9)
W_SB3, W_ST = 9, 10
SAFETENSORS_LAYOUTS = frozenset({W_SAFE, W_BOTH, W_ADAPTER, W_LORA, W_DIFFUSERS, W_MLX, W_ST})
PICKLE_LAYOUTS = frozenset({W_BIN, W_BOTH, W_ADAPTER_BIN})


def _words(text: str) -> tuple[str, ...]:
    """Word lists written as one string: long tables stay readable."""
    return tuple(text.split())


LANGS = (
    *_words(
        "en zh fr es de ru ja pt it ko ar hi nl tr pl vi th id fa sv cs ro hu el da fi uk he bg ca "
        "nb sk hr lt sl et lv sr ms bn ta te ur mr gu kn ml pa sw af sq am hy az eu be bs cy eo gl "
        "ka is ga jv kk km ky lo lb mk mg mn my ne ps si so su tg tl tt ug uz xh yi yo zu as br fy "
        "gd ha ht ig ku la mi mt oc or qu rw sa sd sn"
    ),
    "multilingual",
)
EN = 0
MULTI = len(LANGS) - 1

# (canonical id, category, messy spellings seen in real cards)
LICENSES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("apache-2.0", "permissive", ("apache-2", "Apache 2.0", "Apache-2.0", "Apache License 2.0")),
    ("mit", "permissive", ("MIT", "Mit")),
    ("unlicense", "permissive", ()),
    ("cc0-1.0", "permissive", ("CC0",)),
    ("artistic-2.0", "permissive", ()),
    ("afl-3.0", "permissive", ()),
    ("cc-by-4.0", "copyleft", ("CC-BY-4.0", "cc by 4.0")),
    ("cc-by-sa-4.0", "copyleft", ("CC BY-SA 4.0",)),
    ("gpl-3.0", "copyleft", ("GPL-3.0", "gplv3")),
    ("gpl-2.0", "copyleft", ("GPL-2.0",)),
    ("openrail", "use-restricted", ("OpenRAIL",)),
    ("openrail++", "use-restricted", ()),
    ("creativeml-openrail-m", "use-restricted", ("CreativeML OpenRAIL-M",)),
    ("bigscience-bloom-rail-1.0", "use-restricted", ()),
    ("cc-by-nc-4.0", "use-restricted", ("CC BY-NC 4.0", "cc-by-nc")),
    ("cc-by-nc-sa-4.0", "use-restricted", ()),
    ("cc-by-nc-nd-4.0", "use-restricted", ()),
    ("llama2", "commercial", ("llama-2",)),
    ("llama3", "commercial", ("llama-3",)),
    ("llama3.1", "commercial", ("llama-3.1", "Llama 3.1")),
    ("llama3.2", "commercial", ("llama-3.2",)),
    ("llama3.3", "commercial", ()),
    ("gemma", "commercial", ("Gemma Terms of Use",)),
    ("other", "other", ()),
    ("unknown", "unknown", ()),  # rendered as '???'
)
LIC_IDS = tuple(lic[0] for lic in LICENSES)
LIC_CATS = ("permissive", "copyleft", "use-restricted", "commercial", "other", "unknown")
LIC_CAT = np.array([LIC_CATS.index(lic[1]) for lic in LICENSES], np.int8)
UNKNOWN_LIC = LIC_IDS.index("unknown")
BASE_LICENSE = {
    "apache-2.0": 0.36,
    "mit": 0.22,
    "other": 0.07,
    "cc-by-nc-4.0": 0.05,
    "cc-by-4.0": 0.04,
    "openrail": 0.04,
    "creativeml-openrail-m": 0.03,
    "gpl-3.0": 0.025,
    "llama3": 0.02,
    "llama2": 0.015,
    "cc-by-sa-4.0": 0.015,
    "unlicense": 0.01,
    "cc0-1.0": 0.01,
    "gemma": 0.01,
    "unknown": 0.01,
    "openrail++": 0.01,
    "cc-by-nc-sa-4.0": 0.01,
    "llama3.1": 0.01,
    "afl-3.0": 0.005,
    "artistic-2.0": 0.005,
    "gpl-2.0": 0.005,
    "bigscience-bloom-rail-1.0": 0.005,
    "cc-by-nc-nd-4.0": 0.005,
    "llama3.2": 0.005,
    "llama3.3": 0.003,
}
# child keeps the parent's license with this chance, by parent category (LIC_CATS order)
LIC_KEEP = np.array([0.88, 0.75, 0.70, 0.62, 0.65, 0.30])
# otherwise it drifts toward permissive licenses (DESIGN: directional drift)
LIC_DRIFT = {
    "permissive": {"mit": 0.3, "apache-2.0": 0.3, "cc-by-nc-4.0": 0.12, "cc-by-4.0": 0.08},
    "copyleft": {"apache-2.0": 0.5, "mit": 0.35, "cc-by-sa-4.0": 0.1, "other": 0.05},
    "use-restricted": {"apache-2.0": 0.45, "mit": 0.3, "openrail": 0.1, "other": 0.15},
    "commercial": {"apache-2.0": 0.55, "mit": 0.25, "other": 0.12, "cc-by-nc-4.0": 0.08},
    "other": {"apache-2.0": 0.5, "mit": 0.3, "cc-by-nc-4.0": 0.1, "gpl-3.0": 0.1},
    "unknown": {"apache-2.0": 0.5, "mit": 0.4, "other": 0.1},
}

PIPES = (
    "text-generation",
    "text-classification",
    "token-classification",
    "question-answering",
    "fill-mask",
    "feature-extraction",
    "sentence-similarity",
    "summarization",
    "translation",
    "text2text-generation",
    "automatic-speech-recognition",
    "audio-classification",
    "image-classification",
    "object-detection",
    "image-segmentation",
    "image-feature-extraction",
    "text-to-image",
    "image-to-image",
    "reinforcement-learning",
)
# model-index (machine-readable results) by pipeline tag; Jiang et al.: ~4% overall, 16.8% of
# token-classification, almost none untagged
# (chances are per model with readable YAML, about 60% of all)
MODEL_INDEX_P = {
    "token-classification": 0.28,
    "text-classification": 0.13,
    "question-answering": 0.13,
    "automatic-speech-recognition": 0.16,
    "summarization": 0.1,
    "translation": 0.1,
    "image-classification": 0.11,
}
MODEL_INDEX_OTHER, MODEL_INDEX_UNTAGGED = 0.035, 0.001
METRICS = {
    "token-classification": ("precision", "recall", "f1", "accuracy"),
    "text-classification": ("accuracy", "f1"),
    "question-answering": ("exact_match", "f1"),
    "automatic-speech-recognition": ("wer",),
    "summarization": ("rouge1", "rouge2", "rougeL"),
    "translation": ("bleu",),
}
LIBS = (
    "transformers",
    "peft",
    "diffusers",
    "sentence-transformers",
    "gguf",
    "mlx",
    "timm",
    "stable-baselines3",
)
L_TF, L_PEFT, L_DIFF, L_ST, L_GGUF, L_MLX, L_TIMM, L_SB3 = range(8)


@dataclass(frozen=True)
class KindSpec:
    """How models of one modality are named, tagged and mutate along edges."""

    rel_p: tuple[float, float, float, float]  # child relation: finetune, adapter, quantized, merge
    keep_pipe: float  # finetune child keeps the parent's pipeline tag
    pipes: tuple[tuple[str, float], ...]  # pipeline tags of fresh models and mutated children
    library: int
    arches: tuple[str, ...]
    stems: tuple[str, ...]
    sizes: tuple[str, ...]
    datasets: tuple[str, ...]
    lang_p: float  # an unrelated model of this kind declares languages
    synth_w: float  # share of synthetic families
    iso_w: float  # share of isolated models


KINDS: dict[str, KindSpec] = {
    "llm": KindSpec(
        (0.06, 0.60, 0.28, 0.06),
        0.9,
        (
            ("text-generation", 0.8),
            ("text-classification", 0.08),
            ("feature-extraction", 0.04),
            ("question-answering", 0.04),
            ("summarization", 0.04),
        ),
        L_TF,
        ("llama", "mistral", "qwen2", "gemma2", "phi3", "gpt_neox"),
        ("Nova", "Orca", "Zephyr", "Hermes", "Lumen", "Mira", "Atlas", "Sage", "Vega", "Ember"),
        ("0.5B", "1.5B", "3B", "7B", "8B", "13B", "70B"),
        (
            "HuggingFaceH4/ultrachat_200k",
            "teknium/OpenHermes-2.5",
            "tatsu-lab/alpaca",
            "Open-Orca/SlimOrca",
            "HuggingFaceH4/ultrafeedback_binarized",
            "databricks/databricks-dolly-15k",
            "openai/gsm8k",
        ),
        0.45,
        0.48,
        0.25,
    ),
    "encoder": KindSpec(
        (0.80, 0.15, 0.05, 0.0),
        0.45,
        (
            ("text-classification", 0.45),
            ("token-classification", 0.22),
            ("question-answering", 0.12),
            ("fill-mask", 0.06),
            ("sentence-similarity", 0.08),
            ("feature-extraction", 0.07),
        ),
        L_TF,
        ("bert", "roberta", "distilbert", "deberta-v2", "electra"),
        ("bert", "roberta", "electra", "deberta", "minilm"),
        ("tiny", "small", "base", "large"),
        (
            "imdb",
            "glue",
            "conll2003",
            "squad",
            "stanfordnlp/sst2",
            "ag_news",
            "emotion",
            "wnut_17",
            "tweet_eval",
        ),
        0.6,
        0.15,
        0.22,
    ),
    "seq2seq": KindSpec(
        (0.85, 0.12, 0.03, 0.0),
        0.5,
        (("text2text-generation", 0.4), ("summarization", 0.3), ("translation", 0.3)),
        L_TF,
        ("t5", "bart", "mt5", "marian"),
        ("t5", "bart", "pegasus", "opus-mt"),
        ("small", "base", "large"),
        ("cnn_dailymail", "xsum", "wmt16", "samsum", "opus_books"),
        0.7,
        0.04,
        0.07,
    ),
    "speech": KindSpec(
        (0.86, 0.09, 0.05, 0.0),
        0.85,
        (("automatic-speech-recognition", 0.8), ("audio-classification", 0.2)),
        L_TF,
        ("whisper", "wav2vec2", "hubert"),
        ("whisper", "wav2vec2", "speech"),
        ("tiny", "small", "base", "large"),
        ("mozilla-foundation/common_voice_11_0", "librispeech_asr", "google/fleurs"),
        0.8,
        0.04,
        0.06,
    ),
    "vision": KindSpec(
        (0.88, 0.12, 0.0, 0.0),
        0.4,
        (("image-classification", 0.75), ("object-detection", 0.15), ("image-segmentation", 0.1)),
        L_TF,
        ("vit", "resnet", "convnext", "swin", "detr"),
        ("vit", "resnet", "convnext", "swin", "detr"),
        ("tiny", "small", "base", "large"),
        ("imagenet-1k", "cifar10", "beans", "food101"),
        0.05,
        0.06,
        0.12,
    ),
    "diffusion": KindSpec(
        (0.20, 0.80, 0.0, 0.0),
        0.95,
        (("text-to-image", 0.9), ("image-to-image", 0.1)),
        L_DIFF,
        ("stable-diffusion", "flux", "sdxl"),
        ("anime", "realistic", "pixel", "dream", "photon", "toon"),
        ("diffusion", "xl", "mix", "v1"),
        ("lambdalabs/pokemon-blip-captions", "custom-images"),
        0.2,
        0.14,
        0.14,
    ),
    "embedding": KindSpec(
        (0.88, 0.04, 0.08, 0.0),
        0.8,
        (("sentence-similarity", 0.6), ("feature-extraction", 0.4)),
        L_ST,
        ("bert", "xlm-roberta", "mpnet"),
        ("embed", "retriever", "minilm", "gte"),
        ("small", "base", "large"),
        ("sentence-transformers/all-nli", "ms_marco", "quora"),
        0.7,
        0.04,
        0.05,
    ),
    "rl": KindSpec(
        (1.0, 0.0, 0.0, 0.0),
        1.0,
        (("reinforcement-learning", 1.0),),
        L_SB3,
        ("ppo", "dqn", "a2c"),
        ("ppo-LunarLander", "dqn-SpaceInvaders", "a2c-CartPole", "ppo-Huggy"),
        ("v2", "v3", "v1"),
        (),
        0.0,
        0.02,
        0.09,
    ),
}
KIND_NAMES = tuple(KINDS)
K_LLM, K_DIFF = KIND_NAMES.index("llm"), KIND_NAMES.index("diffusion")
SPECS = tuple(KINDS.values())
ARCHES = tuple(dict.fromkeys(a for s in SPECS for a in s.arches))


@dataclass(frozen=True)
class Famous:
    """A real base model with a large family (id, modality, traits, release date, weight)."""

    model_id: str
    kind: str
    arch: str
    pipe: str
    library: int
    license: str
    languages: str  # space-separated codes; "@N" = the first N of LANGS
    created: str
    weight: float


_LEGACY = "2022-03-02T23:29:04"  # the Hub's createdAt for every model that predates it
_L31 = "en de fr it pt hi es th"
FAMOUS: tuple[Famous, ...] = (
    Famous("meta-llama/Llama-3.1-8B-Instruct", "llm", "llama", "text-generation", L_TF,
           "llama3.1", _L31, "2024-07-18T08:56:00", 10),
    Famous("Qwen/Qwen2.5-7B-Instruct", "llm", "qwen2", "text-generation", L_TF,
           "apache-2.0", "@29", "2024-09-16T11:55:40", 6),
    Famous("meta-llama/Llama-3.1-8B", "llm", "llama", "text-generation", L_TF,
           "llama3.1", _L31, "2024-07-14T22:20:15", 6),
    Famous("mistralai/Mistral-7B-v0.1", "llm", "mistral", "text-generation", L_TF,
           "apache-2.0", "en", "2023-09-20T13:03:50", 5),
    Famous("meta-llama/Meta-Llama-3-8B", "llm", "llama", "text-generation", L_TF,
           "llama3", "en", "2024-04-17T09:35:16", 5),
    Famous("google-bert/bert-base-uncased", "encoder", "bert", "fill-mask", L_TF,
           "apache-2.0", "en", _LEGACY, 5),
    Famous("stabilityai/stable-diffusion-xl-base-1.0", "diffusion", "sdxl", "text-to-image",
           L_DIFF, "openrail++", "", "2023-07-25T17:11:56", 4),
    Famous("black-forest-labs/FLUX.1-dev", "diffusion", "flux", "text-to-image", L_DIFF,
           "other", "en", "2024-07-29T21:17:51", 4),
    Famous("meta-llama/Llama-2-7b-hf", "llm", "llama", "text-generation", L_TF,
           "llama2", "en", "2023-07-13T16:16:13", 4),
    Famous("distilbert-base-uncased", "encoder", "distilbert", "fill-mask", L_TF,
           "apache-2.0", "en", _LEGACY, 4),
    Famous("Qwen/Qwen2.5-0.5B-Instruct", "llm", "qwen2", "text-generation", L_TF,
           "apache-2.0", "@29", "2024-09-16T11:52:34", 3),
    Famous("meta-llama/Llama-3.2-1B-Instruct", "llm", "llama", "text-generation", L_TF,
           "llama3.2", _L31, "2024-09-18T15:12:47", 3),
    Famous("mistralai/Mistral-7B-Instruct-v0.2", "llm", "mistral", "text-generation", L_TF,
           "apache-2.0", "", "2023-12-11T13:18:44", 3),
    Famous("roberta-base", "encoder", "roberta", "fill-mask", L_TF, "mit", "en", _LEGACY, 3),
    Famous("gpt2", "llm", "gpt2", "text-generation", L_TF, "mit", "en", _LEGACY, 3),
    Famous("runwayml/stable-diffusion-v1-5", "diffusion", "stable-diffusion", "text-to-image",
           L_DIFF, "creativeml-openrail-m", "", "2022-10-19T22:36:49", 3),
    Famous("openai/whisper-small", "speech", "whisper", "automatic-speech-recognition", L_TF,
           "apache-2.0", "@99", "2022-09-26T06:51:27", 3),
    Famous("google/gemma-2-9b-it", "llm", "gemma2", "text-generation", L_TF,
           "gemma", "", "2024-06-24T08:05:41", 2.5),
    Famous("google/gemma-2b", "llm", "gemma", "text-generation", L_TF,
           "gemma", "", "2024-02-08T08:11:26", 2),
    Famous("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "llm", "llama", "text-generation", L_TF,
           "apache-2.0", "en", "2023-12-30T06:27:30", 2),
    Famous("xlm-roberta-base", "encoder", "xlm-roberta", "fill-mask", L_TF,
           "mit", "multilingual @94", _LEGACY, 2),
    Famous("microsoft/deberta-v3-base", "encoder", "deberta-v2", "fill-mask", L_TF,
           "mit", "en", "2022-03-02T23:29:05", 2),
    Famous("t5-small", "seq2seq", "t5", "translation", L_TF,
           "apache-2.0", "en fr ro de", _LEGACY, 2),
    Famous("google/flan-t5-base", "seq2seq", "t5", "text2text-generation", L_TF,
           "apache-2.0", "en fr ro de multilingual", "2022-10-21T10:02:31", 2),
    Famous("openai/whisper-large-v3", "speech", "whisper", "automatic-speech-recognition", L_TF,
           "apache-2.0", "@99", "2023-11-07T18:41:14", 2),
    Famous("google/vit-base-patch16-224-in21k", "vision", "vit", "image-feature-extraction",
           L_TF, "apache-2.0", "", "2022-03-02T23:29:05", 2),
    Famous("sentence-transformers/all-MiniLM-L6-v2", "embedding", "bert", "sentence-similarity",
           L_ST, "apache-2.0", "en", "2022-03-02T23:29:05", 2),
    Famous("microsoft/phi-2", "llm", "phi", "text-generation", L_TF,
           "mit", "en", "2023-12-13T21:19:59", 1.5),
    Famous("meta-llama/Llama-3.3-70B-Instruct", "llm", "llama", "text-generation", L_TF,
           "llama3.3", _L31, "2024-11-26T16:08:47", 1.5),
    Famous("bert-base-multilingual-cased", "encoder", "bert", "fill-mask", L_TF,
           "apache-2.0", "multilingual @104", _LEGACY, 1),
    Famous("bigscience/bloom-560m", "llm", "bloom", "text-generation", L_TF,
           "bigscience-bloom-rail-1.0", "@46", "2022-05-19T11:51:24", 1),
    Famous("distilgpt2", "llm", "gpt2", "text-generation", L_TF, "apache-2.0", "en", _LEGACY, 1),
    Famous("EleutherAI/pythia-160m", "llm", "gpt_neox", "text-generation", L_TF,
           "apache-2.0", "en", "2023-02-08T19:07:39", 1),
    Famous("facebook/opt-125m", "llm", "opt", "text-generation", L_TF,
           "other", "en", "2022-05-11T08:25:17", 1),
    Famous("facebook/bart-large-cnn", "seq2seq", "bart", "summarization", L_TF,
           "mit", "en", _LEGACY, 1),
    Famous("google/mt5-small", "seq2seq", "mt5", "text2text-generation", L_TF,
           "apache-2.0", "multilingual @101", "2022-03-02T23:29:05", 1),
    Famous("microsoft/resnet-50", "vision", "resnet", "image-classification", L_TF,
           "apache-2.0", "", "2022-03-16T15:42:43", 1),
    Famous("BAAI/bge-small-en-v1.5", "embedding", "bert", "feature-extraction", L_ST,
           "mit", "en", "2023-09-12T05:20:55", 1),
    Famous("dccuchile/bert-base-spanish-wwm-cased", "encoder", "bert", "fill-mask", L_TF,
           "cc-by-4.0", "es", _LEGACY, 0.5),
)  # fmt: skip
ALL_ARCHES = tuple(dict.fromkeys([*ARCHES, *(f.arch for f in FAMOUS)]))

REL_SUFFIX: tuple[tuple[str, ...], ...] = (
    ("finetuned", "sft", "dpo", "instruct", "ft", "v2", "orpo", "chat"),
    ("lora", "qlora", "adapter", "peft"),
    ("AWQ", "GPTQ", "4bit", "8bit", "bnb-4bit"),
    ("slerp", "ties", "dare-ties", "merge", "passthrough"),
)
GGUF_SUFFIX: tuple[str, ...] = ("GGUF", "Q4_K_M-GGUF", "Q8_0-GGUF")
MLX_SUFFIX: tuple[str, ...] = ("mlx-4bit", "mlx-8bit")
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


def _b36(i: int) -> str:
    """Short unique suffix for generated names (base 36 of the node index)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        i, r = divmod(i, 36)
        out = digits[r] + out
        if i == 0:
            return out


def _mix(x: Arr, salt: int) -> Arr:
    """splitmix64 hash: per-node pseudo-random bits for rendering choices, no RNG state."""
    z = x.astype(np.uint64) + np.uint64((0x9E3779B97F4A7C15 * (salt + 1)) & (2**64 - 1))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _cum(probs: Any) -> Arr:
    """Cumulative distribution(s) along the last axis, last column exactly 1."""
    p = np.asarray(probs, dtype=np.float64)
    c = np.cumsum(p / p.sum(axis=-1, keepdims=True), axis=-1)
    c[..., -1] = 1.0
    return c


def _draw(cum: Arr, u: Arr) -> Arr:
    """Inverse-CDF draw: cum is one distribution (1-D) or one per row (2-D)."""
    if cum.ndim == 1:
        return np.searchsorted(cum, u, side="right").astype(np.int64)
    return (u[:, None] >= cum).sum(axis=1).astype(np.int64)


def _count(x: float, least: int = 1) -> int:
    """How many of a rare thing: at least one, so small samples still contain it."""
    return max(least, round(x))


def _epoch(iso: str) -> int:
    """ISO date-time (UTC) -> epoch seconds."""
    return int(np.datetime64(iso, "s").astype(np.int64))


def _iso(ts: Arr) -> list[str]:
    """Epoch seconds -> the dump's '2021-10-28T17:14:26.000Z'."""
    text = np.datetime_as_string(ts.astype("datetime64[s]").astype("datetime64[ms]"), unit="ms")
    return [t + "Z" for t in text.tolist()]


# --- language sets ---------------------------------------------------------------------------
class _LangSets:
    """Language sets as ids into one table, so traits inherit with vectorised numpy.

    Ids: 0 empty, 1..L single languages, then every ordered pair, then named multi sets.
    """

    def __init__(self, multi: list[tuple[int, ...]]) -> None:
        n = len(LANGS)
        self.n = n
        self.pair0 = 1 + n
        self.multi0 = 1 + n + n * n
        sets: list[tuple[int, ...]] = [()] + [(i,) for i in range(n)]
        sets += [(a, b) if a != b else (a,) for a in range(n) for b in range(n)]
        sets += multi
        self.sets = sets
        self.size = np.array([len(s) for s in sets], np.int64)
        self.off = np.concatenate([[0], np.cumsum(self.size)[:-1]])
        self.flat = np.array([x for s in sets for x in s], np.int64)
        self.has_en = np.array([EN in s for s in sets])

    def member(self, sid: Arr, u: Arr) -> Arr:
        """A random member of each set (meaningless for empty sets)."""
        pos = self.off[sid] + (u * np.maximum(self.size[sid], 1)).astype(np.int64)
        return self.flat[np.minimum(pos, len(self.flat) - 1)]


def _parse_langs(spec: str) -> tuple[int, ...]:
    """A FAMOUS language spec as language indices."""
    out: list[int] = []
    for token in spec.split():
        out += list(range(int(token[1:]))) if token.startswith("@") else [LANGS.index(token)]
    return tuple(dict.fromkeys(out))


# --- graph -----------------------------------------------------------------------------------
@dataclass
class _Graph:
    """Generated structure: nodes [0, n) are snapshot models, [n, total) missing parents."""

    n: int
    role: Arr
    tparent: Arr  # primary parent (traits are inherited along it), -1 for none
    rel: Arr  # relation to the parent(s), -1 for none
    kind: Arr
    famous: Arr
    troot: Arr
    tdepth: Arr
    created: Arr
    extra_child: Arr  # declared edges beyond tparent: merge parents, self-loops, 2-cycles
    extra_parent: Arr
    card: Arr
    channel: Arr
    broken: Arr  # index into BROKEN_KINDS, -1 for none
    dup: Arr  # models that appear twice
    prose_child: Arr
    prose_parent: Arr
    bm_style: Arr  # YAML base_model form: 0 str, 1 list, 2 URL


def _family_sizes(budget: int, max_size: int, rng: np.random.Generator) -> Arr:
    """Heavy-tailed family child counts (Zipf) summing exactly to budget."""
    sizes = np.zeros(0, np.int64)
    while sizes.sum() < budget:
        more = np.minimum(rng.zipf(2.0, size=max(16, budget // 3)), max_size)
        sizes = np.concatenate([sizes, more])
    cut = int(np.searchsorted(np.cumsum(sizes), budget))
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= int(sizes.sum()) - budget
    return sizes[sizes > 0]


def _levels(tparent: Arr) -> tuple[Arr, Arr]:
    """Tree depth and tree root of every node along tparent (a forest)."""
    depth = np.where(tparent >= 0, -1, 0)
    root = np.arange(len(tparent))
    while (depth < 0).any():
        idx = np.flatnonzero(depth < 0)
        pd = depth[tparent[idx]]
        ok = idx[pd >= 0]
        depth[ok] = depth[tparent[ok]] + 1
        root[ok] = root[tparent[ok]]
    return depth, root


def _build_graph(n: int, rng: np.random.Generator, start: int, end: int) -> _Graph:
    """The family forest, its extra edges and every per-model structural decision."""
    nf = len(FAMOUS)
    chain_len = rng.integers(6, 11, size=max(2, n // 100_000))
    n_chain = int(chain_len.sum()) + len(chain_len)  # + one diamond merge per chain
    n_self = _count(n * SELF_LOOP_SHARE)
    n_cyc = _count(n * CYCLE_PAIR_SHARE)
    n_tree = round(PARENT_SHARE * n) - n_chain - n_self - 2 * n_cyc
    fam_w = np.array([f.weight for f in FAMOUS])
    famous_k = rng.multinomial(round(FAMOUS_CHILD_SHARE * n_tree), fam_w / fam_w.sum())
    synth_k = _family_sizes(n_tree - int(famous_k.sum()), max(3, n // 400), rng)
    small = np.flatnonzero(synth_k <= 3)
    missing = np.zeros(len(synth_k), bool)
    missing[rng.choice(small, min(len(small), _count(n * MISSING_FAMILY_SHARE, 2)), False)] = True
    n_missing = int(missing.sum())
    n_roots = len(synth_k) - n_missing
    o_root = nf
    o_child = o_root + n_roots
    o_chain = o_child + n_tree
    o_self = o_chain + n_chain
    o_cyc = o_self + n_self
    o_iso = o_cyc + 2 * n_cyc
    if o_iso > n:
        raise ValueError(f"--models {n} is too small for the generated structure")
    total = n + n_missing

    role = np.full(total, R_ISO, np.int8)
    for r, (a, b) in enumerate(
        [(0, nf), (o_root, o_child), (o_child, o_chain), (o_chain, o_self), (o_self, o_cyc)]
    ):
        role[a:b] = r
    role[o_cyc:o_iso] = R_CYCLE
    role[n:] = R_MISSING
    famous = np.full(total, -1, np.int64)
    famous[:nf] = np.arange(nf)
    kind = _draw(_cum([s.iso_w for s in SPECS]), rng.random(total))
    kind[:nf] = [KIND_NAMES.index(f.kind) for f in FAMOUS]
    tparent = np.full(total, -1, np.int64)
    rel = np.full(total, -1, np.int64)

    # tree children: family f's children occupy one contiguous block after o_child
    fam_root = np.concatenate([np.arange(nf), np.zeros(len(synth_k), np.int64)])
    fam_root[nf:][~missing] = o_root + np.arange(n_roots)
    fam_root[nf:][missing] = n + np.arange(n_missing)
    # systematic sampling over the children mass: each modality gets its share of children
    # even when one huge family would otherwise decide the relation mix of a small sample
    mass = (rng.random() + np.cumsum(synth_k) - synth_k / 2) / synth_k.sum() % 1.0
    kind[fam_root[nf:]] = _draw(_cum([s.synth_w for s in SPECS]), mass)
    fam_k = np.concatenate([famous_k, synth_k])
    fam_of = np.repeat(np.arange(len(fam_k)), fam_k)
    fam_start = o_child + np.concatenate([[0], np.cumsum(fam_k)[:-1]])
    kid = o_child + np.arange(n_tree)
    local = kid - fam_start[fam_of] + 1
    kind[kid] = kind[fam_root[fam_of]]
    rel[kid] = _draw(_cum([s.rel_p for s in SPECS])[kind[kid]], rng.random(n_tree))
    q = np.floor(local * rng.random(n_tree) ** PARENT_GAMMA).astype(np.int64)
    to_root = (rng.random(n_tree) < P_TO_ROOT) | (q == 0)
    tparent[kid] = np.where(to_root, fam_root[fam_of], fam_start[fam_of] + q - 1)
    # adapters and quantizations almost never get children: move such children up
    sterile = np.isin(rel, (AD, QU)) & (rng.random(total) < 0.97)
    while True:
        p = tparent[kid]
        bad = sterile[p]
        if not bad.any():
            break
        tparent[kid[bad]] = tparent[p[bad]]

    # chains of finetunes at least 6 deep under famous LLMs, each with a diamond merge
    extra_c: list[int] = []
    extra_p: list[int] = []
    llm_famous = np.array([i for i, f in enumerate(FAMOUS) if f.kind == "llm"])
    pos = o_chain
    for length, root in zip(chain_len, rng.choice(llm_famous, len(chain_len)), strict=True):
        nodes = np.arange(pos, pos + length)
        tparent[nodes] = np.concatenate([[root], nodes[:-1]])
        rel[nodes] = FT
        diamond = pos + length
        tparent[diamond] = nodes[2]
        rel[diamond] = MG
        extra_c.append(diamond)
        extra_p.append(int(nodes[1]))
        kind[pos : diamond + 1] = K_LLM
        pos = diamond + 1
    for v in range(o_self, o_cyc):
        extra_c.append(v)
        extra_p.append(v)
    for a in range(o_cyc, o_iso, 2):
        extra_c += [a, a + 1]
        extra_p += [a + 1, a]
    rel[o_self:o_iso] = FT

    tdepth, troot = _levels(tparent)
    created = _created(role, famous, tparent, tdepth, rng, start, end)
    _merge_parents(n, kid, rel, tparent, kind, role, created, rng, extra_c, extra_p)

    card, broken, dup = _card_states(n, role, tparent, rng)
    prose_child, prose_parent = _prose(n, role, card, broken, created, rng)
    kind[prose_child] = kind[prose_parent]
    valid_yaml = np.isin(card, (C_OK, C_BOM, C_CRLF))
    u = rng.random(total)
    channel = np.where(u < 0.72, CH_BOTH, np.where(u < 0.85, CH_YAML, CH_TAG))
    channel = np.where(valid_yaml, channel, CH_TAG)
    channel[role == R_SELF] = CH_YAML
    channel[role == R_CYCLE] = CH_BOTH
    bm_style = _draw(_cum([0.64, 0.24, 0.12]), rng.random(total))
    return _Graph(
        n=n,
        role=role,
        tparent=tparent,
        rel=rel,
        kind=kind,
        famous=famous,
        troot=troot,
        tdepth=tdepth,
        created=created,
        extra_child=np.array(extra_c, np.int64),
        extra_parent=np.array(extra_p, np.int64),
        card=card,
        channel=channel,
        broken=broken,
        dup=dup,
        prose_child=prose_child,
        prose_parent=prose_parent,
        bm_style=bm_style,
    )


def _created(
    role: Arr,
    famous: Arr,
    tparent: Arr,
    tdepth: Arr,
    rng: np.random.Generator,
    start: int,
    end: int,
) -> Arr:
    """Creation times: roots spread with the Hub's growth, children strictly after parents."""
    total = len(role)
    u = rng.random(total)
    family_root = np.isin(role, (R_ROOT, R_MISSING))
    shape = np.where(family_root, 1 / 1.6, 1 / 2.5)
    created = (start + (end - 60 * DAY - start) * u**shape).astype(np.int64)
    is_famous = famous >= 0
    created[is_famous] = [
        min(_epoch(FAMOUS[i].created), end - 365 * DAY) for i in famous[is_famous]
    ]
    delta = (3600 + rng.exponential(45 * DAY, total)).astype(np.int64)
    for d in range(1, int(tdepth.max()) + 1):
        c = np.flatnonzero(tdepth == d)
        p = tparent[c]
        created[c] = created[p] + np.maximum(1, np.minimum(delta[c], (end - created[p]) // 2))
    return created


def _merge_parents(
    n: int,
    kid: Arr,
    rel: Arr,
    tparent: Arr,
    kind: Arr,
    role: Arr,
    created: Arr,
    rng: np.random.Generator,
    extra_c: list[int],
    extra_p: list[int],
) -> None:
    """Give merges 1-3 more parents: the primary parent's own parent (a diamond) or any
    earlier LLM; every extra parent is older than the merge, so no cycle can form."""
    merges = kid[rel[kid] == MG]
    pool_mask = np.zeros(len(role), bool)
    pool_mask[:n] = (kind[:n] == K_LLM) & ~np.isin(rel[:n], (AD, QU))
    pool_mask &= np.isin(role, (R_FAMOUS, R_ROOT, R_CHILD, R_CHAIN))
    pool = np.flatnonzero(pool_mask)
    pool = pool[np.argsort(created[pool], kind="stable")]
    pool_t = created[pool]
    k_extra = 1 + _draw(_cum([0.6, 0.3, 0.1]), rng.random(len(merges)))
    u = rng.random((len(merges), 3, 2))
    for m, k, uu in zip(merges.tolist(), k_extra.tolist(), u, strict=True):
        p = int(tparent[m])
        parents = [p]
        gp = int(tparent[p])
        earlier = int(np.searchsorted(pool_t, created[m], side="left"))
        for j in range(k):
            if 0 <= gp < n and gp not in parents and uu[j, 0] < 0.4:
                parents.append(gp)
            elif earlier:
                cand = int(pool[int(uu[j, 1] * earlier)])
                if cand not in parents:
                    parents.append(cand)
        if len(parents) < 2:
            rel[m] = FT
            continue
        extra_c += [m] * (len(parents) - 1)
        extra_p += parents[1:]


def _card_states(n: int, role: Arr, tparent: Arr, rng: np.random.Generator) -> tuple[Arr, Arr, Arr]:
    """Who has a card, which rows are deliberately broken and which ids appear twice."""
    total = len(role)
    broken = np.full(total, -1, np.int64)
    snap = np.arange(total) < n
    broken[(role == R_SELF)] = BROKEN_KINDS.index("self_loop")
    broken[(role == R_CYCLE)] = BROKEN_KINDS.index("cycle")
    orphan = snap & (tparent >= n)
    broken[orphan] = BROKEN_KINDS.index("missing_parent")
    p_role = np.array([1.0, 0.92, 0.9, 1.0, 1.0, 1.0, 0.0, 1.0])
    others = float(p_role[role[snap]].sum())
    n_iso = int((role[snap] == R_ISO).sum())
    target = (CARD_SHARE + CARD_BREAKS["empty_card"] + CARD_BREAKS["scraper_error"]) * n
    p_role[R_ISO] = min(0.95, max(0.05, (target - others) / max(n_iso, 1)))
    card = np.where(rng.random(total) < p_role[role], C_OK, C_NONE)

    cand = np.flatnonzero(
        snap & (card == C_OK) & np.isin(role, (R_ROOT, R_CHILD, R_ISO)) & (broken < 0)
    )
    counts = [_count(n * share) for share in CARD_BREAKS.values()]
    picked = rng.choice(cand, sum(counts), replace=False)
    for kind_name, chosen in zip(
        CARD_BREAKS, np.split(picked, np.cumsum(counts)[:-1]), strict=True
    ):
        card[chosen] = CARD_STATE_OF_BREAK[kind_name]
        broken[chosen] = BROKEN_KINDS.index(kind_name)
    free = np.flatnonzero(snap & (broken < 0) & (role != R_FAMOUS))
    dup = np.sort(rng.choice(free, _count(n * DUPLICATE_SHARE), replace=False))
    broken[dup] = BROKEN_KINDS.index("duplicate_id")
    return card, broken, dup


def _prose(
    n: int, role: Arr, card: Arr, broken: Arr, created: Arr, rng: np.random.Generator
) -> tuple[Arr, Arr]:
    """Parentless models whose card names a famous base model only in prose."""
    cand = np.flatnonzero((role == R_ISO) & (card == C_OK) & (broken < 0))
    child = np.sort(rng.choice(cand, min(len(cand), _count(n * PROSE_SHARE)), replace=False))
    fam_w = np.array([f.weight for f in FAMOUS])
    parent = _draw(_cum(fam_w), rng.random(len(child)))
    ok = created[parent] < created[child] - DAY
    return child[ok], parent[ok]


# --- traits ----------------------------------------------------------------------------------
@dataclass
class _Traits:
    """Per-node traits; license/languages/datasets are as declared (masked without a card)."""

    lic: Arr
    lic2: Arr  # second license of a dual-licensed model, -1 for none
    lang: Arr
    pipe: Arr
    lib: Arr
    arch: Arr
    ds0: Arr
    ds1: Arr
    tmpl: Arr
    verb: Arr  # sentences per card paragraph: card length
    auto: Arr
    slots: Arr  # paragraph ids per card slot: the card's text
    has_mi: Arr
    downloads: Arr  # -1 for null
    likes: Arr
    last_mod: Arr
    created_null: Arr
    wfmt: Arr
    author: Arr  # index into the author pool, -1 for famous ids


def _assign_traits(g: _Graph, ls: _LangSets, rng: np.random.Generator, end: int) -> _Traits:
    """Traits inherited generation by generation with the drift DESIGN.md reports."""
    total = len(g.role)
    kind = g.kind
    # fresh draws for everyone; children then overwrite them from their parent level by level
    base_lic = _draw(_cum([BASE_LICENSE.get(x, 0.0) for x in LIC_IDS]), rng.random(total))
    lic_decl = np.where(g.role == R_ISO, 0.5, 0.85)
    lic = np.where(rng.random(total) < lic_decl, base_lic, -1)
    multi_pool = np.arange(ls.multi0 + len(FAMOUS), len(ls.sets))
    u = rng.random(total)
    base_lang = np.where(
        u < 0.7,
        1 + EN,
        np.where(
            u < 0.9,
            1 + rng.integers(0, MULTI, total),
            multi_pool[rng.integers(0, len(multi_pool), total)],
        ),
    )
    lang_p = np.array([s.lang_p for s in SPECS])[kind]
    lang = np.where(rng.random(total) < lang_p, base_lang, 0)
    pipe_idx = [[PIPES.index(p) for p, _ in s.pipes] for s in SPECS]
    width = max(len(x) for x in pipe_idx)
    pipe_tab = np.array([x + [x[0]] * (width - len(x)) for x in pipe_idx])
    pipe_cum = _cum([[w for _, w in s.pipes] + [0.0] * (width - len(s.pipes)) for s in SPECS])
    fresh_pipe = pipe_tab[kind, _draw(pipe_cum[kind], rng.random(total))]
    pipe = np.where(rng.random(total) < np.where(g.role == R_ISO, 0.35, 0.1), -1, fresh_pipe)
    kind_lib = np.array([s.library for s in SPECS])
    lib = np.where(rng.random(total) < np.where(g.role == R_ISO, 0.1, 0.03), -1, kind_lib[kind])
    n_arch = np.array([len(s.arches) for s in SPECS])
    arch_tab = np.array(
        [
            [ALL_ARCHES.index(a) for a in s.arches] + [0] * (n_arch.max() - len(s.arches))
            for s in SPECS
        ]
    )
    arch = arch_tab[kind, (rng.random(total) * n_arch[kind]).astype(np.int64)]
    n_ds = np.array([len(s.datasets) for s in SPECS])
    fresh_ds = np.where(n_ds[kind] > 0, (rng.random(total) * n_ds[kind]).astype(np.int64), -1)
    ds0 = np.where(rng.random(total) < 0.35, fresh_ds, -1)
    ds1 = np.where(rng.random(total) < 0.08, (rng.random(total) * n_ds[kind]).astype(np.int64), -1)
    ds1 = np.where(n_ds[kind] > 0, ds1, -1)
    tmpl = rng.integers(0, 4, total)
    slots = rng.integers(0, 2**31 - 1, (total, N_SLOTS), dtype=np.int64)

    fam = g.famous >= 0
    for i in np.flatnonzero(fam):
        f = FAMOUS[int(g.famous[i])]
        lic[i] = LIC_IDS.index(f.license)
        lang[i] = ls.multi0 + int(g.famous[i])
        pipe[i] = PIPES.index(f.pipe)
        lib[i] = f.library
        arch[i] = ALL_ARCHES.index(f.arch)
        ds0[i] = ds1[i] = -1

    drift_rows = [LIC_DRIFT[c] for c in LIC_CATS] + [BASE_LICENSE]
    lic_cum = _cum([[row.get(x, 0.0) for x in LIC_IDS] for row in drift_rows])
    keep_pipe = np.array([s.keep_pipe for s in SPECS])
    quant_lib = np.array([-1, L_GGUF, L_TF, L_MLX])
    for d in range(1, int(g.tdepth.max()) + 1):
        c = np.flatnonzero(g.tdepth == d)
        p = g.tparent[c]
        k = len(c)
        r = g.rel[c]
        # license: keep, or drift by the parent's category (index 6 = parent declared none)
        pcat = np.where(lic[p] >= 0, LIC_CAT[np.maximum(lic[p], 0)], len(LIC_CATS))
        keep = rng.random(k) < np.append(LIC_KEEP, 0.0)[pcat]
        moved = _draw(lic_cum[pcat], rng.random(k))
        lic[c] = np.where(rng.random(k) < 0.78, np.where(keep, lic[p], moved), -1)
        # languages shrink toward one, often English (6.6 -> 1.8 in the Anatomy paper)
        plang = lang[p]
        size = ls.size[plang]
        uu = rng.random(k)
        member = ls.member(plang, rng.random(k))
        single = np.where(ls.has_en[plang] & (rng.random(k) < 0.6), 1 + EN, 1 + member)
        pair = np.where(member == EN, 1 + EN, ls.pair0 + EN * ls.n + member)
        shrunk = np.where(uu < 0.25, pair, single)
        keep_lang = np.where(size <= 2, uu < 0.85, uu < 0.12)
        child_lang = np.where(size == 0, base_lang[c], np.where(keep_lang, plang, shrunk))
        lang[c] = np.where(rng.random(k) < 0.62, child_lang, 0)
        # pipeline tag: adapters and quantizations keep it, finetunes sometimes change task
        kp = np.where(np.isin(r, (AD, QU)), 0.97, keep_pipe[kind[c]])
        inherit = (pipe[p] >= 0) & (rng.random(k) < kp)
        pipe[c] = np.where(rng.random(k) < 0.05, -1, np.where(inherit, pipe[p], fresh_pipe[c]))
        # library follows the relation
        ft_lib = np.where(np.isin(lib[p], (L_TF, L_DIFF, L_ST, L_TIMM)), lib[p], kind_lib[kind[c]])
        ad_lib = np.where(kind[c] == K_DIFF, L_DIFF, np.where(rng.random(k) < 0.85, L_PEFT, L_TF))
        q_lib = quant_lib[_draw(_cum([0.35, 0.15, 0.3, 0.2]), rng.random(k))]
        new_lib = np.where(r == AD, ad_lib, np.where(r == QU, q_lib, ft_lib))
        lib[c] = np.where(rng.random(k) < 0.04, -1, new_lib)
        arch[c] = arch[p]
        ds0[c] = np.where(
            rng.random(k) < 0.2, ds0[p], np.where(rng.random(k) < 0.55, fresh_ds[c], -1)
        )
        tmpl[c] = np.where(rng.random(k) < 0.8, tmpl[p], tmpl[c])
        slots[c] = _slot_values(p, slots[p], slots[c], rng)
    # most descendants quote their family root (its intro, citation): every pair inside a
    # family shares more than a random pair does, whatever its distance
    quotes = (g.tparent >= 0) & (rng.random(total) < 0.8)
    slots[quotes, FAMILY_SLOT] = slots[g.troot[quotes], FAMILY_SLOT]

    n_children = np.bincount(g.tparent[g.tparent >= 0], minlength=total)
    is_child = np.isin(g.role, (R_CHILD, R_CHAIN))
    internal = is_child & (n_children > 0)
    verb_mu = np.select(
        [fam, np.isin(g.role, (R_ROOT, R_MISSING)), internal, is_child],
        [9.0, 7.0, 5.0, 2.9],
        2.2,
    )
    verb = np.clip(np.round(verb_mu * np.exp(rng.normal(0, 0.4, total))), 1, MAX_VERB).astype(
        np.int64
    )
    verb[fam] = rng.integers(8, MAX_VERB + 1, int(fam.sum()))
    p_auto = np.select([fam, g.role == R_ROOT, internal, is_child], [0.0, 0.1, 0.25, 0.38], 0.3)
    p_auto[g.prose_child] = 0.6
    auto_on = rng.random(total) < p_auto
    trainer = (kind != K_DIFF) & (g.rel != AD) & (rng.random(total) < 0.7)
    auto = np.where(auto_on, np.where(trainer, A_TRAINER, A_HUB), A_NONE)

    # declared traits: nothing without a card, and '???' needs readable YAML
    valid_yaml = np.isin(g.card, (C_OK, C_BOM, C_CRLF))
    no_card = g.card == C_NONE
    lic = np.where(no_card | ((lic == UNKNOWN_LIC) & ~valid_yaml), -1, lic)
    second = np.array([LIC_IDS.index("mit"), LIC_IDS.index("apache-2.0")])[
        rng.integers(0, 2, total)
    ]
    dual = valid_yaml & (lic >= 0) & (second != lic) & (rng.random(total) < 0.02)
    lic2 = np.where(dual, second, -1)
    lang = np.where(no_card, 0, lang)
    ds0 = np.where(no_card, -1, ds0)
    ds1 = np.where(no_card | (ds1 == ds0), -1, ds1)

    mi_p = np.array(
        [MODEL_INDEX_P.get(p, MODEL_INDEX_OTHER) for p in PIPES] + [MODEL_INDEX_UNTAGGED]
    )
    p_mi = mi_p[np.where(pipe >= 0, pipe, len(PIPES))] * np.where(auto == A_TRAINER, 1.5, 1.0)
    has_mi = valid_yaml & (rng.random(total) < p_mi)

    log_dl = np.select(
        [fam, g.role == R_ROOT, is_child, g.role == R_ISO], [15.0, 5.0, 3.0, 1.5], 2.0
    ) + np.where(g.rel == QU, 1.0, 0.0)
    dl = np.floor(np.exp(log_dl + rng.normal(0, 2.2, total))).astype(np.int64)
    likes = np.floor(np.exp(0.45 * np.log1p(dl) - 2 + rng.normal(0, 1.2, total))).astype(np.int64)
    downloads = np.where((rng.random(total) < 0.01) & ~fam, -1, dl)
    gap = np.maximum(end - 120 - g.created, 0)
    last_mod = g.created + 120 + np.minimum(rng.exponential(120 * DAY, total), gap).astype(np.int64)
    created_null = (g.role == R_ISO) & (g.broken < 0) & (rng.random(total) < 0.003)
    created_null[g.prose_child] = False

    old = g.created < _epoch("2023-06-01T00:00:00")
    u = rng.random(total)
    tf_w = np.where(u < np.where(old, 0.45, 0.12), W_BIN, np.where(u < 0.6, W_BOTH, W_SAFE))
    wfmt = np.select(
        [
            (g.rel == QU) & np.isin(lib, (-1, L_GGUF)),
            lib == L_MLX,
            (lib == L_PEFT) & (u < 0.2),
            lib == L_PEFT,
            (lib == L_DIFF) & (g.rel == AD),
            lib == L_DIFF,
            lib == L_SB3,
            lib == L_ST,
        ],
        [W_GGUF, W_MLX, W_ADAPTER_BIN, W_ADAPTER, W_LORA, W_DIFFUSERS, W_SB3, W_ST],
        tf_w,
    )
    n_authors = max(64, len(g.role) // 6)
    n_quant = max(3, len(g.role) // 100_000)
    general = np.floor(n_authors * rng.random(total) ** 3).astype(np.int64)
    quantizer = np.floor(n_quant * rng.random(total) ** 2).astype(np.int64)
    author = np.where((g.rel == QU) & (rng.random(total) < 0.55), quantizer, general)
    author[fam] = -1
    return _Traits(
        lic=lic,
        lic2=lic2,
        lang=lang,
        pipe=pipe,
        lib=lib,
        arch=arch,
        ds0=ds0,
        ds1=ds1,
        tmpl=tmpl,
        verb=verb,
        auto=auto,
        slots=slots,
        has_mi=has_mi,
        downloads=downloads,
        likes=likes,
        last_mod=last_mod,
        created_null=created_null,
        wfmt=wfmt,
        author=author,
    )


def _slot_values(parent: Arr, pslots: Arr, own: Arr, rng: np.random.Generator) -> Arr:
    """A child's card paragraphs: shared with its siblings (keyed by the parent), copied from
    the parent, or its own. Expected shared slots: siblings 0.36 > parent/child 0.25 >
    grandparent/grandchild 0.06 > random 0, giving DESIGN's similarity order."""
    u = rng.random(own.shape)
    group = _mix(parent[:, None] * N_SLOTS + np.arange(N_SLOTS), 7) % np.uint64(2**31 - 1)
    return np.where(u < 0.55, group.astype(np.int64), np.where(u < 0.80, pslots, own))


# --- names -----------------------------------------------------------------------------------
def _authors(count: int, rng: np.random.Generator) -> list[str]:
    """Unique pronounceable user names (never a famous organisation's)."""
    reserved = {f.model_id.split("/")[0] for f in FAMOUS if "/" in f.model_id}
    n_syl = rng.integers(2, 4, count).tolist()
    syl = rng.integers(0, len(SYLLABLES), (count, 3)).tolist()
    tail = rng.integers(0, 100, count).tolist()
    style = rng.integers(0, 4, count).tolist()
    seen: set[str] = set()
    out: list[str] = []
    for i in range(count):
        name = "".join(SYLLABLES[s] for s in syl[i][: n_syl[i]])
        name += ("", str(tail[i]), "-ai", "-lab")[style[i]]
        if name in seen or name in reserved:
            name = f"{name}-{_b36(i)}"
        seen.add(name)
        out.append(name)
    return out


def _names(g: _Graph, tr: _Traits, rng: np.random.Generator) -> tuple[list[str], list[str | None]]:
    """Model ids: famous ids as on the Hub, others author/stem[-suffix]-<base36 index>."""
    total = len(g.role)
    pool = _authors(max(64, total // 6), rng)
    pick = rng.random((total, 2)).tolist()
    role = g.role.tolist()
    famous = g.famous.tolist()
    kind = g.kind.tolist()
    rel = g.rel.tolist()
    troot = g.troot.tolist()
    author = tr.author.tolist()
    wfmt = tr.wfmt.tolist()
    stems: list[str] = [""] * total
    ids: list[str] = [""] * total
    authors: list[str | None] = [None] * total
    children = [v for v in range(total) if role[v] in (R_CHILD, R_CHAIN)]
    others = [v for v in range(total) if role[v] not in (R_CHILD, R_CHAIN)]
    for v in others + children:  # stems of roots first: children reuse them
        if famous[v] >= 0:
            ids[v] = FAMOUS[famous[v]].model_id
            head, _, stem = ids[v].rpartition("/")
            stems[v] = stem
            authors[v] = head or None
            continue
        if role[v] in (R_CHILD, R_CHAIN):
            suffixes = REL_SUFFIX[rel[v]]
            if rel[v] == QU and wfmt[v] in (W_GGUF, W_MLX):
                suffixes = GGUF_SUFFIX if wfmt[v] == W_GGUF else MLX_SUFFIX
            name = f"{stems[troot[v]]}-{suffixes[int(pick[v][0] * len(suffixes))]}"
        else:
            spec = SPECS[kind[v]]
            name = (
                f"{spec.stems[int(pick[v][0] * len(spec.stems))]}"
                f"-{spec.sizes[int(pick[v][1] * len(spec.sizes))]}"
            )
            stems[v] = name
        authors[v] = pool[author[v]]
        ids[v] = f"{authors[v]}/{name}-{_b36(v)}"
    return ids, authors


# --- truth -----------------------------------------------------------------------------------
def _components(n_nodes: int, a: Arr, b: Arr) -> Arr:
    """Connected components by hooking and pointer jumping: label = smallest node index."""
    lab = np.arange(n_nodes)
    while True:
        la, lb = lab[a], lab[b]
        lo, hi = np.minimum(la, lb), np.maximum(la, lb)
        m = lo != hi
        if not m.any():
            return lab
        np.minimum.at(lab, hi[m], lo[m])
        while True:
            nxt = lab[lab]
            if np.array_equal(nxt, lab):
                break
            lab = nxt


@dataclass
class _Truth:
    """Ground-truth edges (declared + prose) and per-node facts, in node index space."""

    child: Arr
    parent: Arr
    rel: Arr
    via: Arr
    fam_label: Arr  # node index of the family id (all-edges view)
    fam_label_nm: Arr  # same without merge edges
    root: Arr
    dmin: Arr
    dmax: Arr
    in_cycle: Arr
    has_card: Arr


def _depths(total: int, c: Arr, p: Arr) -> tuple[Arr, Arr]:
    """Shortest / longest generation count from a root over the edges p -> c (acyclic)."""
    has_par = np.zeros(total, bool)
    has_par[c] = True
    big = np.int64(1 << 30)
    dmin = np.where(has_par, big, 0)
    while True:
        new = np.full(total, big)
        np.minimum.at(new, c, np.minimum(dmin[p] + 1, big))
        new = np.where(has_par, new, 0)
        if np.array_equal(new, dmin):
            break
        dmin = new
    dmax = np.zeros(total, np.int64)
    while True:
        new = np.zeros(total, np.int64)
        np.maximum.at(new, c, dmax[p] + 1)
        if np.array_equal(new, dmax):
            break
        dmax = new
    return dmin, dmax


VIEW_MASKS = {
    "all": lambda rel: np.ones(len(rel), bool),
    "no_merges": lambda rel: rel != MG,
    "finetune_only": lambda rel: rel == FT,
}


def _view_lineage(
    g: _Graph, ids_pa: pa.Array, child: Arr, parent: Arr, rel: Arr, in_cycle: Arr
) -> pa.Table:
    """Per view, over the models in the snapshot (a missing parent is no node): family id
    (smallest id of the weak component), depths ignoring edges inside a cycle, in_cycle."""
    n = g.n
    order_ids = pc.sort_indices(ids_pa.slice(0, n)).to_numpy()
    rank = np.empty(n, np.int64)
    rank[order_ids] = np.arange(n)
    known = parent < n
    columns: dict[str, list[Any]] = {k: [] for k in ("model_id", "view", "family_id")}
    depth_min: list[Arr] = []
    depth_max: list[Arr] = []
    for view, mask_of in VIEW_MASKS.items():
        keep = known & mask_of(rel)
        c, p = child[keep], parent[keep]
        label = order_ids[_components(n, rank[c], rank[p])[rank]]
        generation = ~(in_cycle[c] & in_cycle[p])
        dmin, dmax = _depths(n, c[generation], p[generation])
        columns["model_id"].append(ids_pa.slice(0, n))
        columns["view"].append(pa.array([view] * n))
        columns["family_id"].append(ids_pa.take(pa.array(label)))
        depth_min.append(dmin[:n].astype(np.int32))
        depth_max.append(dmax[:n].astype(np.int32))
    return pa.table(
        {
            "model_id": pa.concat_arrays(columns["model_id"]),
            "view": pa.concat_arrays(columns["view"]),
            "family_id": pa.concat_arrays(columns["family_id"]),
            "depth_min": pa.array(np.concatenate(depth_min)),
            "depth_max": pa.array(np.concatenate(depth_max)),
            "in_cycle": pa.array(np.tile(in_cycle[:n], len(VIEW_MASKS))),
        }
    )


def _truth(g: _Graph, ids: list[str]) -> _Truth:
    """Edges, families, cycles, depths and roots by the rules in the module docstring."""
    total = len(g.role)
    n = g.n
    tree_c = np.flatnonzero(g.tparent[:n] >= 0)
    child = np.concatenate([tree_c, g.extra_child])
    parent = np.concatenate([g.tparent[tree_c], g.extra_parent])
    order = np.lexsort((parent, child))
    child, parent = child[order], parent[order]
    rel = g.rel[child]
    via = g.channel[child]

    order_ids = pc.sort_indices(pa.array(ids)).to_numpy()
    rank = np.empty(total, np.int64)
    rank[order_ids] = np.arange(total)

    def family(c: Arr, p: Arr) -> Arr:
        lab = _components(total, rank[c], rank[p])
        return order_ids[lab[rank]]

    fam_label = family(child, parent)
    no_merge = rel != MG
    fam_label_nm = family(child[no_merge], parent[no_merge])

    in_cycle = np.isin(g.role, (R_SELF, R_CYCLE))
    use = (parent < n) & ~(in_cycle[child] & in_cycle[parent])
    c, p = child[use], parent[use]
    has_par = np.zeros(total, bool)
    has_par[c] = True
    dmin, dmax = _depths(total, c, p)
    root = np.arange(total)
    best = (dmin[p] == dmin[c] - 1) & has_par[c]
    bc, bp = c[best], p[best]
    order = np.lexsort((rank[bp], bc, dmin[bc]))
    bc, bp = bc[order], bp[order]
    first = np.ones(len(bc), bool)
    first[1:] = bc[1:] != bc[:-1]  # bc is grouped by child within each depth level
    depth_of = dmin[bc]
    for d in range(1, int(dmin[:n].max()) + 1):
        sel = first & (depth_of == d)
        root[bc[sel]] = root[bp[sel]]

    prose_c, prose_p = g.prose_child, g.prose_parent
    has_card = np.isin(g.card, (C_OK, C_BOM, C_CRLF, C_BAD, C_JUNK))
    return _Truth(
        child=np.concatenate([child, prose_c]),
        parent=np.concatenate([parent, prose_p]),
        rel=np.concatenate([rel, np.full(len(prose_c), FT)]),
        via=np.concatenate([via, np.full(len(prose_c), CH_PROSE)]),
        fam_label=fam_label,
        fam_label_nm=fam_label_nm,
        root=root,
        dmin=dmin,
        dmax=dmax,
        in_cycle=in_cycle,
        has_card=has_card,
    )


# --- rendering -------------------------------------------------------------------------------
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


class _Node(NamedTuple):
    """One node's rendering inputs, fetched per shard (numpy scalars are slow one by one)."""

    v: int
    state: int
    rel: int
    channel: int
    kind: int
    lic: int
    lic2: int
    lang: int
    ds0: int
    ds1: int
    pipe: int
    lib: int
    wfmt: int
    auto: int
    bm_style: int
    has_mi: bool
    verb: int
    tmpl: int
    arch: int
    downloads: int
    likes: int
    created_null: bool
    h: int
    lo: int
    hi: int
    slots: list[int]


class _Renderer:
    """Turns nodes into card-dump rows and listing records."""

    def __init__(
        self,
        g: _Graph,
        tr: _Traits,
        ls: _LangSets,
        ids: list[str],
        authors: list[str | None],
        truth: _Truth,
        seed: int,
        sentences: list[str],
    ) -> None:
        self.g, self.tr, self.ls = g, tr, ls
        self.ids, self.authors = ids, authors
        self.seed = seed
        # wrapped copy so a paragraph is one strided slice (see para)
        self.sent = sentences + sentences[: MAX_VERB * SENT_STEP]
        declared = truth.via != CH_PROSE
        c, p = truth.child[declared], truth.parent[declared]
        self.par_off = np.searchsorted(c, np.arange(len(g.role) + 1))
        self.par = p.tolist()
        self.prose_parent = dict(zip(g.prose_child.tolist(), g.prose_parent.tolist(), strict=True))
        self.hash = _mix(np.arange(len(g.role)), seed)

    def nodes(self, v_arr: Arr) -> list[_Node]:
        """Rendering inputs of a shard's rows, fetched column-wise."""
        g, tr = self.g, self.tr
        cols = [v_arr] + [
            a[v_arr]
            for a in (
                g.card,
                g.rel,
                g.channel,
                g.kind,
                tr.lic,
                tr.lic2,
                tr.lang,
                tr.ds0,
                tr.ds1,
                tr.pipe,
                tr.lib,
                tr.wfmt,
                tr.auto,
                g.bm_style,
                tr.has_mi,
                tr.verb,
                tr.tmpl,
                tr.arch,
                tr.downloads,
                tr.likes,
                tr.created_null,
                self.hash,
                self.par_off,
            )
        ]
        cols += [self.par_off[v_arr + 1], tr.slots[v_arr]]
        return [_Node._make(vals) for vals in zip(*(c.tolist() for c in cols), strict=True)]

    def para(self, pid: int, slot: int, m: int) -> str:
        """m sentences picked by the paragraph id: shared ids give shared text."""
        base = (pid * 2654435761 + slot * 40503) & SENT_MASK
        return " ".join(self.sent[base : base + m * SENT_STEP : SENT_STEP])

    def row(self, nd: _Node) -> tuple[str | None, dict[str, Any] | None, list[str], list[str]]:
        """(card, card_data, tags, file names) of one node."""
        v, h, rel = nd.v, nd.h, nd.rel
        parents = [self.ids[p] for p in self.par[nd.lo : nd.hi]]
        mentioned = parents
        if v in self.prose_parent:
            mentioned = [self.ids[self.prose_parent[v]]]
        langs = [LANGS[x] for x in self.ls.sets[nd.lang]]
        spec = SPECS[nd.kind]
        datasets = [spec.datasets[x] for x in (nd.ds0, nd.ds1) if x >= 0]
        pipe = PIPES[nd.pipe] if nd.pipe >= 0 else None
        title = self.ids[v].rpartition("/")[2]

        user_tags: list[str] = []
        if nd.auto == A_TRAINER:
            user_tags.append("generated_from_trainer")
        if rel == MG:
            user_tags += ["mergekit", "merge"]
        elif rel == AD and nd.lib == L_DIFF:
            user_tags += ["lora", "template:sd-lora"]
        elif rel == AD and h & 1:
            user_tags.append("lora")
        elif nd.wfmt == W_GGUF and h & 2:
            user_tags += ["llama-cpp", "gguf-my-repo"]
        elif rel == FT and nd.kind == K_LLM and h & 4:
            user_tags += ["trl", "sft"]

        card_data: dict[str, Any] = {}
        if nd.lib >= 0 and h >> 3 & 3:
            card_data["library_name"] = LIBS[nd.lib]
        if nd.lic >= 0:
            card_data["license"] = self._license_value(nd.lic, nd.lic2, h >> 5)
        if langs:
            upper = (h >> 9) % 100 == 0
            vals = [x.upper() if upper else x for x in langs]
            card_data["language"] = vals[0] if len(vals) == 1 and h >> 16 & 1 else vals
        if datasets:
            card_data["datasets"] = datasets
        if parents and nd.channel in (CH_YAML, CH_BOTH):
            card_data["base_model"] = self._base_model_value(parents, nd.bm_style)
            if (nd.channel == CH_YAML and len(parents) == 1) or h >> 11 & 7 < 3:
                card_data["base_model_relation"] = RELATIONS[rel]
        elif not parents and (h >> 14) % 50 == 0:
            card_data["base_model"] = []
        if user_tags:
            card_data["tags"] = user_tags
        if pipe and h >> 17 & 3:
            card_data["pipeline_tag"] = pipe
        if nd.has_mi:
            card_data["model-index"] = self._model_index(title, pipe, datasets, h)

        files = self._files(nd, title)
        tags = self._tags(nd, pipe, user_tags, datasets, langs, parents)
        card = self._card(nd, card_data, title, mentioned)
        readable = card_data and nd.state in (C_OK, C_BOM, C_CRLF)
        return card, (card_data if readable else None), tags, files

    @staticmethod
    def _license_value(lic: int, lic2: int, h: int) -> str | list[str]:
        """License as people write it: canonical, a messy spelling, a list, or '???'."""
        canonical, _, messy = LICENSES[lic]
        if lic == UNKNOWN_LIC:
            return "???"
        if lic2 >= 0:
            return [canonical, LIC_IDS[lic2]]
        value = messy[h % len(messy)] if messy and h >> 3 & 7 == 0 else canonical
        return [value] if h >> 6 & 15 == 0 else value

    @staticmethod
    def _base_model_value(parents: list[str], style: int) -> str | list[str]:
        """YAML base_model: a string, a one-item list, a Hub URL, or a list of several."""
        url = "https://huggingface.co/"
        if len(parents) > 1:
            return [url + parents[0], *parents[1:]] if style == 2 else parents
        return (parents[0], [parents[0]], url + parents[0])[style]

    @staticmethod
    def _model_index(title: str, pipe: str | None, datasets: list[str], h: int) -> list[Any]:
        task = pipe or "text-classification"
        ds = datasets[0] if datasets else "custom"
        metrics = [
            {"name": m.title(), "type": m, "value": round(0.5 + ((h >> (4 * i)) & 255) / 520, 4)}
            for i, m in enumerate(METRICS.get(task, ("accuracy",)))
        ]
        return [
            {
                "name": title,
                "results": [
                    {
                        "task": {"name": task.replace("-", " ").title(), "type": task},
                        "dataset": {"name": ds, "type": ds},
                        "metrics": metrics,
                    }
                ],
            }
        ]

    @staticmethod
    def _files(nd: _Node, title: str) -> list[str]:
        """Repository file names (siblings) for the weight layout."""
        wfmt = nd.wfmt
        files = [".gitattributes"]
        if nd.state not in (C_NONE, C_SCRAPER):
            files.append("README.md")
        if wfmt == W_GGUF:
            return [*files, f"{title}.Q4_K_M.gguf", f"{title}.Q8_0.gguf"]
        if wfmt in (W_ADAPTER, W_ADAPTER_BIN):
            weights = "adapter_model.bin" if wfmt == W_ADAPTER_BIN else "adapter_model.safetensors"
            return [*files, "adapter_config.json", weights]
        if wfmt == W_LORA:
            return [*files, "pytorch_lora_weights.safetensors"]
        if wfmt == W_DIFFUSERS:
            return [
                *files,
                "model_index.json",
                "unet/diffusion_pytorch_model.safetensors",
                "vae/diffusion_pytorch_model.safetensors",
            ]
        if wfmt == W_SB3:
            return [*files, f"{title}.zip", "replay.mp4"]
        files.append("config.json")
        if wfmt == W_ST:
            files += ["modules.json", "sentence_bert_config.json"]
        if wfmt in (W_BIN, W_BOTH):
            files.append("pytorch_model.bin")
        if wfmt != W_BIN:
            files.append("model.safetensors")
        if nd.h >> 20 & 1:
            files += ["tokenizer.json", "tokenizer_config.json"]
        return files

    def _tags(
        self,
        nd: _Node,
        pipe: str | None,
        user_tags: list[str],
        datasets: list[str],
        langs: list[str],
        parents: list[str],
    ) -> list[str]:
        """Hub tags as the Hub derives them from card YAML and repository files."""
        tags: list[str] = []
        if nd.lib >= 0:
            tags.append(LIBS[nd.lib])
        if nd.wfmt in SAFETENSORS_LAYOUTS:
            tags.append("safetensors")
        if nd.wfmt in PICKLE_LAYOUTS:
            tags.append("pytorch")
        if nd.wfmt == W_GGUF:
            tags.append("gguf")
        tags.append(ALL_ARCHES[nd.arch])
        if pipe:
            tags.append(pipe)
        tags += user_tags
        tags += [f"dataset:{d}" for d in datasets]
        prefixed = nd.h >> 22 & 7 == 0
        tags += [f"language:{x}" if prefixed else x for x in langs]
        tags += [f"license:{LIC_IDS[x]}" for x in (nd.lic, nd.lic2) if x >= 0 and x != UNKNOWN_LIC]
        if parents and nd.channel in (CH_TAG, CH_BOTH):
            rel = RELATIONS[nd.rel]
            tags += [f"base_model:{p}" for p in parents]
            tags += [f"base_model:{rel}:{p}" for p in parents]
        if nd.lib == L_TF:
            tags.append("autotrain_compatible")
            if nd.kind == K_LLM:
                tags.append("text-generation-inference")
        tags += ["endpoints_compatible", "region:us"]
        return list(dict.fromkeys(tags))

    def _card(
        self, nd: _Node, card_data: dict[str, Any], title: str, mentioned: list[str]
    ) -> str | None:
        """Card text in its state: missing, broken in one of the listed ways, or a real card."""
        state, h = nd.state, nd.h
        if state == C_NONE:
            return None
        if state == C_EMPTY:
            return EMPTY_CARDS[h % len(EMPTY_CARDS)]
        if state == C_SCRAPER:
            return SCRAPER_ERRORS[h % len(SCRAPER_ERRORS)].format(id=self.ids[nd.v])
        if state == C_JUNK:
            junk = np.random.default_rng([self.seed, nd.v]).integers(0, 256, 200 + h % 1800)
            return "\x00\x01PK\x03\x04" + bytes(junk.astype(np.uint8)).decode("utf-8", "replace")
        if nd.auto == A_TRAINER:
            body = self._trainer_body(nd, title, mentioned)
        elif nd.auto == A_HUB:
            body = self._hub_body(nd, title, mentioned)
        else:
            body = self._written_body(nd, title, mentioned)
        front = front_matter(card_data, seq_ind=2 * (nd.tmpl & 1)) if card_data else ""
        if state == C_BAD:
            front = self._break_yaml(front or "---\nlicense: mit\n---\n", h)
        text = front + body
        if state == C_BOM:
            return "\ufeff" + text
        if state == C_CRLF:
            return text.replace("\n", "\r\n")
        return text

    @staticmethod
    def _break_yaml(front: str, h: int) -> str:
        """YAML that no parser accepts: an unclosed quote, a tab indent, or a stray colon."""
        lines = front.split("\n")
        variant = h % 3
        if variant == 0:
            lines.insert(len(lines) - 2, 'title: "unfinished quote')
        elif variant == 1:
            lines.insert(1, "\tlicense: mit")
        else:
            lines.insert(1, "description: fine-tuned: on private data")
        return "\n".join(lines)

    def _written_body(self, nd: _Node, title: str, mentioned: list[str]) -> str:
        p, s, m, t, h, rel = self.para, nd.slots, nd.verb, nd.tmpl, nd.h, nd.rel
        parts = [f"# {title}", p(s[0], 0, m)]
        if rel == QU and nd.wfmt == W_GGUF and mentioned:
            parts.append(GGUF_INTRO.format(p=mentioned[0], me=self.ids[nd.v]))
        elif rel == MG and len(mentioned) > 1:
            method = ("SLERP", "TIES", "DARE TIES", "linear")[h % 4]
            models = "\n".join(f"* [{x}](https://huggingface.co/{x})" for x in mentioned)
            parts.append(MERGE_INTRO.format(method=method, models=models))
        parts.append(HEADINGS[0][t])
        if mentioned and (nd.v in self.prose_parent or h >> 24 & 1):
            parts.append(_mention(mentioned[0], max(rel, FT)))
        parts += [p(s[1], 1, m), p(s[2], 2, m)]
        for section in range(1, 5):
            parts.append(HEADINGS[section][t] if section < 4 else HEADINGS[4][(t + h) % 4])
            parts += [p(s[j], j, m) for j in range(1 + 2 * section, 3 + 2 * section)]
        parts.append(p(s[FAMILY_SLOT], FAMILY_SLOT, m))
        if rel == AD and nd.wfmt in (W_ADAPTER, W_ADAPTER_BIN):
            parts.append(f"### Framework versions\n\n- PEFT 0.{7 + h % 7}.{h >> 3 & 3}")
        return "\n\n".join(parts) + "\n"

    def _trainer_body(self, nd: _Node, title: str, mentioned: list[str]) -> str:
        h = nd.h
        if mentioned:
            x = mentioned[0]
            origin = f"This model is a fine-tuned version of [{x}](https://huggingface.co/{x})"
        else:
            origin = "This model was trained from scratch"
        metric = METRICS.get(PIPES[nd.pipe] if nd.pipe >= 0 else "", ("accuracy",))[0].title()
        rows = 2 + (h >> 8) % 18
        table = "\n".join(
            f"| {2.5 / (i + 2):.4f} | {i + 1:.1f} | {(i + 1) * 500} | {2.0 / (i + 3):.4f} | "
            f"{0.6 + 0.35 * i / rows:.4f} |"
            for i in range(rows)
        )
        desc = self.para(nd.slots[0], 0, nd.verb) if h >> 13 & 1 else "More information needed"
        data = self.para(nd.slots[FAMILY_SLOT], FAMILY_SLOT, nd.verb)
        return (
            f"{TRAINER_NOTE}\n\n# {title}\n\n{origin} on an unknown dataset.\n"
            f"It achieves the following results on the evaluation set:\n"
            f"- Loss: {(h & 1023) / 1000:.4f}\n- {metric}: {0.6 + (h >> 10 & 255) / 700:.4f}\n\n"
            f"## Model description\n\n{desc}\n\n"
            "## Intended uses & limitations\n\nMore information needed\n\n"
            f"## Training and evaluation data\n\n{data}\n\n"
            "## Training procedure\n\n### Training hyperparameters\n\n"
            "The following hyperparameters were used during training:\n"
            f"- learning_rate: {(1, 2, 3, 5)[h >> 4 & 3]}e-05\n"
            f"- train_batch_size: {(8, 16, 32, 64)[h >> 6 & 3]}\n"
            f"- eval_batch_size: {(8, 16, 32, 64)[h >> 6 & 3]}\n- seed: 42\n"
            "- optimizer: Adam with betas=(0.9,0.999) and epsilon=1e-08\n"
            f"- lr_scheduler_type: linear\n- num_epochs: {rows}\n\n"
            "### Training results\n\n"
            f"| Training Loss | Epoch | Step | Validation Loss | {metric} |\n"
            "|:-------------:|:-----:|:----:|:---------------:|:--------:|\n"
            f"{table}\n\n### Framework versions\n\n- Transformers 4.{30 + h % 17}.0\n"
            f"- Pytorch 2.{h >> 5 & 3}.0+cu121\n- Datasets 2.{10 + h % 11}.0\n"
            f"- Tokenizers 0.{13 + h % 7}.1\n"
        )

    def _hub_body(self, nd: _Node, title: str, mentioned: list[str]) -> str:
        parent = mentioned[0] if mentioned else "[More Information Needed]"
        head = f"# Model Card for {title}\n\n{HUB_SUMMARY}"
        body = [
            head,
            self.para(nd.slots[0], 0, nd.verb),
            self.para(nd.slots[FAMILY_SLOT], FAMILY_SLOT, nd.verb),
            HUB_TEMPLATE.format(parent=parent),
        ]
        if nd.v in self.prose_parent:
            body.insert(1, _mention(parent, FT))
        if nd.rel == AD:
            body.append("### Framework versions\n\n- PEFT 0.13.2")
        return "\n\n".join(body) + "\n"


# --- output ----------------------------------------------------------------------------------
DUMP_SCHEMA = pa.schema(
    [
        pa.field("modelId", pa.string(), nullable=False),
        pa.field("author", pa.string()),
        pa.field("last_modified", pa.string(), nullable=False),
        pa.field("downloads", pa.int64()),
        pa.field("likes", pa.int64(), nullable=False),
        pa.field("library_name", pa.string()),
        pa.field("tags", pa.list_(pa.string()), nullable=False),
        pa.field("pipeline_tag", pa.string()),
        pa.field("createdAt", pa.string()),
        pa.field("card", pa.string()),
    ]
)


def _write_shards(
    out: Path, g: _Graph, tr: _Traits, r: _Renderer, rng: np.random.Generator, shard_rows: int
) -> tuple[int, int, Arr]:
    """Write both source formats shard by shard; return (rows, shards, card chars)."""
    rows = np.concatenate([np.arange(g.n), g.dup])
    older = np.concatenate([np.zeros(g.n, bool), np.ones(len(g.dup), bool)])
    perm = rng.permutation(len(rows))
    rows, older = rows[perm], older[perm]
    card_chars = np.full(g.n, -1, np.int64)
    dump_dir, listing_dir = out / "card-dataset", out / "hub-listing"
    for d in (dump_dir, listing_dir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    shard = 0
    for shard, s in enumerate(range(0, len(rows), shard_rows)):
        v_arr = rows[s : s + shard_rows]
        lm = np.where(
            older[s : s + shard_rows],
            g.created[v_arr] + (tr.last_mod[v_arr] - g.created[v_arr]) // 2,
            tr.last_mod[v_arr],
        )
        cols: dict[str, list[Any]] = {name: [] for name in DUMP_SCHEMA.names}
        lines: list[str] = []
        chars: list[int] = []
        for nd, lm_iso, created_iso in zip(
            r.nodes(v_arr), _iso(lm), _iso(g.created[v_arr]), strict=True
        ):
            card, card_data, tags, files = r.row(nd)
            chars.append(-1 if card is None else len(card))
            record = {
                "modelId": r.ids[nd.v],
                "author": r.authors[nd.v],
                "last_modified": lm_iso,
                "downloads": nd.downloads if nd.downloads >= 0 else None,
                "likes": nd.likes,
                "library_name": LIBS[nd.lib] if nd.lib >= 0 else None,
                "tags": tags,
                "pipeline_tag": PIPES[nd.pipe] if nd.pipe >= 0 else None,
                "createdAt": None if nd.created_null else created_iso,
                "card": card,
            }
            for name, value in record.items():
                cols[name].append(value)
            listing = {
                "id": record["modelId"],
                "author": record["author"],
                "created_at": record["createdAt"],
                "last_modified": lm_iso,
                "downloads": record["downloads"],
                "likes": nd.likes,
                "library_name": record["library_name"],
                "pipeline_tag": record["pipeline_tag"],
                "tags": tags,
                "card_data": card_data,
                "siblings": [{"rfilename": f} for f in files],
            }
            lines.append(json.dumps(listing, separators=(",", ":")))
        card_chars[v_arr] = chars
        table = pa.Table.from_pydict(cols, schema=DUMP_SCHEMA)
        pq.write_table(table, dump_dir / f"part-{shard:05d}.parquet", compression="zstd")
        (listing_dir / f"part-{shard:05d}.jsonl").write_text("\n".join(lines) + "\n")
        del cols, lines, table
    return len(rows), shard + 1, card_chars


def _write_truth(
    out: Path, g: _Graph, tr: _Traits, ls: _LangSets, truth: _Truth, ids_pa: pa.Array
) -> None:
    """Ground truth as Parquet: edges, nodes and broken rows (see the module docstring)."""
    tdir = out / "truth"
    tdir.mkdir(parents=True, exist_ok=True)
    n = g.n
    edges = pa.table(
        {
            "child_id": ids_pa.take(pa.array(truth.child)),
            "parent_id": ids_pa.take(pa.array(truth.parent)),
            "relation": pa.array(np.array(RELATIONS)[truth.rel].tolist()),
            "parent_known": pa.array(truth.parent < n),
            "declared_via": pa.array(np.array(VIA)[truth.via].tolist()),
        }
    )
    pq.write_table(edges, tdir / "edges.parquet", compression="zstd")

    lang_ids = tr.lang[:n]
    sizes = ls.size[lang_ids]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32)
    starts = np.repeat(ls.off[lang_ids], sizes)
    within = np.arange(int(sizes.sum())) - np.repeat(offsets[:-1], sizes)
    languages = pa.ListArray.from_arrays(
        pa.array(offsets), pa.array(LANGS).take(pa.array(ls.flat[starts + within]))
    )
    lic_names = pa.array(LIC_IDS)
    lic = tr.lic[:n]
    lic_pairs = np.stack([lic, tr.lic2[:n]], axis=1)
    lic_valid = lic_pairs >= 0
    lic_off = np.concatenate([[0], np.cumsum(lic_valid.sum(axis=1))]).astype(np.int32)
    licenses = pa.ListArray.from_arrays(
        pa.array(lic_off), lic_names.take(pa.array(lic_pairs[lic_valid]))
    )
    nodes = pa.table(
        {
            "model_id": ids_pa.slice(0, n),
            "family_id": ids_pa.take(pa.array(truth.fam_label[:n])),
            "root_id": ids_pa.take(pa.array(truth.root[:n])),
            "depth_min": pa.array(truth.dmin[:n].astype(np.int32)),
            "depth_max": pa.array(truth.dmax[:n].astype(np.int32)),
            "in_cycle": pa.array(truth.in_cycle[:n]),
            "has_card": pa.array(truth.has_card[:n]),
            "license": lic_names.take(pa.array(np.where(lic >= 0, lic, 0), mask=lic < 0)),
            "licenses": licenses,
            "languages": languages,
            "has_model_index": pa.array(tr.has_mi[:n]),
        }
    )
    pq.write_table(nodes, tdir / "nodes.parquet", compression="zstd")
    declared = truth.via != CH_PROSE
    lineage = _view_lineage(
        g,
        ids_pa,
        truth.child[declared],
        truth.parent[declared],
        truth.rel[declared],
        truth.in_cycle,
    )
    pq.write_table(lineage, tdir / "lineage.parquet", compression="zstd")
    bad = np.flatnonzero(g.broken[:n] >= 0)
    broken = pa.table(
        {
            "model_id": ids_pa.take(pa.array(bad)),
            "kind": pa.array(np.array(BROKEN_KINDS)[g.broken[bad]].tolist()),
        }
    )
    pq.write_table(broken, tdir / "broken.parquet", compression="zstd")


def _top_families(label: Arr, n: int, ids_pa: pa.Array, k: int = 10) -> list[dict[str, Any]]:
    """The k largest families by snapshot models, with their family ids."""
    sizes = np.bincount(label[:n], minlength=len(label))
    top = np.argsort(-sizes, kind="stable")[:k]
    names = ids_pa.take(pa.array(top)).to_pylist()
    return [{"family_id": f, "size": int(sizes[t])} for f, t in zip(names, top, strict=True)]


def _manifest(
    g: _Graph,
    tr: _Traits,
    ls: _LangSets,
    truth: _Truth,
    ids_pa: pa.Array,
    seed: int,
    snapshot: str,
    shard_rows: int,
    n_rows: int,
    n_shards: int,
    card_chars: Arr,
) -> dict[str, Any]:
    """Shape statistics of the sample, to compare with DESIGN.md's reference values."""
    n = g.n
    # the trainer and Hub templates carry DESIGN's auto-generated wording; nothing else does
    auto_card = (tr.auto != A_NONE) & np.isin(g.card, (C_OK, C_BOM, C_CRLF, C_BAD))
    declared = truth.via != CH_PROSE
    known = declared & (truth.parent < n)
    rel_names = np.array(RELATIONS)
    by_rel = {r: int((truth.rel[declared] == i).sum()) for i, r in enumerate(RELATIONS)}
    by_rel_known = {r: int((truth.rel[known] == i).sum()) for i, r in enumerate(RELATIONS)}
    merge_n = np.bincount(truth.child[declared & (truth.rel == MG)])
    depth_hist = np.bincount(truth.dmin[:n])
    lic = tr.lic[:n]
    lic_counts = np.bincount(lic[lic >= 0], minlength=len(LIC_IDS))
    lic_mix = {LIC_IDS[i]: int(lic_counts[i]) for i in np.argsort(-lic_counts, kind="stable")}
    lic_mix = {k: v for k, v in lic_mix.items() if v} | {"(none)": int((lic < 0).sum())}
    has_parent = np.zeros(n, bool)
    has_parent[truth.child[declared]] = True
    # drift over edges with both ends in the snapshot, outside cycles
    c, p = truth.child[known], truth.parent[known]
    keep = ~truth.in_cycle[c]
    c, p = c[keep], p[keep]
    both_cards = (card_chars[c] >= 0) & (card_chars[p] >= 0)
    n_lang = ls.size[tr.lang]
    both_lang = (n_lang[c] > 0) & (n_lang[p] > 0)
    broken_counts = np.bincount(g.broken[:n][g.broken[:n] >= 0], minlength=len(BROKEN_KINDS))

    def mean(x: Arr) -> float:
        return round(float(x.mean()), 4) if len(x) else 0.0

    return {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "n_models": n,
        "n_rows": n_rows,
        "snapshot_date": snapshot,
        "shards": n_shards,
        "shard_rows": shard_rows,
        "edges": {
            "declared": int(declared.sum()),
            "parent_known": int(known.sum()),
            "prose_only": int((~declared).sum()),
            "by_relation": by_rel,
            "by_relation_parent_known": by_rel_known,
            "by_declared_via": {
                v: int((truth.via == i).sum()) for i, v in enumerate(VIA) if v != "prose"
            },
            "merge_parents": {str(k): int((merge_n == k).sum()) for k in range(2, 5)},
            "relation_share": {
                r: round(by_rel[r] / max(1, int(declared.sum())), 4) for r in rel_names.tolist()
            },
        },
        "broken": {k: int(broken_counts[i]) for i, k in enumerate(BROKEN_KINDS)},
        "broken_share": round(float((g.broken[:n] >= 0).mean()), 5),
        "family_size_top10": _top_families(truth.fam_label, n, ids_pa),
        "family_size_top10_no_merges": _top_families(truth.fam_label_nm, n, ids_pa),
        "n_families_multi": int((np.bincount(truth.fam_label[:n]) > 1).sum()),
        "depth_histogram": {str(d): int(x) for d, x in enumerate(depth_hist)},
        "max_depth_max": int(truth.dmax[:n].max()),
        "license_mix": lic_mix,
        "share_with_card": round(float(truth.has_card[:n].mean()), 4),
        "share_with_parent": round(float(has_parent.mean()), 4),
        "share_model_index": round(float(tr.has_mi[:n].mean()), 4),
        "drift": {
            "card_chars_parent": mean(card_chars[p][both_cards]),
            "card_chars_child": mean(card_chars[c][both_cards]),
            "auto_generated_parent": mean(auto_card[p][both_cards]),
            "auto_generated_child": mean(auto_card[c][both_cards]),
            "languages_parent": mean(n_lang[p][both_lang]),
            "languages_child": mean(n_lang[c][both_lang]),
        },
    }


def generate(
    n_models: int,
    seed: int,
    output: Path,
    shard_rows: int = 100_000,
    snapshot_date: str = "2026-11-01",
) -> dict[str, Any]:
    """Write the sample under output and return its manifest (also written as manifest.json)."""
    if n_models < MIN_MODELS:
        raise ValueError(f"--models must be at least {MIN_MODELS}")
    output = Path(output)
    end = _epoch(f"{snapshot_date}T00:00:00") - DAY
    start = _epoch("2020-03-01T00:00:00")
    rng = np.random.default_rng(seed)
    g = _build_graph(n_models, rng, start, end)
    multi = [_parse_langs(f.languages) for f in FAMOUS]
    sizes = rng.integers(3, 30, 40).tolist()
    multi += [tuple(sorted(rng.choice(MULTI, s, replace=False).tolist())) for s in sizes]
    ls = _LangSets(multi)
    tr = _assign_traits(g, ls, rng, end + DAY - 1)
    ids, authors = _names(g, tr, rng)
    truth = _truth(g, ids)
    ids_pa = pa.array(ids)
    renderer = _Renderer(g, tr, ls, ids, authors, truth, seed, _sentences(rng))
    n_rows, n_shards, card_chars = _write_shards(output, g, tr, renderer, rng, shard_rows)
    _write_truth(output, g, tr, ls, truth, ids_pa)
    manifest = _manifest(
        g, tr, ls, truth, ids_pa, seed, snapshot_date, shard_rows, n_rows, n_shards, card_chars
    )
    (output / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> None:
    """CLI: generate, then print one summary line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, required=True, help="number of distinct models")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--snapshot-date", default="2026-11-01")
    parser.add_argument("--shard-rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    generate(args.models, args.seed, args.output, args.shard_rows, args.snapshot_date)
    secs = time.perf_counter() - t0
    print(f"generated {args.models} models (seed {args.seed}) in {secs:.1f}s -> {args.output}")


if __name__ == "__main__":
    main()
