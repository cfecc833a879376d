"""The Playground: edit logits and targets; see softmax, the losses, Y·(−log P)ᵀ and −log p."""

from __future__ import annotations

import streamlit as st

from xentui.domain.limits import (
    MAX_CLASSES,
    MAX_NAME_CHARS,
    MAX_SAMPLES,
    PRECISIONS,
    REDUCTIONS,
    SMOOTHING_RANGE,
    SPREAD_RANGE,
    TEMPERATURE_RANGE,
)
from xentui.domain.presets import PRESETS, check_random
from xentui.domain.results import analyse, torch_check
from xentui.domain.scenario import Scenario
from xentui.domain.torch_code import torch_code
from xentui.domain.validation import CLASSES, LOGITS, OPTIONS, SOFT
from xentui.kit.format import md_literal, percent
from xentui.kit.units import UNIT_HELP, loss_text
from xentui.playground import editor, figures, tables
from xentui.playground.editor import IGNORE_COLUMN, NAME_COLUMN, TARGET_COLUMN, WEIGHT_COLUMN
from xentui.session import playground as session
from xentui.session.feedback import show_problems
from xentui.session.logit_drag import logit_drag
from xentui.session.units import loss_unit

session.restore_after_leaving()
session.keep_unshown_inputs()
session.refuse_rows_beyond_limits()
shown: Scenario = session.current_scenario()

st.title("Playground")
title_line = st.empty()
headline = st.container()

# ------------------------------------------------------------------------------ the editors
edit_col, view_col = st.columns([1, 1.15], gap="medium")
with edit_col:
    st.markdown("**Classes** — rename, add or remove rows; a weight rescales a class's loss.")
    classes_out = st.data_editor(
        st.session_state["classes_base"],
        key=session.editor_key("classes"),
        num_rows="dynamic",
        hide_index=True,
        column_config={
            NAME_COLUMN: st.column_config.TextColumn("class name", max_chars=MAX_NAME_CHARS),
            WEIGHT_COLUMN: st.column_config.TextColumn("weight", help="Empty means 1."),
        },
    )
    problem_boxes = {CLASSES: st.container()}
    show_problems(session.refused_rows("classes"), where=problem_boxes[CLASSES])
    names = session.follow_class_changes(classes_out)

with view_col:
    st.markdown(
        f"**Logits** — a row per sample, a column per class (at most {MAX_SAMPLES} × "
        f"{MAX_CLASSES}; larger data belongs on “Your model”)."
    )
    class_columns = {
        editor.class_column(c): st.column_config.TextColumn(name, required=True)
        for c, name in enumerate(names)
    }
    soft_mode = st.session_state.get(session.SOFT_TOGGLE, False)
    samples_out = st.data_editor(
        st.session_state["logits_base"],
        key=session.editor_key("logits"),
        num_rows="dynamic",
        hide_index=True,
        column_config={
            **class_columns,
            TARGET_COLUMN: st.column_config.SelectboxColumn(
                "target", options=names, required=True, disabled=soft_mode
            ),
            IGNORE_COLUMN: st.column_config.CheckboxColumn(
                "ignore",
                help="Leave this sample out of the loss (ignore_index).",
                default=False,
                disabled=soft_mode,
            ),
        },
    )
    problem_boxes[LOGITS] = st.container()
    show_problems(session.refused_rows("logits"), where=problem_boxes[LOGITS])
    infinity_box = st.container()

    st.toggle(
        "Probability targets",
        value=soft_mode,
        key=session.SOFT_TOGGLE,
        help="Score each sample against a probability row instead of one class.",
        on_change=session.keep_sample_edits,
    )
    soft_out = None
    if soft_mode:
        session.ensure_soft_shape(samples_out, names)
        st.markdown("**Probability targets** — each row must sum to 1.")
        soft_out = st.data_editor(
            editor.numbered_from_one(st.session_state["soft_base"]),
            key=session.editor_key("soft"),
            num_rows="fixed",
            column_config={
                editor.class_column(c): st.column_config.TextColumn(name)
                for c, name in enumerate(names)
            },
        )
        problem_boxes[SOFT] = st.container()

