"""The Sequences page's uploads against a hostile class: whatever file arrives in either uploader,
nothing raises, the page reads it or says why beside that uploader — quoting little, literally —
and the losses shown before stay shown, as the page says."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from app_helpers import unescape
from hostile_inputs import (
    HOSTILE,
    assert_well_said,
    file_names,
    files,
    is_literal,
    messages_after,
    upload_limit_mb,
)
from hypothesis import given, settings
from lessons_helpers import metrics, open_page, rerun
from upload_cases import npy_bytes, npy_header, npz_bytes

from xentui.kit.units import loss_text
from xentui.sequences.data import example_losses
from xentui.session.sequences import read_sequences

PAGE = "pages/analyse/sequences.py"
TOKEN_MEAN = "Token mean (PyTorch's reduction='mean')"
GOOD = -np.random.default_rng(5).exponential(size=(4, 6))
GOOD_MEAN = loss_text(float(-GOOD.mean()))
STILL_GOOD = "Below: still good.npy, until the file can be read; fix it above."


@pytest.fixture(scope="module")
def page():
    return open_page(PAGE)


def _upload(at, name: str, data: bytes | None, key: str = "seq_file"):
    at.file_uploader(key=key).set_value(
        None if data is None else (name, data, "application/octet-stream")
    )
    return rerun(at)


def _after_good(at, name: str, data: bytes):
    """The good file read and shown, then `data` uploaded in its place."""
    _upload(at, "x", None, "seq_mask")
    _upload(at, "good.npy", npy_bytes(GOOD))
    assert metrics(at)[TOKEN_MEAN] == GOOD_MEAN
    return _upload(at, name, data)


@settings(HOSTILE, max_examples=40)
@given(name=file_names(".npy", ".npz"), data=files)
def test_any_file_is_read_or_refused_beside_its_uploader_and_the_last_losses_stay(page, name, data):
    at = _after_good(page, name, data)
    beside = messages_after(at, "seq_file")
    assert len(at.error) == len(beside) <= 1  # beside the uploader, and nowhere else
    assert_well_said(beside)
    source = next(m.value for m in at.markdown if " × up to " in m.value)
    assert is_literal(source.split("**")[1])  # the file's name, shown as it is
    if beside:
        assert metrics(at)[TOKEN_MEAN] == GOOD_MEAN
        assert [unescape(i.value) for i in at.info] == [STILL_GOOD]
    else:  # read: this file's losses are shown, never a NaN
        assert not at.info and "NaN" not in metrics(at).get(TOKEN_MEAN, "")
    assert at.file_uploader(key="seq_file").value.name == name  # the file stays chosen


@HOSTILE
@given(data=files)
def test_any_mask_is_read_or_refused_beside_the_mask(page, data):
    at = _upload(page, "good.npy", npy_bytes(GOOD))
    at = _upload(at, "mask.npy", data, "seq_mask")
    beside = messages_after(at, "seq_mask")
    assert len(at.error) == len(beside) <= 1
    assert_well_said(beside)
    if beside:
        assert metrics(at)[TOKEN_MEAN] == GOOD_MEAN
    _upload(at, "x", None, "seq_mask")


NOT_NUMPY = (
    "expected a NumPy .npy of (N, T) log-probabilities, or an .npz with 'logits' and 'targets'"
)
CASES = [
    (
        "noise.npy",
        bytes(range(256)),
        f"“noise.npy”: {NOT_NUMPY}; got a file that is not NumPy's: it starts with the bytes 00 "
        "01 02 03 04 05.",
    ),
    (
        "utf16.npy",
        "-1,-2\n".encode("utf-16"),
        f"“utf16.npy”: {NOT_NUMPY}; got a file that is not NumPy's: it starts with the bytes FF "
        "FE 2D 00 31 00.",
    ),
    ("bom.npy", b"\xef\xbb\xbf-1,-2\n", f"“bom.npy”: {NOT_NUMPY}; got text (a CSV file?)."),
    (
        "deep.npy",
        b"[" * 100_000 + b"]" * 100_000,
        f"“deep.npy”: {NOT_NUMPY}; got text (a CSV file?).",
    ),
    ("empty.npz", b"", f"“empty.npz”: {NOT_NUMPY}; got an empty file (0 bytes)."),
    (
        "nan.npz",
        npz_bytes(logits=np.array([[[0.0, 1.0], [np.nan, 1.0]]]), targets=np.array([[0, 1]])),
        "“nan.npz”, array “logits”: expected finite logits wherever a target counts — fix those "
        "positions, or set their targets to ignore_index; got NaN or +inf among the logits of "
        "sequence 1, position 2 (1 counted position in all).",
    ),
    (
        "inf.npy",
        npy_bytes(np.array([[-1.0, -2.0], [-1.0, np.inf]])),
        "“inf.npy”: target_log_probs must be finite or −inf where counted; (sequence 2, position "
        "2) holds inf — mask it or pass its padding_value",
    ),
    (
        "negative.npz",
        npz_bytes(logits=np.zeros((1, 2, 3)), targets=np.array([[0, -5]])),
        "“negative.npz”, array “logits”: targets (sequence 1, position 2) holds -5, outside the "
        "vocabulary [0, 2] and not ignore_index (-100)",
    ),
    (
        "beside.npz",
        npz_bytes(logits=np.zeros((2, 3)), targets=np.zeros((2, 3), np.int64)),
        "“beside.npz”, array “logits”: expected logits (N, T, V) with the targets (N, T) — (N, T) "
        "target log-probabilities need no targets: save them alone, np.save(path, log_probs); got "
        "targets beside 2-D scores (shape (2, 3)).",
    ),
    (
        "names.npz",
        npz_bytes(weights=np.zeros(3)),
        "“names.npz”: expected an array named 'logits' (N, T, V) and one named 'targets' (N, T), "
        "e.g. np.savez(path, logits=logits, targets=targets) — or (N, T) log-probabilities named "
        "'scores'; got 1 array (weights).",
    ),
    (
        "**bold** <b>x</b> $x$ :red[r]" + "y" * 200 + ".npy",
        b"",
        f"“**bold** <b>x</b> $x$ :red[r]{'y' * 51}…”: {NOT_NUMPY}; got an empty file (0 bytes).",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), CASES, ids=[c[0][:20] for c in CASES])
def test_a_bad_file_is_named_exactly_beside_its_uploader(page, name, data, message):
    at = _after_good(page, name, data)
    assert [unescape(m) for m in messages_after(at, "seq_file")] == [message]
    assert len(at.error) == 1 and metrics(at)[TOKEN_MEAN] == GOOD_MEAN
    assert [unescape(i.value) for i in at.info] == [STILL_GOOD]


def test_a_mask_of_noise_is_named_beside_the_mask(page):
    at = _upload(page, "good.npy", npy_bytes(GOOD))
    at = _upload(at, "mask.npy", b"\x00\x01\x02\x03\x04\x05\x06", "seq_mask")
    assert [unescape(m) for m in messages_after(at, "seq_mask")] == [
        "“mask.npy”: expected a NumPy .npy of 0/1, (N, T); got a file that is not NumPy's: it "
        "starts with the bytes 00 01 02 03 04 05."
    ]
    assert [unescape(i.value) for i in at.info] == [
        "Below: still good.npy, until the mask can be read; fix it above."
    ]
    _upload(at, "x", None, "seq_mask")


def _npy_of_exactly(size: int) -> bytes:
    """A .npy of float64 log-probabilities (16 sequences) taking `size` bytes, header included."""
    columns = (size - len(npy_header((16, 1), "<f8"))) // (16 * 8)
    raw = npy_bytes(np.full((16, columns), -0.5))
    return raw + b"\x00" * (size - len(raw))  # bytes past the array are not read


def test_a_file_at_the_size_limit_is_read_and_one_byte_more_is_refused():
    with upload_limit_mb(1):
        at = open_page(PAGE)
        at = _upload(at, "limit.npy", _npy_of_exactly(2**20))
        assert not at.error and metrics(at)[TOKEN_MEAN] == loss_text(0.5)
        at = _upload(at, "over.npy", _npy_of_exactly(2**20 + 1))
    assert [unescape(m) for m in messages_after(at, "seq_file")] == [
        "“over.npy”: expected a file of at most 1,048,576 bytes — upload fewer sequences, or "
        "save the target tokens' log-probabilities (N, T) as float32 rather than the logits (N, "
        "T, V); got 1,048,577 bytes."
    ]
    assert metrics(at)[TOKEN_MEAN] == loss_text(0.5)
    assert [unescape(i.value) for i in at.info] == [
        "Below: still limit.npy, until the file can be read; fix it above."
    ]


def test_an_unforeseen_failure_is_a_message_and_the_last_losses_stay(page, monkeypatch):
    import xentui.session.sequences as session

    def broken(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    _after_good(page, "good.npy", npy_bytes(GOOD))
    monkeypatch.setattr(session, "losses_of_arrays", broken)
    at = _upload(page, "again.npy", npy_bytes(GOOD))
    assert [unescape(m) for m in messages_after(at, "seq_file")] == [
        f"“again.npy”: expected {NOT_NUMPY[9:]} — if the file is one, this is a bug in xent; "
        "got an error no check foresaw (RecursionError: maximum recursion depth exceeded)."
    ]
    assert metrics(at)[TOKEN_MEAN] == GOOD_MEAN


def test_removing_the_file_brings_the_example_back(page):
    at = _upload(page, "good.npy", npy_bytes(GOOD))
    at = _upload(at, "x", None)
    assert metrics(at)[TOKEN_MEAN] == loss_text(example_losses().token_mean)
    assert not at.error and not at.info


def test_the_reader_answers_what_the_page_shows():
    with pytest.raises(ValueError, match=r"^“j.npy”: expected a NumPy .npy of \(N, T\) log"):
        read_sequences(json.dumps({"a": [1]}).encode(), "j.npy", 2**20, np.nan)
    buffer = io.BytesIO()
    np.save(buffer, GOOD)
    assert read_sequences(buffer.getvalue(), "g.npy", 2**20, np.nan).num_tokens == GOOD.size
