"""Cross-entropy over sequences: per-token losses, per-sequence means and the two reductions.

A language model's loss on N sequences of up to T tokens is one number per counted token,
−log p(target token). Padding (sequences shorter than T) and ignored positions are not counted.
Two means can be reported and they differ when sequences have different lengths:

- the token mean Σ_tokens loss / #tokens, what PyTorch's ``F.cross_entropy(logits.view(-1, V),
  targets.view(-1), ignore_index=..., reduction="mean")`` returns: every token weighs the same,
  so long sequences weigh more;
- the sequence mean (1/#sequences) Σ_seq (mean loss of the sequence): every sequence weighs the
  same, so the tokens of short sequences weigh more.

Perplexity is e^(mean loss in nats): per sequence, and of the token mean (the corpus perplexity).
Names: `SequenceLosses`, `sequence_losses` (target log-probabilities with a mask or a padding
value), `sequence_losses_from_logits` (logits (N, T, V) with targets and ignore_index).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xentcore._validation import check_ignore_index
from xentcore.softmax import log_softmax

__all__ = ["LOG_PROB_TOLERANCE", "SequenceLosses", "sequence_losses", "sequence_losses_from_logits"]

# A log-probability a little above 0 is rounding (log of a softmax that rounded to 1); above this,
# it is not a log-probability at all.
LOG_PROB_TOLERANCE = 1e-4


@dataclass(frozen=True)
class SequenceLosses:
    """Per-token and per-sequence losses in nats. Arrays are read-only."""

    token_loss: np.ndarray  # (N, T) float64, NaN where not counted
    mask: np.ndarray  # (N, T) bool, True where counted
    lengths: np.ndarray  # (N,) counted tokens per sequence
    sequence_loss: np.ndarray  # (N,) mean over the sequence's tokens, NaN when it has none
    token_mean: float  # Σ loss / Σ lengths (PyTorch's reduction="mean"), NaN with no token
    sequence_mean: float  # mean of sequence_loss over sequences with a token

    @property
    def sequence_perplexity(self) -> np.ndarray:
        """e^(sequence_loss), per sequence (NaN for an empty one)."""
        with np.errstate(over="ignore"):
            return np.exp(self.sequence_loss)

    @property
    def token_perplexity(self) -> float:
        """e^(token mean): the corpus perplexity."""
        with np.errstate(over="ignore"):
            return float(np.exp(self.token_mean))

    @property
    def num_tokens(self) -> int:
        return int(self.lengths.sum())

    def worst_tokens(self, k: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sequence, position, loss) of the k highest counted token losses, highest first
        (ties: lower sequence, then position, first)."""
        flat = np.where(self.mask, self.token_loss, -np.inf).reshape(-1)
        k = min(int(k), self.num_tokens)
        if k <= 0:
            empty = np.zeros(0, np.intp)
            return empty, empty, np.zeros(0)
        top = np.argpartition(flat, flat.size - k)[flat.size - k :]
        top = top[np.lexsort((top, -flat[top]))]
        rows, cols = np.divmod(top, self.token_loss.shape[1])
        return rows, cols, flat[top]

    def worst_sequences(self, k: int = 20) -> np.ndarray:
        """The k sequences of highest mean loss, highest first (empty sequences never)."""
        loss = np.where(self.lengths > 0, self.sequence_loss, -np.inf)
        k = min(int(k), int((self.lengths > 0).sum()))
        order = np.lexsort((np.arange(loss.size), -loss))
        return order[:k]


