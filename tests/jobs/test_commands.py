"""The `pedigree` console script: one entry point whose subcommands are the modules' own
mains, and a console a person can read (pedigree's lines on stderr, Spark quiet)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.commands import COMMANDS

PEDIGREE = Path(sys.executable).parent / "pedigree"
# The JVM itself prints this for the Vector API module Spark 4 enables; no log level reaches it.
JVM_NOTICE = "WARNING: Using incubator modules: jdk.incubator.vector"


def pedigree(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The console script as a user runs it: the default log level, whatever this session set."""
    env = {k: v for k, v in os.environ.items() if k != "PEDIGREE_LOG_LEVEL"}
    return subprocess.run(
        [str(PEDIGREE), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        check=False,
        env=env,
    )


def test_the_console_script_lists_every_command_with_an_example() -> None:
    result = pedigree("--help")
    assert result.returncode == 0
    listed = re.findall(r"^  (\w+)\s{2,}", result.stdout, flags=re.MULTILINE)
    assert listed == list(COMMANDS)
    assert "pedigree run --input data/sample/card-dataset" in result.stdout


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_subcommand_has_help_with_an_example(command: str) -> None:
    result = pedigree(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: pedigree {command}")
    assert re.search(rf"example:\n\s+pedigree {command} ", result.stdout), result.stdout


def test_an_unknown_command_is_one_line_with_the_closest_name_and_exit_2() -> None:
    result = pedigree("lineag")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "pedigree: error: unknown command 'lineag'; did you mean 'lineage'? (pedigree --help)"
    ]


def test_a_subcommand_is_the_modules_own_main(tmp_path: Path) -> None:
    """Same arguments, same answer: `pedigree diff` and `python -m jobs.diff` fail alike."""
    args = ("--output", str(tmp_path), "--snapshot", "2026-11-01", "--against", "2026-12-01")
    via_script = pedigree("diff", *args)
    via_module = subprocess.run(
        [sys.executable, "-m", "jobs.diff", *args], capture_output=True, text=True, check=False
    )
    assert via_script.returncode == via_module.returncode == 2
    assert via_script.stderr == via_module.stderr
    assert "--against 2026-12-01 must be older than --snapshot 2026-11-01" in via_script.stderr


@pytest.mark.spark
def test_a_stage_prints_only_its_start_end_lines_and_no_spark_warnings(tmp_path: Path) -> None:
    """Run from another folder with stderr not a terminal (as under cron): no progress bar,
    no Spark WARN/INFO line, the UI address once, the stage's summary line, nothing on stdout.
    --verbose brings pedigree's progress lines and Spark's warnings back."""
    cards = tmp_path / "cards.jsonl"
    rows = [
        {"modelId": f"org/m{i}", "card": f"---\nlicense: mit\n---\n# m{i}\n", "tags": []}
        for i in range(20)
    ]
    cards.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    args = ("--input", str(cards), "--format", "card-dataset", "--output", str(tmp_path / "out"))
    quiet = pedigree("ingest", *args, "--snapshot", "2026-11-01", cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert quiet.stdout == ""
    lines = [line for line in quiet.stderr.splitlines() if line != JVM_NOTICE]
    assert len(lines) == 2, quiet.stderr
    assert re.fullmatch(r"\S+ \S+ INFO pedigree\.spark: Spark UI at http://\S+:\d+", lines[0])
    assert re.fullmatch(
        r"\S+ \S+ INFO pedigree\.ingest: ingest 2026-11-01 \(jsonl\): rows_in=20 models=20 "
        r"rejects=0 .* in \d+\.\ds",
        lines[1],
    ), lines[1]
    assert "[Stage" not in quiet.stderr

    verbose = pedigree("ingest", *args, "--snapshot", "2026-11-02", "--verbose", cwd=tmp_path)
    assert verbose.returncode == 0, verbose.stderr[-2000:]
    assert " WARN " in verbose.stderr  # Spark's own warnings are back
