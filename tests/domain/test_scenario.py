"""scenario: plain, comparable scenarios; presets that are valid; random draws from a seed."""

from __future__ import annotations

import re

import numpy as np
import pytest

from xentui.domain.scenario import (
    DEFAULT_SCENARIO,
    MAX_CLASSES,
    MAX_SAMPLES,
    PRESETS,
    Scenario,
    random_scenario,
)


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


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((0, 3, 0, 1.0), "num_samples must be in [1, 64]; got 0"),
        ((65, 3, 0, 1.0), "num_samples must be in [1, 64]; got 65"),
        ((2, 1, 0, 1.0), "num_classes must be in [2, 32]; got 1"),
        ((2, 33, 0, 1.0), "num_classes must be in [2, 32]; got 33"),
        ((2, 3, 0, 0.0), "spread must be in (0, 100]; got 0.0"),
        ((2, 3, 0, 101.0), "spread must be in (0, 100]; got 101.0"),
    ],
)
def test_random_scenario_refuses_sizes_the_editor_cannot_hold(arguments, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        random_scenario(*arguments)
