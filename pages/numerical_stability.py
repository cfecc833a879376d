"""Numerical stability: softmax overflowing, clipping as p → 0, softmax fed to a logits loss."""

from __future__ import annotations

import streamlit as st

from xentui.domain.scenario import LOGIT_LIMIT, MAX_CLASSES
from xentui.kit.format import fmt, md_literal
from xentui.kit.latex import tex_number, tex_vector
from xentui.kit.typed_numbers import parse_number_rows
from xentui.lessons import numerical_stability as lab
from xentui.lessons.implementations import function_source
from xentui.session import playground as session

_say_if_refused = session.link_refusals("stability")


scenario = session.current_scenario()
session.sync_link(scenario)

st.title("Numerical stability")
st.markdown(
    "The formulas are exact; the computer's numbers are not. Scale a row of logits up and watch "
    "which ways of computing softmax and −log p survive in float16, float32 and float64."
)

# ------------------------------------------------------------------------------ the logits
st.subheader("The logits")
if st.session_state.get("sample", 1) > scenario.num_samples:  # the scenario shrank meanwhile
    st.session_state["sample"] = scenario.num_samples
pick_col, typed_col, target_col, scale_col = st.columns([1, 2, 1, 2])
sample = pick_col.number_input(
    "Sample of the scenario",
    min_value=1,
    max_value=scenario.num_samples,
    key="sample",
    bind="query-params",
)
typed = typed_col.text_input(
    "…or type logits",
    key="logits",
    bind="query-params",
    placeholder="e.g. 20, 2, 3, 4 (the PyTorch explainer's)",
    help="Comma-separated. Leave empty to use the scenario's sample.",
)
target_choice = target_col.number_input(
    "Target class (typed logits)",
    min_value=1,
    max_value=MAX_CLASSES,
    key="target",
    bind="query-params",
    disabled=not typed,
)
scale = scale_col.select_slider(
    "Scale s (logits × s)", options=lab.SCALES, value=100, key="scale", bind="query-params"
)

_say_if_refused(pick_col, "sample", sample, f"a sample from 1 to {scenario.num_samples}")
_say_if_refused(target_col, "target", target_choice, f"a class from 1 to {MAX_CLASSES}")
_say_if_refused(scale_col, "scale", scale, "one of " + ", ".join(f"{s:g}" for s in lab.SCALES))
row = sample - 1
logits = tuple(scenario.logits[row])
classes = list(scenario.classes)
# the class a probability row puts most weight on stands in for a class-index target
target = (
    int(scenario.targets[row])
    if scenario.soft_targets is None
    else int(max(range(len(classes)), key=lambda c: scenario.soft_targets[row][c]))
)
source = f"sample {sample} of the scenario (target: {md_literal(classes[target])})"
if typed.strip():
    parsed = parse_number_rows(
        typed,
        what="logits",
        max_rows=1,
        max_entries=MAX_CLASSES,
        low=-LOGIT_LIMIT,
        high=LOGIT_LIMIT,
    )
    if parsed.problem:
        typed_col.error(f"{md_literal(parsed.problem)} — showing {source} meanwhile.", icon="✏️")
    elif parsed.values.shape[1] < 2:
        typed_col.error(f"Type at least two logits — showing {source} meanwhile.", icon="✏️")
    else:
        logits = tuple(float(v) for v in parsed.values[0])
        classes = [f"class {c + 1}" for c in range(len(logits))]
        target = min(int(target_choice), len(logits)) - 1
        if target_choice > len(logits):
            target_col.warning(
                f"There are only {len(logits)} logits: using class {len(logits)}.", icon="🎯"
            )
        source = f"typed logits (target: class {target + 1})"

scaled = tuple(v * scale for v in logits)
st.markdown(f"Using {source}, scaled by s = {scale:,}:")
if len(logits) <= 8:
    st.latex(rf"z = {scale} \cdot {tex_vector(logits, 2)} = {tex_vector(scaled, 2)}")
else:
    st.caption(", ".join(fmt(v) for v in scaled))

# ------------------------------------------------------------------------------ overflow
st.subheader("Softmax, three ways, in three precisions")
limits = ", ".join(f"{fmt(lab.exp_limit(d), 2)} in {d}" for d in lab.DTYPES)
st.markdown(
    f"exp(z) overflows to ∞ once z passes {limits}. The naive softmax's denominator Σ exp(z) is "
    "then ∞, and ∞ / ∞ is NaN. Subtracting the largest logit first makes every exponent ≤ 0, "
    "so nothing overflows — but a tiny p can still round to 0, and −log 0 = ∞. Log-sum-exp reads "
    "log p = z − max z − log Σ exp(z − max z) directly: the loss never takes log 0."
)
st.dataframe(
    lab.overflow_frame(scaled, target, classes),
    hide_index=True,
    key="overflow_table",
    height=35 * 9 + 38,
)
with st.expander("The three softmax forms in code"):
    for func in lab.SOFTMAX_FORMS.values():
        st.code(function_source(func), language="python", wrap_lines=True)

# ------------------------------------------------------------------------------ clipping
st.subheader("Clipping: what each library reports as p → 0")
st.markdown(
    "A probability of exactly 0 for the true class makes −log p infinite. Every library guards "
    "against it differently, so a confident wrong answer costs a different, made-up maximum: "
    "the seeds' clamps at 1e-20, 1e-15 and 1e-12, scikit-learn's float32 machine epsilon, "
    "PyTorch's −100 clamp on the log in binary cross-entropy."
)
p_choice = st.select_slider(
    "p of the true class", options=lab.P_CHOICES, value="0", key="p", bind="query-params"
)
_say_if_refused(st, "p", p_choice, "one of " + ", ".join(lab.P_CHOICES))
p = lab.p_value(p_choice)
st.dataframe(lab.clipping_frame(p), hide_index=True, key="clipping_table")
st.plotly_chart(lab.clipping_figure(p), key="clipping_chart")

# ------------------------------------------------------------------------------ the mistake
st.subheader("The classic mistake: softmax before a loss that expects logits")
right, mistaken = lab.mistake_losses(scaled, target)
floor, ceiling = lab.mistake_bounds(len(logits))
c = len(logits)
st.markdown(
    "`F.cross_entropy` applies log-softmax itself. Feed it probabilities and it softmaxes them "
    "again: inputs in [0, 1] can only be so far apart, so the loss is trapped between a floor and "
    "a ceiling — a perfect model still pays the floor, a hopeless one never pays more than the "
    "ceiling, and the gradients shrink to match."
)
st.code(
    "loss = F.cross_entropy(logits, target)                    # right\n"
    "loss = F.cross_entropy(F.softmax(logits, dim=1), target)  # softmax twice: wrong",
    language="python",
)
st.latex(
    rf"\text{{floor}} = \log\left(1 + \tfrac{{C - 1}}{{e}}\right) = \log\left(1 + \tfrac{{{c - 1}}}"
    rf"{{e}}\right) = {tex_number(floor)} \qquad \text{{ceiling}} = \log(e + C - 1) = "
    rf"\log(e + {c - 1}) = {tex_number(ceiling)}"
)
m1, m2 = st.columns(2)
m1.metric("cross_entropy(z, target)", fmt(right))
m2.metric("cross_entropy(softmax(z), target)", fmt(mistaken))
st.plotly_chart(lab.mistake_figure(logits, target, float(scale)), key="mistake_chart")
