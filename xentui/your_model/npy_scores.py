"""NumPy uploads: a .npy array, or the named arrays of an .npz archive — never unpickled.

A .npy is read without copying: its header is parsed here and the array is a read-only view on
the upload's own bytes, so a 400 MB matrix costs no second 400 MB. Arrays of Python objects are
refused from their header, before any of their bytes are touched (np.load would need
allow_pickle=True to read them, which runs code from the file). An .npz member is checked the same
way, then read with allow_pickle=False.
"""

from __future__ import annotations

import io
import math
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np

from xentui.kit.problems import quote
from xentui.your_model.upload import UploadError, counted, describe_size, quoted, refuse

__all__ = [
    "CLASS_NAME_ARRAYS",
    "LABEL_ARRAYS",
    "SCORE_ARRAYS",
    "NpzContents",
    "member_place",
    "read_npy",
    "read_npz",
    "score_matrix",
]

# The names an .npz's arrays are looked up by, in order of preference.
SCORE_ARRAYS = ("logits", "probabilities", "probs", "scores", "outputs", "y_pred")
LABEL_ARRAYS = ("labels", "label", "targets", "target", "y", "y_true")
CLASS_NAME_ARRAYS = ("classes", "class_names")
_MAX_HEADER_BYTES = 100_000
_SCORES = "scores file"
_SAVEZ = "a file written by numpy.savez"


@dataclass(frozen=True)
class _Header:
    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype
    data_offset: int


def _shape_text(shape: tuple[int, ...]) -> str:
    return " × ".join(f"{n:,}" for n in shape) if shape else "a single value (0-D)"


def _read_header(fp: io.BufferedIOBase, what: str, input: str) -> _Header:
    """The header of the .npy in `fp`; `what` is its place in words, for a message."""
    try:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(
                fp, max_header_size=_MAX_HEADER_BYTES
            )
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(
                fp, max_header_size=_MAX_HEADER_BYTES
            )
        else:
            raise refuse(
                input,
                what,
                f"format version {version[0]}.{version[1]}, which only structured arrays need",
                "a plain numeric array (.npy format 1.0 or 2.0)",
            )
    except UploadError:
        raise
    except Exception as problem:
        # NumPy parses the header (a Python dict literal) with tokenize and ast: a damaged one
        # can raise ValueError, SyntaxError, tokenize.TokenError and more. All mean the same.
        raise refuse(
            input,
            what,
            f"a .npy header that cannot be read ({quote(str(problem))})",
            "a file written by numpy.save",
        ) from None
    header = _Header(tuple(int(n) for n in shape), bool(fortran), dtype, fp.tell())
    if any(n < 0 for n in header.shape):
        raise refuse(
            input,
            what,
            f"a header announcing the shape {quote(repr(header.shape))}",
            "a shape of whole numbers of 0 or more, as numpy.save writes",
        )
    return header


def _check_length(header: _Header, available: int, what: str, input: str) -> None:
    """Refuse a header that announces more values than the bytes after it hold."""
    # Python integers: a product of announced dimensions must not wrap around as int64 does.
    needed = math.prod(header.shape) * header.dtype.itemsize
    if available < needed:
        raise refuse(
            input,
            what,
            describe_size(max(available, 0)) + " after the header",
            f"the {describe_size(needed)} of {_shape_text(header.shape)} {header.dtype} values "
            "its header announces — upload the complete file",
        )


def _check_dtype(dtype: np.dtype, what: str, input: str) -> None:
    """Refuse anything that is not real numbers, Python objects first (they would be pickles)."""
    if dtype.hasobject:
        raise refuse(
            input,
            what,
            f"Python objects (dtype {quote(str(dtype))}), which are stored as pickles: they can "
            "run code when loaded, so they are refused unread",
            "numbers — save e.g. np.asarray(logits, dtype=np.float32)",
        )
    kinds = {
        "b": "True/False values",
        "c": "complex numbers",
        "U": "text",
        "S": "bytes",
        "V": "structured records",
        "M": "dates",
        "m": "time spans",
    }
    if dtype.kind in kinds:
        raise refuse(
            input,
            what,
            f"{kinds[dtype.kind]} (dtype {quote(str(dtype))})",
            "real numbers (float32, float64 or integers)",
        )


def read_npy(data: bytes, name: str, input: str = _SCORES) -> np.ndarray:
    """The array of a .npy upload, as a read-only view on `data` (no copy).

    Non-native byte order is converted (a copy); everything else is the bytes as they are.
    """
    what = quoted(name)
    fp = io.BytesIO(data)
    header = _read_header(fp, what, input)
    _check_dtype(header.dtype, what, input)
    _check_length(header, len(data) - header.data_offset, what, input)
    count = math.prod(header.shape)
    array = np.frombuffer(data, dtype=header.dtype, count=count, offset=header.data_offset)
    array = array.reshape(header.shape, order="F" if header.fortran_order else "C")
    if not header.dtype.isnative:
        array = array.astype(header.dtype.newbyteorder("="))
    return array


