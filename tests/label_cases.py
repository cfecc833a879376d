"""Digits with labels flipped on purpose, the methods that look for them, and the verdicts:
shared by tests/core/test_label_issues.py and benchmarks/label_issues.py (which prints them)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

import xentcore.label_issues

SEED = 0
FOLDS = 5
FLOOR = 0.75  # precision and recall, each
SAME_RULE_MARGIN = 0.02  # |xent − cleanlab confident_learning|, each
DEFAULT_MARGIN = 0.15  # |xent − cleanlab's default|, each
DEFAULT_RATES = (0.1, 0.2)


@dataclass(frozen=True)
class FlippedCase:
    probabilities: np.ndarray  # (N, C) out-of-fold, trained on the flipped labels
    labels: np.ndarray  # (N,) as given (flipped)
    flipped: np.ndarray  # (N,) bool, the truth


@cache
def flipped_digits(rate: float, seed: int = SEED) -> FlippedCase:
    """Digits with `rate` of its labels moved to another class, and out-of-fold probabilities."""
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(seed)
    c = int(y.max()) + 1
    flipped = rng.random(y.size) < rate
    given = y.copy()
    given[flipped] = (y[flipped] + rng.integers(1, c, int(flipped.sum()))) % c  # never itself
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=500))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    p = cross_val_predict(model, x, given, cv=folds, method="predict_proba")
    return FlippedCase(p, given, flipped)


def precision_recall(flagged: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    mask = np.zeros(truth.size, bool)
    mask[flagged] = True
    hits = int((mask & truth).sum())
    return hits / max(1, int(mask.sum())), hits / max(1, int(truth.sum()))


def methods(case: FlippedCase) -> dict[str, np.ndarray]:
    """Label → flagged sample numbers."""
    import cleanlab.filter

    p, y = case.probabilities, case.labels
    return {
        "xentcore.find_label_issues": xentcore.label_issues.find_label_issues(p, y).indices,
        "cleanlab (default)": cleanlab.filter.find_label_issues(
            y, p, return_indices_ranked_by="self_confidence"
        ),
        "cleanlab confident_learning": cleanlab.filter.find_label_issues(
            y, p, filter_by="confident_learning", return_indices_ranked_by="self_confidence"
        ),
    }


def verdicts(scores: dict[str, tuple[float, float]]) -> dict[str, bool]:
    """'<measure> against <peer>: figures (rule) PASS|FAIL' → passed, for precision and recall."""
    out = {}
    mine = scores["xentcore.find_label_issues"]
    for peer, margin in (
        ("cleanlab confident_learning", SAME_RULE_MARGIN),
        ("cleanlab (default)", DEFAULT_MARGIN),
    ):
        for i, name in enumerate(("precision", "recall")):
            ok = mine[i] >= FLOOR and abs(mine[i] - scores[peer][i]) <= margin
            line = (
                f"{name} against {peer}: xent {mine[i]:.3f}, cleanlab {scores[peer][i]:.3f} "
                f"(≥ {FLOOR}, within {margin}) {'PASS' if ok else 'FAIL'}"
            )
            out[line] = ok
    return out
