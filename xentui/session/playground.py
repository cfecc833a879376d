"""The Playground's session state: the current scenario, the editors' base tables, the link.

Streamlit lives here and in the other `xentui.session` modules (and the page scripts), never in
the builders. The logits and probability editors are recreated under a new key whenever their
shape changes (a class added or removed, a preset loaded); before that, what the user typed is
folded into the base table, so nothing is lost.
"""

from __future__ import annotations

import copy

import pandas as pd
import streamlit as st

from xentui.domain.limits import MAX_CLASSES, MAX_SAMPLES
from xentui.domain.presets import DEFAULT_SCENARIO
from xentui.domain.scenario import Scenario
from xentui.domain.share_link import QUERY_KEY, LinkError, decode, encode
from xentui.domain.validation import Checked
from xentui.kit.format import md_literal
from xentui.playground import editor
from xentui.session.together import writes_together

__all__ = [
    "LINK_WARNING",
    "SCENARIO",
    "current_scenario",
    "editor_key",
    "editor_states",
    "ensure_soft_shape",
    "focus_sample",
    "follow_class_changes",
    "init_state",
    "keep_sample_edits",
    "keep_unshown_inputs",
    "load_checked",
    "load_scenario",
    "loading_problems",
    "option_values",
    "refuse_rows_beyond_limits",
    "refused_rows",
    "remember_tables",
    "restore_after_leaving",
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
PRESETS_OPEN = "presets_open"  # the expander of presets and random logits, drawn while open
TORCH_CODE_OPEN = "torch_code_open"  # the expander of PyTorch's code and output, drawn while open
PRESET_INPUTS = ("preset_choice", "random_seed", "random_spread", "random_n", "random_c")
# Which rows of the samples editor the probability rows belong to: (editor key, live rows), a row
# named by its position in the editor's base plus added rows. Deleting sample 1 then drops
# probability row 1, not the last one.
SOFT_ROWS = "soft_rows"
FOCUS, CURVE, CURVE_SEEN = "focus_sample", "curve", "curve_seen"
# What a preset or "Random" could not load, kept for the run its button starts.
LOADING_PROBLEMS = "loading_problems"
# Each editor's key and the table it showed at the end of the Playground's last run.
SHOWN_TABLES = "shown_tables"
EDITORS = ("classes", "logits", "soft")
# The editors that take new rows, with their limit and what a row is, for the message.
ROW_LIMITS = {"classes": (MAX_CLASSES, "class"), "logits": (MAX_SAMPLES, "sample")}
# What `refuse_rows_beyond_limits` left out: {table: (editor key it made, message)}.
REFUSED_ROWS = "refused_rows"


def option_values() -> dict:
    """Each option's value in session state (set by `restore_after_leaving` if it was gone)."""
    return {field: st.session_state[key] for field, key in OPTION_KEYS.items()}


def editor_key(table: str) -> str:
    return f"{table}_editor_{st.session_state[f'{table}_version']}"


def _set_base(table: str, frame) -> None:
    st.session_state[f"{table}_base"] = frame
    st.session_state[f"{table}_version"] = st.session_state.get(f"{table}_version", 0) + 1


@writes_together
def load_scenario(scenario: Scenario) -> None:
    """Make `scenario` the one shown and edited (a preset, a random draw, a link)."""
    st.session_state[SCENARIO] = scenario
    st.session_state[LINK_WARNING] = None  # a warning about the opening link no longer applies
    _set_base("classes", editor.classes_frame(scenario))
    _set_base("logits", editor.logits_frame(scenario))
    _set_base("soft", editor.soft_targets_frame(scenario))
    st.session_state["logits_classes"] = list(scenario.classes)
    for field, key in OPTION_KEYS.items():
        st.session_state[key] = getattr(scenario, field)
    st.session_state[SOFT_TOGGLE] = scenario.soft_targets is not None
    st.session_state[SOFT_ROWS] = _live_sample_rows()
    st.session_state[FOCUS] = 0
    st.session_state[LOADING_PROBLEMS] = ()


@writes_together
def load_checked(checked: Checked) -> None:
    """Load a checked scenario (a preset, a random draw), or keep its problems to show."""
    if checked.scenario is not None:
        load_scenario(checked.scenario)
    else:
        st.session_state[LOADING_PROBLEMS] = checked.problems


def loading_problems() -> tuple:
    """What the last preset or "Random" could not load; said once."""
    return st.session_state.pop(LOADING_PROBLEMS, ())


def init_state() -> None:
    """On a session's first run: open the scenario of the link, or the default one."""
    if SCENARIO in st.session_state:
        return
    scenario, warning = DEFAULT_SCENARIO, None
    token = st.query_params.get(QUERY_KEY)
    if token:
        try:
            scenario = decode(token)
        except LinkError as problem:
            # The message quotes the link's own text: shown literally, never as Markdown.
            warning = (
                f"This link could not be opened — {md_literal(str(problem))}. "
                "Showing the default scenario instead."
            )
    load_scenario(scenario)
    st.session_state[LINK_WARNING] = warning


def current_scenario() -> Scenario:
    return st.session_state[SCENARIO]


def remember_tables() -> None:
    """Keep what each editor shows, for `restore_after_leaving` (called once they are drawn)."""
    st.session_state[SHOWN_TABLES] = {
        table: (editor_key(table), editor.apply_edits(st.session_state[f"{table}_base"], state))
        for table in EDITORS
        if isinstance(state := st.session_state.get(editor_key(table)), dict)
    }


@writes_together
def restore_after_leaving() -> None:
    """Give back what Streamlit dropped while another page was shown (call before the widgets).

    Streamlit forgets a widget's state when a run does not draw it, as on a visit to another
    page: the options would come back at their minimum (a temperature of 0.05) and the editors
    without the edits typed into them. The options are set from the scenario shown, and each
    editor whose state is gone is rebuilt from the table it last showed.
    """
    scenario = current_scenario()
    for field, key in OPTION_KEYS.items():
        if key not in st.session_state:
            st.session_state[key] = getattr(scenario, field)
    if SOFT_TOGGLE not in st.session_state:
        st.session_state[SOFT_TOGGLE] = scenario.soft_targets is not None
    soft_aligned = st.session_state.get(SOFT_ROWS) == _live_sample_rows()
    for table, (key, frame) in st.session_state.get(SHOWN_TABLES, {}).items():
        if key == editor_key(table) and key not in st.session_state:
            _set_base(table, frame)
    if soft_aligned:
        st.session_state[SOFT_ROWS] = _live_sample_rows()


def keep_unshown_inputs() -> None:
    """Keep the preset and random inputs' values while their expander is closed.

    Streamlit drops a widget's value after a run that does not draw it, unless the script
    itself set the value; setting each to itself keeps what the user chose.
    """
    for key in PRESET_INPUTS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


@writes_together
def refuse_rows_beyond_limits() -> None:
    """Keep the classes and logits editors within their limits (call before the widgets).

    Streamlit adds an editor's new rows to its table one `DataFrame.loc` at a time, copying the
    table for each: 3,000 pasted rows cost seconds, on this rerun and on every later one (the
    browser sends the rows again each time), and hold the server for every other session. So the
    rows beyond a limit are refused before the editor is drawn: the edits and the first new rows
    that fit are folded into its base, and the editor is recreated under a new key, which makes the
    browser drop the rest. (A data editor's state cannot be cut in place: Streamlit refuses to
    set it through session state.) The message is kept for `refused_rows`.
    """
    refused = st.session_state.setdefault(REFUSED_ROWS, {})
    for table, (limit, noun) in ROW_LIMITS.items():
        old_key = editor_key(table)
        base = st.session_state[f"{table}_base"]
        state, left_out = editor.cut_to_limit(len(base), st.session_state.get(old_key), limit)
        if state is None:
            continue
        old_live = _live_sample_rows()[1] if table == "logits" else ()
        kept_table = editor.apply_edits(base, state)
        _set_base(table, kept_table)
        if table == "logits":
            _follow_kept_samples(old_key, old_live[: len(kept_table)])
        kept = len(state["added_rows"])
        refused[table] = (
            editor_key(table),
            editor.rows_beyond_limit_message(left_out, kept, limit, noun),
        )


def refused_rows(table: str) -> list[str]:
    """The message about rows `refuse_rows_beyond_limits` left out of `table`, while it applies.

    It stays beside the editor until the editor is recreated again (another paste, a preset).
    """
    key, message = st.session_state.get(REFUSED_ROWS, {}).get(table, (None, ""))
    return [message] if key == editor_key(table) else []


def _follow_kept_samples(old_key: str, kept_rows: tuple[int, ...]) -> None:
    """Carry the probability rows over to the logits editor recreated with `kept_rows`.

    kept_rows are the old editor's live rows that the new one holds, in order; each probability
    row the page knew stays with its sample, and ensure_soft_shape fills the rest.
    """
    known = st.session_state.get(SOFT_ROWS)
    soft = editor.apply_edits(
        st.session_state["soft_base"], st.session_state.get(editor_key("soft"))
    )
    if known is None or known[0] != old_key or len(known[1]) != len(soft):
        st.session_state[SOFT_ROWS] = None
        return
    position = {row: i for i, row in enumerate(known[1])}
    pairs = [(new, position[row]) for new, row in enumerate(kept_rows) if row in position]
    _set_base("soft", soft.iloc[[old for _, old in pairs]].reset_index(drop=True))
    st.session_state[SOFT_ROWS] = (editor_key("logits"), tuple(new for new, _ in pairs))


@writes_together
def follow_class_changes(classes_frame: pd.DataFrame) -> list[str]:
    """Re-shape the samples and probability tables when the classes table's valid names changed.

    Returns the names the samples tables are now built for: the table's own while it is valid,
    the last valid ones while it is not.
    """
    old = st.session_state["logits_classes"]
    names, _ = editor.read_classes(classes_frame)
    if names is None or names == old:
        return old
    soft_aligned = st.session_state.get(SOFT_ROWS) == _live_sample_rows()
    for table in ("logits", "soft"):
        edited = editor.apply_edits(
            st.session_state[f"{table}_base"], st.session_state.get(editor_key(table))
        )
        _set_base(table, editor.restructure_samples(edited, old, names))
    st.session_state[SOFT_ROWS] = _live_sample_rows() if soft_aligned else None
    st.session_state["logits_classes"] = list(names)
    return names


@writes_together
def keep_sample_edits() -> None:
    """Fold the samples editor's edits into its base before the editor is recreated.

    Toggling probability targets disables two of its columns, which gives the editor a new
    identity in Streamlit and would drop every edit not yet folded in.
    """
    edited = editor.apply_edits(
        st.session_state["logits_base"], st.session_state.get(editor_key("logits"))
    )
    _set_base("logits", edited)


def _live_sample_rows() -> tuple[str, tuple[int, ...]]:
    """The samples editor's key and its live rows (position in base + added, minus deleted)."""
    key = editor_key("logits")
    state = st.session_state.get(key)
    state = state if isinstance(state, dict) else {}
    total = len(st.session_state["logits_base"]) + len(state.get("added_rows") or [])
    deleted = {int(r) for r in state.get("deleted_rows") or []}
    return key, tuple(r for r in range(total) if r not in deleted)


@writes_together
def ensure_soft_shape(samples_frame: pd.DataFrame, classes: list[str]) -> None:
    """Keep one probability row per live sample, following the samples editor's deletions.

    A sample the probability table has not seen (a new row, or every row after the table lost
    track, e.g. when probability targets are switched on) starts one-hot on its target.
    """
    num_classes = len(classes)
    targets = [
        classes.index(t) if t in classes else 0
        for t in editor.samples_draft(samples_frame, num_classes)["targets"]
    ]
    live = _live_sample_rows()
    known = st.session_state.get(SOFT_ROWS)
    if known == live:
        return
    base = editor.apply_edits(
        st.session_state["soft_base"], st.session_state.get(editor_key("soft"))
    )
    rows_of = {}
    if known is not None and known[0] == live[0] and len(known[1]) == len(base):
        rows_of = dict(zip(known[1], base.itertuples(index=False, name=None), strict=True))
    one_hot = [
        ["1" if c == (targets[i] if i < len(targets) else 0) else "0" for c in range(num_classes)]
        for i in range(len(live[1]))
    ]
    rows = [rows_of.get(row) or one_hot[i] for i, row in enumerate(live[1])]
    columns = [editor.class_column(c) for c in range(num_classes)]
    _set_base("soft", pd.DataFrame(rows, columns=columns, dtype=object))
    st.session_state[SOFT_ROWS] = live


def focus_sample(num_samples: int) -> int:
    """The sample whose breakdown is shown: a click on the curve picks it; it stays in range.

    Clamped here, before its selectbox is drawn, so a scenario that shrank (a sample deleted, a
    smaller preset) never leaves the focus on a sample that is gone.
    """
    selection = st.session_state.get(CURVE) or {}
    points = (selection.get("selection") or {}).get("points") or []
    picked = [p for p in points if p.get("curve_number") == 1]
    if picked and picked[0].get("point_index") != st.session_state.get(CURVE_SEEN):
        st.session_state[CURVE_SEEN] = picked[0].get("point_index")
        st.session_state[FOCUS] = picked[0]["point_index"]
    focus = st.session_state.get(FOCUS, 0)
    if not isinstance(focus, int) or not 0 <= focus < num_samples:
        st.session_state[FOCUS] = focus = 0
    return focus


def sync_link(scenario: Scenario) -> str:
    """Keep the address bar's query string equal to the scenario; return the token."""
    token = encode(scenario)
    if scenario == DEFAULT_SCENARIO:
        if QUERY_KEY in st.query_params:
            del st.query_params[QUERY_KEY]
    elif st.query_params.get(QUERY_KEY) != token:
        st.query_params[QUERY_KEY] = token
    return token


def editor_states() -> dict[str, object]:
    """Each editor's edits now (None: none); equal to an earlier answer if none came since.

    For a change made outside the editors (a dragged logit) that reloads them: it must not land
    on top of an edit that arrived meanwhile. An editor not drawn yet and one drawn without edits
    both count as none. The editors' keys are left out: a run that a newer one interrupted, or
    one whose widget states came from a page that had not caught up, may re-key an editor with
    the very table it showed, which is no edit.
    """
    states = {}
    for table in EDITORS:
        state = st.session_state.get(editor_key(table))
        parts = ("edited_rows", "added_rows", "deleted_rows")
        edited = isinstance(state, dict) and any(state.get(part) for part in parts)
        states[table] = copy.deepcopy(state) if edited else None
    return states
