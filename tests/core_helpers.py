"""Shared pieces of the xentcore test suite: tolerances, the bridge to PyTorch, Hypothesis cases.

PyTorch is the oracle: every comparison goes through `assert_matches_torch`, which checks dtype and
shape before values, with the tolerance of the dtype under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FLOAT_DTYPES = (np.float32, np.float64)
REDUCTIONS = ("none", "mean", "sum")

# Losses reach tens of nats, so the relative tolerance carries the weight; atol covers losses ≈ 0.
TOLERANCES = {
    np.dtype(np.float16): {"rtol": 2e-3, "atol": 2e-3},
    np.dtype(np.float32): {"rtol": 1e-5, "atol": 1e-5},
    np.dtype(np.float64): {"rtol": 1e-10, "atol": 1e-10},
}

# Bounded so the whole core suite stays well under a minute; no example database is written.
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def tolerance(dtype: object) -> dict[str, float]:
    return TOLERANCES[np.dtype(dtype)]


def to_torch(arr: object) -> torch.Tensor:
    """A tensor sharing the array's dtype and shape (a 0-d target stays 0-d)."""
    arr = np.asarray(arr)
    return torch.from_numpy(np.ascontiguousarray(arr).reshape(arr.shape))


def assert_close(actual: np.ndarray, expected: object, dtype: object = None) -> None:
    """Values equal within the tolerance of `dtype` (default: the actual array's dtype)."""
    actual = np.asarray(actual)
    np.testing.assert_allclose(actual, expected, **tolerance(dtype or actual.dtype))


def assert_matches_torch(ours: object, theirs: torch.Tensor) -> None:
    """Same type, dtype and shape as PyTorch's result, and the same values (NaN where it is NaN)."""
    expected = theirs.detach().numpy()
    assert isinstance(ours, np.ndarray), f"expected an ndarray, got {type(ours).__name__}"
    assert ours.dtype == expected.dtype, f"dtype {ours.dtype} != torch's {expected.dtype}"
    assert ours.shape == expected.shape, f"shape {ours.shape} != torch's {expected.shape}"
    np.testing.assert_allclose(ours, expected, equal_nan=True, **tolerance(ours.dtype))


def class_axis(ndim: int) -> int:
    return 0 if ndim == 1 else 1


