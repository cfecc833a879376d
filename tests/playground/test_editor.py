"""editor: tables built from a scenario read back exactly; edits fold in; bad cells get Problems.

Reading back goes through check_scenario, so the messages pinned here are the ones every other
way in gives for the same value (see tests/domain/test_doors.py).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from app_helpers import edit_state, new_sample, scenarios
from hypothesis import HealthCheck, given, settings

from xentui.domain.presets import DEFAULT_SCENARIO, PRESETS
from xentui.domain.scenario import Scenario
from xentui.playground import editor

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


OPTIONS = {"reduction": "mean", "precision": "float32", "label_smoothing": 0.0, "temperature": 1}


def options_of(scenario: Scenario) -> dict[str, object]:
    fields = ("reduction", "precision", "label_smoothing", "temperature", "title")
    return {field: getattr(scenario, field) for field in fields}


def read_back(scenario: Scenario) -> Scenario:
    """The scenario the page would build from the editors' tables of `scenario`."""
    soft = scenario.soft_targets is not None
    checked = editor.read_scenario(
        editor.classes_frame(scenario),
        editor.logits_frame(scenario),
        editor.soft_targets_frame(scenario) if soft else None,
        options_of(scenario),
        list(scenario.classes),
    )
    assert checked.problems == ()
    # The page leaves no sample out with probability targets; the scenario's flags then idle.
    return checked.scenario.with_options(ignored=scenario.ignored) if soft else checked.scenario


def messages(classes_table=None, samples_table=None, soft_table=None, **options) -> list[str]:
    """The problems of the tables (the default scenario's where not given), as shown."""
    checked = editor.read_scenario(
        editor.classes_frame(DEFAULT_SCENARIO) if classes_table is None else classes_table,
        default_samples() if samples_table is None else samples_table,
        soft_table,
        {**OPTIONS, **options},
        CLASSES,
    )
    assert (checked.scenario is None) == bool(checked.problems)
    return [str(p) for p in checked.problems]


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


# ------------------------------------------------------------------ reading back


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1.0), (" -2.5 ", -2.5), ("−3", -3.0), ("1e3", 1000.0), ("1000000", 1e6), (4, 4.0)],
)
def test_logits_are_read_as_people_type_them(text, value):
    draft = editor.samples_draft(samples((text, "0", "0", "cat", False)), 3)
    checked = editor.read_scenario(
        classes(*[(n, "1") for n in CLASSES]),
        samples((text, "0", "0", "cat", False)),
        None,
        OPTIONS,
        CLASSES,
    )
    assert checked.problems == ()
    assert checked.scenario.logits[0][0] == value
    assert draft["targets"] == ["cat"]


LOGIT_PROBLEMS = [
    ("", "an empty cell"),
    (None, "an empty cell"),
    (float("nan"), "an empty cell"),  # what pandas puts in a cell nobody filled
    ("  ", "an empty cell"),
    ("abc", "“abc”"),
    ("y" * 25, f"“{'y' * 20}…”"),
    ("1,5", "“1,5”"),
    ("nan", "nan"),
    ("inf", "inf"),
    ("-inf", "-inf"),
    ("1e30", "1e+30"),
    ("-2e6", "-2e+06"),
    ("1000001", "1000001"),
]


@pytest.mark.parametrize(("text", "found"), LOGIT_PROBLEMS)
def test_each_bad_logit_is_named(text, found):
    assert messages(samples_table=samples(("1", text, "0", "cat", False))) == [
        f"Row 1, column “dog”: expected a finite number within ±1e+06; got {found}."
    ]


def test_every_bad_cell_and_target_is_named():
    frame = samples(("x", "0", "0", "cow", None), ("0", "", "0", None, True))
    assert messages(samples_table=frame) == [
        "Row 1, column “cat”: expected a finite number within ±1e+06; got “x”.",
        "Row 2, column “dog”: expected a finite number within ±1e+06; got an empty cell.",
        "Row 1, column “target”: expected a class (its name, or its index from 0 to 2); got “cow”.",
        "Row 2, column “target”: expected a class (its name, or its index from 0 to 2); got "
        "nothing.",
    ]


def test_no_rows_and_too_many_are_refused():
    assert messages(samples_table=default_samples().iloc[:0]) == [
        "Logits: expected 1 to 64 samples; got 0 rows."
    ]
    assert messages(samples_table=samples(*[("0", "0", "0", "cat", False)] * 65)) == [
        "Logits: expected 1 to 64 samples; got 65 rows."
    ]


def test_every_sample_ignored_is_a_scenario_whose_mean_is_nan_as_in_pytorch():
    frame = samples(("1", "2", "3", "cat", True), ("2", "4", "6", "pig", True))
    assert messages(samples_table=frame) == []


