"""Walking a large (N, C) matrix in row blocks, spread over a few threads.

Each block is a few hundred kilobytes, so it stays in cache while several reductions read it,
and every temporary is block-sized: the extra memory is O(block), whatever N. NumPy releases the
GIL inside its loops, so blocks run in parallel on separate cores.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["BLOCK_ELEMENTS", "map_row_blocks", "row_blocks"]

# 2**18 float32 = 1 MiB: inside a core's L2 (2 MiB here), and big enough that the Python work
# per block (a few dozen NumPy calls) is small beside the arithmetic.
BLOCK_ELEMENTS = 1 << 18
# Below this many elements in all, one thread is faster than handing blocks out.
_PARALLEL_MIN_ELEMENTS = 1 << 21
_pool: ThreadPoolExecutor | None = None
T = TypeVar("T")


def _workers() -> int:
    # The same variable xentcore's kernel reads, so one setting caps both.
    env = os.environ.get("XENT_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(os.cpu_count() or 1, 8))


def row_blocks(num_rows: int, num_cols: int, block_elements: int = BLOCK_ELEMENTS) -> list[slice]:
    """Slices of consecutive rows, each about `block_elements` elements (at least one row).

    >>> row_blocks(5, 4, block_elements=8)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    rows = max(1, block_elements // max(1, num_cols))
    return [slice(start, min(start + rows, num_rows)) for start in range(0, num_rows, rows)]


def map_row_blocks(
    work: Callable[[slice], T], num_rows: int, num_cols: int, block_elements: int = BLOCK_ELEMENTS
) -> list[T]:
    """work(rows) for every row block, in order; in parallel when the matrix is large."""
    global _pool
    blocks = row_blocks(num_rows, num_cols, block_elements)
    if num_rows * num_cols < _PARALLEL_MIN_ELEMENTS or len(blocks) < 2 or _workers() == 1:
        return [work(rows) for rows in blocks]
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="xent-model")
    return list(_pool.map(work, blocks))
