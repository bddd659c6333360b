"""One model's row as the Hub serves it: card text, card_data, tags and file names.

Imitates a card-dump row and an HfApi.list_models record: the card in its state (missing,
broken in one of the listed ways, or a real card), the parsed YAML (card_data) with messy
licenses and base_model as a string, a list or a URL, the tags the Hub derives from YAML and
repository files (base_model:*, license:*, dataset:*, languages) and the sibling file names
of each weight layout. Reference value (DESIGN.md): model-index claims in about 4% of models
are rendered here where traits.py put them; the other targets are decided upstream.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from scripts.sample.cardtext import (
    COMPARE_LINE,
    EMPTY_CARDS,
    FAMILY_SLOT,
    GGUF_INTRO,
    HEADINGS,
    HUB_SUMMARY,
    HUB_TEMPLATE,
    MAX_VERB,
    MERGE_INTRO,
    SCRAPER_ERRORS,
    SENT_MASK,
    SENT_STEP,
    TRAINER_NOTE,
    _mention,
    front_matter,
)
from scripts.sample.draws import Arr, _mix
from scripts.sample.graph import _Graph
from scripts.sample.kinds import ALL_ARCHES, FAMOUS, K_LLM, SPECS
from scripts.sample.languages import LANGS, _LangSets
from scripts.sample.metadata import (
    L_DIFF,
    L_TF,
    LIBS,
    LIC_IDS,
    LICENSES,
    METRICS,
    PIPES,
    UNKNOWN_LIC,
)
from scripts.sample.shape import (
    A_HUB,
    A_TRAINER,
    AD,
    C_BAD,
    C_BOM,
    C_CRLF,
    C_EMPTY,
    C_JUNK,
    C_NONE,
    C_OK,
    C_SCRAPER,
    CH_BOTH,
    CH_TAG,
    CH_YAML,
    COMPARE_SHARE,
    FT,
    MG,
    PICKLE_LAYOUTS,
    QU,
    RELATIONS,
    SAFETENSORS_LAYOUTS,
    UNDECLARED,
    W_ADAPTER,
    W_ADAPTER_BIN,
    W_BIN,
    W_BOTH,
    W_DIFFUSERS,
    W_GGUF,
    W_LORA,
    W_SB3,
    W_ST,
)
from scripts.sample.traits import _Traits
from scripts.sample.truth import _Truth


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
        declared = ~np.isin(truth.via, UNDECLARED)
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
        if (h >> 40) % 10_000 < COMPARE_SHARE * 10_000:
            other = FAMOUS[(h >> 48) % len(FAMOUS)].model_id
            if other not in mentioned:  # a link to a model that is not the parent
                parts.append(COMPARE_LINE.format(x=other))
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
