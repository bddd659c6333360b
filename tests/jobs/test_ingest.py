"""jobs/ingest on hand-made inputs of every format, on a generated sample, and on real cards."""

from __future__ import annotations

import csv
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.cli import JobArgs, UserError
from jobs.config import REPO_ROOT, load_config
from jobs.ingest import (
    parse_once,
    ranked_duplicates,
    read_records,
    repeated_ids,
    run,
    source_files,
    to_tables,
)
from jobs.tables import read_table, snapshot_checkpoints
from tests.components import shared_file
from udfs.minhash import Sketcher, to_list

pytestmark = pytest.mark.spark

SNAPSHOT = "2026-11-01"
REAL_SLICE = "data/hub-2022-sample.jsonl.gz"

CARD_WITH_PARENT = """---
license: MIT
language: [en, fr]
base_model: https://huggingface.co/org/base
---
# A fine-tuned model

This model is a fine-tuned version of org/base.
"""


def ingest(spark, input_path: Path, fmt: str, output: Path) -> dict[str, int]:
    return run(spark, JobArgs(input_path, fmt, output, SNAPSHOT, load_config()))


def tables(spark, output: Path):
    rows = read_table(spark, str(output), "models", SNAPSHOT).collect()
    models = {r["model_id"]: r for r in rows}
    rejects = read_table(spark, str(output), "rejects", SNAPSHOT).collect()
    return models, rejects


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def card_dump_row(model_id, card, last_modified="2024-01-01T00:00:00.000Z", tags=()):
    return {
        "modelId": model_id,
        "author": model_id.split("/")[0] if model_id and "/" in model_id else None,
        "last_modified": last_modified,
        "downloads": 5,
        "likes": 1,
        "library_name": "transformers",
        "tags": list(tags),
        "pipeline_tag": "text-classification",
        "createdAt": "2023-01-01T00:00:00.000Z",
        "card": card,
    }


def test_every_jsonl_row_becomes_a_model_or_a_reject(spark, tmp_path: Path) -> None:
    rows = [
        json.dumps(card_dump_row("org/child", CARD_WITH_PARENT, tags=["base_model:org/base"])),
        json.dumps(card_dump_row("org/base", "---\nlicense: apache-2.0\n---\n# Base\n")),
        json.dumps(card_dump_row("org/dup", "old card", last_modified="2023-01-01T00:00:00.000Z")),
        json.dumps(card_dump_row("org/dup", "new card", last_modified="2024-06-01T00:00:00.000Z")),
        json.dumps(card_dump_row("org/broken-yaml", "---\nlicense: [mit\n---\nbody")),
        json.dumps(card_dump_row("org/junk", "\x00\x01\ufffd binary \x7f junk")),
        json.dumps(card_dump_row(None, "no id")),
        json.dumps(card_dump_row("bad id with spaces", "x")),
        "{not json",
        "",
    ]
    source = write_jsonl(tmp_path / "in" / "cards.jsonl", rows)

    counts = ingest(spark, source, "card-dataset", tmp_path / "out")

    models, rejects = tables(spark, tmp_path / "out")
    assert counts["rows_in"] == len(rows) == counts["models"] + counts["rejects"]
    assert set(models) == {"org/child", "org/base", "org/dup", "org/broken-yaml", "org/junk"}
    reasons = sorted(r["reason"] for r in rejects)
    assert reasons == sorted(
        ["duplicate_id", "missing_id", "invalid_id", "invalid_json", "empty_line"]
    )
    child = models["org/child"]
    assert child["licenses"] == ["mit"]
    assert child["languages"] == ["en", "fr"]
    assert [(b["parent_id"], b["source"]) for b in child["base_models"]] == [("org/base", "both")]
    assert models["org/broken-yaml"]["yaml_error"]
    assert models["org/dup"]["card_chars"] == len("new card"), "the latest last_modified wins"
    texts = {
        r["model_id"]: r["card"]
        for r in read_table(spark, str(tmp_path / "out"), "card_texts", SNAPSHOT).collect()
    }
    assert texts["org/child"] == CARD_WITH_PARENT
    assert texts["org/dup"] == "new card"
    assert set(texts) == {m for m, row in models.items() if row["has_card"]}


