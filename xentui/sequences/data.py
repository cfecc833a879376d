"""The Sequences page's data: a seeded example, and an uploaded .npy / .npz read into losses.

The bytes are read by the Your model page's readers (xentui/your_model/npy_scores.py: never
unpickled, byte-budgeted), called from xentui/session/sequences.py since one feature never
imports another; what they hold is turned into `SequenceLosses` here, by xentcore, whose errors
name what differs. Accepted:

- a .npy of shape (N, T): the target token's log-probability at each position, padding marked by
  a mask (a second .npy of 0/1 integers, (N, T)) or by the padding value chosen on the page
  (NaN by default);
- an .npz with ``logits`` (N, T, V) and ``targets`` (N, T), ``ignore_index`` where nothing counts
  (np.savez(path, logits=logits, targets=targets)); or with a (N, T) array of log-probabilities
  under one of the score names (e.g. ``scores``).
"""

from __future__ import annotations

import math
import re

import numpy as np

from xentcore import SequenceLosses, sequence_losses, sequence_losses_from_logits

__all__ = [
    "EXAMPLE_NAME",
    "MAX_LOGIT_ELEMENTS",
    "PADDING_CHOICES",
    "MaskError",
    "example_losses",
    "losses_of_arrays",
    "padding_value",
]

EXAMPLE_NAME = "Example: 60 generated sequences of 4 to 48 tokens (seed 0)"
# Logits are read as float64 for log_softmax: N·T·V numbers at most (8 bytes each).
MAX_LOGIT_ELEMENTS = 20_000_000
# How padding is marked in a (N, T) array of log-probabilities.
PADDING_CHOICES = ("NaN", "0", "none: every position counts")


def padding_value(choice: str) -> float | None:
    """The value a `PADDING_CHOICES` entry marks padding with (None: no padding).

    >>> padding_value("0"), padding_value(PADDING_CHOICES[2])
    (0.0, None)
    """
    if choice not in PADDING_CHOICES:
        raise ValueError(f"choice must be one of {', '.join(PADDING_CHOICES)}; got {choice!r}")
    return {"NaN": math.nan, "0": 0.0}.get(choice)


def example_losses(seed: int = 0, num_sequences: int = 60, vocabulary: int = 12) -> SequenceLosses:
    """Generated logits (N, T, V) and targets, padded with -100 past each sequence's length.

    The model is sure of most tokens, unsure of some and wrong about a few, so some tokens carry
    most of the loss; longer sequences are made a little easier per token, so the token mean
    and the sequence mean differ.
    """
    rng = np.random.default_rng(seed)
    longest = 48
    lengths = rng.integers(4, longest + 1, num_sequences)
    targets = rng.integers(0, vocabulary, (num_sequences, longest))
    logits = rng.standard_normal((num_sequences, longest, vocabulary))
    ease = 1.0 + 3.0 * lengths[:, None] / longest  # longer: surer of the target
    hit = np.where(rng.random((num_sequences, longest)) < 0.9, ease, -2.0)
    np.put_along_axis(logits, targets[..., None], hit[..., None] + 1.5, axis=-1)
    targets[np.arange(longest)[None, :] >= lengths[:, None]] = -100
    return sequence_losses_from_logits(logits, targets)


class MaskError(ValueError):
    """A problem with the uploaded mask: the page shows it beside the mask's uploader."""


def _refused(where: str, found: str, expected: str) -> ValueError:
    return ValueError(f"{where}: expected {expected}; got {found}.")


# xentcore names a position by its 0-based indices, as NumPy does; the page counts from 1.
_POSITION = re.compile(r"\(sequence, position\) \((\d+), (\d+)\)")


def _counted_from_1(message: str) -> str:
    """xentcore's words with its positions counted from 1, as the page counts them.

    >>> _counted_from_1("targets (sequence, position) (0, 4) holds 7")
    'targets (sequence 1, position 5) holds 7'
    """
    return _POSITION.sub(lambda m: f"(sequence {int(m[1]) + 1}, position {int(m[2]) + 1})", message)


def losses_of_arrays(
    scores: np.ndarray,
    targets: np.ndarray | None,
    where: str,
    padding: float | None,
    ignore_index: int = -100,
    mask: np.ndarray | None = None,
    mask_where: str = "the mask",
) -> SequenceLosses:
    """The losses of a file's arrays; every error is a ValueError / IndexError starting `where`
    (a `MaskError` starting `mask_where` when it is the mask's).

    scores (N, T, V) are logits and need targets (N, T); scores (N, T) are target
    log-probabilities, padding marked by `mask` (N, T) when given, else by `padding` (a value,
    NaN, or None for none).
    """
    if mask is not None and scores.ndim != 2:
        raise MaskError(
            f"{mask_where}: expected no mask with {scores.ndim}-D scores (shape {scores.shape}) — "
            "a mask marks padding in (N, T) log-probabilities; logits are masked by their "
            "targets' ignore_index"
        )
    try:
        if mask is not None:
            return sequence_losses(scores, mask=mask)
        return _losses(scores, targets, where, padding, ignore_index)
    except IndexError as problem:
        raise IndexError(f"{where}: {_counted_from_1(str(problem))}") from None
    except ValueError as problem:
        words = _counted_from_1(str(problem))
        if words.startswith("mask"):  # xentcore's words about the mask
            raise MaskError(f"{mask_where}: {words}") from None
        if words.startswith(where):
            raise
        raise ValueError(f"{where}: {words}") from None


def _losses(scores, targets, where, padding, ignore):
    if scores.ndim == 3:
        if targets is None:
            raise _refused(
                where,
                f"logits of shape {scores.shape} and no targets",
                "an .npz with 'logits' (N, T, V) and 'targets' (N, T): "
                "np.savez(path, logits=logits, targets=targets)",
            )
        if scores.size > MAX_LOGIT_ELEMENTS:
            raise _refused(
                where,
                f"{scores.size:,} logits",
                f"at most {MAX_LOGIT_ELEMENTS:,} (N·T·V) — a large vocabulary is better sent as "
                "the target tokens' log-probabilities (N, T)",
            )
        return _finite_losses(sequence_losses_from_logits(scores, targets, ignore), where)
    if targets is not None and scores.ndim == 2:
        raise _refused(
            where,
            f"targets beside 2-D scores (shape {scores.shape})",
            "logits (N, T, V) with the targets (N, T) — (N, T) target log-probabilities need no "
            "targets: save them alone, np.save(path, log_probs)",
        )
    if scores.ndim != 2:
        raise _refused(
            where,
            f"{scores.ndim} dimension{'s' if scores.ndim != 1 else ''} (shape {scores.shape})",
            "(N, T) target log-probabilities, or (N, T, V) logits with (N, T) targets",
        )
    return sequence_losses(scores, padding_value=padding)


def _finite_losses(losses: SequenceLosses, where: str) -> SequenceLosses:
    """`losses`, unless a counted token's is NaN: its logits hold NaN or +inf (a target logit of
    −inf is p = 0, a loss of +∞, which stands)."""
    nan = losses.mask & np.isnan(losses.token_loss)
    if not nan.any():
        return losses
    row, col = np.argwhere(nan)[0]
    count = int(nan.sum())
    raise _refused(
        where,
        f"NaN or +inf among the logits of sequence {row + 1}, position {col + 1} ({count:,} "
        f"counted position{'s' if count > 1 else ''} in all)",
        "finite logits wherever a target counts — fix those positions, or set their targets to "
        "ignore_index",
    )
