"""The "Your model" page's per-sample tabs: the loss histogram (Loss per sample) and the worst
samples, each openable in the Playground."""

from __future__ import annotations

import streamlit as st

from xentui.domain.link_values import whole_number
from xentui.kit.format import md_literal, percent
from xentui.kit.units import loss_text
from xentui.session.page_state import PageState, clamp_to
from xentui.session.units import loss_unit
from xentui.session.your_model.drill import select_from_chart
from xentui.session.your_model.samples import playground_links, sample_columns
from xentui.session.your_model.state import open_in_playground
from xentui.your_model.analysis import MAX_WORST, Analysis
from xentui.your_model.figures import loss_histogram_figure
from xentui.your_model.playground_link import worst_sample_scenario
from xentui.your_model.tables import worst_frame

__all__ = ["show_losses", "show_worst"]


def show_losses(analysis: Analysis) -> None:
    """The histogram of the per-sample losses (a bar lists its samples) and where the loss is."""
    log_counts = st.toggle("Log-scale counts", key="ym_log_counts")
    st.plotly_chart(
        loss_histogram_figure(analysis, log_counts, loss_unit()),
        key="ym_histogram",
        on_select=lambda: select_from_chart("ym_histogram", "loss"),
        selection_mode="points",
    )
    shares = [
        f"the worst {fraction:.0%} of samples carry {percent(share)} of the summed loss"
        for fraction, share in analysis.loss_share_top
    ]
    if shares:
        st.markdown("Where the loss comes from: " + "; ".join(shares) + ".")
    if analysis.infinite_losses:
        st.warning(
            f"{analysis.infinite_losses:,} sample(s) give their target probability exactly 0: "
            "their loss is +∞, so the mean is +∞. They are left out of the histogram."
        )


def show_worst(state: PageState, analysis: Analysis) -> None:
    """The k highest losses (k bound to the link), and one of them opened in the Playground."""
    most = min(MAX_WORST, analysis.num_samples)
    # A slider needs two distinct ends; its value is kept within them when the data shrinks.
    clamp_to("ym_k", most)  # the slider keeps its value by its key, whatever the data
    k = (
        state.control(
            st.slider, "How many", 1, most, min(10, most), key="ym_k", rule=whole_number(1, most)
        )
        if most > 1
        else 1
    )
    k = min(k, most)
    scenarios = [worst_sample_scenario(analysis, rank) for rank in range(k)]
    unit = loss_unit()
    st.dataframe(
        worst_frame(analysis, k, playground_links(scenarios), unit),
        hide_index=True,
        key="ym_worst",
        column_config=sample_columns(unit),
    )
    pick_col, open_col = st.columns([3, 2], vertical_alignment="bottom")
    rank = pick_col.selectbox(
        "Take a sample apart in the Playground",
        range(k),
        format_func=lambda r: (
            f"sample {int(analysis.worst_rows[r]) + 1} "
            f"(loss {loss_text(float(analysis.loss[analysis.worst_rows[r]]), unit)})"
        ),
        key="ym_open_rank",
    )
    scenario, scenario_note = scenarios[min(rank, k - 1)]
    if scenario_note:
        st.caption(md_literal(scenario_note))
    if open_col.button("Open in the Playground", type="primary", key="ym_open"):
        open_in_playground(scenario)
