"""Model ids and authors.

Imitates Hub ids: famous models under their real ids (legacy ones such as "gpt2" without an
author), unique pronounceable user names (which one a model gets is drawn in traits.py),
others a kind's stem and size, and children named after their family root's stem with a
relation suffix (-lora, -GGUF, -mlx-4bit, ...). No DESIGN.md reference value applies.
"""

from __future__ import annotations

import numpy as np

from scripts.sample.cardtext import SYLLABLES
from scripts.sample.graph import _Graph
from scripts.sample.kinds import FAMOUS, SPECS
from scripts.sample.shape import QU, R_CHAIN, R_CHILD, W_GGUF, W_MLX
from scripts.sample.traits import _Traits

REL_SUFFIX: tuple[tuple[str, ...], ...] = (
    ("finetuned", "sft", "dpo", "instruct", "ft", "v2", "orpo", "chat"),
    ("lora", "qlora", "adapter", "peft"),
    ("AWQ", "GPTQ", "4bit", "8bit", "bnb-4bit"),
    ("slerp", "ties", "dare-ties", "merge", "passthrough"),
)
GGUF_SUFFIX: tuple[str, ...] = ("GGUF", "Q4_K_M-GGUF", "Q8_0-GGUF")
MLX_SUFFIX: tuple[str, ...] = ("mlx-4bit", "mlx-8bit")
NAME_ONLY_SUFFIX = (("lora", "LoRA", "qlora"), (*GGUF_SUFFIX, "AWQ", "GPTQ", "4bit", "exl2"))


def _b36(i: int) -> str:
    """Short unique suffix for generated names (base 36 of the node index)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        i, r = divmod(i, 36)
        out = digits[r] + out
        if i == 0:
            return out


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
    _name_after_parents(g, ids, authors)
    return ids, authors


def _name_after_parents(g: _Graph, ids: list[str], authors: list[str | None]) -> None:
    """Name-only children are called `<their user>/<parent name>-<suffix>`, the way
    quantizers and adapter authors name uploads (TheBloke/Llama-2-7B-GGUF); an id that
    would repeat keeps its generated name."""
    used = set(ids)
    for v, p, r in zip(
        g.name_child.tolist(), g.name_parent.tolist(), g.name_rel.tolist(), strict=True
    ):
        suffixes = NAME_ONLY_SUFFIX[r == QU]
        stem = ids[p].rpartition("/")[2]
        named = f"{authors[v]}/{stem}-{suffixes[v % len(suffixes)]}"
        if named not in used:
            used.add(named)
            ids[v] = named
