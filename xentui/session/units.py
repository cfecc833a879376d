"""The reader's choice of loss unit (nats or bits): one control in the sidebar, kept in the link."""

from __future__ import annotations

import streamlit as st

from xentui.domain import link_values as rules
from xentui.kit.units import UNITS
from xentui.session.page_state import open_page

__all__ = ["UNIT_KEY", "loss_unit", "unit_control"]

UNIT_KEY = "unit"


def unit_control() -> str:
    """The sidebar's "Loss in" switch; every page that shows a loss reads it with `loss_unit`."""
    state = open_page("frame", every_run=True)
    return state.control(
        st.sidebar.segmented_control,
        "Loss in",
        UNITS,
        key=UNIT_KEY,
        rule=rules.one_of(UNITS),
        default=UNITS[0],
        required=True,
        help="Natural log (nats, as PyTorch computes) or log base 2 (bits): bits = nats / ln 2.",
    )


def loss_unit() -> str:
    """The unit chosen in the sidebar ("nats" until the reader changes it)."""
    unit = st.session_state.get(UNIT_KEY)
    return unit if unit in UNITS else UNITS[0]
