"""Targets, weights and smoothing: H + KL, the smoothed minimum, what "mean" divides by."""

from __future__ import annotations

import numpy as np
import streamlit as st

from xentui.domain.results import analyse
from xentui.kit.format import fmt, md_literal
from xentui.kit.latex import tex_number
from xentui.lessons import class_weights as weighting
from xentui.lessons import libraries as libs
from xentui.lessons import soft_targets as soft
from xentui.session import playground as session

_say_if_refused = session.link_refusals("tws")


scenario = session.current_scenario()
session.sync_link(scenario)
classes = list(scenario.classes)
sample_labels = [f"sample {i + 1}" for i in range(scenario.num_samples)]

st.title("Targets, weights and smoothing")
st.markdown(
    "Three choices change what a cross-entropy number means: what the target is (one class or a "
    "distribution), how the classes are weighted, and how much the target is smoothed. Each "
    "section below puts one of them on numbers you control."
)


def _fill(**values: str) -> None:
    """Button callback: write example text into bound text boxes before the script reads them."""
    for key, text in values.items():
        st.session_state[key] = text


# ------------------------------------------------------------------------------ soft targets
st.subheader("Soft targets: cross-entropy = entropy + KL divergence")
st.markdown(
    "Score a prediction q against a target distribution p. The loss splits in two: H(p), the "
    "uncertainty already in the target, which no prediction can remove, and KL(p ‖ q), how far "
    "q is from p, which training can drive to 0. A one-hot target has H(p) = 0, so there the "
    "loss *is* the KL divergence."
)
st.latex(
    r"\text{CE}(p, q) = -\sum_c p_c \log q_c = "
    r"\underbrace{-\sum_c p_c \log p_c}_{H(p)} + \underbrace{\sum_c p_c \log \frac{p_c}{q_c}}"
    r"_{\text{KL}(p \,\|\, q)}"
)
SEED_TARGET, SEED_PREDICTIONS = "1, 0, 0", "0.7, 0.2, 0.1; 0.1, 0.3, 0.6"
p_col, q_col = st.columns(2, gap="medium")
target_text = p_col.text_input(
    "Target p (one row for all predictions, or one row each)",
    SEED_TARGET,
    key="tws_p",
    bind="query-params",
)
predictions_text = q_col.text_input(
    f"Predictions q (rows separated by “;”, at most {soft.MAX_PREDICTIONS})",
    SEED_PREDICTIONS,
    key="tws_q",
    bind="query-params",
)
b1, b2, b3 = st.columns(3)
b1.button(
    "Seed: one-hot, good and bad",
    on_click=_fill,
    kwargs={"tws_p": SEED_TARGET, "tws_q": SEED_PREDICTIONS},
    key="tws_load_seed",
)
b2.button(
    "A soft target",
    on_click=_fill,
    kwargs={"tws_p": "0.6, 0.3, 0.1", "tws_q": SEED_PREDICTIONS + "; 0.6, 0.3, 0.1"},
    key="tws_load_soft",
)
playground = analyse(scenario)
shown_rows = min(scenario.num_samples, soft.MAX_PREDICTIONS)
b3.button(
    "The Playground's samples",
    on_click=_fill,
    kwargs={
        "tws_p": "; ".join(
            ", ".join(f"{v:.6g}" for v in row)
            for row in playground.target_distribution[:shown_rows]
        ),
        "tws_q": "; ".join(
            ", ".join(f"{v:.6f}" for v in row)
            for row in playground.probabilities[:shown_rows].astype(np.float64)
        ),
    },
    key="tws_load_playground",
    help="Targets (smoothed, if the Playground smooths) and softmax rows of its first samples.",
)
target = soft.parse_distributions(target_text, "probabilities", soft.MAX_PREDICTIONS)
predictions = soft.parse_distributions(predictions_text, "probabilities", soft.MAX_PREDICTIONS)
if target.problem:
    p_col.error(md_literal(target.problem), icon="✏️")
if predictions.problem:
    q_col.error(md_literal(predictions.problem), icon="✏️")
parts = None
if target.rows is not None and predictions.rows is not None:
    p_rows, q_rows = target.rows, predictions.rows
    if p_rows.shape[1] != q_rows.shape[1]:
        p_col.error(
            f"The target has {p_rows.shape[1]} classes, the predictions {q_rows.shape[1]}: "
            "give both the same number.",
            icon="✏️",
        )
    elif p_rows.shape[0] not in (1, q_rows.shape[0]):
        p_col.error(
            f"{p_rows.shape[0]} target rows for {q_rows.shape[0]} predictions: type one row for "
            "all, or one per prediction.",
            icon="✏️",
        )
    else:
        parts = soft.decompose(p_rows, q_rows)
