"""Bad uploads and their pinned messages, shared by the upload tests and the page's AppTests.

Files are generated here, in memory; nothing is read from disk.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from xentui.your_model.csv_scores import csv_layout
from xentui.your_model.load import Upload, load_model_data
from xentui.your_model.upload import UploadError

GIB = 2**30


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)  # only so that the tests can write object arrays
    return buffer.getvalue()


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


SCORES = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 0.1, 3.0]], dtype=np.float32)
LABELS = np.array([0, 2, 1])
TOY_CSV = b"cat,dog,pig,label\n1,2,3,0\n2,4,6,2\n0.5,0.1,3,1\n"


@dataclass(frozen=True)
class Case:
    """An upload (scores, maybe labels) with the page's options, and what must come of it."""

    name: str
    scores: Upload
    labels: Upload | None = None
    has_header: bool = True
    label_column: int | str | None = "auto"  # "auto": the page's default (a 'label' column)
    interpretation: str = "detect"
    max_bytes: int = GIB
    field: str = "file"
    message: str = ""

    def column(self) -> int | None:
        if self.label_column != "auto":
            return self.label_column  # type: ignore[return-value]
        try:
            return csv_layout(
                self.scores.data, self.scores.name, self.has_header
            ).default_label_column
        except UploadError:
            return None

    def load(self):
        return load_model_data(
            self.scores,
            self.labels,
            has_header=self.has_header,
            label_column=self.column(),
            max_bytes=self.max_bytes,
        )


def csv_upload(text: str, name: str = "scores.csv") -> Upload:
    return Upload(name, text.encode())


LABELS_NPY = Upload("labels.npy", npy_bytes(LABELS))
FINITE = "Expected finite numbers: fix or remove those rows."

