"""The Targets, weights and smoothing page through AppTest: default view, controls, links, errors.

Seed numbers the page must show and these tests check: 0.3567 and 2.3026 (002_*, the notebook's
one-hot target against [0.7, 0.2, 0.1] and [0.1, 0.3, 0.6]); 0.71355817782 (000_*, the reference
answer of the walkthrough's StackOverflow function); 2.4076, 0.1429 and 1.2753 (000_*, the default
scenario's per-sample losses and mean) inside the weighted mean. Other expected numbers come from
the builders, whose own tests check them against PyTorch, scikit-learn and Keras's documentation.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from app_helpers import unescape
from lessons_helpers import (
    HOSTILE_VALUES,
    assert_hostile_link_is_harmless,
    metrics,
    rerun,
    tables,
)
from lessons_helpers import open_page as open_learn_page
from streamlit.testing.v1 import AppTest

from xentui.domain.presets import DEFAULT_SCENARIO, PRESETS
from xentui.domain.share_link import encode
from xentui.kit.format import fmt
from xentui.lessons import class_weights as weighting
from xentui.lessons import soft_targets as soft

PAGE = "pages/learn/targets_weights_smoothing.py"
STALE = "Meanwhile the last result that could be computed is shown."
open_page = partial(open_learn_page, PAGE)


def latex_with(at: AppTest, fragment: str) -> list[str]:
    return [x.value for x in at.latex if fragment in x.value]


def table_with(at: AppTest, column: str):
    found = [d.value for d in tables(at) if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in tables(at)]
    return found[0]


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for kind in ("success", "info", "warning", "error") for a in at.get(kind)]
    return unescape("\n".join(parts))


def errors(at: AppTest) -> list[str]:
    return [unescape(e.value) for e in at.error]


def chart(at: AppTest, key: str) -> dict:
    import json

    found = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if key in c.proto.id]
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return open_page()


# ------------------------------------------------------------------------------ default view


def test_default_view_shows_the_notebooks_two_losses_as_kl(default_page):
    at = default_page
    rows = latex_with(at, r"\text{CE} = ")
    assert r"q_{1}:\quad \text{CE} = 0.3567 = H(p) + \text{KL} = 0.0000 + 0.3567" in rows[0]
    assert r"q_{2}:\quad \text{CE} = 2.3026 = H(p) + \text{KL} = 0.0000 + 2.3026" in rows[1]
    assert "[0.1, 0.3, 0.6] at 2.3026 = −log 0.1" in page_text(at)
    assert len(at.get("plotly_chart")) == 2


def test_default_view_moves_the_smoothed_minimum(default_page):
    at = default_page
    assert at.slider(key="tws_eps").value == 0.1
    assert latex_with(at, r"1 - 0.1 + \tfrac{0.1}{3} = 0.9333")
    assert latex_with(at, r"H(q') = 0.2911 \text{ at } p(\text{target}) = 0.9333")
    assert latex_with(at, r"= 3.3322")  # log(0.9333 / 0.0333): a finite logit gap
    assert "label_smoothing=0.1) = 0.2911, the floor H(q′)" in page_text(at)


def test_default_view_writes_out_the_weighted_mean(default_page):
    at = default_page
    assert at.text_input(key="tws_weights").value == "2, 1, 1"
    assert latex_with(
        at, r"\frac{2 \cdot 2.4076 + 1 \cdot 0.1429}{2 + 1} = \frac{4.9581}{3} = 1.6527"
    )
    assert metrics(at) == {
        "PyTorch: ÷ Σ w[target]": "1.6527 nats",
        "÷ N = 2 (Keras's sample weights)": "2.4791 nats",
        "Unweighted mean of the kept samples": "1.2753 nats",
    }
    table = table_with(at, "w[target]")
    assert list(table["target"]) == ["cat", "pig"] and list(table["w[target]"]) == [2.0, 1.0]


def test_default_view_compares_the_libraries_on_the_seed_reference(default_page):
    at = default_page
    table = table_with(at, "mean divides by")
    losses = dict(zip(table["library"], table["loss"], strict=True))
    seed_value = losses["seed's NumPy function"]
    assert f"{seed_value:.11f}" == "0.71355817782"
    assert losses["PyTorch"] == pytest.approx(0.71355817782, rel=1e-6)
    assert losses["scikit-learn"] == pytest.approx(0.71355817782, rel=1e-12)
    assert losses["Keras 3"] == pytest.approx((np.log(4) - np.log(0.96 / 0.99)) / 2, rel=1e-6)
    text = page_text(at).replace("**", "")
    assert "clipped to [1e-12, 1 − 1e-12], gives 0.71355817782 here" in text
    # the number is the docstring's categorical answer; the function's body is the binary form
    assert "The seed's NumPy function itself computes the binary form" in text
    assert "The seed's NumPy function gives" not in text


# ------------------------------------------------------------------------------ controls


def test_typed_soft_target_splits_into_entropy_and_kl():
    at = open_page()
    at.text_input(key="tws_p").input("0.6, 0.3, 0.1")
    at.text_input(key="tws_q").input("0.7, 0.2, 0.1; 0.6, 0.3, 0.1")
    rerun(at)
    parts = soft.decompose([0.6, 0.3, 0.1], [[0.7, 0.2, 0.1], [0.6, 0.3, 0.1]])
    rows = latex_with(at, r"\text{CE} = ")
    h = fmt(parts.entropy[0])
    assert rf"= H(p) + \text{{KL}} = {h} + {fmt(parts.kl[0])}" in rows[0]
    assert rf"\text{{CE}} = {h} = H(p) + \text{{KL}} = {h} + 0.0000" in rows[1]  # q = p: KL = 0


def test_load_buttons_fill_the_boxes():
    at = open_page()
    at.button(key="tws_load_soft").click()
    rerun(at)
    assert at.text_input(key="tws_p").value == "0.6, 0.3, 0.1"
    assert len(latex_with(at, r"\text{CE} = ")) == 3
    at.button(key="tws_load_playground").click()
    rerun(at)
    assert at.text_input(key="tws_p").value == "1, 0, 0; 0, 0, 1"
    assert at.text_input(key="tws_q").value.startswith("0.090031, 0.244728, 0.665241; 0.015876")
    rows = latex_with(at, r"\text{CE} = ")
    assert r"\text{CE} = 2.4076" in rows[0] and r"\text{CE} = 0.1429" in rows[1]
    at.button(key="tws_load_seed").click()
    rerun(at)
    assert r"\text{CE} = 0.3567" in latex_with(at, r"\text{CE} = ")[0]


def test_smoothing_slider_moves_the_minimum():
    at = open_page()
    at.slider(key="tws_eps").set_value(0.5)
    rerun(at)
    best = soft.smoothing_minimum(3, 0.5)
    assert latex_with(at, rf"H(q') = {fmt(best.loss)} \text{{ at }} p(\text{{target}}) = 0.6667")
    at.slider(key="tws_eps").set_value(0.0)
    rerun(at)
    assert latex_with(at, r"H(q') = 0.0000 \text{ at } p(\text{target}) = 1.0000")
    assert latex_with(at, r"= \infty")


def test_weights_and_ignored_samples_change_the_denominator():
    at = open_page()
    at.text_input(key="tws_weights").input("1, 1, 4")
    rerun(at)
    assert latex_with(
        at, r"\frac{1 \cdot 2.4076 + 4 \cdot 0.1429}{1 + 4} = \frac{2.9793}{5} = 0.5959"
    )
    assert metrics(at)["PyTorch: ÷ Σ w[target]"] == fmt((2.407606 + 4 * 0.142932) / 5) + " nats"
    at.multiselect(key="tws_ignore").select("sample 1")
    rerun(at)
    assert latex_with(at, r"\frac{4 \cdot 0.1429}{4} = \frac{0.5717}{4} = 0.1429")
    assert list(table_with(at, "w[target]")["in the mean?"]) == ["ignored", "yes"]
    assert metrics(at)["÷ N = 2 (Keras's sample weights)"] == fmt(4 * 0.142932 / 2) + " nats"


def test_library_inputs_and_their_examples():
    at = open_page()
    at.button(key="tws_lib_weighted").click()
    rerun(at)
    table = table_with(at, "mean divides by")
    by_name = dict(zip(table["library"], table["… here"], strict=True))
    assert by_name["PyTorch"] == 4 and by_name["Keras 3"] == 2 and by_name["scikit-learn"] == 4
    at.button(key="tws_lib_zero").click()
    rerun(at)
    table = table_with(at, "mean divides by")
    assert np.isinf(table["loss"][0])
    at.text_input(key="tws_lib_p").input("0.5, 0.5; 0.2, 0.8")
    at.text_input(key="tws_lib_t").input("0, 1")
    at.text_input(key="tws_lib_w").input("3, 1")
    rerun(at)
    table = table_with(at, "mean divides by")
    expected = (3 * np.log(2) - np.log(0.8)) / 4
    assert table["loss"][0] == pytest.approx(expected, rel=1e-6)
    at.button(key="tws_lib_seed").click()
    rerun(at)
    assert at.text_input(key="tws_lib_w").value == ""


# ------------------------------------------------------------------------------ links and state


def test_a_link_sets_every_control():
    at = open_page(
        tws_p="0.5, 0.5",
        tws_q="0.9, 0.1",
        tws_eps="0.3",
        tws_weights="1, 1, 1",
        tws_ignore="sample 2",
        tws_lib_p="0.9, 0.1",
        tws_lib_t="0",
        tws_lib_w="2, 1",
    )
    parts = soft.decompose([0.5, 0.5], [[0.9, 0.1]])
    assert rf"\text{{CE}} = {fmt(parts.cross_entropy[0])}" in latex_with(at, r"\text{CE}")[1]
    assert latex_with(at, r"1 - 0.3 + \tfrac{0.3}{3} = 0.8000")
    assert latex_with(at, r"\frac{1 \cdot 2.4076}{1} = \frac{2.4076}{1} = 2.4076")
    table = table_with(at, "mean divides by")
    assert table["loss"][0] == pytest.approx(-np.log(0.9), rel=1e-6)


def test_the_playgrounds_scenario_drives_the_weights_section():
    scenario = PRESETS["Notebook: three samples, bad predictions (1.6242)"].with_options(
        weights=(1.0, 2.0, 3.0)
    )
    at = open_page(s=encode(scenario))
    assert at.text_input(key="tws_weights").value == "1, 2, 3"
    result = weighting.weighted_mean(scenario, np.array([1.0, 2.0, 3.0]), [False] * 3)
    assert metrics(at)["PyTorch: ÷ Σ w[target]"] == fmt(result.mean) + " nats"
    assert result.denominator == 6 and latex_with(at, r"{3 + 1 + 2}")
    assert "s" in at.query_params


def test_the_soft_target_scenario_is_read_by_its_most_likely_class():
    scenario = DEFAULT_SCENARIO.with_options(
        soft_targets=((0.8, 0.2, 0.0), (0.0, 0.1, 0.9)), label_smoothing=0.2
    )
    at = open_page(s=encode(scenario))
    assert (
        "From the Playground's scenario: its probability targets are replaced by their most "
        "likely class; label smoothing is left out." in page_text(at)
    )
    assert metrics(at)["PyTorch: ÷ Σ w[target]"] == "1.6527 nats"


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("key", "text", "problem"),
    [
        ("tws_p", "0.7, 0.2", "Row 1: expected a row summing to 1 (within 0.001); got a row "
         "summing to 0.9."),
        ("tws_q", "0.5, abc, 0.5", "Entry 2: expected a number in [0, 1]; got “abc”."),
        ("tws_q", "1.2, -0.1, -0.1", "Entry 1: expected a number in [0, 1]; got 1.2."),
        ("tws_p", "0.5, 0.5", "Expected 3 classes, as many as the predictions; got 2 classes."),
        ("tws_p", "1, 0, 0; 0, 1, 0; 0, 0, 1", "Expected 1 row for all predictions, or 2, one "
         "per prediction; got 3 rows."),
    ],
)  # fmt: skip
def test_bad_distributions_get_a_message_and_the_last_good_result_stays(key, text, problem):
    at = open_page()
    at.text_input(key=key).input(text)
    rerun(at)
    assert errors(at) == [problem]
    assert STALE in page_text(at)
    assert latex_with(at, r"q_{1}:\quad \text{CE} = 0.3567")  # the last good decomposition
    assert metrics(at)["PyTorch: ÷ Σ w[target]"] == "1.6527 nats"
    assert len(at.get("plotly_chart")) == 2


def test_bad_distributions_in_a_link_have_no_last_good_result():
    at = open_page(tws_p="0.7, 0.2")
    assert "Fix the probabilities above to see the decomposition." in [i.value for i in at.info]
    assert len(at.get("plotly_chart")) == 1  # the smoothing figure is still there


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2, 1", "Expected 3 weights, one per class in the order of the classes; got 2 weights."),
        ("2, -1, 1", "Entry 2: expected a weight from 0 to 1e+06; got -1."),
        ("<b>2</b>, 1, 1", "Entry 1: expected a weight from 0 to 1e+06; got “<b>2</b>”."),
    ],
)  # fmt: skip
def test_bad_weights_get_a_message_beside_them(text, problem):
    at = open_page()
    at.text_input(key="tws_weights").input(text)
    rerun(at)
    assert errors(at) == [problem]
    assert STALE in page_text(at)
    assert metrics(at)["PyTorch: ÷ Σ w[target]"] == "1.6527 nats"  # the last good weighted mean
    assert latex_with(at, r"q_{1}:\quad \text{CE} = 0.3567")


def test_nothing_left_to_average_is_a_problem_not_a_nan():
    at = open_page(tws_ignore=["sample 1", "sample 2"])
    assert errors(at) == [
        "Expected at least one sample kept (0/0 is NaN); got every sample ignored."
    ]
    assert not [m for m in at.metric if m.label.startswith("PyTorch")]
    at = open_page(tws_ignore="sample 2", tws_weights="0, 1, 1")  # the cat's weight is 0
    assert errors(at) == [
        "Expected a kept sample whose target class weighs more than 0 (0/0 is NaN); got weight 0 "
        "on every kept sample's target class."
    ]
    assert not [m for m in at.metric if m.label.startswith("PyTorch")]


@pytest.mark.parametrize(
    ("p", "t", "w", "problem"),
    [
        ("0.5, 0.5", "0, 1", "", "Expected 1, one per row of P; got 2 targets."),
        ("0.5, 0.5; 0.5, 0.5", "0, 5", "", "Entry 2: expected a class index from 0 to 1; got 5."),
        ("0.5, 0.5; 0.5, 0.5", "-1, 3", "", "Entry 1: expected a class index from 0 to 1; got -1."),
        ("0.5, 0.5; 0.5, 0.5", "-100, 3", "",
         "Entry 1: expected a class index from 0 to 1; got -100."),
        ("0.5, 0.5; 0.5, 0.5", "1e20, 3", "",
         "Entry 1: expected a class index from 0 to 1; got 1e+20."),
        ("0.5, 0.5", "0", "1, 1, 1",
         "Expected 2 weights, one per class in the order of the classes; got 3 weights."),
        ("1.5, 0", "0", "", "Entry 1: expected a number in [0, 1]; got 1.5."),
    ],
)  # fmt: skip
def test_bad_library_inputs_get_a_message_beside_their_box(p, t, w, problem):
    at = open_page(tws_lib_p=p, tws_lib_t=t, tws_lib_w=w)
    assert errors(at) == [problem]
    assert "Fix the inputs above to compare the libraries." in [i.value for i in at.info]


def test_a_bad_library_target_keeps_the_last_comparison():
    at = open_page()
    at.text_input(key="tws_lib_t").input("-1, 3")
    rerun(at)
    assert errors(at) == ["Entry 1: expected a class index from 0 to 3; got -1."]
    assert STALE in page_text(at)
    assert "0.71355817782" in page_text(at)


@pytest.mark.parametrize("value", ["1.5", "-0.2", "lots"])
def test_a_bad_smoothing_value_in_the_link_is_named(value):
    at = open_page(tws_eps=value)
    assert errors(at) == [
        f"The link’s tws_eps: expected a number from 0 to 1; got “{value}” — showing 0.1 instead."
    ]
    assert latex_with(at, r"H(q') = 0.2911")


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize(
    ("key", "control"),
    [("tws_p", False), ("tws_q", False), ("tws_eps", True), ("tws_weights", False),
     ("tws_ignore", True), ("tws_lib_p", False), ("tws_lib_t", False), ("tws_lib_w", False)],
)  # fmt: skip
def test_any_link_value_is_harmless(key, value, control):
    at = assert_hostile_link_is_harmless(PAGE, key, value, control)
    assert latex_with(at, r"H(q') = ")


def test_a_broken_scenario_link_warns_and_the_page_shows_the_default():
    at = open_page(s="1.garbage")
    assert unescape(at.warning[0].value).startswith("This link could not be opened")
    assert metrics(at)["PyTorch: ÷ Σ w[target]"] == "1.6527 nats"


def test_a_soft_target_chart_uses_the_scenarios_class_names():
    spec = chart(open_page(), "tws_decomposition")
    assert spec["data"][0]["x"] == ["cat", "dog", "pig"]


# ------------------------------------------------------------------------------ confusions


def frame_with(at: AppTest, *columns: str):
    return next(d.value for d in tables(at) if set(columns) <= set(d.value.columns))


def test_targets_pytorch_refuses_on_the_playgrounds_numbers(default_page):
    frame = frame_with(default_page, "target", "PyTorch").set_index("target")["PyTorch"]
    assert frame["class indices, int64 (right)"] == "1.2753"  # the seed's mean
    assert frame["class indices as floats"] == (
        "RuntimeError: expected target dtype to be Long or Byte, but got Float"
    )
    assert frame["a (2, 1) column of indices"] == (
        "RuntimeError: 0D or 1D target tensor expected, multi-target not supported"
    )
    assert frame["an index out of range: 3, with C = 3"] == "IndexError: Target 3 is out of bounds."


def test_ignore_with_smoothing_and_the_all_ignored_nan():
    at = open_page(tws_eps="0.1", tws_ignore="sample 2")
    frame = frame_with(at, "loss, label_smoothing=0.1")
    assert frame["loss, label_smoothing=0.1"].tolist() == ["2.3076", "0.0000"]
    shown = page_text(at).replace("**", "")
    assert "PyTorch's mean: 2.3076 = Σ ℓ / 1 kept; ÷ N = 2 would say 1.1538" in shown
    assert "Ignore every sample and PyTorch's mean is nan (0 / 0), its reduction='sum' 0.0000" in (
        shown
    )


def test_weights_with_probability_targets_divide_by_n(default_page):
    shown = page_text(default_page).replace("**", "")
    # weights 2, 1, 1 on the seed: Σ w ℓ = 2 · 2.4076 + 0.1429 = 4.9581
    assert "the mean is 2.4791 = Σ w · ℓ / N with N = 2, not 1.6527" in shown


def test_the_smoothing_sentence_spreads_eps_over_every_class(default_page):
    shown = page_text(default_page)
    assert "PyTorch spreads ε evenly over all C = 3 classes, the target included" in shown
    assert "each of the other 2 gets ε/C" in shown
