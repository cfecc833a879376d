"""A classifier's scores against its labels: every per-sample number, in one pass over the matrix.

`analyse_scores` reads an (N, C) matrix of logits or probabilities once, in row blocks spread
over xentcore's thread pool; each block stays in cache while it gives, per row: the summary of
its values (finiteness, extremes, row sums), the argmax, the loss −log softmax(z)_target, the
label-independent confidence max softmax(z), the target's rank (classes scoring strictly above
it: top-k correct is rank < k, for any k) and Σ_c p_c² (the Brier score's own term), and the
loss, confidence and Σ_c p_c² again at the fitted temperature. Everything else (class sums,
confusion counts, histogram, reliability diagram, the worst samples) is a reduction of those
N-sized results; the matrix is not read again, except the ≤ `MAX_WORST` worst rows.

The temperature is fitted before the pass, on one half of the samples (`temperature_split`:
seeded, stratified by label), subsampled to at most `FIT_ELEMENTS` numbers: the fit's few
evaluations are passes over that subsample only. What scaling changes is measured on the other
half, which the fit never saw: a temperature judged on the samples it was fitted on looks better
than it is.

Probabilities are read as log-probabilities: z = log P, so softmax(z) = P / Σ P and the loss is
−log(p_target / Σ_c p_c) — a row's small deviation from 1 is renormalised away, as PyTorch's
cross_entropy of log P does. Their confidence is max_c p_c as given, as torchmetrics reads it: a
probability that sits on a bin edge (j / k from kNN, a tree's leaf, a rounded CSV) stays on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from xentcore._kernel import scratch_like
from xentcore._pool import parallel_map, row_blocks
from xentcore._validation import class_labels
from xentcore.calibration import Reliability, _max_gap, adaptive_calibration_error, calibration_bins
from xentcore.information import nats_to_bits, perplexity
from xentcore.metrics import (
    ClassScores,
    _brier_per_sample,
    _check_k,
    _check_zero_division,
    _class_scores,
)
from xentcore.temperature import TemperatureFit, fit_temperature

__all__ = [
    "FIT_ELEMENTS",
    "FIT_MIN_ROWS",
    "FIT_SEED",
    "HISTOGRAM_BINS",
    "MAX_WORST",
    "SPLIT_MIN_SAMPLES",
    "ScoreAnalysis",
    "ScoreSummary",
    "analyse_scores",
    "fit_sample_rows",
    "summarise_scores",
    "temperature_split",
]

# The temperature is fitted on at most this many numbers (rows × classes), at least FIT_MIN_ROWS
# rows: each of the fit's evaluations then takes milliseconds, whatever N.
FIT_ELEMENTS = 1_000_000
FIT_MIN_ROWS = 1_000
FIT_SEED = 0
SPLIT_MIN_SAMPLES = 2  # one to fit on, one to measure on
HISTOGRAM_BINS = 60
MAX_WORST = 100


@dataclass(frozen=True)
class ScoreSummary:
    """Extremes of the raw scores, each with the row (sample number) it was found in.

    When a row holds NaN or ±inf, only `nonfinite_rows` and `first_nonfinite_row` are meaningful
    (the extremes are NaN and their rows −1).
    """

    nonfinite_rows: int
    first_nonfinite_row: int  # −1 when every value is finite
    min_value: float
    min_row: int
    max_value: float
    max_row: int
    min_row_sum: float
    min_sum_row: int
    max_row_sum: float
    max_sum_row: int

    @property
    def finite(self) -> bool:
        return self.nonfinite_rows == 0


_BAD = (np.nan, -1) * 4


def _block_summary(block: np.ndarray, top: np.ndarray, start: int) -> tuple:
    """The summary's numbers for one block (top: its rows' maxima, NaN where a NaN is).

    Per-row reductions along a short row cost NumPy tens of nanoseconds a row, so a finite
    block is read whole instead: its first smallest value by one flat argmin (its row is the
    first holding the minimum), its row sums by one matrix-vector product.
    """
    c = block.shape[1]
    lowest = int(block.argmin())  # the first NaN, if there is one
    low = block.reshape(-1)[lowest]
    if not (np.isfinite(low) and np.isfinite(top).all()):
        # min and max propagate NaN, and ±inf shows in one of them: no isfinite pass is needed.
        with np.errstate(invalid="ignore"):
            bad = ~(np.isfinite(top) & np.isfinite(block.min(axis=1)))
        return (int(bad.sum()), start + int(np.flatnonzero(bad)[0]), *_BAD)
    with np.errstate(over="ignore", invalid="ignore"):
        row_sum = block @ np.ones(c, dtype=block.dtype)
    hi = int(top.argmax())
    slo, shi = int(row_sum.argmin()), int(row_sum.argmax())
    return (
        0,
        -1,
        float(low),
        start + lowest // c,
        float(top[hi]),
        start + hi,
        float(row_sum[slo]),
        start + slo,
        float(row_sum[shi]),
        start + shi,
    )


def _merge(parts: list[tuple]) -> ScoreSummary:
    bad = [p for p in parts if p[0]]
    if bad:
        return ScoreSummary(sum(p[0] for p in bad), bad[0][1], *_BAD)
    lo = min(parts, key=lambda p: p[2])
    hi = max(parts, key=lambda p: p[4])
    slo = min(parts, key=lambda p: p[6])
    shi = max(parts, key=lambda p: p[8])
    return ScoreSummary(0, -1, lo[2], lo[3], hi[4], hi[5], slo[6], slo[7], shi[8], shi[9])


def summarise_scores(scores: np.ndarray) -> ScoreSummary:
    """The `ScoreSummary` of an (N, C) matrix, in one pass of row blocks.

    >>> s = summarise_scores(np.array([[0.2, 0.8], [0.5, 0.5]]))
    >>> s.finite, s.min_value, s.max_row, s.min_row_sum
    (True, 0.2, 0, 1.0)
    """
    x = _matrix(scores)

    def work(rows: slice) -> tuple:
        block = x[rows]
        top = np.take_along_axis(block, block.argmax(axis=1)[:, None], axis=1)[:, 0]
        return _block_summary(block, top, rows.start)

    return _merge(parallel_map(work, row_blocks(*x.shape), x.size))


def _matrix(scores: object) -> np.ndarray:
    x = np.asarray(scores)
    if x.ndim != 2 or x.dtype.kind != "f" or x.shape[0] == 0 or x.shape[1] < 1:
        raise ValueError(
            f"scores must be a non-empty floating (N, C) matrix; got {x.dtype} of shape {x.shape}"
        )
    return x


def fit_sample_rows(num_rows: int, num_cols: int) -> np.ndarray | None:
    """The sorted rows the temperature is fitted on, or None for every row.

    At most FIT_ELEMENTS numbers and at least FIT_MIN_ROWS rows, drawn without replacement
    with the seed FIT_SEED, so the same matrix always gives the same sample.

    >>> fit_sample_rows(500, 10) is None, fit_sample_rows(10**6, 10).size
    (True, 100000)
    """
    rows = max(FIT_MIN_ROWS, FIT_ELEMENTS // max(1, num_cols))
    if rows >= num_rows:
        return None
    rng = np.random.default_rng(FIT_SEED)
    return np.sort(rng.choice(num_rows, size=rows, replace=False))


def temperature_split(labels: object, num_cols: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows to fit the temperature on, rows to measure it on): two halves, sorted.

    The samples are shuffled with the seed FIT_SEED, grouped by label and dealt alternately to
    the two halves, so each class is split evenly (±1) and the halves differ in size by one at
    most. The fitting half is then subsampled like `fit_sample_rows` (at most FIT_ELEMENTS
    numbers, at least FIT_MIN_ROWS rows); the measuring half is kept whole.

    >>> fit, held = temperature_split(np.array([0, 0, 0, 0, 1, 1]), 2)
    >>> fit.tolist(), held.tolist()
    ([0, 3, 5], [1, 2, 4])
    """
    t = np.asarray(labels)
    n = t.shape[0]
    if t.size and t.min() >= 0 and t.max() < 1 << 16:
        # NumPy's stable sort of 16-bit keys is a radix sort, and their gather moves 4× less
        t = t.astype(np.uint16)
    rng = np.random.default_rng(FIT_SEED)
    order = rng.permutation(n)
    order = order[np.argsort(t[order], kind="stable")]
    # Each half in increasing order: marked, then read back, in O(N) rather than by a sort.
    in_fit = np.zeros(n, dtype=bool)
    in_fit[order[0::2]] = True
    fit, held = np.flatnonzero(in_fit), np.flatnonzero(~in_fit)
    keep = fit_sample_rows(fit.shape[0], num_cols)
    return (fit if keep is None else fit[keep]), held


