"""scenario and presets: comparable scenarios; presets that pass the one check; random draws."""

from __future__ import annotations

import re

import numpy as np
import pytest

from xentui.domain.limits import MAX_CLASSES, MAX_SAMPLES
from xentui.domain.presets import DEFAULT_SCENARIO, PRESETS, check_random, random_scenario
from xentui.domain.scenario import Scenario
from xentui.domain.validation import check_scenario


def draft_of(scenario: Scenario) -> dict[str, object]:
    """A scenario written back as the plain draft `check_scenario` reads."""
    return {
        "classes": list(scenario.classes),
        "logits": [list(row) for row in scenario.logits],
        "targets": list(scenario.targets),
        "ignored": list(scenario.ignored),
        "soft_targets": scenario.soft_targets,
        "weights": scenario.weights,
        "reduction": scenario.reduction,
        "label_smoothing": scenario.label_smoothing,
        "temperature": scenario.temperature,
        "precision": scenario.precision,
        "title": scenario.title,
    }


def test_scenarios_built_from_any_sequences_compare_equal():
    from_lists = Scenario(
        classes=["cat", "dog", "pig"], logits=[[1, 2, 3], [2, 4, 6]], targets=[0, 2]
    )
    assert from_lists == DEFAULT_SCENARIO
    assert hash(from_lists) == hash(DEFAULT_SCENARIO)
    assert from_lists.ignored == (False, False)
    assert isinstance(from_lists.logits[0][0], float)


def test_the_title_is_not_part_of_a_scenario_s_identity():
    assert DEFAULT_SCENARIO.with_options(title="something else") == DEFAULT_SCENARIO
    assert DEFAULT_SCENARIO.with_options(temperature=2.0) != DEFAULT_SCENARIO


@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_scaled_logits_are_divided_by_the_temperature_in_the_scenario_s_dtype(precision):
    scenario = DEFAULT_SCENARIO.with_options(temperature=2.0, precision=precision)
    scaled = scenario.scaled_logits()
    assert scaled.dtype == np.dtype(precision)
    np.testing.assert_array_equal(scaled, [[0.5, 1.0, 1.5], [1.0, 2.0, 3.0]])
    assert DEFAULT_SCENARIO.scaled_logits().dtype == np.float32


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_a_valid_scenario(name):
    preset = PRESETS[name]
    assert 1 <= preset.num_samples <= MAX_SAMPLES and 2 <= preset.num_classes <= MAX_CLASSES
    assert all(len(row) == preset.num_classes for row in preset.logits)
    assert all(0 <= t < preset.num_classes for t in preset.targets)
    assert preset.title


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_passes_the_one_check_unchanged(name):
    checked = check_scenario(draft_of(PRESETS[name]))
    assert checked.problems == ()
    assert checked.scenario == PRESETS[name]
    assert checked.scenario.title == PRESETS[name].title


def test_presets_made_from_probabilities_give_those_probabilities_back():
    """log p as logits gives back p only when p sums to 1: the seeds' rows must."""
    for name, preset in PRESETS.items():
        if "probabilit" not in name and "reference answer" not in name and "binary" not in name:
            continue
        probabilities = np.exp(np.asarray(preset.logits))
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12, err_msg=name)


def test_random_scenarios_come_back_from_the_same_seed():
    first, again = random_scenario(5, 4, 7, 2.0), random_scenario(5, 4, 7, 2.0)
    assert first == again
    assert first != random_scenario(5, 4, 8, 2.0)
    assert (first.num_samples, first.num_classes) == (5, 4)
    assert first.classes == ("class 0", "class 1", "class 2", "class 3")
    assert first.title == "Random: seed 7, spread 2"
    assert all(round(v, 2) == v for row in first.logits for v in row)  # two decimals, to type


def test_random_scenarios_keep_given_class_names_of_the_right_count():
    assert random_scenario(2, 2, 0, 1.0, classes=("a", "b")).classes == ("a", "b")
    assert random_scenario(2, 2, 0, 1.0, classes=("a",)).classes == ("class 0", "class 1")


RANDOM_PROBLEMS = [
    # (arguments, the problems "Random" reports)
    ((0, 3, 0, 1.0), ["Samples: expected a whole number from 1 to 64; got 0."]),
    ((65, 3, 0, 1.0), ["Samples: expected a whole number from 1 to 64; got 65."]),
    ((2, 1, 0, 1.0), ["Classes: expected a whole number from 2 to 32; got 1."]),
    ((2, 33, 0, 1.0), ["Classes: expected a whole number from 2 to 32; got 33."]),
    ((2, 3, -1, 1.0), ["Seed: expected a whole number from 0 to 4294967295; got -1."]),
    ((2, 3, 0, 0.0), ["Spread: expected a number in [0.1, 100]; got 0.0."]),
    ((2, 3, 0, 101.0), ["Spread: expected a number in [0.1, 100]; got 101.0."]),
    ((2, 3, 0, float("nan")), ["Spread: expected a number in [0.1, 100]; got nan."]),
    ((2.5, 3, 0, 1.0), ["Samples: expected a whole number from 1 to 64; got 2.5."]),
    (
        (True, "3", 0, "2"),
        [
            "Samples: expected a whole number from 1 to 64; got True.",
            "Classes: expected a whole number from 2 to 32; got 3.",
            "Spread: expected a number in [0.1, 100]; got 2.",
        ],
    ),
]


@pytest.mark.parametrize(("arguments", "messages"), RANDOM_PROBLEMS)
def test_random_refuses_what_its_controls_cannot_hold(arguments, messages):
    checked = check_random(*arguments)
    assert checked.scenario is None
    assert [str(p) for p in checked.problems] == messages
    with pytest.raises(ValueError, match=f"^{re.escape(messages[0][:-1])}"):
        random_scenario(*arguments)


def test_random_names_come_through_the_one_check():
    checked = check_random(2, 2, 0, 1.0, classes=("a", "b" * 41))
    assert [str(p) for p in checked.problems] == [
        "Row 2, column “name”: expected a name of at most 40 characters; got 41 characters."
    ]


def test_every_sample_ignored_passes_the_one_check_and_a_link_keeps_it():
    # PyTorch's mean of it is NaN (0/0), its sum 0: the Playground shows that, not a refusal.
    from xentui.domain.share_link import decode, encode

    draft = {**draft_of(DEFAULT_SCENARIO), "ignored": [True, True]}
    checked = check_scenario(draft)
    assert checked.problems == ()
    assert decode(encode(checked.scenario)) == checked.scenario


def test_an_ignored_sample_with_probability_targets_is_refused_by_the_one_check():
    # PyTorch has no ignore_index for probability targets: a flag there would tick a box that
    # changes nothing, so a link or draft holding both is refused with the row that has it.
    n, c = len(DEFAULT_SCENARIO.targets), DEFAULT_SCENARIO.num_classes
    draft = {
        **draft_of(DEFAULT_SCENARIO),
        "soft_targets": [[1 / c] * c] * n,
        "ignored": [False] * (n - 1) + [True],
    }
    checked = check_scenario(draft)
    assert checked.scenario is None
    assert [str(p) for p in checked.problems] == [
        f"Row {n}, column “ignore”: expected no ignored sample: PyTorch ignores class-index "
        "targets only; got an ignored sample with probability targets."
    ]