def index_shape(logits_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The class-index target's shape: the logits' shape without the class axis."""
    return () if len(logits_shape) == 1 else logits_shape[:1] + logits_shape[2:]


@st.composite
def logits_shapes(draw: st.DrawFn, max_extra_dims: int = 2) -> tuple[int, ...]:
    """(C,), (N, C) or (N, C, d1, ..., dK) with K <= max_extra_dims, all sizes small."""
    num_classes = draw(st.integers(1, 5))
    layout = draw(st.integers(0, 1 + max_extra_dims))  # 0: (C,), 1: (N, C), 2+: K = layout - 1
    if layout == 0:
        return (num_classes,)
    extra = tuple(draw(st.integers(1, 3)) for _ in range(layout - 1))
    return (draw(st.integers(1, 4)), num_classes, *extra)


@st.composite
def rngs(draw: st.DrawFn) -> np.random.Generator:
    """A NumPy generator seeded by Hypothesis: structure shrinks, values stay reproducible."""
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


@st.composite
def logits_arrays(
    draw: st.DrawFn, dtypes: tuple[type, ...] = FLOAT_DTYPES, max_extra_dims: int = 2
) -> np.ndarray:
    shape = draw(logits_shapes(max_extra_dims))
    scale = draw(st.sampled_from([0.1, 1.0, 5.0, 20.0]))
    rng = draw(rngs())
    return (rng.standard_normal(shape) * scale).astype(draw(st.sampled_from(dtypes)))


@dataclass(frozen=True)
class LossCase:
    """One call of cross_entropy: logits, target and every keyword argument."""

    logits: np.ndarray
    target: np.ndarray
    weight: np.ndarray | None = None
    ignore_index: int = -100
    reduction: str = "mean"
    label_smoothing: float = 0.0

    @property
    def kwargs(self) -> dict[str, object]:
        return {
            "weight": self.weight,
            "ignore_index": self.ignore_index,
            "reduction": self.reduction,
            "label_smoothing": self.label_smoothing,
        }

    @property
    def torch_args(self) -> tuple[torch.Tensor, torch.Tensor]:
        return to_torch(self.logits), to_torch(self.target)

    @property
    def torch_kwargs(self) -> dict[str, object]:
        weight = None if self.weight is None else to_torch(self.weight)
        return {**self.kwargs, "weight": weight}


def _class_index_target(
    draw: st.DrawFn, rng: np.random.Generator, shape: tuple[int, ...]
) -> tuple[np.ndarray, int]:
    """Class indices with some, none or all positions equal to ignore_index."""
    num_classes = shape[class_axis(len(shape))]
    target = rng.integers(0, num_classes, size=index_shape(shape))
    # ignore_index is either PyTorch's default or a valid class (whose positions are then ignored).
    ignore_index = draw(st.sampled_from([-100, *range(num_classes)]))
    ignored_share = draw(st.sampled_from([0.0, 0.3, 1.0]))  # 1.0: all ignored, a NaN mean
    target = np.where(rng.random(target.shape) < ignored_share, ignore_index, target)
    return np.asarray(target, dtype=np.int64), ignore_index


def _probability_target(
    draw: st.DrawFn, rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype
) -> np.ndarray:
    """Soft targets of the logits' shape; rows sum to 1, except 'unnormalised' (torch allows it)."""
    axis = class_axis(len(shape))
    kind = draw(st.sampled_from(["soft", "one-hot", "unnormalised"]))
    raw = rng.random(shape)
    if kind == "one-hot":
        raw = (raw == raw.max(axis=axis, keepdims=True)).astype(float)
    if kind != "unnormalised":
        raw = raw / raw.sum(axis=axis, keepdims=True)
    return raw.astype(dtype)


@st.composite
def loss_cases(
    draw: st.DrawFn,
    probability_targets: bool = True,
    label_smoothing: bool = True,
    reductions: tuple[str, ...] = REDUCTIONS,
) -> LossCase:
    """Any combination of shape, dtype, target kind, weight, ignore_index, reduction, smoothing."""
    logits = draw(logits_arrays())
    rng = draw(rngs())
    shape, dtype = logits.shape, logits.dtype
    num_classes = shape[class_axis(len(shape))]
    if probability_targets and draw(st.booleans()):
        target = _probability_target(draw, rng, shape, dtype)
        ignore_index = draw(st.sampled_from([-100, -1]))  # probabilities allow only negative ones
    else:
        target, ignore_index = _class_index_target(draw, rng, shape)
    weight = rng.uniform(0.1, 3.0, num_classes).astype(dtype) if draw(st.booleans()) else None
    smoothing = 0.0
    if label_smoothing:
        smoothing = draw(st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))
    return LossCase(
        logits=logits,
        target=target,
        weight=weight,
        ignore_index=ignore_index,
        reduction=draw(st.sampled_from(reductions)),
        label_smoothing=smoothing,
    )


# ------------------------------------------------------------------ random classifiers' scores


def random_case(n: int, c: int, seed: int = 0, dtype: object = np.float32):
    """(logits (N, C), labels (N,)): standard normal logits × 2, the label's raised by 1.5."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, c, n)
    logits = (2.0 * rng.standard_normal((n, c))).astype(dtype)
    logits[np.arange(n), labels] += 1.5
    return logits, labels


def softmax64(logits: np.ndarray) -> np.ndarray:
    """torch's softmax over axis 1, in float64."""
    return torch.softmax(torch.from_numpy(logits).double(), 1).numpy()


# ------------------------------------------------------------- real classifiers' outputs
# Made from the data sets scikit-learn ships (no download), for the calibration tests and
# benchmarks/oracles.py. kNN with k neighbours gives probabilities j / k, many exactly on the
# bin edges; a random forest of 20 trees gives multiples of 1/20 (a tree's leaves, averaged).
# scikit-learn is imported only when a case is made: most core tests never need it.