def score_matrix(array: np.ndarray, what: str, input: str = _SCORES) -> np.ndarray:
    """Check that `array` is an (N, C) matrix with N ≥ 1 and C ≥ 2; return it as floats.

    float32 and float64 are kept as they are; float16 and integers become float32 and float64
    (the loss needs exp and log, for which float16 has too little range).
    """
    shape = f"shape {_shape_text(array.shape)}"
    if array.ndim != 2:
        hint = ""
        if array.ndim == 1:
            hint = " — a 1-D array is one number per sample, a classifier gives one per class"
        elif array.ndim >= 3:
            hint = (
                " — for an (N, C, d1, …) output, move the class axis last and reshape to "
                "(N·d1·…, C), with the labels flattened the same way"
            )
        raise refuse(
            input,
            what,
            f"{counted(array.ndim, 'dimension')} ({shape})",
            f"2 dimensions: one row per sample, one column per class{hint}",
        )
    rows, cols = array.shape
    if rows == 0:
        raise refuse(input, what, f"no rows ({shape})", "at least 1 row: one per sample")
    if cols < 2:
        raise refuse(
            input,
            what,
            f"{counted(cols, 'column')} ({shape})",
            "at least 2 columns: one column of scores per class",
        )
    if array.dtype == np.float16:
        return array.astype(np.float32)
    if array.dtype.kind in "iu":
        return array.astype(np.float64)
    if array.dtype.kind == "f" and array.dtype.itemsize > 8:
        return array.astype(np.float64)
    return array


@dataclass(frozen=True)
class NpzContents:
    """The arrays found in an .npz: scores, and labels and class names when present."""

    scores: np.ndarray
    scores_name: str
    labels: np.ndarray | None
    labels_name: str | None
    class_names: np.ndarray | None
    class_names_name: str | None = None


# What a damaged or unusual archive raises from zipfile and zlib (encrypted members raise
# RuntimeError, unknown compression NotImplementedError).
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)


def member_place(name: str, member: str) -> str:
    """An .npz member's place in words: '“s.npz”, array “logits”'."""
    return f"{quoted(name)}, array {quoted(member)}"


def _damaged(name: str, member: str, problem: Exception) -> UploadError:
    found = f"an array that cannot be read ({quote(str(problem))})"
    return refuse(_SCORES, member_place(name, member), found, _SAVEZ)


def _member_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> _Header:
    """A member's header, checked against the member's own length."""
    what = member_place(name, info.filename[:-4])
    try:
        with archive.open(info) as fp:
            header = _read_header(fp, what, _SCORES)
    except UploadError:
        raise
    except _ARCHIVE_ERRORS as problem:
        raise _damaged(name, info.filename[:-4], problem) from None
    _check_length(header, info.file_size - header.data_offset, what, _SCORES)
    return header


def _load_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    member_name: str,
    name: str,
    max_bytes: int,
    text: bool = False,
) -> np.ndarray:
    """One array of the archive, checked (size, then dtype from its header) before it is read."""
    what = member_place(name, member_name)
    if info.file_size > max_bytes:
        raise refuse(
            _SCORES,
            what,
            f"an array of {describe_size(info.file_size)} unpacked",
            f"at most {describe_size(max_bytes)} unpacked",
        )
    header = _member_header(archive, info, name)
    if not text:
        _check_dtype(header.dtype, what, _SCORES)
    try:
        with archive.open(info.filename) as fp:
            return np.lib.format.read_array(
                fp, allow_pickle=False, max_header_size=_MAX_HEADER_BYTES
            )
    except _ARCHIVE_ERRORS as problem:
        raise _damaged(name, member_name, problem) from None


def read_npz(data: bytes, name: str, max_bytes: int) -> NpzContents:
    """Find the scores (and labels, class names) of an .npz by their names; read only those."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if info.filename.endswith(".npy")]
    except _ARCHIVE_ERRORS as problem:
        raise refuse(
            _SCORES,
            quoted(name),
            f"a zip archive that cannot be opened ({quote(str(problem))})",
            _SAVEZ,
        ) from None
    by_name = {info.filename[:-4]: info for info in members}

    def first(candidates: tuple[str, ...]) -> str | None:
        return next((c for c in candidates if c in by_name), None)

    scores_name = first(SCORE_ARRAYS)
    if scores_name is None:
        listed = f" ({quote(', '.join(by_name))})" if by_name else ""
        found = counted(len(by_name), "array") + listed
        raise refuse(
            _SCORES,
            quoted(name),
            found,
            f"an array named {' or '.join(repr(n) for n in SCORE_ARRAYS[:3])} (and one named "
            "'labels'), e.g. np.savez(path, logits=logits, labels=labels)",
        )

    def load(member_name: str, text: bool = False) -> np.ndarray:
        return _load_member(archive, by_name[member_name], member_name, name, max_bytes, text)

    labels_name = first(LABEL_ARRAYS)
    classes_name = first(CLASS_NAME_ARRAYS)
    classes = None
    if classes_name is not None:
        info = by_name[classes_name]
        header = _member_header(archive, info, name)
        if header.dtype.kind not in "US":
            raise refuse(
                _SCORES,
                member_place(name, classes_name),
                f"{quote(str(header.dtype))} values",
                "class names as text, e.g. np.array(['cat', 'dog'])",
            )
        classes = load(classes_name, text=True)
    return NpzContents(
        scores=load(scores_name),
        scores_name=scores_name,
        labels=None if labels_name is None else load(labels_name),
        labels_name=labels_name,
        class_names=classes,
        class_names_name=classes_name,
    )
