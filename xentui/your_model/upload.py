"""Reading a model's outputs from an upload: what the file is, and the data it holds.

An upload is a file of scores (logits or probabilities, one row per sample, one column per class)
in CSV, NumPy .npy or .npz form, with the labels inside it (a CSV column, an .npz array) or in a
second file. Everything that can be wrong with a file raises `UploadError`, whose message says what
was found and what is expected, and whose `field` names the input it belongs beside.

The format is read from the first bytes, not from the name: a .npy renamed .csv is still a .npy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FIELDS",
    "UTF8_BOM",
    "ModelData",
    "UploadError",
    "check_bytes",
    "content_digest",
    "describe_size",
    "sniff_format",
]

# Where a message is shown: beside the scores file, the labels (file or column), or the control
# that says whether the matrix holds logits or probabilities.
FIELDS = ("file", "labels", "kind")

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-32 LE starts with FF FE too: refused alike
_SNIFF_BYTES = 4096


class UploadError(ValueError):
    """The upload cannot be analysed; the message is for the person who uploaded it."""

    def __init__(self, message: str, field: str = "file") -> None:
        if field not in FIELDS:
            raise ValueError(f"field must be one of {', '.join(FIELDS)}; got {field!r}")
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ModelData:
    """What the analysis needs: an (N, C) score matrix, N class indices and C class names.

    scores may be a read-only view on the upload's own bytes (a .npy is never copied).
    """

    scores: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    source: str
    notes: tuple[str, ...] = ()

    @property
    def num_samples(self) -> int:
        return int(self.scores.shape[0])

    @property
    def num_classes(self) -> int:
        return int(self.scores.shape[1])


def describe_size(num_bytes: int) -> str:
    """Sizes in the unit of Streamlit's server.maxUploadSize (MB meaning 2**20 bytes).

    >>> describe_size(0), describe_size(1536), describe_size(3 * 2**20), describe_size(2**30)
    ('0 bytes', '1.5 kB', '3.0 MB', '1.00 GB')
    """
    if num_bytes < 1024:
        return f"{num_bytes} bytes"
    if num_bytes < 2**20:
        return f"{num_bytes / 1024:.1f} kB"
    if num_bytes < 2**30:
        return f"{num_bytes / 2**20:.1f} MB"
    return f"{num_bytes / 2**30:.2f} GB"


def check_bytes(data: bytes, name: str, max_bytes: int, field: str = "file") -> None:
    """Refuse an empty file or one over the size limit (the server's own cap may be lower)."""
    if len(data) > max_bytes:
        raise UploadError(
            f"“{name}” is {describe_size(len(data))}; files up to {describe_size(max_bytes)} "
            "are accepted here. Upload fewer samples, or save the scores as float32 .npy "
            "(4 bytes a number, a fraction of a CSV's size).",
            field,
        )
    # isspace() scans without copying; strip() would copy a 400 MB upload.
    if not data or (data[:_SNIFF_BYTES].isspace() and data.isspace()):
        found = "empty (0 bytes)" if not data else "blank (only spaces and line breaks)"
        raise UploadError(
            f"“{name}” is {found}; expected a table of scores with one row per sample.", field
        )


def sniff_format(data: bytes, name: str, field: str = "file") -> str:
    """ "npy", "npz" or "csv" from the first bytes; refuse text that is not UTF-8.

    A UTF-8 byte-order mark is accepted (spreadsheet programs write one); the CSV reader skips it.
    """
    if data.startswith(_NPY_MAGIC):
        return "npy"
    if data.startswith(_ZIP_MAGICS):
        return "npz"
    if data.startswith(_UTF16_BOMS):
        raise UploadError(
            f"“{name}” is UTF-16 (or UTF-32) text: it starts with the byte-order mark "
            f"{data[:2].hex(' ').upper()}. Expected UTF-8: save it again as “CSV UTF-8”.",
            field,
        )
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        looks_utf16 = head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4
        found = "UTF-16 text without a byte-order mark" if looks_utf16 else "binary data"
        raise UploadError(
            f"“{name}” holds NUL bytes, so it is not a CSV file: it looks like {found}. "
            "Expected UTF-8 CSV, or a NumPy .npy / .npz file.",
            field,
        )
    return "csv"


def content_digest(*parts: bytes | str) -> str:
    """A key that changes whenever any byte of the parts does.

    SHA-256, not BLAKE2b: CPUs with SHA extensions (these machines have them) hash SHA-256 about
    twice as fast, which matters for a 400 MB upload (benchmarks/bench_your_model.py prints both).
    A cryptographic hash because the cache is shared by every session: two different uploads
    must never be able to share a key, so no one is ever shown another person's results.
    """
    digest = hashlib.sha256()
    for part in parts:
        raw = part.encode() if isinstance(part, str) else part
        # The length first, so that ("ab", "c") and ("a", "bc") cannot collide.
        digest.update(len(raw).to_bytes(8, "little"))
        digest.update(raw)
    return digest.hexdigest()
