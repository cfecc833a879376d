"""The frame every page runs in: session start-up and the opening link's warning, run by app.py."""

from __future__ import annotations

import streamlit as st

from xentui.session import playground

__all__ = ["start"]


def start() -> None:
    """Open the link's scenario on a session's first run; say so if the link could not be used.

    Runs before the page, so every page finds the scenario in place and shows the same notice.
    """
    playground.init_state()
    if warning := st.session_state.get(playground.LINK_WARNING):
        st.warning(warning, icon="🔗")
