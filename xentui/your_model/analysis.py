"""Where a model's loss comes from: every number the "Your model" page shows, in one object.

`analyse` reads the (N, C) scores twice, in row blocks spread over threads (model_blocks):

1. a scan: finiteness, whether they are probabilities, each row's argmax and max (model_scan);
2. the losses: per block, xentcore.cross_entropy(reduction="none") — the same kernel as the rest
   of xent, faithful to PyTorch — and each sample's confidence (its top probability), at T = 1
   and at the fitted temperature.

Between the two, the temperature is fitted on a random subsample (at most FIT_ELEMENTS numbers),
which keeps the fit's many loss evaluations cheap; the loss and ECE *after* scaling are then
measured on every sample in pass 2. PyTorch's figure takes a third read. Everything kept is of
size N, C or MAX_WORST × C: the matrix itself is not referenced once `analyse` returns.

Probabilities are analysed as log-probabilities: z = log P, so softmax(z) = P / Σ P and the loss
is −log(p_target / Σ_c p_c) — the rows' small deviations from 1 are renormalised away.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from xentcore import cross_entropy, logsumexp, softmax
from xentui.your_model.blocks import map_row_blocks
from xentui.your_model.calibration import TEMPERATURE_BOUNDS, fit_temperature
from xentui.your_model.libraries import (
    LibraryResult,
    library_results,
    sklearn_log_loss,
    torch_mean_loss,
)
from xentui.your_model.scan import (
    INTERPRETATIONS,
    check_finite,
    check_probabilities,
    detect_kind,
    scan_scores,
)
from xentui.your_model.upload import ModelData

__all__ = [
    "FIT_ELEMENTS",
    "HISTOGRAM_BINS",
    "MAX_WORST",
    "Analysis",
    "TemperatureFit",
    "analyse",
    "confusion_counts",
]

MAX_WORST = 100
# The temperature is fitted on at most this many numbers (rows × classes), at least FIT_MIN_ROWS
# rows: each of the fit's ~25 loss evaluations then takes milliseconds, whatever N.
FIT_ELEMENTS = 1_000_000
FIT_MIN_ROWS = 1_000
FIT_SEED = 0
HISTOGRAM_BINS = 60


@dataclass(frozen=True)
class TemperatureFit:
    """T minimising the mean NLL (None when nothing can be fitted), and what it changes."""

    temperature: float | None
    fitted_on: int
    evaluations: int
    mean_loss_after: float
    confidence_after: np.ndarray | None
    note: str


@dataclass(frozen=True)
class Analysis:
    """The per-sample results and their summaries. Arrays are read-only: the object is shared."""

    source: str
    class_names: tuple[str, ...]
    kind: str  # "logits" or "probabilities": how the matrix was read
    detected: str  # what detection said
    detection_reason: str
    dtype: str
    notes: tuple[str, ...]
    labels: np.ndarray  # (N,) int32
    prediction: np.ndarray  # (N,) int32, the argmax
    loss: np.ndarray  # (N,) −log p_target, natural log
    target_probability: np.ndarray  # (N,)
    confidence: np.ndarray  # (N,) the top probability
    mean_loss: float
    accuracy: float
    loss_share_top: tuple[tuple[float, float], ...]  # (fraction of samples, share of the loss)
    histogram_counts: np.ndarray
    histogram_edges: np.ndarray
    infinite_losses: int
    class_counts: np.ndarray  # (C,) samples per target class
    class_loss: np.ndarray  # (C,) summed loss per target class (float64)
    class_correct: np.ndarray  # (C,)
    error_pairs: np.ndarray  # (P, 3) target, prediction, count of wrong predictions, most first
    worst_rows: np.ndarray  # (k,) sample numbers, highest loss first
    worst_logits: np.ndarray  # (k, C) float64: the logits (log P for probabilities)
    worst_probabilities: np.ndarray  # (k, C)
    temperature: TemperatureFit
    libraries: tuple[LibraryResult, ...]
    timings: dict[str, float] = field(compare=False, default_factory=dict)

    @property
    def num_samples(self) -> int:
        return int(self.labels.shape[0])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def correct(self) -> np.ndarray:
        return self.prediction == self.labels


def _logits_of(block: np.ndarray, kind: str) -> np.ndarray:
    if kind == "probabilities":
        with np.errstate(divide="ignore"):  # log 0 = −inf: that class is impossible
            return np.log(block)
    return block


def _confidence(
    z: np.ndarray, row_max: np.ndarray, z_target: np.ndarray, loss: np.ndarray
) -> np.ndarray:
    """max_c softmax(z)_c = exp(max z − logsumexp z), for each row.

    The loss is logsumexp z − z[target], so logsumexp z = loss + z[target], with no second pass
    of exp over the block; only rows whose target is impossible (z = −inf, loss = +∞) need one.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        lse = loss + z_target
    unknown = ~np.isfinite(lse)
    if unknown.any():
        lse[unknown] = logsumexp(z[unknown], axis=1)
    return np.exp(row_max - lse)


