"""The Class poll's text boxes against a hostile class: whatever is typed or pasted into the
teacher's boxes (a Playground link, their own questions) or a student's nickname, nothing raises,
each message is right after its box, short and literal, and the text stays as typed.

The limits are xentui/poll/limits.py's; the store is SQLite in a folder of the test run.
"""

from __future__ import annotations

import pytest
from app_helpers import link_token, unescape
from hostile_inputs import (
    HOSTILE,
    assert_well_said,
    hostile_lines,
    hostile_text,
    messages_after,
)
from hypothesis import given
from lessons_helpers import open_page, rerun

from xentui.domain.presets import DEFAULT_SCENARIO
from xentui.domain.share_link import encode
from xentui.kit.format import md_literal
from xentui.poll.limits import DATABASE_ENV, MAX_NICKNAME_CHARS, MAX_OWN_QUESTIONS_CHARS
from xentui.poll.store import PollStore
from xentui.poll.validation import parse_own_questions
from xentui.session.feedback import MOST_PROBLEMS
from xentui.session.poll import NICKNAME_FIRST

PAGE = "pages/poll/class_poll.py"
QUOTED = 40  # a poll message quotes at most 40 characters of what it received, and “…”


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('poll') / 'polls.sqlite3'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATABASE_ENV, url)
        opened = PollStore(url)
        yield opened
        opened.close()


@pytest.fixture(scope="module")
def creator(store):
    return open_page(PAGE)


def _type(at, kind: str, key: str, text: str):
    """Type `text` into the box `key` (the teacher's other box emptied first), then rerun."""
    others = {"poll_own": ("text_input", "poll_link"), "poll_link": ("text_area", "poll_own")}
    if key in others:
        other_kind, other = others[key]
        getattr(at, other_kind)(key=other).set_value("")
    getattr(at, kind)(key=key).set_value(text)
    return rerun(at)


# ------------------------------------------------------------------ the teacher's own questions


@HOSTILE
@given(text=hostile_lines)
def test_any_own_questions_are_taken_or_refused_beside_the_box(creator, text):
    at = _type(creator, "text_area", "poll_own", text)
    questions, problems = parse_own_questions(at.text_area(key="poll_own").value)
    beside = messages_after(at, "poll_own")
    shown = min(len(problems), MOST_PROBLEMS) + (len(problems) > MOST_PROBLEMS)
    assert len(beside) >= shown and len(at.error) == len(beside)  # and nowhere else
    assert_well_said(beside, QUOTED)
    assert at.text_area(key="poll_own").value == text[:MAX_OWN_QUESTIONS_CHARS]  # kept
    assert at.button(key="poll_create").disabled == (
        bool(problems) or not 1 <= len(questions) <= 20
    )


OWN_CASES = [
    ("a\x00b | true", "Line 1, question: expected 1 to 200 printable characters; got “a\\x00b”."),
    (
        "ok | true\n\u202eabc | true",
        "Line 2, question: expected 1 to 200 printable characters; got “\\u202eabc”.",
    ),
    (" | true", "Line 1, question: expected 1 to 200 printable characters; got nothing."),
    (
        "q | *" + "o" * 50 + " | b",
        f"Line 1, option: expected 1 to 40 printable characters; got “{'o' * 40}…” (50 "
        "characters).",
    ),
    ("q | *a | a", "Line 1, options: expected options with different names; got a, a."),
    (
        # only a line break ends a line, as in the box: U+2028 is a character of line 1
        "q1 | true\u2028q2 | true",
        "Line 1: expected one option marked right with *, or a single true / false; got “q1 | "
        "true\\u2028q2 | true”.",
    ),
    (
        "\n".join(f"q{i} | true" for i in range(25)),
        "Questions: expected 1 to 20 questions in a poll; got 25 questions.",
    ),
]


