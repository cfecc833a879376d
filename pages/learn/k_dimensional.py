"""Beyond (N, C): one loss per position of an (N, C, d1, ..., dK) output — seed and image."""

from __future__ import annotations

import streamlit as st

from xentui.domain.limits import PRECISIONS
from xentui.domain.link_values import number, one_of, text, whole_number
from xentui.kit.format import fmt, md_literal
from xentui.kit.latex import tex_number
from xentui.kit.units import UNIT_HELP, loss_text
from xentui.lessons import k_dimensional as kdim
from xentui.lessons import k_dimensional_image as kimage
from xentui.lessons import k_dimensional_views as views
from xentui.session import page_state
from xentui.session import playground as session
from xentui.session.feedback import show_problems
from xentui.session.units import loss_unit

state = page_state.open_page("k_dimensional")


scenario = session.current_scenario()
session.sync_link(scenario)
classes = list(scenario.classes)
num_classes = scenario.num_classes

st.title("Beyond (N, C): K-dimensional losses")
st.markdown(
    "A classifier gives C logits per sample: shape (N, C). A segmentation model gives C logits "
    "per *pixel*: shape (N, C, H, W). PyTorch's cross-entropy takes both — the classes always on "
    "axis 1, any number of extra axes after it — and the target drops the class axis: "
    "(N, d₁, …, d_K). Every position is scored on its own, exactly as a sample is."
)
st.latex(
    r"\ell_{n,j} = -\log \operatorname{softmax}\big(x_{n,:,j}\big)_{t_{n,j}}"
    r"\qquad x \in \mathbb{R}^{N \times C \times d},\; t \in \{0..C-1\}^{N \times d},"
    r"\; \ell \in \mathbb{R}^{N \times d}"
)

# ------------------------------------------------------------------------------ seed examples
st.subheader("The seed's (N, C, d) examples")
pick_col, precision_col = st.columns([2, 1])
example_name = state.control(
    pick_col.segmented_control,
    "Logits of shape",
    list(kdim.SEED_EXAMPLES),
    default="(1, 4, 2)",
    key="kdim_example",
    rule=one_of(kdim.SEED_EXAMPLES, " or ".join(kdim.SEED_EXAMPLES)),
    required=True,
)
precision = state.control(
    precision_col.segmented_control,
    "Precision",
    PRECISIONS,
    default="float32",
    key="kdim_precision",
    rule=one_of(PRECISIONS, "float32 or float64"),
    required=True,
    help="PyTorch computes in float32 by default; float64 shows what exact arithmetic gives.",
)
example = kdim.SEED_EXAMPLES[example_name]
losses = kdim.example_losses(example, precision)
printed = kdim.torch_print(losses)
n, c, d = example.input.shape
code_col, table_col = st.columns([1, 1.3], gap="medium")
with code_col:
    st.code(
        f"logits.shape  # torch.Size([{n}, {c}, {d}]): N={n}, C={c}, d={d}\n"
        f"target        # {kdim.torch_print(example.target)}, shape ({n}, {d})\n"
        f"F.cross_entropy(logits, target, reduction='none')\n"
        f"# {precision}, shape ({n}, {d}):\n{printed}",
        language="python",
        wrap_lines=True,
    )
    same = printed == example.printed
    if same:
        st.success("The seed printed exactly this.", icon=":material/check_circle:")
    else:
        st.info(
            f"The seed printed {example.printed.replace(chr(10), '')} — in float32. The "
            "differences are float32's rounding, not the maths.",
            icon=":material/biotech:",
        )
with table_col:
    # A static table: the logits column wraps instead of pushing the loss out of view at 1280 px.
    st.table(
        kdim.positions_frame(example, losses).style.format({"p(target)": "{:.6f}"}),
        hide_index=True,
    )
    st.caption(
        "A position's logits are a *column* input[n, :, j] of the (C, d) slab, not a row: the "
        "classes run down axis 1."
    )
