"""Entropy and KL divergence of discrete distributions, in nats (natural logarithm), and the
units a loss in nats is also read in: bits and perplexity.

Together entropy and KL split cross-entropy: H(p, q) = −Σ p log q = H(p) + KL(p ‖ q).
"""

from __future__ import annotations

import math

import numpy as np

from xentcore._validation import as_float_array, check_nonempty, resolve_axis

__all__ = ["entropy", "kl_divergence", "nats_to_bits", "perplexity"]


def _distribution(p: object, name: str) -> np.ndarray:
    arr = as_float_array(p, name)
    check_nonempty(arr, name)
    if (arr < 0).any():
        where = tuple(int(i) for i in np.argwhere(arr < 0)[0])
        raise ValueError(
            f"{name} must be non-negative probabilities; got {arr[where]!r} at {where}"
        )
    return arr


def entropy(p: object, axis: int | None = None) -> np.ndarray:
    """H(p) = −Σ_c p_c log p_c along the class axis, with 0 · log 0 taken as 0.

    >>> float(entropy([0.5, 0.5]).round(6))
    0.693147
    """
    arr = _distribution(p, "p")
    ax = resolve_axis(axis, arr.ndim, "p")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(arr > 0, arr * np.log(arr), 0)
    return -terms.sum(axis=ax)


def kl_divergence(p: object, q: object, axis: int | None = None) -> np.ndarray:
    """KL(p ‖ q) = Σ_c p_c log(p_c / q_c): 0 where p_c = 0, +inf where q_c = 0 < p_c.

    >>> float(kl_divergence([1.0, 0.0], [0.5, 0.5]).round(6))
    0.693147
    """
    pa, qa = _distribution(p, "p"), _distribution(q, "q")
    if pa.shape != qa.shape:
        raise ValueError(f"p and q must have the same shape; got {pa.shape} and {qa.shape}")
    ax = resolve_axis(axis, pa.ndim, "p")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pa > 0, pa * (np.log(pa) - np.log(qa)), 0)
    return terms.sum(axis=ax)


def nats_to_bits(loss: float | np.ndarray) -> float | np.ndarray:
    """A loss in nats (natural log, as every xentcore loss) in bits: loss / ln 2.

    >>> nats_to_bits(math.log(8))
    3.0
    """
    return loss / math.log(2)


def perplexity(mean_loss: float) -> float:
    """e^(mean loss in nats): the number of equally likely classes giving the same loss.

    >>> round(perplexity(math.log(10)), 9)
    10.0
    """
    return math.exp(mean_loss) if mean_loss < 709 else math.inf
