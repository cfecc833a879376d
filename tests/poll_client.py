"""Simulated students and teacher of a Class poll, over the app's own WebSocket (ws_client).

Used by tests/poll/test_live.py and benchmarks/poll_load.py. A student opens the poll's link,
types a nickname, moves a question's slider and presses its Submit button, as a browser would
send those widget states; the teacher reruns the teacher link's page and reads its metrics.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import urllib.request
from contextlib import asynccontextmanager

from streamlit.proto.WidgetStates_pb2 import WidgetState
from ws_client import Session, connect, open_page, slider_value

from xentui.poll.validation import Question

PAGE = "class-poll"
OWN_QUESTIONS = [
    Question("Cats are mammals", ("true", "false"), 0),
    Question("The Moon is a planet", ("true", "false"), 1),
]


def text_value(widget_id: str, text: str) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.string_value = text
    return state


def pressed(widget_id: str) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.trigger_value = True
    return state


@asynccontextmanager
async def poll_page(url: str, query: str, route_cookie: str = "", source: str = ""):
    """A session opened on the Class poll with `query` ("poll=…" or "teacher=…")."""
    cookies = {} if route_cookie else await asyncio.to_thread(open_page, url, source)
    async with connect(url, route_cookie=route_cookie, source=source, cookies=cookies) as ws:
        session = Session(ws, cookies=cookies)
        await session.rerun(query_string=query, page=PAGE)
        yield session


async def answer(session: Session, question: int, nickname: str, p_first: float) -> float:
    """Submit p(first option) = `p_first` to a two-option question; the rerun's latency."""
    states = [
        text_value(session.widget("poll_nickname"), nickname),
        slider_value(session.widget(f"poll_p_{question}"), p_first),
        pressed(session.widget(f"poll_submit_{question}")),
    ]
    latency = await session.rerun(states, query_string=session.query_string, page=PAGE)
    if session.exceptions:
        raise RuntimeError(f"the student's page raised: {session.exceptions}")
    return latency


async def teacher_count(session: Session) -> int:
    """Rerun the teacher's page; the number of answers it shows."""
    await session.rerun(query_string=session.query_string, page=PAGE)
    if session.exceptions:
        raise RuntimeError(f"the teacher's page raised: {session.exceptions}")
    return int(session.metrics["Answers"])


async def wait_for_count(session: Session, expected: int, timeout: float) -> float:
    """Rerun the teacher's page until it shows `expected` answers; the seconds it took."""
    started = time.perf_counter()
    while (count := await teacher_count(session)) < expected:
        if time.perf_counter() - started > timeout:
            raise AssertionError(f"the teacher saw {count} answers of {expected} in {timeout} s")
        await asyncio.sleep(0.2)
    return time.perf_counter() - started


def route_to(url: str, cookie: str) -> None:
    """One request with route cookie `cookie`, so nginx's access log says where it goes."""
    request = urllib.request.Request(
        f"{url}/_stcore/health", headers={"Cookie": f"xent_route={cookie}"}
    )
    urllib.request.urlopen(request, timeout=5).read()


async def class_answers(url: str, code: str, students: int, spread: float = 0.0) -> list[float]:
    """`students` students, each on its own client address, answer question 1 at once (after
    a random start within `spread` seconds); the latencies of their submissions."""

    async def one(i: int) -> float:
        await asyncio.sleep(spread * (i % 10) / 10)
        source = f"127.0.{2 + i // 250}.{1 + i % 250}"
        async with poll_page(url, f"poll={code}", source=source) as session:
            return await answer(session, 0, f"student {i}", (i % 11) / 10)

    return await asyncio.gather(*(one(i) for i in range(students)))


async def class_with_teacher(
    url: str, code: str, teacher: str, students: int, spread: float, refresh_every: float = 0.5
) -> tuple[list[float], list[float], float]:
    """A class answers while the teacher's page reruns every `refresh_every` s (the app paces
    a session past a burst of 5 reruns to 2 a second: faster would time its waits), until the
    teacher sees every answer: (submission latencies, teacher rerun latencies, seconds taken
    from the first student's arrival to the teacher seeing the last answer)."""
    async with poll_page(url, f"teacher={teacher}", source="127.0.1.1") as board:
        started = time.perf_counter()
        answering = asyncio.create_task(class_answers(url, code, students, spread))
        refreshes = []
        while not answering.done():
            refreshes.append(await board.rerun(query_string=board.query_string, page=PAGE))
            await asyncio.sleep(refresh_every)
        latencies = await answering
        await wait_for_count(board, students, 30.0)
        refreshes.extend(board.latencies[-1:])
        return latencies, refreshes, time.perf_counter() - started


def p95(values: list[float]) -> float:
    """The 95th percentile, between measured values (never beyond the largest)."""
    return (
        statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    )
