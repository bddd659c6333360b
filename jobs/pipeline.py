"""Every stage in order in one Spark application: ingest -> lineage (GraphFrames) ->
similarity (GraphFrames for card clusters), drift, audit -> diff (when an older snapshot
is in the output) -> report.

    python -m jobs.pipeline --input PATH --format card-dataset --output DIR \\
        --snapshot 2026-11-01

One application saves the start-up of five; each stage still reads only the tables
the stage before it published, so a rerun of a single stage (`python -m jobs.drift`)
gives the same tables. Without the GraphFrames JVM package the run stops before
Spark starts, with one line saying how to get it (exit 2). With an `hdfs://` or `s3a://`
output every table is written and the report is left, with a warning saying how to make
it: it reads the tables with pyarrow, from a local or mounted folder.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from pyspark.sql import SparkSession

from jobs import audit, diff, drift, ingest, lineage, report, similarity
from jobs.cli import StageArgs, checkpoint_root, is_url, parse_args, run_main
from jobs.config import resolve_repo_path
from jobs.spark_session import build_session, cached_graphframes_jars, launched_by_spark_submit
from jobs.tables import published_snapshots

log = logging.getLogger("pedigree.pipeline")

STAGES: tuple[tuple[str, Callable[[SparkSession, StageArgs], Mapping[str, int]]], ...] = (
    ("lineage", lineage.run),
    ("similarity", similarity.run),
    ("drift", drift.run),
    ("audit", audit.run),
)


def tag_jobs(spark: SparkSession, stage: str) -> None:
    """Put the Spark jobs that follow in a job group named after the stage: the Spark UI
    and the event log (scripts/bench_pipeline.py) then say which stage each job was."""
    spark.sparkContext.setJobGroup(stage, f"pedigree {stage}")


def main(argv: list[str] | None = None) -> int:
    def body() -> None:
        args = parse_args("pipeline", ingest.FORMATS, argv)
        ingest.source_files(args.input, args.format)  # bad input fails before Spark starts
        if not launched_by_spark_submit():  # spark-submit may bring it with --packages
            cached_graphframes_jars(resolve_repo_path(args.config.spark.jar_cache))
        spark = build_session(args.config, checkpoint_root(args.output))
        started = time.monotonic()
        log.info("stage ingest started")
        tag_jobs(spark, "ingest")
        counts = ingest.run(spark, args)
        log.info(
            "ingest: rows_in=%d models=%d rejects=%d in %.1fs",
            counts["rows_in"],
            counts["models"],
            counts["rejects"],
            time.monotonic() - started,
        )
        stage_args = StageArgs(args.output, args.snapshot, args.config)
        for name, run in STAGES:
            started = time.monotonic()
            log.info("stage %s started", name)
            tag_jobs(spark, name)
            written = run(spark, stage_args)
            summary = " ".join(f"{table}={n}" for table, n in written.items())
            log.info("%s: %s in %.1fs", name, summary, time.monotonic() - started)
        older = [s for s in published_snapshots(spark, args.output, "models") if s < args.snapshot]
        if older:
            started = time.monotonic()
            log.info("stage diff started (against %s)", older[-1])
            tag_jobs(spark, "diff")
            diff_args = StageArgs(args.output, args.snapshot, args.config, older[-1])
            written = diff.run(spark, diff_args)
            summary = " ".join(f"{table}={n}" for table, n in written.items())
            log.info("diff: %s in %.1fs", summary, time.monotonic() - started)
        if is_url(args.output):
            log.warning(
                "report: not written, %s is not a local folder; mount it and run "
                "`pedigree report --output <mounted folder> --snapshot %s`",
                args.output,
                args.snapshot,
            )
            return
        started = time.monotonic()
        log.info("stage report started")
        index = report.write_report(
            Path(args.output), args.snapshot, args.config.report, args.config.inference.threshold
        )
        log.info("report: %s in %.1fs", index, time.monotonic() - started)

    return run_main("pipeline", body)


if __name__ == "__main__":
    raise SystemExit(main())