if parts is not None:
    names = (
        classes
        if q_rows.shape[1] == len(classes)
        else [f"class {c}" for c in range(q_rows.shape[1])]
    )
    st.plotly_chart(soft.decomposition_figure(parts, names), key="tws_decomposition")
    for r in range(parts.predictions.shape[0]):
        st.latex(
            rf"q_{{{r + 1}}}:\quad \text{{CE}} = {tex_number(parts.cross_entropy[r])} = "
            rf"H(p) + \text{{KL}} = {tex_number(parts.entropy[r])} + {tex_number(parts.kl[r])}"
        )
    if np.isinf(parts.kl).any():
        st.caption(
            "∞: the prediction gives probability 0 to a class the target gives mass to — "
            "log 0 is −∞, and no clipping is applied here."
        )
    st.caption(
        "The seed notebook's one-hot target [1, 0, 0] scores [0.7, 0.2, 0.1] at 0.3567 and "
        "[0.1, 0.3, 0.6] at 2.3026 = −log 0.1: with H(p) = 0, both numbers are pure KL."
    )
else:
    st.info("Fix the probabilities above to see the decomposition.", icon="🧮")

# ------------------------------------------------------------------------------ smoothing
st.subheader("Label smoothing moves the minimum away from p = 1")
c = scenario.num_classes
smooth_target = int(playground.dominant_targets[0])
eps = st.slider(
    "Label smoothing ε",
    0.0,
    1.0,
    0.1,
    0.01,
    key="tws_eps",
    bind="query-params",
    help="PyTorch's label_smoothing: the target becomes (1 − ε) · one-hot + ε / C.",
)
_say_if_refused(st, "tws_eps", eps, "a number from 0 to 1")
best = soft.smoothing_minimum(c, eps)
st.markdown(
    f"The target ({md_literal(classes[smooth_target])}, the Playground's first sample's class) "
    f"keeps 1 − ε + ε/C of the mass and every one of the C = {c} classes gets ε/C. The loss is "
    "smallest when the prediction *equals* that smoothed target — so it never asks for "
    "p = 1, and the logits that reach the minimum stay finite."
)
st.latex(
    rf"q'_{{\text{{target}}}} = 1 - \varepsilon + \tfrac{{\varepsilon}}{{C}} = 1 - {eps:g} + "
    rf"\tfrac{{{eps:g}}}{{{c}}} = {tex_number(best.p_target)},\qquad "
    rf"q'_{{\text{{other}}}} = \tfrac{{{eps:g}}}{{{c}}} = {tex_number(eps / c)}"
)
gap = r"\infty" if not np.isfinite(best.logit_gap) else tex_number(best.logit_gap)
st.latex(
    rf"\min_q \text{{CE}}(q', q) = H(q') = {tex_number(best.loss)} \text{{ at }} "
    rf"p(\text{{target}}) = {tex_number(best.p_target)},\qquad "
    rf"z_{{\text{{target}}}} - z_{{\text{{other}}}} = \log\frac{{q'_{{\text{{target}}}}}}"
    rf"{{q'_{{\text{{other}}}}}} = {gap}"
)
st.plotly_chart(soft.smoothing_figure(classes, smooth_target, eps), key="tws_smoothing")
st.caption(
    f"Check: F.cross_entropy(log q′, target, label_smoothing={eps:g}) = {fmt(best.pytorch_loss)}, "
    "the floor H(q′) — not 0. Without smoothing (ε = 0) the curve keeps falling to p = 1, where "
    "the logit gap is infinite; with smoothing, pushing p past the minimum *raises* the loss."
)

# ------------------------------------------------------------------------------ weights
st.subheader("Class weights and ignore_index: what “mean” divides by")
st.markdown(
    "PyTorch multiplies each sample's loss by the weight of its target class and divides by the "
    "sum of those weights — not by N. Ignored samples (ignore_index) leave both sums. The "
    "logits and targets are the Playground's."
)
notes = []
if scenario.soft_targets is not None:
    notes.append("its probability targets are replaced by their most likely class")
if scenario.label_smoothing:
    notes.append("label smoothing is left out")
if notes:
    st.caption("From the Playground's scenario: " + "; ".join(notes) + ".")
w_col, ignore_col = st.columns(2, gap="medium")
weights_text = w_col.text_input(
    "Class weights, in class order: " + ", ".join(md_literal(name) for name in classes),
    weighting.default_weights_text(scenario),
    key="tws_weights",
    bind="query-params",
)
ignored_labels = ignore_col.multiselect(
    "Ignored samples (ignore_index)",
    sample_labels,
    default=[label for label, skip in zip(sample_labels, scenario.ignored, strict=True) if skip],
    key="tws_ignore",
    bind="query-params",
)
weights, weight_problem = weighting.parse_class_weights(weights_text, c)
if weight_problem:
    w_col.error(md_literal(weight_problem), icon="✏️")
