"""Benchmark the whole pipeline against the single-process reference, side by side.

For every `--inputs` kind and `--sizes` value, `--runs` times, alternating, in fresh
processes: `jobs.pipeline` (ingest -> lineage -> similarity, drift, audit -> report) in
`--master`, and `../shared/bench/reference.py` (pyarrow + libyaml + datasketch + networkx,
run as it is) on the same card-dump Parquet. Wall time, peak RSS of each process tree, and
pedigree's per-stage seconds (from its log) are written to `--output` as JSON, with
medians and the ratio reference / pedigree for what both do: read and parse every card,
MinHash every card, components and depth. That is the reference's own read + parse +
graph + minhash seconds against pedigree's ingest + lineage stage seconds (signatures are
computed in ingest's one pass over the cards); neither side counts its start-up (Python
imports; JVM and SparkSession), the whole-process wall times are recorded beside them.

Inputs:
  * `generated`: the deterministic generator's card dump (`scripts/generate_sample.py`).
  * `real`: the 5,000 real 2022 cards of `../shared/data/` replicated to the size, copy k
    of a model suffixed `-r<k>` (copy 0 keeps the real id), in the same card-dump layout.
    Real cards are longer, more templated and more duplicated than generated ones. Parents
    named in a card stay unsuffixed, so every copy's edge points at copy 0's parent (the
    2022 slice declares almost none).

    python -m scripts.bench_pipeline --inputs generated real --sizes 200000 --runs 3 \\
        --output bench/pipeline.json

The reference keeps every parsed card and signature in one process; `--reference-max`
(default 1,000,000 models) is the largest size it is run at, and larger sizes record
that fact instead of a time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from scripts.bench_common import ingest_command, machine, run_measured, write_report
from scripts.bench_ingest import ensure_sample
from udfs.minhash import Sketcher
from udfs.model_row import parse_model_card
from udfs.sources import raw_from_record

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "bench" / "reference.py"
REAL_CARDS = SHARED / "data" / "hub-2022-sample.jsonl.gz"
SNAPSHOT = "2026-11-01"
SHARD_ROWS = 100_000
CARD_DUMP_SCHEMA = pa.schema(
    [
        ("modelId", pa.string()),
        ("author", pa.string()),
        ("last_modified", pa.string()),
        ("downloads", pa.int64()),
        ("likes", pa.int64()),
        ("library_name", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("pipeline_tag", pa.string()),
        ("createdAt", pa.string()),
        ("card", pa.string()),
    ]
)
# `<stage>: key=n ... in 12.3s`, the line each stage logs when it ends.
STAGE_LINE = re.compile(r"pedigree\.\w+: (\w+): .* in ([\d.]+)s$")


def replicated_real_cards(n_models: int, folder: Path) -> Path:
    """The real 2022 cards repeated to `n_models` rows, ids suffixed per copy (cached)."""
    target = folder / "card-dataset"
    done = folder / "_DONE"
    if done.is_file():
        return target
    with gzip.open(REAL_CARDS, "rt", encoding="utf-8") as handle:
        real = [json.loads(line) for line in handle]
    table = pa.Table.from_pylist(real, schema=CARD_DUMP_SCHEMA)
    target.mkdir(parents=True, exist_ok=True)
    ids = table.column("modelId").to_pylist()
    written, shard = 0, 0
    while written < n_models:
        rows: list[pa.Table] = []
        in_shard = 0
        while in_shard < SHARD_ROWS and written < n_models:
            copy, offset = divmod(written, len(real))
            take = min(len(real) - offset, SHARD_ROWS - in_shard, n_models - written)
            part = table.slice(offset, take)
            if copy:
                suffixed = [f"{i}-r{copy}" for i in ids[offset : offset + take]]
                part = part.set_column(0, "modelId", pa.array(suffixed, pa.string()))
            rows.append(part)
            in_shard += take
            written += take
        pq.write_table(pa.concat_tables(rows), target / f"part-{shard:05d}.parquet")
        shard += 1
    done.touch()
    return target


def card_dump(kind: str, size: int, samples: Path, seed: int) -> Path:
    if kind == "real":
        return replicated_real_cards(size, samples / f"real-{size}")
    return ensure_sample(size, seed, samples / f"{size}-{seed}") / "card-dataset"


def stage_seconds(log_text: str) -> dict[str, float]:
    """Seconds per stage from the pipeline's `<stage>: ... in Ns` lines."""
    return {
        m.group(1): float(m.group(2))
        for line in log_text.splitlines()
        if (m := STAGE_LINE.search(line))
    }


