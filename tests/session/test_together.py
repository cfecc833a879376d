"""`together` holds back Streamlit's stop requests at session-state accesses, and gives them back.

It relies on SafeSessionState's `_yield_callback` (Streamlit 1.67): a Streamlit that renames it
fails here, not silently in a class.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

SCRIPT = """
import streamlit as st
from streamlit.runtime.state.session_state_proxy import get_session_state
from xentui.session.together import together, writes_together

state = get_session_state()
before = state._yield_callback
with together():
    inside = state._yield_callback
    st.session_state["a"] = 1
    with together():  # nested: the outer one still holds on the way out of the inner
        st.session_state["b"] = 2
    after_inner = state._yield_callback
restored = state._yield_callback == before
st.session_state["kept"] = (inside is not before, after_inner is inside, restored)

@writes_together
def write():
    st.session_state["c"] = state._yield_callback is not before

write()
"""


def test_together_swaps_the_yield_point_and_restores_it():
    at = AppTest.from_string(SCRIPT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["kept"] == (True, True, True)
    assert (at.session_state["a"], at.session_state["b"]) == (1, 2)
    assert at.session_state["c"] is True  # the decorator holds them back too
