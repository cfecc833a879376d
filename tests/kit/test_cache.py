"""The Learn part 2 memo: results keyed by the content of their arguments, never by identity."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pytest

from xentui.kit.cache import fingerprint, memoised


@dataclass(frozen=True, eq=False)  # like the pages' result objects: no __eq__ of their own
class Box:
    values: np.ndarray
    label: str


def test_equal_contents_share_a_result_and_different_ones_do_not():
    calls = []

    @memoised(maxsize=4)
    def total(box: Box, scale: float = 1.0) -> float:
        calls.append(box.label)
        return float(box.values.sum() * scale)

    a = Box(np.array([1.0, 2.0]), "a")
    assert total(a) == 3.0
    assert total(Box(np.array([1.0, 2.0]), "a")) == 3.0  # a new object, the same numbers
    assert calls == ["a"]
    assert total(Box(np.array([1.0, 2.5]), "a")) == 3.5
    assert total(a, scale=2.0) == 6.0
    assert total(Box(np.array([1.0, 2.0], dtype=np.float32), "a")) == 3.0  # dtype counts
    assert len(calls) == 4


def test_the_oldest_result_is_dropped_beyond_maxsize():
    calls = []

    @memoised(maxsize=2)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    for x in (1, 2, 1, 3, 1, 2):
        square(x)
    assert calls == [1, 2, 3, 2]  # 2 was the least recently used when 3 arrived


def test_fingerprints_tell_types_and_refuse_unhashable_values():
    assert fingerprint([1, 2]) != fingerprint((1, 2))
    assert fingerprint(np.float32(1.5)) != fingerprint(np.float64(1.5))
    assert fingerprint({"b": 1, "a": [np.zeros(2)]}) == fingerprint({"a": [np.zeros(2)], "b": 1})
    with pytest.raises(TypeError):
        fingerprint({1, 2})


def test_concurrent_callers_all_get_the_answer():
    @memoised()
    def slow_double(x: int) -> int:
        return 2 * x

    results = []
    threads = [
        threading.Thread(target=lambda k=k: results.append(slow_double(k % 3))) for k in range(30)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted(2 * (k % 3) for k in range(30))
