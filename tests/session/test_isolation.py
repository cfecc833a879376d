"""Two students on one server at once: neither ever sees the other's scenario."""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
import urllib.parse

import numpy as np
import pytest
from ws_client import Session, connect, editor_edit

import xentcore
from xentui.domain.share_link import decode

pytestmark = pytest.mark.browser  # needs a live server, like the browser tests

DEFAULT_LOGITS = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]


def _edited_logits(edits: dict[int, dict[str, str]]) -> np.ndarray:
    """The default logits with a student's edits ({row: {"c<column>": text}}) typed in."""
    logits = np.array(DEFAULT_LOGITS, dtype=np.float32)
    for row, cells in edits.items():
        for column, text in cells.items():
            logits[row, int(column[1:])] = float(text)
    return logits


def _expected_loss(edits: dict[int, dict[str, str]]) -> str:
    return f"{float(xentcore.cross_entropy(_edited_logits(edits), [0, 2])):.4f} nats"


async def _student(url: str, seed: int, rounds: int) -> list[str]:
    """Edit one's own logits again and again; return every mismatch seen."""
    rng = random.Random(seed)
    problems = []
    async with connect(url) as ws:
        session = Session(ws)
        await session.rerun()
        edits: dict[int, dict[str, str]] = {}
        for _ in range(rounds):
            row, column = rng.randrange(2), f"c{rng.randrange(3)}"
            edits.setdefault(row, {})[column] = str(rng.randint(-9, 9) + seed / 100)
            await session.rerun([editor_edit(session.widget("logits_editor_"), edits)])
            await asyncio.sleep(rng.uniform(0, 0.05))
            shown = session.metrics.get("Mean loss")
            if shown != _expected_loss(edits):
                problems.append(f"student {seed}: shows {shown}, expected {_expected_loss(edits)}")
            token = urllib.parse.parse_qs(session.query_string).get("s", [""])[0]
            if token:
                linked = np.array(decode(token).logits)
                if not np.allclose(linked, _edited_logits(edits)):
                    problems.append(f"student {seed}: link holds {linked.tolist()}")
        problems.extend(session.exceptions)
    return problems


def test_concurrent_sessions_never_see_each_others_data(app_url):
    async def both():
        return await asyncio.gather(_student(app_url, 1, 12), _student(app_url, 2, 12))

    # A worker thread: Playwright's sync API may hold this thread's event loop (other tests).
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        first, second = worker.submit(asyncio.run, both()).result()
    assert first == [] and second == []
