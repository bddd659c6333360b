"""Metadata vocabularies: licenses, pipeline tags, model-index metrics and libraries.

Imitates the values real cards and Hub tags carry: canonical license ids with their category
and the messy spellings seen in cards, the base license mix of fresh models, the chance a
child keeps its parent's license and the directional drift toward permissive licenses
otherwise; pipeline tags; model-index results by pipeline tag; the model libraries.
Reference values (DESIGN.md): license mutation on finetune edges 0.198 (LIC_KEEP, LIC_DRIFT,
applied in traits.py); model-index claims in about 4% of models, 16.8% of
token-classification and 0.05% of untagged ones (Jiang et al.; MODEL_INDEX_P).
"""

from __future__ import annotations

import numpy as np

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
