"""Where a model's loss comes from: every number the "Your model" page shows, in one object.

`analyse_upload` makes one call into the core, `xentcore.analyse_scores`, which streams the
(N, C) matrix once (the temperature fit reads its own subsample first). What is left here is
the page's reading of the result: logits or probabilities, the refusals in words, the note on
the temperature, and PyTorch's and scikit-learn's figures beside xent's.

"Detect" decides from the fit's subsample first, so that the one pass reads the matrix under
the right interpretation; the pass's summary of every row then confirms it. Only when the
subsample misled (it looked like probabilities, a row elsewhere does not) is the pass redone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

import xentcore
from xentui.your_model.libraries import LibraryMean, library_means
from xentui.your_model.scan import (
    INTERPRETATIONS,
    check_finite,
    check_probabilities,
    detect_kind,
    rows_normalised,
)
from xentui.your_model.upload import CpuBudget, ModelData

__all__ = ["MAX_WORST", "Analysis", "TemperatureScaling", "analyse_upload"]

MAX_WORST = xentcore.scores.MAX_WORST


@dataclass(frozen=True)
class TemperatureScaling:
    """T minimising the mean NLL on one half of the samples (None when none was fitted), and
    what it changes on the other half, which the fit never read (`held_out` samples)."""

    temperature: float | None
    fitted_on: int
    held_out: int
    evaluations: int
    mean_loss_before: float  # the held-out half's mean loss as given
    mean_loss_after: float  # the held-out half's mean loss at T
    accuracy_held_out: float
    confidence_after: np.ndarray | None  # (N,) every sample at T
    note: str


@dataclass(frozen=True)
class Analysis:
    """An upload's analysis for the page: the core's results and how they were read.

    Shared between sessions through the cache: its arrays are read-only.
    """

    source: str
    class_names: tuple[str, ...]
    kind: str  # "logits" or "probabilities": how the matrix was read
    detected: str  # what detection said
    detection_reason: str
    dtype: str
    notes: tuple[str, ...]
    labels: np.ndarray  # (N,) int32
    scores: xentcore.ScoreAnalysis
    temperature: TemperatureScaling
    libraries: tuple[LibraryMean, ...]
    # The (N, C) scores as read (read-only; a view on a .npy upload's bytes): a drilled-down
    # sample's logits are read from it when it is opened in the Playground.
    matrix: np.ndarray = field(compare=False, repr=False, default_factory=lambda: np.empty((0, 0)))
    timings: dict[str, float] = field(compare=False, default_factory=dict)

    num_samples = property(lambda self: int(self.labels.shape[0]))
    num_classes = property(lambda self: len(self.class_names))
    correct = property(lambda self: self.prediction == self.labels)
    prediction = property(lambda self: self.scores.prediction)
    loss = property(lambda self: self.scores.loss)
    target_probability = property(lambda self: self.scores.target_probability)
    confidence = property(lambda self: self.scores.confidence)
    mean_loss = property(lambda self: self.scores.mean_loss)
    accuracy = property(lambda self: self.scores.accuracy)
    histogram_counts = property(lambda self: self.scores.histogram_counts)
    histogram_edges = property(lambda self: self.scores.histogram_edges)
    infinite_losses = property(lambda self: self.scores.infinite_losses)
    class_counts = property(lambda self: self.scores.class_counts)
    class_loss = property(lambda self: self.scores.class_loss)
    class_correct = property(lambda self: self.scores.class_correct)
    error_pairs = property(lambda self: self.scores.error_pairs)
    worst_rows = property(lambda self: self.scores.worst_rows)
    worst_logits = property(lambda self: self.scores.worst_logits)

    @property
    def worst_probabilities(self) -> np.ndarray:
        return xentcore.softmax(self.worst_logits, axis=1)

    def logits_of(self, rows: np.ndarray) -> np.ndarray:
        """The logits of `rows` (k,) as float64 (k, C): log P when the scores are probabilities,
        as the core reads them (a probability of 0 is −inf)."""
        picked = self.matrix[np.asarray(rows, dtype=np.intp)]
        if self.kind == "probabilities":
            with np.errstate(divide="ignore", invalid="ignore"):
                picked = np.log(picked)  # in the scores' dtype, as the core's pass takes it
        return picked.astype(np.float64)

    def reliability(self, n_bins: int) -> tuple[xentcore.Reliability, xentcore.Reliability | None]:
        """The reliability bins of every sample as given, and of the held-out half at T (None
        when no temperature was fitted)."""
        before = xentcore.calibration_bins(self.confidence, self.correct, n_bins)
        return before, self.scaling_reliability(n_bins)[1]

    def scaling_reliability(
        self, n_bins: int
    ) -> tuple[xentcore.Reliability | None, xentcore.Reliability | None]:
        """The held-out half's reliability bins as given and at T (None where there are none)."""
        held = self.scores.held_out
        if not held.size:
            return None, None
        correct = self.correct[held]
        before = xentcore.calibration_bins(self.confidence[held], correct, n_bins)
        after = self.temperature.confidence_after
        return before, None if after is None else xentcore.calibration_bins(
            after[held], correct, n_bins
        )

    def classwise_calibration_error(self, n_bins: int) -> float:
        """Classwise ECE (`xentcore.classwise_calibration_error`) of the scores as read: the
        mean over classes of each class's probability's calibration error, binned in `n_bins`.

        It reads every probability, not only the top one: one more pass over the (N, C) matrix,
        in row blocks (the page keeps its result per number of bins).
        """
        mean, _ = xentcore.classwise_calibration_error(
            self.matrix, self.labels, n_bins, from_logits=self.kind == "logits"
        )
        return mean

    @property
    def loss_share_top(self) -> tuple[tuple[float, float], ...]:
        """(fraction of samples, share of the loss) for the worst 1 % and 10 %."""
        return self.scores.loss_shares((0.01, 0.1))


