"""Docstring examples outside udfs/ (no Spark needed to run them) must stay true too."""

import doctest

import pytest

from jobs import cli, figures, lookup, report_family, report_html, report_sections, schemas
from scripts import bench_pipeline, fetch_hub


@pytest.mark.parametrize(
    "module",
    [
        cli,
        lookup,
        fetch_hub,
        bench_pipeline,
        figures,
        report_family,
        report_html,
        report_sections,
        schemas,
    ],
    ids=lambda m: m.__name__,
)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
