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
from xentui.your_model.upload import (
    MAX_CLASS_NAME_CHARS,
    MAX_CLASSES,
    MAX_NPZ_LIST_BYTES,
    MAX_NPZ_MEMBERS,
    READ_CHUNK_BYTES,
    UNPACK_FREE_BYTES,
    UNPACK_RATIO,
    UploadError,
    counted,
    describe_size,
    quoted,
    refuse,
    unpack_budget,
)

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
    except (UploadError, zipfile.BadZipFile):
        raise  # a damaged archive member is said so by the caller
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


def _float_dtype(dtype: np.dtype) -> np.dtype:
    """The float type an array of `dtype` is analysed in: the smallest that holds it exactly.

    float16 has too little range for exp and log; integers of up to 16 bits are exact in
    float32, wider ones in float64 (up to 2⁵³).
    """
    if dtype == np.float16 or (dtype.kind in "iu" and dtype.itemsize <= 2):
        return np.dtype(np.float32)
    if dtype.kind in "iu" or (dtype.kind == "f" and dtype.itemsize > 8):
        return np.dtype(np.float64)
    return dtype


def score_matrix(
    array: np.ndarray, what: str, input: str = _SCORES, max_bytes: int | None = None
) -> np.ndarray:
    """Check that `array` is an (N, C) matrix with N ≥ 1 and C ≥ 2; return it as floats.

    float32 and float64 are kept as they are; float16 and integers become floats that hold them
    exactly (`_float_dtype`). Widened, the matrix may take at most `max_bytes` (the upload cap):
    an int8 file of 150 MB would otherwise become 600 MB of float32.
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
    if cols > MAX_CLASSES:
        _refuse_classes(array.shape, what, input)
    if rows == 0:
        raise refuse(input, what, f"no rows ({shape})", "at least 1 row: one per sample")
    if cols < 2:
        raise refuse(
            input,
            what,
            f"{counted(cols, 'column')} ({shape})",
            "at least 2 columns: one column of scores per class",
        )
    floats = _float_dtype(array.dtype)
    if floats == array.dtype:
        return array
    widened = array.size * floats.itemsize
    if max_bytes is not None and widened > max_bytes:
        raise refuse(
            input,
            what,
            f"{array.dtype} values that take {describe_size(widened)} as {floats}, the type "
            "the loss is computed in",
            f"at most {describe_size(max_bytes)} once read (the upload limit) — save the scores "
            "as float32, or upload fewer samples",
        )
    return array.astype(floats)


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
    """A member's header, checked against the member's own length (as its directory entry says)."""
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


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, header: _Header, name: str, budget
) -> np.ndarray:
    """The array a checked header announces, unpacked READ_CHUNK_BYTES at a time.

    Never more than the header's bytes are read, whatever the stream holds; `budget` (a
    CpuBudget or None) is told the time spent between chunks.
    """
    member = info.filename[:-4]
    count = math.prod(header.shape)
    array = np.empty(count, dtype=header.dtype)
    raw = array.view(np.uint8)  # the array's own bytes, filled in place
    try:
        with archive.open(info) as fp:
            fp.read(header.data_offset)  # the header, already checked
            filled = 0
            while filled < raw.size:
                chunk = fp.read(min(READ_CHUNK_BYTES, raw.size - filled))
                if not chunk:
                    found = f"an array that ends after {describe_size(filled)} of data"
                    raise refuse(_SCORES, member_place(name, member), found, _SAVEZ)
                raw[filled : filled + len(chunk)] = np.frombuffer(chunk, np.uint8)
                filled += len(chunk)
                if budget is not None:
                    budget.checkpoint("unpacking the .npz")
    except UploadError:
        raise
    except _ARCHIVE_ERRORS as problem:
        raise _damaged(name, member, problem) from None
    array = array.reshape(header.shape, order="F" if header.fortran_order else "C")
    if not header.dtype.isnative:
        array = array.astype(header.dtype.newbyteorder("="))
    return array


def _check_members(data: bytes, name: str) -> None:
    """Refuse an archive listing more than MAX_NPZ_MEMBERS members, before zipfile reads the list.

    zipfile.ZipFile makes an object for every member it finds in the list, which a 200 MB file
    could fill with millions. The count and the list's size come from the end record that
    zipfile itself reads (the same private function), so the two cannot disagree.
    """
    try:
        record = zipfile._EndRecData(io.BytesIO(data))
    except OSError:
        record = None
    if not record:
        return  # not a readable archive: zipfile.ZipFile refuses it in its own words
    members, listed = record[zipfile._ECD_ENTRIES_TOTAL], record[zipfile._ECD_SIZE]
    if members > MAX_NPZ_MEMBERS or listed > MAX_NPZ_LIST_BYTES:
        found = (
            counted(members, "array")
            if members > MAX_NPZ_MEMBERS
            else (f"a list of arrays of {describe_size(listed)}")
        )
        raise refuse(
            _SCORES,
            quoted(name),
            found,
            f"at most {MAX_NPZ_MEMBERS} arrays, e.g. np.savez(path, logits=logits, labels=labels)",
        )


def _check_scores_header(header: _Header, what: str) -> None:
    """Refuse, from its header, a scores array of more than MAX_CLASSES columns."""
    if len(header.shape) == 2 and header.shape[1] > MAX_CLASSES:
        _refuse_classes(header.shape, what, _SCORES)


def _refuse_classes(shape: tuple[int, ...], what: str, input: str) -> None:
    raise refuse(
        input,
        what,
        f"{counted(shape[1], 'column')} (shape {_shape_text(shape)})",
        f"at most {MAX_CLASSES:,} columns, one per class",
    )


def _check_names_header(header: _Header, what: str, num_classes: int | None) -> None:
    """Refuse class names that are not text, too many or too long — from the header alone."""
    if header.dtype.kind not in "US":
        raise refuse(
            _SCORES,
            what,
            f"{quote(str(header.dtype))} values",
            "class names as text, e.g. np.array(['cat', 'dog'])",
        )
    count = math.prod(header.shape)
    wanted = MAX_CLASSES if num_classes is None else num_classes
    if count != wanted and (num_classes is not None or count > MAX_CLASSES):
        raise refuse(
            _SCORES,
            what,
            counted(count, "name"),
            f"one distinct, non-empty name for each of the {wanted:,} classes",
        )
    chars = header.dtype.itemsize // (4 if header.dtype.kind == "U" else 1)
    if chars > MAX_CLASS_NAME_CHARS:
        raise refuse(
            _SCORES,
            what,
            f"names of up to {chars:,} characters (dtype {quote(str(header.dtype))})",
            f"class names of at most {MAX_CLASS_NAME_CHARS} characters",
        )


_SCORES_EXPECTED = (
    f"an array named {' or '.join(repr(n) for n in SCORE_ARRAYS[:3])} (and one named "
    "'labels'), e.g. np.savez(path, logits=logits, labels=labels)"
)


def read_npz(
    data: bytes, name: str, max_bytes: int, budget=None, expected: str = _SCORES_EXPECTED
) -> NpzContents:
    """Find the scores (and labels, class names) of an .npz by their names; read only those.

    Before any array is unpacked: the number of members, every header (dtype, shape, the class
    names' count and length) and the bytes they announce together, against `unpack_budget`.
    `budget` (a CpuBudget or None) is told the time spent unpacking; `expected` is what a
    refusal of an archive without scores asks for.
    """
    _check_members(data, name)
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
        raise refuse(_SCORES, quoted(name), found, expected)
    labels_name, classes_name = first(LABEL_ARRAYS), first(CLASS_NAME_ARRAYS)
    chosen = [n for n in (scores_name, labels_name, classes_name) if n is not None]
    headers = {n: _member_header(archive, by_name[n], name) for n in chosen}
    scores_header = headers[scores_name]
    _check_dtype(scores_header.dtype, member_place(name, scores_name), _SCORES)
    _check_scores_header(scores_header, member_place(name, scores_name))
    if labels_name is not None:
        _check_dtype(headers[labels_name].dtype, member_place(name, labels_name), _SCORES)
    if classes_name is not None:
        shape = scores_header.shape
        _check_names_header(
            headers[classes_name],
            member_place(name, classes_name),
            shape[1] if len(shape) == 2 else None,
        )
    _check_unpacked(by_name, chosen, len(data), max_bytes, name)

    def load(member_name: str | None) -> np.ndarray | None:
        if member_name is None:
            return None
        return _read_member(archive, by_name[member_name], headers[member_name], name, budget)

    return NpzContents(
        scores=load(scores_name),
        scores_name=scores_name,
        labels=load(labels_name),
        labels_name=labels_name,
        class_names=load(classes_name),
        class_names_name=classes_name,
    )


def _check_unpacked(
    by_name: dict[str, zipfile.ZipInfo], chosen: list[str], size: int, max_bytes: int, name: str
) -> None:
    """Refuse members that announce more unpacked bytes, together, than `unpack_budget` allows."""
    allowed, total = unpack_budget(size, max_bytes), 0
    for member in chosen:
        total += by_name[member].file_size
        if total > allowed:
            ratio = (
                f" — {UNPACK_RATIO} times the archive's {describe_size(size)}, or "
                f"{describe_size(UNPACK_FREE_BYTES)}, whichever is more; save the arrays with "
                "np.savez rather than np.savez_compressed, or as .npy"
                if allowed < max_bytes
                else ""
            )
            raise refuse(
                _SCORES,
                member_place(name, member),
                f"{describe_size(total)} unpacked"
                + ("" if total == by_name[member].file_size else " with the arrays before it"),
                f"arrays of at most {describe_size(allowed)} unpacked in all{ratio}",
            )
