"""editor: tables built from a scenario read back exactly; edits fold in; each bad cell is named."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from app_helpers import edit_state, new_sample, scenarios
from hypothesis import HealthCheck, given, settings

from xentui.domain.scenario import DEFAULT_SCENARIO, PRESETS, Scenario
from xentui.playground import editor
from xentui.playground.editor import CellProblem

PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
CLASSES = ["cat", "dog", "pig"]


def samples(*rows: tuple[object, ...]) -> pd.DataFrame:
    """A logits table: each row is (logit texts..., target, ignore)."""
    frame = pd.DataFrame(
        [list(row) for row in rows],
        columns=[*(editor.class_column(c) for c in range(len(rows[0]) - 2)), "target", "ignore"],
    )
    return frame.astype({column: object for column in frame.columns[:-2]})


def classes(*rows: tuple[object, object]) -> pd.DataFrame:
    return pd.DataFrame([list(row) for row in rows], columns=["name", "weight"], dtype=object)


def default_samples() -> pd.DataFrame:
    return editor.logits_frame(DEFAULT_SCENARIO)


def read_back(scenario: Scenario) -> Scenario:
    """The scenario the page would build from the editors' tables of `scenario`."""
    parsed_classes = editor.parse_classes(editor.classes_frame(scenario))
    parsed = editor.parse_samples(editor.logits_frame(scenario), parsed_classes.names)
    soft, soft_problems = editor.parse_soft_targets(
        editor.soft_targets_frame(scenario), parsed_classes.names
    )
    assert parsed_classes.problems == parsed.problems == soft_problems == []
    return scenario.with_options(
        classes=parsed_classes.names,
        logits=parsed.logits.tolist(),
        targets=parsed.targets,
        ignored=parsed.ignored,
        soft_targets=None if scenario.soft_targets is None else soft.tolist(),
        weights=parsed_classes.weights,
    )


# ------------------------------------------------------------------ tables from a scenario


def test_tables_of_the_default_scenario():
    assert editor.classes_frame(DEFAULT_SCENARIO).to_dict("list") == {
        "name": CLASSES,
        "weight": ["1", "1", "1"],
    }
    assert default_samples().to_dict("list") == {
        "c0": ["1", "2"],
        "c1": ["2", "4"],
        "c2": ["3", "6"],
        "target": ["cat", "pig"],
        "ignore": [False, False],
    }
    assert editor.soft_targets_frame(DEFAULT_SCENARIO).to_numpy().tolist() == [
        ["1", "0", "0"],
        ["0", "0", "1"],
    ]


@PROPERTY_SETTINGS
@given(scenarios())
def test_the_tables_read_back_as_exactly_the_same_scenario(scenario: Scenario):
    """What the editors show is what the page computes with: no digit lost in the cells."""
    assert read_back(scenario) == scenario


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_reads_back_unchanged(name):
    assert read_back(PRESETS[name]) == PRESETS[name]


@pytest.mark.parametrize(
    ("value", "text"),
    [(2.0, "2"), (0.1, "0.1"), (-1.5, "-1.5"), (1e-5, "1e-05"), (0.0, "0"), (123456.0, "123456")],
)
def test_cells_are_short_when_short_is_exact(value, text):
    frame = editor.logits_frame(Scenario(classes=("a", "b"), logits=[[value, 0]], targets=[0]))
    assert frame.at[0, "c0"] == text


def test_cells_keep_every_digit_when_short_would_round():
    value = math.log(0.7)
    frame = editor.logits_frame(Scenario(classes=("a", "b"), logits=[[value, 0]], targets=[0]))
    assert float(frame.at[0, "c0"]) == value


# ------------------------------------------------------------------ data-editor edit state


@pytest.mark.parametrize("state", [None, {}, "not a dict"])
def test_no_edit_state_leaves_the_table_as_it_is(state):
    pd.testing.assert_frame_equal(editor.apply_edits(default_samples(), state), default_samples())


def test_apply_edits_folds_in_edits_additions_and_deletions():
    state = edit_state(
        edited={0: {"c1": "5"}, "1": {"target": "dog"}, 9: {"c0": "ignored: no such row"}},
        added=[new_sample("7", "8", "9", target="cat")],
        deleted=[0],
    )
    assert editor.apply_edits(default_samples(), state).to_dict("list") == {
        "c0": ["2", "7"],
        "c1": ["4", "8"],
        "c2": ["6", "9"],
        "target": ["dog", "cat"],
        "ignore": [False, False],
    }


def test_apply_edits_ignores_unknown_columns_and_keeps_the_base():
    base = default_samples()
    edited = editor.apply_edits(base, edit_state(edited={0: {"nope": "1"}}))
    pd.testing.assert_frame_equal(edited, base)
    assert base.at[0, "c1"] == "2"  # the base itself is never changed