ignored = np.array([label in ignored_labels for label in sample_labels])
if ignored.all():
    ignore_col.warning(
        "Every sample is ignored: the mean is 0/0, which PyTorch returns as NaN. Keep one.",
        icon="⚠️",
    )
if weights is not None and not ignored.all():
    result = weighting.weighted_mean(scenario, weights, ignored)
    if result.denominator == 0:
        w_col.warning(
            "Every kept sample's target class has weight 0: the mean is 0/0 (NaN). Give one of "
            "them a weight.",
            icon="⚠️",
        )
    else:
        st.dataframe(
            weighting.weighted_mean_frame(result, classes),
            hide_index=True,
            column_config={
                name: st.column_config.NumberColumn(format="%.4f")
                for name in ("ℓ = −log p(target)", "w[target]", "w · ℓ")
            },
            key="tws_weights_table",
        )
        st.latex(weighting.weighted_mean_latex(result))
        m1, m2, m3 = st.columns(3)
        m1.metric("PyTorch: ÷ Σ w[target]", fmt(result.mean))
        m2.metric(
            f"÷ N = {result.losses.size} (Keras's sample weights)", fmt(result.over_batch_size)
        )
        m3.metric("Unweighted mean of the kept samples", fmt(result.unweighted_mean))
        st.caption(
            "Scale every weight by the same factor and PyTorch's mean does not move; the ÷ N "
            "version scales with it. Ignoring a sample removes its weight from the denominator."
        )
else:
    st.info("Fix the inputs above to see the weighted mean.", icon="⚖️")

# ------------------------------------------------------------------------------ libraries
st.subheader("The same inputs in PyTorch, Keras and scikit-learn")
st.markdown(
    "Probabilities P (rows need not sum to 1 here), a target class per row and optional class "
    "weights. Each library gets the same numbers — Keras and scikit-learn as a weight per "
    "sample, w[target] — and applies its own conventions, listed in the table."
)
SEED_P, SEED_T = "0.25, 0.25, 0.25, 0.25; 0.01, 0.01, 0.01, 0.96", "3, 3"
lp_col, lt_col, lw_col = st.columns([3, 1, 2], gap="small")
lib_p = lp_col.text_input("Probabilities P", SEED_P, key="tws_lib_p", bind="query-params")
lib_t = lt_col.text_input("Targets t", SEED_T, key="tws_lib_t", bind="query-params")
lib_w = lw_col.text_input("Class weights w (empty: none)", "", key="tws_lib_w", bind="query-params")
e1, e2, e3 = st.columns(3)
e1.button(
    "Seed: reference answer 0.71355817782",
    on_click=_fill,
    kwargs={"tws_lib_p": SEED_P, "tws_lib_t": SEED_T, "tws_lib_w": ""},
    key="tws_lib_seed",
)
e2.button(
    "A probability of 0",
    on_click=_fill,
    kwargs={"tws_lib_p": "1, 0; 0.5, 0.5", "tws_lib_t": "1, 0", "tws_lib_w": ""},
    key="tws_lib_zero",
)
e3.button(
    "Weighted",
    on_click=_fill,
    kwargs={
        "tws_lib_p": "0.7, 0.2, 0.1; 0.1, 0.3, 0.6",
        "tws_lib_t": "0, 2",
        "tws_lib_w": "1, 1, 3",
    },
    key="tws_lib_weighted",
)
inputs, lib_problems = libs.parse_library_inputs(lib_p, lib_t, lib_w)
for column, field in ((lp_col, "P"), (lt_col, "t"), (lw_col, "w")):
    if field in lib_problems:
        column.error(md_literal(lib_problems[field]), icon="✏️")
if inputs is not None:
    compared = libs.compare_libraries(inputs)
    st.dataframe(
        libs.libraries_frame(compared),
        hide_index=True,
        column_config={
            "loss": st.column_config.NumberColumn(format="%.8f"),
            "… here": st.column_config.NumberColumn(format="%g"),
            "call": st.column_config.TextColumn(width="medium"),
            "note": st.column_config.TextColumn(width="large"),
        },
        key="tws_libraries",
    )
    seed_value = libs.seed_numpy_loss(inputs.probabilities, inputs.targets)
    st.markdown(
        f"The seed's NumPy function gives **{seed_value:.11f}** — its docstring's reference "
        "answer is 0.71355817782 for P = [[0.25, 0.25, 0.25, 0.25], [0.01, 0.01, 0.01, 0.96]] and "
        "targets [3, 3]. That second row sums to 0.99: Keras divides it by 0.99 first, so it "
        "alone reads p = 0.96 / 0.99 and disagrees."
    )
else:
    st.info("Fix the inputs above to compare the libraries.", icon="📚")
