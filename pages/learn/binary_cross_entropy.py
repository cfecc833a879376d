"""Binary cross-entropy: the seed's eleven predictions, eps, probabilities vs logits, pos_weight."""

from __future__ import annotations

import math

import streamlit as st

from xentui.domain.limits import PRECISIONS
from xentui.domain.link_values import number, one_of, text
from xentui.kit.format import fmt, md_literal
from xentui.kit.latex import tex_number, tex_signed
from xentui.lessons import binary_cross_entropy as bce
from xentui.session import page_state
from xentui.session import playground as session
from xentui.session.feedback import show_problems

state = page_state.open_page("binary_cross_entropy")


session.sync_link(session.current_scenario())  # the Playground's scenario rides along in the link

TARGETS = {"[0, 1]": (0.0, 1.0), "[1, 0]": (1.0, 0.0)}

st.title("Binary cross-entropy")
st.markdown(
    "Two classes — cat (class 0) and dog (class 1) — and one picture of a dog: the target is the "
    "one-hot row [0, 1]. The loss is categorical cross-entropy with C = 2, and since "
    "p₀ = 1 − p₁, only the probability the model gives the true class matters."
)

# ------------------------------------------------------------------------ eleven predictions
st.subheader("Eleven predictions for one picture")
c1, c2, c3 = st.columns([1, 1, 2])
target_name = state.control(
    c1.segmented_control,
    "Target",
    list(TARGETS),
    default="[0, 1]",
    key="bce_target",
    rule=one_of(TARGETS, "[0, 1] or [1, 0]"),
    required=True,
)
eps_text = state.control(
    c2.segmented_control,
    "eps inside the log",
    bce.EPS_CHOICES,
    default=bce.EPS_CHOICES[0],
    key="eps",
    rule=one_of(bce.EPS_CHOICES),
    required=True,
    help="The seed adds 1e-15 to every probability before taking the log.",
)
p1 = state.control(
    c3.slider,
    "p₁, the predicted probability of class 1 (dog)",
    0.0,
    1.0,
    0.7,
    0.1,
    key="p1",
    rule=number(0, 1),
)
target, eps = TARGETS[target_name], float(eps_text)
pick = round((1.0 - p1) * 10)  # the eleven run from [0, 1] (index 0) to [1, 0] (index 10)
prediction = bce.eleven_predictions()[pick]

st.latex(
    r"\text{loss} = -\left(y_0 \log(p_0 + \varepsilon) + y_1 \log(p_1 + \varepsilon)\right)"
    rf"\qquad y = {target_name},\ \varepsilon = {tex_number(eps, 0) if eps else '0'}"
)
st.latex(bce.seed_loss_latex(target, prediction, eps))
chart_col, table_col = st.columns([3, 2], gap="medium")
with chart_col:
    st.plotly_chart(bce.eleven_point_figure(target, eps, pick), key="eleven_chart")
with table_col:
    frame = bce.eleven_point_frame(target, eps)
    shown = frame.assign(**{"loss (nats)": [fmt(v + 0.0) for v in frame["loss (nats)"]]})
    st.dataframe(shown, hide_index=True, key="eleven_table", height=420)
right, wrong = frame["loss (nats)"].iloc[0 if target[1] else 10], frame["loss (nats)"].max()
st.markdown(
    f"A confident right answer costs **{fmt(right + 0.0)}** — with eps added to p = 1 the log is "
    f"log(1 + eps) > 0, so the “loss” dips just below zero. A confident wrong answer costs "
    f"**{fmt(wrong)}** = −log(eps): eps is the only thing between it and log 0 = −∞."
)

# ------------------------------------------------------------------------ eps at the edges
st.subheader("What eps does at p = 0 and p = 1")
st.markdown(
    f"Adding eps and clipping to [eps, 1 − eps] agree in the middle and part at the ends; "
    f"PyTorch clamps the log at −100 instead. Here eps = {md_literal(eps_text)}, target 1:"
)
st.dataframe(bce.eps_frame(eps), hide_index=True, key="eps_table")