@pytest.mark.parametrize(("text", "message"), OWN_CASES, ids=[m[:30] for _, m in OWN_CASES])
def test_a_bad_line_is_named_once_beside_the_box(creator, text, message):
    at = _type(creator, "text_area", "poll_own", text)
    assert [unescape(e.value) for e in at.error] == [message]
    assert at.button(key="poll_create").disabled
    assert at.text_area(key="poll_own").value == text


def test_thousands_of_bad_lines_give_a_few_messages_not_a_wall(creator):
    at = _type(creator, "text_area", "poll_own", "a\n" * 4_000)
    beside = [unescape(m) for m in messages_after(at, "poll_own")]
    assert len(beside) == MOST_PROBLEMS + 1
    assert beside[0].startswith("Line 1: expected one option marked right with *")
    assert beside[-1] == "… and 3,995 more problems like these, not shown."


def test_100_000_characters_are_cut_at_the_box_limit_and_answered_shortly(creator):
    # Streamlit cuts what a box receives at its max_chars, on the server too: the limit holds
    # for a client of the WebSocket as for a browser.
    _type(creator, "text_area", "poll_own", "")
    creator.session_state["poll_own"] = "x" * 100_000
    at = rerun(creator)
    assert at.text_area(key="poll_own").value == "x" * MAX_OWN_QUESTIONS_CHARS
    assert [unescape(e.value) for e in at.error] == [
        "Line 1: expected one option marked right with *, or a single true / false; got "
        f"“{'x' * 40}…”."
    ]
    _type(at, "text_area", "poll_own", "")


def test_whitespace_only_is_no_question_and_no_fault(creator):
    at = _type(creator, "text_area", "poll_own", "   \n\t\n \u00a0 ")
    assert not at.error and at.button(key="poll_create").disabled
    assert "0 question(s); at most 20." in [c.value for c in at.caption]


# ---------------------------------------------------------------------- a pasted Playground link


LINK_CASES = [
    (
        link_token({"c": list("abcdefghi"), "z": [[1] * 9], "t": [0]}),
        "Playground link: expected 2 to 8 classes, one option each; got 9 classes.",
    ),
    (
        link_token({"c": ["a", "b"], "z": [[1, 2]], "t": [0], "q": [[0.5, 0.5]]}),
        "Playground link: expected class-index targets: one right answer a sample; got "
        "probability targets.",
    ),
    (
        link_token({"c": ["a", "b"], "z": [[1, 2]], "t": [0], "i": [0]}),
        "Playground link: expected at least one sample that is not ignored; got every sample "
        "ignored.",
    ),
    (
        link_token({"c": ["a\u200e", "b"], "z": [[1, 2]], "t": [0]}),
        "Playground link, class name: expected 1 to 40 printable characters; got “a\\u200e”.",
    ),
    (
        link_token({"c": [" a", "a"], "z": [[1, 2]], "t": [0]}),
        "Playground link, class names: expected options with different names; got a, a.",
    ),
    (
        "x" * 100_000,  # cut at the box's MAX_LINK_TEXT_CHARS
        "The Playground link could not be read: the link's scenario is 16,500 characters "
        "long; at most 16,000 are accepted.",
    ),
    (
        "http://x/?s=**x** <b>",
        "The Playground link could not be read: the link's scenario has no version prefix "
        "(expected something like '1.…').",
    ),
]


@pytest.mark.parametrize(("link", "message"), LINK_CASES, ids=[m[:40] for _, m in LINK_CASES])
def test_a_link_that_makes_no_question_is_said_beside_the_link_box(creator, link, message):
    _type(creator, "text_input", "poll_link", "")
    creator.session_state["poll_link"] = link
    at = rerun(creator)
    assert [unescape(m) for m in messages_after(at, "poll_link")] == [message]
    assert len(at.error) == 1 and at.button(key="poll_create").disabled
    _type(at, "text_input", "poll_link", "")


@HOSTILE
@given(text=hostile_text)
def test_any_pasted_link_text_is_read_or_refused_beside_the_box(creator, text):
    at = _type(creator, "text_input", "poll_link", text)
    assert_well_said(messages_after(at, "poll_link"), QUOTED)
    assert len(at.error) == len(messages_after(at, "poll_link")) <= 1


