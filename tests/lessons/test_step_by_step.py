"""The Step by step page's builders: the walkthrough, its formulas, four implementations, timing.

Known values come from the seed walkthrough (000_*), which prints softmax [[0.0900, 0.2447, 0.6652],
[0.0159, 0.1173, 0.8668]], log p −2.4076/−1.4076/−0.4076 and −4.1429/−2.1429/−0.1429, per-sample
losses 2.4076 and 0.1429, their sum 2.5505 and the mean 1.2753 for logits [[1, 2, 3], [2, 4, 6]]
with targets cat and pig.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from xentui.domain.presets import DEFAULT_SCENARIO, PRESETS
from xentui.domain.scenario import Scenario
from xentui.kit.format import fmt
from xentui.lessons import implementations as impl
from xentui.lessons import step_by_step as steps
from xentui.lessons import timing

SEED_SOFTMAX = [[0.0900, 0.2447, 0.6652], [0.0159, 0.1173, 0.8668]]
SEED_LOG_P = [[-2.4076, -1.4076, -0.4076], [-4.1429, -2.1429, -0.1429]]
SEED_PER_SAMPLE = [2.4076, 0.1429]
SEED_SUM, SEED_MEAN = 2.5505, 1.2753


@pytest.fixture(scope="module")
def walk():
    return steps.walkthrough(DEFAULT_SCENARIO)


def test_walkthrough_reproduces_the_seed_numbers(walk):
    np.testing.assert_allclose(walk.probabilities, SEED_SOFTMAX, atol=5e-5)
    np.testing.assert_allclose(walk.log_probabilities, SEED_LOG_P, atol=5e-5)
    np.testing.assert_allclose(walk.per_sample, SEED_PER_SAMPLE, atol=5e-5)
    assert fmt(walk.total) == "2.5505"
    assert fmt(walk.mean) == "1.2753"
    np.testing.assert_array_equal(walk.targets, [[1, 0, 0], [0, 0, 1]])


def test_running_sum_follows_the_walk_order(walk):
    frame = steps.terms_frame(walk, 6, DEFAULT_SCENARIO.classes)
    assert list(frame["class"]) == ["cat", "dog", "pig"] * 2
    assert [fmt(v) for v in frame["running sum"]] == ["2.4076"] * 5 + ["2.5505"]
    assert [fmt(v) for v in frame["−y · log p"]] == ["2.4076"] + ["0.0000"] * 4 + ["0.1429"]
    assert len(steps.terms_frame(walk, 2, DEFAULT_SCENARIO.classes)) == 2
    assert len(steps.terms_frame(walk, 99, DEFAULT_SCENARIO.classes)) == 6  # clamped, not an error


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (1, r"-1 \cdot \log 0.0900 = -1 \cdot (-2.4076) = 2.4076"),
        (2, r"-0 \cdot \log 0.2447 = -0 \cdot (-1.4076) = 0.0000"),
        (3, r"\log 0.6652 = -0 \cdot (-0.4076)"),
        (4, r"\log 0.0159 = -0 \cdot (-4.1429)"),
        (5, r"\log 0.1173 = -0 \cdot (-2.1429)"),
        (6, r"-1 \cdot \log 0.8668 = -1 \cdot (-0.1429) = 0.1429"),
    ],
)
def test_each_term_is_written_with_its_numbers(walk, step, expected):
    text = steps.term_latex(walk, step)
    assert expected in text
    assert text.endswith("2.5505" if step == 6 else "2.4076")  # the running sum


def test_sample_sums_and_mean_are_written_out(walk):
    first = steps.sample_latex(walk, 0)
    assert r"1 \cdot (-2.4076) + 0 \cdot (-1.4076) + 0 \cdot (-0.4076)" in first
    assert first.endswith("= 2.4076")
    assert steps.sample_latex(walk, 1).endswith("= 0.1429")
    partial = steps.sample_latex(walk, 1, 2)
    assert r"\cdots" in partial and r"\text{so far}" in partial
    assert steps.mean_latex(walk) == (
        r"\text{CE} = \frac{1}{2}\left(2.4076 + 0.1429\right) = \frac{2.5505}{2} = 1.2753"
    )


def test_dot_product_form_shows_the_seed_matrix(walk):
    product, mean = steps.dot_product_latex(walk)
    # −log P transposed, then Y · (−log P)ᵀ, as the seed prints them
    assert r"2.4076 & 4.1429 \\ 1.4076 & 2.1429 \\ 0.4076 & 0.1429" in product
    assert product.endswith(r"\begin{bmatrix} 2.4076 & 4.1429 \\ 0.4076 & 0.1429 \end{bmatrix}")
    assert r"\frac{2.4076 + 0.1429}{2} = \frac{2.5505}{2} = 1.2753" in mean


def test_term_position_walks_sample_by_sample():
    assert [steps.term_position(s, 3) for s in range(1, 7)] == [
        (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)
    ]  # fmt: skip


def test_large_scenarios_abbreviate_formulas():
    wide = Scenario(
        classes=[f"k{c}" for c in range(12)], logits=[list(range(12))] * 10, targets=[3] * 10
    )
    walk = steps.walkthrough(wide)
    assert steps.dot_product_latex(walk) is None
    line = steps.sample_latex(walk, 0)
    assert "11 terms with" in line and line.count(r"\cdot (") == 1
    assert r"\cdots" in steps.mean_latex(walk)


def test_simplifications_name_what_the_walk_leaves_out():
    plain = steps.simplifications(DEFAULT_SCENARIO)
    assert plain == []
    options = DEFAULT_SCENARIO.with_options(
        weights=(1.0, 2.0, 3.0),
        ignored=(False, True),
        reduction="sum",
        temperature=2.0,
        label_smoothing=0.1,
    )
    notes = " ".join(steps.simplifications(options))
    for words in ("Ignored samples (2)", "Class weights", "“sum”", "T = 2", "ε = 0.1"):
        assert words in notes
    walk = steps.walkthrough(options)
    assert walk.num_samples == 1 and walk.sample_labels == ("sample 1",)
    np.testing.assert_allclose(walk.targets.sum(axis=1), 1.0)  # smoothed rows still sum to 1


def test_a_scenario_ignoring_every_sample_is_walked_whole():
    everything = DEFAULT_SCENARIO.with_options(ignored=(True, True))
    assert steps.walkthrough(everything).num_samples == 2
    assert "Every sample" in steps.simplifications(everything)[0]


def test_implementations_agree_on_the_seed(walk):
    results = impl.implementation_results(DEFAULT_SCENARIO)
    assert [fmt(r.value) for r in results] == ["1.2753"] * 4
    assert impl.agree_to_printed_digit([r.value for r in results])
    assert impl.underflow_note(DEFAULT_SCENARIO) is None
    assert "def categorical_cross_entropy_loop" in results[0].code
    assert '"""' not in results[0].code  # the docstring is left out, the computing lines stay
    assert "loss_matrix" in results[1].code and "F.cross_entropy" in results[3].code


