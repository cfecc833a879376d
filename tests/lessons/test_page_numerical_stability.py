"""AppTest of the Numerical stability page: overflow, clipping policies, the double softmax.

Seed numbers it teaches: softmax of [1, 2, 3] = 0.0900, 0.2447, 0.6652 (000_*); the clamps 1e-20
(walkthrough), 1e-15 (MachineLearningMastery), 1e-12 (StackOverflow); the PyTorch explainer's
[20, 2, 3, 4] → 1.0000, 1.5230e-08, 4.1399e-08, 1.1254e-07 and loss 16.0 (001_*). Besides them:
float32 machine epsilon 1.1921e-07 (scikit-learn) and PyTorch's −100 log clamp.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from app_helpers import unescape
from lessons_helpers import HOSTILE_VALUES, assert_hostile_link_is_harmless, metrics, table
from lessons_helpers import open_page as open_learn_page
from streamlit.testing.v1 import AppTest

from xentui.domain.presets import PRESETS
from xentui.domain.share_link import encode

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/learn/numerical_stability.py"
open_page = partial(open_learn_page, PAGE)
NAIVE, SHIFT, LSE = "naive: exp, then divide", "max-subtraction", "log-sum-exp (log-softmax)"


def overflow(at: AppTest, dtype: str, form: str):
    frame = table(at, "softmax form")
    return frame[(frame["dtype"] == dtype) & (frame["softmax form"] == form)].iloc[0]


def text(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.markdown, *at.latex, *at.caption])


def column_holding(at: AppTest, key: str, kind: str):
    holding = [col for col in at.columns if any(w.key == key for w in getattr(col, kind))]
    return holding[-1]


def test_default_view_overflows_float16_and_float32():
    at = open_page()
    assert r"z = 100 \cdot" in text(at) and "300.00" in text(at)
    for dtype in ("float16", "float32"):
        assert overflow(at, dtype, NAIVE)["loss −log p[target]"] == "NaN"
        assert overflow(at, dtype, NAIVE)["Σ exp"] == "∞"
        assert overflow(at, dtype, SHIFT)["loss −log p[target]"] == "∞"
        assert overflow(at, dtype, LSE)["loss −log p[target]"] == "200.0000"
    assert overflow(at, "float64", NAIVE)["finite?"] == "✓"
    assert "11.09 in float16, 88.72 in float32, 709.78 in float64" in text(at)
    ceilings = table(at, "ceiling (p = 0)").set_index("policy")["ceiling (p = 0)"]
    assert ceilings.tolist() == ["∞", "46.0517", "34.5388", "27.6310", "15.9424", "100.0000"]
    rules = " ".join(table(at, "rule")["rule"])
    for clamp in ("1e-20", "1e-15", "1e-12", "1.1921e-07", "−100"):
        assert clamp in rules
    shown = metrics(at)
    assert shown["cross_entropy(z, target)"] == "200.0000 nats"
    assert shown["cross_entropy(softmax(z), target)"] == "1.5514 nats"
    assert "= 0.5514" in text(at) and "= 1.5514" in text(at)
    assert len(at.get("plotly_chart")) == 2


def test_scale_one_shows_the_seed_softmax():
    at = open_page()
    at.select_slider(key="scale").set_value(1).run()
    for form in (NAIVE, SHIFT, LSE):
        row = overflow(at, "float32", form)
        assert [row["cat"], row["dog"], row["pig"]] == ["0.0900", "0.2447", "0.6652"]
    assert overflow(at, "float16", NAIVE)["finite?"] == "✓"


def test_scale_10000_overflows_float64_too():
    at = open_page()
    at.select_slider(key="scale").set_value(10_000).run()
    assert overflow(at, "float64", NAIVE)["loss −log p[target]"] == "NaN"
    assert overflow(at, "float64", LSE)["loss −log p[target]"] == "20000.0000"


def test_p_control_moves_the_clipping_table():
    at = open_page()
    at.select_slider(key="p").set_value("1e-7").run()
    losses = table(at, "loss at this p")["loss at this p"].tolist()
    assert losses == ["16.1181", "16.1181", "16.1181", "16.1181", "15.9424", "16.1181"]
    at.select_slider(key="p").set_value("1e-30").run()
    losses = table(at, "loss at this p")["loss at this p"].tolist()
    assert losses == ["69.0776", "46.0517", "34.5388", "27.6310", "15.9424", "69.0776"]


def test_the_pytorch_explainers_logits_typed_in():
    at = open_page(scale="1")
    at.text_input(key="logits").input("20, 2, 3, 4").run()
    at.number_input(key="target_index").set_value(3).run()  # class indices count from 0
    row = overflow(at, "float32", LSE)
    assert [row[f"class {k}"] for k in range(4)] == [
        "1.0000", "1.5230e-08", "4.1399e-08", "1.1254e-07"
    ]  # fmt: skip
    assert row["loss −log p[target]"] == "16.0000"
    assert metrics(at)["cross_entropy(z, target)"] == "16.0000 nats"
    assert "the typed logits (target: class 3)" in text(at)
    assert at.query_params["target"] == "4"  # the link still counts from 1, as old links do


def test_sample_control_follows_the_scenario():
    at = open_page()
    at.number_input(key="sample").set_value(2).run()  # [2, 4, 6], target pig: the argmax
    assert "sample 2 of the Playground (target: pig)" in text(at)
    assert metrics(at)["cross_entropy(softmax(z), target)"] == "0.5514 nats"  # the floor


def test_an_old_link_opens_the_page_as_it_was():
    # `target=4` has always meant the fourth class: class index 3.
    at = open_page(logits="20, 2, 3, 4", target="4", scale="1", p="1e-12")
    assert at.text_input(key="logits").value == "20, 2, 3, 4"
    assert at.number_input(key="target_index").value == 3
    assert at.select_slider(key="scale").value == 1
    assert at.select_slider(key="p").value == "1e-12"
    assert overflow(at, "float32", LSE)["loss −log p[target]"] == "16.0000"
    at = open_page(
        sample="2", s=encode(PRESETS["Notebook: three samples, good predictions (0.3018)"])
    )
    assert at.number_input(key="sample").value == 2
    assert "sample 2 of the Playground" in text(at)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1, x", "Entry 2: expected a finite number within ±1e+06; got “x”."),
        ("5", "Expected at least 2 logits, one per class; got 1 logit."),
        ("1e7, 0", "Entry 1: expected a finite number within ±1e+06; got 1e+07."),
        (", ".join(["1"] * 33), "Expected at most 32 logits; got 33 logits."),
    ],
)
def test_bad_logits_get_a_message_beside_the_box(typed, message):
    at = open_page()
    at.text_input(key="logits").input(typed).run()
    assert not at.exception
    errors = column_holding(at, "logits", "text_input").error
    assert errors and unescape(errors[0].value) == message
    assert "Meanwhile: sample 1 of the Playground." in text(at)
    # the lab keeps working on the scenario's sample
    assert overflow(at, "float32", LSE)["loss −log p[target]"] == "200.0000"


def test_bad_typed_logits_keep_the_last_good_ones():
    at = open_page(scale="1")
    at.text_input(key="logits").input("20, 2, 3, 4").run()
    at.text_input(key="logits").input("20, 2, 3, 1e9").run()
    assert not at.exception
    assert "Meanwhile: the typed logits." in text(at)
    assert overflow(at, "float32", LSE)["loss −log p[target]"] == "1.1921e-07"  # one float32 step


def test_a_target_beyond_the_logits_is_refused_beside_it():
    at = open_page(scale="1")
    at.text_input(key="logits").input("1, 2, 3").run()
    at.number_input(key="target_index").set_value(9).run()
    errors = column_holding(at, "target_index", "number_input").error
    assert [unescape(e.value) for e in errors] == [
        "Target class index: expected a class index from 0 to 2, one per typed logit; got 9."
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [("scale", "3"), ("sample", "9"), ("p", "abc"), ("target", "0"), ("scale", "1e9")],
)
def test_bad_values_in_the_link_are_named(key, value):
    at = open_page(**{key: value})
    refusals = " ".join(unescape(e.value) for e in at.error)
    assert f"The link’s {key}: expected " in refusals and f"got “{value}”" in refusals
    assert at.select_slider(key="scale").value == 100
    assert at.number_input(key="sample").value == 1
    assert at.select_slider(key="p").value == "0"
    assert overflow(at, "float32", LSE)["loss −log p[target]"] == "200.0000"


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize(
    ("key", "control"),
    [("sample", True), ("logits", False), ("target", True), ("scale", True), ("p", True)],
)
def test_any_link_value_is_harmless(key, value, control):
    at = assert_hostile_link_is_harmless(PAGE, key, value, control)
    assert metrics(at)["cross_entropy(z, target)"]


def test_a_smaller_scenario_pulls_the_sample_back_in_range():
    at = open_page(sample="2")
    at.session_state["scenario"] = PRESETS["PyTorch explainer: confident and wrong (16.0)"]
    at.run()
    assert not at.exception
    assert at.number_input(key="sample").value == 1


# ------------------------------------------------------------------------------ truths, masks


def test_1e_15_is_said_to_be_added_and_sklearn_eps_follows_the_dtype():
    at = open_page()
    shown = text(at)
    assert "MachineLearningMastery *adds* 1e-15" in shown and "clamps at 1e-20, 1e-15" not in shown
    caption = " ".join(c.value for c in at.caption)
    assert "ε = 2.2204e-16, a ceiling of 36.0437" in caption


@pytest.mark.parametrize("p", [0.0, 1e-20, 1e-7, 0.1])
def test_the_float64_sklearn_policy_is_sklearns(p):
    import warnings

    import numpy as np
    from sklearn.metrics import log_loss

    from xentui.lessons import numerical_stability as lab

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = log_loss([1], np.asarray([[1 - p, p]], dtype=np.float64), labels=[0, 1])
    assert lab.SKLEARN_FLOAT64.loss(p) == pytest.approx(want, rel=1e-12)


def test_masking_with_minus_inf_on_the_explainers_logits():
    at = open_page(logits="20, 2, 3, 4", target="4", scale="1")
    frame = table(at, "mask").set_index("mask")["PyTorch"]
    assert frame["nothing masked"] == "16.0000"  # the explainer's loss (001_*)
    assert frame["class 3 masked (the target)"] == "inf"
    assert frame["every class masked"] == "nan"
    assert frame["class 0 masked"] == "0.4076"  # log(1 + e⁻² + e⁻¹)


def test_the_mistake_metrics_follow_the_unit_switch():
    at = open_page(unit="bits", scale="1")
    assert metrics(at)["cross_entropy(z, target)"].endswith(" bits")
