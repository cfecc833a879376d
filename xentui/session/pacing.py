"""Each session keeps to a pace, so that one hammering a page cannot slow the class's server.

Called first on every run (xentui/session/frame.py). A run past the session's burst sleeps until
its turn: the sleep holds no lock and no CPU, and the newest widget values are the ones used once
it wakes (a rerun asked for meanwhile restarts the run). Only a served app is paced: AppTest runs
one session in-process on a stand-in runtime, with no server to share.
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit import runtime
from streamlit.runtime import Runtime

from xentui.domain.limits import RERUN_BURST, RERUNS_PER_SECOND
from xentui.kit.pacing import Pacer

__all__ = ["PACER", "keep_pace"]

PACER = "pacer"  # session state: this session's Pacer


def keep_pace() -> float:
    """Wait for this run's turn; the seconds waited."""
    # AppTest's stand-in is a MagicMock(spec=Runtime), which passes isinstance: ask for the type.
    if not (runtime.exists() and type(runtime.get_instance()) is Runtime):
        return 0.0
    if PACER not in st.session_state:
        st.session_state[PACER] = Pacer(RERUNS_PER_SECOND, RERUN_BURST)
    wait = st.session_state[PACER].wait(time.monotonic())
    if wait > 0:
        time.sleep(wait)
    return wait
