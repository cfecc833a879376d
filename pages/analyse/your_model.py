"""Your model: load real logits or probabilities with labels, and see where the loss comes from."""

from __future__ import annotations

import re

import streamlit as st

import xentcore
from xentui.domain.link_values import one_of, whole_number
from xentui.domain.share_link import QUERY_KEY, encode
from xentui.kit.format import md_literal
from xentui.kit.units import loss_text, perplexity_text, uniform_loss
from xentui.session import your_model as ym
from xentui.session.feedback import LINK_ICON, show_problems
from xentui.session.page_state import clamp_to, open_page
from xentui.session.units import loss_unit
from xentui.your_model.analysis import MAX_WORST, Analysis
from xentui.your_model.compare import (
    class_difference_frame,
    compare_models,
    compare_temperature,
    flips,
    loss_density_figure,
    metrics_frame,
)
from xentui.your_model.csv_scores import csv_layout
from xentui.your_model.drill import PAGE_SIZE, Selection, parse_selection, selected_rows
from xentui.your_model.figures import (
    MAX_CLASSES_SHOWN,
    class_loss_figure,
    confidence_histogram_figure,
    confusion_figure,
    loss_histogram_figure,
    reliability_figure,
)
from xentui.your_model.label_errors import issues_frame
from xentui.your_model.load import MissingLabels, Upload
from xentui.your_model.playground_link import sample_scenario, worst_sample_scenario
from xentui.your_model.report import html_report
from xentui.your_model.scan import INTERPRETATIONS, PROBABILITY_TOLERANCE
from xentui.your_model.tables import (
    class_frame,
    libraries_frame,
    per_sample_csv,
    samples_frame,
    summary_frame,
    worst_frame,
)
from xentui.your_model.upload import UploadError, check_bytes, sniff_format

ym.init_state()
state = open_page("your_model")
MAX_BYTES = int(st.get_option("server.maxUploadSize")) * 2**20
PAGE_PATH = "your-model"
TABS = (
    "Loss per sample",
    "Worst samples",
    "Classes",
    "Calibration",
    "Likely label errors",
    "Compare",
    "Other libraries",
)
BINS_RULE = whole_number(5, 50)

st.title("Your model")
st.caption(
    "Drop in a classifier's outputs and the true labels: see which samples and classes carry "
    "the loss, and whether the model is over-confident. Samples are numbered from 1, in file "
    "order."
)

# ----------------------------------------------------------------------------------- the inputs
early_problem: UploadError | None = None
has_header, label_column = True, None
with st.container(border=True):
    file_col, labels_col = st.columns([3, 2], gap="medium")
    # The uploaders' return values are dropped on purpose: Streamlit returns a deep copy of the
    # upload on every run (400 MB for a 400 MB file). The copy is freed at once; the file is read
    # from session state, which shares the bytes Streamlit already holds.
    with file_col:
        st.file_uploader(
            "Scores: logits or probabilities, a row per sample, a column per class",
            type=["csv", "tsv", "txt", "npy", "npz"],
            key="ym_file",
            help="CSV (class names from the header), NumPy .npy (N × C), or .npz with arrays "
            "'logits' (or 'probabilities') and 'labels', e.g. "
            "np.savez(path, logits=logits, labels=labels).",
        )
        file_messages = st.container()
    with labels_col:
        st.file_uploader(
            "Labels, when not inside the scores file",
            type=["csv", "txt", "npy"],
            key="ym_labels",
            help="A .npy of N class indices, or a text file with one class index (or class "
            "name) per line.",
        )
        labels_messages = st.container()
    upload, labels_upload = st.session_state.get("ym_file"), st.session_state.get("ym_labels")
    ym.notice_upload(upload)

    if upload is not None:
        scores_file = Upload(upload.name, upload.getvalue())
        try:
            check_bytes(scores_file.data, scores_file.name, MAX_BYTES)
            if sniff_format(scores_file.data, scores_file.name) == "csv":
                header_col, column_col = st.columns([3, 2], gap="medium")
                has_header = header_col.checkbox(
                    "First row holds column names (the class names)",
                    value=True,
                    key="ym_header",
                    on_change=ym.use_file,
                )
                layout = csv_layout(scores_file.data, scores_file.name, has_header)
                with column_col:
                    label_column = st.selectbox(
                        "Label column",
                        [None, *range(len(layout.columns))],
                        index=0
                        if layout.default_label_column is None
                        else layout.default_label_column + 1,
                        format_func=lambda i: (
                            "none: labels in a separate file" if i is None else layout.columns[i]
                        ),
                        key=f"ym_label_column_{upload.file_id}_{has_header}",
                        on_change=ym.use_file,
                    )
                    labels_messages = st.container()
        except UploadError as problem:
            early_problem = problem

    kind_col, example_col = st.columns([3, 2], gap="medium")
    with kind_col:
        interpretation = st.radio(
            "The matrix holds",
            INTERPRETATIONS,
            format_func={
                "detect": "Detect",
                "logits": "Logits",
                "probabilities": "Probabilities",
            }.get,
            horizontal=True,
            key="ym_kind",
            help="Detect reads probabilities when every value lies in [0, 1] and every row sums "
            f"to 1 within {PROBABILITY_TOLERANCE:g}; logits otherwise.",
        )
        kind_messages = st.container()
    with example_col:
        st.button(
            "Try an example: an over-confident classifier",
            on_click=ym.use_example,
            help="20 000 samples × 10 classes, simulated (seed 0): the labels are drawn from "
            "softmax(z), the model reports 2.5·z.",
        )

