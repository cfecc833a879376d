"""The uploads' analysis cache: bounded in bytes and per session, shared, freed at a session's end.

Unit tests of xentui.your_model.analysis_cache without a server, then the page through AppTest:
a session's upload is held while the session lives, and let go when Streamlit ends the session
(which clears its session-scoped resources, as it does when a browser disconnects).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.runtime import caching
from streamlit.testing.v1 import AppTest
from upload_cases import LABELS, SCORES, npz_bytes

from xentui.session import your_model as ym
from xentui.your_model.analysis_cache import AnalysisCache, TooLarge, held_bytes

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def block(size: int) -> np.ndarray:
    return np.zeros(size, np.uint8)


def test_the_total_stays_within_the_bytes_bound_dropping_the_least_recently_used():
    cache = AnalysisCache(max_bytes=1000, per_holder=5)
    for key in "abc":
        cache.get(key, key, lambda: block(400))  # each in its own session
    assert cache.keys() == ["b", "c"] and cache.total_bytes == 800
    cache.get("b", "b", lambda: 1 / 0)  # used again: now the most recent
    cache.get("d", "d", lambda: block(400))
    assert cache.keys() == ["b", "d"]


def test_a_session_holds_at_most_its_limit_and_lets_go_of_its_oldest():
    cache = AnalysisCache(max_bytes=10**6, per_holder=2)
    for key in "abc":
        cache.get(key, "tab", lambda: block(10))
    assert cache.held_by("tab") == ["b", "c"] and cache.keys() == ["b", "c"]


def test_an_entry_shared_by_two_sessions_lives_until_both_let_go():
    cache = AnalysisCache(max_bytes=10**6, per_holder=1)
    first = cache.get("same bytes", "tab 1", lambda: block(10))
    assert cache.get("same bytes", "tab 2", lambda: block(10)) is first
    cache.release("tab 1")
    assert cache.keys() == ["same bytes"] and cache.holders("same bytes") == {"tab 2"}
    cache.release("tab 2")
    assert cache.keys() == [] and cache.total_bytes == 0


def test_ending_a_session_frees_what_only_it_held():
    cache = AnalysisCache(max_bytes=10**6, per_holder=2)
    cache.get("mine", "tab 1", lambda: block(100))
    cache.get("ours", "tab 1", lambda: block(100))
    cache.get("ours", "tab 2", lambda: block(100))
    cache.release("tab 1")
    assert cache.keys() == ["ours"] and cache.total_bytes == 100
    cache.release("no such tab")  # releasing twice, or a session that held nothing, is no error


def test_an_entry_larger_than_the_whole_cache_is_refused_and_not_kept():
    cache = AnalysisCache(max_bytes=100, per_holder=2)
    with pytest.raises(TooLarge) as raised:
        cache.get("big", "tab", lambda: block(101))
    assert (raised.value.size, raised.value.max_bytes) == (101, 100)
    assert cache.keys() == [] and cache.held_by("tab") == []


def test_a_failed_computation_keeps_nothing_and_can_be_retried():
    cache = AnalysisCache(max_bytes=100, per_holder=2)
    with pytest.raises(ZeroDivisionError):
        cache.get("k", "tab", lambda: 1 / 0)
    assert cache.get("k", "tab", lambda: block(1)).size == 1


def test_sessions_asking_at_once_share_one_computation():
    cache = AnalysisCache(max_bytes=10**6, per_holder=2)
    calls: list[int] = []

    def slow() -> np.ndarray:
        calls.append(1)
        time.sleep(0.2)
        return block(10)

    results = []
    threads = [
        threading.Thread(target=lambda i=i: results.append(cache.get("k", i, slow)))
        for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and all(r is results[0] for r in results)
    assert cache.holders("k") == {0, 1, 2, 3}


def test_held_bytes_counts_each_buffer_once_and_a_view_as_its_upload():
    upload = bytes(1000)
    view = np.frombuffer(upload, np.uint8)[:10]
    assert held_bytes((view, view[:5], upload)) == 1000
    assert held_bytes({"a": block(10), "b": [block(20)]}) == 30


def test_a_sessions_upload_is_freed_when_the_session_ends():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/analyse/your_model.py").run()
    raw = npz_bytes(logits=SCORES, labels=LABELS)
    at.file_uploader(key="ym_file").set_value(("freed.npz", raw, "application/octet-stream"))
    at.run()
    assert not at.exception and at.session_state[ym.PROBLEM] is None
    key = at.session_state["ym_key"]
    assert key in ym.ANALYSES
    assert ym.ANALYSES.get(key, "another tab", lambda: 1 / 0) is at.session_state[ym.ANALYSIS]
    ym.ANALYSES.release("another tab")
    # What Streamlit does when the browser disconnects or the session shuts down
    # (AppSession.clear_session_caches); AppTest's session id is "test session id".
    caching.clear_session_resource_cache("test session id")
    assert key not in ym.ANALYSES
    at.run()  # the session is back (a reconnection): what it shows is held again
    assert key in ym.ANALYSES
