"""Reading uploads: every format read right, every bad input refused with its pinned message.

BAD_UPLOADS is shared with tests/test_app_your_model.py, which sends the same files through the
page. Files are generated here, in memory; nothing is read from disk.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xentui.model_csv import csv_layout
from xentui.model_load import MissingLabels, Upload, load_model_data
from xentui.model_upload import (
    UploadError,
    check_bytes,
    content_digest,
    describe_size,
    sniff_format,
)

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


def _csv(text: str, name: str = "scores.csv") -> Upload:
    return Upload(name, text.encode())


LABELS_NPY = Upload("labels.npy", npy_bytes(LABELS))
FINITE = "Expected finite numbers: fix or remove those rows."

# (every bad input of the issue, and a few more) → the message the page shows beside the input.
BAD_UPLOADS = [
    Case(
        "not a number",
        _csv("cat,dog,label\n1,x,0\n2,3,1\n"),
        message="line 2 of “scores.csv” (sample 0), column ‘dog’ holds ‘x’, which is not a "
        "number; expected a number in every class column.",
    ),
    Case(
        "ragged row, one value too many",
        _csv("cat,dog,label\n1,2,0\n2,3,1,5\n"),
        message="line 3 of “scores.csv” has 4 value(s), but the header has 3: the rows are "
        "ragged. Every row needs one value per column.",
    ),
    Case(
        "ragged row, one value short",
        _csv("cat,dog,pig,label\n1,2,3,0\n2,3,1\n"),
        message="line 3 of “scores.csv” has 3 value(s), but the header has 4: the rows are "
        "ragged. Every row needs one value per column.",
    ),
    Case(
        "a header where none was expected",
        _csv("cat,dog,label\n1,2,0\n2,3,1\n"),
        has_header=False,
        message="the first row of “scores.csv” holds ‘cat’, which is not a number: it looks "
        "like a header row. Tick “First row holds column names”.",
    ),
    Case(
        "no header where one was expected",
        _csv("1,2,0\n2,3,1\n"),
        message="the first row of “scores.csv” (1, 2, 0) holds only numbers, so it looks like "
        "data, not column names. Untick “First row holds column names”, or add a header row.",
    ),
    Case(
        "label out of range",
        _csv("cat,dog,label\n1,2,0\n2,3,2\n"),
        field="labels",
        message="the label column ‘label’: sample 1 has the label 2, out of range for 2 "
        "classes; expected class indices from 0 to 1.",
    ),
    Case(
        "negative label",
        _csv("cat,dog,label\n1,2,0\n2,3,-1\n"),
        field="labels",
        message="the label column ‘label’: sample 1 has the negative label -1; expected class "
        "indices from 0 to 1. To leave samples out, remove their rows.",
    ),
    Case(
        "label not an integer",
        _csv("cat,dog,label\n1,2,0\n2,3,0.5\n"),
        field="labels",
        message="the label column ‘label’: sample 1 has the label 0.5, which is not an "
        "integer; expected class indices from 0 to 1.",
    ),
    Case(
        "label neither index nor class name",
        _csv("cat,dog,label\n1,2,0\n2,3,cow\n"),
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
        _csv("cat,dog,label\n1,inf,0\n2,3,1\n"),
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
        _csv("cat,dog,label\n1,nan,0\n2,3,1\n"),
        message="line 2 of “scores.csv” (sample 0), column ‘dog’ holds nan; expected finite "
        "numbers (no NaN or ±inf).",
    ),
    Case(
        "empty cell",
        _csv("cat,dog,label\n1,,0\n2,3,1\n"),
        message="line 2 of “scores.csv” (sample 0), column ‘dog’ is empty; expected a number "
        "in every class column.",
    ),
    Case(
        "probabilities outside [0, 1]",
        _csv("cat,dog,label\n0.5,0.5,0\n1.5,-0.5,1\n"),
        interpretation="probabilities",
        field="kind",
        message="read as probabilities, but sample 1, class ‘dog’ holds -0.5; probabilities "
        "lie in [0, 1]. If these are logits, choose “Logits”.",
    ),
    Case(
        "probability rows not summing to 1",
        _csv("cat,dog,label\n0.5,0.4,0\n0.2,0.8,1\n"),
        interpretation="probabilities",
        field="kind",
        message="read as probabilities, but the rows sum to 0.9 to 1 (sample 0 sums to 0.9); "
        "expected every row to sum to 1 within 0.001. If these are logits, choose “Logits”.",
    ),
    Case(
        "a single column (CSV)",
        _csv("score,label\n1,0\n2,1\n"),
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
        _csv("cat,dog,label\n"),
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
        _csv("cat,dog,label\n" + "1,2,0\n" * 300),
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
        _csv("cat,cat,label\n1,2,0\n"),
        message="the header of “scores.csv” names the column ‘cat’ twice; column names must be "
        "distinct (they become the class names).",
    ),
    Case(
        "a labels file with two columns",
        _csv("cat,dog\n1,2\n3,4\n"),
        Upload("labels.csv", b"1,2\n3,4\n"),
        label_column=None,
        field="labels",
        message="the labels file “labels.csv” has 2 columns; expected one label per line.",
    ),
]


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=lambda case: case.name)
def test_bad_upload_is_refused_with_its_message(case: Case):
    from xentui.model_analysis import analyse

    with pytest.raises(UploadError) as raised:
        analyse(case.load(), case.interpretation)
    assert str(raised.value) == case.message
    assert raised.value.field == case.field


@pytest.mark.parametrize(
    ("scores", "labels", "column", "expected"),
    [
        (Upload("s.npy", npy_bytes(SCORES)), None, None, "Upload a labels file"),
        (_csv("cat,dog\n1,2\n"), None, None, "Pick the label column, or upload a labels file"),
        (Upload("s.npz", npz_bytes(logits=SCORES)), None, None, "Upload a labels file"),
    ],
)
def test_missing_labels_ask_for_them(scores, labels, column, expected):
    with pytest.raises(MissingLabels, match=f"^{expected}"):
        load_model_data(scores, labels, has_header=True, label_column=column, max_bytes=GIB)


def test_csv_with_a_label_column():
    data = load_model_data(
        _csv(TOY_CSV.decode()), None, has_header=True, label_column=3, max_bytes=GIB
    )
    assert data.class_names == ("cat", "dog", "pig")
    np.testing.assert_array_equal(data.scores, SCORES)
    np.testing.assert_array_equal(data.labels, LABELS)
    assert data.scores.dtype == np.float32 and data.labels.dtype == np.int32


def test_csv_label_column_is_offered_by_name_and_can_be_anywhere():
    layout = csv_layout(b"Target,cat,dog\n0,1,2\n", "s.csv", True)
    assert layout.default_label_column == 0
    data = load_model_data(
        _csv("Target,cat,dog\n0,1,2\n1,3,4\n"), None, has_header=True, label_column=0, max_bytes=GIB
    )
    assert data.class_names == ("cat", "dog")
    np.testing.assert_array_equal(data.labels, [0, 1])


def test_csv_without_header_names_classes_by_index():
    data = load_model_data(
        _csv("1,2,3,0\n2,4,6,2\n0.5,0.1,3,1\n"),
        None,
        has_header=False,
        label_column=3,
        max_bytes=GIB,
    )
    assert data.class_names == ("class 0", "class 1", "class 2")
    np.testing.assert_array_equal(data.labels, LABELS)


def test_csv_labels_as_class_names_and_other_delimiters():
    text = "cat;dog;label\n0.9;0.1;cat\n0.2;0.8;dog\n"
    data = load_model_data(_csv(text), None, has_header=True, label_column=2, max_bytes=GIB)
    np.testing.assert_array_equal(data.labels, [0, 1])
    tabbed = load_model_data(
        _csv("a\tb\tlabel\n1\t2\t1\n"), None, has_header=True, label_column=2, max_bytes=GIB
    )
    assert tabbed.class_names == ("a", "b")


def test_csv_with_a_separate_labels_file_with_or_without_header():
    for text in ("2\n0\n1\n", "label\n2\n0\n1\n", "pig\ncat\ndog\n"):
        data = load_model_data(
            _csv("cat,dog,pig\n1,2,3\n2,4,6\n0,0,1\n"),
            Upload("labels.txt", text.encode()),
            has_header=True,
            label_column=None,
            max_bytes=GIB,
        )
        np.testing.assert_array_equal(data.labels, [2, 0, 1])


def test_utf8_byte_order_mark_is_skipped_and_said():
    data = load_model_data(
        Upload("s.csv", b"\xef\xbb\xbf" + TOY_CSV),
        None,
        has_header=True,
        label_column=3,
        max_bytes=GIB,
    )
    assert data.class_names == ("cat", "dog", "pig")
    assert data.notes == ("The file starts with a UTF-8 byte-order mark; it was skipped.",)


def test_npy_is_a_read_only_view_on_the_upload_not_a_copy():
    raw = npy_bytes(SCORES)
    data = load_model_data(
        Upload("s.npy", raw), LABELS_NPY, has_header=True, label_column=None, max_bytes=GIB
    )
    np.testing.assert_array_equal(data.scores, SCORES)
    assert not data.scores.flags.writeable and not data.scores.flags.owndata
    base = data.scores
    while isinstance(base, np.ndarray):
        base = base.base
    assert base is raw  # the uploaded bytes themselves


WHOLE = np.array([[1, 2, 3], [2, 4, 6], [5, 1, 3]], dtype=np.float32)  # exact in any dtype


@pytest.mark.parametrize(
    "array",
    [
        WHOLE.astype(np.float64),
        WHOLE.astype(np.float16),
        WHOLE.astype(">f4"),  # big-endian
        np.asfortranarray(WHOLE),
        WHOLE.astype(np.int64),
    ],
    ids=["float64", "float16", "big-endian", "Fortran order", "integers"],
)
def test_npy_dtypes_and_layouts_read_to_the_same_numbers(array):
    data = load_model_data(
        Upload("s.npy", npy_bytes(array)),
        LABELS_NPY,
        has_header=True,
        label_column=None,
        max_bytes=GIB,
    )
    np.testing.assert_array_equal(data.scores, WHOLE)
    assert data.scores.dtype in (np.float32, np.float64)


def test_npz_with_labels_and_class_names():
    raw = npz_bytes(logits=SCORES, labels=LABELS, classes=np.array(["cat", "dog", "pig"]))
    data = load_model_data(
        Upload("s.npz", raw), None, has_header=True, label_column=None, max_bytes=GIB
    )
    assert data.class_names == ("cat", "dog", "pig")
    np.testing.assert_array_equal(data.labels, LABELS)


def test_a_labels_file_wins_over_the_npz_labels_and_says_so():
    raw = npz_bytes(probabilities=SCORES, labels=LABELS)
    other = Upload("mine.npy", npy_bytes(np.array([1, 1, 1])))
    data = load_model_data(
        Upload("s.npz", raw), other, has_header=True, label_column=None, max_bytes=GIB
    )
    np.testing.assert_array_equal(data.labels, [1, 1, 1])
    assert "the array ‘labels’ in the .npz is not used" in data.notes[0]


def test_npz_member_unpacking_beyond_the_limit_is_refused():
    buffer = io.BytesIO()
    np.savez_compressed(buffer, logits=np.zeros((100, 10), np.float32), labels=np.zeros(100, int))
    raw = buffer.getvalue()  # zeros compress well: the archive is far smaller than its arrays
    with pytest.raises(UploadError, match=r"^the array ‘logits’ in “s\.npz” unpacks to 4\.0 kB"):
        load_model_data(
            Upload("s.npz", raw), None, has_header=True, label_column=None, max_bytes=len(raw)
        )


def test_format_is_read_from_the_content_not_the_name():
    assert sniff_format(npy_bytes(SCORES), "scores.csv") == "npy"
    assert sniff_format(npz_bytes(logits=SCORES), "scores.npy") == "npz"
    assert sniff_format(TOY_CSV, "scores.npy") == "csv"


def test_size_limit_counts_bytes_exactly():
    check_bytes(b"x" * 10, "f", max_bytes=10)
    with pytest.raises(UploadError, match="is 11 bytes; files up to 10 bytes"):
        check_bytes(b"x" * 11, "f", max_bytes=10)
    assert describe_size(1024 * 2**20) == "1.00 GB"


def test_digest_depends_on_every_byte_and_on_the_boundaries():
    assert content_digest(b"abc") == content_digest(b"abc")
    assert content_digest(b"abc") != content_digest(b"abd")
    assert content_digest(b"ab", b"c") != content_digest(b"a", b"bc")
    assert len(content_digest(b"")) == 64


# ------------------------------------------------------------------ nothing but UploadError

FUZZ = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
csv_like = st.text(alphabet='0123456789.,;-+e\n\t "abcnaif', max_size=120)


def _analyse_or_refuse(scores: Upload, labels: Upload | None, has_header: bool) -> None:
    """Whatever the bytes: a result, or an UploadError — never another exception."""
    from xentui.model_analysis import analyse

    try:  # as the page does: the label picker is offered for a CSV
        check_bytes(scores.data, scores.name, GIB)
        is_csv = sniff_format(scores.data, scores.name) == "csv"
        layout = csv_layout(scores.data, scores.name, has_header) if is_csv else None
        column = layout.default_label_column if layout else None
    except UploadError:
        column = None
    try:
        data = load_model_data(
            scores, labels, has_header=has_header, label_column=column, max_bytes=GIB
        )
        analyse(data)
    except UploadError:
        pass


@FUZZ
@given(text=csv_like, has_header=st.booleans(), labels=st.none() | csv_like)
def test_any_csv_text_is_analysed_or_refused(text, has_header, labels):
    labels_upload = None if labels is None else Upload("labels.txt", labels.encode())
    _analyse_or_refuse(Upload("s.csv", ("a,b,label\n" + text).encode()), labels_upload, has_header)
    _analyse_or_refuse(Upload("s.csv", text.encode()), labels_upload, has_header)


@FUZZ
@given(tail=st.binary(max_size=200), cut=st.integers(0, 200))
def test_any_damaged_numpy_file_is_refused_or_read(tail, cut):
    whole = npy_bytes(SCORES)
    _analyse_or_refuse(Upload("s.npy", whole[: len(whole) - cut] + tail), LABELS_NPY, True)
    archive = npz_bytes(logits=SCORES, labels=LABELS)
    _analyse_or_refuse(Upload("s.npz", archive[: len(archive) - cut] + tail), None, True)
    _analyse_or_refuse(Upload("s.bin", tail), None, True)
