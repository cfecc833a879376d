"""tables: the probabilities table (styled), and one sample's breakdown that sums to its loss."""

from __future__ import annotations

import numpy as np
from app_helpers import printed

from xentui.domain.presets import DEFAULT_SCENARIO
from xentui.domain.results import analyse
from xentui.domain.scenario import Scenario
from xentui.playground.tables import (
    breakdown_frame,
    matrix_note,
    per_sample_line,
    probabilities_frame,
    sample_names,
)

IGNORING_FIRST = DEFAULT_SCENARIO.with_options(ignored=(True, False))


def test_the_probabilities_table_of_the_default_scenario():
    frame = probabilities_frame(DEFAULT_SCENARIO, analyse(DEFAULT_SCENARIO))
    assert list(frame.columns) == ["p0", "p1", "p2", "target", "prediction", "right?", "loss"]
    assert list(frame.index) == ["sample 1", "sample 2"]
    assert printed(frame[["p0", "p1", "p2"]]) == [
        ["0.0900", "0.2447", "0.6652"],
        ["0.0159", "0.1173", "0.8668"],
    ]
    assert frame[["target", "prediction", "right?"]].to_numpy().tolist() == [
        ["cat", "pig", "✗ wrong"],
        ["pig", "pig", "✓ right"],
    ]
    assert printed(frame["loss"]) == ["2.4076", "0.1429"]


def test_an_ignored_sample_has_no_loss_in_the_table():
    frame = probabilities_frame(IGNORING_FIRST, analyse(IGNORING_FIRST))
    assert frame["loss"].iloc[0] is None or np.isnan(frame["loss"].iloc[0])
    assert printed(frame["loss"].iloc[1:]) == ["0.1429"]


def test_the_breakdown_sums_to_the_sample_s_loss():
    results = analyse(DEFAULT_SCENARIO.with_options(label_smoothing=0.2))
    for sample in range(2):
        frame = breakdown_frame(DEFAULT_SCENARIO, results, sample)
        assert list(frame["class"]) == ["cat", "dog", "pig"]
        np.testing.assert_allclose(frame["−y · log p"].sum(), results.per_sample[sample], rtol=1e-6)
        np.testing.assert_allclose(frame["indicator y"].sum(), 1.0)


def test_sample_names_count_from_one():
    assert sample_names(DEFAULT_SCENARIO) == ["sample 1", "sample 2"]


def test_classes_named_like_the_table_s_own_columns_overwrite_nothing():
    names = ("loss", "target", "prediction", "right?")
    scenario = Scenario(classes=names, logits=[[1, 2, 3, 4]], targets=[0])
    frame = probabilities_frame(scenario, analyse(scenario))
    assert list(frame.columns) == ["p0", "p1", "p2", "p3", "target", "prediction", "right?", "loss"]
    assert frame.at["sample 1", "target"] == "loss"
    assert frame.at["sample 1", "prediction"] == "right?"
    assert printed(frame["loss"]) == printed(analyse(scenario).per_sample)


def test_the_text_beside_the_matrix_and_the_per_sample_losses():
    results = analyse(DEFAULT_SCENARIO)
    assert matrix_note(DEFAULT_SCENARIO, results).startswith(
        "Diagonal sum **2.5505**, mean **1.2753**."
    )
    assert per_sample_line(DEFAULT_SCENARIO, results) == (
        "**Per-sample losses (reduction none):** sample 1: 2.4076, sample 2: 0.1429"
    )
