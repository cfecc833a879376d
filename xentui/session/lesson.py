"""A lesson in the app: the teacher's composer (in the Share control) and the students' panel.

A student opens a step as a link: Next, Back and "Reset this step" are links to the step's page
with its query parameters, so each step opens exactly as its page's own link does (a new session,
read by the same code as any link) — and the teacher's state is one click away whatever the
student explored. The lesson itself is read once per session and kept there, so a student who
wanders to another page keeps the panel.

Hidden controls are hidden with CSS on Streamlit's ``st-key-<key>`` container class, only on the
step's own page: the pages need no change.
"""

from __future__ import annotations

import html

import streamlit as st

from xentui.domain.lesson import (
    HIDEABLE,
    MAX_NOTE_CHARS,
    MAX_STEPS,
    QUERY_KEY,
    STEP_KEY,
    Lesson,
    Step,
    check_note,
    decode,
    encode,
    step_number,
)
from xentui.domain.share_link import LinkError
from xentui.kit.format import md_literal
from xentui.session.feedback import LINK_ICON, show_problems
from xentui.session.share import link_for, show_qr

__all__ = ["HIDDEN_MARKER", "PANEL_KEY", "composer", "hidden_css", "open_lesson", "step_link"]

# Session state: (lesson, token, step index) of the lesson the session opened; its warning.
OPENED = "lesson_opened"
WARNING = "lesson_warning"
_READ = "lesson_read"
# The teacher's draft: [{"id", "page", "title", "params"}]; notes and hidden keys are its widgets'.
DRAFT = "lesson_draft"
_NEXT_ID = "lesson_next_id"
PANEL_KEY = "lesson_panel"


def step_link(lesson_token: str, index: int, step: Step) -> str:
    """The link that opens step `index` (0-based) of the lesson, as the teacher set it."""
    params = [*step.params, (QUERY_KEY, lesson_token)]
    if index:
        params.append((STEP_KEY, str(index + 1)))
    return link_for(step.page, params)


# The first line of the style sheet: what tells a lesson's hiding rules from the page's styles.
HIDDEN_MARKER = "/* a lesson step's hidden controls */"


def hidden_css(keys: tuple[str, ...]) -> str:
    """A style sheet hiding the controls of `keys` (and their labels, in their container)."""
    selectors = ", ".join(f".st-key-{key}" for key in keys)
    return f"<style>{HIDDEN_MARKER} {selectors} {{ display: none !important; }}</style>"


def open_lesson(page) -> None:
    """Read the link's lesson on the session's first run; show its step's panel on every run."""
    if not st.session_state.get(_READ):
        st.session_state[_READ] = True
        if QUERY_KEY in st.query_params:
            token = st.query_params[QUERY_KEY]
            try:
                lesson = decode(token)
            except LinkError as problem:
                st.session_state[WARNING] = (
                    f"This lesson link could not be opened — {md_literal(str(problem))}."
                )
            else:
                index, refused = step_number(st.query_params.get(STEP_KEY), lesson)
                st.session_state[OPENED] = (lesson, token, index)
                st.session_state[WARNING] = refused and md_literal(refused)
    if warning := st.session_state.get(WARNING):
        st.warning(warning, icon=LINK_ICON)
    if OPENED in st.session_state:
        _panel(page, *st.session_state[OPENED])


def _panel(page, lesson: Lesson, token: str, index: int) -> None:
    step = lesson.steps[index]
    count = len(lesson.steps)
    with st.container(border=True, key=PANEL_KEY):
        st.markdown(f"**:material/school: Lesson — step {index + 1} of {count}**")
        if step.note:
            st.markdown(md_literal(step.note).replace("\n", "  \n"))
        moves = []
        if index > 0:
            moves.append(("← Back", step_link(token, index - 1, lesson.steps[index - 1])))
        if index < count - 1:
            moves.append(("Next →", step_link(token, index + 1, lesson.steps[index + 1])))
        moves.append(("Reset this step", step_link(token, index, step)))
        # Same-tab links: each step opens as its own link does.
        anchors = [
            f'<a href="{html.escape(url)}" target="_self">{label}</a>' for label, url in moves
        ]
        st.markdown(" &nbsp;·&nbsp; ".join(anchors), unsafe_allow_html=True)
        if page.url_path != step.page:
            st.caption("This step is on another page: “Reset this step” opens it.")
    if page.url_path == step.page and step.hidden:
        st.html(hidden_css(step.hidden))