# ------------------------------------------------------------------------ logits or probabilities
st.subheader("From probabilities, or from logits")
st.markdown(
    "A network's last layer gives a logit x; σ(x) = 1 / (1 + e^−x) turns it into p₁. "
    "`binary_cross_entropy` takes that p; `binary_cross_entropy_with_logits` takes x itself and "
    "never rounds σ(x) to 1, so it keeps the loss a large logit deserves."
)
l1, l2, l3 = st.columns(3)
x = state.control(
    l1.number_input,
    "Logit x",
    *bce.LOGIT_RANGE,
    20.0,
    1.0,
    key="logit",
    rule=number(*bce.LOGIT_RANGE),
)
y = state.control(l2.slider, "Target y", 0.0, 1.0, 0.0, 0.05, key="y", rule=number(0, 1))
dtype = state.control(
    l3.segmented_control,
    "Precision",
    PRECISIONS,
    default="float32",
    key="bce_dtype",
    rule=one_of(PRECISIONS, "float32 or float64"),
    required=True,
)
prob, from_prob, from_logit = bce.logits_and_probabilities(float(x), float(y), dtype)
m1, m2, m3 = st.columns(3)
m1.metric(f"σ(x) in {dtype}", fmt(prob) if prob < 1 else "1 (rounded)")
m2.metric("binary_cross_entropy(σ(x), y)", fmt(from_prob))
m3.metric("binary_cross_entropy_with_logits(x, y)", fmt(from_logit))
st.latex(
    r"-\left[y \log p + (1 - y)\log(1 - p)\right] = -\left["
    rf"{tex_number(y, 2)} \log {tex_number(prob)} + {tex_number(1 - y, 2)}"
    rf" \log(1 - {tex_number(prob)})\right] = {tex_number(from_prob)}"
    r"\quad (\text{each log} \ge -100)"
)
st.latex(
    r"(1 - y)\,x + \log(1 + e^{-x}) = "
    rf"{tex_number(1 - y, 2)} \cdot {tex_signed(float(x), 2)} + \log(1 + e^{{{-float(x):g}}})"
    rf" = {tex_number(from_logit)}"
)
if not math.isclose(from_prob, from_logit, rel_tol=1e-3, abs_tol=1e-6):
    st.warning(
        f"They disagree: in {dtype}, σ({float(x):g}) rounds to {fmt(prob)}, so log(1 − p) or log p "
        "loses the information and PyTorch's −100 clamp (or the rounding) decides the loss. The "
        "logits version computes log(1 + e^−x) directly.",
        icon="⚠️",
    )
st.plotly_chart(bce.logits_vs_probabilities_figure(float(y), dtype, float(x)), key="logit_chart")

# ------------------------------------------------------------------------ pos_weight
st.subheader("pos_weight: making the positives count more")
w1, w2 = st.columns(2)
pos_weight = state.control(
    w1.number_input, "pos_weight", 0.0, 1000.0, 3.0, 0.5, key="pos_weight", rule=number(0, 1000)
)
pw_logit = state.control(
    w2.number_input,
    "Logit x",
    *bce.LOGIT_RANGE,
    0.0,
    0.5,
    key="pw_logit",
    rule=number(*bce.LOGIT_RANGE),
)
st.latex(
    r"\ell = \text{pw}\cdot y \cdot \log(1 + e^{-x}) + (1 - y)\left(x + \log(1 + e^{-x})\right)"
    rf"\qquad \text{{pw}} = {pos_weight:g},\ x = {float(pw_logit):g}"
)
st.dataframe(
    bce.pos_weight_frame(float(pw_logit), float(pos_weight)),
    hide_index=True,
    column_config={"ratio": st.column_config.NumberColumn(format="%.2f")},
    key="pos_weight_table",
)
st.caption(
    "pos_weight multiplies only the y = 1 term: a missed positive costs pw times more, a false "
    "alarm costs the same. With 100 positives and 300 negatives, pos_weight = 300 / 100 = 3 "
    "lets both sides weigh the same in the mean."
)

# ------------------------------------------------------------------------ worked examples
st.subheader("The seed's worked examples")
st.dataframe(bce.seed_examples_frame(), hide_index=True, key="seed_examples")
st.markdown(
    "Type your own, or load a seed example. Rows are separated by “;”. The **binary** reading "
    "scores every entry as its own yes/no and averages over entries (the seed's StackOverflow "
    "function); the **categorical** reading treats every row as one distribution over classes "
    "and averages over rows (its docstring's reference answer). Both clip p to "
    f"[{bce.WORKED_EXAMPLE_CLIP:g}, 1 − {bce.WORKED_EXAMPLE_CLIP:g}]."
)


load_cols = st.columns(len(bce.SEED_EXAMPLES))
for k, (col, example) in enumerate(zip(load_cols, bce.SEED_EXAMPLES, strict=True)):
    page_state.fill_button(
        col.button,
        f"Load: {example.name}",
        {"ex_targets": example.targets, "ex_predictions": example.predictions},
        key=f"load_example_{k}",
    )
t_col, p_col = st.columns(2)
targets_text = state.control(
    t_col.text_input, "Targets y", bce.SEED_EXAMPLES[0].targets, key="ex_targets", rule=text()
)
preds_text = state.control(
    p_col.text_input,
    "Predictions p",
    bce.SEED_EXAMPLES[0].predictions,
    key="ex_predictions",
    rule=text(),
)
typed = bce.typed_example(targets_text, preds_text)
for problem in typed.problems:
    show_problems([problem], t_col if problem.input == bce.EXAMPLE_TARGETS else p_col)
example, stale = state.last_good("worked_example", typed.result)
if example is not None:
    if stale:
        st.caption("Meanwhile the last example that could be read is shown.")
    b_col, c_col = st.columns(2)
    with b_col:
        st.metric("Binary reading (mean over entries)", f"{example.binary:.8f}")
        st.latex(example.binary_latex)
    with c_col:
        st.metric("Categorical reading (mean over rows)", f"{example.categorical:.8f}")
        st.latex(example.categorical_latex)
        st.caption(f"To 11 decimals: {example.categorical:.11f}")
    if not stale and not typed.rows_sum_to_one:
        st.caption(
            "Some prediction rows do not sum to 1: the categorical reading uses them as given."
        )
