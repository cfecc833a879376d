"""The K-dimensional page's "image": a (1, C, H, W) output scored pixel by pixel against a mask.

The reader types a target mask (a class per pixel, or a mark for "unlabelled"); logits are drawn
to agree with it up to a sharpness and some noise, and xentcore scores every pixel as PyTorch's
`cross_entropy` does on an (N, C, H, W) output. The same image, handed to PyTorch channels-last,
shows what that layout costs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

import xentcore
from xentui.domain.limits import IGNORE_INDEX
from xentui.domain.typed_numbers import ENTRY_SPLIT, ROW_SPLIT
from xentui.kit.format import fmt, plotly_literal
from xentui.kit.plotly_spec import MARGIN, fast_figure

__all__ = [
    "MAX_SIDE",
    "ImageLoss",
    "LayoutOutcome",
    "MaskParse",
    "channels_last_outcome",
    "default_mask_text",
    "fixed_layout_loss",
    "image_figure",
    "image_logits",
    "image_loss",
    "parse_mask",
    "square_mask_text",
]

# An image larger than this stops being readable as an annotated heatmap.
MAX_SIDE = 12
# What marks an unlabelled pixel in a typed mask (segmentation sets often use 255 for this).
UNLABELLED_MARKS = ("-", "x", "·")


@dataclass(frozen=True)
class MaskParse:
    """A typed target mask as an (H, W) int array (IGNORE_INDEX where unlabelled), or a problem."""

    mask: np.ndarray | None
    problem: str | None = None


def parse_mask(text: object, num_classes: int) -> MaskParse:
    """Read a target mask: rows on lines (or separated by ";"), class indices by spaces or commas.

    "-" (or "x") marks an unlabelled pixel, which the loss ignores.

    >>> parse_mask("0 1; 1 -", 2).mask.tolist()
    [[0, 1], [1, -100]]
    >>> parse_mask("0 1; 2 0", 2).problem
    'Row 2, entry 1: class 2 does not exist — with 2 classes the indices are 0 to 1.'
    """
    raw = "" if text is None else str(text)
    if len(raw) > 4 * MAX_SIDE * MAX_SIDE + 200:
        return MaskParse(None, f"The text is {len(raw):,} characters; a mask fits in far fewer.")
    lines = [line.strip(" ,") for line in ROW_SPLIT.split(raw)]
    lines = [line for line in lines if line]
    if not lines:
        return MaskParse(None, "Empty — type one row of class indices per line, e.g. 0 0 1.")
    if len(lines) > MAX_SIDE:
        return MaskParse(None, f"{len(lines)} rows: at most {MAX_SIDE} fit here.")
    rows: list[list[int]] = []
    for r, line in enumerate(lines, start=1):
        entries = [e for e in ENTRY_SPLIT.split(line) if e]
        if len(entries) > MAX_SIDE:
            return MaskParse(None, f"Row {r} has {len(entries)} pixels: at most {MAX_SIDE} fit.")
        row = []
        for k, entry in enumerate(entries, start=1):
            where = f"Row {r}, entry {k}"
            if entry in UNLABELLED_MARKS:
                row.append(IGNORE_INDEX)
                continue
            if not re.fullmatch(r"[+]?\d{1,3}", entry):
                shown = entry if len(entry) <= 12 else entry[:12] + "…"
                return MaskParse(
                    None,
                    f"{where}: “{shown}” is not a class index — type 0 to {num_classes - 1}, "
                    "or - for an unlabelled pixel.",
                )
            value = int(entry)
            if value >= num_classes:
                return MaskParse(
                    None,
                    f"{where}: class {value} does not exist — with {num_classes} classes the "
                    f"indices are 0 to {num_classes - 1}.",
                )
            row.append(value)
        if rows and len(row) != len(rows[0]):
            return MaskParse(
                None,
                f"Row {r} has {len(row)} pixels but row 1 has {len(rows[0])}: an image is a "
                "rectangle.",
            )
        rows.append(row)
    mask = np.asarray(rows, dtype=np.int64)
    if (mask == IGNORE_INDEX).all():
        return MaskParse(None, "Every pixel is unlabelled: the mean would be 0/0. Label one.")
    return MaskParse(mask)


def default_mask_text(num_classes: int) -> str:
    """A 4 × 6 mask: a blob of class 1, a corner of class 2 (if any), one unlabelled pixel."""
    rows = [
        "0 0 1 1 1 0",
        "0 1 1 1 2 2",
        "0 0 1 2 2 2",
        "0 0 0 2 2 -",
    ]
    if num_classes < 3:
        rows = [row.replace("2", "1") for row in rows]
    return "\n".join(rows)


def square_mask_text(num_classes: int) -> str:
    """A C × C mask: the one shape where a channels-last output passes PyTorch's shape check."""
    return "\n".join(
        " ".join(str((r + c) % num_classes) for c in range(num_classes)) for r in range(num_classes)
    )


