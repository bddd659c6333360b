"""The pipeline benchmark refuses to run without its reference rather than leave it out."""

from __future__ import annotations

import json

import pytest

from scripts import bench_pipeline


def test_a_missing_reference_stops_the_benchmark_before_it_runs(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(bench_pipeline, "REFERENCE", tmp_path / "reference.py")
    monkeypatch.setattr(bench_pipeline, "card_dump", pytest.fail)  # nothing may be prepared
    monkeypatch.setattr(
        "sys.argv", ["bench_pipeline", "--inputs", "generated", "--sizes", "200000"]
    )
    with pytest.raises(SystemExit, match=r"reference script .*reference\.py is missing"):
        bench_pipeline.main()


def test_sizes_above_the_reference_limit_need_no_reference(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(bench_pipeline, "REFERENCE", tmp_path / "reference.py")

    def prepared(*_args: object) -> None:
        raise RuntimeError("reached the first size")

    monkeypatch.setattr(bench_pipeline, "card_dump", prepared)
    monkeypatch.setattr(
        "sys.argv",
        ["bench_pipeline", "--inputs", "generated", "--sizes", "2000000", "--reference-max", "10"],
    )
    with pytest.raises(RuntimeError, match="reached the first size"):
        bench_pipeline.main()


def test_speedup_only_times_ingest_per_task_slot_and_per_core(monkeypatch, tmp_path) -> None:
    """local[1] free, local[1] pinned to one CPU, local[2]: the two ratios come from the
    medians of each, and only the pinned runs are confined to a core."""
    seconds = {("local[1]", None): 130.0, ("local[1]", (0,)): 180.0, ("local[2]", None): 100.0}
    calls: list[tuple[str, tuple[int, ...] | None]] = []

    def measured(command: list[str], cores: list[int] | None = None) -> dict[str, float]:
        master = command[command.index("--set") + 1].removeprefix("spark.master=")
        key = (master, None if cores is None else tuple(cores))
        calls.append(key)
        return {"seconds": seconds[key] + len(calls) % 2, "cpu_seconds": 150.0}

    monkeypatch.setattr(bench_pipeline, "run_measured", measured)
    monkeypatch.setattr(bench_pipeline, "card_dump", lambda *_args: tmp_path)
    output = tmp_path / "speedup.json"
    argv = ["bench_pipeline", "--inputs", "generated", "--speedup-only", "--runs", "2"]
    monkeypatch.setattr("sys.argv", [*argv, "--output", str(output)])
    assert bench_pipeline.main() == 0
    assert set(calls) == set(seconds) and len(calls) == 6
    speedup = json.loads(output.read_text())["results"][0]["ingest_speedup"]
    assert speedup["median_seconds"] == {
        "local[1]": 130.5,
        "local[1], one core": 180.5,
        "local[2]": 100.5,
    }
    assert speedup["speedup"] == round(130.5 / 100.5, 2)
    assert speedup["speedup_one_core_to_two"] == round(180.5 / 100.5, 2)


def _task_end(stage: int, launched: int, finished: int) -> dict:
    metrics = {
        "Executor Run Time": finished - launched,
        "Executor CPU Time": 0,
        "JVM GC Time": 0,
        "Shuffle Read Metrics": {"Fetch Wait Time": 0},
        "Shuffle Write Metrics": {"Shuffle Write Time": 0, "Shuffle Bytes Written": 0},
        "Input Metrics": {"Bytes Read": 0},
        "Output Metrics": {"Bytes Written": 0},
        "Disk Bytes Spilled": 0,
    }
    return {
        "Event": "SparkListenerTaskEnd",
        "Stage ID": stage,
        "Task Info": {"Launch Time": launched, "Finish Time": finished},
        "Task Metrics": metrics,
    }


def test_no_task_seconds_are_a_stages_wall_time_outside_every_task(tmp_path) -> None:
    """Two jobs of one stage, 1.0 s apart: the driver's gap, the job's first second before
    any task and the overlap of two tasks are all counted once."""
    group = {"spark.jobGroup.id": "lineage"}
    events = [
        {
            "Event": "SparkListenerJobStart",
            "Job ID": 0,
            "Submission Time": 1_000,
            "Stage IDs": [0],
            "Properties": group,
        },
        _task_end(0, 2_000, 3_000),
        _task_end(0, 2_500, 3_500),  # overlaps the first: 1.5 s of tasks in all
        {"Event": "SparkListenerJobEnd", "Job ID": 0, "Completion Time": 3_500},
        {
            "Event": "SparkListenerJobStart",
            "Job ID": 1,
            "Submission Time": 4_500,
            "Stage IDs": [1],
            "Properties": group,
        },
        _task_end(1, 4_500, 6_000),
        {"Event": "SparkListenerJobEnd", "Job ID": 1, "Completion Time": 6_000},
    ]
    log = tmp_path / "events"
    log.write_text("\n".join(json.dumps(e) for e in events), encoding="utf-8")
    lineage = bench_pipeline.task_time_by_stage(log)["lineage"]
    assert lineage["n_tasks"] == 3 and lineage["task_s"] == 3.5
    # 5.0 s from the first submission to the last end, 3.0 s of it with a task running
    assert lineage["no_task_s"] == 2.0
