"""The docstring examples in udfs/ are part of the spec: they must stay true."""

import doctest

import pytest

from udfs import (
    cards,
    drift,
    inferred,
    minhash,
    model_row,
    normalize,
    parents,
    sources,
    tree_layout,
)


@pytest.mark.parametrize(
    "module",
    [cards, normalize, parents, model_row, sources, minhash, drift, tree_layout, inferred],
    ids=lambda m: m.__name__,
)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
