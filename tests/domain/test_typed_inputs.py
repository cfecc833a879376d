"""Parsing typed numbers and checking link values: the text boxes' and URL controls' door."""

from __future__ import annotations

import numpy as np
import pytest

from xentui.domain.limits import MAX_TEXT_CHARS
from xentui.domain.link_values import (
    flag,
    number,
    one_of,
    refusal_problem,
    refused,
    some_of,
    text,
    whole_number,
)
from xentui.domain.typed_numbers import class_indices, parse_number_rows
from xentui.kit.problems import Problem


def _parse(text, **limits):
    options = {"what": "logits", "max_rows": 4, "max_entries": 4, **limits}
    return parse_number_rows(text, **options)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1, 2, 3", [[1, 2, 3]]),
        ("1 2 3", [[1, 2, 3]]),
        ("−1, 2e-3", [[-1, 0.002]]),
        ("0.25, 0.75; 0, 1", [[0.25, 0.75], [0, 1]]),
        ("1, 2\n3, 4\n", [[1, 2], [3, 4]]),
        (" 1, 2, ", [[1, 2]]),
    ],
)
def test_parses_rows_of_numbers(text, expected):
    parsed = _parse(text)
    assert parsed.problem is None
    np.testing.assert_array_equal(parsed.values, expected)


@pytest.mark.parametrize(
    ("text", "limits", "message"),
    [
        ("", {}, "Expected logits separated by commas; got an empty box."),
        ("  ;  ", {}, "Expected logits separated by commas; got an empty box."),
        (None, {}, "Expected logits separated by commas; got an empty box."),
        ("1, abc", {}, "Entry 2: expected a finite number; got “abc”."),
        ("1, 2; 3, x", {}, "Row 2, entry 2: expected a finite number; got “x”."),
        ("1, nan", {}, "Entry 2: expected a finite number; got nan."),
        ("inf", {}, "Entry 1: expected a finite number; got inf."),
        ("1e309", {}, "Entry 1: expected a finite number; got inf."),
        ("9" * 400, {}, "Entry 1: expected a finite number; got “" + "9" * 20 + "…”."),
        ("1, 2, 3, 4, 5", {}, "Expected at most 4 logits; got 5 logits."),
        ("1; 2; 3; 4; 5", {}, "Expected at most 4 rows of logits; got 5 rows."),
        ("1, 2; 3", {}, "Row 2: expected 2 logits, as many as row 1; got 1 logits."),
        ("0.5, 1.5", {"low": 0.0, "high": 1.0}, "Entry 2: expected a number in [0, 1]; got 1.5."),
        ("-2", {"low": -1.0}, "Entry 1: expected a number in [-1, ∞]; got -2."),
        (
            "1, 1e9",
            {"low": -1e6, "high": 1e6},
            "Entry 2: expected a finite number within ±1e+06; got 1e+09.",
        ),
        (
            "1" * (MAX_TEXT_CHARS + 1),
            {},
            "Expected at most 4,000 characters; got 4,001 characters.",
        ),
    ],
)
def test_problems_are_problems_that_say_where_what_and_what_was_found(text, limits, message):
    parsed = _parse(text, **limits)
    assert parsed.values is None
    assert isinstance(parsed.problem, Problem)
    assert str(parsed.problem) == message


def test_a_long_entry_is_shortened_in_the_message():
    parsed = _parse("x" * 100)
    assert "…" in str(parsed.problem) and len(str(parsed.problem)) < 80


@pytest.mark.parametrize(
    ("text", "also", "message"),
    [
        ("-1, 3", (), "Entry 1: expected a class index from 0 to 3; got -1."),
        ("-100, 3", (), "Entry 1: expected a class index from 0 to 3; got -100."),
        ("1e20, 3", (), "Entry 1: expected a class index from 0 to 3; got 1e+20."),
        ("1.5", (), "Entry 1: expected a class index from 0 to 3; got 1.5."),
        ("0, 4", (-100,), "Entry 2: expected a class index from 0 to 3 or -100; got 4."),
        ("9" * 400, (), "Entry 1: expected a class index from 0 to 3; got “" + "9" * 20 + "…”."),
    ],
)
def test_class_indices_are_bounded(text, also, message):
    values, problem = class_indices(text, 4, max_entries=8, also=also)
    assert values is None and str(problem) == message


def test_class_indices_take_ignore_index_where_the_page_supports_it():
    values, problem = class_indices("-100, 3", 4, max_entries=8, also=(-100,))
    assert problem is None and values.tolist() == [-100, 3]


@pytest.mark.parametrize(
    ("raw", "shown", "expected"),
    [
        (None, 1, False),
        ("4", 4, False),
        ("4.0", 4, False),
        ("0.7", 0.7000000000000001, False),
        ("99", 1, True),
        ("abc", 1, True),
        ("true", True, False),
        ("TRUE", True, False),
        ("maybe", False, True),
        ("1e-15", "1e-15", False),
        ("1e-07", "1e-7", True),  # not one of the options, so the widget showed its default
    ],
)
def test_refused(raw, shown, expected):
    assert refused(raw, shown) is expected


def test_refusal_message_names_key_value_range_and_what_is_shown():
    message = str(refusal_problem("term", "x" * 500, "a whole number from 1 to 6", 1))
    assert message.startswith("The link’s term: expected a whole number from 1 to 6; got “x")
    assert message.endswith("…” — showing 1 instead.") and len(message) < 200
    assert "showing off" in str(refusal_problem("all", "maybe", "true or false", "off"))


@pytest.mark.parametrize("raw", ["inf", "-inf", "nan", "1e309", "9" * 400, "", "abc", "1.5", "0"])
def test_a_whole_number_rule_refuses_what_streamlit_would_choke_on(raw):
    assert not whole_number(1, 6).accepts(raw)


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (number(0, 1), ["0", "0.5", "1"], ["1.5", "-0.1", "inf", "", "nan", "x" * 5000]),
        (one_of((1, 2.0, "a")), ["1", "2.0", "a"], ["2", "", "A"]),
        (flag(), ["true", "FALSE"], ["", "yes", "1"]),
        (text(), ["", "1, 2"], ["x" * 5000]),
    ],
)
def test_link_rules(rule, good, bad):
    assert all(rule.accepts(v) for v in good)
    assert not any(rule.accepts(v) for v in bad)


def test_a_many_rule_checks_every_repeated_value():
    rule = some_of(["sample 1", "sample 2"])
    assert rule.accepts_all(["sample 1", "sample 2"]) and not rule.accepts_all(["sample 1", "x"])
    assert not whole_number(1, 6).accepts_all(["3", "9"])  # Streamlit reads the last one