@dataclass(frozen=True)
class ScoreAnalysis:
    """What `analyse_scores` found. Arrays are read-only, so the object can be shared.

    Losses are natural-log cross-entropies in the scores' dtype; sums are float64. The
    "after" fields are those at the fitted temperature, None when no finite T > 0 was fitted.
    `held_out` are the samples the temperature was not fitted on (`temperature_split`): the
    "_held_out" and "after" reductions are over them alone, so before and after compare alike.
    """

    from_logits: bool
    summary: ScoreSummary
    prediction: np.ndarray  # (N,) int32, the argmax
    correct: np.ndarray  # (N,) bool, prediction == label
    loss: np.ndarray  # (N,) −log softmax(z)_target
    confidence: np.ndarray  # (N,) max_c softmax(z)_c, from the scores alone
    temperature: TemperatureFit | None
    fit_refusal: str | None  # why no temperature was fitted, in words
    fitted_on: int  # rows in the fit's subsample
    held_out: np.ndarray  # (H,) the sorted rows the fit never read (empty when none was fitted)
    loss_after: np.ndarray | None  # (N,) at the fitted T, every sample
    confidence_after: np.ndarray | None  # (N,)
    mean_loss: float
    mean_loss_held_out: float  # over held_out, as given; NaN when it is empty
    mean_loss_after: float  # over held_out, at T; NaN when not fitted
    accuracy: float
    accuracy_held_out: float
    class_counts: np.ndarray  # (C,) samples per target class
    class_loss: np.ndarray  # (C,) summed loss per target class, float64
    class_correct: np.ndarray  # (C,) right predictions per target class
    error_pairs: np.ndarray  # (P, 3) target, prediction, count: the confusion off the diagonal
    histogram_counts: np.ndarray  # (HISTOGRAM_BINS,) finite losses per bin
    histogram_edges: np.ndarray  # (HISTOGRAM_BINS + 1,) from 0 to the largest finite loss
    infinite_losses: int
    reliability: Reliability  # at n_bins, every sample
    reliability_held_out: Reliability | None  # held_out as given; None when it is empty
    reliability_after: Reliability | None  # held_out at T
    worst_rows: np.ndarray  # (k,) the highest losses' sample numbers, highest first
    worst_logits: np.ndarray  # (k, C) float64: their logits (log P for probabilities)
    rank: np.ndarray  # (N,) int32 classes scoring strictly above the target (top-k: rank < k)
    square_sum: np.ndarray  # (N,) Σ_c p_c², p = softmax(z) (probabilities renormalised)
    square_sum_after: np.ndarray | None  # (N,) Σ_c p_c² at the fitted T, p = softmax(z / T)
    class_predicted: np.ndarray  # (C,) samples predicted as each class
    timings: dict[str, float] = field(compare=False, default_factory=dict)

    @property
    def target_probability(self) -> np.ndarray:
        """softmax(z)_target = exp(−loss), per sample."""
        return np.exp(-self.loss)

    @property
    def brier_per_sample(self) -> np.ndarray:
        """Σ_c (p_c − y_c)² = Σ_c p_c² − 2 p_target + 1, per sample, float64."""
        return _brier_of_pass(self.square_sum, self.loss)

    @property
    def brier_per_sample_after(self) -> np.ndarray | None:
        """`brier_per_sample` at the fitted T (p = softmax(z / T)), every sample; None when no
        finite T > 0 was fitted."""
        if self.square_sum_after is None:
            return None
        return _brier_of_pass(self.square_sum_after, self.loss_after)

    @property
    def brier(self) -> float:
        """The multiclass Brier score, mean over samples, in [0, 2] (`brier_score`)."""
        return _mean(self.brier_per_sample)

    def top_k_accuracy(self, k: int = 1) -> float:
        """The fraction with fewer than k classes strictly above the target (`top_k_accuracy`).

        Differs from `accuracy` (argmax, first class on ties) only where the target ties the top.
        """
        return _mean(self.rank < _check_k(k, len(self.class_counts)))

    def class_scores(self, zero_division: object = 0.0) -> ClassScores:
        """Per-class precision, recall, F1 (`precision_recall_f1`), from the pass's counts."""
        fill = _check_zero_division(zero_division)
        return _class_scores(self.class_correct, self.class_predicted, self.class_counts, fill)

    @property
    def max_calibration_error(self) -> float:
        """The largest |accuracy − confidence| over the reliability diagram's non-empty bins."""
        return _max_gap(self.reliability)

    def adaptive_calibration_error(self, n_bins: int = 15) -> float:
        """Equal-mass ECE of the confidences (`adaptive_calibration_error`)."""
        return adaptive_calibration_error(self.confidence, self.correct, n_bins)

    @property
    def mean_loss_bits(self) -> float:
        return nats_to_bits(self.mean_loss)

    @property
    def perplexity(self) -> float:
        return perplexity(self.mean_loss)

    def confusion_counts(self, classes: np.ndarray) -> np.ndarray:
        """Counts of (target, prediction) among `classes` (k,), as a k × k matrix."""
        classes = np.asarray(classes)
        k = len(classes)
        position = np.full(len(self.class_counts), -1)
        position[classes] = np.arange(k)
        matrix = np.zeros((k, k), dtype=np.int64)
        matrix[np.arange(k), np.arange(k)] = self.class_correct[classes]
        pairs = self.error_pairs
        if len(pairs):
            rows, cols = position[pairs[:, 0]], position[pairs[:, 1]]
            inside = (rows >= 0) & (cols >= 0)
            matrix[rows[inside], cols[inside]] = pairs[inside, 2]
        return matrix

    def loss_shares(self, fractions: tuple[float, ...] = (0.01, 0.1)) -> tuple[tuple, ...]:
        """(fraction, share of the summed loss carried by the worst fraction of samples).

        Empty below 100 samples or when the sum is not a positive finite number.
        """
        n = self.loss.shape[0]
        total = float(self.class_loss.sum())
        if not np.isfinite(total) or total <= 0 or n < 100:
            return ()
        shares = []
        for fraction in fractions:
            m = max(1, int(n * fraction))
            top = np.partition(self.loss, n - m)[n - m :]
            shares.append((fraction, float(top.sum(dtype=np.float64)) / total))
        return tuple(shares)


