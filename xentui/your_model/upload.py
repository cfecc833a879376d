"""Reading a model's outputs from an upload: what the file is, and the data it holds.

An upload is a file of scores (logits or probabilities, one row per sample, one column per class)
in CSV, NumPy .npy or .npz form, with the labels inside it (a CSV column, an .npz array) or in a
second file. Everything that can be wrong with a file raises `UploadError`, which carries a
`xentui.kit.problems.Problem`: where (the file, its line, sample and column), what was found and
what is expected. The problem's input is the control it is shown beside, as the page names it.

The format is read from the first bytes, not from the name: a .npy renamed .csv is still a .npy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from xentui.kit.problems import Problem, quote

__all__ = [
    "FIELDS",
    "INPUTS",
    "UTF8_BOM",
    "ModelData",
    "UploadError",
    "check_bytes",
    "content_digest",
    "counted",
    "describe_size",
    "quoted",
    "refuse",
    "sniff_format",
]

# The inputs a problem belongs to, as the page names them, and the place it is shown: beside the
# scores uploader ("file"), beside the labels (uploader or column picker), or beside the control
# that says whether the matrix holds logits or probabilities ("kind").
INPUTS = {
    "scores file": "file",
    "labels file": "labels",
    "label column": "labels",
    "interpretation": "kind",
}
FIELDS = tuple(dict.fromkeys(INPUTS.values()))  # ("file", "labels", "kind")

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-32 LE starts with FF FE too: refused alike
_SNIFF_BYTES = 4096


class UploadError(ValueError):
    """The upload cannot be analysed: `problem` says where, what was found and what is expected.

    `str()` is the problem's sentence; `field` is where the page shows it (see INPUTS).
    """

    def __init__(self, problem: Problem) -> None:
        if problem.input not in INPUTS:
            raise ValueError(
                f"problem.input must be one of {', '.join(INPUTS)}; got {problem.input!r}"
            )
        super().__init__(str(problem))
        self.problem = problem

    @property
    def field(self) -> str:
        return INPUTS[self.problem.input]


def refuse(
    input: str,
    where: str,
    found: str,
    expected: str,
    *,
    row: int | None = None,
    column: str | None = None,
) -> UploadError:
    """An UploadError for `input`; `where` is the place in words, row the 1-based sample.

    >>> str(refuse("scores file", "“s.csv”, line 2 (sample 1), column “dog”", "“x”", "a number"))
    '“s.csv”, line 2 (sample 1), column “dog”: expected a number; got “x”.'
    """
    return UploadError(Problem(input, row, column, found=found, expected=expected, label=where))


def quoted(value: object) -> str:
    """A user's value (a file, column or class name, a cell) as a message quotes it."""
    return f"“{quote(value)}”"


def counted(count: int, word: str) -> str:
    """`count` and `word`, made plural unless the count is 1.

    >>> counted(1, "value"), counted(1200, "value")
    ('1 value', '1,200 values')
    """
    return f"{count:,} {word}" + ("" if count == 1 else "s")


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
    >>> describe_size(2**63)
    '8,388,608 TB'
    """
    if num_bytes < 1024:
        return f"{num_bytes} bytes"
    if num_bytes < 2**20:
        return f"{num_bytes / 1024:.1f} kB"
    if num_bytes < 2**30:
        return f"{num_bytes / 2**20:.1f} MB"
    if num_bytes < 2**40:
        return f"{num_bytes / 2**30:.2f} GB"
    return f"{num_bytes / 2**40:,.0f} TB"  # only a damaged .npy header announces this much


def check_bytes(data: bytes, name: str, max_bytes: int, input: str = "scores file") -> None:
    """Refuse an empty file or one over the size limit (the server's own cap may be lower)."""
    if len(data) > max_bytes:
        raise refuse(
            input,
            quoted(name),
            describe_size(len(data)),
            f"a file of at most {describe_size(max_bytes)} — upload fewer samples, or save the "
            "scores as float32 .npy (4 bytes a number, a fraction of a CSV's size)",
        )
    # isspace() scans without copying; strip() would copy a 400 MB upload.
    if not data or (data[:_SNIFF_BYTES].isspace() and data.isspace()):
        found = (
            "an empty file (0 bytes)" if not data else "a blank file (only spaces and line breaks)"
        )
        wanted = "scores" if input == "scores file" else "labels"
        raise refuse(input, quoted(name), found, f"a table of {wanted} with one row per sample")


def sniff_format(data: bytes, name: str, input: str = "scores file") -> str:
    """ "npy", "npz" or "csv" from the first bytes; refuse text that is not UTF-8.

    A UTF-8 byte-order mark is accepted (spreadsheet programs write one); the CSV reader skips it.
    """
    if data.startswith(_NPY_MAGIC):
        return "npy"
    if data.startswith(_ZIP_MAGICS):
        return "npz"
    if data.startswith(_UTF16_BOMS):
        raise refuse(
            input,
            quoted(name),
            "UTF-16 (or UTF-32) text, which starts with the byte-order mark "
            f"{data[:2].hex(' ').upper()}",
            "UTF-8 text — save it again as “CSV UTF-8”",
        )
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        looks_utf16 = head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4
        found = "UTF-16 text without a byte-order mark" if looks_utf16 else "binary data"
        raise refuse(
            input,
            quoted(name),
            f"NUL bytes, so not a CSV file: it looks like {found}",
            "UTF-8 CSV, or a NumPy .npy / .npz file",
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
