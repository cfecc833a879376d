"""The poll with its real parts: app replicas behind the repository's nginx, sharing PostgreSQL
(or one replica on SQLite), driven by simulated students over the app's WebSocket.

- a student on one replica, the teacher on the other: the teacher sees the answer within 3 s;
- a replica killed mid-poll loses no submitted answer, and its students carry on elsewhere;
- a class answering at once (20 students arriving within 3 s, so that the teacher reruns a few
  times meanwhile) is all recorded, and the teacher's page reruns with p95 ≤ 1 s.

benchmarks/poll_load.py runs the 100-student figure; here a smaller class keeps the test short.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import pytest
from pg_server import new_database
from poll_client import (
    OWN_QUESTIONS,
    answer,
    class_with_teacher,
    p95,
    poll_page,
    route_to,
    teacher_count,
    wait_for_count,
)
from proxy import nginx_binary, routes
from servers import start_servers, unavailable

from xentui.poll.limits import DATABASE_ENV
from xentui.poll.store import PollStore

SEEN_WITHIN = 3.0
CLASS_SIZE = 20
P95_LIMIT = 1.0


@contextmanager
def _served(folder, database: str, processes: int):
    """`processes` replicas (behind nginx when more than one) on `database`, and its store."""
    if processes > 1 and nginx_binary() is None:
        unavailable("nginx not found; install it with `apt-get install nginx`")
    with pytest.MonkeyPatch.context() as patch, ExitStack() as stack:
        patch.setenv(DATABASE_ENV, database)  # the servers inherit it: the one setting
        served = start_servers(stack, folder, processes=processes, proxy=processes > 1)
        store = PollStore(database)
        yield served, store
        store.close()


def _run(coroutine):
    """asyncio.run in a thread of its own: a browser test's Playwright may hold this thread's
    event loop."""
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


def _upstream(served, cookie: str) -> set[str]:
    """The replica nginx sends `cookie` to, read from its access log (written just after the
    answer, so it is waited for)."""
    route_to(served.url, cookie)
    deadline = time.monotonic() + 5
    while cookie not in (found := routes(served.folder)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found[cookie]


def _cookies_on_two_replicas(served) -> tuple[str, str]:
    """Two route cookies that nginx sends to different replicas."""
    student = _upstream(served, "student")
    for i in range(50):
        if _upstream(served, f"teacher{i}") != student:
            return "student", f"teacher{i}"
    raise AssertionError("nginx sent 51 cookies to one replica")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, postgres_url):
    """Two replicas behind nginx on one PostgreSQL database, for the module (the replica-kill
    test, last, ends it)."""
    database = new_database(postgres_url, "poll_live")
    with _served(tmp_path_factory.mktemp("proxied"), database, processes=2) as served:
        yield served


@pytest.fixture
def single(tmp_path, sqlite_url):
    with _served(tmp_path, sqlite_url, processes=1) as served:
        yield served


def _class_with_teacher(served, store) -> tuple[list[float], float]:
    code, teacher = store.create(OWN_QUESTIONS)
    _, refreshes, took = _run(class_with_teacher(served.url, code, teacher, CLASS_SIZE, spread=3.0))
    assert len(store.answers(code)) == CLASS_SIZE
    assert len({a.session for a in store.answers(code)}) == CLASS_SIZE
    return refreshes, took


def test_a_class_answering_at_once_is_all_recorded_on_postgresql(proxied):
    refreshes, took = _class_with_teacher(*proxied)
    assert took < 30
    assert p95(refreshes) <= P95_LIMIT, sorted(refreshes)


def test_a_class_answering_at_once_is_all_recorded_on_sqlite_with_one_replica(single):
    refreshes, took = _class_with_teacher(*single)
    assert took < 30
    assert p95(refreshes) <= P95_LIMIT, sorted(refreshes)


def test_the_teacher_on_another_replica_sees_the_answer_and_a_killed_replica_loses_none(proxied):
    served, store = proxied
    code, teacher = store.create(OWN_QUESTIONS)
    student_cookie, teacher_cookie = _cookies_on_two_replicas(served)

    async def scenario():
        async with (
            poll_page(served.url, f"teacher={teacher}", route_cookie=teacher_cookie) as board,
            poll_page(served.url, f"poll={code}", route_cookie=student_cookie) as student,
        ):
            assert await teacher_count(board) == 0
            await answer(student, 0, "<b>Ada</b>", 0.8)
            seen = await wait_for_count(board, 1, SEEN_WITHIN)
            await answer(student, 1, "<b>Ada</b>", 0.3)
            return seen

    seen = _run(scenario())
    assert seen <= SEEN_WITHIN
    answered = {(a.question, a.probabilities) for a in store.answers(code)}
    assert answered == {(0, (0.8, 1 - 0.8)), (1, (0.3, 1 - 0.3))}

    # Kill the student's replica outright, mid-poll: what it recorded is in the database.
    (student_upstream,) = routes(served.folder)[student_cookie]
    victim = served.processes[student_upstream]
    victim.kill()
    victim.wait()
    assert {(a.question, a.probabilities) for a in store.answers(code)} == answered

    async def after():
        # The same student comes back; nginx sends the cookie to the survivor.
        async with (
            poll_page(served.url, f"poll={code}", route_cookie=student_cookie) as student,
            poll_page(served.url, f"teacher={teacher}", route_cookie=teacher_cookie) as board,
        ):
            await answer(student, 0, "Ada", 0.9)
            return await wait_for_count(board, 3, SEEN_WITHIN)  # a new session: a new answer

    _run(after())
    assert len(store.answers(code)) == 3