def _brier_of_pass(square_sum: np.ndarray, loss: np.ndarray) -> np.ndarray:
    """The per-sample Brier score from the pass's Σ_c p_c² and loss (p_target = e^−loss), in
    float64, with two N-sized temporaries at most."""
    target_probability = loss.astype(np.float64)
    np.exp(np.negative(target_probability, out=target_probability), out=target_probability)
    return _brier_per_sample(square_sum, target_probability)


def _logits_of(block: np.ndarray, from_logits: bool) -> np.ndarray:
    if from_logits:
        return block
    with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = −inf: that class is impossible
        return np.log(block)


_NO_ROWS = np.zeros(0, dtype=np.int64)


def _fit(
    scores: np.ndarray, labels: np.ndarray, from_logits: bool
) -> tuple[TemperatureFit | None, str | None, int, np.ndarray]:
    """(the fit or None, why not, rows fitted on, rows held out) on `temperature_split`'s."""
    n = scores.shape[0]
    if n < SPLIT_MIN_SAMPLES:
        why = f"{n} sample: a temperature needs samples to fit on and others to measure it on"
        return None, why, 0, _NO_ROWS
    rows, held = temperature_split(labels, scores.shape[1])
    z, t = _logits_of(scores[rows], from_logits), labels[rows]
    m = rows.shape[0]
    with np.errstate(invalid="ignore"):
        impossible = int(np.isneginf(z[np.arange(m), t]).sum())
    if impossible:  # fit_temperature would name a row of the subsample: count them instead
        return (
            None,
            (
                f"{impossible:,} of the {m:,} samples it is fitted on give their target "
                "probability 0 (a logit of −inf): their loss is +inf at every temperature, so no "
                "temperature minimises the mean"
            ),
            m,
            held,
        )
    try:
        return fit_temperature(z, t), None, m, held
    except ValueError as refusal:
        return None, str(refusal), m, held


