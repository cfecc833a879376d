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

PyTorch's, Keras's and the seed's numbers are computed by xentcore (`xentcore.nll_loss`, tested
against torch; `xentcore.keras_categorical_crossentropy`, Keras's documented convention in
float32, as Keras is not a dependency); scikit-learn's ``log_loss`` is called live (scikit-learn
is a runtime dependency), and `xentcore.sklearn_log_loss` re-implements it for the tests.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

import xentcore
from xentui.domain.typed_numbers import parse_number_rows

__all__ = [
    "KERAS_EPSILON",
    "SEED_CLIP",
    "LibraryInputs",
    "LibraryReading",
    "compare_libraries",
    "keras_categorical_crossentropy",
    "libraries_frame",
    "live_sklearn_log_loss",
    "parse_library_inputs",
    "seed_numpy_loss",
    "sklearn_available",
]

KERAS_EPSILON = xentcore.KERAS_EPSILON
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
    p = np.asarray(probabilities, dtype=np.float64)
    return float(xentcore.categorical_cross_entropy(targets, p, eps=SEED_CLIP))


def keras_categorical_crossentropy(
    probabilities: np.ndarray,
    targets: np.ndarray,
    sample_weight: np.ndarray | None = None,
    reduction: str = "sum_over_batch_size",
) -> float | np.ndarray:
    """``keras.losses.CategoricalCrossentropy()(one_hot(t), P, sample_weight)``, Keras 3's rules.

    `xentcore.keras_categorical_crossentropy` with this page's argument order (P first): rows
    renormalised, clipped to [1e-7, 1 − 1e-7], "sum_over_batch_size" divides by N, in float32.
    """
    return xentcore.keras_categorical_crossentropy(
        np.asarray(targets, dtype=np.int64), probabilities, sample_weight, reduction
    )


def sklearn_available() -> bool:
    return importlib.util.find_spec("sklearn") is not None


def live_sklearn_log_loss(
    probabilities: np.ndarray, targets: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, list[str]]:
    """scikit-learn's own ``log_loss``, called; returns (loss, the warnings it raised).

    Passing labels=range(C) keeps it from guessing the classes from the targets present.
    """
    from sklearn.metrics import log_loss  # imported on use: it costs ~0.5 s at start-up

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
class LibraryReading:
    """One library's reading of the inputs: its conventions and the number it returns."""

    library: str
    call: str
    clipping: str
    renormalises: str
    divides_by: str
    denominator: float
    loss: float | None
    note: str = ""


def _sklearn_reading(
    p: np.ndarray, t: np.ndarray, sw: np.ndarray | None, weighted: bool, sum_w: float
) -> LibraryReading:
    """scikit-learn's row: its own log_loss, called."""
    if sklearn_available():
        loss, caught = live_sklearn_log_loss(p, t, sw)
        note = "Called live. " + " ".join(caught) if caught else "Called live."
    else:  # a runtime dependency, but a trimmed install may lack it: the row says so
        loss, note = None, "scikit-learn is not installed on this server."
    return LibraryReading(
        "scikit-learn",
        "log_loss(t, P, sample_weight=w[t], labels=range(C))",
        "[eps, 1 − eps], eps = 2.2e-16 (float64)",
        "no (warns when a row does not sum to 1)",
        "Σ sample_weight" if weighted else "N",
        sum_w,
        loss,
        note,
    )


def compare_libraries(inputs: LibraryInputs) -> list[LibraryReading]:
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
        LibraryReading(
            "PyTorch",
            "F.nll_loss(torch.log(P), t, weight=w)",
            "none (p = 0 gives ∞)",
            "no",
            "Σ w[tᵢ]" if weighted else "N",
            sum_w,
            torch_nll,
        ),
        LibraryReading(
            "PyTorch, misused",
            "F.cross_entropy(P, t, weight=w)",
            "none",
            "softmax again: P is read as logits",
            "Σ w[tᵢ]" if weighted else "N",
            sum_w,
            torch_ce,
            "A classic bug: cross_entropy wants logits, so probabilities get a second softmax.",
        ),
        LibraryReading(
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
    results.append(_sklearn_reading(p, t, sw, weighted, sum_w))
    results.append(
        LibraryReading(
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


def libraries_frame(results: list[LibraryReading]) -> pd.DataFrame:
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
