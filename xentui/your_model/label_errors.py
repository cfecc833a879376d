"""Likely label errors of an upload: confident learning (`xentcore.find_label_issues`) on its
probabilities, and the table of the flagged samples with their evidence.

The probabilities are read from the scores as the loss reads them: softmax of logits, or the
given probabilities divided by their row sums. They are meant to be out-of-sample (each sample
scored by a model that did not train on it); on training data a model agrees with its labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import xentcore
from xentui.kit.units import in_unit
from xentui.your_model.analysis import Analysis

__all__ = ["issues_frame", "label_issues"]

_BLOCK_ROWS = 1 << 14


def _probabilities(analysis: Analysis) -> np.ndarray:
    """(N, C) float32 probabilities of the upload, computed block by block."""
    matrix = analysis.matrix
    out = np.empty(matrix.shape, dtype=np.float32)
    for start in range(0, matrix.shape[0], _BLOCK_ROWS):
        block = matrix[start : start + _BLOCK_ROWS].astype(np.float64)
        if analysis.kind == "probabilities":
            p = block / block.sum(axis=1, keepdims=True)
        else:
            p = xentcore.softmax(block, axis=1)
        out[start : start + len(block)] = np.clip(p, 0.0, 1.0)
    return out


def label_issues(analysis: Analysis) -> xentcore.LabelIssues:
    """The samples whose given label the model finds unlikely, least likely first."""
    return xentcore.find_label_issues(_probabilities(analysis), analysis.labels)


def issues_frame(
    analysis: Analysis,
    issues: xentcore.LabelIssues,
    rows: slice,
    links: list[str] | None = None,
    unit: str = "nats",
) -> pd.DataFrame:
    """The flagged samples `rows` (a slice of the ranking): the label as given and the suggested
    one with their probabilities, the class's threshold, the loss."""
    names = np.asarray(analysis.class_names, dtype=object)
    picked = issues.indices[rows]
    frame = pd.DataFrame(
        {
            "sample": picked + 1,
            "given label": names[issues.given[rows]],
            "p(given)": issues.p_given[rows],
            "suggested": names[issues.suggested[rows]],
            "p(suggested)": issues.p_suggested[rows],
            "suggested class's threshold": issues.thresholds[issues.suggested[rows]],
            f"loss ({unit})": in_unit(analysis.loss[picked].astype(np.float64), unit),
        }
    )
    if links is not None:
        frame["Playground"] = links[: len(frame)]
    return frame