def test_ingest_sketches_each_winning_card_once_as_the_sketcher_does(spark, tmp_path) -> None:
    prose = " ".join(f"w{i % 97} x{i % 13}" for i in range(400))
    cards = {
        "org/prose": "---\nlicense: mit\n---\n" + prose,
        "org/same-body": "---\nlicense: apache-2.0\n---\n" + prose,
        "org/short": "Hello there",
        "org/front-matter-only": "---\nlicense: mit\n---\n",
        "org/error-page": "Error: the path 'README.md' does not exist in the given tree",
    }
    rows = [json.dumps(card_dump_row(m, c)) for m, c in cards.items()]
    rows.append(json.dumps(card_dump_row("org/prose", "an older copy", "2020-01-01T00:00:00Z")))
    source = write_jsonl(tmp_path / "in" / "cards.jsonl", rows)

    ingest(spark, source.parent, "card-dataset", tmp_path / "out")

    out = str(tmp_path / "out")
    sigs = {r["model_id"]: r for r in read_table(spark, out, "signatures", SNAPSHOT).collect()}
    models, _ = tables(spark, tmp_path / "out")
    config = load_config().similarity
    sketcher = Sketcher(config.num_perm, config.seed, config.shingle_size)
    carded = [m for m in cards if models[m]["has_card"]]
    expected = sketcher.sketch([cards[m] for m in carded])
    for model_id, signature, count, score in zip(carded, *expected, strict=True):
        assert models[model_id]["template_score"] == score
        if signature is None:
            assert model_id not in sigs
        else:
            assert sigs[model_id]["minhash"] == to_list(signature)
            assert sigs[model_id]["n_shingles"] == count
    assert set(sigs) == {"org/prose", "org/same-body", "org/short"}, "the winner's card only"
    assert sigs["org/prose"]["minhash"] == sigs["org/same-body"]["minhash"]
    assert models["org/error-page"]["template_score"] is None