# (every bad input of the issue, and a few more) → the message the page shows beside the input.
BAD_UPLOADS = [
    Case(
        "not a number",
        csv_upload("cat,dog,label\n1,x,0\n2,3,1\n"),
        message="line 2 of “scores.csv” (sample 0), column ‘dog’ holds ‘x’, which is not a "
        "number; expected a number in every class column.",
    ),
    Case(
        "ragged row, one value too many",
        csv_upload("cat,dog,label\n1,2,0\n2,3,1,5\n"),
        message="line 3 of “scores.csv” has 4 value(s), but the header has 3: the rows are "
        "ragged. Every row needs one value per column.",
    ),
    Case(
        "ragged row, one value short",
        csv_upload("cat,dog,pig,label\n1,2,3,0\n2,3,1\n"),
        message="line 3 of “scores.csv” has 3 value(s), but the header has 4: the rows are "
        "ragged. Every row needs one value per column.",
    ),
    Case(
        "a header where none was expected",
        csv_upload("cat,dog,label\n1,2,0\n2,3,1\n"),
        has_header=False,
        message="the first row of “scores.csv” holds ‘cat’, which is not a number: it looks "
        "like a header row. Tick “First row holds column names”.",
    ),
    Case(
        "no header where one was expected",
        csv_upload("1,2,0\n2,3,1\n"),
        message="the first row of “scores.csv” (1, 2, 0) holds only numbers, so it looks like "
        "data, not column names. Untick “First row holds column names”, or add a header row.",
    ),
    Case(
        "label out of range",
        csv_upload("cat,dog,label\n1,2,0\n2,3,2\n"),
        field="labels",
        message="the label column ‘label’: sample 1 has the label 2, out of range for 2 "
        "classes; expected class indices from 0 to 1.",
    ),
    Case(
        "negative label",
        csv_upload("cat,dog,label\n1,2,0\n2,3,-1\n"),
        field="labels",
        message="the label column ‘label’: sample 1 has the negative label -1; expected class "
        "indices from 0 to 1. To leave samples out, remove their rows.",
    ),
    Case(
        "label not an integer",
        csv_upload("cat,dog,label\n1,2,0\n2,3,0.5\n"),
        field="labels",
        message="the label column ‘label’: sample 1 has the label 0.5, which is not an "
        "integer; expected class indices from 0 to 1.",
    ),
    Case(
        "label neither index nor class name",
        csv_upload("cat,dog,label\n1,2,0\n2,3,cow\n"),
        field="labels",
        message="the label column ‘label’: sample 1 has the label ‘cow’, which is neither a "
        "class index nor a class name; expected class indices from 0 to 1 or one of the class "
        "names.",
    ),
    Case(
        "labels and rows of different lengths",
        Upload("scores.npy", npy_bytes(SCORES)),
        Upload("labels.npy", npy_bytes(np.array([0, 1]))),
        field="labels",
        message="the labels file “labels.npy” holds 2 labels, but the scores have 3 rows; "
        "expected exactly one label per row.",
    ),
    Case(
        "NaN in a .npy",
        Upload("scores.npy", npy_bytes(np.array([[1, 2, 3], [1, np.nan, 3], [0, 0, 0]], "f4"))),
        LABELS_NPY,
        message=f"sample 1, class ‘class 1’ holds nan; 1 sample(s) hold NaN or ±inf. {FINITE}",
    ),
    Case(
        "+inf in a CSV",
        csv_upload("cat,dog,label\n1,inf,0\n2,3,1\n"),
        message=f"sample 0, class ‘dog’ holds inf; 1 sample(s) hold NaN or ±inf. {FINITE}",
    ),
    Case(
        "-inf in a .npy",
        Upload("scores.npy", npy_bytes(np.array([[1, 2, 3], [1, 2, 3], [0, -np.inf, 0]]))),
        LABELS_NPY,
        message=f"sample 2, class ‘class 1’ holds -inf; 1 sample(s) hold NaN or ±inf. {FINITE}",
    ),
    Case(
        "NaN written in a CSV",
        csv_upload("cat,dog,label\n1,nan,0\n2,3,1\n"),
        message="line 2 of “scores.csv” (sample 0), column ‘dog’ holds nan; expected finite "
        "numbers (no NaN or ±inf).",
    ),
    Case(
        "empty cell",
        csv_upload("cat,dog,label\n1,,0\n2,3,1\n"),
        message="line 2 of “scores.csv” (sample 0), column ‘dog’ is empty; expected a number "
        "in every class column.",
    ),
    Case(
        "probabilities outside [0, 1]",
        csv_upload("cat,dog,label\n0.5,0.5,0\n1.5,-0.5,1\n"),
        interpretation="probabilities",
        field="kind",
        message="read as probabilities, but sample 1, class ‘dog’ holds -0.5; probabilities "
        "lie in [0, 1]. If these are logits, choose “Logits”.",
    ),
    Case(
        "probability rows not summing to 1",
        csv_upload("cat,dog,label\n0.5,0.4,0\n0.2,0.8,1\n"),
        interpretation="probabilities",
        field="kind",
        message="read as probabilities, but the rows sum to 0.9 to 1 (sample 0 sums to 0.9); "
        "expected every row to sum to 1 within 0.001. If these are logits, choose “Logits”.",
    ),
    Case(
        "a single column (CSV)",
        csv_upload("score,label\n1,0\n2,1\n"),
        message="“scores.csv” has 1 class column(s) (‘score’) besides the labels; expected at "
        "least 2: one column of scores per class.",
    ),
    Case(
        "a single column (.npy)",
        Upload("scores.npy", npy_bytes(np.ones((3, 1), np.float32))),
        LABELS_NPY,
        message="“scores.npy” has 1 column(s) (shape 3 × 1); expected at least 2: one column "
        "of scores per class.",
    ),
    Case(
        "an empty file",
        Upload("scores.csv", b""),
        message="“scores.csv” is empty (0 bytes); expected a table of scores with one row per "
        "sample.",
    ),
    Case(
        "a blank file",
        Upload("scores.csv", b"\n \n\n"),
        message="“scores.csv” is blank (only spaces and line breaks); expected a table of "
        "scores with one row per sample.",
    ),
    Case(
        "a header and no rows",
        csv_upload("cat,dog,label\n"),
        message="“scores.csv” has a header but no rows of data; expected one row per sample.",
    ),
    Case(
        "a .npy holding Python objects",
        Upload("scores.npy", npy_bytes(np.array([{"a": 1}, None], dtype=object))),
        LABELS_NPY,
        message="“scores.npy” holds Python objects (dtype object). Such arrays are stored as "
        "pickles, which can run code when loaded, so they are refused unread. Expected "
        "numbers: save e.g. np.asarray(logits, dtype=np.float32).",
    ),
    Case(
        "a file over the size limit",
        csv_upload("cat,dog,label\n" + "1,2,0\n" * 300),
        max_bytes=1000,
        message="“scores.csv” is 1.8 kB; files up to 1000 bytes are accepted here. Upload "
        "fewer samples, or save the scores as float32 .npy (4 bytes a number, a fraction of "
        "a CSV's size).",
    ),
    Case(
        "UTF-16 with a byte-order mark",
        Upload("scores.csv", "cat,dog,label\n1,2,0\n".encode("utf-16")),
        message="“scores.csv” is UTF-16 (or UTF-32) text: it starts with the byte-order mark "
        "FF FE. Expected UTF-8: save it again as “CSV UTF-8”.",
    ),
    Case(
        "UTF-16 without a byte-order mark",
        Upload("scores.csv", "cat,dog,label\n1,2,0\n".encode("utf-16-le")),
        message="“scores.csv” holds NUL bytes, so it is not a CSV file: it looks like UTF-16 "
        "text without a byte-order mark. Expected UTF-8 CSV, or a NumPy .npy / .npz file.",
    ),
    Case(
        "Latin-1 text",
        Upload("scores.csv", "café,dog,label\n1,2,0\n".encode("latin-1")),
        message="the first line of “scores.csv” is not UTF-8 text (byte 0xE9 at position 3); "
        "expected UTF-8: save the file again as “CSV UTF-8”.",
    ),
    Case(
        "a 3-D array",
        Upload("scores.npy", npy_bytes(np.ones((2, 3, 4), np.float32))),
        LABELS_NPY,
        message="“scores.npy” has 3 dimension(s) (shape 2 × 3 × 4); expected 2: one row per "
        "sample, one column per class. For an (N, C, d1, …) output, move the class axis last "
        "and reshape to (N·d1·…, C), with the labels flattened the same way.",
    ),
    Case(
        "a 1-D array",
        Upload("scores.npy", npy_bytes(np.ones(3, np.float32))),
        LABELS_NPY,
        message="“scores.npy” has 1 dimension(s) (shape 3); expected 2: one row per sample, "
        "one column per class. A 1-D array is one number per sample; a classifier gives one "
        "per class.",
    ),
    Case(
        "a .npz without the expected arrays",
        Upload("scores.npz", npz_bytes(x=SCORES, y=LABELS)),
        message="“scores.npz” holds ‘x’, ‘y’; expected an array named 'logits' or "
        "'probabilities' or 'probs' (and one named 'labels'), e.g. np.savez(path, "
        "logits=logits, labels=labels).",
    ),
    Case(
        "a .npz of Python objects",
        Upload("scores.npz", npz_bytes(logits=np.array([None, 1], dtype=object), labels=LABELS)),
        message="the array ‘logits’ in “scores.npz” holds Python objects (dtype object). Such "
        "arrays are stored as pickles, which can run code when loaded, so they are refused "
        "unread. Expected numbers: save e.g. np.asarray(logits, dtype=np.float32).",
    ),
    Case(
        "a .npy cut short",
        Upload("scores.npy", npy_bytes(SCORES)[:-5]),
        LABELS_NPY,
        message="“scores.npy” is cut short: its header announces 3 × 3 float32 values (36 "
        "bytes), but only 31 bytes follow. Upload the complete file.",
    ),
    Case(
        "a .npy of booleans",
        Upload("scores.npy", npy_bytes(SCORES > 1)),
        LABELS_NPY,
        message="“scores.npy” holds True/False values (dtype bool); expected real numbers "
        "(float32, float64 or integers).",
    ),
    Case(
        "a header naming a column twice",
        csv_upload("cat,cat,label\n1,2,0\n"),
        message="the header of “scores.csv” names the column ‘cat’ twice; column names must be "
        "distinct (they become the class names).",
    ),
    Case(
        "a labels file with two columns",
        csv_upload("cat,dog\n1,2\n3,4\n"),
        Upload("labels.csv", b"1,2\n3,4\n"),
        label_column=None,
        field="labels",
        message="the labels file “labels.csv” has 2 columns; expected one label per line.",
    ),
]