# --------------------------------------------------------------------------- a student's answers

MARKED_UP = "**b** <script>x</script> $x$ :red[r] | *<b>a</b> | $y$ | :red[z] 🐱"


@pytest.fixture(scope="module")
def poll_code(store):
    questions, problems = parse_own_questions(f"{MARKED_UP}\nCats are mammals | true")
    assert not problems
    return store.create(questions)


@pytest.fixture(scope="module")
def student(poll_code):
    return open_page(PAGE, poll=poll_code[0])


def test_questions_and_options_show_as_typed_for_students_and_teacher(store, poll_code):
    code, teacher = poll_code
    at = open_page(PAGE, poll=code)
    prompt, *options = (part.strip() for part in MARKED_UP.split("|"))
    assert f"**Q1.** {md_literal(prompt)}" in [m.value for m in at.markdown]
    assert [s.label for s in at.slider][:3] == [md_literal(o.lstrip("*")) for o in options]
    at.text_input(key="poll_nickname").set_value("<b>Ada</b> **x**")
    rerun(at).button(key="poll_submit_0").click()
    rerun(at)
    store.reveal(teacher)
    watching = open_page(PAGE, teacher=teacher)
    assert f"Q1: {md_literal('<b>a</b>')}" in [m.value.split(" — ")[0] for m in watching.markdown]
    board = next(d.value for d in watching.dataframe if "nickname" in d.value.columns)
    assert board["nickname"].tolist() == ["<b>Ada</b> **x**"]  # a table shows text as it is


@HOSTILE
@given(nickname=hostile_text)
def test_any_nickname_is_taken_or_refused_beside_its_box(student, nickname):
    at = _type(student, "text_input", "poll_nickname", nickname)
    kept = nickname[:MAX_NICKNAME_CHARS]
    assert at.text_input(key="poll_nickname").value == kept
    beside = messages_after(at, "poll_nickname")
    assert_well_said(beside, QUOTED)
    assert len(at.error) == len(beside) <= 1
    if beside:
        assert unescape(beside[0]).startswith("Nickname: expected 1 to 24 printable characters")


@pytest.mark.parametrize(
    ("nickname", "message"),
    [
        ("", "Nickname: expected 1 to 24 printable characters; got nothing."),
        ("   ", "Nickname: expected 1 to 24 printable characters; got only blank characters."),
        ("a\x00b", "Nickname: expected 1 to 24 printable characters; got “a\\x00b”."),
        ("\u202eAda", "Nickname: expected 1 to 24 printable characters; got “\\u202eAda”."),
    ],
)
def test_a_refused_nickname_is_said_beside_its_box_and_its_submit(
    store, poll_code, student, nickname, message
):
    code = poll_code[0]
    at = _type(student, "text_input", "poll_nickname", nickname)
    before = len(store.answers(code))
    at.button(key="poll_submit_1").click()
    rerun(at)
    assert [unescape(m) for m in messages_after(at, "poll_nickname")] == [message]
    assert [unescape(m) for m in messages_after(at, "poll_submit_1")] == [NICKNAME_FIRST]
    assert len(at.error) == 2 and len(store.answers(code)) == before
    for _ in range(5):  # refused submissions do not use up the rate limit
        at.button(key="poll_submit_1").click()
        rerun(at)
    at = _type(at, "text_input", "poll_nickname", "Ada")
    at.button(key="poll_submit_1").click()
    rerun(at)
    assert not at.error and "Recorded. Your loss: 0.6931 nats" in [s.value for s in at.success]


def test_a_playground_link_still_makes_its_questions(creator):
    at = _type(creator, "text_input", "poll_link", f"http://x/?s={encode(DEFAULT_SCENARIO)}")
    assert not at.error and "2 question(s); at most 20." in [c.value for c in at.caption]
    _type(at, "text_input", "poll_link", "")
