"""The Gradients and temperature page's builders: p − q against autograd, one step, softmax(z / T).

Known values come from the seed walkthrough (000_*): logits [[1, 2, 3], [2, 4, 6]] give softmax
[[0.0900, 0.2447, 0.6652], [0.0159, 0.1173, 0.8668]], losses 2.4076 and 0.1429 for targets cat and
pig, and the gradient of sample 1's loss is softmax − one-hot = [−0.9100, 0.2447, 0.6652]. torch
autograd is the oracle for every gradient.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from xentui.kit.format import fmt
from xentui.kit.plotly_spec import validated
from xentui.lessons import gradients as grads
from xentui.lessons import temperature as temp
from xentui.lessons.logits_choice import parse_logits


def _autograd(logits, target, eps=0.0, temperature=1.0) -> tuple[float, np.ndarray]:
    z = torch.tensor(np.asarray(logits, dtype=np.float64), requires_grad=True)
    t = torch.tensor(target)
    loss = F.cross_entropy((z / temperature)[None], t[None] if t.ndim else t.view(1),
                           label_smoothing=eps)  # fmt: skip
    loss.backward()
    return float(loss.detach()), z.grad.numpy()


def test_seed_sample_gradient_is_softmax_minus_one_hot():
    sample = grads.sample_gradient(np.array([1.0, 2.0, 3.0], np.float32), 0)
    assert [fmt(v) for v in sample.probabilities] == ["0.0900", "0.2447", "0.6652"]
    assert [fmt(v) for v in sample.gradient] == ["-0.9100", "0.2447", "0.6652"]
    assert fmt(sample.loss) == "2.4076"
    assert sample.autograd_gap < 1e-6
    second = grads.sample_gradient(np.array([2.0, 4.0, 6.0], np.float32), 2)
    assert [fmt(v) for v in second.probabilities] == ["0.0159", "0.1173", "0.8668"]
    assert [fmt(v) for v in second.gradient] == ["0.0159", "0.1173", "-0.1332"]
    assert fmt(second.loss) == "0.1429"


logit_rows = st.lists(st.floats(-30, 30), min_size=2, max_size=6)


@settings(max_examples=50, deadline=None)
@given(logits=logit_rows, data=st.data(), eps=st.sampled_from([0.0, 0.1, 0.5]))
def test_gradient_equals_autograd(logits, data, eps):
    target = data.draw(st.integers(0, len(logits) - 1))
    sample = grads.sample_gradient(np.asarray(logits), target, eps, "float64")
    loss, grad = _autograd(logits, target, eps)
    np.testing.assert_allclose(sample.gradient, grad, atol=1e-12)
    np.testing.assert_allclose(sample.autograd, grad, atol=1e-12)
    assert sample.loss == pytest.approx(loss, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(sample.gradient, sample.probabilities - sample.target, atol=1e-12)
    assert abs(sample.gradient.sum()) < 1e-9


def test_probability_rows_are_targets_too():
    q = np.array([0.2, 0.3, 0.5])
    sample = grads.sample_gradient(np.array([1.0, 2.0, 3.0]), q, 0.1, "float64")
    np.testing.assert_allclose(sample.target, 0.9 * q + 0.1 / 3)
    np.testing.assert_allclose(sample.gradient, sample.probabilities - sample.target, atol=1e-12)
    assert sample.autograd_gap < 1e-12


def test_one_step_lowers_the_loss_as_the_first_order_estimate_says():
    sample = grads.sample_gradient(np.array([1.0, 2.0, 3.0], np.float32), 0)
    small = grads.gradient_step(sample, 0.1)
    np.testing.assert_allclose(small.logits, [1.091, 1.97553, 2.93348], atol=1e-5)
    assert small.loss < sample.loss
    assert small.loss - sample.loss == pytest.approx(small.predicted_change, rel=0.1)
    step = grads.gradient_step(sample, 1.0)
    assert fmt(step.loss) == "1.2196" and fmt(step.predicted_change) == "-1.3305"
    np.testing.assert_allclose(step.probabilities.sum(), 1.0)
    # With smoothing the loss has a finite minimum, and too long a step jumps past it.
    smoothed = grads.sample_gradient(np.array([1.0, 2.0, 3.0]), 0, 0.3, "float64")
    assert grads.gradient_step(smoothed, 2.0).loss < smoothed.loss
    assert grads.gradient_step(smoothed, 20.0).loss > smoothed.loss


def test_figures_are_valid_and_colour_the_direction_of_descent():
    sample = grads.sample_gradient(np.array([1.0, 2.0, 3.0], np.float32), 0)
    fig = validated(grads.gradient_figure(sample, ["cat", "<b>dog</b>", "pig"]))
    bars = fig.data[2]
    # Colour-blind-safe colours, and a second cue: an arrow and hatching on the bars pushed down.
    assert list(bars.marker.color) == [grads.UP_COLOUR, grads.DOWN_COLOUR, grads.DOWN_COLOUR]
    assert list(bars.marker.pattern.shape) == ["", "/", "/"]
    assert [text[0] for text in bars.text] == ["▲", "▼", "▼"]
    assert bars.x[1] == "&lt;b&gt;dog&lt;/b&gt;"
    step = grads.gradient_step(sample, 1.0)
    validated(grads.step_figure(sample, step, ["cat", "dog", "pig"]))


def test_batch_gradient_frame_has_three_rows_per_sample():
    p = np.array([[0.09, 0.2447, 0.6652]])
    q = np.array([[1.0, 0.0, 0.0]])
    frame = grads.batch_gradient_frame(p, q, p - q, ["sample 1"], ["cat", "dog", "pig"])
    assert list(frame["row"]) == ["p", "target q", "∂ mean/∂z"]
    assert list(frame.columns) == ["sample", "row", "cat", "dog", "pig"]
    assert frame["cat"].iloc[2] == pytest.approx(-0.91)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("5", "Expected at least 2 logits, one per class; got 1 logit."),
        ("1, x", "Entry 2: expected a finite number within ±1e+06; got “x”."),
        ("1e7, 0", "Entry 1: expected a finite number within ±1e+06; got 1e+07."),
        ("1, nan", "Entry 2: expected a finite number within ±1e+06; got nan."),
        ("1, 2; 3, 4", "Expected at most 1 rows of logits; got 2 rows."),
    ],
)
def test_bad_logits_say_what_is_wrong(text, problem):
    logits, found = parse_logits(text)
    assert logits is None and str(found) == problem


# ------------------------------------------------------------------------------ temperature


def test_temperature_one_is_plain_softmax_and_the_seed_numbers():
    view = temp.at_temperature([1.0, 2.0, 3.0], [1.0, 0.0, 0.0], 1.0)
    assert [fmt(v) for v in view.probabilities] == ["0.0900", "0.2447", "0.6652"]
    assert fmt(view.loss) == "2.4076"
    assert fmt(view.entropy) == "0.8324"
    np.testing.assert_allclose(view.gradient, view.probabilities - [1, 0, 0])


@pytest.mark.parametrize("temperature", [0.05, 0.5, 2.0, 20.0])
def test_temperature_gradient_is_autograd_of_the_scaled_logits(temperature):
    view = temp.at_temperature([1.0, 2.0, 3.0], [1.0, 0.0, 0.0], temperature)
    loss, grad = _autograd([1.0, 2.0, 3.0], 0, temperature=temperature)
    assert view.loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(view.gradient, grad, atol=1e-12)


def test_temperature_limits():
    cold = temp.at_temperature([1.0, 2.0, 3.0], [0.0, 0.0, 1.0], 0.05)
    hot = temp.at_temperature([1.0, 2.0, 3.0], [0.0, 0.0, 1.0], 20.0)
    assert cold.probabilities[2] > 0.999999 and cold.entropy < 1e-6 and cold.loss < 1e-6
    assert hot.entropy == pytest.approx(np.log(3), abs=2e-3)
    wrong_and_cold = temp.at_temperature([1.0, 2.0, 3.0], [1.0, 0.0, 0.0], 0.05)
    assert wrong_and_cold.loss == pytest.approx(40.0, rel=1e-6)  # (3 − 1) / 0.05


def test_sweep_entropy_rises_with_temperature_and_the_figure_marks_t():
    sweep = temp.temperature_sweep([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])
    assert np.all(np.diff(sweep["entropy"]) > 0)
    assert sweep["temperature"][0] == 0.05 and sweep["temperature"][-1] == 20.0
    view = temp.at_temperature([1.0, 2.0, 3.0], [1.0, 0.0, 0.0], 2.0)
    fig = validated(temp.sweep_figure(sweep, view, 3))
    marker = fig.data[-1]
    assert marker.x == (2.0, 2.0) and marker.y[0] == pytest.approx(view.loss)
    assert fig.layout.xaxis.type == "log"
    validated(temp.probabilities_figure(["a", "b", "c"], view, view, [1.0, 0.0, 0.0]))
