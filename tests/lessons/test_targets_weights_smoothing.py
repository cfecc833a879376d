"""The Targets, weights and smoothing page's builders: H + KL, smoothing, weighted means, libraries.

Known values and where they come from:
- the seed NumPy/PyTorch notebook (002_*): one-hot [1, 0, 0] against [0.7, 0.2, 0.1] → 0.3567 and
  against [0.1, 0.3, 0.6] → 2.3026;
- the seed walkthrough (000_*): its StackOverflow function's reference answer 0.71355817782 for
  predictions [[0.25] * 4, [0.01, 0.01, 0.01, 0.96]], targets class 3; per-sample losses 2.4076
  and 0.1429 for logits [[1, 2, 3], [2, 4, 6]], targets [0, 2];
- Keras's documentation of CategoricalCrossentropy: y = [[0, 1, 0], [0, 0, 1]],
  P = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]] → 1.177; sample_weight [0.3, 0.7] → 0.814; "sum" →
  2.354; "none" → [0.0513, 2.303].
PyTorch (torch.nn.functional) and scikit-learn are called as oracles.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss

from xentui.domain.presets import DEFAULT_SCENARIO
from xentui.domain.scenario import Scenario
from xentui.kit.format import fmt
from xentui.kit.plotly_spec import validated
from xentui.lessons import class_weights as weighting
from xentui.lessons import libraries as libs
from xentui.lessons import soft_targets as soft
from xentui.lessons.library_inputs import library_inputs

# ------------------------------------------------------------------------------ H + KL


def test_seed_notebook_predictions_are_pure_kl():
    parts = soft.decompose([1, 0, 0], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    assert [fmt(v) for v in parts.cross_entropy] == ["0.3567", "2.3026"]
    assert [fmt(v) for v in parts.entropy] == ["0.0000", "0.0000"]
    np.testing.assert_allclose(parts.kl, parts.cross_entropy, rtol=1e-12)


distributions = st.lists(st.floats(0.01, 1.0), min_size=2, max_size=6).map(
    lambda row: np.asarray(row) / np.sum(row)
)


@settings(max_examples=60, deadline=None)
@given(p=distributions, data=st.data())
def test_cross_entropy_is_entropy_plus_kl(p, data):
    q = data.draw(
        st.lists(st.floats(0.01, 1.0), min_size=p.size, max_size=p.size).map(
            lambda row: np.asarray(row) / np.sum(row)
        )
    )
    parts = soft.decompose(p, [q])
    by_torch = -(torch.tensor(p) * torch.log(torch.tensor(q))).sum()
    assert parts.cross_entropy[0] == pytest.approx(float(by_torch), rel=1e-9)
    assert parts.entropy[0] + parts.kl[0] == pytest.approx(parts.cross_entropy[0], rel=1e-9)
    assert parts.kl[0] >= -1e-12  # Gibbs' inequality: the target's own entropy is the floor


def test_a_zero_prediction_where_the_target_has_mass_is_infinite():
    parts = soft.decompose([0.5, 0.5], [[1.0, 0.0]])
    assert np.isinf(parts.cross_entropy[0]) and np.isinf(parts.kl[0])
    fig = validated(soft.decomposition_figure(parts, ["a", "b"]))
    kl_bar = next(t for t in fig.data if t.name.startswith("KL"))
    assert kl_bar.text == ("∞",) and kl_bar.y == (None,)


def test_decomposition_figure_stacks_kl_on_h():
    parts = soft.decompose([0.6, 0.3, 0.1], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    fig = validated(soft.decomposition_figure(parts, ["cat", "<i>dog</i>", "pig"]))
    h_bar = next(t for t in fig.data if t.name.startswith("H(p)"))
    kl_bar = next(t for t in fig.data if t.name.startswith("KL"))
    assert h_bar.offsetgroup == kl_bar.offsetgroup
    np.testing.assert_allclose(kl_bar.base, parts.entropy)
    assert fig.data[0].x[1] == "&lt;i&gt;dog&lt;/i&gt;"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0.7, 0.2",
         "Row 1: expected a row summing to 1 (within 0.001); got a row summing to 0.9."),
        ("1", "Expected at least 2, one per class; got 1 probability per row."),
        ("0.5, x", "Entry 2: expected a number in [0, 1]; got “x”."),
        ("1.5, -0.5", "Entry 1: expected a number in [0, 1]; got 1.5."),
        ("", "Expected probabilities separated by commas; got an empty box."),
        ("0.5, 0.5; 1", "Row 2: expected 2 probabilities, as many as row 1; got 1 probabilities."),
        ("1, 0;" * 7, "Expected at most 6 rows of probabilities; got 7 rows."),
    ],
)  # fmt: skip
def test_bad_distributions_say_what_is_wrong(text, problem):
    parsed = soft.parse_distributions(text, soft.PREDICTIONS_BOX, soft.MAX_PREDICTIONS)
    assert parsed.rows is None and str(parsed.problem) == problem
    assert parsed.problem.input == soft.PREDICTIONS_BOX


@pytest.mark.parametrize(
    ("p", "q", "problem"),
    [
        ("0.5, 0.5", "0.7, 0.2, 0.1",
         "Expected 3 classes, as many as the predictions; got 2 classes."),
        ("1, 0; 0, 1; 1, 0", "0.5, 0.5; 0.5, 0.5",
         "Expected 1 row for all predictions, or 2, one per prediction; got 3 rows."),
    ],
)  # fmt: skip
def test_target_and_predictions_must_fit_together(p, q, problem):
    parts, problems = soft.typed_decomposition(p, q)
    assert parts is None and [str(x) for x in problems] == [problem]
    assert problems[0].input == soft.TARGET_BOX


def test_rounded_rows_are_accepted():
    assert soft.parse_distributions("0.3333, 0.3333, 0.3333", "p", 6).rows is not None


# ------------------------------------------------------------------------------ smoothing


@pytest.mark.parametrize("c", [2, 3, 10])
@pytest.mark.parametrize("eps", [0.05, 0.1, 0.5, 0.9])
def test_the_smoothed_minimum_is_the_smoothed_target(c, eps):
    best = soft.smoothing_minimum(c, eps)
    assert best.p_target == pytest.approx(1 - eps + eps / c)
    q = soft.smoothed_target(c, 0, eps)
    assert best.loss == pytest.approx(float(-(q * np.log(q)).sum()), rel=1e-12)
    # PyTorch's label_smoothing on logits log q′ returns the same floor, not 0.
    by_torch = F.cross_entropy(
        torch.log(torch.tensor(q))[None], torch.tensor([0]), label_smoothing=eps
    )
    assert best.pytorch_loss == pytest.approx(float(by_torch), rel=1e-9)
    assert best.loss > 0
    # The curve's minimum over a fine grid sits at p* and equals the floor.
    grid = np.linspace(1e-4, 1 - 1e-9, 200_001)
    curve = soft.smoothing_curve(c, eps, grid)
    assert grid[np.argmin(curve)] == pytest.approx(best.p_target, abs=1e-4)
    assert curve.min() == pytest.approx(best.loss, abs=1e-8)
    assert best.logit_gap == pytest.approx(np.log(best.p_target / (eps / c)))


def test_without_smoothing_the_minimum_is_at_one_with_infinite_logits():
    best = soft.smoothing_minimum(3, 0.0)
    assert best.p_target == 1.0 and best.loss == 0.0 and np.isinf(best.logit_gap)
    curve = soft.smoothing_curve(3, 0.0, np.array([0.5, 0.9, 0.999]))
    np.testing.assert_allclose(curve, -np.log([0.5, 0.9, 0.999]))
    assert fmt(soft.smoothing_minimum(3, 1.0).loss) == fmt(np.log(3))  # ε = 1: uniform target


def test_smoothing_figure_is_valid_and_marks_the_minimum():
    fig = validated(soft.smoothing_figure(["cat", "dog", "pig"], 2, 0.1))
    bars = fig.data[1]
    np.testing.assert_allclose(bars.y, [0.1 / 3, 0.1 / 3, 1 - 0.1 + 0.1 / 3])
    minimum = next(t for t in fig.data if t.name == "minimum")
    assert minimum.x[0] == pytest.approx(0.9333333) and minimum.y[0] == pytest.approx(0.2911398)


# ------------------------------------------------------------------------------ weights


def test_default_weighted_mean_divides_by_the_target_weights():
    result = weighting.weighted_mean(DEFAULT_SCENARIO, np.array([2.0, 1.0, 1.0]), [False, False])
    assert [fmt(v) for v in result.losses] == ["2.4076", "0.1429"]
    assert result.denominator == 3.0
    assert fmt(result.mean) == "1.6527"
    assert fmt(result.over_batch_size) == "2.4791"
    assert fmt(result.unweighted_mean) == "1.2753"
    x = torch.tensor(DEFAULT_SCENARIO.logits, dtype=torch.float32)
    by_torch = F.cross_entropy(x, torch.tensor([0, 2]), weight=torch.tensor([2.0, 1.0, 1.0]))
    assert result.mean == pytest.approx(float(by_torch), rel=1e-6)
    assert weighting.weighted_mean_latex(result) == (
        r"\frac{\sum_i w_{t_i}\,\ell_i}{\sum_i w_{t_i}} = \frac{2 \cdot 2.4076 + 1 \cdot 0.1429}"
        r"{2 + 1} = \frac{4.9581}{3} = 1.6527"
    )


@settings(max_examples=30, deadline=None)
@given(
    weights=st.lists(st.floats(0.1, 10.0), min_size=3, max_size=3),
    scale=st.floats(0.1, 100.0),
    ignored=st.lists(st.booleans(), min_size=2, max_size=2).filter(lambda flags: not all(flags)),
)
def test_scaling_every_weight_leaves_pytorchs_mean_and_scales_the_batch_mean(
    weights, scale, ignored
):
    w = np.asarray(weights)
    one = weighting.weighted_mean(DEFAULT_SCENARIO, w, ignored)
    scaled = weighting.weighted_mean(DEFAULT_SCENARIO, w * scale, ignored)
    assert scaled.mean == pytest.approx(one.mean, rel=1e-5)
    assert scaled.over_batch_size == pytest.approx(one.over_batch_size * scale, rel=1e-9)
    target = torch.tensor([-100 if skip else t for t, skip in zip([0, 2], ignored, strict=True)])
    x = torch.tensor(DEFAULT_SCENARIO.logits, dtype=torch.float32)
    by_torch = F.cross_entropy(x, target, weight=torch.tensor(w, dtype=torch.float32))
    assert one.mean == pytest.approx(float(by_torch), rel=1e-5)


def test_ignoring_a_sample_removes_it_from_both_sums():
    result = weighting.weighted_mean(DEFAULT_SCENARIO, np.array([2.0, 1.0, 1.0]), [True, False])
    assert result.denominator == 1.0 and fmt(result.mean) == "0.1429"
    frame = weighting.weighted_mean_frame(result, ["cat", "dog", "pig"])
    assert list(frame["in the mean?"]) == ["ignored", "yes"]
    assert np.isnan(frame["w · ℓ"][0])
    everything = weighting.weighted_mean(DEFAULT_SCENARIO, np.ones(3), [True, True])
    assert np.isnan(everything.mean) and everything.denominator == 0


def test_probability_targets_are_read_as_their_most_likely_class():
    scenario = Scenario(
        classes=("a", "b"), logits=((1, 2), (3, 1)), targets=(0, 0),
        soft_targets=((0.2, 0.8), (0.9, 0.1)),
    )  # fmt: skip
    result = weighting.weighted_mean(scenario, np.array([1.0, 3.0]), [False, False])
    assert result.targets.tolist() == [1, 0] and result.denominator == 4.0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2, 1", "Expected 3 weights, one per class in the order of the classes; got 2 weights."),
        ("-1, 1, 1", "Entry 1: expected a weight from 0 to 1e+06; got -1."),
        ("1, one, 1", "Entry 2: expected a weight from 0 to 1e+06; got “one”."),
        ("1, 1e9, 1", "Entry 2: expected a weight from 0 to 1e+06; got 1e+09."),
        ("1, 1, 1; 1, 1, 1", "Expected at most 1 rows of weights; got 2 rows."),
    ],
)
def test_bad_weights_say_what_is_wrong(text, problem):
    weights, found = weighting.parse_class_weights(text, 3)
    assert weights is None and str(found) == problem


def test_a_mean_over_nothing_is_a_problem_not_a_nan():
    result, problems = weighting.typed_weighted_mean(DEFAULT_SCENARIO, "1, 1, 1", [True, True])
    assert result is None and problems[0].input == weighting.IGNORED
    result, problems = weighting.typed_weighted_mean(DEFAULT_SCENARIO, "0, 1, 0", [False, False])
    assert result is None and problems[0].input == weighting.WEIGHTS_BOX


def test_default_weights_come_from_the_scenario():
    assert weighting.default_weights_text(DEFAULT_SCENARIO) == "2, 1, 1"
    weighted = DEFAULT_SCENARIO.with_options(weights=(0.5, 1.0, 4.0))
    assert weighting.default_weights_text(weighted) == "0.5, 1, 4"


# ------------------------------------------------------------------------------ libraries

KERAS_Y, KERAS_P = [1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]


def test_keras_convention_reproduces_its_documentation():
    assert f"{libs.keras_categorical_crossentropy(KERAS_P, KERAS_Y):.3f}" == "1.177"
    assert f"{libs.keras_categorical_crossentropy(KERAS_P, KERAS_Y, [0.3, 0.7]):.3f}" == "0.814"
    assert f"{libs.keras_categorical_crossentropy(KERAS_P, KERAS_Y, reduction='sum'):.3f}" == (
        "2.354"
    )
    none = libs.keras_categorical_crossentropy(KERAS_P, KERAS_Y, reduction="none")
    assert [f"{v:.4f}" for v in none] == ["0.0513", "2.3026"]  # Keras prints [0.0513, 2.303]
    with pytest.raises(ValueError, match=r"^reduction must be one of 'sum_over_batch_size'"):
        libs.keras_categorical_crossentropy(KERAS_P, KERAS_Y, reduction="mean")


def test_keras_renormalises_then_clips():
    # A row summing to 0.99 is read as p / 0.99; a zero is clipped to 1e-7.
    assert libs.keras_categorical_crossentropy([[0.01, 0.98]], [1]) == pytest.approx(
        -np.log(0.98 / 0.99),
        rel=1e-5,  # float32, as Keras computes
    )
    assert libs.keras_categorical_crossentropy([[1.0, 0.0]], [1]) == pytest.approx(
        -np.log(1e-7), rel=1e-6
    )


def _inputs(p: str, t: str, w: str = "") -> libs.LibraryInputs:
    inputs, problems = library_inputs(p, t, w)
    assert problems == ()
    return inputs


SEED_P = "0.25, 0.25, 0.25, 0.25; 0.01, 0.01, 0.01, 0.96"


def test_seed_reference_answer_and_the_libraries_that_agree_with_it():
    inputs = _inputs(SEED_P, "3, 3")
    assert f"{libs.seed_numpy_loss(inputs.probabilities, inputs.targets):.11f}" == "0.71355817782"
    by_name = {r.library: r for r in libs.compare_libraries(inputs)}
    assert by_name["PyTorch"].loss == pytest.approx(0.71355817782, rel=1e-6)
    assert by_name["scikit-learn"].loss == pytest.approx(0.71355817782, rel=1e-12)
    assert "do not sum to one" in by_name["scikit-learn"].note
    assert by_name["Keras 3"].loss == pytest.approx((np.log(4) - np.log(0.96 / 0.99)) / 2, rel=1e-6)
    probs = torch.tensor(inputs.probabilities, dtype=torch.float32)
    misused = F.cross_entropy(probs, torch.tensor([3, 3]))
    assert by_name["PyTorch, misused"].loss == pytest.approx(float(misused), rel=1e-6)
    assert all(r.denominator == 2 for r in by_name.values())


def test_weighted_means_divide_by_what_each_library_documents():
    inputs = _inputs("0.7, 0.2, 0.1; 0.1, 0.3, 0.6", "0, 2", "1, 1, 3")
    by_name = {r.library: r for r in libs.compare_libraries(inputs)}
    losses = -np.log([0.7, 0.6])
    assert by_name["PyTorch"].loss == pytest.approx((losses[0] + 3 * losses[1]) / 4, rel=1e-6)
    assert by_name["PyTorch"].denominator == 4 and by_name["Keras 3"].denominator == 2
    assert by_name["Keras 3"].loss == pytest.approx((losses[0] + 3 * losses[1]) / 2, rel=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live = log_loss(
            [0, 2], y_proba=inputs.probabilities, sample_weight=[1, 3], labels=[0, 1, 2]
        )
    assert by_name["scikit-learn"].loss == pytest.approx(live, rel=1e-12)
    assert by_name["scikit-learn"].loss == pytest.approx(by_name["PyTorch"].loss, rel=1e-6)
    log_p = torch.log(torch.tensor(inputs.probabilities, dtype=torch.float32))
    nll = F.nll_loss(log_p, torch.tensor([0, 2]), weight=torch.tensor([1.0, 1.0, 3.0]))
    assert by_name["PyTorch"].loss == pytest.approx(float(nll), rel=1e-6)
    assert by_name["seed's NumPy function"].note == "Ignores the weights."


def test_a_zero_probability_separates_the_clipping_conventions():
    by_name = {r.library: r for r in libs.compare_libraries(_inputs("1, 0; 0.5, 0.5", "1, 0"))}
    half = np.log(2)
    assert np.isinf(by_name["PyTorch"].loss)
    assert by_name["Keras 3"].loss == pytest.approx((-np.log(1e-7) + half) / 2, rel=1e-6)
    eps = np.finfo(np.float64).eps
    assert by_name["scikit-learn"].loss == pytest.approx((-np.log(eps) + half) / 2, rel=1e-12)
    assert by_name["seed's NumPy function"].loss == pytest.approx((-np.log(1e-12) + half) / 2)
    frame = libs.libraries_frame(libs.compare_libraries(_inputs("1, 0; 0.5, 0.5", "1, 0")))
    assert list(frame["library"]) == [
        "PyTorch", "PyTorch, misused", "Keras 3", "scikit-learn", "seed's NumPy function",
    ]  # fmt: skip


def test_without_scikit_learn_its_row_says_so(monkeypatch):
    monkeypatch.setattr(libs, "sklearn_available", lambda: False)
    row = libs.compare_libraries(_inputs(SEED_P, "3, 3"))[3]
    assert row.library == "scikit-learn" and row.loss is None
    assert row.note == "scikit-learn is not installed on this server."


@pytest.mark.parametrize(
    ("p", "t", "w", "problems"),
    [
        ("0.5, 0.5", "0, 1", "", {"t": "Expected 1, one per row of P; got 2 targets."}),
        ("0.5, 0.5", "2", "", {"t": "Entry 1: expected a class index from 0 to 1; got 2."}),
        ("0.5, 0.5", "0.5", "", {"t": "Entry 1: expected a class index from 0 to 1; got 0.5."}),
        ("0.5, 0.5; 0.1, 0.9", "-1, 1",
         "", {"t": "Entry 1: expected a class index from 0 to 1; got -1."}),
        ("0.5, 0.5; 0.1, 0.9", "-100, 1",
         "", {"t": "Entry 1: expected a class index from 0 to 1; got -100."}),
        ("0.5, 0.5; 0.1, 0.9", "1e20, 1",
         "", {"t": "Entry 1: expected a class index from 0 to 1; got 1e+20."}),
        ("0.5, 0.5", "0", "1",
         {"w": "Expected 2 weights, one per class in the order of the classes; got 1 weights."}),
        ("0.5, 0.5", "0", "0, 1",
         {"w": "Expected a weighted mean that is not 0/0; got weight 0 on every target's class."}),
        ("0.5, 0.5", "0", "-2, 1", {"w": "Entry 1: expected a weight from 0 to 1e+06; got -2."}),
        ("1", "0", "", {"P": "Expected at least 2, one per class; got 1 probability per row."}),
        ("2, 0", "x", "", {"P": "Entry 1: expected a number in [0, 1]; got 2.",
                           "t": "Entry 1: expected a class index from 0 to 15; got “x”."}),
    ],
)  # fmt: skip
def test_bad_library_inputs_are_reported_per_box(p, t, w, problems):
    inputs, found = library_inputs(p, t, w)
    assert inputs is None and {x.input: str(x) for x in found} == problems
