"""The frame every page runs in: the pace, session start-up, the link's warning, the loss unit."""

from __future__ import annotations

import streamlit as st

from xentui.session import pacing, playground, presenter, units
from xentui.session.feedback import LINK_ICON

__all__ = ["start"]


def start() -> None:
    """Open the link's scenario on a session's first run; say so if the link could not be used.

    Runs before the page, so every page finds the scenario in place and shows the same notice;
    first of all, the session keeps its pace.
    """
    pacing.keep_pace()
    playground.init_state()
    units.unit_control()
    presenter.start()
    if warning := st.session_state.get(playground.LINK_WARNING):
        st.warning(warning, icon=LINK_ICON)
