"""CSVs in the shapes the Anatomy paper (2025) and its public notebooks
(github.com/bendlaufer/ai-ecosystem) write, from model records we make up here.

- `write_released_csv`: the released dataset (`ai_ecosystem_withmodelcards.csv`): the
  default `/api/models` listing's fields with `id` as `model_id`, the parents the
  `base_model:` tags name in `parent_model` and `<relation>_parent`, `license`, `region`,
  `arxiv_id`, `languages`, the README in `modelCard`; pandas `to_csv`, so the unnamed
  index column comes first and every list is its Python repr.
- `write_cards_notebook_csv`: `getting-modelcards.ipynb`'s file, written row by row with
  `csv.writer`: `index,modelId,fullJson,Metadata,ModelCard`, the listing record as the
  repr of a dict, `ModelInfo.__dict__`'s repr (datetimes and objects: no literal), and
  the README, empty when it could not be fetched.
- `write_ecosystem_csv`: the full `/api/models/{id}` JSON flattened by pandas
  `json_normalize` (`cardData.license`, `siblings`, ...) with the same parent columns,
  `ratelimit_retries` and `exception_raised`: the richer shape a re-scrape with the
  paper's method gives.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

RELATION_COLUMNS = {
    "finetune": "finetune_parent",
    "quantized": "quantized_parent",
    "adapter": "adapter_parent",
    "merge": "merge_parent",
}


def hub_record(i: int) -> dict:
    """The `/api/models/{id}` full JSON of made-up model i: root models every 10th, the
    rest children of the root before them by a rotating relation."""
    root = i - i % 10
    relation = ("finetune", "quantized", "adapter", "merge")[i % 4]
    model_id = f"org-{i % 7}/model.v{i}" if i % 10 else f"base-{i}"
    license_ = ("mit", "apache-2.0", "llama2", "cc-by-nc-4.0")[i % 4]
    tags = ["transformers", "safetensors", "text-generation", f"license:{license_}", "en"]
    card_data: dict = {"license": license_, "language": ["en", "fr"] if i % 3 else "en"}
    if i % 10:
        parent = f"base-{root}"
        if i % 5:  # the Hub's own tags name the parent ...
            tags += [f"base_model:{parent}", f"base_model:{relation}:{parent}"]
            card_data["base_model"] = parent
        # ... else only the notebook's parent columns do (tags scraped before the Hub added them)
    files = ["README.md", "config.json", ("model.safetensors", "pytorch_model.bin")[i % 2]]
    return {
        "_id": f"{i:024x}",
        "id": model_id,
        "modelId": model_id,
        "author": model_id.split("/")[0] if "/" in model_id else None,
        "sha": f"{i:040x}",
        "lastModified": f"2024-0{1 + i % 9}-1{i % 10}T08:00:00.000Z",
        "private": False,
        "disabled": False,
        "gated": "auto" if i % 50 == 7 else False,
        "downloads": i * 31,
        "likes": i % 13,
        "library_name": "transformers",
        "tags": tags,
        "pipeline_tag": "text-generation",
        "createdAt": f"2023-0{1 + i % 9}-0{1 + i % 9}T10:00:00.000Z",
        "config": {"architectures": ["LlamaForCausalLM"], "model_type": "llama"},
        "cardData": card_data,
        "siblings": [{"rfilename": f} for f in files],
        "spaces": [],
        "safetensors": {"total": 1000 * i} if i % 2 == 0 else None,
    }


def card_text(record: dict) -> str:
    """The README the notebook scraped: front matter from cardData, then prose, with the
    commas, quotes and newlines that CSV quoting must survive."""
    meta = record["cardData"]
    language = (
        meta["language"] if isinstance(meta["language"], str) else ", ".join(meta["language"])
    )
    return (
        f"---\nlicense: {meta['license']}\nlanguage: [{language}]\n---\n"
        f'# {record["id"]}\n\nA model, "quoted", with commas; and a second line.\n'
    )


def parents_from_tags(tags: list[str]) -> dict[str, list[str]]:
    """The notebook's parent columns, from `base_model:` and `base_model:<relation>:` tags."""
    columns: dict[str, list[str]] = {
        "parent_model": [],
        **{c: [] for c in RELATION_COLUMNS.values()},
    }
    for tag in tags:
        parts = tag.split(":")
        if parts[0] != "base_model":
            continue
        if len(parts) == 2:
            columns["parent_model"].append(parts[1])
        elif parts[1] in RELATION_COLUMNS:
            columns[RELATION_COLUMNS[parts[1]]].append(":".join(parts[2:]))
    return columns


