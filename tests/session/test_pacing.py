"""On a live server, a session that reruns without pause is paced; its neighbours are not."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time

import pytest
from ws_client import Session, connect, editor_edit

from xentui.domain.limits import RERUN_BURST, RERUNS_PER_SECOND

pytestmark = pytest.mark.browser  # needs a live server, like the browser tests

BEYOND = 10  # reruns past the burst (the first, slow run lets a few more in at once)


async def _hammer(url: str) -> list[float]:
    """Rerun the Playground back to back; when each rerun finished, from the first request."""
    async with connect(url, source="127.0.4.1") as ws:
        session = Session(ws)
        started = time.perf_counter()
        finished = []
        for i in range(RERUN_BURST + BEYOND):
            edit = (
                editor_edit(session.widget("logits_editor_"), {0: {"c0": str(i % 9)}})
                if i
                else None
            )
            await session.rerun([edit] if edit else [])
            finished.append(time.perf_counter() - started)
        assert not session.exceptions, session.exceptions
        return finished


async def _neighbour(url: str, after: float) -> list[float]:
    """Once the hammering session has used its burst, three edits of another session."""
    await asyncio.sleep(after)
    async with connect(url, source="127.0.4.2") as ws:
        session = Session(ws)
        await session.rerun()
        for value in ("5", "6", "7"):
            await session.rerun([editor_edit(session.widget("logits_editor_"), {1: {"c1": value}})])
        return session.latencies


def test_a_hammering_session_waits_its_turn_and_its_neighbour_does_not(app_url):
    async def both():
        return await asyncio.gather(_hammer(app_url), _neighbour(app_url, after=1.0))

    with concurrent.futures.ThreadPoolExecutor(1) as worker:  # Playwright may hold this loop
        hammer, neighbour = worker.submit(asyncio.run, both()).result()
    # The last 4 runs each waited one interval (the run times themselves jitter a little).
    assert hammer[-1] - hammer[-5] >= 4 * 0.9 / RERUNS_PER_SECOND, hammer
    assert max(neighbour[1:]) < 1 / RERUNS_PER_SECOND, neighbour  # its edits never wait
