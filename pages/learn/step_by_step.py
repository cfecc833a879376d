"""Step by step: the current scenario's categorical cross-entropy, one term at a time."""

from __future__ import annotations

import streamlit as st

from xentui.domain.link_values import flag, one_of, whole_number
from xentui.domain.share_link import QUERY_KEY
from xentui.kit.format import fmt, md_literal
from xentui.kit.latex import tex_matrix
from xentui.kit.units import UNIT_HELP, loss_text, perplexity_text
from xentui.lessons import confusions as conf
from xentui.lessons import implementations as impl
from xentui.lessons import step_by_step as steps
from xentui.lessons import timing
from xentui.session import page_state
from xentui.session import playground as session
from xentui.session.units import loss_unit

state = page_state.open_page("step_by_step")


def _on_off(value: bool) -> str:
    return "on" if value else "off"


scenario = session.current_scenario()
token = session.sync_link(scenario)
walk = steps.walkthrough(scenario)
classes = scenario.classes
total_terms = walk.num_terms

st.title("Step by step")
head, goal = st.columns([3, 1])
with head:
    st.markdown(
        "The loss the Playground prints, taken apart: for every sample *i* and every class *c*, "
        "the indicator y (1 for the target class, 0 for the others) times log p, summed and "
        "negated — then the mean over the samples."
    )
    st.latex(r"\text{CE} = -\frac{1}{N}\sum_{i=1}^{N}\sum_{c=1}^{C} y_{ic}\,\log p_{ic}")
    st.page_link(
        "pages/explore/playground.py",
        label="Change the scenario on the Playground",
        icon=":material/calculate:",
        query_params={QUERY_KEY: token} if QUERY_KEY in st.query_params else None,
    )
unit = loss_unit()
goal.metric("Where the walk ends: the mean", loss_text(walk.mean, unit), help=UNIT_HELP)
goal.caption(
    f"{walk.num_samples} sample(s) × {walk.num_classes} classes = {total_terms} terms"
    + (f" — {md_literal(scenario.title)}" if scenario.title else "")
)
untrained = conf.untrained_loss(walk.targets.argmax(axis=1), walk.num_classes)
st.markdown(
    f"**Against what?** ln C = ln {walk.num_classes} = "
    f"{loss_text(untrained.log_c, unit)} is the loss of a uniform guess — and of "
    "an untrained model. PyTorch scores all-equal logits on these targets at "
    f"{loss_text(untrained.uniform, unit)}, and a freshly initialised "
    f"nn.Linear(16, {walk.num_classes}) at {loss_text(untrained.fresh_linear, unit)} "
    f"on {conf.FRESH_INPUTS:,} random inputs. A first loss far above ln C means the model starts "
    "confidently wrong; training should bring it below. This mean's perplexity e^CE: "
    f"{perplexity_text(walk.mean)}."
)
for note in steps.simplifications(scenario):
    st.info(md_literal(note), icon=":material/info:")

# ------------------------------------------------------------------------------ the inputs
st.subheader("What goes in")
st.markdown(
    "Classes, in order: "
    + ", ".join(f"{c + 1} = {md_literal(name)}" for c, name in enumerate(classes))
    + ". Rows are samples: "
    + ", ".join(
        f"{label} (target: {md_literal(target)})"
        for label, target in zip(walk.sample_labels, walk.target_labels, strict=True)
    )
    + "."
)
if max(walk.num_samples, walk.num_classes) <= steps.MAX_MATRIX_SIDE:
    st.latex(
        rf"Y = {tex_matrix(walk.targets, indicators=True)} \qquad "
        rf"P = \operatorname{{softmax}}(z) = {tex_matrix(walk.probabilities)} \qquad "
        rf"\log P = {tex_matrix(walk.log_probabilities)}"
    )
else:
    st.caption("Too large to write as matrices: the table below holds every term.")

# ------------------------------------------------------------------------------ term by term
st.subheader("Term by term")
page_state.clamp_to("term", total_terms)


def _step(delta: int, limit: int) -> None:
    st.session_state["term"] = min(max(st.session_state.get("term", 1) + delta, 1), limit)


control, back, forward, everything = st.columns([2, 1, 1, 2], vertical_alignment="bottom")
show_all = state.control(
    everything.toggle, "Show every term", key="all_terms", rule=flag(), shown=_on_off
)
step = state.control(
    control.number_input,
    f"Term (1 to {total_terms})",
    min_value=1,
    max_value=total_terms,
    key="term",
    rule=whole_number(1, total_terms),
    disabled=show_all,
)
back.button(
    "◀ Back",
    on_click=_step,
    args=(-1, total_terms),
    disabled=show_all or step <= 1,
    key="term_back",
    width="stretch",
)
forward.button(
    "Next ▶",
    on_click=_step,
    args=(1, total_terms),
    disabled=show_all or step >= total_terms,
    key="term_next",
    width="stretch",
)
upto = total_terms if show_all else int(step)

