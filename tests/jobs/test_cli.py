"""The command line every stage shares: what it accepts before Spark starts, and an output
given as a Hadoop URL, as clusters give it (`hdfs://`, `s3a://`; `file://` here)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from jobs import ingest, lineage
from jobs.cli import (
    UserError,
    checkpoint_root,
    local_output,
    parse_args,
    parse_stage_args,
    run_main,
)
from jobs.spark_session import read_spark_defaults
from jobs.tables import published_snapshots

SNAPSHOT = "2026-11-01"


@pytest.mark.parametrize("snapshot", ["20261101", "2026-W44-7", "2026-11-1", "2026-02-30", ""])
def test_a_snapshot_is_a_date_written_yyyy_mm_dd_and_nothing_else(snapshot: str) -> None:
    with pytest.raises(UserError, match="expected YYYY-MM-DD"):
        parse_stage_args("audit", ["--output", "/tmp", "--snapshot", snapshot])


@pytest.mark.parametrize("url", ["s3a://bucket/pedigree", "hdfs://namenode:8020/data/pedigree"])
def test_an_output_url_is_kept_as_given(url: str, tmp_path: Path) -> None:
    """A `Path` folded `s3a://bucket` into `s3a:/bucket`: every stage after ingest then
    refused the output, and ingest wrote to a bucket-less URL."""
    stage = parse_stage_args("lineage", ["--output", url, "--snapshot", SNAPSHOT])
    assert stage.output == url and checkpoint_root(stage.output) == url
    (tmp_path / "in.jsonl").write_text("{}\n")
    argv = ["--input", str(tmp_path / "in.jsonl"), "--format", "card-dataset"]
    job = parse_args("ingest", ingest.FORMATS, [*argv, "--output", url, "--snapshot", SNAPSHOT])
    assert job.output == url
    with pytest.raises(UserError, match="not a local folder"):
        local_output(url)


def test_a_local_output_must_be_a_folder_that_can_be_written(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text("{}\n")
    argv = ["--input", str(tmp_path / "in.jsonl"), "--format", "card-dataset"]
    with pytest.raises(UserError, match="--output: is empty"):
        parse_args("ingest", ingest.FORMATS, [*argv, "--output", " ", "--snapshot", SNAPSHOT])
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(UserError, match="is a file"):
        parse_args(
            "ingest",
            ingest.FORMATS,
            [*argv, "--output", str(tmp_path / "a-file"), "--snapshot", SNAPSHOT],
        )
    under_file = str(tmp_path / "a-file" / "out")
    with pytest.raises(UserError, match="lies under the file"):
        parse_args(
            "ingest", ingest.FORMATS, [*argv, "--output", under_file, "--snapshot", SNAPSHOT]
        )
    new = tmp_path / "new" / "out"
    job = parse_args(
        "ingest", ingest.FORMATS, [*argv, "--output", str(new), "--snapshot", SNAPSHOT]
    )
    assert not new.exists(), "a run refused later must leave no folder behind"
    assert checkpoint_root(job.output) == str(new.resolve())


def test_an_explicit_log_level_wins_over_verbose() -> None:
    argv = ["--output", "/tmp", "--snapshot", SNAPSHOT, "--verbose"]
    assert parse_stage_args("audit", argv).config.spark.log_level == "WARN"
    chosen = parse_stage_args("audit", [*argv, "--set", "spark.log_level=INFO"])
    assert chosen.config.spark.log_level == "INFO"
    logging.getLogger("pedigree").setLevel(logging.INFO)


@pytest.mark.parametrize(
    ("value", "level"), [("debug", logging.DEBUG), (" Warning ", logging.WARNING)]
)
def test_the_log_level_variable_takes_any_letter_case(
    monkeypatch: pytest.MonkeyPatch, value: str, level: int
) -> None:
    monkeypatch.setenv("PEDIGREE_LOG_LEVEL", value)
    assert run_main("audit", lambda: None) == 0
    assert logging.getLogger("pedigree").level == level
    logging.getLogger("pedigree").setLevel(logging.INFO)


def test_an_unknown_log_level_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PEDIGREE_LOG_LEVEL", "chatty")
    assert run_main("audit", lambda: None) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "PEDIGREE_LOG_LEVEL=CHATTY is no log level" in err[0]


def test_spark_defaults_take_tabs_between_key_and_value(tmp_path: Path) -> None:
    path = tmp_path / "spark-defaults.conf"
    path.write_text("# a comment\nspark.sql.shuffle.partitions\t16\nspark.a  x y\nspark.flag\n")
    assert read_spark_defaults(path) == {
        "spark.sql.shuffle.partitions": "16",
        "spark.a": "x y",
        "spark.flag": "",
    }


def test_stages_read_and_write_an_output_given_as_a_url(spark, tmp_path: Path) -> None:
    """`file://` goes through the same Hadoop FileSystem calls as `hdfs://` or `s3a://`:
    ingest writes under the URL, lineage (a stage after ingest) reads and writes there."""
    rows = [
        {"modelId": "org/base", "card": "# base", "tags": []},
        {"modelId": "org/child", "card": "# child", "tags": ["base_model:finetune:org/base"]},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    url = (tmp_path / "out").as_uri()
    common = ["--output", url, "--snapshot", SNAPSHOT]
    checkpoints = spark.sparkContext.getCheckpointDir()
    try:  # each stage's main sets the shared session's checkpoint dir under its output
        assert ingest.main(["--input", str(source), "--format", "card-dataset", *common]) == 0
        assert lineage.main(common) == 0
    finally:
        if checkpoints:
            spark.sparkContext.setCheckpointDir(checkpoints)
    assert published_snapshots(spark, url, "models") == [SNAPSHOT]
    assert published_snapshots(spark, url, "nodes") == [SNAPSHOT]
    assert (tmp_path / "out" / "edges" / f"snapshot={SNAPSHOT}" / "_SUCCESS").is_file()