def _finish(loss: np.ndarray, mask: np.ndarray) -> SequenceLosses:
    token_loss = np.where(mask, loss, np.nan)
    lengths = mask.sum(axis=1)
    sums = np.where(mask, loss, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sequence_loss = np.where(lengths > 0, sums / np.maximum(lengths, 1), np.nan)
    total = int(lengths.sum())
    filled = lengths > 0
    result = SequenceLosses(
        token_loss=token_loss,
        mask=mask,
        lengths=lengths,
        sequence_loss=sequence_loss,
        token_mean=float(sums.sum() / total) if total else np.nan,
        sequence_mean=float(sequence_loss[filled].mean()) if filled.any() else np.nan,
    )
    for array in (token_loss, mask, lengths, sequence_loss):
        array.flags.writeable = False
    return result


def _position(flat_index: int, shape: tuple[int, ...]) -> str:
    return ", ".join(str(int(i)) for i in np.unravel_index(flat_index, shape))


def sequence_losses(
    target_log_probs: object, mask: object = None, padding_value: float | None = None
) -> SequenceLosses:
    """Losses of per-token target log-probabilities (N, T), padding told by a mask or a value.

    Parameters
    ----------
    target_log_probs : array_like of float, shape (N, T)
        log p(target token) at each position, in nats (≤ 0; up to LOG_PROB_TOLERANCE above 0 is
        taken as 0). A 1-D array is one sequence.
    mask : array_like of bool or 0/1, shape (N, T), optional
        True (1) where the token counts. Not with `padding_value`.
    padding_value : float, optional
        Positions holding exactly this value (NaN allowed) are padding. Not with `mask`.

    Returns
    -------
    SequenceLosses
        loss = −log p at the counted positions.

    >>> s = sequence_losses([[-1.0, -3.0, 0.0], [-2.0, 0.0, 0.0]], mask=[[1, 1, 0], [1, 0, 0]])
    >>> s.token_mean, s.sequence_mean, s.lengths.tolist()
    (2.0, 2.0, [2, 1])
    """
    x = np.asarray(target_log_probs)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.dtype.kind not in "fiu" or x.size == 0:
        raise ValueError(
            "target_log_probs must be a non-empty (N, T) array of numbers (one log-probability "
            f"per token); got {x.dtype} of shape {np.shape(target_log_probs)}"
        )
    x = x.astype(np.float64, copy=False)
    if mask is not None and padding_value is not None:
        raise ValueError("give mask or padding_value, not both")
    if mask is not None:
        m = np.asarray(mask)
        m = m[None, :] if m.ndim == 1 else m
        if m.shape != x.shape:
            raise ValueError(
                f"mask must have the shape of target_log_probs {x.shape}; got {m.shape}"
            )
        if m.dtype.kind == "b":
            keep = m
        elif m.dtype.kind in "iuf" and np.isin(m, (0, 1)).all():
            keep = m.astype(bool)
        else:
            raise ValueError(f"mask must hold only True/False or 0/1; got dtype {m.dtype}")
    elif padding_value is not None:
        keep = ~np.isnan(x) if np.isnan(padding_value) else x != padding_value
    else:
        keep = np.ones(x.shape, bool)
    counted = np.where(keep, x, 0.0)
    bad = ~np.isfinite(counted) & ~np.isneginf(counted)
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"target_log_probs must be finite or −inf where counted; (sequence, position) "
            f"({_position(at, x.shape)}) holds {counted.reshape(-1)[at]} — mask it or pass "
            "its padding_value"
        )
    above = counted > LOG_PROB_TOLERANCE
    if above.any():
        at = int(np.flatnonzero(above)[0])
        raise ValueError(
            f"target_log_probs must be log-probabilities (≤ 0); (sequence, position) "
            f"({_position(at, x.shape)}) holds {counted.reshape(-1)[at]:.6g} — is it a "
            "probability, a loss (−log p) or a logit?"
        )
    return _finish(-np.minimum(counted, 0.0), keep.copy())


def sequence_losses_from_logits(
    logits: object, targets: object, ignore_index: int = -100
) -> SequenceLosses:
    """Losses of logits (N, T, V) against target tokens (N, T), as PyTorch's cross_entropy.

    Parameters
    ----------
    logits : array_like of float, shape (N, T, V)
        Vocabulary on the last axis (``logits.view(-1, V)`` in PyTorch).
    targets : array_like of int, shape (N, T)
        Token indices in [0, V), or `ignore_index` where nothing is counted.
    ignore_index : int, default -100
        As PyTorch's.

    Returns
    -------
    SequenceLosses
        token_mean equals ``F.cross_entropy(logits.view(-1, V), targets.view(-1),
        ignore_index=ignore_index)`` (reduction="mean"); NaN when every target is ignored.

    >>> z = np.zeros((1, 2, 4))
    >>> round(sequence_losses_from_logits(z, [[1, -100]]).token_mean, 6)  # ln 4
    1.386294
    """
    ignore_index = check_ignore_index(ignore_index)
    z = np.asarray(logits)
    if z.ndim != 3 or z.dtype.kind not in "fiu" or 0 in z.shape:
        raise ValueError(
            f"logits must be a non-empty (N, T, V) array of numbers; got {z.dtype} of shape "
            f"{z.shape}"
        )
    t = np.asarray(targets)
    if t.shape != z.shape[:2] or t.dtype.kind not in "iu":
        raise ValueError(
            f"targets must be token indices of shape (N, T) = {z.shape[:2]}, integers; got "
            f"{t.dtype} of shape {t.shape}"
        )
    keep = t != ignore_index
    v = z.shape[2]
    outside = keep & ((t < 0) | (t >= v))
    if outside.any():
        at = int(np.flatnonzero(outside)[0])
        raise IndexError(
            f"targets (sequence, position) ({_position(at, t.shape)}) holds "
            f"{int(t.reshape(-1)[at])}, outside the vocabulary [0, {v - 1}] and not "
            f"ignore_index ({ignore_index})"
        )
    z = z.astype(np.float64, copy=False)
    chosen = np.where(keep, t, 0)[..., None]
    log_p = np.take_along_axis(log_softmax(z, axis=-1), chosen, axis=-1)[..., 0]
    return _finish(-log_p, keep)
