"""Numerical stability: softmax overflowing, clipping as p → 0, softmax fed to a logits loss."""

from __future__ import annotations

import numpy as np
import streamlit as st

from xentui.domain.link_values import one_of
from xentui.kit.format import fmt
from xentui.kit.latex import tex_number, tex_vector
from xentui.kit.units import UNIT_HELP, loss_text
from xentui.lessons import confusions as conf
from xentui.lessons import numerical_stability as lab
from xentui.lessons.implementations import function_source
from xentui.session import page_state
from xentui.session import playground as session
from xentui.session.units import loss_unit

state = page_state.open_page("numerical_stability")


scenario = session.current_scenario()
session.sync_link(scenario)

st.title("Numerical stability")
st.markdown(
    "The formulas are exact; the computer's numbers are not. Scale a row of logits up and watch "
    "which ways of computing softmax and −log p survive in float16, float32 and float64."
)

# ------------------------------------------------------------------------------ the logits
st.subheader("The logits")
# Old links count the typed logits' target from 1 (`target=4` is class index 3): kept so.
keys = page_state.LogitsKeys(sample="sample", typed="logits", target="target", target_base=1)
choice = page_state.pick_logits(
    state, scenario, keys, placeholder="e.g. 20, 2, 3, 4 (the PyTorch explainer's)"
)
scale = state.control(
    st.select_slider,
    "Scale s (logits × s)",
    options=lab.SCALES,
    value=100,
    key="scale",
    rule=one_of(lab.SCALES),
)
logits, target, classes = tuple(float(v) for v in choice.logits), choice.target, choice.classes
scaled = tuple(v * scale for v in logits)
st.markdown(f"Using {choice.description} (target: {choice.target_name}), scaled by s = {scale:,}:")
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
    "the walkthrough clamps p to [1e-20, 1 − 1e-20], MachineLearningMastery *adds* 1e-15 to "
    "every p, the StackOverflow answer clips to [1e-12, 1 − 1e-12], scikit-learn's log_loss "
    "clips to [eps, 1 − eps] with eps of the input's own dtype (2.2e-16 for float64, its "
    "ceiling 36.04; 1.19e-07 for float32, 15.94), and PyTorch's binary cross-entropy clamps "
    "the log at −100."
)
p_choice = state.control(
    st.select_slider,
    "p of the true class",
    options=lab.P_CHOICES,
    value="0",
    key="p",
    rule=one_of(lab.P_CHOICES),
)
p = lab.p_value(p_choice)
st.dataframe(lab.clipping_frame(p), hide_index=True, key="clipping_table")
st.caption(
    "scikit-learn's ε is that of the input's own dtype: the row above is float32 input. Given "
    "float64 (Python lists, NumPy's default) it clips at ε = 2.2204e-16, a ceiling of "
    f"{fmt(lab.SKLEARN_FLOAT64.loss(0.0))}, and reports {fmt(lab.SKLEARN_FLOAT64.loss(p))} at "
    "this p."
)
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
unit = loss_unit()
m1.metric("cross_entropy(z, target)", loss_text(right, unit), help=UNIT_HELP)
m2.metric(
    "cross_entropy(softmax(z), target)",
    loss_text(mistaken, unit),
    help=UNIT_HELP,
)
st.plotly_chart(lab.mistake_figure(logits, target, float(scale)), key="mistake_chart")

# ------------------------------------------------------------------------------ −inf masks
st.subheader("Masking classes with −inf logits")
st.markdown(
    "Setting a logit to −inf removes its class from the softmax: exp(−inf) = 0. That is safe as "
    "long as the target is not masked — then p(target) = 0 and the loss is inf — and at least "
    "one class is left: mask them all and softmax computes −inf − (−inf), which is NaN. "
    "PyTorch, on the logits above (unscaled), each class masked in turn:"
)
masks = conf.masked_logits(np.asarray(logits), target)
st.dataframe(conf.outcomes_frame(masks, "mask"), hide_index=True, key="mask_table")
st.caption(
    "A masked class's logit also gets a gradient of exactly 0, so training never moves it. "
    "Where a whole row may be masked, mask with torch.finfo(dtype).min instead: the row then "
    "reads as uniform and costs ln C, not NaN."
)