def test_the_default_tables_read_back():
    draft = editor.samples_draft(default_samples(), 3)
    assert draft == {
        "logits": [["1", "2", "3"], ["2", "4", "6"]],
        "targets": ["cat", "pig"],
        "ignored": [False, False],
    }
    assert read_back(DEFAULT_SCENARIO) == DEFAULT_SCENARIO


CLASS_PROBLEMS = [
    # (what is wrong, the classes table, the messages)
    ("no classes", classes(), ["Expected 2 to 32 classes; got 0 classes."]),
    ("one class", classes(("cat", "1")), ["Expected 2 to 32 classes; got 1 class."]),
    (
        "33 classes",
        classes(*[(f"c{i}", "1") for i in range(33)]),
        ["Expected 2 to 32 classes; got 33 classes."],
    ),
    (
        "empty name",
        classes(("cat", "1"), ("", "1")),
        ["Row 2, column “name”: expected a name for every class; got an empty name."],
    ),
    (
        "missing name",
        classes(("cat", "1"), (None, "1")),
        ["Row 2, column “name”: expected a name for every class; got an empty name."],
    ),
    (
        "duplicate",
        classes(("cat", "1"), (" cat ", "1")),
        ["Row 2, column “name”: expected a different name; got “cat” a second time."],
    ),
    (
        "41 characters",
        classes(("cat", "1"), ("d" * 41, "1")),
        ["Row 2, column “name”: expected a name of at most 40 characters; got 41 characters."],
    ),
    (
        "control character",
        classes(("cat", "1"), ("d\x07g", "1")),
        ["Row 2, column “name”: expected a name without control characters; got “d\\x07g”."],
    ),
    *[
        (
            f"{what} weight",
            classes(("cat", text), ("dog", "1")),
            [f"Row 1, column “weight”: expected a weight from 0 to 1e+06; got {found}."],
        )
        for what, text, found in (
            ("negative", "-0.5", "-0.5"),
            ("text", "heavy", "“heavy”"),
            ("NaN", "nan", "nan"),
            ("infinite", "inf", "inf"),
            ("huge", "2e6", "2e+06"),
        )
    ],
    (
        "all weights 0",
        classes(("cat", "0"), ("dog", "0")),
        ["Column “weight”: expected at least one positive weight; got every weight 0."],
    ),
]


@pytest.mark.parametrize(
    ("frame", "expected"),
    [case[1:] for case in CLASS_PROBLEMS],
    ids=[case[0] for case in CLASS_PROBLEMS],
)
def test_each_class_problem_is_named(frame, expected):
    names, checked = editor.read_classes(frame)
    assert names is None
    assert [str(p) for p in checked.problems] == expected
    # The whole read names the same problems, and the samples are still read against the
    # columns they were built for.
    assert messages(classes_table=frame) == expected


def test_class_names_and_weights_are_read():
    draft = editor.classes_draft(classes((" cat ", "2"), ("dog", ""), ("pig", None)))
    assert draft == {"classes": CLASSES, "weights": ["2", 1.0, 1.0]}
    assert editor.classes_draft(classes(("cat", "1"), ("dog", "1.0")))["weights"] is None
    assert editor.read_classes(classes(("cat", "1"), ("dog", "")))[0] == ["cat", "dog"]


def test_bad_classes_and_bad_logits_are_named_together():
    frame = samples(("x", "0", "0", "cat", False), ("2", "4", "6", "pig", False))
    assert messages(
        classes_table=classes(("cat", "1"), ("cat", "1"), ("pig", "1")), samples_table=frame
    ) == [
        "Row 2, column “name”: expected a different name; got “cat” a second time.",
        "Row 1, column “cat”: expected a finite number within ±1e+06; got “x”.",
    ]


SOFT_PROBLEMS = [
    (
        ("0.5", "0.4", "0"),
        ["Row 1: expected a row summing to 1 (within 0.001); got a row summing to 0.9."],
    ),
    (
        ("1", "0.5", "0"),
        ["Row 1: expected a row summing to 1 (within 0.001); got a row summing to 1.5."],
    ),
    (("1.5", "0", "0"), ["Row 1, column “cat”: expected a probability in [0, 1]; got 1.5."]),
    (
        ("-0.5", "1.5", "0"),
        [
            "Row 1, column “cat”: expected a probability in [0, 1]; got -0.5.",
            "Row 1, column “dog”: expected a probability in [0, 1]; got 1.5.",
        ],
    ),
    (("half", "0.5", "0"), ["Row 1, column “cat”: expected a probability in [0, 1]; got “half”."]),
    (("", "1", "0"), ["Row 1, column “cat”: expected a probability in [0, 1]; got an empty cell."]),
    (("nan", "1", "0"), ["Row 1, column “cat”: expected a probability in [0, 1]; got nan."]),
]


