"""Reading uploads: every format read right, every bad input refused with its pinned message.

BAD_UPLOADS (tests/upload_cases.py) is shared with tests/your_model/test_page.py, which sends the
same files through the page.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from upload_cases import (
    BAD_UPLOADS,
    GIB,
    LABELS,
    LABELS_NPY,
    SCORES,
    TOY_CSV,
    Case,
    csv_upload,
    npy_bytes,
    npz_bytes,
)

from xentui.your_model.csv_scores import csv_layout
from xentui.your_model.load import MissingLabels, Upload, load_model_data
from xentui.your_model.upload import (
    UploadError,
    check_bytes,
    content_digest,
    describe_size,
    sniff_format,
)


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=lambda case: case.name)
def test_bad_upload_is_refused_with_its_message(case: Case):
    from xentui.your_model.analysis import analyse_upload

    with pytest.raises(UploadError) as raised:
        analyse_upload(case.load(), case.interpretation)
    assert str(raised.value) == case.message
    assert raised.value.field == case.field
    assert str(raised.value.problem) == case.message


def test_a_refusal_is_a_problem_with_its_input_row_and_column():
    case = next(c for c in BAD_UPLOADS if c.name == "not a number")
    with pytest.raises(UploadError) as raised:
        case.load()
    problem = raised.value.problem
    assert (problem.input, problem.row, problem.column) == ("scores file", 1, "dog")
    assert (problem.found, problem.expected) == ("“x”", "a number in every class column")
    assert raised.value.field == "file"


def test_a_hostile_file_name_is_quoted_short_and_printable():
    name = "a\nb" + "x" * 200 + ".csv"
    with pytest.raises(UploadError) as raised:
        check_bytes(b"", name, max_bytes=10)
    where = raised.value.problem.label
    assert where.startswith("“a\\nbxxx") and where.endswith("…”") and len(where) == 83


ASK_FILE = (
    "Labels: expected a labels file: a .npy of class indices, or one class index (or class "
    "name) per line; got no labels yet."
)
ASK_COLUMN = (
    "Labels: expected the label column, or a labels file: a .npy of class indices, or one "
    "class index (or class name) per line; got no labels yet."
)


@pytest.mark.parametrize(
    ("scores", "expected", "field_input"),
    [
        (Upload("s.npy", npy_bytes(SCORES)), ASK_FILE, "labels file"),
        (csv_upload("cat,dog\n1,2\n"), ASK_COLUMN, "label column"),
        (Upload("s.npz", npz_bytes(logits=SCORES)), ASK_FILE, "labels file"),
    ],
)
def test_missing_labels_ask_for_them(scores, expected, field_input):
    with pytest.raises(MissingLabels) as raised:
        load_model_data(scores, None, has_header=True, label_column=None, max_bytes=GIB)
    assert str(raised.value) == expected
    assert raised.value.problem.input == field_input and raised.value.field == "labels"


def test_csv_with_a_label_column():
    data = load_model_data(
        csv_upload(TOY_CSV.decode()), None, has_header=True, label_column=3, max_bytes=GIB
    )
    assert data.class_names == ("cat", "dog", "pig")
    np.testing.assert_array_equal(data.scores, SCORES)
    np.testing.assert_array_equal(data.labels, LABELS)
    assert data.scores.dtype == np.float32 and data.labels.dtype == np.int32


def test_csv_label_column_is_offered_by_name_and_can_be_anywhere():
    layout = csv_layout(b"Target,cat,dog\n0,1,2\n", "s.csv", True)
    assert layout.default_label_column == 0
    data = load_model_data(
        csv_upload("Target,cat,dog\n0,1,2\n1,3,4\n"),
        None,
        has_header=True,
        label_column=0,
        max_bytes=GIB,
    )
    assert data.class_names == ("cat", "dog")
    np.testing.assert_array_equal(data.labels, [0, 1])


def test_csv_without_header_names_classes_by_index():
    data = load_model_data(
        csv_upload("1,2,3,0\n2,4,6,2\n0.5,0.1,3,1\n"),
        None,
        has_header=False,
        label_column=3,
        max_bytes=GIB,
    )
    assert data.class_names == ("class 0", "class 1", "class 2")
    np.testing.assert_array_equal(data.labels, LABELS)


def test_csv_labels_as_class_names_and_other_delimiters():
    text = "cat;dog;label\n0.9;0.1;cat\n0.2;0.8;dog\n"
    data = load_model_data(csv_upload(text), None, has_header=True, label_column=2, max_bytes=GIB)
    np.testing.assert_array_equal(data.labels, [0, 1])
    tabbed = load_model_data(
        csv_upload("a\tb\tlabel\n1\t2\t1\n"), None, has_header=True, label_column=2, max_bytes=GIB
    )
    assert tabbed.class_names == ("a", "b")


def test_csv_with_a_separate_labels_file_with_or_without_header():
    for text in ("2\n0\n1\n", "label\n2\n0\n1\n", "pig\ncat\ndog\n"):
        data = load_model_data(
            csv_upload("cat,dog,pig\n1,2,3\n2,4,6\n0,0,1\n"),
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
    "dtype, floats",
    [
        (np.int8, np.float32),
        (np.uint8, np.float32),
        (np.int16, np.float32),
        (np.uint16, np.float32),
        (np.int32, np.float64),
        (np.uint64, np.float64),
        (np.float16, np.float32),
    ],
)
def test_integers_become_the_smallest_float_that_holds_them_exactly(dtype, floats):
    data = load_model_data(
        Upload("s.npy", npy_bytes(WHOLE.astype(dtype))),
        LABELS_NPY,
        has_header=True,
        label_column=None,
        max_bytes=GIB,
    )
    assert data.scores.dtype == floats
    np.testing.assert_array_equal(data.scores, WHOLE)


def test_integers_that_would_outgrow_the_upload_limit_as_floats_are_refused():
    scores = np.zeros((2**17, 8), np.int8)  # 1 MiB of int8, 4 MiB as float32
    with pytest.raises(UploadError) as refusal:
        load_model_data(
            Upload("s.npy", npy_bytes(scores)),
            None,
            has_header=True,
            label_column=None,
            max_bytes=2 * 2**20,
        )
    assert str(refusal.value.problem) == (
        "“s.npy”: expected at most 2.0 MB once read (the upload limit) — save the scores as "
        "float32, or upload fewer samples; got int8 values that take 4.0 MB as float32, the "
        "type the loss is computed in."
    )


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
    assert "the array “labels” in the .npz is not used" in data.notes[0]


def test_npz_member_unpacking_beyond_the_limit_is_refused():
    buffer = io.BytesIO()
    np.savez_compressed(buffer, logits=np.zeros((100, 10), np.float32), labels=np.zeros(100, int))
    raw = buffer.getvalue()  # zeros compress well: the archive is far smaller than its arrays
    with pytest.raises(UploadError) as raised:
        load_model_data(
            Upload("s.npz", raw), None, has_header=True, label_column=None, max_bytes=len(raw)
        )
    assert str(raised.value) == (
        f"“s.npz”, array “logits”: expected arrays of at most {describe_size(len(raw))} unpacked "
        "in all; got 4.0 kB unpacked."
    )


def test_format_is_read_from_the_content_not_the_name():
    assert sniff_format(npy_bytes(SCORES), "scores.csv") == "npy"
    assert sniff_format(npz_bytes(logits=SCORES), "scores.npy") == "npz"
    assert sniff_format(TOY_CSV, "scores.npy") == "csv"


def test_size_limit_counts_bytes_exactly():
    check_bytes(b"x" * 10, "f", max_bytes=10)
    with pytest.raises(UploadError) as raised:
        check_bytes(b"x" * 11, "f", max_bytes=10)
    assert str(raised.value).startswith("“f”: expected a file of at most 10 bytes — upload")
    assert str(raised.value).endswith("; got 11 bytes.")
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
    from xentui.your_model.analysis import analyse_upload

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
        analyse_upload(data)
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