@pytest.mark.parametrize("name", [n for n, s in PRESETS.items() if s.soft_targets is None])
def test_every_preset_agrees_with_torch(name):
    scenario = PRESETS[name]
    walk = steps.walkthrough(scenario)
    logits = torch.from_numpy(scenario.scaled_logits())
    theirs = F.cross_entropy(logits, torch.tensor(scenario.targets)).item()
    assert walk.mean == pytest.approx(theirs, rel=1e-5, abs=1e-6)
    assert impl.agree_to_printed_digit([r.value for r in impl.implementation_results(scenario)])


@settings(max_examples=40, deadline=None, database=None)
@given(
    logits=st.lists(st.lists(st.floats(-30, 30), min_size=3, max_size=3), min_size=1, max_size=5),
    data=st.data(),
    smoothing=st.sampled_from([0.0, 0.2]),
)
def test_walk_matches_torch_with_label_smoothing(logits, data, smoothing):
    targets = data.draw(st.lists(st.integers(0, 2), min_size=len(logits), max_size=len(logits)))
    scenario = Scenario(
        classes=("a", "b", "c"),
        logits=logits,
        targets=targets,
        label_smoothing=smoothing,
        precision="float64",
    )
    theirs = F.cross_entropy(
        torch.tensor(logits, dtype=torch.float64), torch.tensor(targets), label_smoothing=smoothing
    ).item()
    assert steps.walkthrough(scenario).mean == pytest.approx(theirs, rel=1e-9, abs=1e-12)


def test_underflow_explains_why_probability_forms_part_from_torch():
    far = Scenario(classes=("a", "b"), logits=[(0.0, 200.0)], targets=[0])
    results = impl.implementation_results(far)
    assert fmt(results[0].value) == "46.0517"  # −log 1e-20, the walkthrough's clamp
    assert fmt(results[3].value) == "200.0000"  # PyTorch from the logits
    assert not impl.agree_to_printed_digit([r.value for r in results])
    assert "46.0517" in impl.underflow_note(far)


# ------------------------------------------------------------------------------------- timing


def test_timing_declines_what_it_cannot_do_in_a_second():
    assert timing.decline_reason(timing.DOT, 2_048, 3) is None
    assert "N × N" in timing.decline_reason(timing.DOT, 10_000, 3)
    assert "763 MiB" in timing.decline_reason(timing.DOT, 10_000, 3)
    assert timing.decline_reason(timing.LOOP, 100_000, 3) is None
    assert "Python step" in timing.decline_reason(timing.LOOP, 1_000_000, 3)
    assert timing.decline_reason(timing.KERNEL, 1_000_000, 3) is None
    assert timing.size_problem(1_000_000, 4) is None
    assert "pick a smaller N" in timing.size_problem(1_000_000, 32)
    assert timing.time_implementations(1_000_000, 32) == []


def test_timings_agree_and_report_ratios():
    timings = timing.time_implementations(100, 3)
    assert [t.name for t in timings] == [timing.LOOP, timing.DOT, timing.KERNEL, timing.TORCH]
    values = {fmt(t.value) for t in timings}
    assert len(values) == 1
    frame = timing.timings_frame(timings)
    assert frame.loc[frame["implementation"] == timing.KERNEL, "× the kernel's time"].item() == 1.0
    assert (frame["fastest call (ms)"] > 0).all()


def test_declined_timings_show_their_reason():
    frame = timing.timings_frame(timing.time_implementations(10_000, 3))
    dot = frame[frame["implementation"] == timing.DOT].iloc[0]
    assert np.isnan(dot["fastest call (ms)"]) and "N × N" in dot["note"]