def image_logits(
    mask: np.ndarray, num_classes: int, sharpness: float, noise: float, seed: int
) -> np.ndarray:
    """A made-up model's (1, C, H, W) float32 output for the mask.

    Every pixel's target class gets `sharpness` more than the others, then Gaussian noise of
    standard deviation `noise` (reproducible from `seed`) blurs it — so some pixels come out wrong.
    Unlabelled pixels get noise only.
    """
    h, w = mask.shape
    rng = np.random.default_rng(int(seed))
    blur = rng.normal(0.0, 1.0, size=(1, num_classes, h, w)) * float(noise)
    hot = (np.arange(num_classes)[:, None, None] == mask[None, :, :]).astype(np.float64)
    return (float(sharpness) * hot[None] + blur).astype(np.float32)


@dataclass(frozen=True, eq=False)
class ImageLoss:
    """Per-pixel losses of a (1, C, H, W) output against an (H, W) mask, and their mean."""

    logits: np.ndarray  # (1, C, H, W) float32
    mask: np.ndarray  # (H, W), IGNORE_INDEX where unlabelled
    losses: np.ndarray  # (H, W) reduction="none"; NaN where unlabelled (0 in PyTorch's output)
    probabilities: np.ndarray  # (C, H, W)
    mean: float  # reduction="mean": total / labelled

    @property
    def labelled(self) -> int:
        return int((self.mask != IGNORE_INDEX).sum())

    @property
    def total(self) -> float:
        return float(np.nansum(self.losses, dtype=np.float64))

    @property
    def predictions(self) -> np.ndarray:
        return self.probabilities.argmax(axis=0)

    @property
    def target_probability(self) -> np.ndarray:
        """p of the target class per pixel; NaN where unlabelled."""
        return xentcore.target_probabilities(self.logits, self.mask[None], IGNORE_INDEX)[0]


def image_loss(
    mask: np.ndarray, num_classes: int, sharpness: float, noise: float, seed: int
) -> ImageLoss:
    """Score the made-up output of `image_logits` pixel by pixel (`xentcore.loss_map`)."""
    mask = np.asarray(mask, dtype=np.int64)
    logits = image_logits(mask, num_classes, sharpness, noise, seed)
    target = mask[None]
    losses = xentcore.loss_map(logits, target, ignore_index=IGNORE_INDEX)[0]
    mean = float(xentcore.cross_entropy(logits, target, ignore_index=IGNORE_INDEX))
    probs = xentcore.softmax(logits, axis=1)[0]
    for array in (logits, losses, probs):
        array.flags.writeable = False  # shared between reruns: nobody may change it
    return ImageLoss(logits, mask, losses, probs, mean)


def _class_colourscale(num_classes: int) -> list[list[object]]:
    """A stepped colour scale: one flat band per class index 0..C−1 (z normalised over [0, C−1])."""
    palette = qualitative.Pastel + qualitative.Set3 + qualitative.Pastel2
    if num_classes == 1:
        return [[0.0, palette[0]], [1.0, palette[0]]]
    scale = []
    for c in range(num_classes):
        low, high = (c - 0.5) / (num_classes - 1), (c + 0.5) / (num_classes - 1)
        colour = palette[c % len(palette)]
        scale += [[max(low, 0.0), colour], [min(high, 1.0), colour]]
    return scale


