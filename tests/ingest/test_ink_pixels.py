"""Ruled-line pixels: a pixel is in a long run exactly when a run of set pixels that long holds it."""
from __future__ import annotations

import numpy as np
import pytest

from service.ingest.ink_pixels import long_runs


def runs_by_hand(mask: np.ndarray, length: int) -> np.ndarray:
    out = np.zeros_like(mask)
    for r, row in enumerate(mask):
        c = 0
        while c < len(row):
            if row[c]:
                end = c
                while end < len(row) and row[end]:
                    end += 1
                if end - c >= length:
                    out[r, c:end] = True
                c = end
            else:
                c += 1
    return out


@pytest.mark.parametrize("seed", range(5))
def test_long_runs_are_the_runs_at_least_that_long(seed):
    rng = np.random.default_rng(seed)
    for _ in range(200):
        mask = rng.random((int(rng.integers(0, 12)), int(rng.integers(0, 30)))) < rng.random()
        if rng.random() < 0.5:
            mask = np.ascontiguousarray(mask.T).T  # a column view, as ruled() passes one
        length = int(rng.integers(1, 12))
        found = long_runs(mask, length)
        assert found.dtype == bool and found.shape == mask.shape
        assert (found == runs_by_hand(mask, length)).all()


def test_a_run_touching_both_edges_and_rows_apart():
    mask = np.array([[1, 1, 1, 0, 1], [1, 1, 0, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)
    assert long_runs(mask, 3).tolist() == [[True, True, True, False, False], [False] * 5, [True] * 5]