# ------------------------------------------------------------------------------ the composer


def _add(page: str, title: str, params: tuple[tuple[str, str], ...]) -> None:
    ident = st.session_state.get(_NEXT_ID, 0)
    st.session_state[_NEXT_ID] = ident + 1
    item = {"id": ident, "page": page, "title": title, "params": params}
    st.session_state[DRAFT] = [*st.session_state.get(DRAFT, []), item]


def _move(position: int, by: int) -> None:
    draft = list(st.session_state[DRAFT])
    other = position + by
    if 0 <= other < len(draft):
        draft[position], draft[other] = draft[other], draft[position]
        st.session_state[DRAFT] = draft


def _remove(position: int) -> None:
    draft = list(st.session_state[DRAFT])
    del draft[position]
    st.session_state[DRAFT] = draft


def _draft_step(position: int, item: dict, last: bool) -> Step | None:
    """One step of the draft, its note and hidden controls edited in place; None if refused."""
    n, ident = position + 1, item["id"]
    with st.container(border=True, key=f"lesson_step_{ident}"):
        st.markdown(f"**{n}. {md_literal(item['title'])}** · {len(item['params'])} setting(s)")
        note = st.text_area(
            "Note for the class",
            key=f"lesson_note_{ident}",
            max_chars=MAX_NOTE_CHARS,
            height=80,
            placeholder="What to look at in this view",
        )
        hidden = st.multiselect(
            "Hide these controls", HIDEABLE[item["page"]], key=f"lesson_hide_{ident}"
        )
        up, down, remove = st.columns(3)
        up.button(
            ":material/arrow_upward:",
            key=f"lesson_up_{ident}",
            help="Earlier",
            on_click=_move,
            args=(position, -1),
            disabled=position == 0,
        )
        down.button(
            ":material/arrow_downward:",
            key=f"lesson_down_{ident}",
            help="Later",
            on_click=_move,
            args=(position, 1),
            disabled=last,
        )
        remove.button(
            ":material/delete:",
            key=f"lesson_remove_{ident}",
            help="Remove",
            on_click=_remove,
            args=(position,),
        )
        try:
            check_note(note, n)
        except LinkError as problem:
            show_problems([str(problem)])
            return None
    return Step(item["page"], item["params"], note, tuple(hidden))


def composer(page, params: tuple[tuple[str, str], ...]) -> None:
    """The lesson part of the Share control: add this view, edit the steps, get the one link."""
    st.divider()
    st.markdown("**:material/school: Lesson**")
    draft = st.session_state.get(DRAFT, [])
    st.button(
        "Add this view to the lesson",
        icon=":material/playlist_add:",
        key="lesson_add",
        on_click=_add,
        args=(page.url_path, page.title, params),
        disabled=len(draft) >= MAX_STEPS,
        help=f"A lesson holds up to {MAX_STEPS} views, in order.",
    )
    if not draft:
        st.caption("Add views from any page; the class then steps through them with one link.")
        return
    steps = [
        _draft_step(position, item, position == len(draft) - 1)
        for position, item in enumerate(draft)
    ]
    if None in steps:
        st.caption("Fix the note above to get the lesson's link.")
        return
    token = encode(Lesson(tuple(steps)))
    try:
        decode(token)  # the door every lesson link goes through: the class's link must open
    except LinkError as problem:
        show_problems([str(problem)], icon=LINK_ICON)
        return
    link = step_link(token, 0, steps[0])
    st.caption("The lesson's link (it opens step 1):")
    st.code(link, language=None, wrap_lines=True)
    show_qr(link)
