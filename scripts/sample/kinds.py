"""Modalities and the famous base models whose families dominate the Hub.

Imitates the Hub's mix of model kinds (LLMs, encoders, seq2seq, speech, vision, diffusion,
embeddings, RL): per kind the relation a child has to its parent, how often a finetune keeps
the pipeline tag, architectures, name stems, sizes and datasets; and real base models (ids,
licenses, language lists and createdAt as on the Hub) weighted by the size of their families.
Reference values (DESIGN.md): the relation mix of the 573,653 parent-known edges, adapter
241,417 > finetune 189,391 > quantized 101,921 > merge about 40K (KindSpec.rel_p); pipeline_tag
mutation on finetune edges 0.411 (KindSpec.keep_pipe, applied in traits.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from scripts.sample.metadata import L_DIFF, L_SB3, L_ST, L_TF


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