@pytest.mark.parametrize(("row", "expected"), SOFT_PROBLEMS)
def test_each_probability_problem_is_named(row, expected):
    frame = pd.DataFrame([row, ("0", "0", "1")], columns=["c0", "c1", "c2"], dtype=object)
    assert messages(soft_table=frame) == expected


def test_probability_rows_forgive_decimal_typing():
    frame = pd.DataFrame(
        [["0.1", "0.2", "0.7"], ["0.333", "0.333", "0.333"]],
        columns=["c0", "c1", "c2"],
        dtype=object,
    )
    checked = editor.read_scenario(
        editor.classes_frame(DEFAULT_SCENARIO), default_samples(), frame, OPTIONS, CLASSES
    )
    assert checked.problems == ()
    assert checked.scenario.soft_targets == ((0.1, 0.2, 0.7), (0.333, 0.333, 0.333))


def test_options_are_checked_with_the_tables():
    assert messages(temperature=float("inf"), reduction="avg") == [
        "Reduction: expected one of mean, sum, none; got “avg”.",
        "Temperature: expected a number in [0.05, 20]; got inf.",
    ]


@pytest.mark.parametrize(
    ("state", "expected", "left_out"),
    [
        (None, None, 0),
        (edit_state(added=[{"c0": "1"}] * 62), None, 0),
        (edit_state(added=[{"c0": "1"}] * 63), edit_state(added=[{"c0": "1"}] * 62), 1),
        # deleted rows make room; a deletion of a row the table lacks does not
        (
            edit_state(deleted=[0, 9], added=[{}] * 70),
            edit_state(deleted=[0, 9], added=[{}] * 63),
            7,
        ),
        (
            edit_state(edited={0: {"c0": "5"}}, added=[{}] * 3000),
            edit_state(edited={0: {"c0": "5"}}, added=[{}] * 62),
            2938,
        ),
    ],
    ids=["no state", "fits", "one too many", "deletions make room", "a large paste"],
)
def test_cut_to_limit_keeps_the_first_new_rows_that_fit(state, expected, left_out):
    assert editor.cut_to_limit(2, state, 64) == (expected, left_out)


INF = math.inf
# Each case the note beside a refused ±inf logit states, as PyTorch computes it:
# (what, logits, target (a class or a probability row), weight, label smoothing, loss).
INFINITE_LOGIT_CASES = [
    ("−inf on another class: finite", [0, -INF, 1], 0, None, 0.0, 1.3133),
    ("−inf on another class, with smoothing: ∞", [0, -INF, 1], 0, None, 0.1, INF),
    ("… and that class weighs 0: NaN", [0, -INF, 1], 0, [1, 0, 1], 0.1, math.nan),
    ("−inf on the target: ∞", [-INF, 0, 1], 0, None, 0.0, INF),
    ("probability targets, mass on the −inf class: ∞", [0, -INF, 1], [0.5, 0.5, 0], None, 0, INF),
    ("probability targets, none on it: NaN", [0, -INF, 1], [1, 0, 0], None, 0, math.nan),
    ("+inf on the target: NaN", [INF, 0, 1], 0, None, 0.0, math.nan),
    ("+inf on another class: NaN", [INF, 0, 1], 1, None, 0.0, math.nan),
    ("a row of only −inf: NaN", [-INF, -INF, -INF], 0, None, 0.0, math.nan),
]  # fmt: skip


@pytest.mark.parametrize(
    ("logits", "target", "weight", "smoothing", "loss"),
    [case[1:] for case in INFINITE_LOGIT_CASES],
    ids=[case[0] for case in INFINITE_LOGIT_CASES],
)
def test_what_the_infinite_logit_note_says_is_what_pytorch_does(
    logits, target, weight, smoothing, loss
):
    import torch

    x = torch.tensor([logits], dtype=torch.float32)
    t = torch.tensor([target]) if isinstance(target, int) else torch.tensor([target], dtype=x.dtype)
    w = None if weight is None else torch.tensor(weight, dtype=x.dtype)
    got = float(torch.nn.functional.cross_entropy(x, t, weight=w, label_smoothing=smoothing))
    assert (math.isnan(got) and math.isnan(loss)) or round(got, 4) == loss


def test_the_infinite_logit_note_is_pinned():
    assert editor.INFINITE_LOGITS_NOTE == (
        "PyTorch itself takes ±inf logits. With a class target, −inf on another class gives that "
        "class p = 0 and a finite loss (logits 0, −inf, 1 with target 0: 1.3133) — but ∞ with "
        "label smoothing, which gives that class a share, and NaN if that class also weighs 0; "
        "−inf on the target gives ∞. With probability targets, a −inf logit gives ∞ if its class "
        "has target probability, NaN (0 · −inf) if it has 0. +inf anywhere in a row, or a row of "
        "only −inf, gives NaN. The Playground keeps logits within ±1e+06, where every loss is "
        "finite."
    )
