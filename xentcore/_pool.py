"""The one thread pool of xent, and the row blocks it walks an (N, C) matrix in.

NumPy releases the GIL inside its loops, so blocks of a large array run in parallel on separate
cores. Everything that spreads work over threads — the cross-entropy kernel, `analyse_scores` —
goes through `parallel_map`, so a server process holds one pool, sized by XENT_NUM_THREADS (or
the number of CPUs, at most 8). Internal: the app uses it only through xentcore's functions.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

__all__ = [
    "BLOCK_ELEMENTS",
    "PARALLEL_MIN_ELEMENTS",
    "map_row_blocks",
    "num_threads",
    "parallel_map",
    "row_blocks",
]

# Elements per block temporary: 256 Ki float32 = 1 MiB, inside a core's L2 (2 MiB here), and big
# enough that the Python work per block (a few dozen NumPy calls) is small beside the arithmetic.
BLOCK_ELEMENTS = 1 << 18
# Below this many elements in all, a thread hand-off costs more than it saves.
PARALLEL_MIN_ELEMENTS = 1 << 20
T = TypeVar("T")
Item = TypeVar("Item")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
# Set inside the pool's threads: work submitted from a worker runs inline, never waits on the
# pool it occupies (which could deadlock once every worker waited so).
_inside = threading.local()


def num_threads() -> int:
    """XENT_NUM_THREADS when set to a positive integer, else the CPUs, at most 8."""
    env = os.environ.get("XENT_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(os.cpu_count() or 1, 8))


def _mark_worker() -> None:
    _inside.worker = True


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=num_threads(), thread_name_prefix="xent", initializer=_mark_worker
            )
        return _executor


def parallel_map(
    work: Callable[[Item], T],
    items: Sequence[Item],
    size: int,
    min_size: int = PARALLEL_MIN_ELEMENTS,
) -> list[T]:
    """[work(item) for item in items], over the pool's threads when `size` is worth it.

    Worth it means at least `min_size` elements in all, two items and two threads. Then the
    calling thread and (threads − 1) of the pool's take the items one at a time, in order, each
    the next one not yet taken: a thread that the machine does not schedule holds up no share of
    the work (a fixed split would wait for it), and the caller never sits idle waiting for the
    pool. Results come back in the order of `items`. An exception in `work` stops the others
    before their next item and is raised once they have finished the one they hold.
    """
    if size < min_size or len(items) < 2 or getattr(_inside, "worker", False):
        return [work(item) for item in items]
    threads = num_threads()  # reads the environment: only once the work is worth threads
    if threads == 1:
        return [work(item) for item in items]
    results: list = [None] * len(items)
    claims = itertools.count()  # next() on it is atomic under the GIL
    failed = threading.Event()

    def drain() -> None:
        while not failed.is_set():
            index = next(claims)
            if index >= len(items):
                return
            try:
                results[index] = work(items[index])
            except BaseException:
                failed.set()
                raise

    helpers = [_pool().submit(drain) for _ in range(min(threads, len(items)) - 1)]
    try:
        drain()
    finally:
        for helper in helpers:
            if not helper.cancel():  # still queued behind other callers' work: not needed now
                helper.result()
    return results


def row_blocks(num_rows: int, num_cols: int, block_elements: int = BLOCK_ELEMENTS) -> list[slice]:
    """Slices of consecutive rows, each about `block_elements` elements (at least one row).

    >>> row_blocks(5, 4, block_elements=8)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    rows = max(1, block_elements // max(1, num_cols))
    return [slice(start, min(start + rows, num_rows)) for start in range(0, num_rows, rows)]


def map_row_blocks(work: Callable[[slice], T], x: np.ndarray) -> list[T]:
    """[work(rows) for rows in row_blocks(*x.shape)], over the pool's threads (`parallel_map`)."""
    return parallel_map(work, row_blocks(*x.shape), x.size)
