"""From uploaded bytes to `ModelData`: pick the reader by content, find the labels, check them.

Where the labels come from, in order: the CSV column the user picked; the .npz's 'labels' array
(unless a labels file was uploaded too, which then wins: uploading it says so); the labels file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xentui.kit.problems import Problem, quote
from xentui.your_model.csv_scores import CsvLayout, csv_layout, read_csv_scores
from xentui.your_model.labels import LabelSource, class_indices
from xentui.your_model.npy_scores import member_place, read_npy, read_npz, score_matrix
from xentui.your_model.upload import (
    CpuBudget,
    ModelData,
    UploadError,
    as_first_model,
    check_bytes,
    counted,
    default_class_names,
    quoted,
    refuse,
    sniff_format,
)

__all__ = [
    "FALLBACK_NOTE",
    "MissingLabels",
    "Upload",
    "inspect_scores",
    "load_model_data",
    "read_labels_file",
]

FALLBACK_NOTE = "The file holds no labels: it is scored against the first model's labels."


class MissingLabels(UploadError):
    """Nothing says where the labels are yet: a request for input more than a fault."""

    def __init__(self, csv: bool) -> None:
        files = (
            "a labels file: a .npy of class indices, or one class index (or class name) per line"
        )
        super().__init__(
            Problem(
                "label column" if csv else "labels file",
                None,
                None,
                found="no labels yet",
                expected=f"the label column, or {files}" if csv else files,
                label="Labels",
            )
        )


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name (shown literally, never as Markdown) and its bytes."""

    name: str
    data: bytes


def inspect_scores(
    upload: Upload, has_header: bool, max_bytes: int
) -> tuple[str, CsvLayout | None]:
    """The scores file's format, and for a CSV its columns (what the label picker offers)."""
    check_bytes(upload.data, upload.name, max_bytes)
    kind = sniff_format(upload.data, upload.name)
    if kind != "csv":
        return kind, None
    return kind, csv_layout(upload.data, upload.name, has_header)


def _npz_class_names(
    names: np.ndarray, names_array: str, num_classes: int, file_name: str
) -> tuple[str, ...]:
    listed = tuple(str(n).strip() for n in np.ravel(names))
    if len(listed) != num_classes or not all(listed) or len(set(listed)) != len(listed):
        raise refuse(
            "scores file",
            member_place(file_name, names_array),
            f"{counted(len(listed), 'name')} ({quote(', '.join(listed))})",
            f"one distinct, non-empty name for each of the {num_classes:,} classes",
        )
    return listed


def read_labels_file(
    upload: Upload, num_samples: int, class_names: tuple[str, ...], max_bytes: int
) -> np.ndarray:
    """Class indices from a labels file: a 1-D .npy, or a text/CSV file with one label a line."""
    source = LabelSource("labels file", f"Labels file {quoted(upload.name)}")
    check_bytes(upload.data, upload.name, max_bytes, input=source.input)
    kind = sniff_format(upload.data, upload.name, input=source.input)
    if kind == "npy":
        return class_indices(
            read_npy(upload.data, upload.name, source.input), num_samples, class_names, source
        )
    if kind == "npz":
        raise source.fail(
            "an .npz archive",
            "a .npy array or a text file with one label per line (or put the labels inside "
            "the scores' .npz as 'labels')",
        )
    try:
        frame = pd.read_csv(
            io.BytesIO(upload.data), header=None, dtype=str, keep_default_na=False, sep=","
        )
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as failure:
        found = f"text that cannot be read as one label per line ({quote(str(failure))})"
        raise source.fail(found, "one label per line") from None
    if frame.shape[1] != 1:
        raise source.fail(counted(frame.shape[1], "column"), "one label per line")
    values = frame[0].to_numpy()
    first = str(values[0]).strip()
    # A first line that is neither a number nor a class name is a header ("label"): skip it.
    if len(values) == num_samples + 1 and first not in class_names:
        try:
            float(first)
        except ValueError:
            values = values[1:]
    return class_indices(values, num_samples, class_names, source)


