"""The "Your model" page's Compare tab: model A (the file above) against model B — a second
upload of the same samples, read as A is, or A itself after temperature scaling."""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from xentui.domain.link_values import one_of
from xentui.kit.format import md_literal
from xentui.session.feedback import show_problems
from xentui.session.page_state import PageState
from xentui.session.units import loss_unit
from xentui.session.your_model.samples import SAMPLE_COLUMNS
from xentui.session.your_model.state import ANALYSIS, FILE, file_analysis, unforeseen
from xentui.your_model.analysis import Analysis
from xentui.your_model.compare import (
    class_difference_frame,
    compare_models,
    compare_temperature,
    flips,
    loss_density_figure,
    metrics_frame,
    mismatch,
)
from xentui.your_model.csv_scores import csv_layout
from xentui.your_model.drill import PAGE_SIZE
from xentui.your_model.load import FALLBACK_NOTE
from xentui.your_model.tables import samples_frame
from xentui.your_model.upload import UploadError, check_bytes, quoted, sniff_format

__all__ = ["COMPARE_OPTIONS", "SECOND", "answer_second", "show_compare"]

_LOG = logging.getLogger(__name__)
SECOND = "ym_second"  # (request, Analysis | None, message | None) of the second scores file
COMPARE_OPTIONS = ("none", "temperature", "file")


def answer_second(
    scores: UploadedFile | None,
    labels: UploadedFile | None,
    *,
    has_header: bool,
    interpretation: str,
    max_bytes: int,
) -> tuple[Analysis | None, str | None]:
    """The second model's analysis, or the message why there is none (None, None: no file).

    It is read as the first one is (the same labels file, header setting and reading), its
    label column found by its own header — with none, it takes the first model's labels — and
    compared with the analysis on screen: a row count, class count, class name order or label
    that differs is named.
    """
    if scores is None:
        return None, None
    request = (
        scores.file_id,
        None if labels is None else labels.file_id,
        has_header,
        interpretation,
        max_bytes,
        id(st.session_state[ANALYSIS]),
    )
    kept = st.session_state.get(SECOND)
    if kept is not None and kept[0] == request:
        return kept[1], kept[2]
    analysis, message = None, None
    try:
        layout_column = None
        data = scores.getvalue()
        check_bytes(data, scores.name, max_bytes)
        if sniff_format(data, scores.name) == "csv":
            layout_column = csv_layout(data, scores.name, has_header).default_label_column
        full = (
            FILE,
            scores.file_id,
            None if labels is None else labels.file_id,
            has_header,
            layout_column,
            interpretation,
            max_bytes,
        )
        first = st.session_state[ANALYSIS]
        _, analysis = file_analysis(scores, labels, full, fallback_labels=first.labels)
        differs = mismatch(first, analysis)
        if differs is not None:
            message, analysis = f"{quoted(scores.name)}: {differs}.", None
    except UploadError as problem:
        message = str(problem.problem)
    except Exception as failure:  # a page must never show a traceback
        _LOG.exception("analysing a second upload failed")
        message = str(unforeseen(failure, scores).problem)
    st.session_state[SECOND] = (request, analysis, message)
    return analysis, message


def _say_how_b_was_read(first: Analysis, second: Analysis) -> None:
    """Where B's labels came from, and how each matrix was read when they differ."""
    notes = [FALLBACK_NOTE.replace("The file", "Model B's file")] * (FALLBACK_NOTE in second.notes)
    if first.kind != second.kind:
        notes.append(
            f"Model A is read as {first.kind}, model B as {second.kind} (“The matrix holds” "
            "above reads each file by itself)."
        )
    for note in notes:
        st.caption(md_literal(note))


COMPARE_WORDS = {
    "none": "Nothing",
    "temperature": "Before and after temperature scaling",
    "file": "A second model's scores",
}


def show_compare(state: PageState, analysis: Analysis, bins: int, max_bytes: int) -> None:
    """Model A (the file above) against B: a second upload of the same samples, or A at T."""
    mode = state.control(
        st.segmented_control,
        "Compare with",
        COMPARE_OPTIONS,
        format_func=COMPARE_WORDS.get,
        default="none",
        key="ym_compare",
        rule=one_of(COMPARE_OPTIONS),
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
        second, message = answer_second(
            st.session_state.get("ym_file_b"),
            st.session_state.get("ym_labels"),
            has_header=bool(st.session_state.get("ym_header", True)),
            interpretation=st.session_state.get("ym_kind") or "detect",
            max_bytes=max_bytes,
        )
        if message is not None:
            show_problems([message], icon=":material/warning:")
        if second is None:
            return
        comparison = compare_models(analysis, second)
    unit = loss_unit()
    st.caption(f"Compared on {md_literal(comparison.note)}. Differences are B − A.")
    if mode == "file":
        _say_how_b_was_read(analysis, second)
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
