"""Lesson links: a lesson survives encode → decode; any other link is refused with a message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_helpers import link_token, scenarios
from hypothesis import given, settings
from hypothesis import strategies as st
from link_fuzz import hostile_text, lesson_tokens, lessons

from xentui.domain.lesson import (
    HIDEABLE,
    MAX_LESSON_CHARS,
    MAX_NOTE_CHARS,
    MAX_STEPS,
    Lesson,
    Step,
    decode,
    encode,
    step_number,
)
from xentui.domain.share_link import LinkError
from xentui.domain.share_link import encode as encode_scenario
from xentui.kit.problems import QUOTE_CHARS

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "lessons_v1.json"


@given(lessons())
def test_decode_inverts_encode(lesson: Lesson):
    assert decode(encode(lesson)) == lesson


@given(scenarios(max_samples=3, max_classes=3))
@settings(max_examples=20)
def test_a_step_keeps_the_playground_scenario_link(scenario):
    token = encode_scenario(scenario)
    lesson = Lesson((Step("", (("s", token),), "Look at the loss"),))
    assert dict(decode(encode(lesson)).steps[0].params)["s"] == token


@given(lesson_tokens)
@settings(max_examples=150)
def test_any_token_is_a_lesson_or_a_short_message(token):
    try:
        decode(token)
    except LinkError as refusal:
        message = str(refusal)
        assert message and len(message) <= 400
        # never a wall of what was received
        if isinstance(token, str) and len(token) > QUOTE_CHARS + 20:
            assert token[: QUOTE_CHARS + 20] not in message


def _lesson(*steps: dict) -> str:
    return link_token({"p": list(steps)})


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", r"^the link's lesson is empty$"),
        ("2.abc", r"different version of xent \(link format 2; this version reads format 1\)"),
        ("1." + "A" * MAX_LESSON_CHARS, r"at most 32,000 are accepted"),
        ("1.@@", r"^the link is damaged: its lesson could not be read$"),
        (link_token([1, 2]), r"not in the expected form \(a list of steps\)"),
        (link_token({"p": []}), r"not in the expected form \(a list of steps\)"),
        (_lesson(*[{"g": ""}] * (MAX_STEPS + 1)), r"has 21 steps; at most 20 are read"),
        (
            _lesson({"g": "nowhere"}),
            r"^step 1 of the lesson names page nowhere; expected one of '' \(the Playground\)",
        ),
        (_lesson({"g": ""}, 7), r"^step 2 of the lesson is not in the expected form$"),
        (_lesson({"g": "", "n": 5}), r"its note should be text, not 5$"),
        (_lesson({"g": "", "n": "x" * 501}), r"its note is 501 characters long; at most 500"),
        (_lesson({"g": "", "n": "a\ud800b"}), r"its note holds \\ud800, not printable$"),
        (_lesson({"g": "", "n": "bell\x07"}), r"its note holds \\x07, not printable$"),
        (
            _lesson({"g": "", "q": {"a": "b"}}),
            r"its state should be at most 40 \[key, value\] pairs$",
        ),
        (_lesson({"g": "", "q": [["a"]]}), r"its state should be at most 40 \[key, value\] pairs$"),
        (_lesson({"g": "", "q": [["lesson", "x"]]}), r"its state cannot set lesson$"),
        (_lesson({"g": "", "q": [["s", ["x"]]]}), r"its value of s should be text, not a list"),
        (_lesson({"g": "", "q": [[5, "x"]]}), r"its state's key should be text, not 5$"),
        (
            _lesson({"g": "about", "h": ["term"]}),
            r"hides a list of 1 item; expected .* among unit, presenter_mode$",
        ),
        (link_token(raw=b'{"p":' + b"[" * 100_000 + b"]" * 100_000 + b"}"), r"could not be read"),
        (link_token(raw=b"\xff\xfe"), r"^the link is damaged: its lesson could not be read$"),
    ],
)
def test_a_bad_lesson_link_names_its_fault(token, message):
    with pytest.raises(LinkError, match=message):
        decode(token)


def test_a_huge_unpacked_lesson_is_refused_while_unpacking():
    with pytest.raises(LinkError, match=r"^the link's lesson is too large once unpacked$"):
        decode(_lesson({"g": "", "n": " " * 600_000}))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, (0, None)), ("", (0, None)), ("1", (0, None)), ("3", (2, None)), (" 2 ", (1, None))],
)
def test_step_number_reads_one_based_steps(raw, expected):
    lesson = Lesson((Step(""), Step("about"), Step("")))
    assert step_number(raw, lesson) == expected


@given(hostile_text | st.sampled_from(["0", "4", "-1", "١", "²", "9" * 5000, "1e0"]))
def test_step_number_refuses_any_other_step_with_a_message(raw):
    lesson = Lesson((Step(""), Step("about"), Step("")))
    index, message = step_number(raw, lesson)
    if message is not None:
        assert index == 0 and "expected 1 to 3" in message and len(message) < 120


def test_lessons_made_with_format_1_keep_opening():
    """The committed links of format 1 open to the very steps they were made with."""
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert fixture["lesson_version"] == 1 and len(fixture["lessons"]) >= 3
    for case in fixture["lessons"]:
        lesson = decode(case["token"])
        assert [
            {
                "page": s.page,
                "params": [list(pair) for pair in s.params],
                "note": s.note,
                "hidden": list(s.hidden),
            }
            for s in lesson.steps
        ] == case["steps"]


def test_every_page_of_the_menu_has_its_hideable_controls_listed():
    from link_fuzz import PAGES

    assert set(HIDEABLE) == {path for path, _ in PAGES}
    assert all(len(set(keys)) == len(keys) for keys in HIDEABLE.values())


def test_a_note_at_the_limit_is_kept():
    lesson = Lesson((Step("", (), "é" * MAX_NOTE_CHARS),))
    assert decode(encode(lesson)) == lesson
