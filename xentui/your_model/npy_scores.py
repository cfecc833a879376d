"""NumPy uploads: a .npy array, or the named arrays of an .npz archive — never unpickled.

A .npy is read without copying: its header is parsed here and the array is a read-only view on
the upload's own bytes, so a 400 MB matrix costs no second 400 MB. Arrays of Python objects are
refused from their header, before any of their bytes are touched (np.load would need
allow_pickle=True to read them, which runs code from the file). An .npz member is checked the same
way, then read with allow_pickle=False.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np

from xentui.your_model.labels import quoted
from xentui.your_model.upload import UploadError, describe_size

__all__ = [
    "CLASS_NAME_ARRAYS",
    "LABEL_ARRAYS",
    "SCORE_ARRAYS",
    "NpzContents",
    "read_npy",
    "read_npz",
    "score_matrix",
]

# The names an .npz's arrays are looked up by, in order of preference.
SCORE_ARRAYS = ("logits", "probabilities", "probs", "scores", "outputs", "y_pred")
LABEL_ARRAYS = ("labels", "label", "targets", "target", "y", "y_true")
CLASS_NAME_ARRAYS = ("classes", "class_names")
_MAX_HEADER_BYTES = 100_000


@dataclass(frozen=True)
class _Header:
    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype
    data_offset: int


def _shape_text(shape: tuple[int, ...]) -> str:
    return " × ".join(f"{n:,}" for n in shape) if shape else "a single value (0-D)"


def _read_header(fp: io.BufferedIOBase, what: str, field: str) -> _Header:
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
            raise UploadError(
                f"{what} is a .npy of format version {version[0]}.{version[1]}, which only "
                "structured arrays need; expected a plain numeric array (format 1.0 or 2.0).",
                field,
            )
    except UploadError:
        raise
    except Exception as problem:
        # NumPy parses the header (a Python dict literal) with tokenize and ast: a damaged one
        # can raise ValueError, SyntaxError, tokenize.TokenError and more. All mean the same.
        raise UploadError(
            f"{what} starts like a .npy file but its header cannot be read ({problem}); "
            "expected a file written by numpy.save.",
            field,
        ) from None
    return _Header(tuple(int(n) for n in shape), bool(fortran), dtype, fp.tell())


def _check_dtype(dtype: np.dtype, what: str, field: str) -> None:
    """Refuse anything that is not real numbers, Python objects first (they would be pickles)."""
    if dtype.hasobject:
        raise UploadError(
            f"{what} holds Python objects (dtype {dtype}). Such arrays are stored as pickles, "
            "which can run code when loaded, so they are refused unread. Expected numbers: "
            "save e.g. np.asarray(logits, dtype=np.float32).",
            field,
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
        raise UploadError(
            f"{what} holds {kinds[dtype.kind]} (dtype {dtype}); expected real numbers "
            "(float32, float64 or integers).",
            field,
        )


def read_npy(data: bytes, name: str, field: str = "file") -> np.ndarray:
    """The array of a .npy upload, as a read-only view on `data` (no copy).

    Non-native byte order is converted (a copy); everything else is the bytes as they are.
    """
    what = f"“{name}”"
    fp = io.BytesIO(data)
    header = _read_header(fp, what, field)
    _check_dtype(header.dtype, what, field)
    count = int(np.prod(header.shape, dtype=np.int64))
    needed = count * header.dtype.itemsize
    available = len(data) - header.data_offset
    if available < needed:
        raise UploadError(
            f"{what} is cut short: its header announces {_shape_text(header.shape)} "
            f"{header.dtype} values ({describe_size(needed)}), but only "
            f"{describe_size(max(available, 0))} follow. Upload the complete file.",
            field,
        )
    array = np.frombuffer(data, dtype=header.dtype, count=count, offset=header.data_offset)
    array = array.reshape(header.shape, order="F" if header.fortran_order else "C")
    if not header.dtype.isnative:
        array = array.astype(header.dtype.newbyteorder("="))
    return array


def score_matrix(array: np.ndarray, what: str, field: str = "file") -> np.ndarray:
    """Check that `array` is an (N, C) matrix with N ≥ 1 and C ≥ 2; return it as floats.

    float32 and float64 are kept as they are; float16 and integers become float32 and float64
    (the loss needs exp and log, for which float16 has too little range).
    """
    if array.ndim != 2:
        hint = ""
        if array.ndim == 1:
            hint = " A 1-D array is one number per sample; a classifier gives one per class."
        elif array.ndim >= 3:
            hint = (
                " For an (N, C, d1, …) output, move the class axis last and reshape to "
                "(N·d1·…, C), with the labels flattened the same way."
            )
        raise UploadError(
            f"{what} has {array.ndim} dimension(s) (shape {_shape_text(array.shape)}); expected "
            f"2: one row per sample, one column per class.{hint}",
            field,
        )
    rows, cols = array.shape
    if rows == 0:
        raise UploadError(f"{what} has no rows (shape {_shape_text(array.shape)}).", field)
    if cols < 2:
        raise UploadError(
            f"{what} has {cols} column(s) (shape {_shape_text(array.shape)}); expected at least "
            "2: one column of scores per class.",
            field,
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


def _damaged(name: str, member: str, problem: Exception) -> UploadError:
    return UploadError(
        f"the array ‘{member}’ in “{name}” cannot be read ({problem}); expected a file written "
        "by numpy.savez.",
        "file",
    )


def _member_header(archive: zipfile.ZipFile, member: str, name: str) -> _Header:
    try:
        with archive.open(member) as fp:
            return _read_header(fp, f"the array ‘{member[:-4]}’ in “{name}”", "file")
    except UploadError:
        raise
    except _ARCHIVE_ERRORS as problem:
        raise _damaged(name, member[:-4], problem) from None


def _load_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    member_name: str,
    name: str,
    max_bytes: int,
    text: bool = False,
) -> np.ndarray:
    """One array of the archive, checked (size, then dtype from its header) before it is read."""
    if info.file_size > max_bytes:
        raise UploadError(
            f"the array ‘{member_name}’ in “{name}” unpacks to "
            f"{describe_size(info.file_size)}; at most {describe_size(max_bytes)} is "
            "accepted.",
            "file",
        )
    header = _member_header(archive, info.filename, name)
    if not text:
        _check_dtype(header.dtype, f"the array ‘{member_name}’ in “{name}”", "file")
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
        raise UploadError(
            f"“{name}” starts like an .npz (zip) archive but cannot be opened ({problem}); "
            "expected a file written by numpy.savez.",
            "file",
        ) from None
    by_name = {info.filename[:-4]: info for info in members}

    def first(candidates: tuple[str, ...]) -> str | None:
        return next((c for c in candidates if c in by_name), None)

    scores_name = first(SCORE_ARRAYS)
    if scores_name is None:
        found = ", ".join(quoted(n) for n in by_name) or "no arrays at all"
        raise UploadError(
            f"“{name}” holds {found}; expected an array named "
            f"{' or '.join(repr(n) for n in SCORE_ARRAYS[:3])} (and one named 'labels'), e.g. "
            "np.savez(path, logits=logits, labels=labels).",
            "file",
        )

    def load(member_name: str, text: bool = False) -> np.ndarray:
        return _load_member(archive, by_name[member_name], member_name, name, max_bytes, text)

    labels_name = first(LABEL_ARRAYS)
    classes_name = first(CLASS_NAME_ARRAYS)
    classes = None
    if classes_name is not None:
        info = by_name[classes_name]
        header = _member_header(archive, info.filename, name)
        if header.dtype.kind not in "US":
            raise UploadError(
                f"the array ‘{classes_name}’ in “{name}” holds {header.dtype} values; expected "
                "class names as text, e.g. np.array(['cat', 'dog']).",
                "file",
            )
        classes = load(classes_name, text=True)
    return NpzContents(
        scores=load(scores_name),
        scores_name=scores_name,
        labels=None if labels_name is None else load(labels_name),
        labels_name=labels_name,
        class_names=classes,
    )
