"""The results of the "Your model" page: the headline figures, the tabs, the downloads.

`show_results` is a fragment: moving a slider or a toggle below reruns only it. The full script
would also run st.file_uploader, which deep-copies the upload (a 400 MB copy for a 400 MB file).
It draws the analysis on screen (ANALYSIS) and hands each tab to its renderer; the page's
PageState is passed in for the controls bound to the link.
"""

from __future__ import annotations

import re

import streamlit as st

import xentcore
from xentui.domain.link_values import one_of, whole_number
from xentui.kit.format import md_literal, percent
from xentui.kit.units import loss_text, perplexity_text, uniform_loss
from xentui.session.feedback import LINK_ICON, show_problems
from xentui.session.page_state import PageState
from xentui.session.units import loss_unit
from xentui.session.your_model.calibration import BINS_RULE, show_calibration
from xentui.session.your_model.classes import show_classes
from xentui.session.your_model.compare import show_compare
from xentui.session.your_model.drill import current_selection, show_drill
from xentui.session.your_model.label_errors import show_label_errors
from xentui.session.your_model.libraries import show_libraries
from xentui.session.your_model.losses import show_losses, show_worst
from xentui.session.your_model.state import ANALYSIS
from xentui.session.your_model.view_link import pending_view, write_view_link
from xentui.your_model.analysis import Analysis
from xentui.your_model.report import html_report
from xentui.your_model.tables import per_sample_csv

__all__ = ["TABS", "show_results"]

TABS = (
    "Loss per sample",
    "Worst samples",
    "Classes",
    "Calibration",
    "Likely label errors",
    "Compare",
    "Other libraries",
)
_CLASSWISE = "ym_classwise"  # (the Analysis, {bins: its classwise ECE}) of the analysis on screen


@st.fragment
def show_results(state: PageState, max_bytes: int) -> None:
    """The analysis on screen, every tab, the downloads; `max_bytes` bounds model B's upload."""
    analysis = st.session_state[ANALYSIS]
    read_as = analysis.kind + (
        " (detected)" if analysis.kind == analysis.detected else " (your choice)"
    )
    st.markdown(
        f"**{md_literal(analysis.source)}** — {analysis.num_samples:,} samples × "
        f"{analysis.num_classes:,} classes, {analysis.dtype}, read as {read_as}: "
        f"{md_literal(analysis.detection_reason)}."
    )
    for note in analysis.notes:
        st.caption(md_literal(note))

    # The bins slider sits in the Calibration tab, below the metrics that use it: read its
    # value from the previous run.
    bins = st.session_state.get("ym_bins")
    if bins is None:  # the first run: the slider, bound to the link, is not made yet
        raw = st.query_params.get("ym_bins")
        bins = int(float(raw)) if raw is not None and BINS_RULE.accepts(raw) else 15
    bins = int(bins)
    link_problems, waiting = pending_view(analysis, bins)
    if waiting:
        st.info(md_literal(waiting), icon=LINK_ICON)
    show_problems(link_problems, icon=LINK_ICON)
    before, after = analysis.reliability(bins)
    fit = analysis.temperature
    unit = loss_unit()
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        "Mean cross-entropy",
        loss_text(analysis.mean_loss, unit),
        help="−log p(target) averaged over the samples: natural log in nats (as PyTorch), "
        "log base 2 in bits; the unit is switched in the sidebar.",
    )
    m2.metric("Accuracy", percent(analysis.accuracy))
    m3.metric(
        f"ECE ({bins} bins)",
        f"{before.ece:.4f}",
        help="Top-label expected calibration error of every sample, binned as torchmetrics' "
        f"MulticlassCalibrationError(num_classes=C, n_bins={bins}, norm='l1'): see the "
        "Calibration tab.",
    )
    m4.metric(
        "Fitted temperature T",
        "—" if fit.temperature is None else f"{fit.temperature:.3f}",
        help="Temperature scaling: logits ÷ T, with T minimising the mean loss of one half of "
        "the samples; the Calibration tab measures it on the other half.",
    )
    show_more_metrics(state, analysis, bins)
    classes = analysis.num_classes
    st.caption(
        f"Perplexity e^CE = {perplexity_text(analysis.mean_loss)}: the effective number of "
        f"classes. A uniform guess over the {classes:,} classes scores "
        f"{'ln C' if unit == 'nats' else 'log₂ C'} = {loss_text(uniform_loss(classes), unit)} "
        f"(perplexity {classes:,})."
    )

    (
        samples_tab,
        worst_tab,
        classes_tab,
        calibration_tab,
        issues_tab,
        compare_tab,
        libraries_tab,
    ) = state.control(
        st.tabs,
        list(TABS),
        key="ym_tab",
        rule=one_of(TABS),
        shown=lambda _: st.session_state.get("ym_tab") or TABS[0],
    )
    selection = current_selection(analysis, bins)
    with samples_tab:
        show_losses(analysis)
        show_drill(analysis, bins, selection, ("loss",))
    with worst_tab:
        show_worst(state, analysis)
    with classes_tab:
        show_classes(analysis)
        show_drill(analysis, bins, selection, ("class", "cell"))
    with calibration_tab:
        show_calibration(state, analysis, bins, before, after)
        show_drill(analysis, bins, selection, ("confidence",))
    with issues_tab:
        show_label_errors(analysis)
    with compare_tab:
        show_compare(state, analysis, bins, max_bytes)
    with libraries_tab:
        show_libraries(analysis)
    offer_download(analysis, bins)
    write_view_link()