def test_rerun_replaces_the_snapshot_and_is_identical(spark, tmp_path: Path) -> None:
    rows = [json.dumps(card_dump_row(f"org/m{i}", f"card {i}")) for i in range(7)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = str(tmp_path / "out")
    ingest(spark, source, "card-dataset", tmp_path / "out")
    first = sorted(map(tuple, read_table(spark, out, "models", SNAPSHOT).collect()))
    ingest(spark, source, "card-dataset", tmp_path / "out")
    second = sorted(map(tuple, read_table(spark, out, "models", SNAPSHOT).collect()))
    assert first == second and len(first) == 7
    assert not (tmp_path / "out" / "_staging").exists() or not any(
        (tmp_path / "out" / "_staging").iterdir()
    )


def test_each_table_reads_only_its_own_columns_of_the_one_parse(spark, tmp_path) -> None:
    """The parsed rows are written once, as Parquet: the models table's write reads no card
    text and the signatures' write no card either (a cache would deserialize whole blocks,
    card text included, for every table)."""
    rows = [json.dumps(card_dump_row(f"org/m{i}", f"card {i}")) for i in range(3)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    config = load_config()
    kind, files = source_files(source, "card-dataset")
    with snapshot_checkpoints(spark, str(tmp_path / "out"), SNAPSHOT):
        parsed = parse_once(read_records(spark, kind, files, config), kind, "", config)
        repeated = repeated_ids(parsed)
        written = to_tables(parsed, repeated, ranked_duplicates(parsed, repeated))
        scans = {table: parquet_scans(written[table]) for table in written}
        assert written["models"].count() == 3

    parsed_scans = {
        table: [c for c in columns if "model_id" in c] for table, columns in scans.items()
    }
    assert all(parsed_scans[table] for table in ("models", "card_texts", "signatures")), scans
    assert scans["rejects"] and all("card" not in c for c in scans["rejects"]), scans
    assert all("card" not in c for c in parsed_scans["models"] + parsed_scans["signatures"])
    assert any("card" in c for c in parsed_scans["card_texts"]), scans


def parquet_scans(frame) -> list[list[str]]:
    """The columns each Parquet scan of `frame`'s physical plan reads."""
    leaves = frame._jdf.queryExecution().sparkPlan().collectLeaves()
    nodes = [leaves.apply(i) for i in range(leaves.size())]
    return [
        list(node.requiredSchema().fieldNames())
        for node in nodes
        if node.getClass().getSimpleName() == "FileSourceScanExec"
    ]


def test_hub_listing_jsonl_keeps_card_data_and_files(spark, tmp_path: Path) -> None:
    listing = {
        "id": "org/q",
        "author": "org",
        "created_at": "2024-05-01T00:00:00.000Z",
        "last_modified": "2024-05-02T00:00:00.000Z",
        "downloads": 10,
        "likes": 2,
        "library_name": "gguf",
        "pipeline_tag": None,
        "tags": ["base_model:quantized:org/base", "license:apache-2.0"],
        "card_data": {"license": "apache-2.0", "base_model": "org/base"},
        "siblings": [{"rfilename": "model.Q4_K_M.gguf"}, {"rfilename": "README.md"}],
    }
    source = write_jsonl(tmp_path / "listing" / "part-00000.jsonl", [json.dumps(listing)])

    ingest(spark, source.parent, "hub-listing", tmp_path / "out")

    models, rejects = tables(spark, tmp_path / "out")
    assert rejects == []
    q = models["org/q"]
    assert q["files"] == ["model.Q4_K_M.gguf", "README.md"]
    assert q["licenses"] == ["apache-2.0"]
    assert [(b["parent_id"], b["relation"]) for b in q["base_models"]] == [
        ("org/base", "quantized")
    ]
    assert q["has_card"] is False


@pytest.mark.parametrize(
    "where",
    ["cards", "mes cartes 100% é/cards", "link-to-cards"],
    ids=["plain", "space-unicode-percent", "symlinked"],
)
def test_readme_folder_with_bom_and_crlf(spark, tmp_path: Path, where: str) -> None:
    """Wherever the folder is: under a name Spark would percent-encode in a URI, or reached
    through a symlink, each README still names its model (they all became `missing_id`)."""
    folder = tmp_path / where
    if where.startswith("link"):
        (tmp_path / "real-cards").mkdir()
        folder.symlink_to(tmp_path / "real-cards", target_is_directory=True)
    (folder / "org" / "m").mkdir(parents=True)
    (folder / "gpt2").mkdir()
    crlf_card = "\ufeff---\r\nlicense: mit\r\nbase_model: gpt2\r\n---\r\n# Model\r\nText here.\r\n"
    (folder / "org" / "m" / "README.md").write_bytes(crlf_card.encode("utf-8"))
    (folder / "gpt2" / "README.md").write_bytes(b"# GPT-2\n\xff\xfe not utf-8\n")

    counts = ingest(spark, folder, "cards", tmp_path / "out")

    models, _ = tables(spark, tmp_path / "out")
    assert counts["models"] == 2 and counts["rejects"] == 0
    assert models["org/m"]["has_front_matter"] is True
    assert models["org/m"]["yaml_error"] is None
    assert models["org/m"]["licenses"] == ["mit"]
    assert [b["parent_id"] for b in models["org/m"]["base_models"]] == ["gpt2"]
    assert models["gpt2"]["has_card"] is True


def test_ecosystem_csv_with_multiline_quoted_cards(spark, tmp_path: Path) -> None:
    path = tmp_path / "eco.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "author", "createdAt", "downloads", "likes", "tags", "card"])
        writer.writerow(
            ["org/a", "org", "2024-01-01", "3", "0", "['base_model:org/b']", 'Line 1, "q"\nLine 2']
        )
        writer.writerow(["org/b", "org", "2023-01-01", "", "1", "[]", ""])

    counts = ingest(spark, path, "ecosystem-csv", tmp_path / "out")

    models, _ = tables(spark, tmp_path / "out")
    assert counts == {"rows_in": 2, "models": 2, "rejects": 0}
    assert models["org/a"]["card_chars"] == len('Line 1, "q"\nLine 2')
    assert [b["parent_id"] for b in models["org/a"]["base_models"]] == ["org/b"]
    assert models["org/b"]["downloads"] is None


def test_files_in_hidden_and_underscore_folders_are_not_input(tmp_path: Path) -> None:
    """A notebook's checkpoint copy or a failed Spark write's `_temporary` under the input
    folder would duplicate every model (and could win over the real rows)."""
    for name in (
        "eco.csv",
        ".ipynb_checkpoints/eco-checkpoint.csv",
        "_temporary/0/part-0.csv",
        "_SUCCESS",
        "more/eco-2.csv",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("id,card\norg/m,x\n")
    kind, files = source_files(tmp_path, "ecosystem-csv")
    assert kind == "csv"
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["eco.csv", "more/eco-2.csv"]


def test_missing_input_and_wrong_kind_fail_before_spark(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        source_files(tmp_path / "nope", "card-dataset")
    (tmp_path / "x.csv").write_text("a\n")
    with pytest.raises(UserError, match="no card-dataset files"):
        source_files(tmp_path, "card-dataset")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobs.ingest", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "card-dataset", "--output", "o", "--snapshot", SNAPSHOT, "--input", "/nope"),
        ("--format", "yaml-dump", "--output", "o", "--snapshot", SNAPSHOT, "--input", "/tmp"),
        ("--format", "cards", "--output", "o", "--snapshot", "yesterday", "--input", "/tmp"),
        (
            "--format",
            "cards",
            "--output",
            "o",
            "--snapshot",
            SNAPSHOT,
            "--input",
            "/tmp",
            "--set",
            "ingest.nope=1",
        ),
    ],
)
def test_user_errors_are_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("pedigree ingest: error: "), result.stderr


@pytest.mark.slow
def test_corrupt_input_fails_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "part-0.parquet").write_bytes(b"PAR1 this is not parquet")
    out = tmp_path / "out"
    result = run_cli(
        "--input",
        str(tmp_path / "in"),
        "--format",
        "card-dataset",
        "--output",
        str(out),
        "--snapshot",
        SNAPSHOT,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("pedigree ingest: failed: ")
    assert not (out / "models").exists() and not (out / "rejects").exists()


@pytest.mark.slow
def test_spark_submit_runs_the_same_job(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [json.dumps(card_dump_row(f"org/m{i}", "c")) for i in range(3)]
    )
    spark_submit = Path(sys.executable).parent / "spark-submit"
    result = subprocess.run(
        [
            str(spark_submit),
            "--master",
            "local[1]",
            str(REPO_ROOT / "jobs" / "ingest.py"),
            "--input",
            str(source),
            "--format",
            "card-dataset",
            "--output",
            str(tmp_path / "out"),
            "--snapshot",
            SNAPSHOT,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # spark-submit merges the Python driver's stderr into its own stdout
    assert "rows_in=3 models=3 rejects=0" in result.stdout
    assert (tmp_path / "out" / "models" / f"snapshot={SNAPSHOT}" / "_SUCCESS").is_file()


def test_real_2022_card_slice_reconciles(spark, tmp_path: Path) -> None:
    real_slice = shared_file(REAL_SLICE)
    counts = ingest(spark, real_slice, "card-dataset", tmp_path / "out")
    models, _ = tables(spark, tmp_path / "out")
    facts = {
        "with_front_matter": sum(bool(m["has_front_matter"]) for m in models.values()),
        "yaml_errors": sum(m["yaml_error"] is not None for m in models.values()),
        "with_base_model": sum(bool(m["base_models"]) for m in models.values()),
        "error_pages": sum(bool(m["is_error_page"]) for m in models.values()),
    }
    print("real slice:", counts, facts)
    assert counts["rows_in"] == 5000 == counts["models"] + counts["rejects"]
    assert facts["error_pages"] == 300
    assert 3000 < facts["with_front_matter"] < 5000
    with gzip.open(real_slice, "rt", encoding="utf-8") as handle:
        ids = {json.loads(line)["modelId"] for line in handle}
    assert set(models) <= ids


def test_unique_ids_are_not_ranked_and_a_repeated_one_is(spark, tmp_path) -> None:
    """Without a repeated id the ranking reads nothing (its frame has no Parquet scan); with
    one, it ranks that id's rows, latest first."""
    config = load_config()

    def ranked_from(rows: list[dict]) -> tuple[list[list[str]], list[tuple[str, int]]]:
        source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(r) for r in rows])
        kind, files = source_files(source, "card-dataset")
        with snapshot_checkpoints(spark, str(tmp_path / "out"), SNAPSHOT):
            parsed = parse_once(read_records(spark, kind, files, config), kind, "", config)
            ranked = ranked_duplicates(parsed, repeated_ids(parsed))
            found = sorted(
                (r["model_id"], r["_rank"], str(r["last_modified"])[:4]) for r in ranked.collect()
            )
            return parquet_scans(ranked), found

    unique = [card_dump_row(f"org/m{i}", f"card {i}") for i in range(3)]
    assert ranked_from(unique) == ([], [])
    older = card_dump_row("org/m0", "old card", last_modified="2021-01-01T00:00:00.000Z")
    scans, found = ranked_from([*unique, older])
    assert scans and found == [("org/m0", 1, "2024"), ("org/m0", 2, "2021")]
