"""The lean path of cross_entropy (xentcore._common_call) against PyTorch, and its hand-over.

Its three ways — Python floats for tiny inputs, exp(x) as it is, and rows shifted by their
target's logit — and the rows it recomputes the general way are each reached on purpose here;
every call is also drawn with the options that send it to the general path instead, so the
choice between the paths is tested with the paths.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch.nn.functional as F
from core_helpers import PROPERTY_SETTINGS, assert_matches_torch, to_torch
from hypothesis import given
from hypothesis import strategies as st

import xentcore as xc
from xentcore import _common_call
from xentcore._pool import parallel_map

INF, NAN = np.inf, np.nan

# Values that each way must survive: exp's range edges (float32 overflows past 88.7 and goes
# subnormal below −87.3), the ±1e6 an editor accepts, ties, and the non-finite.
EDGE_VALUES = [0.0, 1.0, -1.0, 30.0, -86.0, -88.0, 89.0, -200.0, 1e6, -1e6, INF, -INF, NAN]


@st.composite
def common_calls(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int, str]:
    """(N, C) logits with edge values sprinkled in, class indices, ignore_index, reduction."""
    n, c = draw(st.integers(1, 40)), draw(st.integers(1, 12))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([0.1, 1.0, 10.0, 100.0]))
    shift = draw(st.sampled_from([0.0, -95.0, 1e4]))  # −95: below exp's normal range
    logits = rng.standard_normal((n, c)) * scale + shift
    if draw(st.booleans()):
        logits = np.round(logits)  # ties
    edges = draw(st.lists(st.sampled_from(EDGE_VALUES), max_size=4))
    for value in edges:
        logits[rng.integers(n), rng.integers(c)] = value
    target = rng.integers(0, c, n)
    ignore_index = draw(st.sampled_from([-100, 0, c]))  # 0 may hit targets: the general path
    return (
        logits.astype(dtype),
        target,
        ignore_index,
        draw(st.sampled_from(["none", "mean", "sum"])),
    )


def assert_as_torch(logits, target, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither path may warn (overflow in exp and the like)
        ours = xc.cross_entropy(logits, target, **kwargs)
    theirs = F.cross_entropy(to_torch(logits), to_torch(target), **_torch_kwargs(kwargs))
    assert_matches_torch(ours, theirs)


def _torch_kwargs(kwargs: dict) -> dict:
    weight = kwargs.get("weight")
    return {**kwargs, "weight": None if weight is None else to_torch(weight)}


@PROPERTY_SETTINGS
@given(common_calls())
def test_every_common_call_matches_torch(call):
    logits, target, ignore_index, reduction = call
    assert_as_torch(logits, target, ignore_index=ignore_index, reduction=reduction)


@PROPERTY_SETTINGS
@given(common_calls(), st.data())
def test_the_options_that_leave_the_lean_path_still_match_torch(call, data):
    logits, target, ignore_index, reduction = call
    c = logits.shape[1]
    option = data.draw(st.sampled_from(["weight", "label_smoothing", "probabilities"]))
    kwargs = {"ignore_index": ignore_index, "reduction": reduction}
    finite = np.nan_to_num(logits, nan=0.0, posinf=50.0, neginf=-50.0)
    if option == "weight":
        kwargs["weight"] = np.linspace(0.5, 2.0, c).astype(logits.dtype)
    elif option == "label_smoothing":
        kwargs["label_smoothing"] = data.draw(st.floats(0.0, 1.0))
    else:
        target = xc.softmax(np.arange(logits.size, dtype=logits.dtype).reshape(logits.shape) % 3)
        kwargs["ignore_index"] = -100
    assert_as_torch(finite, target, **kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("shape", "shift"),
    [((2, 3), 0.0), ((300, 10), 0.0), ((300, 10), -1000.0), ((3_000, 100), 0.0)],
    ids=["tiny-in-python-floats", "exp-as-it-is", "shifted-by-the-target", "over-threads"],
)
def test_each_way_matches_torch(shape, shift, dtype):
    rng = np.random.default_rng(0)
    logits = (rng.standard_normal(shape) * 5 + shift).astype(dtype)
    target = rng.integers(0, shape[1], shape[0])
    for reduction in ("none", "mean", "sum"):
        assert_as_torch(logits, target, reduction=reduction)


def test_the_ways_are_reached_as_described():
    assert _common_call.SCALAR_MAX_ELEMENTS >= 6  # 2 × 3 is computed in Python floats
    assert _common_call.SCALAR_MAX_ELEMENTS < 300 * 10
    assert _common_call.PARALLEL_MIN_ELEMENTS <= 3_000 * 100


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [2, 300], ids=["python-floats", "numpy"])
def test_rows_beyond_exp_are_recomputed_with_torchs_nan_and_inf(n, dtype):
    """A target far below another class, NaN, +inf, −inf at the target, a row of −inf."""
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((n, 4)).astype(dtype)
    target = rng.integers(0, 4, n)
    rows = [
        ([1e6, -1e6, 0.0, 3.0], 1),
        ([NAN, 1.0, 2.0, 3.0], 0),
        ([INF, 1.0, 2.0, 3.0], 2),
        ([-INF, 1.0, 2.0, 3.0], 0),
        ([-INF, -INF, -INF, -INF], 3),
        ([-INF, 1.0, 2.0, 3.0], 3),
    ]
    for i, (row, t) in enumerate(rows[:n]):
        logits[i], target[i] = row, t
    assert_as_torch(logits, target, reduction="none")


@pytest.mark.parametrize("n", [2, 300])
def test_targets_out_of_range_raise_the_general_paths_message(n):
    logits = np.zeros((n, 3), np.float32)
    target = np.zeros(n, np.int64)
    target[-1] = 3
    with pytest.raises(IndexError, match=r"^target 3 at index \(\d+,\) is out of range"):
        xc.cross_entropy(logits, target)


@pytest.mark.parametrize("target_dtype", [np.int8, np.uint8, np.int32, np.uint64])
def test_any_integer_target_dtype_is_read(target_dtype):
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((100, 5)).astype(np.float32)
    target = rng.integers(0, 5, 100).astype(target_dtype)
    ours = xc.cross_entropy(logits, target, reduction="none")
    theirs = F.cross_entropy(to_torch(logits), to_torch(target.astype(np.int64)), reduction="none")
    assert_matches_torch(ours, theirs)


def test_non_contiguous_and_subclassed_inputs_take_the_general_path_and_agree():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((50, 8))
    target = rng.integers(0, 8, 50)
    expected = xc.cross_entropy(np.ascontiguousarray(logits[:, ::2]), target // 2)
    assert xc.cross_entropy(logits[:, ::2], target // 2) == pytest.approx(expected, rel=1e-12)
    assert xc.cross_entropy(logits.tolist(), target.tolist()) == pytest.approx(
        xc.cross_entropy(logits, target), rel=1e-12
    )


def test_parallel_map_keeps_order_and_stops_at_the_first_error():
    items = list(range(64))
    assert parallel_map(lambda i: i * i, items, 1, min_size=0) == [i * i for i in items]
    done = []

    def work(i: int) -> int:
        if i == 3:
            raise RuntimeError("stop")
        done.append(i)
        return i

    with pytest.raises(RuntimeError, match="stop"):
        parallel_map(work, items, 1, min_size=0)
    assert len(done) < len(items) - 1  # the items not yet taken were never started


@pytest.mark.parametrize("n", [1, 200])  # the scalar way, then the vector way
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_near_certain_sample_loses_the_digits_torch_loses(n, dtype):
    # float32: the sum of exponentials 1 + 1.7e-7 rounds to 1 + 2⁻²³ before its log, so PyTorch
    # prints 1.1921e-07 (the seed documents' number), not the exact 1.6917e-07.
    x = np.tile(np.array([[0.0, 15.6]], dtype=dtype), (n, 1))
    target = np.ones(n, dtype=np.int64)
    ours = xc.cross_entropy(x, target, reduction="none")
    theirs = F.cross_entropy(to_torch(x), to_torch(target), reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)  # a float32 log may differ by an ulp