def _fit_rows(num_samples: int, num_classes: int) -> np.ndarray | None:
    """The subsample the temperature is fitted on (sorted), or None for every sample."""
    rows = max(FIT_MIN_ROWS, FIT_ELEMENTS // num_classes)
    if rows >= num_samples:
        return None
    rng = np.random.default_rng(FIT_SEED)
    return np.sort(rng.choice(num_samples, size=rows, replace=False))


def _fit(scores: np.ndarray, labels: np.ndarray, kind: str) -> tuple[float | None, int, int, str]:
    """(T or None, samples fitted on, loss evaluations, a sentence for the page)."""
    n = scores.shape[0]
    rows = _fit_rows(n, scores.shape[1])
    # In the data's precision: float32 losses summed in float64 locate T to 1e-4 and keep the
    # subsample (and the fit's temporaries) at half the memory of float64.
    z = _logits_of(scores if rows is None else scores[rows], kind)
    t = labels if rows is None else labels[rows]
    used = z.shape[0]
    where = (
        f"fitted on all {n:,} samples"
        if rows is None
        else f"fitted on {used:,} of the {n:,} samples, drawn at random (seed {FIT_SEED}) to "
        "keep the fit fast; the loss and ECE after scaling are measured on every sample"
    )
    impossible = int(np.count_nonzero(np.isneginf(z[np.arange(used), t])))
    if impossible:
        return (
            None,
            used,
            0,
            (
                f"{impossible:,} of the samples give their target probability 0: their loss is +∞ "
                "at every temperature (0 stays 0 under p^(1/T)), so there is no T to fit"
            ),
        )
    temperature, evaluations = fit_temperature(z, t)
    low, high = TEMPERATURE_BOUNDS
    if not low * 1.001 < temperature < high * 0.999:
        where += (
            f". T stopped at the end of the search range [{low:g}, {high:g}]: the loss keeps "
            "falling beyond it, so the scores carry little information about the labels"
            if temperature > 1
            else f". T stopped at the end of the search range [{low:g}, {high:g}]"
        )
    return temperature, used, evaluations, where


def _losses(
    scores: np.ndarray,
    labels: np.ndarray,
    kind: str,
    temperature: float | None,
    row_max: np.ndarray,
    loss: np.ndarray,
    confidence: np.ndarray,
    confidence_after: np.ndarray | None,
) -> float:
    """Fill loss and confidence (and confidence at T); return Σ loss at T (float64)."""

    def work(rows: slice) -> float:
        with np.errstate(over="ignore"):  # logits near float32's limit, divided by T < 1
            return _block(rows)

    def _block(rows: slice) -> float:
        z = _logits_of(scores[rows], kind)
        t = labels[rows]
        block_loss = cross_entropy(z, t, reduction="none")
        loss[rows] = block_loss
        z_max = _logits_of(row_max[rows], kind)  # the scan's maxima; log is increasing
        z_target = np.take_along_axis(z, t[:, None].astype(np.intp), axis=1)[:, 0]
        confidence[rows] = _confidence(z, z_max, z_target, block_loss)
        if temperature is None or confidence_after is None:
            return 0.0
        inverse = z.dtype.type(1.0 / temperature)
        scaled = z * inverse
        scaled_loss = cross_entropy(scaled, t, reduction="none")
        confidence_after[rows] = _confidence(
            scaled, z_max * inverse, z_target * inverse, scaled_loss
        )
        return float(scaled_loss.sum(dtype=np.float64))

    return float(sum(map_row_blocks(work, scores.shape[0], scores.shape[1])))


def _error_pairs(labels: np.ndarray, prediction: np.ndarray, num_classes: int) -> np.ndarray:
    """(target, prediction, count) of every wrong pair that occurs, most frequent first."""
    wrong = labels != prediction
    codes = labels[wrong].astype(np.int64) * num_classes + prediction[wrong]
    pairs, counts = np.unique(codes, return_counts=True)
    order = np.lexsort((pairs, -counts))
    pairs, counts = pairs[order], counts[order]
    return np.stack([pairs // num_classes, pairs % num_classes, counts], axis=1)


def confusion_counts(analysis: Analysis, classes: np.ndarray) -> np.ndarray:
    """Counts of (target, prediction) among `classes` (k,), as a k × k matrix."""
    k = len(classes)
    position = np.full(analysis.num_classes, -1)
    position[classes] = np.arange(k)
    matrix = np.zeros((k, k), dtype=np.int64)
    matrix[np.arange(k), np.arange(k)] = analysis.class_correct[classes]
    pairs = analysis.error_pairs
    if len(pairs):
        rows, cols = position[pairs[:, 0]], position[pairs[:, 1]]
        inside = (rows >= 0) & (cols >= 0)
        matrix[rows[inside], cols[inside]] = pairs[inside, 2]
    return matrix


def _worst(loss: np.ndarray) -> np.ndarray:
    """The MAX_WORST highest losses' sample numbers, highest first (ties: lower number first)."""
    n = loss.shape[0]
    k = min(MAX_WORST, n)
    top = np.argpartition(loss, n - k)[n - k :] if k < n else np.arange(n)
    return top[np.lexsort((top, -loss[top].astype(np.float64)))]


def _loss_shares(loss: np.ndarray, total: float) -> tuple[tuple[float, float], ...]:
    """The share of the summed loss carried by the worst 1 % and 10 % of samples."""
    n = loss.shape[0]
    if not np.isfinite(total) or total <= 0 or n < 100:
        return ()
    shares = []
    for fraction in (0.01, 0.1):
        m = max(1, int(n * fraction))
        top = np.partition(loss, n - m)[n - m :]
        shares.append((fraction, float(top.sum(dtype=np.float64)) / total))
    return tuple(shares)


def _histogram(loss: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    finite = np.isfinite(loss)
    values = loss if finite.all() else loss[finite]
    top = float(values.max()) if values.size else 1.0
    edges = np.linspace(0.0, top if top > 0 else 1.0, HISTOGRAM_BINS + 1)
    counts, _ = np.histogram(values, bins=edges)
    return counts, edges, int(loss.size - values.size)


def _read_only(*arrays: np.ndarray | None) -> None:
    for array in arrays:
        if array is not None:
            array.flags.writeable = False


def analyse(data: ModelData, interpretation: str = "detect") -> Analysis:
    """Analyse a model's scores against its labels.

    Parameters
    ----------
    data : ModelData
        scores (N, C) float, labels (N,) class indices in [0, C), class names.
    interpretation : {"detect", "logits", "probabilities"}, default "detect"
        How to read the scores. "detect" reads probabilities when every value lies in [0, 1]
        and every row sums to 1 (within model_scan.PROBABILITY_TOLERANCE), logits otherwise.

    Raises
    ------
    UploadError
        NaN or ±inf in the scores (field "file"); the "probabilities" reading of values that are
        not probabilities (field "kind").
    """
    if interpretation not in INTERPRETATIONS:
        raise ValueError(
            f"interpretation must be one of {', '.join(INTERPRETATIONS)}; got {interpretation!r}"
        )
    clock, timings = time.perf_counter(), {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now

    scores, labels, names = data.scores, data.labels, data.class_names
    n, c = scores.shape
    prediction = np.empty(n, dtype=np.int32)
    row_max = np.empty(n, dtype=scores.dtype)
    summary = scan_scores(scores, prediction, row_max)
    check_finite(summary, scores, names)
    detected, reason = detect_kind(summary)
    kind = detected if interpretation == "detect" else interpretation
    if kind == "probabilities":
        check_probabilities(summary, scores, names)
    lap("scan")

    temperature, fitted_on, evaluations, fit_note = _fit(scores, labels, kind)
    lap("fit temperature")

    loss = np.empty(n, dtype=scores.dtype)
    confidence = np.empty(n, dtype=scores.dtype)
    confidence_after = None if temperature is None else np.empty(n, dtype=scores.dtype)
    total_after = _losses(
        scores, labels, kind, temperature, row_max, loss, confidence, confidence_after
    )
    del row_max
    total = float(loss.sum(dtype=np.float64))
    mean_loss = total / n
    target_probability = np.exp(-loss)
    correct = prediction == labels
    lap("losses")

    torch_mean = torch_mean_loss(scores, labels, kind)
    lap("torch")
    raw_target = target_probability if kind == "logits" else scores[np.arange(n), labels]
    libraries = library_results(
        xent_mean=mean_loss,
        torch_mean=torch_mean,
        sklearn=sklearn_log_loss(raw_target),
        kind=kind,
        dtype=str(scores.dtype),
        rows_normalised=max(abs(summary.min_row_sum - 1), abs(summary.max_row_sum - 1)) < 1e-6,
    )

    worst = _worst(loss)
    worst_logits = _logits_of(scores[worst], kind).astype(np.float64)
    counts, edges, infinite = _histogram(loss)
    class_correct = np.bincount(labels[correct], minlength=c)
    fit = TemperatureFit(
        temperature=temperature,
        fitted_on=fitted_on,
        evaluations=evaluations,
        mean_loss_after=total_after / n if temperature is not None else float("nan"),
        confidence_after=confidence_after,
        note=fit_note,
    )
    analysis = Analysis(
        source=data.source,
        class_names=names,
        kind=kind,
        detected=detected,
        detection_reason=reason,
        dtype=str(scores.dtype),
        notes=data.notes,
        labels=labels,
        prediction=prediction,
        loss=loss,
        target_probability=target_probability,
        confidence=confidence,
        mean_loss=mean_loss,
        accuracy=float(correct.mean()),
        loss_share_top=_loss_shares(loss, total),
        histogram_counts=counts,
        histogram_edges=edges,
        infinite_losses=infinite,
        class_counts=np.bincount(labels, minlength=c),
        class_loss=np.bincount(labels, weights=loss, minlength=c),
        class_correct=class_correct,
        error_pairs=_error_pairs(labels, prediction, c),
        worst_rows=worst,
        worst_logits=worst_logits,
        worst_probabilities=softmax(worst_logits, axis=1),
        temperature=fit,
        libraries=libraries,
        timings=timings,
    )
    lap("summaries")
    _read_only(
        labels,
        prediction,
        loss,
        target_probability,
        confidence,
        confidence_after,
        counts,
        edges,
        analysis.class_counts,
        analysis.class_loss,
        class_correct,
        analysis.error_pairs,
        worst,
        worst_logits,
        analysis.worst_probabilities,
    )
    return analysis