class _Outputs(NamedTuple):
    """The pass's N-sized results, filled block by block; those at T are None if not scaled."""

    prediction: np.ndarray  # int32
    loss: np.ndarray
    confidence: np.ndarray
    loss_after: np.ndarray | None
    confidence_after: np.ndarray | None
    rank: np.ndarray  # int32
    square_sum: np.ndarray
    square_sum_after: np.ndarray | None


def _outputs(n: int, dtype: np.dtype, scaled: bool) -> _Outputs:
    """Empty `_Outputs` for n samples, in the scores' dtype but for the integer ones."""

    def at_t() -> np.ndarray | None:
        return np.empty(n, dtype=dtype) if scaled else None

    return _Outputs(
        np.empty(n, np.int32),
        np.empty(n, dtype),
        np.empty(n, dtype),
        at_t(),
        at_t(),
        np.empty(n, np.int32),
        np.empty(n, dtype),
        at_t(),
    )


def _square_sum(e: np.ndarray, total: np.ndarray, ones: np.ndarray) -> np.ndarray:
    """Σ_c p_c² = Σ_c e_c² / (Σ_c e_c)² of a block of e = exp(z − max z) (scaled or not) and
    its row sums: the Brier score's own term. Squares `e` in place."""
    return np.square(e, out=e) @ ones / (total * total)


