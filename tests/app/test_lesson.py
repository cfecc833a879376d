"""Every page's Share control and a lesson's round trip, in AppTest.

A link is opened as a browser opens it: a new session with the link's query string, on the page of
its path (`link_fuzz.open_with`). A teacher composes a three-step lesson from the pages; a student
opens its one link, steps with Next and Back, explores, resets a step, and finds the step's
hidden control hidden.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from app_helpers import APP, assert_no_exception, unescape
from lessons_helpers import open_page
from link_fuzz import PAGES, alerts, open_with, widget
from streamlit.testing.v1 import AppTest

from xentui.domain import lesson as lessons_format
from xentui.domain.presets import PRESETS
from xentui.domain.share_link import decode as decode_scenario
from xentui.domain.share_link import encode as encode_scenario
from xentui.session.frame import SHARE_KEY
from xentui.session.lesson import HIDDEN_MARKER, PANEL_KEY
from xentui.session.share import FALLBACK_ORIGIN

FILES = dict(PAGES)
STEP_BY_STEP = "pages/learn/step_by_step.py"
BINARY = "pages/learn/binary_cross_entropy.py"
SCENARIO = encode_scenario(PRESETS["Notebook: three samples, bad predictions (1.6242)"])


def open_share(at: AppTest) -> AppTest:
    """Open the sidebar's Share popover (its content is drawn only while open)."""
    at.session_state[SHARE_KEY] = True
    at.run()
    assert_no_exception(at)
    return at


def links(at: AppTest) -> list[str]:
    """The links the Share control shows: the page's, then the lesson's if any."""
    return [c.value for c in at.code if c.value.startswith(FALLBACK_ORIGIN)]


def open_link(url: str) -> AppTest:
    parts = urlsplit(url)
    return open_with(FILES[parts.path.removeprefix("/")], parts.query)


def panel(at: AppTest) -> tuple[str, dict[str, str]]:
    """The lesson panel's text and its links by label."""
    block = next(b for b in at.main if getattr(b, "key", None) == PANEL_KEY)
    texts = [m.value for m in block.markdown]
    anchors = re.findall(r'<a href="([^"]+)" target="_self">([^<]+)</a>', "".join(texts))
    return unescape("\n".join(texts)), {label: html.unescape(href) for href, label in anchors}


def hidden_styles(at: AppTest) -> str:
    """The lesson's hiding rules: the page's other HTML (the presenter's styles) left out."""
    return "".join(e.proto.body for e in at.get("html") if HIDDEN_MARKER in e.proto.body)


@pytest.mark.parametrize(("path", "file"), PAGES, ids=[p or "playground" for p, _ in PAGES])
def test_every_page_shows_the_share_control_with_its_own_link_and_its_hideable_controls(path, file):
    at = open_page(file, unit="bits")
    assert not links(at)  # closed, the popover draws nothing
    open_share(at)
    assert links(at) == [f"{FALLBACK_ORIGIN}/{path}?unit=bits"]
    (qr,) = at.get("image")  # the QR code, kept a PNG: a JPEG would blur it
    assert qr.proto.imgs[0].url.endswith(".png")
    assert at.button(key="lesson_add").label == "Add this view to the lesson"
    # Every control a lesson step may hide on this page is there to hide.
    assert [key for key in lessons_format.HIDEABLE[path] if widget(at, key) is None] == []


def _add_view(at: AppTest) -> AppTest:
    open_share(at)  # a switch to another page closes it
    at.button(key="lesson_add").click().run()
    assert_no_exception(at)
    return at


