"""Other libraries' categorical cross-entropy conventions, written down in NumPy.

Libraries agree on −Σ_c y_c log p_c and disagree on what they do to P first and on what a
weighted mean divides by:

=================  ======================  =======================  ==========================
                   clipping of P           rows of P renormalised?  weighted mean divides by
=================  ======================  =======================  ==========================
Keras 3            [1e-7, 1 − 1e-7]        yes, before clipping     N (the batch size)
scikit-learn 1.9   [eps, 1 − eps], eps of  no                       Σ_i sample_weight_i
                   P's dtype (2.2e-16)
=================  ======================  =======================  ==========================

Both are built on `categorical_cross_entropy` (its clipping is theirs once given their ε).
Keras is not a dependency: its rule is re-implemented from Keras 3's source. scikit-learn is one
(a runtime dependency of the app), and the tests check `sklearn_log_loss` against its
``log_loss``; neither is imported here.
"""

from __future__ import annotations

import numpy as np

from xentcore._validation import as_float_array
from xentcore.categorical import categorical_cross_entropy

__all__ = [
    "KERAS_EPSILON",
    "KERAS_REDUCTIONS",
    "keras_categorical_crossentropy",
    "sklearn_log_loss",
    "sklearn_target_log_loss",
]

KERAS_EPSILON = 1e-7  # keras.backend.epsilon()
KERAS_REDUCTIONS = ("sum_over_batch_size", "sum", "none")


def keras_categorical_crossentropy(
    y_true: object,
    y_prob: object,
    sample_weight: object = None,
    reduction: str = "sum_over_batch_size",
) -> float | np.ndarray:
    """``keras.losses.CategoricalCrossentropy(reduction=...)(y, P, sample_weight)``, Keras 3.

    Parameters
    ----------
    y_true : array_like, (N,) class indices or (N, C) one-hot / soft targets
    y_prob : array_like, (N, C) probabilities in [0, 1]; rows need not sum to 1
    sample_weight : array_like, (N,), optional
    reduction : {"sum_over_batch_size", "sum", "none"}, default "sum_over_batch_size"

    Returns
    -------
    float, or an (N,) float32 array for "none"

    Notes
    -----
    As keras/src/backend/*/nn.py ``categorical_crossentropy`` (from_logits=False) and
    keras/src/losses/loss.py ``reduce_weighted_values``, in float32 (Keras's floatx):

    1. each row is divided by its sum, P / Σ_c P (a row of zeros gives NaN, as in Keras);
    2. clipped to [ε, 1 − ε], ε = 1e-7 (``keras.backend.epsilon()``);
    3. ℓ_i = −Σ_c y_ic log p_ic, natural logarithm;
    4. "sum_over_batch_size": Σ_i w_i ℓ_i / N — the batch size, not Σ w. "sum" skips the
       division; "none" returns w_i ℓ_i.

    Keras's documented example:

    >>> y, p = [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    >>> round(keras_categorical_crossentropy(y, p), 3)
    1.177
    >>> round(keras_categorical_crossentropy(y, p, [0.3, 0.7]), 3)
    0.814
    """
    if reduction not in KERAS_REDUCTIONS:
        options = ", ".join(repr(r) for r in KERAS_REDUCTIONS)
        raise ValueError(f"reduction must be one of {options}; got {reduction!r}")
    p = as_float_array(y_prob, "y_prob").astype(np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = p / p.sum(axis=-1, keepdims=True)
    zero_rows = np.isnan(p).any(axis=-1) if p.ndim == 2 else np.zeros(0, bool)
    if zero_rows.any():
        p[zero_rows] = 1.0 / p.shape[1]  # a stand-in, replaced by NaN below
    losses = categorical_cross_entropy(y_true, p, eps=KERAS_EPSILON, reduction="none")
    losses = losses.astype(np.float32)
    losses[zero_rows] = np.nan
    if sample_weight is not None:
        losses = losses * np.asarray(sample_weight, dtype=np.float32)
    if reduction == "none":
        return losses
    total = losses.sum(dtype=np.float32)
    if reduction == "sum":
        return float(total)
    return float(total / np.float32(losses.size))


def _sklearn_eps(p: np.ndarray) -> float:
    return float(np.finfo(p.dtype if p.dtype.kind == "f" else np.float64).eps)


def sklearn_log_loss(y_true: object, y_prob: object, sample_weight: object = None) -> float:
    """``sklearn.metrics.log_loss(y_true, y_prob, labels=range(C), sample_weight=...)``, 1.9.

    Parameters
    ----------
    y_true : array_like, (N,) class indices or (N, C) one-hot / soft targets
    y_prob : array_like, (N, C) probabilities in [0, 1], float32 or float64
    sample_weight : array_like, (N,), optional

    Returns
    -------
    float
        Σ_i w_i ℓ_i / Σ_i w_i, with ℓ_i = −Σ_c y_ic log clip(p_ic, ε, 1 − ε) (natural log) and
        ε the machine epsilon of P's dtype (2.2e-16 for float64, 1.2e-7 for float32). Rows are
        not renormalised (scikit-learn only warns when they do not sum to 1).

    >>> round(sklearn_log_loss([1, 0, 0, 1], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]), 5)
    0.21616
    """
    p = as_float_array(y_prob, "y_prob")
    losses = categorical_cross_entropy(y_true, p, eps=_sklearn_eps(p), reduction="none")
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    return float(np.average(losses.astype(np.float64), weights=weights))


def sklearn_target_log_loss(target_probability: object) -> tuple[float, float, int]:
    """scikit-learn's unweighted log_loss from each sample's target probability alone.

    With one-hot labels only p_target enters ``log_loss``, so this gives its value without the
    (N, C) matrix or the one-hot labels: mean_i −log clip(p_it, ε, 1 − ε), ε of the dtype.

    Returns
    -------
    (loss, ε, how many samples the clip changed)

    >>> loss, eps, clipped = sklearn_target_log_loss(np.array([0.5, 0.0]))
    >>> round(loss, 4), eps, clipped
    (18.3684, 2.220446049250313e-16, 1)
    """
    p = as_float_array(target_probability, "target_probability")
    eps = _sklearn_eps(p)
    clipped = np.clip(p, eps, 1 - eps)
    changed = int(np.count_nonzero(clipped != p))
    return float(-np.log(clipped).mean(dtype=np.float64)), eps, changed
