"""Deterministic draws and small helpers shared by every part of the generator.

Imitates nothing on the Hub: splitmix64 hashing for per-node rendering choices, inverse-CDF
draws, counts of rare things that stay at least one in small samples, and word tables
written as one string. Everything random comes from the one Generator `generate` seeds, which
is what makes the same seed give the same bytes. No DESIGN.md reference value applies.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[Any]


def _words(text: str) -> tuple[str, ...]:
    """Word lists written as one string: long tables stay readable."""
    return tuple(text.split())


def _mix(x: Arr, salt: int) -> Arr:
    """splitmix64 hash: per-node pseudo-random bits for rendering choices, no RNG state."""
    z = x.astype(np.uint64) + np.uint64((0x9E3779B97F4A7C15 * (salt + 1)) & (2**64 - 1))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _cum(probs: Any) -> Arr:
    """Cumulative distribution(s) along the last axis, last column exactly 1."""
    p = np.asarray(probs, dtype=np.float64)
    c = np.cumsum(p / p.sum(axis=-1, keepdims=True), axis=-1)
    c[..., -1] = 1.0
    return c


def _draw(cum: Arr, u: Arr) -> Arr:
    """Inverse-CDF draw: cum is one distribution (1-D) or one per row (2-D)."""
    if cum.ndim == 1:
        return np.searchsorted(cum, u, side="right").astype(np.int64)
    return (u[:, None] >= cum).sum(axis=1).astype(np.int64)


def _count(x: float, least: int = 1) -> int:
    """How many of a rare thing: at least one, so small samples still contain it."""
    return max(least, round(x))
