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
import logging
import os
import threading
import time
from dataclasses import dataclass

import numpy as np

from xentui.kit.problems import Problem, quote

__all__ = [
    "ANALYSES_PER_SESSION",
    "ANALYSIS_CPU_SECONDS",
    "FIELDS",
    "INPUTS",
    "MAX_CLASSES",
    "MAX_CLASS_NAME_CHARS",
    "MAX_CSV_COLUMNS",
    "MAX_NPZ_LIST_BYTES",
    "MAX_NPZ_MEMBERS",
    "READ_CHUNK_BYTES",
    "UNPACK_FREE_BYTES",
    "UNPACK_RATIO",
    "UPLOAD_CACHE_BYTES",
    "UTF8_BOM",
    "CpuBudget",
    "ModelData",
    "UploadError",
    "as_first_model",
    "check_bytes",
    "content_digest",
    "counted",
    "default_class_names",
    "describe_size",
    "numpy_format",
    "quoted",
    "refuse",
    "sniff_format",
    "unpack_budget",
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
_LOG = logging.getLogger(__name__)


def _setting(name: str, default: float) -> float:
    """A positive number from the environment variable `name`, else `default` (said in the log)."""
    text = os.environ.get(name, "")
    try:
        value = float(text) if text else default
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        _LOG.warning("%s must be a positive number; got %r: using %g", name, text, default)
        return default
    return value


# ------------------------------------------------------------------------------ upload limits
# What one upload may make the server do, written once. The file's own size is capped by
# server.maxUploadSize (the page passes it on as max_bytes); these limits bound what a small file
# can still ask for — an archive unpacks, a header announces, a first line fans out into columns,
# a matrix costs CPU time — and every one is checked before the work it bounds is done.

# Columns of scores. ImageNet-21k's 21,843 classes and a language model's vocabulary (GPT-2's
# 50,257 tokens) fit; each class costs per-class arrays, a name and a row of the class table.
MAX_CLASSES = 100_000
MAX_CSV_COLUMNS = MAX_CLASSES + 1  # the class columns and a label column
# A class name is a label on a chart and in a table (WordNet's longest lemma has 80 characters).
MAX_CLASS_NAME_CHARS = 200
# numpy.savez writes one member per array; an upload needs three (scores, labels, class names).
MAX_NPZ_MEMBERS = 64
# The archive's list of members, in bytes: an entry is 46 bytes, its name and a few extras.
MAX_NPZ_LIST_BYTES = MAX_NPZ_MEMBERS * 1024
# An .npz may unpack to UNPACK_RATIO times its own size, or UNPACK_FREE_BYTES, whichever is more
# (and never beyond max_bytes). Scores compress to ~90 % of their size, so a real .npz of any size
# passes; 183 MB of zeros packed into 210 kB does not.
UNPACK_RATIO = 10
UNPACK_FREE_BYTES = 64 * 2**20
READ_CHUNK_BYTES = 4 * 2**20  # members are unpacked, and counted, this much at a time
# CPU seconds one analysis may spend, summed over the threads working for it (reading, the pass
# over the matrix, the other libraries' figures). 1,000,000 × 10 takes ~1 s on these machines.
ANALYSIS_CPU_SECONDS = _setting("XENT_ANALYSIS_CPU_SECONDS", 20.0)
# The analyses kept for the open sessions, in bytes of their arrays (see analysis_cache.py), and
# how many one session may hold (the one on screen and the one before, to switch back at once).
UPLOAD_CACHE_BYTES = int(_setting("XENT_UPLOAD_CACHE_MB", 1024.0) * 2**20)
ANALYSES_PER_SESSION = 2


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

    >>> counted(1, "value"), counted(1200, "value"), counted(3, "class")
    ('1 value', '1,200 values', '3 classes')
    """
    if count == 1:
        return f"1 {word}"
    return f"{count:,} {word}" + ("es" if word.endswith(("s", "x", "sh", "ch")) else "s")


def as_first_model(count: int, word: str) -> str:
    """What a second model of the same samples must have, in words.

    >>> as_first_model(3, "class")
    '3 classes, as the first model has'
    """
    return f"{counted(count, word)}, as the first model has"


def default_class_names(num_classes: int) -> tuple[str, ...]:
    """The names of the classes of a file that names none: "class 0", "class 1", …"""
    return tuple(f"class {k}" for k in range(num_classes))


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


_SMALLER = (
    "upload fewer samples, or save the scores as float32 .npy (4 bytes a number, a fraction of "
    "a CSV's size)"
)


def check_bytes(
    data: bytes,
    name: str,
    max_bytes: int,
    input: str = "scores file",
    *,
    wanted: str | None = None,
    smaller: str = _SMALLER,
) -> None:
    """Refuse an empty file or one over the size limit (the server's own cap may be lower).

    `wanted` is what the file should hold (default: a table of scores, or of labels), `smaller`
    how to make a file fit. Sizes that print alike (1.0 MB and one byte more) are given in bytes.
    """
    if len(data) > max_bytes:
        size, limit = describe_size(len(data)), describe_size(max_bytes)
        if size == limit:
            size, limit = f"{len(data):,} bytes", f"{max_bytes:,} bytes"
        raise refuse(input, quoted(name), size, f"a file of at most {limit} — {smaller}")
    # isspace() scans without copying; strip() would copy a 400 MB upload.
    if not data or (data[:_SNIFF_BYTES].isspace() and data.isspace()):
        found = (
            "an empty file (0 bytes)" if not data else "a blank file (only spaces and line breaks)"
        )
        if wanted is None:
            table = "scores" if input == "scores file" else "labels"
            wanted = f"a table of {table} with one row per sample"
        raise refuse(input, quoted(name), found, wanted)


def numpy_format(data: bytes) -> str | None:
    """ "npy" or "npz" when the first bytes are NumPy's (or a zip archive's), else None."""
    if data.startswith(_NPY_MAGIC):
        return "npy"
    if data.startswith(_ZIP_MAGICS):
        return "npz"
    return None


def sniff_format(data: bytes, name: str, input: str = "scores file") -> str:
    """ "npy", "npz" or "csv" from the first bytes; refuse text that is not UTF-8.

    A UTF-8 byte-order mark is accepted (spreadsheet programs write one); the CSV reader skips it.
    """
    if (kind := numpy_format(data)) is not None:
        return kind
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


def unpack_budget(archive_bytes: int, max_bytes: int) -> int:
    """The bytes an .npz of `archive_bytes` may unpack to, its arrays together.

    >>> unpack_budget(210_000, 200 * 2**20) == UNPACK_FREE_BYTES
    True
    >>> unpack_budget(20 * 2**20, 100 * 2**20) == 100 * 2**20
    True
    """
    return min(max_bytes, max(UNPACK_FREE_BYTES, UNPACK_RATIO * archive_bytes))


class CpuBudget:
    """The CPU time an analysis may spend; past it, the UploadError that says so is raised.

    Thread-safe. The threads of xentcore's pool report their blocks' CPU time through `spend`;
    the thread that made the budget (the session's) calls `checkpoint` between steps, which adds
    its own CPU time since the previous checkpoint — time.thread_time, so other sessions'
    threads are never counted, and blocks it ran itself are not counted twice.
    """

    def __init__(self, seconds: float, source: str) -> None:
        self.seconds = seconds
        self.source = source
        self.used = 0.0
        self._lock = threading.Lock()
        self._owner = threading.get_ident()
        self._mark = time.thread_time()

    def spend(self, seconds: float, step: str = "analysing the scores") -> None:
        """Count `seconds` of CPU time spent by the calling thread on a block of work."""
        if threading.get_ident() == self._owner:
            self._mark += seconds  # already counted: the next checkpoint must not count it again
        self._add(seconds, step)

    def checkpoint(self, step: str) -> None:
        """Count the owner thread's CPU time since the last checkpoint; `step` names the work."""
        now = time.thread_time()
        spent, self._mark = now - self._mark, now
        self._add(max(spent, 0.0), step)

    def _add(self, seconds: float, step: str) -> None:
        with self._lock:
            self.used += seconds
            used = self.used
        if used > self.seconds:
            raise refuse(
                "scores file",
                quoted(self.source),
                f"{used:.1f} s of CPU time spent, {step}, when the analysis was stopped",
                f"an analysis within the server's limit of {self.seconds:g} s of CPU time — "
                "upload fewer samples",
            )


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