def _pass(scores, labels, from_logits, inverse_t, out, on_block=None) -> ScoreSummary:
    """The one pass: fill out's per-sample arrays block by block; return the summary."""
    (
        prediction,
        loss,
        confidence,
        loss_after,
        confidence_after,
        rank,
        square_sum,
        square_sum_after,
    ) = out

    def work(rows: slice) -> tuple:
        started = time.thread_time()
        summary = _block(rows)
        if on_block is not None:
            on_block(time.thread_time() - started)
        return summary

    c = scores.shape[1]
    ones = np.ones(c, dtype=scores.dtype)
    starts = np.arange(0, min(scores.shape[0], row_blocks(*scores.shape)[0].stop) * c, c)

    def _block(rows: slice) -> tuple:
        raw = scores[rows]
        first = starts[: raw.shape[0]]  # flat position of each row's first class in the block
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            top_index = raw.argmax(axis=1)  # argmax stops at a NaN: that row's max is NaN too
            prediction[rows] = top_index
            raw_top = raw.reshape(-1)[first + top_index]
            summary = _block_summary(raw, raw_top, rows.start)
            # z − max z, ≤ 0 (log is increasing), in this thread's scratch
            shifted = scratch_like(raw)
            if from_logits:
                np.subtract(raw, raw_top[:, None], out=shifted)
            else:
                np.log(raw, out=shifted)
                shifted -= np.log(raw_top)[:, None]
            targets = first + labels[rows].astype(np.intp, copy=False)
            gap = -shifted.reshape(-1)[targets]  # max z − z_target
            # Classes strictly above the target: a comparison written as 0/1 floats, counted by
            # a matrix-vector product (a boolean sum along short rows is 3× slower).
            above = scratch_like(raw, 1)
            np.greater(shifted, -gap[:, None], out=above, casting="unsafe")
            rank[rows] = above @ ones
            if inverse_t is not None:
                s = shifted.dtype.type(inverse_t)
                tempered = np.multiply(shifted, s, out=scratch_like(raw, 1))  # ≤ 0: no overflow
                scaled = np.exp(tempered, out=tempered) @ ones
                loss_after[rows] = np.log(scaled) + gap * s
                confidence_after[rows] = 1.0 / scaled
                square_sum_after[rows] = _square_sum(tempered, scaled, ones)
            total = np.exp(shifted, out=shifted) @ ones
            loss[rows] = np.log(total) + gap
            square_sum[rows] = _square_sum(shifted, total, ones)
            # max p as given for probabilities: no log-and-exp rounding moves it off a bin edge
            confidence[rows] = 1.0 / total if from_logits else raw_top
        return summary

    return _merge(parallel_map(work, row_blocks(*scores.shape), scores.size))


