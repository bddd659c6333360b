"""The pipeline benchmark refuses to run without its reference rather than leave it out."""

from __future__ import annotations

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