if not show_all:
    i, c = steps.term_position(upto, walk.num_classes)
    st.markdown(
        f"**Term {upto} of {total_terms}:** {walk.sample_labels[i]} (target "
        f"{md_literal(walk.target_labels[i])}), class {c + 1} ({md_literal(classes[c])})."
    )
    st.latex(steps.term_latex(walk, upto))
st.dataframe(
    steps.terms_frame(walk, upto, classes),
    hide_index=True,
    column_config={
        name: st.column_config.NumberColumn(format="%.4f")
        for name in ("p", "log p", "−y · log p", "running sum")
    },
    height=min(38 + 35 * upto, 320),
    key="terms_table",
)

st.markdown("**Each sample's loss** ℓᵢ, the sum of its terms:")
done, partial = divmod(upto, walk.num_classes)
if done > steps.MAX_SAMPLES_IN_A_LINE:
    st.caption(f"{done} samples are complete; the last ones are written out below.")
for i in range(max(0, done - steps.MAX_SAMPLES_IN_A_LINE), done):
    st.latex(steps.sample_latex(walk, i))
if partial:
    st.latex(steps.sample_latex(walk, done, partial))
if upto == total_terms:
    st.markdown("**Then the mean over the samples:**")
    st.latex(steps.mean_latex(walk))
else:
    st.caption(f"{total_terms - upto} term(s) to go before the mean.")

# ------------------------------------------------------------------------------ the dot product
st.subheader("The same sum as a dot product")
st.markdown(
    "Row *i* of Y times column *j* of (−log P)ᵀ scores sample *i*'s target against sample *j*'s "
    "prediction. Only the diagonal pairs a sample with its own prediction: its mean is the loss."
)
dot_tex = steps.dot_product_latex(walk)
if dot_tex:
    for line in dot_tex:
        st.latex(line)
else:
    st.caption("With more than 8 samples or classes the matrix is drawn on the Playground instead.")

# ------------------------------------------------------------------------------ implementations
st.subheader("Three implementations and PyTorch")
results = impl.implementation_results(walk.scenario)
grid = st.columns(2)
for k, result in enumerate(results):
    with grid[k % 2].container(border=True):
        st.markdown(f"**{k + 1}. {result.title}**")
        value = "—" if result.value is None else fmt(result.value)
        st.markdown(f"Mean loss **{value}**. {result.note}")
        # No fixed height: a scrolling box of code is a region a keyboard cannot reach (axe-core).
        st.code(result.code, language="python", wrap_lines=True)
values = [r.value for r in results]
if impl.agree_to_printed_digit(values):
    st.success(
        f"All of them print {fmt(next(v for v in values if v is not None))}.",
        icon=":material/check_circle:",
    )
else:
    st.warning(
        impl.underflow_note(walk.scenario)
        or "They differ in the printed digits: "
        + ", ".join("—" if v is None else fmt(v) for v in values),
        icon=":material/warning:",
    )

# ------------------------------------------------------------------------------ live timing
st.subheader("Why the vectorised form wins: time them")
size_col, again_col = st.columns([3, 1], vertical_alignment="bottom")
n = state.control(
    size_col.select_slider,
    f"Samples N (random logits, C = {walk.num_classes} classes as in the scenario)",
    options=timing.TIMING_SIZES,
    value=100,
    key="time_n",
    rule=one_of(timing.TIMING_SIZES),
)
again = again_col.button("Time again", key="time_again", width="stretch")
problem = timing.size_problem(int(n), walk.num_classes)
if problem:
    size_col.warning(problem, icon=":material/straighten:")
else:
    # Timings are kept per size, so stepping through terms does not re-time (and re-jitter) them.
    wanted = (int(n), walk.num_classes)
    kept = st.session_state.get("learn_timings")
    if again or kept is None or kept[0] != wanted:
        kept = (wanted, timing.time_implementations(*wanted))
        st.session_state["learn_timings"] = kept
    # A static table wraps the notes, so every column stays in view at 1280 px; an
    # implementation that was not run reads "skipped", not "None".
    st.table(
        timing.timings_frame(kept[1]).style.format(
            {
                "mean loss": "{:.4f}",
                "fastest call (ms)": "{:.3f}",
                "× the kernel's time": "{:.1f} ×",
                "calls": "{:.0f}",
            },
            na_rep="skipped",
        ),
        hide_index=True,
    )
    st.caption(
        "Fastest of up to 5 calls each, measured now on this server. The loop pays a Python step "
        "per term; the dot product builds N × N numbers to keep N; the kernel touches each number "
        "once in compiled code. PyTorch starts from the logits, so its time includes the softmax."
    )
