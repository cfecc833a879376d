"""The Gradients and temperature page through AppTest: default view, controls, links, bad input.

Seed numbers (000_*, the walkthrough) the page must show and these tests check: softmax
[0.0900, 0.2447, 0.6652] and [0.0159, 0.1173, 0.8668], losses 2.4076 and 0.1429, their mean
1.2753, and sample 1's gradient softmax − one-hot = [−0.9100, 0.2447, 0.6652]. Other expected
numbers come from the builders, whose own tests check them against torch autograd.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from app_helpers import unescape
from lessons_helpers import HOSTILE_VALUES, assert_hostile_link_is_harmless, metrics, rerun
from lessons_helpers import open_page as open_learn_page
from streamlit.testing.v1 import AppTest

from xentui.domain.presets import DEFAULT_SCENARIO, PRESETS
from xentui.domain.share_link import encode
from xentui.kit.format import fmt
from xentui.lessons import gradients as grads
from xentui.lessons import temperature as temp

PAGE = "pages/learn/gradients_temperature.py"
open_page = partial(open_learn_page, PAGE)
SEED_P1 = r"p = \begin{bmatrix} 0.0900 & 0.2447 & 0.6652 \end{bmatrix}"
SEED_GRAD1 = r"p - q = \begin{bmatrix} -0.9100 & 0.2447 & 0.6652 \end{bmatrix}"


def latex_with(at: AppTest, fragment: str) -> list[str]:
    return [x.value for x in at.latex if fragment in x.value]


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for kind in ("success", "info", "warning", "error") for a in at.get(kind)]
    return unescape("\n".join(parts))


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return open_page()


# ------------------------------------------------------------------------------ default view


def test_default_view_shows_the_seed_gradient(default_page):
    at = default_page
    assert latex_with(at, SEED_P1) and latex_with(at, SEED_GRAD1)
    shown = metrics(at)
    assert shown["Loss of sample 1 of the Playground"] == "2.4076 nats"
    assert shown["Sum of the gradient's components"] == "0.0000"
    assert float(shown["Largest gap to torch autograd"]) < 1e-6
    assert "Autograd on `F.cross_entropy` gives -0.9100, 0.2447, 0.6652" in page_text(at)


def test_default_view_takes_one_step(default_page):
    at = default_page
    assert latex_with(at, r"\ell: 2.4076 \to 1.2196")
    assert latex_with(at, r"z' = z - 1\,\nabla_z \ell = \begin{bmatrix} 1.9100 & 1.7553 & 2.3348")
    assert "The loss changes by -1.1880; the first-order estimate −lr · ‖∇‖² says -1.3305." in (
        page_text(at).replace("**", "")
    )


def test_default_view_lists_the_batch_gradient(default_page):
    table = next(d.value for d in default_page.dataframe if "row" in d.value.columns)
    p_rows = table[table["row"] == "p"][["cat", "dog", "pig"]].to_numpy()
    np.testing.assert_allclose(
        p_rows, [[0.0900, 0.2447, 0.6652], [0.0159, 0.1173, 0.8668]], atol=5e-5
    )
    grad_rows = table[table["row"] == "∂ mean/∂z"][["cat", "dog", "pig"]].to_numpy()
    np.testing.assert_allclose(grad_rows * 2, p_rows - [[1, 0, 0], [0, 0, 1]], atol=5e-5)
    assert "The mean loss (1.2753) divides by 2" in page_text(default_page)


def test_default_view_shows_temperature_one(default_page):
    at = default_page
    shown = metrics(at)
    assert shown["Loss at T = 1"] == "2.4076 nats"
    assert shown["Entropy at T = 1"] == "0.8324"
    assert shown["log C, the entropy of a uniform guess"] == "1.0986"
    assert latex_with(at, r"\operatorname{softmax}(z / 1) = \begin{bmatrix} 0.0900 & 0.2447")
    assert len(at.get("plotly_chart")) == 4


# ------------------------------------------------------------------------------ controls


def test_choosing_the_second_sample():
    at = open_page()
    at.number_input(key="grad_sample").set_value(2)
    rerun(at)
    assert latex_with(at, r"p = \begin{bmatrix} 0.0159 & 0.1173 & 0.8668 \end{bmatrix}")
    assert latex_with(at, r"p - q = \begin{bmatrix} 0.0159 & 0.1173 & -0.1332 \end{bmatrix}")
    assert metrics(at)["Loss of sample 2 of the Playground"] == "0.1429 nats"


def test_typed_logits_and_their_target():
    at = open_page()
    at.text_input(key="grad_logits").input("4, 3, 2, 10")
    rerun(at)  # the target box is enabled once there are typed logits
    at.number_input(key="grad_target").set_value(3)
    rerun(at)
    sample = grads.sample_gradient(np.array([4.0, 3.0, 2.0, 10.0], np.float32), 3)
    assert metrics(at)["Loss of the typed logits"] == "0.0037 nats"
    # The PyTorch explainer (001_*) prints [2.4696e-03, 9.0850e-04, 3.3422e-04, 9.9629e-01].
    assert latex_with(
        at,
        r"\begin{bmatrix} 0.0025 & 9.0850 \times 10^{-4} & 3.3422 \times 10^{-4} & 0.9963 "
        r"\end{bmatrix}",
    )
    assert "p as torch prints it: [2.4696e-03, 9.0850e-04, 3.3422e-04, 9.9629e-01]" in (
        page_text(at)
    )  # all four, in the explainer's own digits
    assert fmt(sample.gradient[3]) == "-0.0037"
    assert metrics(at)["log C, the entropy of a uniform guess"] == fmt(np.log(4))


def test_learning_rate_and_temperature():
    at = open_page()
    at.select_slider(key="grad_lr").set_value(0.1)
    at.select_slider(key="grad_T").set_value(0.5)
    rerun(at)
    sample = grads.sample_gradient(np.array([1.0, 2.0, 3.0], np.float32), 0)
    step = grads.gradient_step(sample, 0.1)
    assert latex_with(at, rf"\ell: 2.4076 \to {fmt(step.loss)}")
    view = temp.at_temperature([1.0, 2.0, 3.0], [1.0, 0.0, 0.0], 0.5)
    shown = metrics(at)
    assert shown["Loss at T = 0.5"] == fmt(view.loss) + " nats"
    assert shown["Entropy at T = 0.5"] == fmt(view.entropy)
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Loss at T = 0.5"] == fmt(view.loss - 2.4076059644443806) + " nats"
    assert latex_with(at, r"\frac{p_T - q}{T} = " + r"\begin{bmatrix} " + fmt(view.gradient[0]))


# ------------------------------------------------------------------------------ links and state


def test_a_link_sets_every_control():
    at = open_page(grad_sample="2", grad_lr="0.5", grad_T="2.0")
    assert metrics(at)["Loss of sample 2 of the Playground"] == "0.1429 nats"
    sample = grads.sample_gradient(np.array([2.0, 4.0, 6.0], np.float32), 2)
    assert latex_with(at, rf"\to {fmt(grads.gradient_step(sample, 0.5).loss)}")
    view = temp.at_temperature([2.0, 4.0, 6.0], [0.0, 0.0, 1.0], 2.0)
    assert metrics(at)["Loss at T = 2"] == fmt(view.loss) + " nats"
    typed = open_page(grad_logits="20, 2, 3, 4", grad_target="3")
    assert metrics(typed)["Loss of the typed logits"] == "16.0000 nats"


def test_the_playgrounds_options_travel_in():
    scenario = PRESETS["Notebook: three samples, bad predictions (1.6242)"].with_options(
        label_smoothing=0.2, temperature=2.0, weights=(1.0, 2.0, 3.0)
    )
    at = open_page(s=encode(scenario))
    text = page_text(at)
    assert "z is the logits ÷ the Playground's temperature T = 2" in text
    assert "the target is smoothed with the Playground's ε = 0.2" in text
    assert "class weights would multiply this gradient by w[target]" in text
    logits = np.asarray(scenario.logits[0], np.float32) / np.float32(2.0)
    sample = grads.sample_gradient(logits, 2, 0.2)
    assert metrics(at)["Loss of sample 1 of the Playground"] == fmt(sample.loss) + " nats"
    assert "The Playground itself uses T = 2; this section starts from its logits" in text


def test_a_smaller_scenario_clamps_the_chosen_sample():
    at = open_page()
    at.number_input(key="grad_sample").set_value(2)
    rerun(at)
    one = PRESETS["Notebook: one sample, good prediction (0.4170)"]
    at.session_state["scenario"] = one  # as after the Playground loaded a one-sample preset
    rerun(at)
    assert at.number_input(key="grad_sample").value == 1
    assert metrics(at)["Loss of sample 1 of the Playground"] == "0.4170 nats"


def test_an_ignored_sample_is_shown_with_a_note():
    scenario = DEFAULT_SCENARIO.with_options(ignored=(True, False))
    at = open_page(s=encode(scenario))
    assert "this sample is ignored on the Playground, where its gradient is 0" in page_text(at)


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("5", "Expected at least 2 logits, one per class; got 1 logit."),
        ("1, two, 3", "Entry 2: expected a finite number within ±1e+06; got “two”."),
        ("1e9, 0", "Entry 1: expected a finite number within ±1e+06; got 1e+09."),
        ("1, 2; 3, 4", "Expected at most 1 rows of logits; got 2 rows."),
        ("_1_, [x](y)", "Entry 1: expected a finite number within ±1e+06; got “_1_”."),
    ],
)
def test_bad_typed_logits_get_a_message_and_the_playground_sample_stays(typed, problem):
    at = open_page()
    at.text_input(key="grad_logits").input(typed)
    rerun(at)
    assert [unescape(e.value) for e in at.error] == [problem]
    assert "Meanwhile: sample 1 of the Playground." in page_text(at)
    assert latex_with(at, SEED_GRAD1)


def test_a_target_beyond_the_typed_logits_is_refused_beside_it():
    at = open_page()
    at.text_input(key="grad_logits").input("1, 2")
    rerun(at)
    at.number_input(key="grad_target").set_value(5)
    rerun(at)
    assert [unescape(e.value) for e in at.error] == [
        "Target class index: expected a class index from 0 to 1, one per typed logit; got 5."
    ]
    # meanwhile the last good choice, the typed logits with target 0, stays on show
    assert metrics(at)["Loss of the typed logits"] == fmt(float(np.log1p(np.exp(1.0)))) + " nats"


@pytest.mark.parametrize(
    ("key", "value", "allowed", "shown"),
    [
        ("grad_sample", "9", "a whole number from 1 to 2", "1"),
        ("grad_sample", "one", "a whole number from 1 to 2", "1"),
        ("grad_target", "99", "a whole number from 0 to 31", "0"),
        ("grad_lr", "3", "one of 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0", "1.0"),
        ("grad_T", "0", "one of " + ", ".join(map(str, temp.TEMPERATURES)), "1.0"),
    ],
)
def test_bad_link_values_are_named_and_the_default_shown(key, value, allowed, shown):
    at = open_page(**{key: value})
    assert [unescape(e.value) for e in at.error] == [
        f"The link’s {key}: expected {allowed}; got “{value}” — showing {shown} instead."
    ]
    assert latex_with(at, SEED_GRAD1)
    assert metrics(at)["Loss at T = 1"] == "2.4076 nats"


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize(
    ("key", "control"),
    [("grad_sample", True), ("grad_logits", False), ("grad_target", True), ("grad_lr", True),
     ("grad_T", True)],
)  # fmt: skip
def test_any_link_value_is_harmless(key, value, control):
    at = assert_hostile_link_is_harmless(PAGE, key, value, control)
    assert any(label.startswith("Loss at T = ") for label in metrics(at))


def test_bad_typed_logits_keep_the_last_good_ones():
    at = open_page()
    at.text_input(key="grad_logits").input("4, 3, 2, 10")
    rerun(at)
    at.number_input(key="grad_target").set_value(3)
    rerun(at)
    at.text_input(key="grad_logits").input("4, 3, 2, inf")
    rerun(at)
    assert metrics(at)["Loss of the typed logits"] == "0.0037 nats"
    assert "Meanwhile: the typed logits." in page_text(at)


def test_a_broken_scenario_link_warns_and_the_page_shows_the_default():
    at = open_page(s="1.garbage")
    assert unescape(at.warning[0].value).startswith("This link could not be opened")
    assert latex_with(at, SEED_GRAD1)


# ------------------------------------------------------------------------------ truths


def test_low_temperature_is_not_said_to_enlarge_every_step(default_page):
    text = page_text(default_page)
    assert "makes every step larger" not in text and "follows from 0" not in text
    assert "does not make every step larger" in text
    assert "falls to 0 only when one logit is the largest" in text


@pytest.mark.parametrize(("target", "grows"), [(0, True), (2, False)])
def test_the_gradient_at_low_temperature_grows_only_for_a_wrong_answer(target, grows):
    one_hot = np.eye(3)[target]
    cold = temp.at_temperature([1.0, 2.0, 3.0], one_hot, 0.05)
    warm = temp.at_temperature([1.0, 2.0, 3.0], one_hot, 1.0)
    cold_norm, warm_norm = np.linalg.norm(cold.gradient), np.linalg.norm(warm.gradient)
    assert bool(cold_norm > warm_norm) is grows
    if not grows:
        assert cold_norm < 1e-6  # the target holds the unique largest logit


def test_ce_against_mse_on_the_seed_sample(default_page):
    frame = next(d.value for d in default_page.dataframe if "∂MSE/∂z_target" in d.value.columns)
    assert frame["∂CE/∂z_target"].iloc[0] == "-0.9100"  # the seed's p − y on the target
    assert float(frame["∂MSE/∂z_target"].iloc[-1]) == pytest.approx(0, abs=1e-6)
    assert float(frame["∂CE/∂z_target"].iloc[-1]) == pytest.approx(-1, abs=1e-4)
    assert latex_with(default_page, r"\nabla_z \text{CE} = \begin{bmatrix} -0.9100")


def test_the_loss_follows_the_unit_switch():
    at = open_page(unit="bits")
    shown = metrics(at)
    assert shown["Loss of sample 1 of the Playground"] == "3.4734 bits"
    assert shown["Loss at T = 1"] == "3.4734 bits"