with edit_col:
    st.markdown("**Options**")
    # Each option's default is its value now: Streamlit sends a value set through session state
    # only once, and a tab that draws a later run first would show the default instead.
    now = session.option_values()
    # Reduction's three choices need the wider share: at 1280 px half hid "none".
    o1, o2 = st.columns([1.25, 1])
    reduction = o1.segmented_control(
        "Reduction",
        REDUCTIONS,
        default=now["reduction"],
        key=session.OPTION_KEYS["reduction"],
        required=True,
    )
    precision = o2.segmented_control(
        "Precision",
        PRECISIONS,
        default=now["precision"],
        key=session.OPTION_KEYS["precision"],
        required=True,
    )
    smoothing = o1.slider(
        "Label smoothing ε",
        *SMOOTHING_RANGE,
        value=float(now["label_smoothing"]),
        step=0.01,
        key=session.OPTION_KEYS["label_smoothing"],
    )
    temperature = o2.number_input(
        "Temperature T (logits ÷ T)",
        *TEMPERATURE_RANGE,
        value=float(now["temperature"]),
        step=0.1,
        key=session.OPTION_KEYS["temperature"],
    )
    problem_boxes[OPTIONS] = st.container()

    # Its controls are drawn only while it is open: a dozen widgets fewer on every other rerun.
    presets = st.expander("Presets and random logits", key=session.PRESETS_OPEN, on_change="rerun")
    if presets.open:
        with presets:
            # The callbacks read the widgets from session state: a callback runs before the script,
            # so a variable of the previous run would still hold the previous choice.
            st.selectbox("Preset", list(PRESETS), key="preset_choice")
            st.button(
                "Load preset",
                on_click=lambda: session.load_scenario(PRESETS[st.session_state["preset_choice"]]),
            )
            seed_col, spread_col, n_col, c_col = st.columns(4)
            seed_col.number_input("Seed", 0, 2**31 - 1, 0, key="random_seed")
            spread_col.number_input("Spread", *SPREAD_RANGE, 2.0, 0.5, key="random_spread")
            n_col.number_input("Samples", 1, MAX_SAMPLES, 4, key="random_n")
            c_col.number_input("Classes", 2, MAX_CLASSES, 3, key="random_c")
            st.button(
                "Random",
                on_click=lambda: session.load_checked(
                    check_random(
                        st.session_state["random_n"],
                        st.session_state["random_c"],
                        st.session_state["random_seed"],
                        st.session_state["random_spread"],
                    )
                ),
            )
            show_problems(session.loading_problems())

# ----------------------------------------------------------------- the scenario being shown
# A client that sends no state for a control (a reconnecting tab) gets the shown value back.
options = {
    "reduction": reduction or shown.reduction,
    "precision": precision or shown.precision,
    "label_smoothing": smoothing,
    "temperature": temperature if temperature is not None else shown.temperature,
    "title": shown.title,
}
checked = editor.read_scenario(classes_out, samples_out, soft_out, options, names)
session.remember_tables()
for problem_input, box in problem_boxes.items():
    show_problems([p for p in checked.problems if p.input == problem_input], where=box)
if any(p.input == LOGITS and p.found in ("inf", "-inf") for p in checked.problems):
    infinity_box.caption(editor.INFINITE_LOGITS_NOTE)
if checked.scenario is not None:
    st.session_state[session.SCENARIO] = checked.scenario
problems = checked.problems
shown = session.current_scenario()
results = analyse(shown)
session.sync_link(shown)  # the address bar, and so the sidebar's Share, hold the scenario
sample_labels = tables.sample_names(shown)

