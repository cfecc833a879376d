"""AppTest of the Binary cross-entropy page: the seed's figure and examples, every control, links,
bad input.

Seed numbers (000_*): target [0, 1], eleven predictions [0, 1] … [1, 0], eps = 1e-15 inside the log
(loss −log(1 + 1e-15) ≈ −1.1102e-15 at [0, 1], 34.5388 at [1, 0]); prediction [0.01, 0.99] gives
0.01005034; the reference answer 0.71355817782.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from app_helpers import unescape
from lessons_helpers import (
    HOSTILE_VALUES,
    assert_hostile_link_is_harmless,
    errors,
    latex,
    metrics,
    refusal_beside,
    table,
    warnings,
)
from lessons_helpers import open_page as open_learn_page
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/learn/binary_cross_entropy.py"
open_page = partial(open_learn_page, PAGE)


def column_holding(at: AppTest, key: str):
    """The innermost column that holds the text input `key` — where its message must appear."""
    holding = [col for col in at.columns if any(w.key == key for w in col.text_input)]
    return holding[-1]


def test_default_view_shows_the_seed_numbers():
    at = open_page()
    eleven = table(at, "loss (nats)")
    assert len(eleven) == 11
    assert eleven["prediction [p₀, p₁]"].iloc[0] == "[0.0, 1.0]"
    assert eleven["loss (nats)"].iloc[0] == "-1.1102e-15"  # −log(1 + 1e-15)
    assert eleven["loss (nats)"].iloc[10] == "34.5388"  # −log(1e-15)
    assert r"1 \cdot \log(0.7 + 1 \times 10^{-15})\right) = 0.3567" in latex(at)
    edges = table(at, "−log(p + eps), the seed").set_index("p of the true class")
    assert edges.loc["0", "−log(p + eps), the seed"] == "34.5388"
    assert edges.loc["1", "−log(p + eps), the seed"] == "-1.1102e-15"
    assert edges.loc["0", "PyTorch BCE: log ≥ −100"] == "100.0000"
    shown = metrics(at)
    assert shown["binary_cross_entropy(σ(x), y)"] == "100.0000 nats"
    assert shown["binary_cross_entropy_with_logits(x, y)"] == "20.0000 nats"
    assert "They disagree" in at.warning[0].value
    weights = table(at, "loss, pos_weight = 3")
    assert f"{weights['loss, pos_weight = 3'].iloc[0]:.4f}" == "2.0794"
    seeds = table(at, "the seed prints")
    assert seeds["computed now"].tolist() == ["0.01005034", "0.71355817782"]
    assert seeds["agree (np.isclose)"].tolist() == ["✓", "✓"]
    assert shown["Binary reading (mean over entries)"] == "0.01005034"
    assert shown["Categorical reading (mean over rows)"] == "0.01005034"
    assert not at.error


def test_target_eps_and_prediction_controls():
    at = open_page()
    at.segmented_control(key="bce_target").set_value("[1, 0]").run()
    losses = table(at, "loss (nats)")["loss (nats)"]
    assert losses.iloc[0] == "34.5388" and losses.iloc[10] == "-1.1102e-15"
    at.segmented_control(key="eps").set_value("0").run()
    assert not at.exception
    assert table(at, "loss (nats)")["loss (nats)"].iloc[0] == "∞"
    assert table(at, "−log p")["−log(p + eps), the seed"].tolist()[-1] == "∞"
    at.segmented_control(key="eps").set_value("1e-12").run()
    assert table(at, "loss (nats)")["loss (nats)"].iloc[0] == "27.6310"
    at.slider(key="p1").set_value(0.0).run()  # prediction [1, 0], right for target [1, 0]
    assert r"1 \cdot \log(1.0 + 1 \times 10^{-12})" in latex(at)
    at.segmented_control(key="bce_target").set_value("[0, 1]").run()
    assert r"\log(0.0 + 1 \times 10^{-12})\right) = 27.6310" in latex(at)


def test_logit_controls_and_precision():
    at = open_page()
    at.number_input(key="logit").set_value(3.0).run()
    shown = metrics(at)
    assert shown["binary_cross_entropy(σ(x), y)"] == "3.0486 nats"
    assert shown["binary_cross_entropy_with_logits(x, y)"] == "3.0486 nats"
    assert not at.warning
    at.number_input(key="logit").set_value(20.0).run()
    at.segmented_control(key="bce_dtype").set_value("float64").run()
    shown = metrics(at)
    assert shown["binary_cross_entropy(σ(x), y)"] == "20.0000 nats"
    assert not at.warning
    at.slider(key="y").set_value(1.0).run()
    assert metrics(at)["binary_cross_entropy_with_logits(x, y)"] == "2.0612e-09 nats"


def test_pos_weight_controls():
    at = open_page()
    at.number_input(key="pos_weight").set_value(10.0).run()
    at.number_input(key="pw_logit").set_value(1.0).run()
    weights = table(at, "loss, pos_weight = 10")
    assert weights["ratio"].tolist() == pytest.approx([10.0, 1.0])
    assert f"{weights['loss, pos_weight = 1'].iloc[0]:.4f}" == "0.3133"  # log(1 + e^−1)


def test_loading_the_reference_example():
    at = open_page()
    at.button(key="load_example_1").click().run()
    assert at.text_input(key="ex_targets").value == "0, 0, 0, 1; 0, 0, 0, 1"
    assert metrics(at)["Categorical reading (mean over rows)"] == "0.71355818"
    assert any("0.71355817782" in c.value for c in at.caption)
    assert r"= 0.71355817782" in latex(at)
    at.button(key="load_example_0").click().run()
    assert metrics(at)["Binary reading (mean over entries)"] == "0.01005034"


def test_a_link_opens_the_page_as_it_was():
    at = open_page(
        bce_target="[1, 0]",
        eps="1e-7",
        p1="0.2",
        logit="3",
        y="0.5",
        bce_dtype="float64",
        pos_weight="2",
        ex_targets="1, 0",
        ex_predictions="0.9, 0.1",
    )
    assert at.segmented_control(key="bce_target").value == "[1, 0]"
    assert at.segmented_control(key="eps").value == "1e-7"
    assert at.slider(key="p1").value == pytest.approx(0.2)
    assert at.number_input(key="logit").value == 3.0
    assert at.segmented_control(key="bce_dtype").value == "float64"
    assert at.number_input(key="pos_weight").value == 2.0
    assert metrics(at)["Categorical reading (mean over rows)"] == "0.10536052"  # −log 0.9


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("ex_targets", "abc", "Entry 1: expected a number in [0, 1]; got “abc”."),
        ("ex_targets", "", "Expected targets separated by commas; got an empty box."),
        ("ex_predictions", "1.5, 0.2", "Entry 1: expected a number in [0, 1]; got 1.5."),
        ("ex_predictions", "0.5; 0.5, 0.5",
         "Row 2: expected 1 probabilities, as many as row 1; got 2 probabilities."),
        ("ex_predictions", ", ".join(["0.1"] * 17),
         "Expected at most 16 probabilities; got 17 probabilities."),
        ("ex_predictions", "0.2, 0.3, 0.5",
         "Expected 1 × 2 predictions, one per target entry; got 1 × 3."),
    ],
)  # fmt: skip
def test_bad_example_input_gets_a_message_beside_it(key, text, message):
    at = open_page()
    at.text_input(key=key).input(text).run()
    assert not at.exception
    errors = column_holding(at, key).error
    assert errors and unescape(errors[0].value) == message  # shown via md_literal
    # the rest of the page keeps working
    assert table(at, "loss (nats)")["loss (nats)"].iloc[10] == "34.5388"
    assert metrics(at)["binary_cross_entropy_with_logits(x, y)"] == "20.0000 nats"


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [
        ("eps", "bogus", "segmented_control"),
        ("logit", "1e9", "number_input"),
        ("p1", "7", "slider"),
        ("bce_target", "[2, 2]", "segmented_control"),
        ("pos_weight", "-1", "number_input"),
        ("bce_dtype", "float16", "segmented_control"),
    ],
)
def test_bad_values_in_the_link_are_named_beside_their_control(key, value, kind):
    at = open_page(**{key: value})
    assert f"The link’s {key}: expected " in refusal_beside(at, key, kind)
    assert f"got “{value}”" in refusal_beside(at, key, kind)
    assert at.segmented_control(key="eps").value == "1e-15"
    assert at.number_input(key="logit").value == 20.0
    assert at.slider(key="p1").value == pytest.approx(0.7)
    assert at.number_input(key="pos_weight").value == 3.0
    assert table(at, "loss (nats)")["loss (nats)"].iloc[10] == "34.5388"


HOSTILE_KEYS = [
    ("bce_target", True), ("eps", True), ("p1", True), ("logit", True), ("y", True),
    ("bce_dtype", True), ("pos_weight", True), ("pw_logit", True),
    ("ex_targets", False), ("ex_predictions", False),
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize(("key", "control"), HOSTILE_KEYS)
def test_any_link_value_is_harmless(key, value, control):
    at = assert_hostile_link_is_harmless(PAGE, key, value, control)
    assert table(at, "loss (nats)")["loss (nats)"].iloc[10] in ("34.5388", "-0.0000", "0.0000")


def test_a_bad_typed_example_keeps_the_last_good_result():
    at = open_page()
    at.text_input(key="ex_predictions").input("0.1, 0.9").run()
    good = metrics(at)["Binary reading (mean over entries)"]
    at.text_input(key="ex_predictions").input("0.1, 9").run()
    assert not at.exception
    assert metrics(at)["Binary reading (mean over entries)"] == good
    assert any("Meanwhile the last example" in c.value for c in at.caption)
    assert "got 9" in unescape(column_holding(at, "ex_predictions").error[0].value)


def test_typed_text_is_never_rendered_as_markdown():
    at = open_page()
    at.text_input(key="ex_targets").input("**x** <b>").run()
    message = column_holding(at, "ex_targets").error[0].value
    assert r"\*\*x\*\*" in message


# ------------------------------------------------------------------------------ confusions, links


def codes(at: AppTest) -> str:
    return "\n".join(c.value for c in at.code)


def test_a_sigmoid_too_many_beside_the_right_loss():
    at = open_page(logit="8", y="1")
    shown = codes(at)
    assert "F.binary_cross_entropy_with_logits(x, y)                 # 3.3541e-04  right" in shown
    assert "F.binary_cross_entropy_with_logits(torch.sigmoid(x), y)  # 0.3134  σ twice" in shown
    assert "[0.3133, 0.6931] for y = 1" in unescape("\n".join(m.value for m in at.markdown))


def test_two_logits_equal_bce_of_their_difference_on_typed_pairs():
    at = open_page(two_logits="0.5, 2; 3, -1", y="1")
    frame = table(at, "z₁ − z₀")
    assert frame["cross_entropy(z, [1 − y, y])"].tolist() == ["0.2014", "4.0181"]
    assert frame["bce_with_logits(z₁ − z₀, y)"].tolist() == ["0.2014", "4.0181"]
    gap = next(c.value for c in at.caption if c.value.startswith("Largest difference"))
    assert float(gap.split(": ")[1].rstrip(".")) < 1e-6


def test_two_logits_refuses_three_per_row():
    at = open_page(two_logits="1, 2, 3")
    assert any("Expected 2 logits per row" in e for e in errors(at))


@pytest.mark.parametrize(
    ("weights", "shown", "warned"),
    [
        ("1, 2, 3", "# 0.6658", False),
        ("1; 2", "# 0.6235", True),
        (
            "1, 2",
            "# RuntimeError: The size of tensor a (2) must match the size of tensor b (3)",
            False,
        ),
    ],
)
def test_pos_weight_shape_as_pytorch_broadcasts_it(weights, shown, warned):
    at = open_page(pw_w=weights)
    assert shown in codes(at)
    assert any("weights went to samples" in w for w in warnings(at)) is warned


def test_the_logit_losses_follow_the_unit_switch():
    at = open_page(unit="bits", logit="0", y="1")
    assert metrics(at)["binary_cross_entropy_with_logits(x, y)"] == "1.0000 bits"  # ln 2 nats