ym.answer(
    upload,
    labels_upload,
    has_header=has_header,
    label_column=label_column,
    interpretation=interpretation,
    max_bytes=MAX_BYTES,
    early_problem=early_problem,
)
ym.read_view_link(state)
problem: UploadError | None = st.session_state[ym.PROBLEM]
if problem is not None:
    place = {"file": file_messages, "labels": labels_messages, "kind": kind_messages}
    if isinstance(problem, MissingLabels):  # a request for input more than a fault
        place[problem.field].info(md_literal(str(problem.problem)), icon=":material/label:")
    else:
        show_problems([problem.problem], where=place[problem.field], icon=":material/warning:")

# ---------------------------------------------------------------------------------- the result
if problem is not None and not isinstance(problem, MissingLabels):
    st.info("The results below are still those of the previous data; fix the input above.")


# A fragment: moving a slider or a toggle below reruns only this function. The full script would
# also run st.file_uploader, which deep-copies the upload (a 400 MB copy for a 400 MB file).
@st.fragment
def show_results() -> None:
    analysis = st.session_state[ym.ANALYSIS]
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
    link_problems, waiting = ym.pending_view(analysis, bins)
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
    m2.metric("Accuracy", f"{analysis.accuracy:.2%}")
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
    show_more_metrics(analysis, bins)
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
        show_worst(analysis)
    with classes_tab:
        show_classes(analysis)
        show_drill(analysis, bins, selection, ("class", "cell"))
    with calibration_tab:
        show_calibration(analysis, bins, before, after)
        show_drill(analysis, bins, selection, ("confidence",))
    with issues_tab:
        show_label_errors(analysis)
    with compare_tab:
        show_compare(analysis, bins)
    with libraries_tab:
        show_libraries(analysis)
    offer_download(analysis, bins)
    ym.write_view_link()


def show_more_metrics(analysis: Analysis, bins: int) -> None:
    """The figures practitioners report beside the loss, each defined in its help."""
    classes = analysis.num_classes
    k_col, m1, m2, m3, m4, m5 = st.columns([1.2, 1, 1, 1, 1, 1])
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
        f"{analysis.scores.top_k_accuracy(k):.2%}",
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


def current_selection(analysis: Analysis, bins: int) -> Selection | None:
    """The drilled-down selection, if it still names something on this data and these bins."""
    text = st.session_state.get(ym.SELECTION)
    parsed = None if text is None else parse_selection(text, analysis, bins, ym.LINK_SELECTION)
    if not isinstance(parsed, Selection):
        st.session_state[ym.SELECTION] = None  # the bins changed under it: nothing to list
        return None
    return parsed


