"""K-dimensional cross-entropy: one loss per position of an (N, C, d1, ..., dK) output.

The seed PyTorch explainer (001_*) feeds `nn.CrossEntropyLoss(reduction="none")` logits of shape
(1, 4, 2) and (2, 4, 2): class axis 1, one extra axis of 2 positions. It prints one loss per
(sample, position). This module rebuilds those examples, prints the result the way PyTorch prints
a tensor, and lays a Playground scenario out as positions. The page's small "image" — a
(1, C, H, W) output scored pixel by pixel against a typed mask — is k_dimensional_image.py.
Everything is computed by xentcore in float32 unless asked otherwise, because the seed's digits
(1.1921e-07 above all) are float32 digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import xentcore

__all__ = [
    "SEED_EXAMPLES",
    "KdimExample",
    "example_losses",
    "positions_frame",
    "scenario_as_positions",
    "torch_print",
]


@dataclass(frozen=True)
class KdimExample:
    """An (N, C, d) example of the seed: logits, class-index targets, and what PyTorch printed."""

    title: str
    logits: tuple  # nested tuples of shape (N, C, d)
    targets: tuple  # nested tuples of shape (N, d)
    printed: str  # the seed's printout of reduction="none", without "tensor(...)"

    @property
    def input(self) -> np.ndarray:
        return np.asarray(self.logits, dtype=np.float64)

    @property
    def target(self) -> np.ndarray:
        return np.asarray(self.targets, dtype=np.int64)


SEED_EXAMPLES: dict[str, KdimExample] = {
    "(1, 4, 2)": KdimExample(
        title="One sample, 4 classes, 2 positions",
        logits=(((4, 10), (3, 2), (2, 3), (10, 4)),),
        targets=((3, 1),),
        printed="[[3.7192e-03, 8.0037e+00]]",
    ),
    "(2, 4, 2)": KdimExample(
        title="Two samples, 4 classes, 2 positions each",
        logits=(
            ((4, 4), (3, 3), (2, 2), (2, 20)),
            ((20, 20), (3, 3), (2, 2), (10, 10)),
        ),
        targets=((3, 3), (0, 0)),
        printed="[[2.4938e+00, 1.1921e-07],\n [4.5418e-05, 4.5418e-05]]",
    ),
}


def example_losses(example: KdimExample, precision: str = "float32") -> np.ndarray:
    """reduction="none" losses of a seed example: shape (N, d), in the given precision."""
    return xentcore.cross_entropy(example.input.astype(precision), example.target, reduction="none")


# ------------------------------------------------------------------------------ printing


def _torch_cells(values: np.ndarray) -> list[str]:
    """Each value as PyTorch's tensor printout writes it (4 digits of precision).

    torch picks one style for the whole tensor: integers as "16."; scientific when the largest
    finite magnitude over the smallest non-zero one exceeds 1000, or one is above 1e8 or below
    1e-4; otherwise fixed with 4 decimals. Cells are right-aligned to the widest.
    """
    flat = values.astype(np.float64).ravel()
    finite = flat[np.isfinite(flat)]
    nonzero = np.abs(finite[finite != 0])
    if finite.size and np.all(finite == np.round(finite)):
        cells = [f"{v:.0f}." if np.isfinite(v) else _special(v) for v in flat]
    else:
        sci = nonzero.size > 0 and (
            nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8 or nonzero.min() < 1e-4
        )
        style = "{:.4e}" if sci else "{:.4f}"
        cells = [style.format(v) if np.isfinite(v) else _special(v) for v in flat]
    width = max(len(c) for c in cells)
    return [c.rjust(width) for c in cells]


def _special(value: float) -> str:
    return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")


def torch_print(values: object) -> str:
    """An array written as PyTorch prints a tensor's values (without the "tensor(" wrapper).

    >>> torch_print(np.array([[3.7191994e-03, 8.0037193e00]], dtype=np.float32))
    '[[3.7192e-03, 8.0037e+00]]'
    >>> torch_print(np.array([0.0037192]))
    '[0.0037]'
    """
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":  # integer tensors print as plain integers
        cells = iter(str(int(v)).rjust(len(str(arr.max()))) for v in arr.ravel())
        return _nest(arr.shape, cells) if arr.ndim else next(cells)
    if arr.ndim == 0:
        return _torch_cells(arr.reshape(1))[0]
    return _nest(arr.shape, iter(_torch_cells(arr)))


def _nest(shape: tuple[int, ...], cells, depth: int = 0) -> str:
    """Brackets around the cells, one line per innermost row, as torch lays a tensor out."""
    if len(shape) == 1:
        return "[" + ", ".join(next(cells) for _ in range(shape[0])) + "]"
    separator = "," + "\n" * (len(shape) - 1) + " " * (depth + 1)
    return "[" + separator.join(_nest(shape[1:], cells, depth + 1) for _ in range(shape[0])) + "]"


def positions_frame(example: KdimExample, losses: np.ndarray) -> pd.DataFrame:
    """One row per (sample, position): the C logits that meet there, the target, p and the loss.

    A position's logits are a column of the (C, d) slab: input[n, :, j], not a row of it.
    """
    x = example.input
    p = xentcore.softmax(x.astype(losses.dtype), axis=1)
    printed = iter(cell.strip() for cell in _torch_cells(losses))  # styled as the whole tensor
    rows = []
    for n in range(x.shape[0]):
        for j in range(x.shape[2]):
            t = int(example.target[n, j])
            rows.append(
                {
                    "sample n": n,
                    "position j": j,
                    "logits input[n, :, j]": "[" + ", ".join(f"{v:g}" for v in x[n, :, j]) + "]",
                    "target": t,
                    "p(target)": float(p[n, t, j]),
                    "loss": next(printed),
                }
            )
    return pd.DataFrame(rows)


def scenario_as_positions(arguments: dict[str, object]) -> dict[str, object]:
    """A Playground scenario's (N, C) arguments laid out as one (1, C, N) output of N positions.

    The same numbers, transposed: sample i becomes position i of a single sample. Class weights,
    ignore_index and label smoothing carry over unchanged; probability targets are transposed too.
    """
    x = np.asarray(arguments["input"])
    target = np.asarray(arguments["target"])
    moved = dict(arguments)
    moved["input"] = np.ascontiguousarray(x.T[None])
    if target.shape == x.shape:
        moved["target"] = np.ascontiguousarray(target.T[None])
    else:
        moved["target"] = np.ascontiguousarray(target[None])
    return moved
