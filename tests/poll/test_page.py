"""The Class poll page through AppTest: make a poll, answer it, watch it, refuse what is bad."""

from __future__ import annotations

import pytest
from lessons_helpers import open_page, rerun
from poll_client import OWN_QUESTIONS

from xentui.domain.presets import DEFAULT_SCENARIO, PRESETS
from xentui.domain.share_link import encode
from xentui.kit.format import md_literal
from xentui.poll.limits import DATABASE_ENV
from xentui.poll.store import PollStore
from xentui.session.poll import NICKNAME_FIRST

PAGE = "pages/poll/class_poll.py"
OWN = "Cats are mammals | true\nCapital of Peru? | Quito | *Lima | La Paz"


@pytest.fixture
def database(monkeypatch, sqlite_url):
    monkeypatch.setenv(DATABASE_ENV, sqlite_url)
    return PollStore(sqlite_url)


def _everything(at):
    stack = [at._tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(getattr(node, "children", {}).values())


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _create(at, presets=(), own=OWN, link=""):
    at.multiselect(key="poll_presets").set_value(list(presets))
    at.text_input(key="poll_link").set_value(link)
    at.text_area(key="poll_own").set_value(own)
    rerun(at)
    at.button(key="poll_create").click()
    return rerun(at)


def test_a_teacher_makes_a_poll_and_a_student_answers_it(database):
    teacher_page = _create(open_page(PAGE), presets=[next(iter(PRESETS))])
    token = teacher_page.query_params["teacher"]
    token = token[0] if isinstance(token, list) else token
    poll = database.teacher_poll(token)
    assert len(poll.questions) == 2 + 2  # the walkthrough's two samples and two own questions
    assert any(f"?poll={poll.code}" in c.value for c in teacher_page.code)
    kinds = {type(e).__name__ + ":" + getattr(e, "type", "") for e in _everything(teacher_page)}
    assert any("im" in k for k in kinds), kinds  # the QR code

    student = open_page(PAGE, poll=poll.code)
    student.text_input(key="poll_nickname").set_value("**Ada** <b>x</b>")
    rerun(student)
    student.slider(key="poll_p_2").set_value(0.9)  # "Cats are mammals": true
    student.button(key="poll_submit_2").click()
    rerun(student)
    assert [s.value for s in student.success] == ["Recorded. Your loss: 0.1054 nats"]
    student.slider(key="poll_p_2").set_value(0.0)  # a later answer replaces it: p = 0
    student.button(key="poll_submit_2").click()
    rerun(student)
    assert student.success[0].value.startswith("Recorded. Your loss: 46.0517 nats (p = 0")
    assert len(database.answers(poll.code)) == 1

    rerun(teacher_page)
    shown = {m.label: m.value for m in teacher_page.metric}
    assert shown["Students who answered"] == "1" and shown["Answers"] == "1"
    board = teacher_page.dataframe[1].value
    assert board["nickname"].tolist() == ["**Ada** <b>x</b>"]  # literally, in a table

    teacher_page.toggle(key="poll_reveal").set_value(True)
    rerun(teacher_page)
    assert database.poll(poll.code).revealed
    revealed = [m.value for m in teacher_page.markdown if m.value.startswith("Q1:")]
    assert revealed and "the model's softmax: cat 0.090, dog 0.245, pig 0.665" in revealed[0]
    rerun(student)
    assert f"Right answer: {md_literal('Lima')}" in [i.value for i in student.info]


def test_a_playground_link_becomes_questions_and_a_bad_one_is_said(database):
    at = _create(open_page(PAGE), own="", link=f"http://x/?s={encode(DEFAULT_SCENARIO)}")
    assert "teacher" in at.query_params
    bad = open_page(PAGE)
    bad.text_input(key="poll_link").set_value("?s=1.AAAA")
    rerun(bad)
    assert _errors(bad) and _errors(bad)[0].startswith(
        md_literal("The Playground link could not be read: ")
    )
    assert bad.button(key="poll_create").disabled


def test_bad_own_questions_are_said_beside_the_box_and_nothing_is_made(database):
    at = open_page(PAGE)
    at.text_area(key="poll_own").set_value("No mark | a | b")
    rerun(at)
    assert _errors(at) == [md_literal(
        "Line 1: expected one option marked right with *, or a single true / false; "
        "got “No mark | a | b”."
    )]  # fmt: skip
    assert at.button(key="poll_create").disabled


@pytest.mark.parametrize("nickname", ["", "   ", "a\u202eb"])
def test_a_bad_nickname_is_refused_beside_its_box_and_the_rest_keeps_working(database, nickname):
    code, _ = database.create(OWN_QUESTIONS)
    at = open_page(PAGE, poll=code)
    at.text_input(key="poll_nickname").set_value(nickname)
    rerun(at)
    at.button(key="poll_submit_0").click()
    rerun(at)
    refused, pointer = _errors(at)
    assert refused.startswith("Nickname\\: expected 1 to 24 printable characters")
    assert pointer == md_literal(NICKNAME_FIRST)
    assert database.answers(code) == []
    assert at.text_input(key="poll_nickname").value == nickname  # kept as typed, to be fixed


def test_submissions_are_rate_limited_per_session(database):
    code, _ = database.create(OWN_QUESTIONS)
    at = open_page(PAGE, poll=code)
    at.text_input(key="poll_nickname").set_value("Ada")
    rerun(at)
    for _ in range(6):  # a burst of 5 is let through, the sixth at once is not
        at.button(key="poll_submit_0").click()
        rerun(at)
    assert any(md_literal("Submit: expected at most 5 answers at once") in e for e in _errors(at))


@pytest.mark.parametrize(
    "query",
    [{"poll": "forged-code-123"}, {"teacher": "forged-token-1234567"}, {"poll": "x" * 10_000},
     {"teacher": "' OR 1=1 --"}, {"poll": "é" * 12}],
)  # fmt: skip
def test_forged_links_are_said_and_give_nothing_away(database, query):
    database.create(OWN_QUESTIONS)
    at = open_page(PAGE, **query)
    assert len(_errors(at)) == 1
    assert _errors(at)[0].startswith(("No poll has this link's code", "This teacher link controls"))
    assert not at.metric and not at.slider


def test_an_unreachable_database_is_said_and_the_page_does_not_break(monkeypatch):
    monkeypatch.setenv(DATABASE_ENV, "postgresql://nobody@127.0.0.1:1/none")
    at = open_page(PAGE)
    assert _errors(at)[0].startswith("The poll database cannot be reached")
    assert "check `XENT_POLL_DATABASE_URL`" in _errors(at)[0]