def event_log_defaults(folder: Path) -> Path:
    """The local spark-defaults plus an uncompressed event log in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    defaults = (REPO / "conf" / "spark-defaults.local.conf").read_text(encoding="utf-8")
    extra = f"spark.eventLog.enabled true\nspark.eventLog.dir {folder.as_uri()}\n"
    path = folder / "spark-defaults.conf"
    plain = "spark.eventLog.compress false\nspark.eventLog.rolling.enabled false\n"
    path.write_text(defaults + extra + plain, encoding="utf-8")
    return path


def covered_ms(intervals: list[tuple[int, int]]) -> int:
    """Milliseconds covered by the union of (start, end) intervals.

    >>> covered_ms([(0, 10), (5, 20), (30, 40)])
    30
    """
    covered, reach = 0, None
    for start, end in sorted(intervals):
        if reach is None or start > reach:
            covered += end - start
            reach = end
        elif end > reach:
            covered += end - reach
            reach = end
    return covered


def task_time_by_stage(event_log: Path) -> dict[str, dict[str, float]]:
    """Summed task metrics of each pedigree stage (its Spark job group, set by
    jobs.pipeline): where the executors' time went, and the bytes each step moved.

    `no_task_s` is the stage's wall time, from its first job's submission to its last
    job's end, in which none of its tasks ran: the driver planning queries, building
    broadcasts and waiting between jobs, a cost per query rather than per row."""
    stage_group: dict[int, str] = {}
    job_group: dict[int, str] = {}
    totals: dict[str, dict[str, float]] = {}
    spans: dict[str, list[int]] = {}
    running: dict[str, list[tuple[int, int]]] = {}
    for line in event_log.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        kind = event.get("Event")
        if kind == "SparkListenerJobStart":
            group = (event.get("Properties") or {}).get("spark.jobGroup.id") or "none"
            job_group[event["Job ID"]] = group
            spans.setdefault(group, []).append(event["Submission Time"])
            for stage_id in event["Stage IDs"]:
                stage_group[stage_id] = group
        elif kind == "SparkListenerJobEnd":
            spans.setdefault(job_group.get(event["Job ID"], "none"), []).append(
                event["Completion Time"]
            )
        elif kind == "SparkListenerTaskEnd" and event.get("Task Metrics"):
            m = event["Task Metrics"]
            group = stage_group.get(event["Stage ID"], "none")
            row = totals.setdefault(group, {})
            task = event["Task Info"]
            running.setdefault(group, []).append((task["Launch Time"], task["Finish Time"]))
            shuffle_read, shuffle_write = m["Shuffle Read Metrics"], m["Shuffle Write Metrics"]
            for key, value in (
                ("n_tasks", 1),
                ("task_s", m["Executor Run Time"] / 1e3),
                ("task_cpu_s", m["Executor CPU Time"] / 1e9),
                ("gc_s", m["JVM GC Time"] / 1e3),
                ("shuffle_write_s", shuffle_write["Shuffle Write Time"] / 1e9),
                ("shuffle_fetch_wait_s", shuffle_read["Fetch Wait Time"] / 1e3),
                ("read_mib", m["Input Metrics"]["Bytes Read"] / 2**20),
                ("written_mib", m["Output Metrics"]["Bytes Written"] / 2**20),
                ("shuffled_mib", shuffle_write["Shuffle Bytes Written"] / 2**20),
                ("spilled_mib", m["Disk Bytes Spilled"] / 2**20),
            ):
                row[key] = row.get(key, 0.0) + value
    for group, row in totals.items():
        if group in spans:
            wall_ms = max(spans[group]) - min(spans[group])
            row["no_task_s"] = (wall_ms - covered_ms(running[group])) / 1e3
    return {group: {k: round(v, 1) for k, v in row.items()} for group, row in totals.items()}


def run_pipeline(card_dataset: Path, master: str) -> dict[str, Any]:
    """One fresh `jobs.pipeline` process: wall, peak RSS, per-stage seconds from its log
    and per-stage task metrics from its Spark event log."""
    with tempfile.TemporaryDirectory(prefix="pedigree-bench-") as out:
        log_path = Path(out) / "pipeline.log"
        events = Path(out) / "events"
        command = [
            sys.executable,
            *("-m", "jobs.pipeline", "--input", str(card_dataset)),
            *("--format", "card-dataset", "--output", f"{out}/tables"),
            *("--snapshot", SNAPSHOT, "--set", f"spark.master={master}"),
            *("--set", f"spark.defaults_file={event_log_defaults(events)}"),
        ]
        measured = run_measured(command, log_path=log_path)
        stages = stage_seconds(log_path.read_text(encoding="utf-8"))
        logs = [p for p in events.iterdir() if p.name != "spark-defaults.conf"]
        tasks = task_time_by_stage(logs[0])
    return {
        "seconds": measured["seconds"],
        "cpu_seconds": measured["cpu_seconds"],
        "jit_cpu_seconds": measured["jit_cpu_seconds"],
        "peak_rss_mib": measured["peak_rss_mib"],
        "peak_pss_mib": measured["peak_pss_mib"],
        "peak_pss_at_s": measured["peak_pss_at_s"],
        "peak_pss_by_program_mib": measured["peak_pss_by_program_mib"],
        **stages,
        "tasks": tasks,
    }


def run_reference(card_dataset: Path) -> dict[str, Any]:
    """One fresh reference process; wall, peak RSS and its own per-step seconds."""
    with tempfile.TemporaryDirectory(prefix="pedigree-ref-") as out:
        log_path = Path(out) / "stdout"
        measured = run_measured(
            [sys.executable, str(REFERENCE), str(card_dataset)], log_path=log_path, stdout=True
        )
        printed = json.loads(log_path.read_text(encoding="utf-8").strip().splitlines()[-1])
    steps = {f"ref_{k}": v for k, v in printed["seconds"].items()}
    return {
        "seconds": measured["seconds"],
        "cpu_seconds": measured["cpu_seconds"],
        "peak_rss_mib": measured["peak_rss_mib"],
        "peak_pss_mib": measured["peak_pss_mib"],
        **steps,
    }


def per_card_milliseconds(card_dataset: Path, n_cards: int = 5000) -> dict[str, float]:
    """What ingest's Python does per card, one process, one core: the parse (YAML, traits,
    card facts, the lowered body) and the batch sketch of the lowered bodies (signature and
    template score), on the first cards."""
    shard = sorted(card_dataset.glob("*.parquet"))[0]
    rows = pq.read_table(shard).slice(0, n_cards).to_pylist()
    bodies = []
    started = time.perf_counter()
    for row in rows:
        _, _, card = parse_model_card(raw_from_record(row), score_template=False)
        bodies.append(card.lowered_body if card is not None else "")
    parsed = time.perf_counter() - started
    sketcher = Sketcher()
    started = time.perf_counter()
    for start in range(0, len(bodies), 2000):
        sketcher.sketch_bodies(bodies[start : start + 2000])
    sketched = time.perf_counter() - started
    return {
        "cards": len(rows),
        "parse_ms": round(1e3 * parsed / len(rows), 3),
        "sketch_ms": round(1e3 * sketched / len(rows), 3),
    }


INGEST_SPEEDUP_RUNS = {
    "local[1]": ("local[1]", None),
    "local[1], one core": ("local[1]", [0]),
    "local[2]": ("local[2]", None),
}


def ingest_speedup(card_dataset: Path, runs: int) -> dict[str, Any]:
    """Ingest (parse + signatures) in local[1], in local[1] pinned to one core, and in
    local[2], alternating fresh processes: wall and CPU seconds of each.

    Two speed-ups: task slots (local[1] / local[2], both free to use the machine's cores;
    one task's JVM and Python worker already overlap on two) and cores (local[1] on one
    core / local[2] on two), what a second core buys."""
    wall: dict[str, list[float]] = {name: [] for name in INGEST_SPEEDUP_RUNS}
    cpu: dict[str, list[float]] = {name: [] for name in INGEST_SPEEDUP_RUNS}
    for _ in range(runs):
        for name, (master, cores) in INGEST_SPEEDUP_RUNS.items():
            with tempfile.TemporaryDirectory(prefix="pedigree-speedup-") as out:
                command = ingest_command(card_dataset, out, SNAPSHOT, master)
                measured = run_measured(command, cores=cores)
            wall[name].append(measured["seconds"])
            cpu[name].append(measured["cpu_seconds"])
    median = {name: statistics.median(times) for name, times in wall.items()}
    return {
        "runs_seconds": {name: [round(t, 1) for t in times] for name, times in wall.items()},
        "runs_cpu_seconds": {name: [round(t, 1) for t in times] for name, times in cpu.items()},
        "median_seconds": {name: round(t, 1) for name, t in median.items()},
        "speedup": round(median["local[1]"] / median["local[2]"], 2),
        "speedup_one_core_to_two": round(median["local[1], one core"] / median["local[2]"], 2),
    }


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of every number over the runs (nested task metrics too); all runs kept, and
    other values (the peak's split per program) listed run by run."""
    keys = sorted({k for run in runs for k in run if k != "tasks"})
    summary: dict[str, Any] = {}
    for key in keys:
        values = [run[key] for run in runs if key in run]
        numbers = all(isinstance(v, int | float) for v in values)
        summary[key] = round(statistics.median(values), 1) if numbers else values
    if any("tasks" in run for run in runs):
        groups = sorted({g for run in runs for g in run.get("tasks", {})})
        summary["tasks"] = {
            group: medians([run["tasks"][group] for run in runs if group in run.get("tasks", {})])
            for group in groups
        }
    if "seconds" in summary:
        summary["runs_seconds"] = [round(run["seconds"], 1) for run in runs]
    return summary


