"""The poll's one door: nicknames, probabilities, questions and tokens, hostile ones included."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xentui.poll.limits import MAX_NICKNAME_CHARS, MAX_QUESTIONS, SUM_TOLERANCE
from xentui.poll.validation import (
    PollInputError,
    check_nickname,
    check_poll_size,
    check_probabilities,
    check_question,
    check_token,
    parse_own_questions,
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", r"^Nickname: expected 1 to 24 printable characters; got nothing\.$"),
        ("   ", r"^Nickname: expected 1 to 24 printable characters; got only blank characters\.$"),
        ("x" * (MAX_NICKNAME_CHARS + 1), r"characters; got “x{25}” \(25 characters\)\.$"),
        ("a\x00b", r"printable characters; got “a\\x00b”\.$"),
        ("\ud800", r"got “\\ud800”"),
        # a right-to-left override would reorder the leaderboard, and the message quoting it
        ("a\u202eb", r"^Nickname: expected 1 to 24 printable characters; got “a\\u202eb”\.$"),
        (None, r"^Nickname: expected text; got None\.$"),
        (["Ada"], "expected text; got a list of 1 item"),
        ("y" * 200_000, r"printable characters; got “y{40}…” \(200,000 characters\)\.$"),
    ],
)
def test_hostile_nicknames_are_refused_naming_what_was_received(value, message):
    with pytest.raises(PollInputError, match=message) as refused:
        check_nickname(value)
    assert len(str(refused.value)) < 160  # a huge value is quoted short


def test_a_nickname_with_markup_is_kept_exactly_as_typed():
    assert check_nickname(" <b>**Ada**</b> :red[x] ") == "<b>**Ada**</b> :red[x]"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([math.nan, 1.0], r"^Probability 1: expected a finite number in \[0, 1\]; got nan\.$"),
        ([math.inf, 0.0], "finite number in"),
        ([-0.1, 1.1], r"Probability 1: expected a finite number in \[0, 1\]; got -0\.1"),
        (["0.5", "0.5"], r"^Probability 1: expected a number in \[0, 1\]; got 0\.5\.$"),
        ([True, False], "Probability 1: expected a number"),
        ([None, 1.0], "got None"),
        ([0.5, 0.6], r"^Probabilities: expected a sum of 1 \(± 1e-06\); got a sum of 1\.1\.$"),
        ([1.0], r"expected one per option \(2\); got 1 numbers"),
        ("0.5,0.5", "expected a list of 2 numbers"),
        ({"a": 1}, "expected a list of 2 numbers"),
        ([10**400, 0], "finite number"),
    ],
)
def test_bad_probabilities_are_refused(values, message):
    with pytest.raises(PollInputError, match=message):
        check_probabilities(values, 2)


@given(st.lists(st.floats(0, 1), min_size=2, max_size=8))
def test_probabilities_pass_exactly_when_they_sum_to_one_within_the_tolerance(weights):
    total = math.fsum(weights)
    probs = [w / total for w in weights] if total > 0 else weights
    if total > 0 and all(0 <= p <= 1 for p in probs):
        assert check_probabilities(probs, len(probs)) == tuple(probs)
    shifted = [*probs[:-1], probs[-1] + 10 * SUM_TOLERANCE]
    if shifted[-1] <= 1:
        with pytest.raises(PollInputError, match="sum of 1"):
            check_probabilities(shifted, len(shifted))


def test_forged_tokens_are_refused_before_any_lookup():
    assert check_token("abcDEF123_-x") == "abcDEF123_-x"
    for forged in ("short", "' OR 1=1 --", "a" * 65, "ab/cd/ef/gh", None, 12345678, "é" * 10):
        with pytest.raises(PollInputError, match=r"^Poll code: expected a code of 8 to 64"):
            check_token(forged)


def test_own_questions_parse_and_bad_lines_are_named():
    text = "Cats are mammals | TRUE\n\nCapital of Peru? | Quito | *Lima\nNo mark | a | b\n | *x | y"
    questions, problems = parse_own_questions(text)
    assert [(q.prompt, q.options, q.answer) for q in questions] == [
        ("Cats are mammals", ("true", "false"), 0),
        ("Capital of Peru?", ("Quito", "Lima"), 1),
    ]
    assert [str(p) for p in problems] == [
        "Line 4: expected one option marked right with *, or a single true / false; "
        "got “No mark | a | b”.",
        "Line 5, question: expected 1 to 200 printable characters; got nothing.",
    ]
    many, problems = parse_own_questions("\n".join(["q | true"] * (MAX_QUESTIONS + 1)))
    assert len(many) == MAX_QUESTIONS + 1 and problems == []  # a poll's size: check_poll_size
    with pytest.raises(PollInputError) as refused:
        check_poll_size(many)
    assert str(refused.value) == (
        "Questions: expected 1 to 20 questions in a poll; got 21 questions."
    )


def test_a_stored_question_is_checked_again_when_read():
    with pytest.raises(PollInputError, match="Answer: expected the index of one of the 2"):
        check_question({"q": "?", "o": ["a", "b"], "a": 2})
    with pytest.raises(PollInputError, match="Options: expected options with different names"):
        check_question({"q": "?", "o": ["a", "a"], "a": 0})
    with pytest.raises(PollInputError, match="Logits: expected finite numbers"):
        check_question({"q": "?", "o": ["a", "b"], "a": 0, "z": [1.0, math.nan]})
