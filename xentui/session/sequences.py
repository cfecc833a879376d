"""The Sequences page's session: reading its upload, and which losses it shows.

The bytes are read by Your model's readers (never unpickled, byte-budgeted), then turned into
losses by xentui.sequences — here, not in xentui/sequences, because one feature never imports
another (tests/test_architecture.py).

What the page shows is the last input that could be read (kept in SHOWN), or the example: a
file that cannot be read is said beside its uploader and leaves the earlier losses on screen.
"""

from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from xentcore import SequenceLosses
from xentui.kit.problems import Problem, quote
from xentui.sequences.data import EXAMPLE_NAME, MaskError, example_losses, losses_of_arrays
from xentui.session.your_model.state import unforeseen
from xentui.your_model.npy_scores import member_place, read_npy, read_npz
from xentui.your_model.upload import UploadError, check_bytes, numpy_format, quoted, refuse

__all__ = ["MASK_INPUT", "SEQUENCES_FILE", "SHOWN", "Shown", "read_sequences", "shown_losses"]

# The Your model readers name the input a problem is about; the mask is shown as its labels are.
MASK_INPUT = "labels file"
SEQUENCES_FILE = "a NumPy .npy of (N, T) log-probabilities, or an .npz with 'logits' and 'targets'"
_MASK_FILE = "a NumPy .npy of 0/1, (N, T)"
_NPZ_ARRAYS = (
    "an array named 'logits' (N, T, V) and one named 'targets' (N, T), e.g. np.savez(path, "
    "logits=logits, targets=targets) — or (N, T) log-probabilities named 'scores'"
)
# How a file of sequences gets under the upload limit.
_SMALLER = (
    "upload fewer sequences, or save the target tokens' log-probabilities (N, T) as float32 "
    "rather than the logits (N, T, V)"
)
SHOWN = "seq_shown"  # (losses, source) of the last input read; None: the example
_LOG = logging.getLogger(__name__)


def _numpy_format(data: bytes, name: str, input: str, expected: str) -> str:
    """ "npy" or "npz"; anything else is refused, saying what it looks like."""
    kind = numpy_format(data)
    if kind is not None:
        return kind
    head = data[:4096]
    try:  # text: UTF-8 without NUL bytes (a character cut at the end of the head is fine)
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        text = b"\x00" not in head
    except UnicodeDecodeError:
        text = False
    found = (
        "text (a CSV file?)"
        if text
        else f"a file that is not NumPy's: it starts with the bytes {data[:6].hex(' ').upper()}"
    )
    raise refuse(input, quoted(name), found, expected)


def read_sequences(
    data: bytes,
    name: str,
    max_bytes: int,
    padding: float | None,
    ignore_index: int = -100,
    mask: tuple[bytes, str] | None = None,
) -> SequenceLosses:
    """The losses of an uploaded .npy or .npz, with the (bytes, name) of a mask .npy if any.

    Raises UploadError or ValueError naming what is wrong: about the mask, UploadError with the
    input "labels file" or a MaskError, which the page shows beside the mask's uploader.
    """
    mask_array, mask_where = None, "the mask"
    if mask is not None:
        mask_data, mask_name = mask
        check_bytes(
            mask_data, mask_name, max_bytes, MASK_INPUT, wanted=_MASK_FILE, smaller=_SMALLER
        )
        if _numpy_format(mask_data, mask_name, MASK_INPUT, _MASK_FILE) != "npy":
            raise refuse(MASK_INPUT, quoted(mask_name), "an .npz archive", _MASK_FILE)
        mask_array, mask_where = read_npy(mask_data, mask_name, MASK_INPUT), quoted(mask_name)
    check_bytes(data, name, max_bytes, wanted=SEQUENCES_FILE, smaller=_SMALLER)
    if _numpy_format(data, name, "scores file", SEQUENCES_FILE) == "npy":
        scores, targets, where = read_npy(data, name), None, quoted(name)
    else:
        contents = read_npz(data, name, max_bytes, expected=_NPZ_ARRAYS)
        scores, targets = contents.scores, contents.labels
        where = member_place(name, contents.scores_name)
    return losses_of_arrays(
        scores, targets, where, padding, ignore_index, mask=mask_array, mask_where=mask_where
    )


@dataclass(frozen=True)
class Shown:
    """What the page shows: the losses and what they are of, and why the input on the page
    could not be read (then the losses are an earlier input's)."""

    losses: SequenceLosses
    source: str  # in words, file names quoted short (kit.problems.quote), or the example's name
    problem: Problem | str | None = None
    on_mask: bool = False  # the problem is the mask's, to be shown beside the mask

    @property
    def example(self) -> bool:
        return self.source == EXAMPLE_NAME


def shown_losses(
    upload: UploadedFile | None,
    mask: UploadedFile | None,
    max_bytes: int,
    padding: float | None,
    ignore_index: int,
) -> Shown:
    """The losses of the upload, or the earlier ones with the problem that stops it."""
    if upload is None:
        st.session_state[SHOWN] = None
        return Shown(example_losses(), EXAMPLE_NAME)
    try:
        losses = read_sequences(
            upload.getvalue(),
            upload.name,
            max_bytes,
            padding,
            ignore_index,
            mask=None if mask is None else (mask.getvalue(), mask.name),
        )
    except UploadError as refused:
        problem, on_mask = refused.problem, refused.problem.input == MASK_INPUT
    except MaskError as refused:
        problem, on_mask = str(refused), True
    except (ValueError, IndexError) as refused:
        problem, on_mask = str(refused), False
    except Exception as failure:  # a page must never show a traceback
        _LOG.exception("reading a sequences upload failed")
        problem, on_mask = unforeseen(failure, upload, SEQUENCES_FILE).problem, False
    else:
        source = quote(upload.name)
        if mask is not None:
            source += f" (mask {quote(mask.name)})"
        st.session_state[SHOWN] = (losses, source)
        return Shown(losses, source)
    earlier = st.session_state.get(SHOWN)
    losses, source = earlier if earlier is not None else (example_losses(), EXAMPLE_NAME)
    return Shown(losses, source, problem, on_mask)