def write_ecosystem_csv(path: Path, n: int) -> list[dict]:
    """Write `n` models in the paper's CSV shape; returns the hub records (the truth)."""
    records = [hub_record(i) for i in range(n)]
    frame = pd.json_normalize(records).rename(columns={"id": "model_id"})
    cards, retries, exceptions, parents = [], [], [], []
    for i, record in enumerate(records):
        failed = i % 25 == 24  # the scrape of this README raised
        cards.append(None if failed else card_text(record))
        retries.append(i % 3)
        exceptions.append(
            f"404 Client Error: Entry Not Found for url: https://huggingface.co/{record['id']}"
            "/resolve/main/README.md"
            if failed
            else None
        )
        found = parents_from_tags(record["tags"])
        if i % 10 and i % 5 == 0:  # no tags: the notebook filled its columns from elsewhere
            relation = ("finetune", "quantized", "adapter", "merge")[i % 4]
            found[RELATION_COLUMNS[relation]] = [f"base-{i - i % 10}"]
            found["parent_model"] = [f"base-{i - i % 10}"]
        parents.append(found)
    frame["modelCard"] = cards
    frame["ratelimit_retries"] = retries
    frame["exception_raised"] = exceptions
    for column in ("parent_model", *RELATION_COLUMNS.values()):
        frame[column] = [p[column] for p in parents]
    frame["languages"] = [["en", "fr"] if i % 3 else ["en"] for i in range(n)]
    frame["licenses"] = [[r["cardData"]["license"]] for r in records]
    frame["regions"] = [["us"] if i % 2 else [] for i in range(n)]
    frame["arxiv_papers"] = [["2502.06060"] if i % 9 == 0 else [] for i in range(n)]
    frame.to_csv(path)
    return records


LISTING_FIELDS = (
    "_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag",
    "library_name", "createdAt", "modelId",
)  # fmt: skip
# Real ids' shapes among the made-up ones: over 96 characters, dots, unicode, `.git`.
SHAPED_IDS = {
    3: "espnet/kamo-naoyuki_librispeech_asr_train_asr_conformer6_n_fft512_hop_length256_"
    "raw_en_bpe5000_scheduler_confwarmup_steps40000_optim_conflr0.0025_sp_valid.acc.ave",
    6: "user-x/modèle-日本語.v2",
    7: "org/repo.git",
}


def listing_record(i: int) -> dict:
    """The default `/api/models` listing's record of made-up model i (no cardData)."""
    record = hub_record(i)
    if i in SHAPED_IDS:
        record["id"] = record["modelId"] = SHAPED_IDS[i]
    record["trendingScore"] = i % 5
    return {key: record[key] for key in LISTING_FIELDS}


def scraped_card(i: int, record: dict) -> str | None:
    """The README the notebook scraped; None when the scrape failed (every 25th)."""
    if i % 25 == 24:
        return None
    return card_text({**hub_record(i), "id": record["id"]})


def write_released_csv(path: Path, n: int) -> list[dict]:
    """Write `n` models as the released dataset is laid out; returns the listing records."""
    records = [listing_record(i) for i in range(n)]
    frame = pd.DataFrame(records).drop(columns=["_id", "modelId"])
    frame = frame.rename(columns={"id": "model_id"})
    parents = [parents_from_tags(r["tags"]) for r in records]
    for column in ("parent_model", *RELATION_COLUMNS.values()):
        frame[column] = [p[column] for p in parents]
    frame["license"] = [hub_record(i)["cardData"]["license"] for i in range(n)]
    frame["region"] = "us"
    frame["arxiv_id"] = [["2502.06060"] if i % 9 == 0 else [] for i in range(n)]
    frame["languages"] = [["en", "fr"] if i % 3 else ["en"] for i in range(n)]
    frame["modelCard"] = [scraped_card(i, r) for i, r in enumerate(records)]
    frame.to_csv(path)
    return records


def model_info_repr(record: dict) -> str:
    """`str(HfApi().model_info(id).__dict__)` as the notebook wrote it: not a literal."""
    return (
        f"{{'id': {record['id']!r}, 'author': None, 'sha': 'abc', 'created_at': "
        "datetime.datetime(2023, 1, 1, 10, 0, tzinfo=datetime.timezone.utc), 'card_data': "
        "{'license': 'mit'}, 'siblings': [RepoSibling(rfilename='README.md', size=None)]}"
    )


def write_cards_notebook_csv(path: Path, n: int) -> list[dict]:
    """Write `n` models as `getting-modelcards.ipynb` does; returns the listing records."""
    records = [listing_record(i) for i in range(n)]
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["index", "modelId", "fullJson", "Metadata", "ModelCard"])
        for i, record in enumerate(records):
            card = scraped_card(i, record)
            metadata = None if card is None else model_info_repr(record)
            writer.writerow([i, record["modelId"], str(record), metadata, card])
    return records