if example_name == "(1, 4, 2)":
    st.markdown(
        "Position 0 sees the logits [4, 3, 2, 10] with target 3: the seed's first (N, C) example, "
        f"whose loss it prints as 0.0037 — here {fmt(float(losses[0, 0]))}. Position 1 sees "
        f"[10, 2, 3, 4] with target 1, a confident mistake: {fmt(float(losses[0, 1]))}."
    )
else:
    exact = kdim.example_losses(example, "float64")
    st.markdown(
        "Sample 0, position 1 has logits [4, 3, 2, 20] and target 3. Its exact loss is "
        f"log(1 + e⁻¹⁶ + e⁻¹⁷ + e⁻¹⁸) = {fmt(float(exact[0, 1]))}. In float32 the sum inside "
        "the log rounds to the next float after 1, which is 1 + 2⁻²³, and log(1 + 2⁻²³) = "
        "1.1921e-07: one float32 step, not the true value. Sample 1's 4.5418e-05 is rounded "
        f"the same way; float64 gives {fmt(float(exact[1, 0]))}."
    )
mean_terms = " + ".join(tex_number(v) for v in losses.ravel())
st.latex(
    rf"\text{{mean}} = \frac{{1}}{{N \cdot d}}\sum_{{n,j}} \ell_{{n,j}} = "
    rf"\frac{{{mean_terms}}}{{{losses.size}}} = "
    rf"{tex_number(views.example_mean(example, precision))}"
)

# ------------------------------------------------------------------------------ the image
st.subheader("An image: one loss per pixel")
st.markdown(
    "Type a target mask — a class index per pixel, `-` for a pixel nobody labelled — and a "
    "made-up model scores it: the target class gets a head start, noise blurs it. The classes "
    "are the Playground's: "
    + ", ".join(f"{k} = {md_literal(name)}" for k, name in enumerate(classes))
    + "."
)


mask_col, knob_col = st.columns([1, 1], gap="medium")
with mask_col:
    mask_text = state.control(
        st.text_area,
        f"Target mask (H × W, at most {kimage.MAX_SIDE} × {kimage.MAX_SIDE})",
        kimage.default_mask_text(num_classes),
        key="kdim_mask",
        rule=text(),
        height=150,
    )
    parsed = kimage.parse_mask(mask_text, num_classes)
    if parsed.problem:
        show_problems([parsed.problem])
    reset_col, square_col = st.columns(2)
    page_state.fill_button(
        reset_col.button,
        "Reset the mask",
        {"kdim_mask": kimage.default_mask_text(num_classes)},
        key="kdim_reset",
    )
    page_state.fill_button(
        square_col.button,
        f"Load a {num_classes} × {num_classes} mask",
        {"kdim_mask": kimage.square_mask_text(num_classes)},
        key="kdim_square",
        disabled=num_classes > kimage.MAX_SIDE,
        help="H = W = C: the one shape where the wrong layout below passes PyTorch's check.",
    )
with knob_col:
    sharpness = state.control(
        st.slider,
        "Head start of the target class (logit units)",
        0.0,
        10.0,
        3.0,
        0.5,
        key="kdim_sharpness",
        rule=number(0, 10),
    )
    noise = state.control(
        st.slider,
        "Noise (standard deviation)",
        0.0,
        5.0,
        2.0,
        0.25,
        key="kdim_noise",
        rule=number(0, 5),
    )
    seed = state.control(
        st.number_input, "Noise seed", 0, 9999, 0, key="kdim_seed", rule=whole_number(0, 9999)
    )

mask, stale = state.last_good("mask", parsed.mask)
if mask is not None and not views.mask_fits(mask, num_classes):
    mask, stale = None, False  # kept from a scenario with more classes