def _compose() -> AppTest:
    """A teacher's session: three views added, a fourth added and removed, notes, a hidden key."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["s"] = SCENARIO
    at.run()
    _add_view(at)
    # Each page's address holds its own keys only, as the browser's does after a switch.
    del at.query_params["s"]
    at.query_params["term"] = "3"
    _add_view(at.switch_page(STEP_BY_STEP).run())
    del at.query_params["term"]
    at.query_params["y"] = "0.25"
    _add_view(at.switch_page(BINARY).run())
    _add_view(at)
    at.button(key="lesson_remove_3").click().run()
    # Reordered and back: step 3 up, then down.
    at.button(key="lesson_up_2").click().run()
    at.button(key="lesson_down_2").click().run()
    notes = ["Find the sample that costs most.", "Term 3:\n−log p of the target", "<b>*Here*</b>"]
    for ident, note in enumerate(notes):
        at.text_area(key=f"lesson_note_{ident}").input(note).run()
    at.multiselect(key="lesson_hide_1").set_value(["term"]).run()
    assert_no_exception(at)
    return at


def test_a_three_step_lesson_round_trip():
    teacher = _compose()
    page_link, lesson_link = links(teacher)
    token = parse_qs(urlsplit(lesson_link).query)["lesson"][0]
    steps = lessons_format.decode(token).steps
    # Each step keeps its page's link as it was (a Learn page's carries the scenario's `s` too).
    assert [(s.page, s.hidden) for s in steps] == [
        ("", ()),
        ("step-by-step", ("term",)),
        ("binary-cross-entropy", ()),
    ]
    assert [dict(s.params).get(k) for s, k in zip(steps, ("s", "term", "y"), strict=True)] == [
        SCENARIO,
        "3",
        "0.25",
    ]
    assert steps[1].note == "Term 3:\n−log p of the target"

    # Step 1: the Playground with the teacher's scenario and note; no Back.
    student = open_link(lesson_link)
    text, moves = panel(student)
    assert "Lesson — step 1 of 3" in text and "Find the sample that costs most" in text
    assert set(moves) == {"Next →", "Reset this step"}
    assert student.session_state["scenario"] == decode_scenario(SCENARIO)
    assert not hidden_styles(student)

    # Next: step 2, term 3, its hidden control hidden.
    student = open_link(moves["Next →"])
    text, moves = panel(student)
    assert "step 2 of 3" in text and "Term 3:" in text
    assert student.number_input(key="term").value == 3
    assert ".st-key-term" in hidden_styles(student)
    # The student explores, then resets the step to the teacher's state.
    student.number_input(key="term").set_value(1).run()
    assert student.number_input(key="term").value == 1
    student = open_link(moves["Reset this step"])
    assert student.number_input(key="term").value == 3

    # Next again: the last step, its target y, its note shown literally; Back returns to step 2.
    student = open_link(moves["Next →"])
    text, moves = panel(student)
    assert "step 3 of 3" in text and "<b>*Here*</b>" in text
    assert set(moves) == {"← Back", "Reset this step"}
    assert student.slider(key="y").value == 0.25
    back = open_link(moves["← Back"])
    assert "step 2 of 3" in panel(back)[0]
    assert (
        page_link.startswith(f"{FALLBACK_ORIGIN}/binary-cross-entropy?") and "y=0.25" in page_link
    )


def test_the_lesson_stays_when_the_student_wanders_to_another_page():
    lesson = lessons_format.Lesson((lessons_format.Step("about", (), "Read this first"),))
    token = lessons_format.encode(lesson)
    at = open_with(STEP_BY_STEP, f"lesson={token}")
    text, moves = panel(at)
    assert "Read this first" in text
    assert any("This step is on another page" in c.value for c in at.caption)
    assert moves["Reset this step"].startswith(f"{FALLBACK_ORIGIN}/about?lesson=")


@pytest.mark.parametrize(
    ("query", "warning"),
    [
        ("lesson=", "the link's lesson is empty"),
        ("lesson=2.abc", "different version of xent"),
        ("lesson=1.%ED%A0%80", "the link is damaged: its lesson could not be read"),
        ("lesson=" + "A" * 40_000, "at most 32,000 are accepted"),
    ],
)
def test_a_hostile_lesson_link_gives_a_message_and_the_page(query, warning):
    at = open_with(STEP_BY_STEP, query)
    said = [text for text in alerts(at) if text.startswith("This lesson link could not be opened")]
    assert len(said) == 1 and warning in said[0], alerts(at)
    assert at.title[0].value.startswith("Step by step")


def test_a_step_out_of_range_opens_step_one_with_a_message():
    lesson = lessons_format.Lesson((lessons_format.Step(""), lessons_format.Step("about")))
    at = open_with("pages/explore/playground.py", f"lesson={lessons_format.encode(lesson)}&step=9")
    assert "The lesson has no step 9 (expected 1 to 2); showing step 1." in alerts(at)
    assert "step 1 of 2" in panel(at)[0]


def test_a_note_the_link_cannot_carry_is_named_beside_it_and_no_lesson_link_is_given():
    at = _add_view(open_page("pages/help/about.py"))
    at.text_area(key="lesson_note_0").input("ring\x07").run()
    assert any("its note holds \\x07, not printable" in text for text in alerts(at))
    assert len(links(at)) == 1  # the page's own link only
    at.text_area(key="lesson_note_0").input("ring").run()
    assert len(links(at)) == 2 and not at.error
