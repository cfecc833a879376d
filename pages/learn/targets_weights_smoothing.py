"""Targets, weights and smoothing: H + KL, the smoothed minimum, what "mean" divides by."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from xentui.domain.link_values import number, some_of, text
from xentui.domain.results import analyse
from xentui.kit.format import fmt, md_literal
from xentui.kit.latex import tex_number
from xentui.kit.units import UNIT_HELP, loss_text
from xentui.lessons import class_weights as weighting
from xentui.lessons import confusions as conf
from xentui.lessons import libraries as libs
from xentui.lessons import library_inputs as lib_inputs
from xentui.lessons import soft_targets as soft
from xentui.session import page_state
from xentui.session import playground as session
from xentui.session.feedback import show_problems
from xentui.session.units import loss_unit

state = page_state.open_page("targets_weights_smoothing")
unit = loss_unit()


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


def _show(problems, boxes: dict) -> None:
    """Each Problem beside the box it names."""
    for problem in problems:
        show_problems([problem], boxes.get(problem.input))


def _stale_caption(stale: bool) -> None:
    if stale:
        st.caption("Meanwhile the last result that could be computed is shown.")


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
target_text = state.control(
    p_col.text_input,
    "Target p (one row for all predictions, or one row each)",
    SEED_TARGET,
    key="tws_p",
    rule=text(),
)
predictions_text = state.control(
    q_col.text_input,
    f"Predictions q (rows separated by “;”, at most {soft.MAX_PREDICTIONS})",
    SEED_PREDICTIONS,
    key="tws_q",
    rule=text(),
)
b1, b2, b3 = st.columns(3)
page_state.fill_button(
    b1.button,
    "Seed: one-hot, good and bad",
    {"tws_p": SEED_TARGET, "tws_q": SEED_PREDICTIONS},
    key="tws_load_seed",
)
page_state.fill_button(
    b2.button,
    "A soft target",
    {"tws_p": "0.6, 0.3, 0.1", "tws_q": SEED_PREDICTIONS + "; 0.6, 0.3, 0.1"},
    key="tws_load_soft",
)
playground = analyse(scenario)
playground_p, playground_q = soft.playground_texts(
    playground.target_distribution, playground.probabilities
)
page_state.fill_button(
    b3.button,
    "The Playground's samples",
    {"tws_p": playground_p, "tws_q": playground_q},
    key="tws_load_playground",
    help="Targets (smoothed, if the Playground smooths) and softmax rows of its first samples.",
)
parts, problems = soft.typed_decomposition(target_text, predictions_text)
_show(problems, {soft.TARGET_BOX: p_col, soft.PREDICTIONS_BOX: q_col})
parts, stale = state.last_good("decomposition", parts)
if parts is not None:
    _stale_caption(stale)
    names = soft.class_names(classes, parts.predictions.shape[1])
    st.plotly_chart(soft.decomposition_figure(parts, names), key="tws_decomposition")
    for r in range(parts.predictions.shape[0]):
        st.latex(
            rf"q_{{{r + 1}}}:\quad \text{{CE}} = {tex_number(parts.cross_entropy[r])} = "
            rf"H(p) + \text{{KL}} = {tex_number(parts.entropy[r])} + {tex_number(parts.kl[r])}"
        )
    if not all(math.isfinite(v) for v in parts.kl):
        st.caption(
            "∞: the prediction gives probability 0 to a class the target gives mass to — "
            "log 0 is −∞, and no clipping is applied here."
        )
    st.caption(
        "The seed notebook's one-hot target [1, 0, 0] scores [0.7, 0.2, 0.1] at 0.3567 and "
        "[0.1, 0.3, 0.6] at 2.3026 = −log 0.1: with H(p) = 0, both numbers are pure KL."
    )
else:
    st.info("Fix the probabilities above to see the decomposition.", icon=":material/calculate:")

# ------------------------------------------------------------------------------ smoothing
st.subheader("Label smoothing moves the minimum away from p = 1")
c = scenario.num_classes
x_scaled = scenario.scaled_logits()
index_targets = np.asarray(playground.dominant_targets)
smooth_target = int(playground.dominant_targets[0])
eps = state.control(
    st.slider,
    "Label smoothing ε",
    0.0,
    1.0,
    0.1,
    0.01,
    key="tws_eps",
    rule=number(0, 1),
    help="PyTorch's label_smoothing: the target becomes (1 − ε) · one-hot + ε / C, the ε / C "
    "going to all C classes, the target's own included.",
)
best = soft.smoothing_minimum(c, eps)
st.markdown(
    f"The target ({md_literal(classes[smooth_target])}, the Playground's first sample's class) "
    f"keeps 1 − ε + ε/C of the mass: PyTorch spreads ε evenly over all C = {c} classes, the "
    f"target included, so each of the other {c - 1} gets ε/C. The loss is "
    "smallest when the prediction *equals* that smoothed target — so it never asks for "
    "p = 1, and the logits that reach the minimum stay finite."
)
st.latex(
    rf"q'_{{\text{{target}}}} = 1 - \varepsilon + \tfrac{{\varepsilon}}{{C}} = 1 - {eps:g} + "
    rf"\tfrac{{{eps:g}}}{{{c}}} = {tex_number(best.p_target)},\qquad "
    rf"q'_{{\text{{other}}}} = \tfrac{{{eps:g}}}{{{c}}} = {tex_number(eps / c)}"
)
gap = r"\infty" if not math.isfinite(best.logit_gap) else tex_number(best.logit_gap)
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
weights_text = state.control(
    w_col.text_input,
    "Class weights, in class order: " + ", ".join(md_literal(name) for name in classes),
    weighting.default_weights_text(scenario),
    key="tws_weights",
    rule=text(),
)
ignored_labels = state.control(
    ignore_col.multiselect,
    "Ignored samples (ignore_index)",
    sample_labels,
    default=[label for label, skip in zip(sample_labels, scenario.ignored, strict=True) if skip],
    key="tws_ignore",
    rule=some_of(sample_labels),
)
result, problems = weighting.typed_weighted_mean(
    scenario, weights_text, [label in ignored_labels for label in sample_labels]
)
_show(problems, {weighting.WEIGHTS_BOX: w_col, weighting.IGNORED: ignore_col})
result, stale = state.last_good("weighted_mean", result)
if result is not None and result.losses.size != scenario.num_samples:
    result, stale = None, False  # kept from another scenario
if result is not None:
    _stale_caption(stale)
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
    for column, label, value in (
        (m1, "PyTorch: ÷ Σ w[target]", result.mean),
        (m2, f"÷ N = {result.losses.size} (Keras's sample weights)", result.over_batch_size),
        (m3, "Unweighted mean of the kept samples", result.unweighted_mean),
    ):
        column.metric(label, loss_text(value, unit), help=UNIT_HELP)
    st.caption(
        "Scale every weight by the same factor and PyTorch's mean does not move; the ÷ N "
        "version scales with it. Ignoring a sample removes its weight from the denominator."
    )
    kept = result.kept
    soft = conf.weights_with_probability_targets(
        x_scaled[kept], result.targets[kept], result.class_weights
    )
    st.markdown(
        "**The same weights with probability targets divide by N.** Give PyTorch the kept "
        "targets as one-hot rows, `F.cross_entropy(x, F.one_hot(t, C).float(), weight=w)`: the "
        f"weighted losses are the same, but the mean is {fmt(soft.with_probabilities)} = "
        f"Σ w · ℓ / N with N = {soft.num_samples}, not {fmt(soft.with_indices)} = "
        f"Σ w · ℓ / Σ w[target] with Σ w[target] = {soft.weight_sum:g}. Both from PyTorch."
    )
else:
    st.info("Fix the inputs above to see the weighted mean.", icon=":material/balance:")

# ------------------------------------------------------------------------------ ignore + smoothing
st.subheader("ignore_index with label smoothing, and a batch with nothing left")
ignored_now = [label in ignored_labels for label in sample_labels]
both = conf.ignored_with_smoothing(x_scaled, index_targets, ignored_now, eps)
st.markdown(
    f"With label smoothing ε = {eps:g} (the slider above) and the samples ignored above, "
    "PyTorch gives an ignored sample a loss of exactly 0 — its smoothing term ε/C · Σ −log p "
    "goes too — and the mean divides by the samples kept, not by N."
)
st.dataframe(
    conf.ignored_smoothing_frame(both, sample_labels),
    hide_index=True,
    key="tws_ignore_smoothing",
)
kept_count = int(both.kept.sum())
st.markdown(
    f"PyTorch's mean: {conf.torch_number(both.mean)} = Σ ℓ / {kept_count} "
    f"kept; ÷ N = {len(sample_labels)} would say {fmt(both.over_batch_size)}. Ignore every "
    f"sample and PyTorch's mean is **{both.all_ignored_mean}** (0 / 0), its "
    f"reduction='sum' {fmt(both.all_ignored_sum)}: a batch with nothing labelled must be "
    "skipped, or its NaN poisons every weight it reaches."
)

# ------------------------------------------------------------------------------ refusals
st.subheader("Targets PyTorch refuses")
st.markdown(
    "Class-index targets must be int64 (or uint8), one per sample, each in 0 … C − 1; a target "
    "of the logits' own shape must be float probabilities. The Playground's logits with its "
    "targets, then with four common mistakes — PyTorch's own answer to each:"
)
refusals = conf.target_mistakes(x_scaled, index_targets)
# A static table wraps each call, so PyTorch's answer stays in view at 1280 px.
st.table(conf.outcomes_frame(refusals, "target"), hide_index=True)

# ------------------------------------------------------------------------------ libraries
st.subheader("The same inputs in PyTorch, Keras and scikit-learn")
st.markdown(
    "Probabilities P (rows need not sum to 1 here), a target class per row and optional class "
    "weights. Each library gets the same numbers — Keras and scikit-learn as a weight per "
    "sample, w[target] — and applies its own conventions, listed in the table."
)
SEED_P, SEED_T = "0.25, 0.25, 0.25, 0.25; 0.01, 0.01, 0.01, 0.96", "3, 3"
lp_col, lt_col, lw_col = st.columns([3, 1, 2], gap="small")
lib_p = state.control(lp_col.text_input, "Probabilities P", SEED_P, key="tws_lib_p", rule=text())
lib_t = state.control(lt_col.text_input, "Targets t", SEED_T, key="tws_lib_t", rule=text())
lib_w = state.control(
    lw_col.text_input, "Class weights w (empty: none)", "", key="tws_lib_w", rule=text()
)
e1, e2, e3 = st.columns(3)
for column, label, values, key in (
    (e1, "Seed: reference answer 0.71355817782", (SEED_P, SEED_T, ""), "tws_lib_seed"),
    (e2, "A probability of 0", ("1, 0; 0.5, 0.5", "1, 0", ""), "tws_lib_zero"),
    (e3, "Weighted", ("0.7, 0.2, 0.1; 0.1, 0.3, 0.6", "0, 2", "1, 1, 3"), "tws_lib_weighted"),
):
    boxes = dict(zip(("tws_lib_p", "tws_lib_t", "tws_lib_w"), values, strict=True))
    page_state.fill_button(column.button, label, boxes, key=key)
inputs, problems = lib_inputs.library_inputs(lib_p, lib_t, lib_w)
_show(
    problems,
    {lib_inputs.PROBABILITIES: lp_col, lib_inputs.TARGETS: lt_col, lib_inputs.WEIGHTS: lw_col},
)
inputs, stale = state.last_good("libraries", inputs)
if inputs is not None:
    _stale_caption(stale)
    compared = libs.compare_libraries(inputs)
    # A static table wraps its text: every column, the long calls and notes too, stays in view.
    st.table(
        libs.libraries_frame(compared).style.format(
            {"loss": "{:.8f}", "… here": "{:g}"}, na_rep="—"
        ),
        hide_index=True,
    )
    seed_value = libs.seed_numpy_loss(inputs.probabilities, inputs.targets)
    st.markdown(
        f"The categorical form −Σ y log p / N, clipped to [1e-12, 1 − 1e-12], gives "
        f"**{seed_value:.11f}** here. That form is the seed docstring's: its reference answer "
        "0.71355817782 is −(log 0.25 + log 0.96) / 2 for P = [[0.25, 0.25, 0.25, 0.25], "
        "[0.01, 0.01, 0.01, 0.96]] and targets [3, 3]. The seed's NumPy function itself computes "
        "the binary form y log p + (1 − y) log(1 − p), divides by the number of columns and "
        "asserts a single (1, N) row, so on this (2, 4) P it stops at its assert; the Binary "
        "cross-entropy page sets the two readings side by side. The second row sums to 0.99: "
        "Keras divides it by 0.99 first, so it alone reads p = 0.96 / 0.99 and disagrees."
    )
else:
    st.info("Fix the inputs above to compare the libraries.", icon=":material/library_books:")
