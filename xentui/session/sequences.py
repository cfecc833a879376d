"""Reading the Sequences page's upload: Your model's byte readers, then xentui.sequences.

Here, not in xentui/sequences, because one feature never imports another
(tests/test_architecture.py).
"""

from __future__ import annotations

from xentcore import SequenceLosses
from xentui.sequences.data import losses_of_arrays
from xentui.your_model.npy_scores import member_place, read_npy, read_npz
from xentui.your_model.upload import check_bytes, quoted, refuse, sniff_format

__all__ = ["read_sequences"]


def read_sequences(
    data: bytes, name: str, max_bytes: int, padding: float | None, ignore_index: int = -100
) -> SequenceLosses:
    """The losses of an uploaded .npy or .npz; UploadError or ValueError naming what is wrong."""
    check_bytes(data, name, max_bytes)
    kind = sniff_format(data, name)
    if kind == "csv":
        raise refuse(
            "scores file",
            quoted(name),
            "text (a CSV file?)",
            "a NumPy .npy of (N, T) log-probabilities, or an .npz with 'logits' and 'targets'",
        )
    if kind == "npy":
        return losses_of_arrays(read_npy(data, name), None, quoted(name), padding, ignore_index)
    contents = read_npz(data, name, max_bytes)
    where = member_place(name, contents.scores_name)
    return losses_of_arrays(contents.scores, contents.labels, where, padding, ignore_index)
