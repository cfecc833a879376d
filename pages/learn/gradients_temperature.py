"""Gradients and temperature: what ∂L/∂z = p − q pushes, one step of descent, softmax(z / T)."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from xentui.domain.link_values import one_of
from xentui.domain.results import analyse
from xentui.kit.format import fmt
from xentui.kit.latex import tex_number, tex_vector
from xentui.kit.units import UNIT_HELP, loss_text
from xentui.lessons import confusions as conf
from xentui.lessons import gradients as grads
from xentui.lessons import k_dimensional as kdim
from xentui.lessons import temperature as temp
from xentui.session import page_state
from xentui.session import playground as session
from xentui.session.units import loss_unit

state = page_state.open_page("gradients_temperature")
unit = loss_unit()


scenario = session.current_scenario()
session.sync_link(scenario)
results = analyse(scenario)
sample_labels = [f"sample {i + 1}" for i in range(scenario.num_samples)]

st.title("Gradients and temperature")
st.markdown(
    "Training moves the logits against the gradient of the loss. For cross-entropy on softmax "
    "that gradient is as simple as a gradient gets: the predicted probabilities minus the target, "
    "class by class. Temperature rescales the logits before softmax and changes all of it."
)
st.latex(r"\frac{\partial \ell}{\partial z_c} = p_c - q_c, \qquad p = \operatorname{softmax}(z)")

# ------------------------------------------------------------------------------ the sample
st.subheader("One sample's gradient")
choice = page_state.pick_logits(
    state,
    scenario,
    page_state.LogitsKeys(sample="grad_sample", typed="grad_logits", target="grad_target"),
    placeholder="e.g. 4, 3, 2, 10 (the PyTorch explainer's)",
)
classes, raw_logits = choice.classes, choice.logits
sample = grads.chosen_gradient(scenario, choice)
if notes := grads.gradient_notes(scenario, choice):
    st.caption("Here " + "; ".join(notes) + ".")

st.plotly_chart(grads.gradient_figure(sample, classes), key="grad_bars")
st.latex(
    rf"p = {tex_vector(sample.probabilities)},\quad q = {tex_vector(sample.target)}"
    rf"\;\Rightarrow\; \nabla_z \ell = p - q = {tex_vector(sample.gradient)}"
)
st.caption(f"p as torch prints it: {kdim.torch_print(sample.probabilities)}")
m1, m2, m3 = st.columns(3)
m1.metric(
    f"Loss of {choice.description}",
    loss_text(sample.loss, unit),
    help=UNIT_HELP,
)
# Exactly 0 in exact arithmetic; float32 leaves a residue of a few 1e-8, which is not the point.
m2.metric("Sum of the gradient's components", fmt(round(float(sample.gradient.sum()), 6) + 0.0))
m3.metric("Largest gap to torch autograd", f"{sample.autograd_gap:.1e}")
st.markdown(
    "Autograd on `F.cross_entropy` gives "
    + ", ".join(fmt(float(v)) for v in sample.autograd)
    + " — the same as p − q, up to float rounding. The components sum to 0: probability moves "
    "from the over-predicted classes (▼, hatched: their logits go down) to the under-predicted "
    "ones (▲, up)."
)

# ------------------------------------------------------------------------------ one step
st.subheader("One step of gradient descent")
learning_rate = state.control(
    st.select_slider,
    "Learning rate",
    options=grads.LEARNING_RATES,
    value=1.0,
    key="grad_lr",
    rule=one_of(grads.LEARNING_RATES),
)
step = grads.gradient_step(sample, float(learning_rate))
st.latex(
    rf"z' = z - {learning_rate:g}\,\nabla_z \ell = {tex_vector(step.logits)},\qquad "
    rf"\ell: {tex_number(sample.loss)} \to {tex_number(step.loss)}"
)
st.plotly_chart(grads.step_figure(sample, step, classes), key="grad_step")
change = step.loss - sample.loss
st.markdown(
    f"The loss changes by **{fmt(change)}**; the first-order estimate −lr · ‖∇‖² says "
    f"{fmt(step.predicted_change)}."
    + (
        " Close: the step is small enough for the straight-line picture."
        if abs(change - step.predicted_change) <= 0.25 * abs(step.predicted_change)
        else " Far off: the step is too long for the gradient to describe it"
        + (" — it even raised the loss." if change > 0 else ".")
    )
)

# ------------------------------------------------------------------------------ the batch
with st.expander("Every sample of the Playground: the gradient of the mean"):
    st.dataframe(
        grads.batch_gradient_frame(
            results.probabilities,
            results.target_distribution,
            grads.batch_gradient(scenario),
            sample_labels,
            list(scenario.classes),
        ),
        hide_index=True,
        column_config={
            name: st.column_config.NumberColumn(format="%.4f") for name in scenario.classes
        },
        key="grad_batch",
    )
    st.caption(
        f"The mean loss ({fmt(results.loss)}) divides by {results.denominator:g}, so each "
        "sample's gradient is its p − q divided by that too (times its class weight, if any)."
    )

# ------------------------------------------------------------------------------ temperature
st.subheader("Temperature")
st.markdown(
    "Divide the logits by T before softmax. T < 1 sharpens the probabilities towards the "
    "largest logit, T > 1 flattens them towards 1/C. The entropy rises with T towards log C; "
    "as T → 0 it falls to 0 only when one logit is the largest (k tied logits leave log k). "
    "The loss falls or climbs depending on whether the largest logit is the target's."
)
temperature = state.control(
    st.select_slider,
    "Temperature T",
    options=temp.TEMPERATURES,
    value=1.0,
    key="grad_T",
    rule=one_of(temp.TEMPERATURES),
)
at_one = temp.at_temperature(raw_logits, sample.target, 1.0)
view = temp.at_temperature(raw_logits, sample.target, float(temperature))
st.latex(
    rf"p_T = \operatorname{{softmax}}(z / {temperature:g}) = {tex_vector(view.probabilities)},"
    rf"\quad \ell = {tex_number(view.loss)},\quad H(p_T) = {tex_number(view.entropy)}"
)
t1, t2, t3 = st.columns(3)
changed = float(temperature) != 1.0  # at T = 1 a delta of 0.0000 would only be noise
t1.metric(
    f"Loss at T = {temperature:g}",
    loss_text(view.loss, unit),
    delta=loss_text(view.loss - at_one.loss, unit) if changed else None,
    delta_color="inverse",  # a lower loss is the good direction
    help=UNIT_HELP,
)
t2.metric(
    f"Entropy at T = {temperature:g}",
    fmt(view.entropy),
    delta=fmt(view.entropy - at_one.entropy) if changed else None,
    delta_color="off",
)
t3.metric("log C, the entropy of a uniform guess", fmt(math.log(len(classes))))
chart_col, sweep_col = st.columns(2, gap="medium")
with chart_col:
    st.plotly_chart(
        temp.probabilities_figure(classes, at_one, view, sample.target), key="grad_T_probs"
    )
with sweep_col:
    sweep = temp.temperature_sweep(raw_logits, sample.target)
    st.plotly_chart(temp.sweep_figure(sweep, view, len(classes)), key="grad_T_sweep")
st.latex(
    rf"\frac{{\partial \ell}}{{\partial z}} = \frac{{p_T - q}}{{T}} = "
    rf"{tex_vector(view.gradient)}"
)
norm_one = float(np.linalg.norm(at_one.gradient))
norm_t = float(np.linalg.norm(view.gradient))
st.caption(
    "With respect to the raw logits the gradient carries a factor 1/T, but a low temperature "
    "does not make every step larger: p_T − q shrinks too, and for a sample whose target holds "
    "the unique largest logit it vanishes faster than 1/T grows, so the gradient goes to 0 as "
    "T → 0; for a wrong answer it grows like 1/T. "
    f"Here ‖∂ℓ/∂z‖ is {fmt(norm_t)} at T = {temperature:g} against {fmt(norm_one)} at T = 1. "
    "The deltas above are against T = 1."
    + (
        f" The Playground itself uses T = {scenario.temperature:g}; this section starts from "
        "its logits as typed."
        if scenario.temperature != 1.0 and choice.row is not None
        else ""
    )
)

# ------------------------------------------------------------------------------ CE against MSE
st.subheader("Why cross-entropy, not squared error on softmax")
target_class = int(np.argmax(sample.target))
versus = conf.ce_vs_mse_gradients(np.asarray(raw_logits, dtype=np.float64), target_class)
st.markdown(
    "Train the same softmax with MSE = Σ_c (p_c − y_c)² and the gradient passes through "
    "softmax's Jacobian, whose entries carry a factor p: as the model becomes confidently "
    "wrong (p_target → 0) MSE's gradient vanishes — it learns slowest where it is most wrong. "
    "Cross-entropy's gradient p − y stays near −1 on the target's logit. Both by torch "
    f"autograd, on these logits with target {target_class}, then with the target's logit "
    "lowered step by step:"
)
st.latex(
    rf"\nabla_z \text{{CE}} = {tex_vector(versus.ce)},\qquad "
    rf"\nabla_z \text{{MSE}} = {tex_vector(versus.mse)}"
)
st.dataframe(
    conf.ce_vs_mse_frame(versus, float(raw_logits[target_class])),
    hide_index=True,
    key="grad_ce_mse",
)
