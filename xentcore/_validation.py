"""Argument checks shared by the loss functions, the metrics and the analysis of scores.

Every check raises a built-in exception whose message names the argument, what was expected and
what was received, and lists the valid options where there is a list. Nothing here computes a loss.
"""

from __future__ import annotations

import numpy as np

REDUCTIONS = ("none", "mean", "sum")

# float16 has too little range for exp/log on its own; it is computed in float32 and cast back.
_COMPUTE_DTYPES = {np.dtype(np.float16): np.dtype(np.float32)}


def check_reduction(reduction: object) -> str:
    if reduction not in REDUCTIONS:
        options = ", ".join(repr(r) for r in REDUCTIONS)
        raise ValueError(f"reduction must be one of {options}; got {reduction!r}")
    return reduction  # type: ignore[return-value]


def as_float_array(x: object, name: str) -> np.ndarray:
    """Return `x` as a floating array, keeping float32/float64, promoting integers to float64."""
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists and the like
        raise TypeError(f"{name} must be a numeric array; got {type(x).__name__} ({exc})") from None
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    raise TypeError(f"{name} must hold real numbers; got an array of dtype {arr.dtype}")


def compute_dtype(dtype: np.dtype) -> np.dtype:
    return _COMPUTE_DTYPES.get(np.dtype(dtype), np.dtype(dtype))


def class_axis_for(ndim: int, name: str = "input") -> int:
    """The class axis under PyTorch's convention: 0 for a single (C,) vector, else 1."""
    if ndim == 0:
        raise ValueError(f"{name} must have at least 1 dimension (C,) or (N, C, ...); got a scalar")
    return 0 if ndim == 1 else 1


def resolve_axis(axis: int | None, ndim: int, name: str = "x") -> int:
    if axis is None:
        return class_axis_for(ndim, name)
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"axis must be an int or None; got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"axis {axis} is out of range for {name} with {ndim} dimension(s); "
            f"valid axes are {-ndim} to {ndim - 1}"
        )
    return int(axis) % ndim


def check_nonempty(arr: np.ndarray, name: str) -> None:
    if arr.size == 0:
        raise ValueError(
            f"{name} is empty (shape {arr.shape}); expected at least one sample and class"
        )


def score_matrix(input: object, name: str) -> np.ndarray:
    """`input` as a non-empty floating (N, C) array of scores, or an error naming `name`."""
    x = as_float_array(input, name)
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (N, C); got {x.ndim}-D shape {x.shape}")
    check_nonempty(x, name)
    return x


def class_labels(target: object, n: int, c: int, name: str = "target") -> np.ndarray:
    """`target` as N class indices in [0, C), or an error naming `name`."""
    t = np.asarray(target)
    if t.shape != (n,) or t.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must be {n} class indices, an integer array of shape ({n},); got "
            f"{t.dtype} of shape {t.shape}"
        )
    if n and (t.min() < 0 or t.max() >= c):
        bad = int(t[(t < 0) | (t >= c)][0])
        raise IndexError(f"{name} holds {bad}, outside the class range [0, {c - 1}]")
    return t


def check_has_classes(arr: np.ndarray, name: str = "input") -> None:
    """An empty batch is a valid input (PyTorch's mean is then NaN, its sum 0); no class is not."""
    axis = class_axis_for(arr.ndim, name)
    if arr.shape[axis] == 0:
        raise ValueError(
            f"{name} has no classes (shape {arr.shape}); expected at least one class along "
            f"axis {axis}"
        )


def check_input_ndim(arr: np.ndarray, name: str = "input") -> None:
    if arr.ndim == 0:
        raise ValueError(
            f"{name} must have shape (C,), (N, C) or (N, C, d1, ..., dK); got a scalar"
        )


def class_index_target(
    target: object, input_shape: tuple[int, ...], num_classes: int, ignore_index: int
) -> np.ndarray:
    """Validate class-index targets and return them as an int64 array of the expected shape.

    The expected shape is the input's shape without the class axis: () for (C,), (N,) for (N, C),
    (N, d1, ..., dK) for (N, C, d1, ..., dK). Integral floats are accepted; others are refused.
    """
    arr = np.asarray(target)
    expected = input_shape[:1] + input_shape[2:] if len(input_shape) > 1 else ()
    if arr.shape != expected:
        raise ValueError(
            f"target must have shape {expected} (class indices) or {input_shape} (class "
            f"probabilities) to match input of shape {input_shape}; got shape {arr.shape}"
        )
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        bad = ~finite | (np.floor(np.where(finite, arr, 0)) != np.where(finite, arr, 0))
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise TypeError(
                f"target must hold integer class indices; got {arr[where]!r} at index {where}"
            )
        arr = arr.astype(np.int64)
    elif arr.dtype.kind == "b" or arr.dtype.kind not in "iu":
        raise TypeError(
            f"target must hold integer class indices; got an array of dtype {arr.dtype}"
        )
    arr = arr.astype(np.int64, copy=False)
    out_of_range = ((arr < 0) | (arr >= num_classes)) & (arr != ignore_index)
    if out_of_range.any():
        where = tuple(int(i) for i in np.argwhere(out_of_range)[0])
        raise IndexError(
            f"target {int(arr[where])} at index {where} is out of range: class indices must be "
            f"in [0, {num_classes - 1}] for {num_classes} classes, or equal ignore_index "
            f"({ignore_index})"
        )
    return arr


def probability_target(target: object, input_shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(target)
    if arr.shape != input_shape:
        raise ValueError(
            f"probability target must have the input's shape {input_shape}; got {arr.shape}"
        )
    if arr.dtype.kind != "f":
        raise TypeError(
            f"probability target must be a floating array; got dtype {arr.dtype} "
            "(pass class indices with the class axis removed instead)"
        )
    return arr


def is_probability_target(target: object, input_shape: tuple[int, ...]) -> bool:
    """PyTorch's rule: a target with exactly the input's shape holds class probabilities."""
    return np.shape(target) == input_shape


def class_weight(weight: object, num_classes: int, dtype: np.dtype) -> np.ndarray | None:
    if weight is None:
        return None
    arr = as_float_array(weight, "weight")
    if arr.shape != (num_classes,):
        raise ValueError(
            f"weight must have shape ({num_classes},), one entry per class; got shape {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"weight must be finite; got {arr.tolist()}")
    if (arr < 0).any():
        where = int(np.argwhere(arr < 0)[0, 0])
        raise ValueError(f"weight must be non-negative; got {arr[where]!r} for class {where}")
    return arr.astype(dtype, copy=False)


def check_label_smoothing(label_smoothing: object) -> float:
    if isinstance(label_smoothing, bool) or not isinstance(
        label_smoothing, (int, float, np.floating, np.integer)
    ):
        raise TypeError(f"label_smoothing must be a number in [0, 1]; got {label_smoothing!r}")
    value = float(label_smoothing)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1]; got {value!r}")
    return value


def check_ignore_index(ignore_index: object) -> int:
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"ignore_index must be an int; got {ignore_index!r}")
    return int(ignore_index)
