"""Binary cross-entropy: the seed's eleven predictions, eps, probabilities vs logits, pos_weight."""

from __future__ import annotations

import math

import streamlit as st

from xentui.domain.limits import PRECISIONS
from xentui.domain.link_values import number, one_of, text
from xentui.kit.format import fmt, md_literal
from xentui.kit.latex import tex_number, tex_signed
from xentui.kit.units import UNIT_HELP, loss_text
from xentui.lessons import binary_cross_entropy as bce
from xentui.lessons import binary_views as views
from xentui.lessons import confusions as conf
from xentui.session import page_state
from xentui.session import playground as session
from xentui.session.feedback import show_problems
from xentui.session.units import loss_unit

state = page_state.open_page("binary_cross_entropy")
unit = loss_unit()


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
# eps's four choices need the wider column: at 1280 px an equal share hid the last, "0".
c1, c2, c3 = st.columns([1, 1.5, 1.5])
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
m2.metric(
    "binary_cross_entropy(σ(x), y)",
    loss_text(from_prob, unit),
    help=UNIT_HELP,
)
m3.metric(
    "binary_cross_entropy_with_logits(x, y)",
    loss_text(from_logit, unit),
    help=UNIT_HELP,
)
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
        icon=":material/warning:",
    )
st.plotly_chart(bce.logits_vs_probabilities_figure(float(y), dtype, float(x)), key="logit_chart")

# ------------------------------------------------------------------------ a sigmoid too many
st.subheader("A sigmoid too many: σ before binary_cross_entropy_with_logits")
twice = conf.double_sigmoid(float(x), float(y))
st.markdown(
    "`binary_cross_entropy_with_logits` applies σ itself. Hand it σ(x) and it applies σ again: "
    "its input lies in (0, 1), so the loss cannot leave a narrow band — "
    f"[{fmt(twice.floor)}, {fmt(twice.ceiling)}] for y = {float(y):g} — whatever the model "
    "says. PyTorch, on the logit and target above:"
)
st.code(
    f"F.binary_cross_entropy_with_logits(x, y)                 # {fmt(twice.right)}  right\n"
    f"F.binary_cross_entropy_with_logits(torch.sigmoid(x), y)  # {fmt(twice.wrong)}  σ twice",
    language="python",
)

# ------------------------------------------------------------------------ two logits are one
st.subheader("Two logits are one: softmax over 2 classes is σ of their difference")
st.markdown(
    "softmax([z₀, z₁])₁ = e^z₁ / (e^z₀ + e^z₁) = σ(z₁ − z₀). So a two-class `cross_entropy` "
    "with target [1 − y, y] *is* `binary_cross_entropy_with_logits` of z₁ − z₀ with target y. "
    "Rows of (z₀, z₁) below, target y from the slider above; both computed by PyTorch in "
    "float32."
)
pair_text = state.control(
    st.text_input,
    "Pairs of logits z₀, z₁ (rows separated by “;”)",
    views.TWO_LOGITS_DEFAULT,
    key="two_logits",
    rule=text(),
)
pairs = views.parse_two_logits(pair_text)
if pairs.problem is not None:
    show_problems([pairs.problem])
pair_logits, stale = state.last_good("two_logits", pairs.values)
if pair_logits is not None:
    if stale:
        st.caption("Meanwhile the last logits that could be read are used.")
    same = conf.two_logits_as_binary(pair_logits, float(y))
    st.dataframe(
        views.two_logits_frame(pair_logits, same),
        hide_index=True,
        key="two_logits_table",
    )
    st.caption(f"Largest difference between the two columns: {same.largest_gap:.1e}.")

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

st.markdown(
    "**Its shape.** With several labels per sample — logits and targets of shape (N, L) — "
    "pos_weight holds one weight per *label*: shape (L,), broadcast along the last axis. "
    "PyTorch broadcasts whatever it can, so a column (N, 1) is accepted too and silently "
    "weights *samples*; a length that fits neither is refused."
)
z_col, y_col, w_col = st.columns(3)
pw_z = state.control(z_col.text_input, "Logits z (N × L)", views.PW_LOGITS, key="pw_z", rule=text())
pw_y = state.control(
    y_col.text_input, "Targets y (N × L, 0 to 1)", views.PW_TARGETS, key="pw_y", rule=text()
)
pw_shape = state.control(
    w_col.text_input,
    "pos_weight (one row: (L,); rows: a column)",
    views.PW_WEIGHTS,
    key="pw_w",
    rule=text(),
)
shapes = st.columns(3)
for column, (button_key, label, weights_text) in zip(shapes, views.PW_SHAPES, strict=True):
    page_state.fill_button(column.button, label, {"pw_w": weights_text}, key=button_key)
typed_pw = views.typed_pos_weight(pw_z, pw_y, pw_shape)
for problem in typed_pw.problems:
    show_problems([problem], {views.PW_Z: z_col, views.PW_Y: y_col}.get(problem.input, w_col))
shaped, stale = state.last_good("pos_weight_shape", typed_pw.result)
if shaped is not None:
    if stale:
        st.caption("Meanwhile the last inputs that could be read are used.")
    st.code(f"{shaped.outcome.call}\n# {shaped.outcome.shown}", language="python", wrap_lines=True)
    if shaped.weights is not None:
        st.dataframe(views.pos_weight_frame(shaped.weights), key="pw_weights_table")
        if not shaped.per_label:
            st.warning(
                "No error, and the weights went to samples, not labels: each row above is one "
                "sample, and every label in it got the same pos_weight.",
                icon=":material/warning:",
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
