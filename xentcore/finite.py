"""Locating non-finite cells, so that a user interface can point at them."""

from __future__ import annotations

import numpy as np

__all__ = ["nonfinite_cells"]


def nonfinite_cells(x: object) -> list[tuple[tuple[int, ...], float]]:
    """Return (index, value) for every NaN, +inf or −inf in `x`, in row-major order.

    >>> nonfinite_cells([[1.0, float("nan")], [float("inf"), 2.0]])
    [((0, 1), nan), ((1, 0), inf)]
    """
    arr = np.asarray(x, dtype=float)
    return [
        (tuple(int(i) for i in idx), float(arr[tuple(idx)]))
        for idx in np.argwhere(~np.isfinite(arr))
    ]