image = None
if mask is not None:
    if stale:
        st.caption("Meanwhile the last mask that could be read is scored.")
    image = kimage.image_loss(mask, num_classes, sharpness, noise, int(seed))
    h, w = mask.shape
    wrong = views.wrong_pixels(image)
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Mean loss over the labelled pixels",
        loss_text(image.mean, loss_unit()),
        help=UNIT_HELP,
    )
    m2.metric("Labelled pixels", f"{image.labelled} of {h * w}")
    m3.metric("Pixels the argmax gets wrong", str(wrong))
    st.latex(
        rf"\text{{mean}} = \frac{{1}}{{{image.labelled}}}\sum_{{\text{{labelled }}(h,w)}}"
        rf"\ell_{{h,w}} = \frac{{{tex_number(image.total)}}}{{{image.labelled}}} = "
        rf"{tex_number(image.mean)}"
    )
    st.plotly_chart(kimage.image_figure(image, classes), key="kdim_image")
    st.caption(
        f"Input (1, {num_classes}, {h}, {w}), target (1, {h}, {w}); reduction='none' gives the "
        f"(1, {h}, {w}) map on the right. An unlabelled pixel carries ignore_index (−100): its "
        "loss is 0 and it leaves the denominator, so the mean is over labelled pixels only."
    )
else:
    st.info("Fix the mask to see the image's losses.", icon=":material/image:")

# ------------------------------------------------------------------------------ layouts
st.subheader("Channels first or channels last")
st.markdown(
    "PyTorch wants the classes on axis 1: (N, C, H, W). Keras, TensorFlow and many exported "
    "models put them last: (N, H, W, C). Hand the second to `F.cross_entropy` and it reads H as "
    "the classes. A sequence model's (N, T, C) has the same problem; `.transpose(1, 2)` fixes it."
)
if image is not None:
    outcome = kimage.channels_last_outcome(image)
    h, w = image.mask.shape
    wrong_col, fix_col = st.columns(2, gap="medium")
    with wrong_col:
        st.markdown(f"**Channels last: input (1, {h}, {w}, {num_classes})**")
        if outcome.error is not None:
            st.code(
                f"F.cross_entropy(logits_nhwc, target)\n# RuntimeError: {outcome.error}",
                language="python",
                wrap_lines=True,
            )
            st.caption("xentcore says what it expected instead:")
            st.code(str(outcome.xent_error), language=None, wrap_lines=True)
        else:
            st.code(
                f"F.cross_entropy(logits_nhwc, target)\n# {fmt(outcome.loss)}  — no error",
                language="python",
            )
            st.warning(
                f"No error and a wrong number: with H = W = C = {num_classes} every shape "
                f"matches, so PyTorch scores the logits across *rows* against the mask. The "
                f"right mean is {fmt(image.mean)}.",
                icon=":material/warning:",
            )
    with fix_col:
        st.markdown(f"**Permuted back: input (1, {num_classes}, {h}, {w})**")
        fixed = kimage.fixed_layout_loss(image)
        st.code(
            f"logits = logits_nhwc.permute(0, 3, 1, 2)  # or .movedim(-1, 1)\n"
            f"F.cross_entropy(logits, target)\n# {fmt(fixed)}",
            language="python",
            wrap_lines=True,
        )
        st.caption(f"The mean of the image above: {fmt(image.mean)}.")
else:
    st.info("Fix the mask above to try both layouts on it.", icon=":material/image:")

# ------------------------------------------------------------------------------ the scenario
st.subheader("The Playground's samples as positions")
positions = views.scenario_positions(scenario)
st.markdown(
    f"Transpose the Playground's ({scenario.num_samples}, {num_classes}) logits to "
    f"(1, {num_classes}, {scenario.num_samples}): one sample whose {scenario.num_samples} "
    "positions are the former samples. The per-position losses are the per-sample losses — "
    "the extra axes only say *where* the scores sit."
)
st.code(
    f"x.shape  # ({scenario.num_samples}, {num_classes})\n"
    f"F.cross_entropy(x.T[None], t[None], reduction='none')  # shape (1, {scenario.num_samples})\n"
    f"# {', '.join(fmt(float(v)) for v in positions.per_position)}\n"
    f"# Playground, per sample: {', '.join(fmt(float(v)) for v in positions.per_sample)}",
    language="python",
    wrap_lines=True,
)
if positions.same:
    st.caption("Position by position, the same numbers.")
