"""Checking labels: one class index per sample, in [0, C), from a column, an array or a file.

Labels may be written as class indices (integers, or floats with nothing after the point, as a
CSV read into floats gives) or as class names from the scores' header. Anything else is refused
with the sample it was found at. Samples are numbered from 1, in file order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xentui.kit.problems import quote
from xentui.your_model.upload import UploadError, counted, quoted, refuse

__all__ = ["LabelSource", "class_indices"]


@dataclass(frozen=True)
class LabelSource:
    """Where labels come from: the input they belong to and the place in words.

    >>> str(LabelSource("label column", "Label column “y”").at(0, 2.5, "a class index"))
    'Label column “y”, sample 1: expected a class index; got 2.5.'
    """

    input: str
    where: str

    def fail(self, found: str, expected: str) -> UploadError:
        return refuse(self.input, self.where, found, expected)

    def at(self, index: int, found: object, expected: str) -> UploadError:
        """A refusal naming the sample at 0-based `index`, counted from 1 as the page does."""
        shown = found if isinstance(found, str) else f"{found:g}"
        where = f"{self.where}, sample {index + 1}"
        return refuse(self.input, where, shown, expected, row=index + 1)


def _expected(num_classes: int) -> str:
    return f"a class index from 0 to {num_classes - 1}"


def _from_names(values: np.ndarray, class_names: tuple[str, ...]) -> np.ndarray | None:
    """Class indices if every value is one of the class names, else None."""
    if values.dtype.kind not in "OUST":
        return None
    positions = pd.Index(class_names).get_indexer(pd.Index(values.astype(str)).str.strip())
    return positions if (positions >= 0).all() else None


def _as_numbers(
    values: np.ndarray, class_names: tuple[str, ...], source: LabelSource
) -> np.ndarray:
    num_classes = len(class_names)
    if values.dtype.kind in "iuf":
        return values
    if values.dtype.kind == "b":
        raise source.fail("True/False values", _expected(num_classes))
    if values.dtype.kind not in "OUST":
        raise source.fail(f"values of type {values.dtype}", _expected(num_classes))
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(np.float64)
    text = pd.Series(values).astype(str).str.strip()
    bad = np.isnan(numbers) & ~text.str.lower().isin(["", "nan", "na", "none"]).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        names = quote(", ".join(class_names))
        raise source.at(
            i,
            f"{quoted(values[i])}, neither a class index nor a class name",
            f"{_expected(num_classes)} or a class name ({names})",
        )
    return numbers


def _check_range(numbers: np.ndarray, num_classes: int, source: LabelSource) -> None:
    """Refuse a negative label or one of C or more, naming the first such sample."""
    negative = numbers < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        expected = f"{_expected(num_classes)} — to leave samples out, remove their rows"
        raise source.at(i, numbers[i], expected)
    too_big = numbers >= num_classes
    if too_big.any():
        i = int(np.flatnonzero(too_big)[0])
        raise source.at(i, numbers[i], f"{_expected(num_classes)}, for {num_classes} classes")


def _check_integers(numbers: np.ndarray, num_classes: int, source: LabelSource) -> None:
    """Refuse a missing (NaN) or fractional label, naming the first such sample."""
    missing = np.isnan(numbers)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        found = f"no label (empty or NaN); {counted(int(missing.sum()), 'label')} missing"
        raise source.at(i, found, _expected(num_classes))
    fractional = numbers != np.floor(numbers)
    if fractional.any():
        i = int(np.flatnonzero(fractional)[0])
        raise source.at(i, f"{numbers[i]:g}, not an integer", _expected(num_classes))


def class_indices(
    values: object, num_samples: int, class_names: tuple[str, ...], source: LabelSource
) -> np.ndarray:
    """Validate labels and return them as an int32 array of class indices.

    Parameters
    ----------
    values : array_like, shape (N,) or (N, 1)
        Integers, integral floats, numeric text or class names.
    num_samples : int
        N, the number of rows of the scores: there must be one label per row.
    class_names : tuple of str, length C
    source : LabelSource
        The input the labels came from and its place in words, to start each message.

    Raises
    ------
    UploadError (for source.input)
        Wrong count, missing, not an integer, negative, or ≥ C.

    >>> labels = LabelSource("labels file", "Labels file “y.txt”")
    >>> class_indices([0, 2.0, "1"], 3, ("a", "b", "c"), labels).tolist()
    [0, 2, 1]
    >>> class_indices(["c", "a"], 2, ("a", "b", "c"), labels).tolist()
    [2, 0]
    """
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        shape = " × ".join(f"{n:,}" for n in arr.shape) or "a single value"
        raise source.fail(f"shape {shape}", "one label per sample (a 1-D array)")
    if len(arr) != num_samples:
        raise source.fail(
            counted(len(arr), "label"),
            f"exactly one label per row of the scores ({counted(num_samples, 'label')})",
        )
    names = _from_names(arr, class_names)
    if names is not None:
        return names.astype(np.int32)
    numbers = _as_numbers(arr, class_names, source)
    if numbers.dtype.kind == "f":
        _check_integers(numbers, len(class_names), source)
    _check_range(numbers, len(class_names), source)
    return numbers.astype(np.int32)
