"""Checking labels: one class index per sample, in [0, C), from a column, an array or a file.

Labels may be written as class indices (integers, or floats with nothing after the point, as a
CSV read into floats gives) or as class names from the scores' header. Anything else is refused
with the sample it was found at. Samples are numbered from 0, in file order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xentui.your_model.upload import UploadError

__all__ = ["class_indices", "quoted"]

_MAX_SHOWN_CHARS = 40


def quoted(value: object) -> str:
    """A user's value as a message quotes it: in quotes, cut to 40 characters."""
    text = str(value)
    if len(text) > _MAX_SHOWN_CHARS:
        text = text[: _MAX_SHOWN_CHARS - 1] + "…"
    return f"‘{text}’"


def _fail(message: str) -> UploadError:
    return UploadError(message, "labels")


def _expected(num_classes: int) -> str:
    return f"expected class indices from 0 to {num_classes - 1}"


def _from_names(values: np.ndarray, class_names: tuple[str, ...]) -> np.ndarray | None:
    """Class indices if every value is one of the class names, else None."""
    if values.dtype.kind not in "OUST":
        return None
    positions = pd.Index(class_names).get_indexer(pd.Index(values.astype(str)).str.strip())
    return positions if (positions >= 0).all() else None


def _as_numbers(values: np.ndarray, num_classes: int, source: str) -> np.ndarray:
    if values.dtype.kind in "iuf":
        return values
    if values.dtype.kind == "b":
        raise _fail(f"{source} holds True/False values; {_expected(num_classes)}.")
    if values.dtype.kind not in "OUST":
        raise _fail(f"{source} holds values of type {values.dtype}; {_expected(num_classes)}.")
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(np.float64)
    text = pd.Series(values).astype(str).str.strip()
    bad = np.isnan(numbers) & ~text.str.lower().isin(["", "nan", "na", "none"]).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _fail(
            f"{source}: sample {i} has the label {quoted(values[i])}, which is neither a class "
            f"index nor a class name; {_expected(num_classes)} or one of the class names."
        )
    return numbers


def _check_range(numbers: np.ndarray, num_classes: int, source: str) -> None:
    """Refuse a negative label or one of C or more, naming the first such sample."""
    negative = numbers < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise _fail(
            f"{source}: sample {i} has the negative label {numbers[i]:g}; "
            f"{_expected(num_classes)}. To leave samples out, remove their rows."
        )
    too_big = numbers >= num_classes
    if too_big.any():
        i = int(np.flatnonzero(too_big)[0])
        raise _fail(
            f"{source}: sample {i} has the label {numbers[i]:g}, out of range for "
            f"{num_classes} classes; {_expected(num_classes)}."
        )


def class_indices(
    values: object, num_samples: int, class_names: tuple[str, ...], source: str
) -> np.ndarray:
    """Validate labels and return them as an int32 array of class indices.

    Parameters
    ----------
    values : array_like, shape (N,) or (N, 1)
        Integers, integral floats, numeric text or class names.
    num_samples : int
        N, the number of rows of the scores: there must be one label per row.
    class_names : tuple of str, length C
    source : str
        Where the labels came from, to start each message (e.g. "the labels file ‘y.npy’").

    Raises
    ------
    UploadError (field "labels")
        Wrong count, missing, not an integer, negative, or ≥ C.

    >>> class_indices([0, 2.0, "1"], 3, ("a", "b", "c"), "labels").tolist()
    [0, 2, 1]
    >>> class_indices(["c", "a"], 2, ("a", "b", "c"), "labels").tolist()
    [2, 0]
    """
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        shape = " × ".join(str(n) for n in arr.shape) or "a single value"
        raise _fail(f"{source} has shape {shape}; expected one label per sample (a 1-D array).")
    if len(arr) != num_samples:
        raise _fail(
            f"{source} holds {len(arr):,} labels, but the scores have {num_samples:,} rows; "
            "expected exactly one label per row."
        )
    num_classes = len(class_names)
    names = _from_names(arr, class_names)
    if names is not None:
        return names.astype(np.int32)
    numbers = _as_numbers(arr, num_classes, source)
    if numbers.dtype.kind == "f":
        missing = np.isnan(numbers)
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise _fail(
                f"{source}: the label of sample {i} is missing (empty or NaN); "
                f"{_expected(num_classes)}. {int(missing.sum()):,} label(s) are missing."
            )
        fractional = numbers != np.floor(numbers)
        if fractional.any():
            i = int(np.flatnonzero(fractional)[0])
            raise _fail(
                f"{source}: sample {i} has the label {numbers[i]:g}, which is not an integer; "
                f"{_expected(num_classes)}."
            )
    _check_range(numbers, num_classes, source)
    return numbers.astype(np.int32)