def _fit_note(result: xentcore.ScoreAnalysis, n: int) -> str:
    fit = result.temperature
    if fit is None:
        return f"no T was fitted: {result.fit_refusal or 'not asked'}"
    used, held = result.fitted_on, result.held_out.shape[0]
    half = n - held
    sample = (
        f"all {used:,} samples of one half"
        if used == half
        else f"{used:,} samples drawn at random from one half of {half:,}, to keep the fit fast"
    )
    where = (
        f"fitted on {sample}; before and after are measured on the other half ({held:,} "
        f"samples), which the fit never read. The halves are drawn at random (seed "
        f"{xentcore.scores.FIT_SEED}), each label split evenly between them"
    )
    if fit.temperature == np.inf:
        where += (
            ". The loss keeps falling as T grows without end (towards uniform probabilities): "
            "the scores carry little information about the labels"
        )
    elif fit.temperature == 0:
        where += (
            ". The loss keeps falling as T shrinks to 0: every label is its row's top class, "
            "so the sharpest probabilities are best"
        )
    return where


def _scaling(result: xentcore.ScoreAnalysis, n: int) -> TemperatureScaling:
    fit = result.temperature
    finite = fit is not None and 0 < fit.temperature < np.inf
    return TemperatureScaling(
        temperature=fit.temperature if finite else None,
        fitted_on=result.fitted_on,
        held_out=result.held_out.shape[0],
        evaluations=0 if fit is None else fit.evaluations,
        mean_loss_before=result.mean_loss_held_out,
        mean_loss_after=result.mean_loss_after,
        accuracy_held_out=result.accuracy_held_out,
        confidence_after=result.confidence_after,
        note=_fit_note(result, n),
    )


def _tentative_kind(scores: np.ndarray, interpretation: str) -> str:
    """The reading for the pass: the user's, or what the fit's subsample looks like."""
    if interpretation != "detect":
        return interpretation
    rows = xentcore.fit_sample_rows(*scores.shape)
    sample = xentcore.summarise_scores(scores if rows is None else scores[rows])
    return detect_kind(sample)[0] if sample.finite else "logits"


def analyse_upload(
    data: ModelData, interpretation: str = "detect", budget: CpuBudget | None = None
) -> Analysis:
    """Analyse a model's scores against its labels.

    Parameters
    ----------
    data : ModelData
        scores (N, C) float, labels (N,) class indices in [0, C), class names.
    interpretation : {"detect", "logits", "probabilities"}, default "detect"
        How to read the scores. "detect" reads probabilities when every value lies in [0, 1]
        and every row sums to 1 (within scan.PROBABILITY_TOLERANCE), logits otherwise.
    budget : CpuBudget or None, default None
        Told the CPU time of every block of the pass and of every step; it stops the analysis
        with its UploadError once spent.

    Raises
    ------
    UploadError
        NaN or ±inf in the scores (input "scores file"); the "probabilities" reading of values
        that are not probabilities (input "interpretation"); a spent CPU budget.
    """
    if interpretation not in INTERPRETATIONS:
        raise ValueError(
            f"interpretation must be one of {', '.join(INTERPRETATIONS)}; got {interpretation!r}"
        )
    scores, labels, names = data.scores, data.labels, data.class_names
    on_block = None if budget is None else budget.spend

    def step(name: str) -> None:
        if budget is not None:
            budget.checkpoint(name)

    kind = _tentative_kind(scores, interpretation)
    step("looking at a sample of the scores")
    result = xentcore.analyse_scores(
        scores, labels, from_logits=kind == "logits", on_block=on_block
    )
    step("analysing the scores")
    summary = result.summary
    check_finite(summary, scores, names, data.source)
    detected, reason = detect_kind(summary)
    if interpretation == "detect" and detected != kind:  # the subsample misled: read again
        kind = detected
        result = xentcore.analyse_scores(
            scores, labels, from_logits=kind == "logits", on_block=on_block
        )
        step("analysing the scores again")
    if kind == "probabilities":
        check_probabilities(summary, scores, names, data.source)
    timings = dict(result.timings)
    clock = time.perf_counter()
    libraries = library_means(
        scores,
        labels,
        result,
        kind=kind,
        rows_normalised=rows_normalised(summary),
    )
    timings["libraries"] = time.perf_counter() - clock
    step("computing the other libraries' figures")
    labels.flags.writeable = False
    matrix = scores.view()
    matrix.flags.writeable = False
    return Analysis(
        source=data.source,
        class_names=names,
        kind=kind,
        detected=detected,
        detection_reason=reason,
        dtype=str(scores.dtype),
        notes=data.notes,
        labels=labels,
        scores=result,
        temperature=_scaling(result, scores.shape[0]),
        libraries=libraries,
        matrix=matrix,
        timings=timings,
    )