def _npz_scores(
    scores: Upload, labels_file: bool, max_bytes: int, notes: list[str], budget: CpuBudget | None
) -> tuple[np.ndarray, tuple[str, ...], np.ndarray | None, LabelSource | None]:
    """An .npz's (scores, class names, raw labels or None, where the labels came from)."""
    contents = read_npz(scores.data, scores.name, max_bytes, budget)
    matrix = score_matrix(
        contents.scores, member_place(scores.name, contents.scores_name), max_bytes=max_bytes
    )
    class_names = (
        default_class_names(matrix.shape[1])
        if contents.class_names is None
        else _npz_class_names(
            contents.class_names, contents.class_names_name, matrix.shape[1], scores.name
        )
    )
    if contents.labels is not None and not labels_file:
        # The labels are inside the scores file: that is the input to fix.
        where = member_place(scores.name, contents.labels_name)
        return matrix, class_names, contents.labels, LabelSource("scores file", where)
    if contents.labels is not None:
        notes.append(
            f"The labels come from the labels file; the array {quoted(contents.labels_name)} "
            "in the .npz is not used."
        )
    return matrix, class_names, None, None


def _fallback_indices(labels: np.ndarray, matrix: np.ndarray, name: str) -> np.ndarray:
    """The first model's labels for a second one's scores, if they fit its rows and classes."""
    (rows, classes), needed = matrix.shape, int(labels.max()) + 1
    if rows != len(labels):
        found, expected = counted(rows, "sample"), as_first_model(len(labels), "sample")
    elif classes < needed:
        found = counted(classes, "class")
        expected = f"at least {counted(needed, 'class')}, as the first model's labels need"
    else:
        return labels
    raise refuse("scores file", quoted(name), found, expected)


def load_model_data(
    scores: Upload,
    labels: Upload | None,
    *,
    has_header: bool,
    label_column: int | None,
    max_bytes: int,
    budget: CpuBudget | None = None,
    fallback_labels: np.ndarray | None = None,
) -> ModelData:
    """Read the scores and their labels; raise UploadError saying what is wrong and where.

    Parameters
    ----------
    scores : the uploaded .csv, .npy or .npz
    labels : a separate labels file, or None
    has_header : bool
        CSV only: the first row holds the column (class) names.
    label_column : int or None
        CSV only: the position of the label column, or None when the labels are in a file.
    max_bytes : int
        The largest file accepted (the page passes the server's server.maxUploadSize).
    budget : CpuBudget or None
        Told the CPU time spent reading; raises the UploadError when it runs out.
    fallback_labels : (N,) class indices or None
        The labels when nothing else gives any (a second model of the same samples takes the
        first one's); checked against the scores as a labels file is.
    """
    kind, layout = inspect_scores(scores, has_header, max_bytes)
    notes: list[str] = []
    raw_labels, labels_source = None, None
    if layout is not None:  # a CSV
        matrix, raw_labels, class_names = read_csv_scores(
            scores.data, scores.name, layout, label_column, budget
        )
        if layout.has_bom:
            notes.append("The file starts with a UTF-8 byte-order mark; it was skipped.")
        if raw_labels is not None:
            where = f"Label column {quoted(layout.columns[label_column])}"
            labels_source = LabelSource("label column", where)
            if labels is not None:
                notes.append(
                    f"The labels come from the column {quoted(layout.columns[label_column])}; "
                    "the labels file is not used."
                )
    elif kind == "npy":
        matrix = score_matrix(
            read_npy(scores.data, scores.name), quoted(scores.name), max_bytes=max_bytes
        )
        class_names = default_class_names(matrix.shape[1])
    else:
        matrix, class_names, raw_labels, labels_source = _npz_scores(
            scores, labels is not None, max_bytes, notes, budget
        )

    if budget is not None:
        budget.checkpoint("reading the scores")
    if raw_labels is not None:
        indices = class_indices(raw_labels, matrix.shape[0], class_names, labels_source)
    elif labels is not None:
        indices = read_labels_file(labels, matrix.shape[0], class_names, max_bytes)
    elif fallback_labels is not None:
        indices = _fallback_indices(fallback_labels, matrix, scores.name)
        notes.append(FALLBACK_NOTE)
    else:
        raise MissingLabels(csv=layout is not None)
    return ModelData(
        scores=matrix,
        labels=indices,
        class_names=class_names,
        source=scores.name,
        notes=tuple(notes),
    )
