"""The Numerical stability lab's builders: softmax in three dtypes, clipping policies, the mistake.

Known values: the seed walkthrough's softmax of [1, 2, 3] (0.0900, 0.2447, 0.6652) and its clamp at
1e-20; MachineLearningMastery's 1e-15 and StackOverflow's 1e-12 (both quoted in the seed); the
PyTorch explainer's logits [20, 2, 3, 4] with target 3 (softmax 1.0000, 1.5230e-08, 4.1399e-08,
1.1254e-07; loss 16.0). scikit-learn and PyTorch are the oracles for their own clipping.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import log_loss

import xentcore
from xentui.lessons import numerical_stability as lab

CLASSES = ["cat", "dog", "pig"]


def _row(frame, dtype, form):
    return frame[(frame["dtype"] == dtype) & (frame["softmax form"] == form)].iloc[0]


NAIVE, SHIFT, LSE = lab.SOFTMAX_FORMS


def test_all_forms_agree_at_scale_one_with_the_seed_softmax():
    frame = lab.overflow_frame((1.0, 2.0, 3.0), 0, CLASSES)
    for dtype in ("float32", "float64"):
        for form in lab.SOFTMAX_FORMS:
            row = _row(frame, dtype, form)
            assert [row["cat"], row["dog"], row["pig"]] == ["0.0900", "0.2447", "0.6652"]
            assert row["loss −log p[target]"] == "2.4076"
    assert (frame["finite?"] == "✓").all()


def test_scale_100_breaks_naive_float16_and_float32_but_not_log_sum_exp():
    frame = lab.overflow_frame((100.0, 200.0, 300.0), 0, CLASSES)
    for dtype in ("float16", "float32"):
        assert _row(frame, dtype, NAIVE)["pig"] == "NaN"
        assert _row(frame, dtype, NAIVE)["Σ exp"] == "∞"  # exp(300) overflowed: ∞ / ∞ = NaN
        assert _row(frame, dtype, SHIFT)["Σ exp"] == "1.0000"
        assert _row(frame, dtype, SHIFT)["loss −log p[target]"] == "∞"  # p underflowed to 0
        assert _row(frame, dtype, LSE)["loss −log p[target]"] == "200.0000"
    assert _row(frame, "float64", NAIVE)["loss −log p[target]"] == "200.0000"


def test_scale_1000_breaks_naive_float64_too():
    frame = lab.overflow_frame((1000.0, 2000.0, 3000.0), 0, CLASSES)
    assert _row(frame, "float64", NAIVE)["finite?"] == "✗"
    assert _row(frame, "float64", LSE)["loss −log p[target]"] == "2000.0000"


def test_the_pytorch_explainers_confident_wrong_example():
    frame = lab.overflow_frame((20.0, 2.0, 3.0, 4.0), 3, ["c0", "c1", "c2", "c3"])
    row = _row(frame, "float32", LSE)
    assert [row["c0"], row["c1"], row["c2"], row["c3"]] == [
        "1.0000", "1.5230e-08", "4.1399e-08", "1.1254e-07"
    ]  # fmt: skip
    assert row["loss −log p[target]"] == "16.0000"


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_stable_forms_match_xentcore_where_nothing_overflows(dtype):
    z = np.asarray([0.5, -1.0, 2.0, 0.0], dtype=dtype)
    tol = 2e-3 if dtype == "float16" else 1e-6
    np.testing.assert_allclose(lab.max_shift_softmax(z), xentcore.softmax(z), atol=tol)
    np.testing.assert_allclose(lab.naive_softmax(z), xentcore.softmax(z), atol=tol)
    np.testing.assert_allclose(lab.log_softmax_lse(z), xentcore.log_softmax(z), atol=tol)
    assert lab.naive_softmax(z).dtype == np.dtype(dtype)  # computed in the dtype shown


def test_exp_limits():
    assert [f"{lab.exp_limit(d):.2f}" for d in lab.DTYPES] == ["11.09", "88.72", "709.78"]


def test_float16_that_cannot_hold_a_logit_reports_it():
    frame = lab.overflow_frame((1e5, 0.0), 1, ["a", "b"])
    assert _row(frame, "float16", LSE)["finite?"] == "✗"  # 1e5 is inf in float16
    assert _row(frame, "float32", LSE)["loss −log p[target]"] == "100000.0000"


# ------------------------------------------------------------------------------ clipping


def test_clipping_ceilings_are_the_seeds_and_the_libraries():
    frame = lab.clipping_frame(0.0).set_index("policy")
    ceilings = frame["ceiling (p = 0)"]
    assert ceilings["no clipping"] == "∞"
    assert ceilings["walkthrough (seed)"] == "46.0517"  # −log 1e-20
    assert ceilings["MachineLearningMastery (seed)"] == "34.5388"  # −log 1e-15
    assert ceilings["StackOverflow answer (seed)"] == "27.6310"  # −log 1e-12
    assert ceilings["scikit-learn log_loss, float32"] == "15.9424"  # −log float32 eps
    assert ceilings["PyTorch binary_cross_entropy"] == "100.0000"
    assert "1.1921e-07" in frame.loc["scikit-learn log_loss, float32", "rule"]


@pytest.mark.parametrize("p", [0.0, 1e-45, 1e-20, 1e-7, 0.1])
def test_library_policies_match_the_libraries(p):
    by_name = {c.name: c for c in lab.CLIP_POLICIES}
    y_proba = np.asarray([[1 - p, p]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns about rows that do not sum to 1 exactly
        sklearn_loss = log_loss([1], y_proba, labels=[0, 1])
    assert by_name["scikit-learn log_loss, float32"].loss(p) == pytest.approx(
        sklearn_loss, rel=1e-5
    )
    torch_loss = F.binary_cross_entropy(
        torch.tensor([p], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64)
    ).item()
    assert by_name["PyTorch binary_cross_entropy"].loss(p) == pytest.approx(torch_loss, rel=1e-9)


def test_at_a_moderate_p_the_policies_agree_except_float32():
    losses = lab.clipping_frame(1e-7)["loss at this p"].tolist()
    assert losses == ["16.1181", "16.1181", "16.1181", "16.1181", "15.9424", "16.1181"]


def test_p_choices():
    assert lab.p_value("0") == 0.0 and lab.p_value("1e-7") == 1e-7
    assert lab.P_CHOICES[-1] == "0"
    figure = lab.clipping_figure(1e-7)
    assert len(figure.data) == len(lab.CLIP_POLICIES)


# ------------------------------------------------------------------------------ the mistake


@pytest.mark.parametrize("c", [2, 3, 4, 10])
def test_mistake_bounds_are_reached(c):
    floor, ceiling = lab.mistake_bounds(c)
    best = np.zeros(c)
    best[0] = 1.0  # a one-hot "probability row" fed as logits
    t = torch.tensor([0])
    assert F.cross_entropy(torch.tensor(best)[None], t).item() == pytest.approx(floor)
    assert F.cross_entropy(torch.tensor(best[::-1].copy())[None], t).item() == pytest.approx(
        ceiling
    )


def test_mistake_losses_match_torch_double_softmax():
    z = np.asarray([100.0, 200.0, 300.0])
    right, mistaken = lab.mistake_losses(z, 0)
    zt = torch.tensor(z)[None]
    assert right == pytest.approx(F.cross_entropy(zt, torch.tensor([0])).item())
    assert mistaken == pytest.approx(
        F.cross_entropy(F.softmax(zt, dim=1), torch.tensor([0])).item()
    )
    assert f"{right:.4f}" == "200.0000" and f"{mistaken:.4f}" == "1.5514"
    _, best = lab.mistake_losses(z, 2)
    assert f"{best:.4f}" == "0.5514" == f"{lab.mistake_bounds(3)[0]:.4f}"


def test_mistake_figure_stays_between_the_bounds():
    figure = lab.mistake_figure((1.0, 2.0, 3.0), 0, 100.0)
    floor, ceiling = lab.mistake_bounds(3)
    mistaken = np.asarray(figure.data[1].y)
    assert np.all(mistaken >= floor - 1e-12) and np.all(mistaken <= ceiling + 1e-12)
    assert math.isclose(mistaken[-1], ceiling, rel_tol=1e-9)
