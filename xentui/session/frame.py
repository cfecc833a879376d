"""The frame every page runs in: session start-up, the opening link's warning and the loss unit."""

from __future__ import annotations

import streamlit as st

from xentui.session import playground, units

__all__ = ["start"]


def start() -> None:
    """Open the link's scenario on a session's first run; say so if the link could not be used.

    Runs before the page, so every page finds the scenario in place and shows the same notice.
    """
    playground.init_state()
    units.unit_control()
    if warning := st.session_state.get(playground.LINK_WARNING):
        st.warning(warning, icon="🔗")