RESTRUCTURES = [
    # (what happened, new class names, logits afterwards, targets afterwards)
    (
        "add a class",
        [*CLASSES, "cow"],
        [["1", "2", "3", "0"], ["2", "4", "6", "0"]],
        ["cat", "pig"],
    ),
    ("remove the first", ["dog", "pig"], [["2", "3"], ["4", "6"]], [None, "pig"]),
    ("remove the middle", ["cat", "pig"], [["1", "3"], ["2", "6"]], ["cat", "pig"]),
    ("remove the last", ["cat", "dog"], [["1", "2"], ["2", "4"]], ["cat", None]),
    ("rename a target", ["cat", "dog", "hog"], [["1", "2", "3"], ["2", "4", "6"]], ["cat", "hog"]),
    (
        "rename the first",
        ["kitten", "dog", "pig"],
        [["1", "2", "3"], ["2", "4", "6"]],
        ["kitten", "pig"],
    ),
]


@pytest.mark.parametrize(
    ("names", "logits", "targets"),
    [case[1:] for case in RESTRUCTURES],
    ids=[case[0] for case in RESTRUCTURES],
)
def test_restructure_samples_keeps_each_class_with_its_column(names, logits, targets):
    frame = editor.restructure_samples(default_samples(), CLASSES, names)
    assert frame[[editor.class_column(c) for c in range(len(names))]].to_numpy().tolist() == logits
    assert [None if pd.isna(t) else t for t in frame["target"]] == targets
    assert frame["ignore"].tolist() == [False, False]


def test_restructure_samples_keeps_ignore_and_reshapes_probability_tables():
    frame = default_samples()
    frame.at[1, "ignore"] = True
    assert editor.restructure_samples(frame, CLASSES, ["cat", "pig"])["ignore"].tolist() == [
        False,
        True,
    ]
    soft = editor.soft_targets_frame(DEFAULT_SCENARIO)
    reshaped = editor.restructure_samples(soft, CLASSES, ["cat", "pig", "cow"])
    assert reshaped.to_numpy().tolist() == [["1", "0", "0"], ["0", "1", "0"]]


# ------------------------------------------------------------------ parsing


def test_cell_problems_read_as_sentences():
    assert str(CellProblem("logits", 2, "dog", "bad")) == "Row 2, column “dog”: bad"
    assert str(CellProblem("classes", 3, None, "bad")) == "Row 3: bad"
    assert str(CellProblem("classes", None, "weight", "bad")) == "Column “weight”: bad"
    assert str(CellProblem("logits", None, None, "Bad.")) == "Bad."


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1.0), (" -2.5 ", -2.5), ("−3", -3.0), ("1e3", 1000.0), ("1000000", 1e6), (4, 4.0)],
)
def test_parse_samples_reads_numbers_as_people_type_them(text, value):
    parsed = editor.parse_samples(samples((text, "0", "0", "cat", False)), CLASSES)
    assert parsed.problems == []
    assert parsed.logits[0, 0] == value


LOGIT_PROBLEMS = [
    ("", "empty — enter a number"),
    (None, "empty — enter a number"),
    (float("nan"), "empty — enter a number"),  # what pandas puts in a cell nobody filled
    ("  ", "empty — enter a number"),
    ("abc", "“abc” is not a number"),
    ("y" * 25, f"“{'y' * 20}…” is not a number"),
    ("1,5", "“1,5” is not a number"),
    ("nan", "NaN is not a logit — enter a number"),
    ("inf", "an infinite logit makes the loss NaN or ∞ — enter a finite number"),
    ("-inf", "an infinite logit makes the loss NaN or ∞ — enter a finite number"),
    ("1e30", "1.0000e+30 is outside ±1e+06, the range the editor accepts"),
    ("-2e6", "-2.0000e+06 is outside ±1e+06, the range the editor accepts"),
]


@pytest.mark.parametrize(("text", "message"), LOGIT_PROBLEMS)
def test_parse_samples_names_each_bad_logit(text, message):
    parsed = editor.parse_samples(samples(("1", text, "0", "cat", False)), CLASSES)
    assert parsed.problems == [CellProblem("logits", 1, "dog", message)]
    assert parsed.logits is None


def test_parse_samples_names_every_bad_cell_and_target():
    frame = samples(("x", "0", "0", "cow", None), ("0", "", "0", None, True))
    parsed = editor.parse_samples(frame, CLASSES)
    assert [str(p) for p in parsed.problems] == [
        "Row 1, column “cat”: “x” is not a number",
        "Row 2, column “dog”: empty — enter a number",
        "Row 1, column “target”: choose the sample's true class",
        "Row 2, column “target”: choose the sample's true class",
    ]
    assert parsed.ignored == [False, True]


def test_parse_samples_refuses_no_rows_and_too_many():
    empty = editor.parse_samples(default_samples().iloc[:0], CLASSES)
    assert [str(p) for p in empty.problems] == ["There are no samples — add a row."]
    many = editor.parse_samples(samples(*[("0", "0", "0", "cat", False)] * 65), CLASSES)
    assert [str(p) for p in many.problems] == [
        "65 samples: the editor holds at most 64; the “Your model” page takes larger data."
    ]