def image_figure(image: ImageLoss, class_names: list[str]) -> go.Figure:
    """Two heatmaps: the target mask (✗ where the argmax disagrees) and the loss per pixel.

    Unlabelled pixels are blank in both; hovering a pixel gives its target, prediction, p and loss.
    """
    h, w = image.mask.shape
    names = [plotly_literal(name) for name in class_names]
    labelled = image.mask != IGNORE_INDEX
    wrong = labelled & (image.predictions != image.mask)
    p_target = image.target_probability
    hover, marks, values = [], [], []
    for r in range(h):
        hover.append([])
        marks.append([])
        values.append([])
        for c in range(w):
            where = f"row {r}, column {c}"
            if not labelled[r, c]:
                hover[r].append(f"{where}<br>unlabelled: left out of the loss")
                marks[r].append("–")
                values[r].append("–")
                continue
            t, k = int(image.mask[r, c]), int(image.predictions[r, c])
            hover[r].append(
                f"{where}<br>target: {names[t]}<br>argmax: {names[k]}"
                f"<br>p(target) = {fmt(float(p_target[r, c]))}"
                f"<br>loss = {fmt(float(image.losses[r, c]))}"
            )
            marks[r].append(f"{t} ✗{k}" if wrong[r, c] else str(t))
            values[r].append(f"{image.losses[r, c]:.2f}")  # the hover has every digit
    target = np.where(labelled, image.mask, np.nan).astype(float)
    common = {
        "type": "heatmap",
        "texttemplate": "%{text}",
        "customdata": hover,
        "hovertemplate": "%{customdata}<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }
    # nan is not JSON: Plotly reads None as a gap, which is what an unlabelled pixel is.
    classes_trace = {
        **common,
        "z": _with_gaps(target),
        "zmin": 0,
        "zmax": max(len(names) - 1, 1),
        "colorscale": _class_colourscale(len(names)),
        "showscale": False,
        "text": marks,
        "xaxis": "x",
        "yaxis": "y",
    }
    loss_trace = {
        **common,
        "z": _with_gaps(image.losses),
        "zmin": 0,
        "colorscale": "Reds",
        "colorbar": {"title": {"text": "loss"}},
        "text": values,
        "xaxis": "x2",
        "yaxis": "y2",
    }
    axis_x = {"title": {"text": "column (W)"}, "dtick": 1}
    axis_y = {"title": {"text": "row (H)"}, "dtick": 1, "autorange": "reversed"}
    titles = ("target class (✗k: the argmax says k)", "loss per pixel: −log p(target)")
    layout = {
        "xaxis": {**axis_x, "domain": [0.0, 0.44], "anchor": "y"},
        "yaxis": {**axis_y, "domain": [0.0, 1.0], "anchor": "x"},
        "xaxis2": {**axis_x, "domain": [0.54, 1.0], "anchor": "y2"},
        "yaxis2": {**axis_y, "domain": [0.0, 1.0], "anchor": "x2"},
        "annotations": [
            {
                "text": title,
                "x": x,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 14},
            }
            for title, x in zip(titles, (0.22, 0.77), strict=True)
        ],
        "height": max(260, min(560, 40 * h + 150)),
        "margin": MARGIN,
    }
    return fast_figure({"data": [classes_trace, loss_trace], "layout": layout})


def _with_gaps(values: np.ndarray) -> list[list[float | None]]:
    return [[float(v) if np.isfinite(v) else None for v in row] for row in values]


# ------------------------------------------------------------------------------ layouts


@dataclass(frozen=True)
class LayoutOutcome:
    """What `F.cross_entropy` did with a channels-last (N, H, W, C) output and an (N, H, W) mask."""

    error: str | None  # PyTorch's message, when it refused
    loss: float | None  # the number it returned, when it did not (a wrong one)
    xent_error: str | None  # xentcore's message for the same call


def channels_last_outcome(image: ImageLoss) -> LayoutOutcome:
    """Hand PyTorch the output permuted to (N, H, W, C), as a channels-last model gives it.

    PyTorch reads axis 1 (here H) as the classes and expects a target of shape (N, W, C); it
    refuses unless H = W = C, when it silently scores the wrong numbers.
    """
    nhwc = np.ascontiguousarray(np.moveaxis(image.logits, 1, -1))
    target = image.mask[None]
    try:
        xent_error = None
        xentcore.cross_entropy(nhwc, target)
    except (ValueError, IndexError, TypeError) as problem:
        xent_error = str(problem)
    try:
        loss = float(xentcore.torch_cross_entropy(nhwc, target))
    except (RuntimeError, ValueError, IndexError) as problem:
        return LayoutOutcome(error=str(problem).strip(), loss=None, xent_error=xent_error)
    return LayoutOutcome(error=None, loss=loss, xent_error=xent_error)


def fixed_layout_loss(image: ImageLoss) -> float:
    """The channels-last output permuted back with .permute(0, 3, 1, 2), scored by PyTorch."""
    nhwc = np.ascontiguousarray(np.moveaxis(image.logits, 1, -1))
    back = np.ascontiguousarray(np.transpose(nhwc, (0, 3, 1, 2)))
    return float(xentcore.torch_cross_entropy(back, image.mask[None]))
