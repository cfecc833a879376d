"""The "Your model" page's Calibration tab: the reliability diagram, the confidences, and
temperature scaling measured on the held-out half."""

from __future__ import annotations

import streamlit as st

from xentui.domain.link_values import whole_number
from xentui.kit.format import md_literal
from xentui.session.page_state import PageState
from xentui.session.units import loss_unit
from xentui.session.your_model.drill import select_from_chart
from xentui.your_model.analysis import Analysis
from xentui.your_model.figures import confidence_histogram_figure, reliability_figure
from xentui.your_model.tables import summary_frame

__all__ = ["BINS_RULE", "show_calibration"]

BINS_RULE = whole_number(5, 50)  # the reliability bins the link may ask for


def show_calibration(state: PageState, analysis: Analysis, bins: int, before, after) -> None:
    """The tab's bins slider (bound to the link), its figures and the scaling's table."""
    fit = analysis.temperature
    state.control(st.slider, "Bins", 5, 50, 15, key="ym_bins", rule=BINS_RULE)
    st.plotly_chart(
        reliability_figure(before, after, fit.temperature),
        key="ym_reliability",
        on_select=lambda: select_from_chart("ym_reliability", "confidence"),
        selection_mode="points",
    )
    st.plotly_chart(confidence_histogram_figure(analysis), key="ym_confidence_histogram")
    held_before, held_after = analysis.scaling_reliability(bins)
    st.markdown(
        f"**Temperature scaling, measured on the held-out half** ({fit.held_out:,} samples)"
    )
    st.dataframe(
        summary_frame(analysis, held_before, held_after, loss_unit()),
        hide_index=True,
        key="ym_scaling",
    )
    st.caption(
        "Confidence is a sample's top probability, read from its scores alone (never its "
        f"label). ECE = Σ_b (n_b / N)·|accuracy_b − confidence_b| (the l1 norm) over {bins} "
        f"equal-width bins [b/{bins}, (b+1)/{bins}) and one more for a confidence of exactly 1: "
        f"torchmetrics' MulticlassCalibrationError(num_classes=C, n_bins={bins}, norm='l1') "
        "gives the same figure. Temperature scaling divides the logits (log P for "
        "probabilities) by the T that minimises the mean loss: "
        f"{md_literal(fit.note)}. Fit T on held-out data — a validation set, never the "
        "training set — and judge it on data it was not fitted on: a temperature measured on "
        "the samples it was fitted on looks better than it is."
    )