COMPARED_STAGES = ("ingest", "lineage")
COMPARED_REFERENCE_STEPS = ("ref_read", "ref_parse", "ref_graph", "ref_minhash")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", nargs="+", choices=("generated", "real"), default=["real"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--reference-max", type=int, default=1_000_000)
    parser.add_argument(
        "--speedup",
        action="store_true",
        help="also time ingest in local[1] and local[2] on the first input and size",
    )
    parser.add_argument(
        "--speedup-only",
        action="store_true",
        help="time only that (no pipeline, no reference)",
    )
    parser.add_argument("--samples", type=Path, default=REPO / "bench" / "samples")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "pipeline.json")
    args = parser.parse_args()
    if "real" in args.inputs and not REAL_CARDS.is_file():
        raise SystemExit(f"bench_pipeline: {REAL_CARDS} is missing; run with --inputs generated")
    if args.speedup_only:
        kind, size = args.inputs[0], args.sizes[0]
        dump = card_dump(kind, size, args.samples, args.seed)
        speedup = ingest_speedup(dump, args.runs)
        only = {"input": kind, "models": size, "ingest_speedup": speedup}
        write_report({"machine": machine(), "results": [only]}, args.output)
        return 0
    if not REFERENCE.is_file() and min(args.sizes) <= args.reference_max:
        raise SystemExit(
            f"bench_pipeline: the reference script {REFERENCE} is missing; run from a clone "
            "with ../shared beside it, or give only sizes above --reference-max"
        )

    results: list[dict[str, Any]] = []
    for kind in args.inputs:
        for size in args.sizes:
            dump = card_dump(kind, size, args.samples, args.seed)
            with_reference = size <= args.reference_max
            pedigree_runs, reference_runs = [], []
            for _ in range(args.runs):
                pedigree_runs.append(run_pipeline(dump, args.master))
                if with_reference:
                    reference_runs.append(run_reference(dump))
                print(f"{kind} {size}: {pedigree_runs[-1]}", file=sys.stderr)
            pedigree = medians(pedigree_runs)
            row: dict[str, Any] = {
                "input": kind,
                "models": size,
                "per_card_one_process": per_card_milliseconds(dump),
                "pedigree": pedigree,
            }
            compared = sum(pedigree.get(stage, 0.0) for stage in COMPARED_STAGES)
            row["pedigree_ingest_lineage_signatures_s"] = round(compared, 1)
            if with_reference:
                reference = medians(reference_runs)
                row["reference"] = reference
                compared_reference = sum(reference[step] for step in COMPARED_REFERENCE_STEPS)
                row["reference_read_parse_graph_minhash_s"] = round(compared_reference, 1)
                row["reference_over_pedigree_compared"] = round(compared_reference / compared, 2)
            else:
                row["reference"] = (
                    f"not run above {args.reference_max:,} models: it holds every parsed card "
                    "and signature in one process"
                )
            if args.speedup and not results:
                row["ingest_speedup"] = ingest_speedup(dump, args.runs)
            results.append(row)
    report = {
        "machine": machine(),
        "command": " ".join(["scripts/bench_pipeline.py", *sys.argv[1:]]),
        "master": args.master,
        "results": results,
    }
    write_report(report, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
