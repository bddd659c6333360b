"""The command-line contract every stage shares, and its one-line errors.

    python -m jobs.ingest --input PATH --format FMT --output DIR --snapshot YYYY-MM-DD \
        [--config conf/x.yaml] [--set key=value ...]
    python -m jobs.<stage> --output DIR --snapshot YYYY-MM-DD [--config ...] [--set ...]

Stages after ingest read the tables an earlier stage wrote under `--output`: a local
folder or a Hadoop URL (`hdfs://`, `s3a://`), kept as given (a `Path` would fold the `//`).

The same module runs under `spark-submit jobs/<stage>.py ...`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import logging
import os
import re
import sys
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from pyspark.sql import SparkSession

from jobs.config import Config, ConfigError, load_config
from jobs.errors import UserError
from jobs.spark_session import build_session

__all__ = ["JobArgs", "StageArgs", "UserError", "parse_args", "run_main", "stage_main"]


@dataclass(frozen=True)
class JobArgs:
    input: Path
    format: str
    output: str
    snapshot: str
    config: Config


def pedigree_version() -> str:
    """The installed pedigree's version (a checkout without `pip install -e` says so)."""
    try:
        return importlib.metadata.version("pedigree")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


_SNAPSHOT_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def snapshot_date(text: str) -> str:
    """`--snapshot` is a calendar date written YYYY-MM-DD; it names the output partition.
    Only that form: Python 3.11 would also read `20260105` or the week date `2026-W01-1`
    (and name the partition 2025-12-29).

    >>> snapshot_date("2026-01-05")
    '2026-01-05'
    """
    try:
        if _SNAPSHOT_RE.fullmatch(text):
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got '{text}'")


def is_url(output: str) -> bool:
    """Whether `--output` names a Hadoop filesystem by URL rather than a local folder.

    >>> is_url("s3a://bucket/pedigree"), is_url("hdfs://nn:8020/p"), is_url("/data/pedigree")
    (True, True, False)
    """
    return "://" in str(output)


def output_location(text: str) -> str:
    """`--output` as given (a URL keeps its `//`), refused when empty: an empty path would
    write every table into the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; pass the folder (or hdfs://, s3a:// URL)")
    return text


def checkpoint_root(output: str) -> str:
    """Where relative checkpoint dirs go: a URL output itself, a local one made absolute."""
    return output if is_url(output) else str(Path(output).resolve())


def local_output(output: str) -> Path:
    """The output as a local folder, for what reads tables with pyarrow (report, lookup)."""
    if is_url(output):
        raise UserError(
            f"{output} is not a local folder: the report and the lookup read the tables with "
            "pyarrow; mount that storage and pass the mounted folder as --output"
        )
    return Path(output)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is a UserError (one line, exit 2), not a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{message}; see --help")


@dataclass(frozen=True)
class StageArgs:
    output: str
    snapshot: str
    config: Config
    against: str | None = None  # the older snapshot a comparing stage (diff) reads


# What each stage does and an example, for --help (`pedigree run` is the pipeline).
STAGE_HELP = {
    "pipeline": (
        "run",
        "Every stage in one Spark application: ingest, lineage, similarity, drift, audit, "
        "diff (when an older snapshot is in the output), report.",
        "pedigree run --input data/sample/card-dataset --format card-dataset "
        "--output output --snapshot 2026-11-01",
    ),
    "ingest": (
        "ingest",
        "Parse and sketch model cards and Hub metadata into models, card_texts, signatures, "
        "rejects, ingest_run.",
        "pedigree ingest --input data/sample/card-dataset --format card-dataset "
        "--output output --snapshot 2026-11-01",
    ),
    "lineage": (
        "lineage",
        "Declared edges, then nodes and families per graph view (GraphFrames).",
        "pedigree lineage --output output --snapshot 2026-11-01",
    ),
    "similarity": (
        "similarity",
        "Resemblance pairs and summary from the card signatures, near-duplicate clusters.",
        "pedigree similarity --output output --snapshot 2026-11-01",
    ),
    "drift": (
        "drift",
        "Mutation rates, transitions, fitted orderings, drift by depth, license conflicts.",
        "pedigree drift --output output --snapshot 2026-11-01 --set drift.top_n=10",
    ),
    "audit": (
        "audit",
        "Missing attributes by task, model-index claims, weight-format risk, orphans.",
        "pedigree audit --output output --snapshot 2026-11-01",
    ),
    "diff": (
        "diff",
        "What changed between two snapshots of one output.",
        "pedigree diff --output output --snapshot 2026-11-08 --against 2026-11-01",
    ),
    "report": (
        "report",
        "The HTML report, family pages and summary.json of one snapshot (no Spark).",
        "pedigree report --output output --snapshot 2026-11-01",
    ),
}


def _parser(stage: str) -> OneLineParser:
    command, description, example = STAGE_HELP.get(stage, (stage, f"pedigree {stage}", ""))
    return OneLineParser(
        prog=f"pedigree {command}",
        description=textwrap.fill(
            f"{description} Same as python -m jobs.{stage} and spark-submit jobs/{stage}.py.",
            width=88,
        ),
        epilog=f"example:\n  {example}" if example else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_common(parser: argparse.ArgumentParser, url_output: bool = True) -> None:
    parser.add_argument(
        "--output",
        required=True,
        type=output_location,
        help="root folder of all tables" + (" (or an hdfs:// or s3a:// URL)" if url_output else ""),
    )
    parser.add_argument("--snapshot", required=True, type=snapshot_date, help="YYYY-MM-DD")
    parser.add_argument("--config", type=Path, help="job config YAML (default conf/pedigree.yaml)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key"
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="every pedigree progress line, and Spark's own warnings (default: errors only)",
    )


def config_of(args: argparse.Namespace) -> Config:
    """The config file with `--set` overrides; `--verbose` lets Spark's warnings through and
    shows pedigree's progress lines inside each stage."""
    overrides = tuple(args.set)
    if args.verbose:  # before the user's own --set, which wins
        overrides = ("spark.log_level=WARN", *overrides)
        logging.getLogger("pedigree").setLevel(logging.DEBUG)
    return load_config(args.config, overrides)


