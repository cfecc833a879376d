"""The frame every page runs in: the pace, session start-up, the link's warning, the loss unit,
a lesson's panel; after the page, the Share control."""

from __future__ import annotations

import streamlit as st

from xentui.session import lesson, pacing, playground, presenter, units
from xentui.session.feedback import LINK_ICON
from xentui.session.share import current_params, link_for, show_qr

__all__ = ["SHARE_KEY", "finish", "start"]

SHARE_KEY = "share"


def start(page) -> None:
    """Open the link's scenario on a session's first run; say so if the link could not be used.

    Runs before the page (`page`, the st.navigation page about to run), so every page finds the
    scenario in place and shows the same notice and a lesson's step; first of all, the session
    keeps its pace.
    """
    pacing.keep_pace()
    playground.init_state()
    units.unit_control()
    presenter.start()
    if warning := st.session_state.get(playground.LINK_WARNING):
        st.warning(warning, icon=LINK_ICON)
    lesson.open_lesson(page)


def finish(page) -> None:
    """The sidebar's Share control, placed after the page ran: its link holds the page's state."""
    share = st.sidebar.popover("Share", icon=":material/share:", key=SHARE_KEY, on_change="rerun")
    if not share.open:
        return  # drawn only while open: a QR code takes tens of milliseconds to draw
    params = current_params()
    link = link_for(page.url_path, params)
    with share:
        st.caption("This link reopens this page exactly as it is now:")
        st.code(link, language=None, wrap_lines=True)
        show_qr(link)
        lesson.composer(page, params)