def show_more_metrics(state: PageState, analysis: Analysis, bins: int) -> None:
    """The figures practitioners report beside the loss, each defined in its help."""
    classes = analysis.num_classes
    k_col, m1, m2, m3, m4, m5, m6 = st.columns([1.2, 1, 1, 1, 1, 1, 1])
    top = min(classes, 20)
    k = int(
        state.control(
            k_col.number_input,
            "k (top-k)",
            1,
            top,
            min(5, top),
            key="ym_topk",
            rule=whole_number(1, top),
            help="Top-k accuracy counts a sample right when its target is among its k highest "
            "scores.",
        )
    )
    m1.metric(
        f"Top-{k} accuracy",
        percent(analysis.scores.top_k_accuracy(k)),
        help=f"The share of samples with fewer than {k} classes scoring strictly above their "
        "target (torchmetrics' MulticlassAccuracy(top_k=k, average='micro')).",
    )
    m2.metric(
        "Brier score",
        f"{analysis.scores.brier:.4f}",
        help="Mean over samples of Σ_c (p_c − y_c)², y the one-hot target: 0 is perfect, 2 the "
        "worst (scikit-learn's multiclass brier_score_loss).",
    )
    m3.metric(
        "NLL in bits",
        f"{xentcore.nats_to_bits(analysis.mean_loss):.4f}",
        help="The mean cross-entropy in bits (nats ÷ ln 2): the bits a code built on the "
        "model's probabilities spends per label.",
    )
    m4.metric(
        f"MCE ({bins} bins)",
        f"{xentcore.max_calibration_error(analysis.confidence, analysis.correct, bins):.4f}",
        help="Maximum calibration error: the largest |accuracy − confidence| over the "
        "reliability diagram's non-empty bins.",
    )
    m5.metric(
        f"Adaptive ECE ({bins} bins)",
        f"{analysis.scores.adaptive_calibration_error(bins):.4f}",
        help="ECE over bins holding equal numbers of samples (equal mass), not equal widths: "
        "no bin is nearly empty.",
    )
    m6.metric(
        f"Classwise ECE ({bins} bins)",
        f"{classwise_calibration_error(analysis, bins):.4f}",
        help="Whether every class's probability is calibrated, not only the top one: each "
        "class's probabilities over all samples are binned and compared with how often the "
        "class is the label, and the mean over classes is shown (Kull et al. 2019).",
    )


def classwise_calibration_error(analysis: Analysis, bins: int) -> float:
    """The classwise ECE of `analysis` at `bins`, computed once per number of bins.

    It reads the whole (N, C) matrix again: kept for the analysis on screen, so that moving
    another control costs nothing and a number of bins seen before costs nothing either.
    """
    kept = st.session_state.get(_CLASSWISE)
    if kept is None or kept[0] is not analysis:
        kept = st.session_state[_CLASSWISE] = (analysis, {})
    if bins not in kept[1]:
        # Seconds for 100 000 × 1 000 scores: said while it runs.
        with st.spinner(f"Binning every class's probabilities ({bins} bins)…"):
            kept[1][bins] = analysis.classwise_calibration_error(bins)
    return kept[1][bins]


def offer_download(analysis: Analysis, bins: int) -> None:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", analysis.source.rsplit(".", 1)[0])[:60] or "scores"
    csv_col, html_col = st.columns(2)
    csv_col.download_button(
        "Download per-sample results (CSV)",
        # Built only when clicked: a million rows of CSV is tens of MB.
        data=lambda: per_sample_csv(analysis),
        file_name=f"{stem}-per-sample.csv",
        mime="text/csv",
        on_click="ignore",
        key="ym_download",
    )
    unit = loss_unit()
    html_col.download_button(
        "Download a report (HTML)",
        data=lambda: html_report(analysis, bins, unit),
        file_name=f"{stem}-report.html",
        mime="text/html",
        on_click="ignore",
        key="ym_report",
        help="The headline figures and the charts in one HTML file that opens offline "
        "(Plotly's JavaScript is inside it).",
    )