# ----------------------------------------------------------------------- the headline
unit = loss_unit()
with headline:
    label = {"mean": "Mean loss", "sum": "Summed loss", "none": "Mean loss (reduction: none)"}
    m1, m2, m3, m4 = st.columns([1.1, 0.8, 0.8, 2])
    m1.metric(label[shown.reduction], loss_text(results.loss, unit), help=UNIT_HELP)
    m2.metric("Accuracy", percent(results.accuracy))
    perplexity, perplexity_help = tables.perplexity_metric(shown, results, unit)
    m3.metric("Perplexity", perplexity, help=perplexity_help)
    with m4:
        st.markdown(f"**{'Sum' if shown.reduction == 'sum' else 'Mean'}:** {results.arithmetic}")
        st.caption(tables.terms_note(shown, results))
        if (why_nan := tables.nan_note(shown, results)) is not None:
            st.info(why_nan, icon=":material/info:")
# One line under the title, always drawn, so that the editors below never move under the mouse.
if problems:
    title_line.caption(f":material/error: {editor.FIX_CELLS_NOTE}")
else:
    title_line.caption(md_literal(shown.title) if shown.title else "\u00a0")

# ---------------------------------------------------------------------- the results
# Across the page's width: beside the editors it had too little room for its columns.
st.subheader("Softmax probabilities")
prob_frame = tables.probabilities_frame(shown, results)
# Progress bars colour-scale every probability at a fraction of a pandas Styler's cost.
st.dataframe(
    prob_frame,
    key="prob_table",
    column_config={
        **{
            tables.probability_column(c): st.column_config.ProgressColumn(
                name, min_value=0.0, max_value=1.0, format="%.4f"
            )
            for c, name in enumerate(shown.classes)
        },
        "loss": st.column_config.NumberColumn(
            "loss (nats)",
            format="%.4f",
            help="As reduction 'none' returns it (weighted, with class weights). "
            "Empty: ignored sample, to which PyTorch gives 0.",
        ),
    },
)
st.caption(
    f"{int(results.correct.sum())} of {shown.num_samples} argmax predictions match the target."
)
if shown.reduction == "none":
    st.markdown(tables.per_sample_line(shown, results))

st.subheader("Y · (−log P)ᵀ — the diagonal holds each sample's −Σ y · log p")
st.markdown(tables.matrix_note(shown, results))
st.plotly_chart(figures.loss_matrix_figure(results.matrix, sample_labels), key="matrix")

# Halves: at 1280 px a narrower breakdown hid the end of its last column.
curve_col, breakdown_col = st.columns(2, gap="large")
focus = session.focus_sample(shown.num_samples)
with curve_col:
    st.subheader("−log p of the target class")
    st.plotly_chart(
        figures.loss_curve_figure(
            results.target_probability,
            sample_labels,
            focus,
            tables.ignored_samples(shown),
            shown.num_classes,
        ),
        key=session.CURVE,
        on_select="rerun",
        selection_mode="points",
    )
    st.caption("Click a sample's point to see its breakdown.")
with breakdown_col:
    focus = st.selectbox(
        "Breakdown of",
        range(shown.num_samples),
        format_func=lambda i: sample_labels[i],
        key=session.FOCUS,
    )
    st.dataframe(tables.breakdown_frame(shown, results, focus), hide_index=True, key="breakdown")
    st.markdown(tables.breakdown_line(shown, results, focus))
    logit_drag(shown, focus, blocked=bool(problems))

st.subheader("The mean loss is the batch's negative log-likelihood")
for line in tables.likelihood_lines(shown, results, unit):
    st.markdown(line)

st.subheader("PyTorch agrees")
check = torch_check(shown)
st.markdown(tables.torch_line(shown, results, check))
# Drawn while open: the code view's script is the largest a first visit would otherwise load.
code_box = st.expander(
    "The PyTorch code, and what it prints", key=session.TORCH_CODE_OPEN, on_change="rerun"
)
if code_box.open:
    with code_box:
        st.code(torch_code(shown), language="python")
        st.caption("What it prints, computed here by PyTorch:")
        st.code(f"{check.printed_loss}\n{check.printed_probabilities}", language=None)
