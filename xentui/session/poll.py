"""The Class poll in a Streamlit session: the shared store, a student's answers, the teacher's
live view. The page (pages/poll/class_poll.py) only chooses which of the three to show.

A student's session is named by a random token kept in session state: "one submission per
session per question" and the rate limit are per that token. The teacher's view refreshes as a
fragment every REFRESH_SECONDS, reading the database, so it sees answers given on any replica.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

import sqlalchemy as sa
import streamlit as st

from xentui.domain.presets import PRESETS
from xentui.domain.share_link import QUERY_KEY, LinkError, decode
from xentui.kit.format import fmt, md_literal
from xentui.kit.pacing import Pacer
from xentui.kit.problems import Problem
from xentui.kit.units import in_unit, loss_text
from xentui.poll import aggregate
from xentui.poll.limits import (
    DATABASE_ENV,
    MAX_LINK_TEXT_CHARS,
    MAX_NICKNAME_CHARS,
    MAX_OWN_QUESTIONS_CHARS,
    MAX_QUESTIONS,
    POLL_HOURS,
    PROBABILITY_FLOOR,
    SUBMIT_BURST,
    SUBMIT_PER_SECOND,
    SUM_TOLERANCE,
)
from xentui.poll.questions import scenario_questions
from xentui.poll.scoring import FLOOR_LOSS, answer_losses, model_answer
from xentui.poll.store import Answer, Poll, PollStore, database_url
from xentui.poll.validation import (
    PollInputError,
    Question,
    check_nickname,
    check_poll_size,
    parse_own_questions,
    refusal,
)
from xentui.session.feedback import LINK_ICON, MOST_PROBLEMS, show_problems
from xentui.session.page_state import open_page
from xentui.session.share import link_for, qr_png
from xentui.session.units import loss_unit

__all__ = [
    "POLL_KEY",
    "REFRESH_SECONDS",
    "TEACHER_KEY",
    "creator_view",
    "poll_store",
    "reachable_store",
    "read_link",
    "student_view",
    "teacher_view",
]

POLL_KEY = "poll"  # ?poll=<code>: a student's link
TEACHER_KEY = "teacher"  # ?teacher=<token>: the teacher's link
REFRESH_SECONDS = 2.0
_SESSION = "poll_session"  # session state: this browser session's answering token
_PACER = "poll_pacer"


@st.cache_resource(show_spinner=False)
def _store(url: str) -> PollStore:
    return PollStore(url)


def poll_store() -> PollStore:
    """The process's one store of the configured database (thread-safe, shared by sessions)."""
    return _store(database_url())


def reachable_store() -> PollStore | None:
    """The store, or None with a message when its database cannot be opened (the page stops
    there; every other page keeps working)."""
    try:
        return poll_store()
    except (sa.exc.SQLAlchemyError, OSError, RuntimeError) as error:
        st.error(
            f"The poll database cannot be reached ({md_literal(type(error).__name__)}): check `"
            f"{DATABASE_ENV}`. {md_literal(str(error).splitlines()[0][:200])}",
            icon=":material/database:",
        )
        return None


def read_link() -> tuple[str | None, str | None]:
    """(poll code, teacher token) from the link on the page's first run, kept for later runs."""
    state = open_page("class_poll")
    for key in (POLL_KEY, TEACHER_KEY):
        values = state.link_values(key)
        if values:
            st.session_state[f"poll_link_{key}"] = values[-1]
    return st.session_state.get(f"poll_link_{POLL_KEY}"), st.session_state.get(
        f"poll_link_{TEACHER_KEY}"
    )


def _session_token() -> str:
    if _SESSION not in st.session_state:
        st.session_state[_SESSION] = secrets.token_urlsafe(12)
    return st.session_state[_SESSION]


def _expiry_text(poll: Poll) -> str:
    when = datetime.fromtimestamp(poll.expires, UTC).strftime("%Y-%m-%d %H:%M UTC")
    if poll.expired():
        return f"This poll closed at {when}; it takes no more answers."
    return f"Open for answers until {when} ({POLL_HOURS} hours after it was made)."


# The page's address, as app.py routes it.
PAGE_PATH = "class-poll"

# ------------------------------------------------------------------------------ creating a poll


def _link_questions(text: str) -> tuple[list[Question], list[Problem | str]]:
    """Questions from a Playground link (the whole address, or its `s=` value)."""
    token = text.strip()
    if not token:
        return [], []
    if f"{QUERY_KEY}=" in token:
        token = token.split(f"{QUERY_KEY}=", 1)[1].split("&", 1)[0]
    try:
        return scenario_questions(decode(token), "Playground link"), []
    except LinkError as error:
        return [], [f"The Playground link could not be read: {error}."]
    except PollInputError as refused:  # a scenario that makes no poll question
        return [], [refused.problem]