def parse_args(stage: str, formats: Sequence[str], argv: Sequence[str] | None) -> JobArgs:
    """Arguments of a stage that reads source files (ingest)."""
    parser = _parser(stage)
    parser.add_argument("--input", required=True, type=Path, help="file or folder to read")
    parser.add_argument("--format", required=True, choices=list(formats), help="input format")
    _add_common(parser)
    args = parser.parse_args(argv)
    if not is_url(args.output):
        writable_folder(Path(args.output))
    return JobArgs(args.input, args.format, args.output, args.snapshot, config_of(args))


def writable_folder(folder: Path) -> None:
    """Check that the tables can be written under `folder` before Spark starts, where a
    file in the way or a missing permission would come back as a Hadoop stack trace. The
    folder is not made here (Spark makes it): a run refused later leaves nothing behind."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--output {folder} is a file; pass a folder for the tables")
    existing = next(p for p in (folder.absolute(), *folder.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise UserError(f"--output {folder} lies under the file {existing}; pass a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"--output {folder} cannot be written ({existing} is not writable)")


def parse_stage_args(stage: str, argv: Sequence[str] | None, compares: bool = False) -> StageArgs:
    """Arguments of a stage that reads the tables under `--output`.

    A stage that `compares` two snapshots also requires `--against YYYY-MM-DD`, older
    than `--snapshot`.
    """
    parser = _parser(stage)
    _add_common(parser, url_output=stage != "report")  # the report reads a local folder
    if compares:
        parser.add_argument(
            "--against", required=True, type=snapshot_date, help="older snapshot, YYYY-MM-DD"
        )
    args = parser.parse_args(argv)
    if not is_url(args.output) and not Path(args.output).is_dir():
        raise UserError(f"output folder {args.output} does not exist; run the ingest stage first")
    against = getattr(args, "against", None)
    if against is not None and against >= args.snapshot:
        raise UserError(f"--against {against} must be older than --snapshot {args.snapshot}")
    return StageArgs(args.output, args.snapshot, config_of(args), against)


class ConsoleFormatter(logging.Formatter):
    """On a terminal a log line first clears the line Spark's progress bar is drawing (it
    ends in a carriage return, not a newline), so the two never share a line."""

    def __init__(self, clear_line: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.prefix = "\r\x1b[2K" if clear_line else ""

    def format(self, record: logging.LogRecord) -> str:
        return self.prefix + super().format(record)


def configure_logging() -> None:
    """Pedigree's own log lines on stderr, whatever handlers Spark or a caller installed.
    INFO: one line as each stage starts and ends; DEBUG (`--verbose`, or
    PEDIGREE_LOG_LEVEL=DEBUG): the progress inside a stage too."""
    logger = logging.getLogger("pedigree")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(ConsoleFormatter(clear_line=sys.stderr.isatty()))
        logger.addHandler(handler)
        logger.propagate = False
    level = os.environ.get("PEDIGREE_LOG_LEVEL", "INFO").strip().upper()
    if not isinstance(logging.getLevelName(level), int):  # a known name maps to its number
        logger.setLevel(logging.INFO)
        raise UserError(
            f"PEDIGREE_LOG_LEVEL={level} is no log level; use DEBUG, INFO, WARNING or ERROR"
        )
    logger.setLevel(level)


def run_main(stage: str, body: Callable[[], None]) -> int:
    """Run a stage; any failure becomes one line on stderr and a non-zero exit code.

    Known user errors exit 2; anything else exits 1 with the exception's type and
    message (set PEDIGREE_DEBUG=1 for the traceback).
    """
    try:
        configure_logging()
        body()
    except (UserError, ConfigError) as err:
        print(f"pedigree {stage}: error: {err}", file=sys.stderr)
        return 2
    except Exception as err:
        if os.environ.get("PEDIGREE_DEBUG"):
            raise
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else ""
        print(
            f"pedigree {stage}: failed: {type(err).__name__}: {first_line} "
            "(set PEDIGREE_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 1
    return 0


def stage_main(
    stage: str,
    argv: Sequence[str] | None,
    run: Callable[[SparkSession, StageArgs], Mapping[str, int]],
    compares: bool = False,
) -> int:
    """`main` of a stage after ingest: parse, start Spark, run, log the row counts."""

    def body() -> None:
        args = parse_stage_args(stage, argv, compares)
        started = time.monotonic()
        spark = build_session(args.config, checkpoint_root(args.output))
        counts = run(spark, args)
        logging.getLogger(f"pedigree.{stage}").info(
            "%s %s: %s -> %s in %.1fs",
            stage,
            args.snapshot,
            " ".join(f"{table}={n}" for table, n in counts.items()),
            args.output,
            time.monotonic() - started,
        )

    return run_main(stage, body)