def test_parse_samples_reads_the_default_table():
    parsed = editor.parse_samples(default_samples(), CLASSES)
    np.testing.assert_array_equal(parsed.logits, [[1, 2, 3], [2, 4, 6]])
    assert (parsed.targets, parsed.ignored, parsed.problems) == ([0, 2], [False, False], [])


CLASS_PROBLEMS = [
    # (what is wrong, the classes table, the messages)
    ("no classes", classes(), ["There are no classes — add at least two."]),
    (
        "one class",
        classes(("cat", "1")),
        [
            "There is only one class: every probability would be 1 and every loss 0 — add a "
            "second class."
        ],
    ),
    (
        "33 classes",
        classes(*[(f"c{i}", "1") for i in range(33)]),
        ["33 classes: the editor holds at most 32."],
    ),
    (
        "empty name",
        classes(("cat", "1"), ("", "1")),
        ["Row 2, column “name”: empty — every class needs a name"],
    ),
    (
        "missing name",
        classes(("cat", "1"), (None, "1")),
        ["Row 2, column “name”: empty — every class needs a name"],
    ),
    (
        "duplicate",
        classes(("cat", "1"), (" cat ", "1")),
        ["Row 2, column “name”: “cat” is already the name of another class"],
    ),
    (
        "41 characters",
        classes(("cat", "1"), ("d" * 41, "1")),
        ["Row 2, column “name”: longer than 40 characters"],
    ),
    (
        "negative weight",
        classes(("cat", "-0.5"), ("dog", "1")),
        ["Row 1, column “weight”: -0.5 is negative"],
    ),
    (
        "text weight",
        classes(("cat", "heavy"), ("dog", "1")),
        ["Row 1, column “weight”: “heavy” is not a number"],
    ),
    (
        "NaN weight",
        classes(("cat", "nan"), ("dog", "1")),
        ["Row 1, column “weight”: NaN is not a weight — enter a number"],
    ),
    (
        "infinite weight",
        classes(("cat", "inf"), ("dog", "1")),
        [
            "Row 1, column “weight”: an infinite weight makes the loss NaN or ∞ — enter a finite "
            "number"
        ],
    ),
    (
        "huge weight",
        classes(("cat", "2e6"), ("dog", "1")),
        ["Row 1, column “weight”: 2e+06 is above the limit of 1e6"],
    ),
    (
        "all weights 0",
        classes(("cat", "0"), ("dog", "0")),
        ["Column “weight”: all weights are 0 — the mean is 0/0"],
    ),
]


@pytest.mark.parametrize(
    ("frame", "messages"),
    [case[1:] for case in CLASS_PROBLEMS],
    ids=[case[0] for case in CLASS_PROBLEMS],
)
def test_parse_classes_names_each_problem(frame, messages):
    assert [str(p) for p in editor.parse_classes(frame).problems] == messages


def test_parse_classes_reads_names_and_weights():
    parsed = editor.parse_classes(classes((" cat ", "2"), ("dog", ""), ("pig", None)))
    assert (parsed.names, parsed.weights, parsed.problems) == (CLASSES, [2.0, 1.0, 1.0], [])
    assert editor.parse_classes(classes(("cat", "1"), ("dog", "1.0"))).weights is None


SOFT_PROBLEMS = [
    (("0.5", "0.4", "0"), ["Row 1: the probabilities sum to 0.9, not 1"]),
    (("1", "0.5", "0"), ["Row 1: the probabilities sum to 1.5, not 1"]),
    (("1.5", "0", "0"), ["Row 1, column “cat”: 1.5 is not a probability in [0, 1]"]),
    (
        ("-0.5", "1.5", "0"),
        [
            "Row 1, column “cat”: -0.5 is not a probability in [0, 1]",
            "Row 1, column “dog”: 1.5 is not a probability in [0, 1]",
        ],
    ),
    (("half", "0.5", "0"), ["Row 1, column “cat”: “half” is not a number"]),
    (("", "1", "0"), ["Row 1, column “cat”: empty — enter a number"]),
    (("nan", "1", "0"), ["Row 1, column “cat”: NaN is not a probability — enter a number"]),
]


@pytest.mark.parametrize(("row", "messages"), SOFT_PROBLEMS)
def test_parse_soft_targets_names_each_problem(row, messages):
    frame = pd.DataFrame([row], columns=["c0", "c1", "c2"], dtype=object)
    probs, problems = editor.parse_soft_targets(frame, CLASSES)
    assert probs is None
    assert [str(p) for p in problems] == messages


def test_parse_soft_targets_forgives_decimal_typing():
    frame = pd.DataFrame([["0.1", "0.2", "0.7"]], columns=["c0", "c1", "c2"], dtype=object)
    probs, problems = editor.parse_soft_targets(frame, CLASSES)
    assert problems == []
    np.testing.assert_array_equal(probs, [[0.1, 0.2, 0.7]])
