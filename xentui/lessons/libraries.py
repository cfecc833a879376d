"""The same probabilities, targets and weights through PyTorch, Keras, scikit-learn and the seed.

Each library turns predicted probabilities P (N, C), class-index targets t and per-class weights
w into one number, and they disagree on three conventions. Each is written down here, in code:

=================  ======================  =======================  ==========================
                   clipping of P           rows of P renormalised?  weighted mean divides by
=================  ======================  =======================  ==========================
PyTorch            none: log 0 = −inf      no                       Σ_i w[t_i]
Keras 3            [1e-7, 1 − 1e-7]        yes, before clipping     N (the batch size)
scikit-learn 1.9   [eps, 1 − eps], eps of  no (warns if a row does  Σ_i sample_weight_i
                   P's dtype (2.2e-16)     not sum to 1)
seed's NumPy       [1e-12, 1 − 1e-12]      no                       N (it takes no weights)
=================  ======================  =======================  ==========================

Keras and scikit-learn take a weight per *sample*; giving sample i the weight of its target
class, w[t_i], is what Keras's ``class_weight`` does and makes the three comparable.

PyTorch and the seed's function are computed by xentcore (PyTorch's semantics, tested against
torch); scikit-learn's ``log_loss`` is called live when it is installed; Keras is not a dependency,
so `keras_categorical_crossentropy` re-implements its documented convention in float32.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

import xentcore
from xentui.kit.cache import memoised
from xentui.kit.typed_numbers import parse_number_rows

__all__ = [
    "KERAS_EPSILON",
    "SEED_CLIP",
    "LibraryInputs",
    "LibraryResult",
    "compare_libraries",
    "keras_categorical_crossentropy",
    "libraries_frame",
    "parse_library_inputs",
    "seed_numpy_loss",
    "sklearn_log_loss",
]

KERAS_EPSILON = 1e-7  # keras.backend.epsilon()
SEED_CLIP = 1e-12  # the seed walkthrough's StackOverflow function: np.clip(p, 1e-12, 1 - 1e-12)
MAX_ROWS, MAX_CLASSES = 8, 16


@dataclass(frozen=True, eq=False)
class LibraryInputs:
    """What every library is given: P (N, C) float64, t (N,) int, class weights w (C,) or None."""

    probabilities: np.ndarray
    targets: np.ndarray
    class_weights: np.ndarray | None

    @property
    def sample_weights(self) -> np.ndarray | None:
        """w[t_i]: the class weights as one weight per sample (Keras's class_weight does this)."""
        return None if self.class_weights is None else self.class_weights[self.targets]


def parse_library_inputs(
    probabilities: object, targets: object, weights: object
) -> tuple[LibraryInputs | None, dict[str, str]]:
    """Read the three text boxes; problems come back keyed "P", "t" or "w", to show beside each.

    Probabilities must lie in [0, 1] but rows need not sum to 1: what each library does with a
    row that does not is one of the differences on show.
    """
    problems: dict[str, str] = {}
    p = parse_number_rows(
        probabilities,
        what="probabilities",
        max_rows=MAX_ROWS,
        max_entries=MAX_CLASSES,
        low=0.0,
        high=1.0,
    )
    if p.problem:
        problems["P"] = p.problem
    elif p.values.shape[1] < 2:
        problems["P"] = "Type at least 2 probabilities per row: one per class."
    t = parse_number_rows(targets, what="targets", max_rows=1, max_entries=MAX_ROWS)
    if t.problem:
        problems["t"] = t.problem
    elif not np.all(t.values == np.round(t.values)):
        problems["t"] = "Targets are class indices: whole numbers 0, 1, 2, …"
    w = None
    if str(weights or "").strip():
        w = parse_number_rows(weights, what="weights", max_rows=1, max_entries=MAX_CLASSES, low=0)
        if w.problem:
            problems["w"] = w.problem
    if problems:
        return None, problems
    probs, target = p.values, t.values[0].astype(np.int64)
    n, c = probs.shape
    if target.size != n:
        problems["t"] = f"{target.size} targets for {n} rows of probabilities: one per row."
    elif (target >= c).any():
        bad = int(target[target >= c][0])
        problems["t"] = (
            f"Target {bad} does not exist: with {c} classes the indices are 0 to {c - 1}."
        )
    class_weights = None
    if w is not None:
        class_weights = w.values[0]
        if class_weights.size != c:
            problems["w"] = f"{class_weights.size} weights for {c} classes: one per class."
        elif "t" not in problems and class_weights[target].sum() == 0:
            problems["w"] = "Every target's class has weight 0: a weighted mean would be 0/0."
    if problems:
        return None, problems
    return LibraryInputs(probs, target, class_weights), {}


# ------------------------------------------------------------------------------ the conventions


def seed_numpy_loss(probabilities: np.ndarray, targets: np.ndarray) -> float:
    """The seed's NumPy formula: clip P to [1e-12, 1 − 1e-12], −Σ y log p, divided by N.

    Its docstring's reference answer, 0.71355817782, is this for P = [[0.25] * 4,
    [0.01, 0.01, 0.01, 0.96]] and targets [3, 3]. It takes no weights.
    """
    p = np.clip(np.asarray(probabilities, dtype=np.float64), SEED_CLIP, 1.0 - SEED_CLIP)
    picked = p[np.arange(p.shape[0]), targets]
    return float(-np.log(picked).sum() / p.shape[0])


def keras_categorical_crossentropy(
    probabilities: np.ndarray,
    targets: np.ndarray,
    sample_weight: np.ndarray | None = None,
    reduction: str = "sum_over_batch_size",
) -> float | np.ndarray:
    """``keras.losses.CategoricalCrossentropy()(one_hot(t), P, sample_weight)``, Keras 3's rules.

    As keras/src/backend/*/nn.py ``categorical_crossentropy`` (from_logits=False) and
    keras/src/losses/loss.py ``reduce_weighted_values`` do, in float32 (Keras's floatx):

    1. each row is divided by its sum: P / Σ_c P;
    2. clipped to [ε, 1 − ε] with ε = 1e-7 (``keras.backend.epsilon()``);
    3. ℓ_i = −Σ_c y_ic log p_ic;
    4. "sum_over_batch_size" (the default): Σ_i sample_weight_i · ℓ_i / N — the batch size N,
       not the sum of the weights. "sum" skips the division; "none" returns ℓ_i · weight_i.

    Keras's documented example: y = [[0, 1, 0], [0, 0, 1]], P = [[0.05, 0.95, 0],
    [0.1, 0.8, 0.1]] gives 1.177; with sample_weight [0.3, 0.7], 0.814; "sum", 2.354.
    """
    p = np.asarray(probabilities, dtype=np.float32)
    p = p / p.sum(axis=1, keepdims=True)
    eps = np.float32(KERAS_EPSILON)
    p = np.clip(p, eps, np.float32(1.0) - eps)
    y = xentcore.one_hot(np.asarray(targets, dtype=np.int64), p.shape[1]).astype(np.float32)
    losses = -(y * np.log(p)).sum(axis=1)
    if sample_weight is not None:
        losses = losses * np.asarray(sample_weight, dtype=np.float32)
    if reduction == "none":
        return losses
    total = losses.sum(dtype=np.float32)
    if reduction == "sum":
        return float(total)
    if reduction != "sum_over_batch_size":
        raise ValueError(
            f"reduction must be one of 'sum_over_batch_size', 'sum', 'none'; got {reduction!r}"
        )
    return float(total / np.float32(losses.size))


def sklearn_available() -> bool:
    return importlib.util.find_spec("sklearn") is not None


@memoised()
def sklearn_log_loss(
    probabilities: np.ndarray, targets: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, list[str]]:
    """scikit-learn's ``log_loss``, called live; returns (loss, the warnings it raised).

    Passing labels=range(C) keeps it from guessing the classes from the targets present.
    """
    from sklearn.metrics import log_loss  # imported on use: scikit-learn is a dev dependency

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = log_loss(
            targets,
            y_proba=np.asarray(probabilities, dtype=np.float64),
            labels=list(range(probabilities.shape[1])),
            sample_weight=sample_weight,
        )
    return float(loss), [str(w.message) for w in caught]


@dataclass(frozen=True)
class LibraryResult:
    """One library's reading of the inputs: its conventions and the number it returns."""

    library: str
    call: str
    clipping: str
    renormalises: str
    divides_by: str
    denominator: float
    loss: float | None
    note: str = ""


def compare_libraries(inputs: LibraryInputs) -> list[LibraryResult]:
    """Every convention applied to the same inputs; the order of the table on the page."""
    p, t, w = inputs.probabilities, inputs.targets, inputs.class_weights
    sw = inputs.sample_weights
    n = p.shape[0]
    weighted = w is not None
    sum_w = float(sw.sum()) if sw is not None else float(n)
    p32 = p.astype(np.float32)
    with np.errstate(divide="ignore"):
        log_p = np.log(p32)
    torch_nll = float(xentcore.nll_loss(log_p, t, weight=None if w is None else w.astype("f4")))
    torch_ce = float(xentcore.cross_entropy(p32, t, weight=None if w is None else w.astype("f4")))
    results = [
        LibraryResult(
            "PyTorch",
            "F.nll_loss(torch.log(P), t, weight=w)",
            "none (p = 0 gives ∞)",
            "no",
            "Σ w[tᵢ]" if weighted else "N",
            sum_w,
            torch_nll,
        ),
        LibraryResult(
            "PyTorch, misused",
            "F.cross_entropy(P, t, weight=w)",
            "none",
            "softmax again: P is read as logits",
            "Σ w[tᵢ]" if weighted else "N",
            sum_w,
            torch_ce,
            "A classic bug: cross_entropy wants logits, so probabilities get a second softmax.",
        ),
        LibraryResult(
            "Keras 3",
            "CategoricalCrossentropy()(one_hot(t), P, sample_weight=w[t])",
            f"[{KERAS_EPSILON:g}, 1 − {KERAS_EPSILON:g}]",
            "yes: P / Σ P, then clip",
            "N (batch size)",
            float(n),
            keras_categorical_crossentropy(p, t, sw),
            "Re-implemented from Keras 3's source (not installed here).",
        ),
    ]
    if sklearn_available():
        loss, caught = sklearn_log_loss(p, t, sw)
        note = "Called live. " + " ".join(caught) if caught else "Called live."
    else:
        loss, note = None, "scikit-learn is not installed on this server."
    results.append(
        LibraryResult(
            "scikit-learn",
            "log_loss(t, P, sample_weight=w[t], labels=range(C))",
            "[eps, 1 − eps], eps = 2.2e-16 (float64)",
            "no (warns when a row does not sum to 1)",
            "Σ sample_weight" if weighted else "N",
            sum_w,
            loss,
            note,
        )
    )
    results.append(
        LibraryResult(
            "seed's NumPy function",
            "−Σ y · log(clip(P, 1e-12, 1 − 1e-12)) / N",
            f"[{SEED_CLIP:g}, 1 − {SEED_CLIP:g}]",
            "no",
            "N (no weights)",
            float(n),
            seed_numpy_loss(p, t),
            "Ignores the weights." if weighted else "",
        )
    )
    return results


def libraries_frame(results: list[LibraryResult]) -> pd.DataFrame:
    """The comparison as a table: conventions, the denominator here, and the loss."""
    # The loss and the denominator first: on a narrow screen they are what must stay in view.
    return pd.DataFrame(
        {
            "library": [r.library for r in results],
            "loss": [np.nan if r.loss is None else r.loss for r in results],
            "mean divides by": [r.divides_by for r in results],
            "… here": [r.denominator for r in results],
            "clips P to": [r.clipping for r in results],
            "renormalises rows?": [r.renormalises for r in results],
            "call": [r.call for r in results],
            "note": [r.note for r in results],
        }
    )
