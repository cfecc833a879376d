"""The Binary cross-entropy page's builders, against the seed's numbers and PyTorch.

Known values, from the seed walkthrough (000_*): the eleven predictions [0, 1] … [1, 0] scored
against target [0, 1] with eps = 1e-15 inside the log (≈ 0 at [0, 1], i.e. −log(1 + 1e-15), and
34.5388 at [1, 0]); the StackOverflow function's 0.01005034 for prediction [0.01, 0.99]; its
docstring's reference answer 0.71355817782.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from xentui.domain.typed_numbers import parse_number_rows
from xentui.lessons import binary_cross_entropy as bce

DOG = (0.0, 1.0)


def test_the_eleven_predictions_are_the_seeds():
    preds = bce.eleven_predictions()
    assert preds.shape == (11, 2)
    assert preds[0].tolist() == [0.0, 1.0] and preds[10].tolist() == [1.0, 0.0]
    assert preds[3].tolist() == [0.3, 0.7]
    np.testing.assert_array_equal(preds.sum(axis=1), 1.0)


def test_eleven_point_losses_match_the_seed_formula():
    frame = bce.eleven_point_frame(DOG, bce.SEED_EPS)
    losses = frame["loss (nats)"].to_numpy()
    # the seed's own formula, term by term with math.log
    expected = [
        -(0 * math.log(p0 + 1e-15) + 1 * math.log(p1 + 1e-15))
        for p0, p1 in bce.eleven_predictions()
    ]
    np.testing.assert_allclose(losses, expected, rtol=1e-12)
    assert losses[0] == pytest.approx(-math.log(1 + 1e-15)) and losses[0] < 0
    assert f"{losses[10]:.4f}" == "34.5388"
    assert np.all(np.diff(losses) > 0)  # more wrong, more loss
    assert list(frame["prediction [p₀, p₁]"])[:2] == ["[0.0, 1.0]", "[0.1, 0.9]"]


def test_without_eps_the_confident_wrong_answer_is_infinite():
    losses = bce.eleven_point_frame(DOG, 0.0)["loss (nats)"]
    assert math.isinf(losses.iloc[10]) and losses.iloc[0] == 0.0
    figure = bce.eleven_point_figure(DOG, 0.0, 10)
    assert len(figure.data[0].x) == 10  # ∞ is marked, not plotted
    assert "∞" in figure.layout.annotations[0].text


def test_the_other_target_mirrors_the_curve():
    cat = bce.eleven_point_frame((1.0, 0.0), bce.SEED_EPS)["loss (nats)"].to_numpy()
    dog = bce.eleven_point_frame(DOG, bce.SEED_EPS)["loss (nats)"].to_numpy()
    np.testing.assert_allclose(cat, dog[::-1])


def test_seed_loss_latex_shows_the_numbers():
    text = bce.seed_loss_latex(DOG, bce.eleven_predictions()[3], 1e-15)
    assert text == (
        r"-\left(0 \cdot \log(0.3 + 1 \times 10^{-15}) + 1 \cdot \log(0.7 + 1 \times 10^{-15})"
        r"\right) = 0.3567"
    )


def test_eps_table_at_the_edges():
    frame = bce.eps_frame(1e-15).set_index("p of the true class")
    assert frame.loc["1", "−log(p + eps), the seed"] == "-1.1102e-15"
    assert frame.loc["0", "−log(p + eps), the seed"] == "34.5388"
    assert frame.loc["0", "−log p"] == "∞"
    assert frame.loc["0", "PyTorch BCE: log ≥ −100"] == "100.0000"
    assert frame.loc["0.5", "−log clip(p, eps, 1 − eps)"] == "0.6931"
    # the PyTorch column is PyTorch's own answer
    theirs = F.binary_cross_entropy(
        torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0]), reduction="none"
    )
    assert theirs.tolist() == [100.0, 0.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("x", "y"), [(3.0, 0.0), (20.0, 0.0), (40.0, 1.0), (-30.0, 1.0), (0.0, 0.5)]
)
def test_probabilities_and_logits_match_torch(x, y, dtype):
    prob, from_prob, from_logit = bce.logits_and_probabilities(x, y, dtype)
    t_dtype = getattr(torch, dtype)
    logit = torch.tensor([x], dtype=t_dtype)
    target = torch.tensor([y], dtype=t_dtype)
    torch_prob = torch.sigmoid(logit)
    assert prob == pytest.approx(torch_prob.item(), rel=1e-6)
    assert from_prob == pytest.approx(
        F.binary_cross_entropy(torch_prob, target).item(), rel=1e-5, abs=1e-6
    )
    assert from_logit == pytest.approx(
        F.binary_cross_entropy_with_logits(logit, target).item(), rel=1e-5, abs=1e-6
    )


def test_float32_sigmoid_rounding_makes_the_probability_loss_hit_the_clamp():
    _, from_prob, from_logit = bce.logits_and_probabilities(20.0, 0.0, "float32")
    assert from_prob == 100.0 and from_logit == pytest.approx(20.0)
    _, from_prob64, _ = bce.logits_and_probabilities(20.0, 0.0, "float64")
    assert from_prob64 == pytest.approx(20.0, rel=1e-6)


def test_pos_weight_matches_torch():
    frame = bce.pos_weight_frame(0.5, 3.0)
    for y, row in zip((1.0, 0.0), frame.itertuples(index=False), strict=True):
        theirs = F.binary_cross_entropy_with_logits(
            torch.tensor([0.5]), torch.tensor([y]), pos_weight=torch.tensor([3.0])
        ).item()
        assert row[2] == pytest.approx(theirs, rel=1e-6)
    assert frame["ratio"].tolist() == pytest.approx([3.0, 1.0])
    assert f"{bce.pos_weight_frame(0.0, 3.0).iloc[0, 2]:.4f}" == "2.0794"  # 3 · log 2


def _rows(text: str) -> np.ndarray:
    parsed = parse_number_rows(text, what="numbers", max_rows=16, max_entries=16)
    assert parsed.problem is None
    return parsed.values


def test_worked_example_reproduces_0_01005034():
    example = bce.worked_example(_rows("0, 1"), _rows("0.01, 0.99"))
    assert f"{example.binary:.8f}" == "0.01005034"
    assert f"{example.categorical:.8f}" == "0.01005034"
    assert example.binary_latex.endswith("= 0.01005034")


def test_worked_example_reproduces_the_reference_answer():
    example = bce.worked_example(
        _rows("0, 0, 0, 1; 0, 0, 0, 1"), _rows("0.25, 0.25, 0.25, 0.25; 0.01, 0.01, 0.01, 0.96")
    )
    assert np.isclose(example.categorical, 0.71355817782)
    assert f"{example.categorical:.11f}" == "0.71355817782"
    assert example.categorical_latex.endswith("= 0.71355817782")
    assert r"(-\log 0.2500) + (-\log 0.9600)" in example.categorical_latex
    # the binary reading of the same numbers answers another question
    assert f"{example.binary:.4f}" == "0.2900"


def test_worked_example_clips_like_the_seed():
    example = bce.worked_example(_rows("1, 0"), _rows("0, 1"))
    assert example.categorical == pytest.approx(-math.log(1e-12))


def test_seed_examples_table_agrees():
    frame = bce.seed_examples_frame()
    assert frame["the seed prints"].tolist() == ["0.01005034", "0.71355817782"]
    assert frame["computed now"].tolist() == ["0.01005034", "0.71355817782"]
    assert frame["agree (np.isclose)"].tolist() == ["✓", "✓"]


def test_logit_figure_shows_both_curves():
    figure = bce.logits_vs_probabilities_figure(0.0, "float32", 20.0)
    with_logits, through_probability = figure.data
    assert max(through_probability.y) == 100.0  # the clamp
    assert max(with_logits.y) == pytest.approx(bce.LOGIT_RANGE[1])