def _error_pairs(labels: np.ndarray, prediction: np.ndarray, num_classes: int) -> np.ndarray:
    """(target, prediction, count) of every wrong pair that occurs, most frequent first."""
    wrong = labels != prediction
    codes = labels[wrong].astype(np.int64) * num_classes + prediction[wrong]
    pairs, counts = np.unique(codes, return_counts=True)
    order = np.lexsort((pairs, -counts))
    pairs, counts = pairs[order], counts[order]
    return np.stack([pairs // num_classes, pairs % num_classes, counts], axis=1)


def _worst(loss: np.ndarray, k: int) -> np.ndarray:
    """The k highest losses' sample numbers, highest first (ties: lower number first)."""
    n = loss.shape[0]
    k = min(k, n)
    top = np.argpartition(loss, n - k)[n - k :] if k < n else np.arange(n)
    return top[np.lexsort((top, -loss[top].astype(np.float64)))]


def _histogram(loss: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray, int]:
    finite = np.isfinite(loss)
    values = loss if finite.all() else loss[finite]
    top = float(values.max()) if values.size else 1.0
    edges = np.linspace(0.0, top if top > 0 else 1.0, bins + 1)
    counts, _ = np.histogram(values, bins=edges)
    return counts, edges, int(loss.size - values.size)


def analyse_scores(
    scores: object,
    labels: object,
    *,
    from_logits: bool = True,
    n_bins: int = 15,
    fit: bool = True,
    on_block: Callable[[float], None] | None = None,
) -> ScoreAnalysis:
    """Every per-sample number of a classifier's scores against its labels, in one pass.

    Parameters
    ----------
    scores : ndarray, shape (N, C), float32 or float64
        Logits, or probabilities with ``from_logits=False`` (read as z = log P). Read in row
        blocks, never copied whole; may be a read-only view.
    labels : ndarray of int, shape (N,)
        Class indices in [0, C).
    from_logits : bool, default True
    n_bins : int, default 15
        Bins of the reliability diagrams (binning of `calibration_bins`).
    fit : bool, default True
        Fit a temperature (`fit_temperature`) on one half of the samples first
        (`temperature_split`; its own passes over that subsample, before the one pass over the
        matrix), give the loss and confidence at it for every sample, and measure before and
        after on the other half.
    on_block : callable or None, default None
        Called after each row block of the pass with the CPU seconds (``time.thread_time``) that
        block took, in the thread that ran it — so it must be thread-safe. An exception it raises
        stops the pass (blocks not started are cancelled) and propagates: a caller's CPU budget.

    Returns
    -------
    ScoreAnalysis

    Notes
    -----
    loss_i = logsumexp(z_i) − z_it and confidence_i = max_c exp(z_ic − logsumexp(z_i)) =
    1 / Σ_c exp(z_ic − max z_i) for logits, max_c p_ic for probabilities (as torchmetrics): the
    confidence reads no label. At temperature T both use z / T (z = log P for probabilities).
    NaN, ±inf (or, read as probabilities, values outside [0, 1]) are not refused: they give NaN
    losses and show in ``summary``, which callers check. Extra memory: the N-sized results plus
    a few block temporaries per thread.

    >>> a = analyse_scores(np.array([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0]]), np.array([0, 1, 1]))
    >>> a.loss.round(4).tolist(), a.accuracy, a.held_out.tolist()
    ([0.1269, 0.1269, 2.1269], 0.6666666666666666, [2])
    """
    x = _matrix(scores)
    n, c = x.shape
    t = class_labels(labels, n, c, "labels")
    clock, timings = time.perf_counter(), {}
    fitted, refusal, fitted_on, held = (
        _fit(x, t, from_logits) if fit else (None, "not asked", 0, _NO_ROWS)
    )
    temperature = fitted.temperature if fitted is not None else None
    scaled = temperature is not None and 0 < temperature < np.inf
    timings["fit temperature"], clock = time.perf_counter() - clock, time.perf_counter()
    out = _outputs(n, x.dtype, scaled)
    summary = _pass(x, t, from_logits, 1.0 / temperature if scaled else None, out, on_block)
    timings["one pass"], clock = time.perf_counter() - clock, time.perf_counter()
    fitting = (fitted, refusal, fitted_on, held)
    analysis = _summaries(x, t, from_logits, n_bins, summary, out, fitting)
    timings["summaries"] = time.perf_counter() - clock
    analysis.timings.update(timings)
    return analysis


def _mean(values: np.ndarray) -> float:
    return float(values.sum(dtype=np.float64)) / values.shape[0] if values.shape[0] else np.nan


def _summaries(x, t, from_logits, n_bins, summary, out, fitting):
    """The N-sized reductions of the pass's results, as a read-only ScoreAnalysis."""
    prediction, loss, confidence = out.prediction, out.loss, out.confidence
    fitted, refusal, fitted_on, held = fitting
    c = x.shape[1]
    correct = prediction == t
    held_correct = correct[held]
    counts, edges, infinite = _histogram(loss, HISTOGRAM_BINS)
    worst = _worst(loss, MAX_WORST)
    with np.errstate(invalid="ignore"):  # widening a signalling NaN flags it; it stays NaN
        worst_logits = _logits_of(x[worst], from_logits).astype(np.float64)
    analysis = ScoreAnalysis(
        from_logits=from_logits,
        summary=summary,
        prediction=prediction,
        correct=correct,
        loss=loss,
        confidence=confidence,
        temperature=fitted,
        fit_refusal=refusal,
        fitted_on=fitted_on,
        held_out=held,
        loss_after=out.loss_after,
        confidence_after=out.confidence_after,
        mean_loss=_mean(loss),
        mean_loss_held_out=_mean(loss[held]),
        mean_loss_after=np.nan if out.loss_after is None else _mean(out.loss_after[held]),
        accuracy=float(correct.mean()),
        accuracy_held_out=_mean(held_correct),
        class_counts=np.bincount(t, minlength=c),
        class_loss=np.bincount(t, weights=loss, minlength=c),
        class_correct=np.bincount(t[correct], minlength=c),
        error_pairs=_error_pairs(t, prediction, c),
        histogram_counts=counts,
        histogram_edges=edges,
        infinite_losses=infinite,
        reliability=calibration_bins(confidence, correct, n_bins),
        reliability_held_out=calibration_bins(confidence[held], held_correct, n_bins)
        if held.size
        else None,
        reliability_after=None
        if out.confidence_after is None
        else calibration_bins(out.confidence_after[held], held_correct, n_bins),
        worst_rows=worst,
        worst_logits=worst_logits,
        rank=out.rank,
        square_sum=out.square_sum,
        square_sum_after=out.square_sum_after,
        class_predicted=np.bincount(prediction, minlength=c),
    )
    for name in ScoreAnalysis.__dataclass_fields__:
        value = getattr(analysis, name)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return analysis