CLASSIFIER_DATASETS = ("digits", "wine", "breast cancer")
CLASSIFIER_MODELS = ("kNN k=5", "kNN k=10", "random forest", "logistic regression", "naive Bayes")
CLASSIFIER_CASES = [
    (d, m, dtype)
    for d in CLASSIFIER_DATASETS
    for m in CLASSIFIER_MODELS
    for dtype in (np.float32, np.float64)
]
CLASSIFIER_CASE_IDS = [f"{d}, {m}, {dtype.__name__}" for d, m, dtype in CLASSIFIER_CASES]


@dataclass(frozen=True)
class ClassifierOutputs:
    """One fitted classifier's test-set outputs: probabilities, labels, and logits.

    `logits` are the model's own scores where it has them (logistic regression's decision
    function, naive Bayes' joint log-likelihood); otherwise log of the probabilities, lifted by
    1e-3 and renormalised where one is 0 (kNN and forests give 0 to classes they never saw
    near a sample: a loss of +inf at such a target, which no temperature can fit).
    """

    probabilities: np.ndarray  # (N, C) in the case's dtype
    labels: np.ndarray  # (N,) int64
    logits: np.ndarray  # (N, C) in the case's dtype
    own_logits: bool  # the model's scores, not log P


def _model(name: str):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "kNN k=5": lambda: KNeighborsClassifier(5),
        "kNN k=10": lambda: KNeighborsClassifier(10),
        "random forest": lambda: RandomForestClassifier(20, random_state=0),
        "logistic regression": lambda: make_pipeline(StandardScaler(), LogisticRegression()),
        "naive Bayes": GaussianNB,
    }[name]()


@cache
def classifier_outputs(dataset: str, model: str, dtype: object = np.float64) -> ClassifierOutputs:
    """The test-set outputs of `model` trained on 60 % of `dataset` (split seeded 0).

    Cached (each model is trained once a process): callers share the arrays and must not write
    to them (they stay writable, since torch.from_numpy warns about read-only arrays).
    """
    from sklearn.datasets import load_breast_cancer, load_digits, load_wine
    from sklearn.model_selection import train_test_split

    loaders = {"digits": load_digits, "wine": load_wine, "breast cancer": load_breast_cancer}
    x, y = loaders[dataset](return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.4, random_state=0)
    clf = _model(model).fit(x_train, y_train)
    p = clf.predict_proba(x_test)
    if model == "logistic regression":
        scores = clf.decision_function(x_test)
        z = np.stack([-scores / 2, scores / 2], axis=1) if scores.ndim == 1 else scores
    elif model == "naive Bayes":
        z = clf.predict_joint_log_proba(x_test)
    else:
        lifted = (p + 1e-3) / (1 + 1e-3 * p.shape[1]) if (p == 0).any() else p
        z = np.log(lifted)
    own = model in ("logistic regression", "naive Bayes")
    return ClassifierOutputs(p.astype(dtype), y_test.astype(np.int64), z.astype(dtype), own)


def torch_nll(z: np.ndarray, y: np.ndarray, temperature: float = 1.0) -> float:
    """torch's mean cross-entropy of z / T, in float64."""
    logits = torch.from_numpy(np.asarray(z, dtype=np.float64)) / temperature
    return float(torch.nn.functional.cross_entropy(logits, torch.from_numpy(np.asarray(y))))


def converged_temperature(z: np.ndarray, y: np.ndarray) -> float:
    """The float64 minimiser over T of torch's mean NLL of z / T, independent of xentcore.

    A grid of 241 points over log T from 1e-6 to 1e6 times the largest gap between a row's
    highest and lowest logit (T acts through z / T, so the minimum scales with the logits; the
    NLL is unimodal in log T), then golden-section search around the grid's best point down to
    1e-12 in log T.
    """
    gap = float(np.max(z.max(axis=1) - z.min(axis=1))) or 1.0
    grid = np.linspace(np.log(1e-6 * gap), np.log(1e6 * gap), 241)

    def nll(u: float) -> float:
        return torch_nll(z, y, float(np.exp(u)))

    best = int(np.argmin([nll(u) for u in grid]))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    ratio = (np.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(a), nll(b)
    while hi - lo > 1e-12:
        if fa < fb:  # the minimum lies in [lo, b]: b becomes the upper end, a the inner point
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(b)
    return float(np.exp((lo + hi) / 2))