def creator_view() -> None:
    """Pick questions; "Create the poll" stores it and turns this page into its teacher link."""
    st.markdown("#### Make a poll")
    chosen = st.multiselect(
        "Scenarios of the app (one question per sample)", list(PRESETS), key="poll_presets"
    )
    link = st.text_input("…or a Playground link", key="poll_link", max_chars=MAX_LINK_TEXT_CHARS)
    link_questions, link_problems = _link_questions(link)
    show_problems(link_problems, icon=LINK_ICON)
    own = st.text_area(
        "Your own questions, one a line",
        key="poll_own",
        max_chars=MAX_OWN_QUESTIONS_CHARS,
        placeholder="Cats are mammals | true\nCapital of Peru? | Quito | *Lima | La Paz",
        help="`question | true` (or `false`) for true/false; otherwise list the options and "
        "mark the right one with *.",
    )
    own_questions, problems = parse_own_questions(own)
    show_problems(problems, most=MOST_PROBLEMS)
    questions = [q for name in chosen for q in scenario_questions(PRESETS[name])]
    questions += link_questions + own_questions
    st.caption(f"{len(questions)} question(s); at most {MAX_QUESTIONS}.")
    size_problem = None
    try:
        check_poll_size(questions)
    except PollInputError as refused:
        size_problem = refused.problem
        if questions:  # no question yet is the page's start, not a fault
            show_problems([size_problem])
    ready = size_problem is None and not problems and not link_problems
    created = st.button("Create the poll", key="poll_create", disabled=not ready, type="primary")
    if created and ready:
        _, teacher = poll_store().create(questions)
        st.session_state[f"poll_link_{TEACHER_KEY}"] = teacher
        st.query_params[TEACHER_KEY] = teacher
        st.rerun()


# ------------------------------------------------------------------------------ a student


def _probability_inputs(index: int, question: Question) -> tuple[float, ...] | None:
    """Sliders whose probabilities always sum to 1: one p for two options, else one weight per
    option, each divided by their sum. None when every weight is 0 (said beside them)."""
    if question.num_options == 2:
        p = st.slider(
            f"p({md_literal(question.options[0])})", 0.0, 1.0, 0.5, 0.01, key=f"poll_p_{index}"
        )
        st.caption(f"so p({md_literal(question.options[1])}) = {1 - p:.2f}")
        return (p, 1.0 - p)
    weights = [
        st.slider(md_literal(option), 0, 100, 50, key=f"poll_w_{index}_{k}")
        for k, option in enumerate(question.options)
    ]
    total = sum(weights)
    if total == 0:
        show_problems(["Give at least one option a weight above 0."])
        return None
    probs = tuple(w / total for w in weights)
    st.caption(f"Your probabilities: {_listed(question, probs, 2)}")
    return probs


def _listed(question: Question, probs, digits: int) -> str:
    """ "cat 0.20, dog 0.80": each option, shown literally, with its probability."""
    pairs = zip(question.options, probs, strict=True)
    return ", ".join(f"{md_literal(o)} {p:.{digits}f}" for o, p in pairs)


def _loss_shown(loss: float, unit: str) -> str:
    if loss >= FLOOR_LOSS:
        floor = f"{PROBABILITY_FLOOR:g}"
        return f"{loss_text(loss, unit)} (p = 0 on the right answer: +∞, floored at p = {floor})"
    return loss_text(loss, unit)


def _submit(poll: Poll, index: int, nickname: str, probs) -> Problem | None:
    pacer = st.session_state.setdefault(_PACER, Pacer(SUBMIT_PER_SECOND, SUBMIT_BURST))
    wait = pacer.wait(time.monotonic())
    if wait > 0:
        expected = (
            f"at most {SUBMIT_BURST} answers at once, then {SUBMIT_PER_SECOND:g} a second "
            f"(try again in {wait:.1f} s)"
        )
        return refusal("Submit", "one more", expected).problem
    try:
        poll_store().submit(poll.code, index, _session_token(), nickname, probs)
    except PollInputError as error:
        return error.problem
    return None


NICKNAME_FIRST = "Not recorded: give a nickname the poll takes, in the box at the top, first."


def _mine(poll: Poll) -> dict[int, Answer]:
    """This session's own recorded answers, by question."""
    return {a.question: a for a in poll_store().answers(poll.code, _session_token())}


def _nickname_problem(nickname: str) -> Problem | None:
    try:
        check_nickname(nickname)
    except PollInputError as refused:
        return refused.problem
    return None


