"""The Playground's session state: the current scenario, the editors' base tables, the link.

The only module of xentui that imports Streamlit (with the page scripts). Editors are recreated
under a new key whenever their shape changes (a class added, a preset loaded); before that, what
the user typed is folded into the base table, so nothing is lost.
"""

from __future__ import annotations

import streamlit as st

from xentui import editor
from xentui.scenario import DEFAULT_SCENARIO, Scenario
from xentui.share_link import QUERY_KEY, LinkError, decode, encode

__all__ = [
    "current_scenario",
    "editor_key",
    "ensure_soft_shape",
    "follow_class_changes",
    "init_state",
    "load_scenario",
    "sync_link",
]

SCENARIO = "scenario"  # the last valid scenario: what every output shows
LINK_WARNING = "link_warning"
OPTION_KEYS = {
    "reduction": "opt_reduction",
    "label_smoothing": "opt_smoothing",
    "temperature": "opt_temperature",
    "precision": "opt_precision",
}
SOFT_TOGGLE = "opt_soft"


def editor_key(table: str) -> str:
    return f"{table}_editor_{st.session_state[f'{table}_version']}"


def _set_base(table: str, frame) -> None:
    st.session_state[f"{table}_base"] = frame
    st.session_state[f"{table}_version"] = st.session_state.get(f"{table}_version", 0) + 1


def load_scenario(scenario: Scenario) -> None:
    """Make `scenario` the one shown and edited (a preset, a random draw, a link)."""
    st.session_state[SCENARIO] = scenario
    _set_base("classes", editor.classes_frame(scenario))
    _set_base("logits", editor.logits_frame(scenario))
    _set_base("soft", editor.soft_targets_frame(scenario))
    st.session_state["logits_classes"] = list(scenario.classes)
    for field, key in OPTION_KEYS.items():
        st.session_state[key] = getattr(scenario, field)
    st.session_state[SOFT_TOGGLE] = scenario.soft_targets is not None
    st.session_state["focus_sample"] = 0


def init_state() -> None:
    """On a session's first run: open the scenario of the link, or the default one."""
    if SCENARIO in st.session_state:
        return
    st.session_state[LINK_WARNING] = None
    scenario = DEFAULT_SCENARIO
    token = st.query_params.get(QUERY_KEY)
    if token:
        try:
            scenario = decode(token)
        except LinkError as problem:
            st.session_state[LINK_WARNING] = (
                f"This link could not be opened — {problem}. Showing the default scenario instead."
            )
    load_scenario(scenario)


def current_scenario() -> Scenario:
    return st.session_state[SCENARIO]


def follow_class_changes(names: list[str]) -> None:
    """Re-shape the samples and probability tables when the class list changed shape or names."""
    old = st.session_state["logits_classes"]
    if names == old:
        return
    for table in ("logits", "soft"):
        edited = editor.apply_edits(
            st.session_state[f"{table}_base"], st.session_state.get(editor_key(table))
        )
        _set_base(table, editor.restructure_samples(edited, old, names))
    st.session_state["logits_classes"] = list(names)


def ensure_soft_shape(num_samples: int, targets: list[int], num_classes: int) -> None:
    """Keep one probability row per sample: new samples start one-hot on their target."""
    base = editor.apply_edits(
        st.session_state["soft_base"], st.session_state.get(editor_key("soft"))
    )
    if len(base) == num_samples:
        return
    base = base.iloc[:num_samples].reset_index(drop=True)
    for row in range(len(base), num_samples):
        target = targets[row] if row < len(targets) else 0
        base.loc[row] = ["1" if c == target else "0" for c in range(num_classes)]
    _set_base("soft", base)


def sync_link(scenario: Scenario) -> str:
    """Keep the address bar's query string equal to the scenario; return the token."""
    token = encode(scenario)
    if scenario == DEFAULT_SCENARIO:
        if QUERY_KEY in st.query_params:
            del st.query_params[QUERY_KEY]
    elif st.query_params.get(QUERY_KEY) != token:
        st.query_params[QUERY_KEY] = token
    return token
