"""Your model: load real logits or probabilities with labels, and see where the loss comes from."""

from __future__ import annotations

import streamlit as st

from xentui.kit.format import md_literal
from xentui.session import your_model as ym
from xentui.session.feedback import show_problems
from xentui.session.page_state import open_page
from xentui.session.your_model.results import show_results
from xentui.your_model.csv_scores import csv_layout
from xentui.your_model.load import MissingLabels, Upload
from xentui.your_model.scan import INTERPRETATIONS, PROBABILITY_TOLERANCE
from xentui.your_model.upload import UploadError, check_bytes, sniff_format

ym.init_state()
state = open_page("your_model")
MAX_BYTES = int(st.get_option("server.maxUploadSize")) * 2**20

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

# The results are a fragment (xentui/session/your_model/results.py): a slider or a toggle there
# reruns only it, never the uploaders above.
show_results(state, MAX_BYTES)