def student_view(poll: Poll) -> None:
    """Nickname, one block per question, the student's own losses; nobody else's answers.

    A refused nickname is said beside its box as soon as it is typed; a Submit it stops says so
    beside the button and shows the nickname's problem beside the box."""
    unit = loss_unit()
    st.caption(_expiry_text(poll))
    nickname = st.text_input(
        "Your nickname (no real name needed; nothing else about you is asked or kept)",
        key="poll_nickname",
        max_chars=MAX_NICKNAME_CHARS,
    )
    nickname_messages = st.container()
    nickname_problem = _nickname_problem(nickname)
    if nickname and nickname_problem is not None:
        show_problems([nickname_problem], where=nickname_messages)
    mine = _mine(poll)
    for index, question in enumerate(poll.questions):
        with st.container(border=True):
            st.markdown(f"**Q{index + 1}.** {md_literal(question.prompt)}")
            probs = _probability_inputs(index, question)
            if st.button("Submit", key=f"poll_submit_{index}", disabled=probs is None):
                if nickname_problem is not None:
                    if not nickname:  # not said above yet
                        show_problems([nickname_problem], where=nickname_messages)
                    show_problems([NICKNAME_FIRST])
                elif (problem := _submit(poll, index, nickname, probs)) is None:
                    mine = _mine(poll)
                else:
                    show_problems([problem])
            if index in mine:
                loss = answer_losses(question, [mine[index].probabilities])[0]
                st.success(
                    f"Recorded. Your loss: {_loss_shown(loss, unit)}", icon=":material/check:"
                )
            if poll.revealed:
                st.info(
                    f"Right answer: {md_literal(question.options[question.answer])}",
                    icon=":material/visibility:",
                )
    if mine:
        losses = [answer_losses(poll.questions[q], [a.probabilities])[0] for q, a in mine.items()]
        st.metric(
            f"Your mean cross-entropy ({len(mine)} of {len(poll.questions)} answered)",
            loss_text(sum(losses) / len(losses), unit),
        )


# ------------------------------------------------------------------------------ the teacher


def teacher_view(poll: Poll, teacher: str) -> None:
    """The links, the QR code, the reveal, then the live results (refreshed as a fragment)."""
    student_url = link_for(PAGE_PATH, [(POLL_KEY, poll.code)])
    left, right = st.columns([3, 1])
    with left:
        st.markdown("**Students' link**")
        st.code(student_url, language=None)
        st.markdown("**Your teacher link** — keep it to yourself: it controls the poll.")
        st.code(link_for(PAGE_PATH, [(TEACHER_KEY, teacher)]), language=None)
        st.caption(_expiry_text(poll))
        revealed = st.toggle("Reveal the answers", value=poll.revealed, key="poll_reveal")
        if revealed != poll.revealed:
            poll_store().reveal(teacher, revealed)
    if (png := qr_png(student_url, scale=6)) is not None:  # a poll's link is always short
        right.image(png, caption="Students: scan to answer", width=200)
    _live_results(poll.code, revealed)


@st.fragment(run_every=REFRESH_SECONDS)
def _live_results(code: str, revealed: bool) -> None:
    store = poll_store()
    poll = store.poll(code)
    if poll is None:  # a database emptied under a running page
        st.error("This poll is no longer in the database.", icon=":material/error:")
        return
    unit = loss_unit()
    frame = aggregate.answers_frame(poll, store.answers(code))
    students = frame["session"].nunique()
    board = aggregate.leaderboard(frame, unit)
    cols = st.columns(4)
    cols[0].metric("Students who answered", students)
    cols[1].metric("Answers", len(frame))
    if len(frame):
        cols[2].metric(f"Class mean ({unit})", fmt(in_unit(frame["loss_nats"].mean(), unit)))
        cols[3].metric(f"Best student ({unit})", fmt(board[f"mean loss ({unit})"].iloc[0]))
    st.caption(
        f"Loss per answer: −ln p(right answer). A p of 0 costs +∞; it is counted as p = "
        f"{PROBABILITY_FLOOR:g}, i.e. {loss_text(FLOOR_LOSS, unit)}. Answers must sum to 1 "
        f"within {SUM_TOLERANCE:g}. Updated {datetime.now(UTC):%H:%M:%S} UTC."
    )
    st.dataframe(aggregate.question_summary(poll, frame, unit, revealed), hide_index=True)
    left, right = st.columns(2)
    left.markdown("**Probability given to the right answer**")
    left.plotly_chart(aggregate.p_right_figure(poll, frame), key="poll_p_right")
    right.markdown("**The class's reliability diagram**")
    bins = aggregate.reliability(frame)
    if bins is None:
        right.info("No answers yet.", icon=":material/hourglass_empty:")
    else:
        right.plotly_chart(aggregate.reliability_figure(bins), key="poll_reliability")
    st.markdown("**Leaderboard** (nicknames as typed; lowest mean loss first)")
    st.dataframe(board, hide_index=True)
    if revealed:
        _reveal(poll, unit)
    st.download_button(
        "Download the answers (CSV)",
        aggregate.csv_bytes(frame),
        file_name=f"poll-{code}.csv",
        mime="text/csv",
        key="poll_csv",
        icon=":material/download:",
    )


def _reveal(poll: Poll, unit: str) -> None:
    for index, question in enumerate(poll.questions):
        line = f"Q{index + 1}: {md_literal(question.options[question.answer])}"
        model = model_answer(question)
        if model is not None:
            probs, loss = model
            line += f" — the model's softmax: {_listed(question, probs, 3)}; "
            line += f"its loss {loss_text(loss, unit)}"
        st.markdown(line)
