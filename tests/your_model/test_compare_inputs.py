"""Your model's Compare tab against a second file that does not match the first: every mismatch
is named right after model B's uploader, literally and briefly, and model A's analysis stays."""

from __future__ import annotations

import numpy as np
import pytest
from hostile_inputs import (
    HOSTILE,
    assert_well_said,
    csv_files,
    file_names,
    files,
    messages_after,
    upload_limit_mb,
)
from hypothesis import given
from upload_cases import SCORES, TOY_CSV, npy_bytes, npz_bytes, zeros_bomb
from your_model.test_page import (
    TOY_LOSS,
    headline,
    open_page,
    run,
    unescape,
    upload,
)

COMPARED = "95% interval of B − A"


def _comparing(at):
    """Model A the toy CSV (3 samples of cat, dog, pig), the Compare tab on a second file."""
    upload(at, "ym_file", "toy.csv", TOY_CSV)
    run(at)
    at.button_group(key="ym_compare").set_value("file")
    return run(at)


@pytest.fixture(scope="module")
def page():
    return _comparing(open_page())


def _second(at, name: str, data: bytes):
    upload(at, "ym_file_b", name, data)
    return run(at)


def _compared(at) -> bool:
    return any(COMPARED in d.value.columns for d in at.dataframe)


def _notes(at) -> list[str]:
    return [unescape(c.value) for c in at.caption if c.value.startswith("Model ")]


MISMATCHES = [
    (
        "rows.csv",
        b"cat,dog,pig,label\n1,2,3,0\n2,4,6,2\n",
        "“rows.csv”: expected 3 samples, as the first model has; got 2 samples.",
    ),
    (
        "classes.csv",
        b"cat,dog,label\n1,2,0\n2,4,1\n0.5,0.1,1\n",
        "“classes.csv”: expected 3 classes, as the first model has; got 2 classes.",
    ),
    (
        "labels.csv",
        b"cat,dog,pig,label\n1,2,3,1\n2,4,6,2\n0.5,0.1,3,1\n",
        "“labels.csv”: expected the first model's labels; 1 differs, the first at sample 1.",
    ),
    (
        "order.csv",
        b"dog,cat,pig,label\n1,2,3,0\n2,4,6,2\n0.5,0.1,3,1\n",
        "“order.csv”: expected the first model's class names in its order; class 0 is “dog” "
        "where the first model has “cat”.",
    ),
    (
        "short.npy",
        npy_bytes(SCORES[:2]),
        "“short.npy”: expected 3 samples, as the first model has; got 2 samples.",
    ),
    (
        "narrow.npy",
        npy_bytes(SCORES[:, :2]),
        "“narrow.npy”: expected at least 3 classes, as the first model's labels need; got 2 "
        "classes.",
    ),
    (
        "bomb.npz",
        zeros_bomb(),
        "“bomb.npz”, array “logits”: expected arrays of at most 64.0 MB unpacked in all — 10 "
        "times the archive's 205.5 kB, or 64.0 MB, whichever is more; save the arrays with "
        "np.savez rather than np.savez_compressed, or as .npy; got 183.1 MB unpacked.",
    ),
    (
        "**b** <i>x</i> $y$ " + "n" * 200 + ".csv",
        b"cat,dog,pig,label\n1,2,3,0\n",
        f"“**b** <i>x</i> $y$ {'n' * 61}…”: expected 3 samples, as the first model has; got 1 "
        "sample.",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "message"), MISMATCHES, ids=[m[0][:12] for m in MISMATCHES]
)
def test_a_second_file_that_differs_is_named_beside_its_uploader_and_a_stays(
    page, name, data, message
):
    at = _second(page, name, data)
    assert [unescape(m) for m in messages_after(at, "ym_file_b")] == [message]
    assert len(at.error) == 1 and not _compared(at)
    assert headline(at)["Mean cross-entropy"] == TOY_LOSS  # model A's analysis stays


def test_probabilities_against_logits_are_compared_and_the_readings_named(page):
    probabilities = b"cat,dog,pig,label\n0.2,0.3,0.5,0\n0.1,0.1,0.8,2\n0.3,0.4,0.3,1\n"
    at = _second(page, "probs.csv", probabilities)
    assert not at.error and _compared(at)
    assert _notes(at) == [
        "Model A is read as logits, model B as probabilities (“The matrix holds” above reads "
        "each file by itself)."
    ]


def test_scores_without_labels_take_model_a_labels_and_say_so(page):
    at = _second(page, "scores.npy", npy_bytes(SCORES * 2))
    assert not at.error and _compared(at)
    assert _notes(at) == [
        "Model B's file holds no labels: it is scored against the first model's labels."
    ]
    table = next(d.value for d in at.dataframe if COMPARED in d.value.columns)
    assert table.columns[1:3].tolist() == ["A: toy.csv", "B: scores.npy"]


def test_an_archive_of_scores_and_other_labels_is_named(page):
    raw = npz_bytes(logits=SCORES, labels=np.array([2, 2, 2]))
    at = _second(page, "other.npz", raw)
    assert [unescape(m) for m in messages_after(at, "ym_file_b")] == [
        "“other.npz”: expected the first model's labels; 2 differ, the first at sample 1."
    ]


def test_a_second_file_over_the_limit_is_refused_and_a_stays():
    with upload_limit_mb(1):
        at = _comparing(open_page())
        at = _second(at, "big.csv", b"cat,dog,pig,label\n" + b"0.25,0.5,0.25,1\n" * 70_000)
    assert [unescape(m) for m in messages_after(at, "ym_file_b")] == [
        "“big.csv”: expected a file of at most 1.0 MB — upload fewer samples, or save the "
        "scores as float32 .npy (4 bytes a number, a fraction of a CSV's size); got 1.1 MB."
    ]
    assert headline(at)["Mean cross-entropy"] == TOY_LOSS and not _compared(at)


@HOSTILE
@given(name=file_names(".csv", ".npy", ".npz", ".txt"), data=files | csv_files)
def test_any_second_file_is_compared_or_refused_beside_its_uploader(page, name, data):
    at = _second(page, name, data)
    beside = messages_after(at, "ym_file_b")
    assert len(at.error) == len(beside) <= 1  # beside B's uploader, and nowhere else
    assert_well_said(beside)
    assert bool(beside) != _compared(at)
    assert headline(at)["Mean cross-entropy"] == TOY_LOSS