def playground_links(analysis: Analysis, scenarios) -> list[str]:
    """Links that open each scenario in the Playground (in a new tab)."""
    address = (st.context.url or "").split("?")[0]
    root = address[: -len(PAGE_PATH)] if address.endswith(PAGE_PATH) else "./"
    return [f"{root}?{QUERY_KEY}={encode(scenario)}" for scenario, _ in scenarios]


SAMPLE_COLUMNS = {
    "p(target)": st.column_config.NumberColumn(format="%.4g"),
    "p(prediction)": st.column_config.NumberColumn(format="%.4f"),
}


def sample_columns(unit: str) -> dict:
    """The column formats of a table of samples (samples_frame) with Playground links."""
    return {
        "Playground": st.column_config.LinkColumn(
            "Playground", display_text="open ↗", help="Opens the sample in a new tab."
        ),
        f"loss ({unit})": st.column_config.NumberColumn(format="%.4f"),
        **SAMPLE_COLUMNS,
    }


def show_drill(
    analysis: Analysis, bins: int, selection: Selection | None, kinds: tuple[str, ...]
) -> None:
    """The samples behind the clicked bar, bin or cell, highest loss first, a page at a time."""
    if selection is None or selection.kind not in kinds:
        st.caption("Click a bar (or a cell) to list the samples behind it.")
        return
    rows = selected_rows(selection, analysis, bins)
    head, clear = st.columns([4, 1], vertical_alignment="bottom")
    head.markdown(
        f"**{len(rows):,} {'sample' if len(rows) == 1 else 'samples'} with "
        f"{md_literal(selection.describe(analysis, bins))}**, "
        "highest loss first"
    )
    clear.button(
        "Clear the selection", key=f"ym_clear_{selection.kind}", on_click=ym.clear_selection
    )
    if not len(rows):
        st.caption("No sample falls there.")
        return
    pages = -(-len(rows) // PAGE_SIZE)
    if st.session_state.get(ym.DRILL_PAGE, 1) > pages:
        st.session_state[ym.DRILL_PAGE] = 1
    page = int(
        st.number_input(f"Page (of {pages:,})", 1, pages, key=ym.DRILL_PAGE) if pages > 1 else 1
    )
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    logits = analysis.logits_of(shown)
    scenarios = [
        sample_scenario(analysis, int(row), row_logits)
        for row, row_logits in zip(shown, logits, strict=True)
    ]
    unit = loss_unit()
    st.dataframe(
        samples_frame(
            analysis,
            shown,
            xentcore.softmax(logits, axis=1),
            playground_links(analysis, scenarios),
            unit,
        ),
        hide_index=True,
        key="ym_drilled",
        column_config=sample_columns(unit),
    )


def show_calibration(analysis: Analysis, bins: int, before, after) -> None:
    fit = analysis.temperature
    state.control(st.slider, "Bins", 5, 50, 15, key="ym_bins", rule=BINS_RULE)
    st.plotly_chart(
        reliability_figure(before, after, fit.temperature),
        key="ym_reliability",
        on_select=lambda: ym.select_from_chart("ym_reliability", "confidence"),
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


def show_losses(analysis: Analysis) -> None:
    log_counts = st.toggle("Log-scale counts", key="ym_log_counts")
    st.plotly_chart(
        loss_histogram_figure(analysis, log_counts, loss_unit()),
        key="ym_histogram",
        on_select=lambda: ym.select_from_chart("ym_histogram", "loss"),
        selection_mode="points",
    )
    shares = [
        f"the worst {fraction:.0%} of samples carry {share:.1%} of the summed loss"
        for fraction, share in analysis.loss_share_top
    ]
    if shares:
        st.markdown("Where the loss comes from: " + "; ".join(shares) + ".")
    if analysis.infinite_losses:
        st.warning(
            f"{analysis.infinite_losses:,} sample(s) give their target probability exactly 0: "
            "their loss is +∞, so the mean is +∞. They are left out of the histogram."
        )


def show_worst(analysis: Analysis) -> None:
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
        worst_frame(analysis, k, playground_links(analysis, scenarios), unit),
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
        ym.open_in_playground(scenario)


def show_classes(analysis: Analysis) -> None:
    unit = loss_unit()
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Mean loss per class** (by target class)")
        st.plotly_chart(
            class_loss_figure(analysis, unit),
            key="ym_class_loss",
            on_select=lambda: ym.select_from_chart("ym_class_loss", "class"),
            selection_mode="points",
        )
    with right:
        st.markdown("**Confusion matrix** (row: target, column: prediction)")
        st.plotly_chart(
            confusion_figure(analysis),
            key="ym_confusion",
            on_select=lambda: ym.select_from_chart("ym_confusion", "cell"),
            selection_mode="points",
        )
    if analysis.num_classes > MAX_CLASSES_SHOWN:
        st.caption(
            f"The charts show {MAX_CLASSES_SHOWN} of the {analysis.num_classes:,} classes: the "
            "highest mean losses, and the most wrong predictions. The table has every class."
        )
    scores = analysis.scores.class_scores()
    macro = scores.macro()
    st.caption(
        f"Macro precision {macro[0]:.2%}, recall {macro[1]:.2%}, F1 {macro[2]:.2%} (the "
        "unweighted means over classes; scikit-learn's precision_recall_fscore_support, "
        "zero_division=0)."
    )
    st.dataframe(
        class_frame(analysis, unit).assign(
            precision=lambda f: scores.precision[f.index],
            recall=lambda f: scores.recall[f.index],
            F1=lambda f: scores.f1[f.index],
        ),
        hide_index=True,
        key="ym_classes",
        column_config={
            "accuracy": st.column_config.NumberColumn(format="percent"),
            f"mean loss ({unit})": st.column_config.NumberColumn(format="%.4f"),
            "share of the loss": st.column_config.NumberColumn(format="percent"),
            "precision": st.column_config.NumberColumn(
                format="percent", help="Of the samples predicted as the class, the share right."
            ),
            "recall": st.column_config.NumberColumn(
                format="percent", help="Of the class's samples, the share predicted as it."
            ),
            "F1": st.column_config.NumberColumn(
                format="percent", help="The harmonic mean of precision and recall."
            ),
        },
    )


def show_label_errors(analysis: Analysis) -> None:
    """The samples confident learning flags, least likely label first, each openable."""
    found = ym.label_issues_found(analysis)
    if found is None:
        st.caption(
            "Confident learning: each class gets a threshold, the mean probability of the class "
            "over the samples labelled with it; a sample is flagged when another class reaches "
            "its threshold with the highest probability (cleanlab's find_label_issues, "
            "filter_by='confident_learning'). Use out-of-sample scores: a model agrees with the "
            "labels it was trained on."
        )
        st.button(
            "Find likely label errors",
            key="ym_find_issues",
            on_click=ym.find_label_issues,
            args=(analysis,),
            help="Reads the whole matrix once more (softmax of every row).",
        )
        return
    st.markdown(
        f"**{len(found):,} samples flagged** of {analysis.num_samples:,}, the least likely "
        "given label first (ranked by p(given))."
    )
    if not len(found):
        return
    shown = slice(0, PAGE_SIZE)
    rows = found.indices[shown]
    scenarios = [sample_scenario(analysis, int(row)) for row in rows]
    unit = loss_unit()
    st.dataframe(
        issues_frame(analysis, found, shown, playground_links(analysis, scenarios), unit),
        hide_index=True,
        key="ym_issues",
        column_config={
            **sample_columns(unit),
            "p(given)": st.column_config.NumberColumn(format="%.4g"),
            "p(suggested)": st.column_config.NumberColumn(format="%.4f"),
        },
    )


COMPARE_WORDS = {
    "none": "Nothing",
    "temperature": "Before and after temperature scaling",
    "file": "A second model's scores",
}


def show_compare(analysis: Analysis, bins: int) -> None:
    """Model A (the file above) against B: a second upload of the same samples, or A at T."""
    mode = state.control(
        st.segmented_control,
        "Compare with",
        ym.COMPARE_OPTIONS,
        format_func=COMPARE_WORDS.get,
        default="none",
        key="ym_compare",
        rule=one_of(ym.COMPARE_OPTIONS),
        required=True,
    )
    if mode == "none":
        st.caption(
            "Compare the scores above (model A) with a second model's scores for the same "
            "samples and labels, or with themselves after temperature scaling."
        )
        return
    if mode == "temperature":
        comparison = compare_temperature(analysis)
        if comparison is None:
            st.info(
                f"No temperature was fitted: {md_literal(analysis.temperature.note)}.",
                icon=":material/thermostat:",
            )
            return
    else:
        st.file_uploader(
            "Model B: scores for the same samples, in the same order, with the same classes",
            type=["csv", "tsv", "txt", "npy", "npz"],
            key="ym_file_b",
            help="Read as model A is: the same labels file, header setting and reading.",
        )
        second, message = ym.answer_second(
            st.session_state.get("ym_file_b"),
            st.session_state.get("ym_labels"),
            has_header=bool(st.session_state.get("ym_header", True)),
            interpretation=st.session_state.get("ym_kind") or "detect",
            max_bytes=MAX_BYTES,
        )
        if message is not None:
            show_problems([message], icon=":material/warning:")
        if second is None:
            return
        comparison = compare_models(analysis, second)
    unit = loss_unit()
    st.caption(f"Compared on {md_literal(comparison.note)}. Differences are B − A.")
    st.dataframe(
        metrics_frame(comparison, bins, unit),
        hide_index=True,
        key="ym_compare_metrics",
        column_config={
            "95% interval of B − A": st.column_config.TextColumn(
                help="Paired bootstrap (the same resampled samples for both models), 95%: "
                "an interval that excludes 0 is a difference beyond resampling noise."
            )
        },
    )
    st.plotly_chart(loss_density_figure(comparison, unit), key="ym_compare_density")
    worse, better = flips(comparison)
    st.markdown(
        f"**Predictions that flipped**: {len(worse):,} right under A and wrong under B; "
        f"{len(better):,} wrong under A and right under B."
    )
    for title, rows, key in (
        ("Right → wrong", worse, "ym_flips_worse"),
        ("Wrong → right", better, "ym_flips_better"),
    ):
        if len(rows):
            st.markdown(
                f"**{title}** (the {min(len(rows), PAGE_SIZE)} with the highest B loss; "
                "the table shows model A's probabilities)"
            )
            st.dataframe(
                samples_frame(analysis, rows[:PAGE_SIZE], unit=unit),
                hide_index=True,
                key=key,
                column_config=SAMPLE_COLUMNS,
            )
    st.markdown("**Per class** (by target class, the largest loss increase first)")
    st.dataframe(
        class_difference_frame(comparison, unit),
        hide_index=True,
        key="ym_compare_classes",
        column_config={
            name: st.column_config.NumberColumn(format="percent")
            for name in ("A accuracy", "B accuracy", "B − A accuracy")
        },
    )


def show_libraries(analysis: Analysis) -> None:
    st.dataframe(
        libraries_frame(analysis).drop(columns="why"),  # the reasons are long: said below
        hide_index=True,
        key="ym_libraries",
        column_config={
            "mean loss": st.column_config.NumberColumn(format="%.6f"),
            "− xent": st.column_config.NumberColumn(format="%.2e"),
        },
    )
    for result in analysis.libraries:
        st.markdown(f"**{result.library}** — {md_literal(result.why)}")
    st.caption(
        "These means are in nats, the natural log every library here computes in. "
        "PyTorch is run block by block (reduction='sum', divided by N) to keep its temporaries "
        "small. scikit-learn's figure follows log_loss's rule — clip P to [ε, 1 − ε], no "
        "renormalisation — applied to each sample's target probability, which is all it reads."
    )


show_results()
