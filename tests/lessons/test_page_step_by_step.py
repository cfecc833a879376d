"""AppTest of the Step by step page: the seed walkthrough's numbers, every control, links, bad
input.

Seed numbers (000_*, logits [[1, 2, 3], [2, 4, 6]], targets cat and pig): softmax [[0.0900, 0.2447,
0.6652], [0.0159, 0.1173, 0.8668]]; log p −2.4076, −1.4076, −0.4076 and −4.1429, −2.1429, −0.1429;
per-sample 2.4076 and 0.1429; sum 2.5505; mean 1.2753; Y·(−log P)ᵀ = [[2.4076, 4.1429],
[0.4076, 0.1429]].
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from lessons_helpers import (
    HOSTILE_VALUES,
    assert_hostile_link_is_harmless,
    latex,
    metrics,
    page_text,
    refusal_beside,
    table,
    tables,
)
from lessons_helpers import open_page as open_learn_page
from streamlit.testing.v1 import AppTest

from xentui.domain.presets import DEFAULT_SCENARIO, PRESETS, random_scenario
from xentui.domain.scenario import Scenario
from xentui.domain.share_link import encode
from xentui.kit.format import fmt
from xentui.lessons.step_by_step import walkthrough

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/learn/step_by_step.py"
open_page = partial(open_learn_page, PAGE)
REFERENCE = PRESETS["Walkthrough: reference answer 0.71355817782"]


def has_table(at: AppTest, column: str) -> bool:
    return any(column in df.value.columns for df in tables(at))


def markdown(at: AppTest) -> str:
    return "\n".join(element.value for element in at.markdown)


def test_default_view_shows_the_seed_walkthrough():
    at = open_page()
    assert at.metric[0].value == "1.2753 nats"
    formulas = latex(at)
    assert r"0.0900 & 0.2447 & 0.6652 \\ 0.0159 & 0.1173 & 0.8668" in formulas
    assert r"-2.4076 & -1.4076 & -0.4076 \\ -4.1429 & -2.1429 & -0.1429" in formulas
    assert r"-1 \cdot \log 0.0900 = -1 \cdot (-2.4076) = 2.4076" in formulas  # term 1
    assert r"2.4076 & 4.1429 \\ 0.4076 & 0.1429" in formulas  # Y · (−log P)ᵀ
    assert r"\frac{2.4076 + 0.1429}{2} = \frac{2.5505}{2} = 1.2753" in formulas
    assert markdown(at).count("Mean loss **1.2753**") == 4
    assert "All of them print 1.2753" in at.success[0].value
    assert at.number_input(key="term").value == 1
    assert not at.toggle(key="all_terms").value
    timings = table(at, "implementation")
    assert timings["implementation"].tolist() == [
        "Loop", "Dot product (N × N)", "Vectorised kernel", "PyTorch"
    ]  # fmt: skip
    assert timings["fastest call (ms)"].notna().all()


def test_show_every_term_writes_each_sample_and_the_mean():
    at = open_page()
    at.toggle(key="all_terms").set_value(True).run()
    assert not at.exception
    terms = table(at, "running sum")
    assert len(terms) == 6
    assert [f"{v:.4f}" for v in terms["log p"]] == [
        "-2.4076", "-1.4076", "-0.4076", "-4.1429", "-2.1429", "-0.1429"
    ]  # fmt: skip
    assert [f"{v:.4f}" for v in terms["p"]] == [
        "0.0900", "0.2447", "0.6652", "0.0159", "0.1173", "0.8668"
    ]  # fmt: skip
    formulas = latex(at)
    assert (
        r"\ell_{1} = -\left(1 \cdot (-2.4076) + 0 \cdot (-1.4076) + 0 \cdot (-0.4076)\right)"
        in formulas
    )
    assert (
        r"\ell_{2} = -\left(0 \cdot (-4.1429) + 0 \cdot (-2.1429) + 1 \cdot (-0.1429)\right)"
        in formulas
    )
    assert r"\left(2.4076 + 0.1429\right) = \frac{2.5505}{2} = 1.2753" in formulas
    assert at.number_input(key="term").disabled


def test_next_and_back_step_through_the_terms():
    at = open_page()
    for _ in range(5):
        at.button(key="term_next").click().run()
    assert at.number_input(key="term").value == 6
    assert at.button(key="term_next").disabled
    formulas = latex(at)
    assert r"-1 \cdot \log 0.8668 = -1 \cdot (-0.1429) = 0.1429" in formulas
    assert r"\text{running sum} = 2.5505" in formulas
    assert r"\frac{2.5505}{2} = 1.2753" in formulas
    at.button(key="term_back").click().run()
    assert at.number_input(key="term").value == 5
    assert "Term 5 of 6" in markdown(at)
    assert any("1 term(s) to go before the mean" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("term", "shown"),
    [
        (2, r"\log 0.2447 = -0 \cdot (-1.4076)"),
        (3, r"\log 0.6652 = -0 \cdot (-0.4076)"),
        (4, r"\log 0.0159 = -0 \cdot (-4.1429)"),
        (5, r"\log 0.1173 = -0 \cdot (-2.1429)"),
    ],
)
def test_term_input_shows_that_term(term, shown):
    at = open_page()
    at.number_input(key="term").set_value(term).run()
    assert shown in latex(at)
    assert len(table(at, "running sum")) == term


def test_a_link_opens_the_page_as_it_was():
    at = open_page(term="4", time_n="1000", s=encode(REFERENCE))
    assert at.number_input(key="term").value == 4
    assert at.select_slider(key="time_n").value == 1000
    assert at.metric[0].value == "0.7136 nats"  # the reference example's walk
    assert "Mean loss **0.7136**" in markdown(at)
    at = open_page(all_terms="true")
    assert at.toggle(key="all_terms").value
    assert len(table(at, "running sum")) == 6


def test_timing_sizes_decline_with_a_reason():
    at = open_page()
    at.select_slider(key="time_n").set_value(10_000).run()
    assert not at.exception
    notes = table(at, "implementation").set_index("implementation")["note"]
    assert "N × N" in notes["Dot product (N × N)"] and "MiB" in notes["Dot product (N × N)"]
    at.select_slider(key="time_n").set_value(1_000_000).run()
    notes = table(at, "implementation").set_index("implementation")["note"]
    assert "Python step" in notes["Loop"]
    at.button(key="time_again").click().run()
    assert not at.exception
    assert table(at, "implementation")["fastest call (ms)"].notna().sum() == 2


def test_a_damaged_link_warns_and_shows_the_default():
    at = open_page(s="1.not-a-scenario")
    assert "could not be opened" in at.warning[0].value
    assert at.metric[0].value == "1.2753 nats"


@pytest.mark.parametrize(
    ("key", "value", "kind", "allowed"),
    [
        ("term", "99", "number_input", "from 1 to 6"),
        ("term", "abc", "number_input", "from 1 to 6"),
        ("term", "0", "number_input", "from 1 to 6"),
        ("time_n", "7", "select_slider", "one of 10, 100"),
        ("all_terms", "maybe", "toggle", "true or false"),
    ],
)
def test_bad_values_in_the_link_are_named_beside_their_control(key, value, kind, allowed):
    at = open_page(**{key: value})
    assert at.number_input(key="term").value == 1
    assert at.select_slider(key="time_n").value == 100
    assert at.metric[0].value == "1.2753 nats"
    refusal = refusal_beside(at, key, kind)
    assert refusal.startswith(f"The link’s {key}: expected ") and f"got “{value}”" in refusal
    assert allowed in refusal
    at.run()  # said once, when the link is opened
    assert not at.error


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize(
    ("key", "control"), [("term", True), ("all_terms", True), ("time_n", True)]
)
def test_any_link_value_is_harmless(key, value, control):
    at = assert_hostile_link_is_harmless(PAGE, key, value, control)
    assert at.metric[0].value == "1.2753 nats"


def test_a_valid_link_then_a_change_raises_no_warning():
    at = open_page(term="4")
    at.number_input(key="term").set_value(5).run()
    assert at.number_input(key="term").value == 5
    assert not at.warning


def test_a_smaller_scenario_pulls_the_term_back_in_range():
    at = open_page(term="6")
    assert at.number_input(key="term").value == 6
    at.session_state["scenario"] = PRESETS["PyTorch explainer: confident and right (0.0037)"]
    at.run()
    assert not at.exception
    assert at.number_input(key="term").value == 4  # 1 sample × 4 classes


def test_options_the_walk_leaves_out_are_named():
    options = DEFAULT_SCENARIO.with_options(
        weights=(1.0, 2.0, 3.0), reduction="sum", label_smoothing=0.1
    )
    at = open_page(s=encode(options))
    notes = " ".join(info.value for info in at.info)
    assert "Class weights" in notes and "sum" in notes and "Label smoothing" in notes
    assert at.success  # the four implementations still agree on the smoothed walk


@pytest.mark.parametrize(
    "scenario",
    [
        DEFAULT_SCENARIO.with_options(
            soft_targets=((0.7, 0.2, 0.1), (0.0, 0.5, 0.5)), temperature=2.0, precision="float64"
        ),
        DEFAULT_SCENARIO.with_options(ignored=(True, False), label_smoothing=0.3),
        random_scenario(64, 32, seed=3, spread=5.0),
    ],
    ids=["soft-targets-temperature", "ignored-smoothing", "64x32"],
)
def test_every_kind_of_scenario_walks_and_agrees(scenario):
    at = open_page(s=encode(scenario), all_terms="true")
    walk = walkthrough(scenario)
    assert at.metric[0].value == fmt(walk.mean) + " nats"
    assert len(table(at, "running sum")) == walk.num_terms
    assert at.success, "the four implementations should print the same digits"


def test_underflow_is_explained_not_hidden():
    far = Scenario(classes=("a", "b"), logits=[(0.0, 200.0)], targets=[0])
    at = open_page(s=encode(far))
    assert "46.0517" in at.warning[0].value and "PyTorch" in at.warning[0].value
    assert at.metric[0].value == "200.0000 nats"


def test_too_large_a_timing_is_refused_beside_the_control():
    wide = Scenario(classes=[f"c{k}" for k in range(32)], logits=[[0.0] * 32], targets=[0])
    at = open_page(s=encode(wide), time_n="1000000")
    assert "pick a smaller N" in at.warning[0].value
    assert not has_table(at, "implementation")


def test_class_names_are_shown_literally():
    odd = Scenario(classes=("**bold**", "<b>x</b>", "$x$"), logits=[(1, 2, 3)], targets=[0])
    at = open_page(s=encode(odd))
    text = markdown(at)
    assert r"\*\*bold\*\*" in text and r"\<b\>x\</b\>" in text and r"\$x\$" in text


# ------------------------------------------------------------------------------ ln C, units


def test_ln_c_is_the_untrained_models_loss():
    at = open_page()
    shown = page_text(at).replace("**", "")
    assert (
        "ln C = ln 3 = 1.0986 nats is the loss of a uniform guess — and of an untrained model"
        in (shown)
    )
    assert "PyTorch scores all-equal logits on these targets at 1.0986 nats" in shown
    assert "perplexity e^CE: 3.58 (as unsure as 3.58 equally likely classes)" in shown  # e^1.2753


def test_the_mean_follows_the_unit_switch():
    at = open_page(unit="bits")
    assert metrics(at)["Where the walk ends: the mean"] == "1.8398 bits"  # 1.2753 / ln 2
