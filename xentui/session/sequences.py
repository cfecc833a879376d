"""Reading the Sequences page's upload: Your model's byte readers, then xentui.sequences.

Here, not in xentui/sequences, because one feature never imports another
(tests/test_architecture.py).
"""

from __future__ import annotations

from xentcore import SequenceLosses
from xentui.sequences.data import losses_of_arrays
from xentui.your_model.npy_scores import member_place, read_npy, read_npz
from xentui.your_model.upload import check_bytes, quoted, refuse, sniff_format

__all__ = ["MASK_INPUT", "read_sequences"]

# The Your model readers name the input a problem is about; the mask is shown as its labels are.
MASK_INPUT = "labels file"


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
        check_bytes(mask_data, mask_name, max_bytes, input=MASK_INPUT)
        if sniff_format(mask_data, mask_name, input=MASK_INPUT) != "npy":
            raise refuse(
                MASK_INPUT, quoted(mask_name), "not a .npy file", "a NumPy .npy of 0/1, (N, T)"
            )
        mask_array, mask_where = read_npy(mask_data, mask_name, MASK_INPUT), quoted(mask_name)
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
        scores, targets, where = read_npy(data, name), None, quoted(name)
    else:
        contents = read_npz(data, name, max_bytes)
        scores, targets = contents.scores, contents.labels
        where = member_place(name, contents.scores_name)
    return losses_of_arrays(
        scores, targets, where, padding, ignore_index, mask=mask_array, mask_where=mask_where
    )
