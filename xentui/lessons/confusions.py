"""What people get wrong about PyTorch's cross-entropy, each put to PyTorch itself on the reader's
numbers: the value it returns, or the error it raises, caught and shown word for word.

torch is imported on first use (it costs over a second); every function here calls it, so that
the page shows PyTorch's behaviour, not a description of it. Each builder is pure: numbers in,
a frozen result out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xentui.domain.limits import IGNORE_INDEX
from xentui.kit.format import fmt

__all__ = [
    "FRESH_INPUTS",
    "CeMseGradients",
    "DoubleSigmoid",
    "IgnoredSmoothing",
    "Outcome",
    "PosWeightOutcome",
    "TwoLogits",
    "UntrainedLoss",
    "WeightsWithProbabilities",
    "ce_vs_mse_frame",
    "ce_vs_mse_gradients",
    "double_sigmoid",
    "ignored_smoothing_frame",
    "ignored_with_smoothing",
    "masked_logits",
    "outcomes_frame",
    "pos_weight_outcome",
    "target_mistakes",
    "torch_number",
    "two_logits_as_binary",
    "untrained_loss",
    "weights_with_probability_targets",
]

# Refusals PyTorch raises for a bad call; anything else is a bug and must surface.
_REFUSALS = (RuntimeError, ValueError, IndexError)


def _torch():
    import torch  # on first use: Python keeps the module, later calls are a look-up

    return torch


def _f():
    return _torch().nn.functional


@dataclass(frozen=True)
class Outcome:
    """One call as a reader would type it, and what PyTorch did: a value or its error."""

    what: str
    call: str
    value: float | None
    error: str | None  # "RuntimeError: …", PyTorch's own words

    @property
    def shown(self) -> str:
        """The value (inf and nan as torch prints them), or the error."""
        return self.error if self.error is not None else torch_number(self.value)


def torch_number(value: float) -> str:
    """`fmt`, but inf and nan as torch prints them.

    >>> torch_number(2.40760596), torch_number(float("inf")), torch_number(float("nan"))
    ('2.4076', 'inf', 'nan')
    """
    return fmt(value) if math.isfinite(value) else str(value)


def _call(what: str, call: str, thunk) -> Outcome:
    try:
        value = float(thunk())
    except _REFUSALS as problem:
        return Outcome(what, call, None, f"{type(problem).__name__}: {str(problem).strip()}")
    return Outcome(what, call, value, None)


def _tensor(values: object, dtype: str = "float32"):
    return _torch().from_numpy(np.ascontiguousarray(np.asarray(values, dtype=dtype)))


# ------------------------------------------------------------------------------ target dtype/shape


def target_mistakes(logits: np.ndarray, targets: np.ndarray) -> tuple[Outcome, ...]:
    """F.cross_entropy on (N, C) logits with the right target, then with four wrong ones.

    Float class indices, an (N, 1) column, an index ≥ C and a one-hot row of integers: PyTorch
    refuses each, and its message is returned as it raised it.

    >>> out = target_mistakes(np.array([[1.0, 2, 3], [2, 4, 6]]), np.array([0, 2]))
    >>> [o.error for o in out[1:3]]  # doctest: +NORMALIZE_WHITESPACE
    ['RuntimeError: expected target dtype to be Long or Byte, but got Float',
     'RuntimeError: 0D or 1D target tensor expected, multi-target not supported']
    """
    x = _tensor(logits)
    t = _tensor(targets, "int64")
    n, c = x.shape
    f = _f()
    out_of_range = t.clone()
    out_of_range[0] = c
    one_hot = f.one_hot(t, c)
    return (
        _call(
            "class indices, int64 (right)", "F.cross_entropy(x, t)", lambda: f.cross_entropy(x, t)
        ),
        _call(
            "class indices as floats",
            "F.cross_entropy(x, t.float())",
            lambda: f.cross_entropy(x, t.float()),
        ),
        _call(
            f"a ({n}, 1) column of indices",
            "F.cross_entropy(x, t[:, None])",
            lambda: f.cross_entropy(x, t[:, None]),
        ),
        _call(
            f"an index out of range: {c}, with C = {c}",
            f"t[0] = {c}; F.cross_entropy(x, t)",
            lambda: f.cross_entropy(x, out_of_range),
        ),
        _call(
            "one-hot rows of integers",
            "F.cross_entropy(x, F.one_hot(t, C))",
            lambda: f.cross_entropy(x, one_hot),
        ),
    )


# ------------------------------------------------------------------------------ ignore_index


@dataclass(frozen=True, eq=False)
class IgnoredSmoothing:
    """Label smoothing with ignore_index, per sample and reduced, as PyTorch computes it."""

    epsilon: float
    losses: np.ndarray  # (N,) reduction="none": 0 for an ignored sample, smoothing term included
    kept: np.ndarray  # (N,) bool
    mean: float  # PyTorch's mean: Σ losses / number kept (NaN when none is kept)
    over_batch_size: float  # Σ losses / N, the mean people expect
    all_ignored_mean: float  # every sample ignored: PyTorch's mean, NaN (0 / 0)
    all_ignored_sum: float  # … and its reduction="sum", 0


def ignored_with_smoothing(
    logits: np.ndarray, targets: np.ndarray, ignored: np.ndarray, epsilon: float
) -> IgnoredSmoothing:
    """F.cross_entropy(x, t, ignore_index=-100, label_smoothing=ε) with the chosen samples ignored.

    An ignored sample loses its smoothing term too (its loss is exactly 0) and leaves the count
    the mean divides by; when every sample is ignored the mean is 0 / 0 = NaN.

    >>> r = ignored_with_smoothing(np.array([[1.0, 2, 3], [2, 4, 6]]), [0, 2], [False, True], 0.1)
    >>> [round(float(v), 4) for v in r.losses], round(r.mean, 4), round(r.over_batch_size, 4)
    ([2.3076, 0.0], 2.3076, 1.1538)
    >>> r.all_ignored_mean, r.all_ignored_sum
    (nan, 0.0)
    """
    x = _tensor(logits)
    kept = ~np.asarray(ignored, dtype=bool)
    t = _tensor(np.where(kept, targets, IGNORE_INDEX), "int64")
    nobody = _torch().full_like(t, IGNORE_INDEX)
    f = _f()

    def loss(target, reduction: str):
        return f.cross_entropy(
            x,
            target,
            ignore_index=IGNORE_INDEX,
            label_smoothing=float(epsilon),
            reduction=reduction,
        )

    losses = loss(t, "none").numpy().astype(np.float64)
    return IgnoredSmoothing(
        epsilon=float(epsilon),
        losses=losses,
        kept=kept,
        mean=float(loss(t, "mean")),
        over_batch_size=float(losses.sum() / losses.size),
        all_ignored_mean=float(loss(nobody, "mean")),
        all_ignored_sum=float(loss(nobody, "sum")),
    )


def ignored_smoothing_frame(result: IgnoredSmoothing, labels: list[str]) -> pd.DataFrame:
    """One row per sample: kept or ignored, and PyTorch's smoothed loss for it."""
    return pd.DataFrame(
        {
            "sample": labels,
            "in the mean?": np.where(result.kept, "yes", "ignored"),
            f"loss, label_smoothing={result.epsilon:g}": [torch_number(v) for v in result.losses],
        }
    )


# ------------------------------------------------------------------------ weights, soft targets


@dataclass(frozen=True)
class WeightsWithProbabilities:
    """The same weighted losses reduced by PyTorch with class indices and with one-hot targets."""

    with_indices: float  # Σ w[t] ℓ / Σ w[t]
    with_probabilities: float  # Σ w[t] ℓ / N: probability targets divide by N
    weight_sum: float
    num_samples: int


def weights_with_probability_targets(
    logits: np.ndarray, targets: np.ndarray, weights: np.ndarray
) -> WeightsWithProbabilities:
    """F.cross_entropy(x, t, weight=w) against F.cross_entropy(x, one_hot(t).float(), weight=w).

    The targets say the same thing; the means differ because with probability targets PyTorch
    divides by N, not by the sum of the targets' weights.

    >>> r = weights_with_probability_targets(np.array([[1.0, 2, 3], [2, 4, 6]]), [0, 2], [2, 1, 1])
    >>> round(r.with_indices, 4), round(r.with_probabilities, 4), r.weight_sum
    (1.6527, 2.4791, 3.0)
    """
    x, t, w = _tensor(logits), _tensor(targets, "int64"), _tensor(weights)
    f = _f()
    soft = f.one_hot(t, x.shape[1]).to(x.dtype)
    return WeightsWithProbabilities(
        with_indices=float(f.cross_entropy(x, t, weight=w)),
        with_probabilities=float(f.cross_entropy(x, soft, weight=w)),
        weight_sum=float(np.asarray(weights, dtype=np.float64)[np.asarray(targets)].sum()),
        num_samples=int(x.shape[0]),
    )


# ------------------------------------------------------------------------------ −inf masks


def masked_logits(logits: np.ndarray, target: int) -> tuple[Outcome, ...]:
    """The sample's loss with each class masked by a −inf logit, then with every class masked.

    A masked class other than the target is simply left out of the softmax; masking the target
    gives inf; masking all gives NaN (−inf − (−inf)).

    >>> [o.shown for o in masked_logits(np.array([1.0, 2.0, 3.0]), 0)]
    ['2.4076', 'inf', '2.1269', '1.3133', 'nan']
    """
    z = np.asarray(logits, dtype=np.float32)
    t = _tensor([target], "int64")
    f = _f()

    def with_mask(mask: np.ndarray):
        return lambda: f.cross_entropy(_tensor(np.where(mask, -np.inf, z)[None]), t)

    c = z.size
    rows = [_call("nothing masked", "F.cross_entropy(z, t)", with_mask(np.zeros(c, bool)))]
    for k in range(c):
        mask = np.arange(c) == k
        what = f"class {k} masked" + (" (the target)" if k == target else "")
        rows.append(_call(what, f"z[{k}] = -inf", with_mask(mask)))
    rows.append(_call("every class masked", "z[:] = -inf", with_mask(np.ones(c, bool))))
    return tuple(rows)


def outcomes_frame(outcomes: tuple[Outcome, ...], what: str) -> pd.DataFrame:
    """Calls as a table: what each is (column `what`), the code, what PyTorch returned or raised."""
    return pd.DataFrame(
        {
            what: [o.what for o in outcomes],
            "code": [o.call for o in outcomes],
            "PyTorch": [o.shown for o in outcomes],
        }
    )


# ------------------------------------------------------------------------------ binary


@dataclass(frozen=True)
class DoubleSigmoid:
    """BCE-with-logits on the logit (right) and on σ(logit) (a sigmoid too many)."""

    right: float
    wrong: float
    floor: float  # the least the wrong call can report for this y: σ(x) lies in (0, 1)
    ceiling: float  # … and the most


def _bce_of_logit(s: float, y: float) -> float:
    return (1 - y) * s + math.log1p(math.exp(-s))


def double_sigmoid(logit: float, y: float) -> DoubleSigmoid:
    """binary_cross_entropy_with_logits(x, y) against the same call on torch.sigmoid(x).

    The second applies σ twice: its input σ(x) lies in (0, 1), so the loss cannot leave the
    range of ℓ(s) = (1 − y)s + log(1 + e^−s) over s in [0, 1] — a hopeless logit and a perfect
    one report nearly the same.

    >>> r = double_sigmoid(8.0, 1.0)
    >>> round(r.right, 4), round(r.wrong, 4), round(r.floor, 4), round(r.ceiling, 4)
    (0.0003, 0.3134, 0.3133, 0.6931)
    """
    torch, f = _torch(), _f()
    x, target = torch.tensor([float(logit)]), torch.tensor([float(y)])
    right = float(f.binary_cross_entropy_with_logits(x, target))
    wrong = float(f.binary_cross_entropy_with_logits(torch.sigmoid(x), target))
    ends = [_bce_of_logit(0.0, y), _bce_of_logit(1.0, y)]
    if 0 < y < 1 and 0 < (lowest := math.log(y / (1 - y))) < 1:  # the convex curve's bottom
        ends.append(_bce_of_logit(lowest, y))
    return DoubleSigmoid(right, wrong, min(ends), max(ends))


@dataclass(frozen=True, eq=False)
class PosWeightOutcome:
    """binary_cross_entropy_with_logits with a pos_weight of the shape typed."""

    outcome: Outcome
    weights: np.ndarray | None  # (N, L) the pos_weight each entry got, when it broadcast
    per_label: bool  # the shape was (L,) or (1,): one weight per label, as intended


def pos_weight_outcome(
    logits: np.ndarray, targets: np.ndarray, pos_weight: np.ndarray
) -> PosWeightOutcome:
    """PyTorch's multi-label loss with `pos_weight` as typed: broadcast against (N, L), or refused.

    pos_weight is meant to hold one weight per label, shape (L,), lined up with the last axis. A
    column (N, 1) also broadcasts — silently weighting samples instead of labels.

    >>> z, y = np.array([[0.5, -1, 2], [1, 0, -2]]), np.array([[1.0, 0, 1], [0, 1, 0]])
    >>> round(pos_weight_outcome(z, y, np.array([1.0, 2, 3])).outcome.value, 4)
    0.6658
    >>> pos_weight_outcome(z, y, np.array([1.0, 2])).outcome.error[:56]
    'RuntimeError: The size of tensor a (2) must match the si'
    """
    x, y, pw = _tensor(logits), _tensor(targets), _tensor(pos_weight)
    shape = "(" + ", ".join(str(s) for s in pw.shape) + ("," if pw.dim() == 1 else "") + ")"
    call = f"F.binary_cross_entropy_with_logits(z, y, pos_weight=pw)  # pw.shape = {shape}"
    outcome = _call(
        "pos_weight", call, lambda: _f().binary_cross_entropy_with_logits(x, y, pos_weight=pw)
    )
    weights = None
    if outcome.error is None:
        weights = np.broadcast_to(np.asarray(pos_weight, dtype=np.float64), x.shape).copy()
    per_label = pw.dim() == 1 and pw.shape[0] in (1, x.shape[-1])
    return PosWeightOutcome(outcome, weights, per_label)


@dataclass(frozen=True, eq=False)
class TwoLogits:
    """Two-class softmax cross-entropy and BCE-with-logits of the logit difference, by torch."""

    softmax_ce: np.ndarray  # (N,) F.cross_entropy(z, [1 − y, y], reduction="none")
    bce_of_difference: np.ndarray  # (N,) F.binary_cross_entropy_with_logits(z1 − z0, y, …)

    @property
    def largest_gap(self) -> float:
        return float(np.max(np.abs(self.softmax_ce - self.bce_of_difference)))


def two_logits_as_binary(logits: np.ndarray, y: float) -> TwoLogits:
    """softmax([z0, z1]) is σ(z1 − z0) on class 1: the two losses are one, up to float32 rounding.

    >>> r = two_logits_as_binary(np.array([[0.5, 2.0], [3.0, -1.0]]), 1.0)
    >>> [round(float(v), 4) for v in r.softmax_ce], r.largest_gap < 1e-6
    ([0.2014, 4.0181], True)
    """
    torch, f = _torch(), _f()
    z = _tensor(logits)
    q = torch.tensor([[1.0 - float(y), float(y)]]).expand(z.shape[0], 2)
    ce = f.cross_entropy(z, q, reduction="none")
    bce = f.binary_cross_entropy_with_logits(
        z[:, 1] - z[:, 0], q[:, 1].contiguous(), reduction="none"
    )
    return TwoLogits(ce.numpy().astype(np.float64), bce.numpy().astype(np.float64))


# ------------------------------------------------------------------------------ ln C


@dataclass(frozen=True)
class UntrainedLoss:
    """What an untrained classifier scores on the scenario's targets, by PyTorch."""

    uniform: float  # F.cross_entropy(zeros(N, C), t): exactly ln C
    fresh_linear: float  # a freshly initialised nn.Linear(16, C) on FRESH_INPUTS random inputs
    log_c: float


FRESH_INPUTS = 1_000


def untrained_loss(targets: np.ndarray, num_classes: int, seed: int = 0) -> UntrainedLoss:
    """Equal logits cost ln C whatever the targets; a fresh layer's small logits cost about as much.

    The fresh layer (PyTorch's default initialisation) scores FRESH_INPUTS standard-normal
    inputs whose targets cycle through the scenario's: its logits are small but not equal, so
    it pays a little more than ln C.

    >>> r = untrained_loss(np.array([0, 2]), 3)
    >>> round(r.uniform, 4), round(r.log_c, 4), 0 < r.fresh_linear - r.log_c < 0.3
    (1.0986, 1.0986, True)
    """
    torch, f = _torch(), _f()
    t = _tensor(targets, "int64")
    cycled = _tensor(np.resize(np.asarray(targets), FRESH_INPUTS), "int64")
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():  # the global generator is the server's: left as it was
        torch.manual_seed(seed)
        layer = torch.nn.Linear(16, num_classes)
    features = torch.randn(FRESH_INPUTS, 16, generator=generator)
    with torch.no_grad():
        fresh = float(f.cross_entropy(layer(features), cycled))
    uniform = float(f.cross_entropy(torch.zeros(t.shape[0], num_classes), t))
    return UntrainedLoss(uniform, fresh, math.log(num_classes))


# ------------------------------------------------------------------------------ CE against MSE


@dataclass(frozen=True, eq=False)
class CeMseGradients:
    """∂/∂z of cross-entropy and of MSE on softmax, by autograd, as the target's logit drops."""

    shifts: np.ndarray  # (S,) how far the target's logit is lowered from the typed value
    p_target: np.ndarray  # (S,)
    ce_target: np.ndarray  # (S,) ∂CE/∂z_target = p_t − 1
    mse_target: np.ndarray  # (S,) ∂MSE/∂z_target, MSE = Σ_c (p_c − y_c)²
    ce: np.ndarray  # (C,) the full gradients at the typed logits
    mse: np.ndarray  # (C,)


_SHIFTS = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 15.0, 20.0)


def ce_vs_mse_gradients(logits: np.ndarray, target: int) -> CeMseGradients:
    """Both gradients by torch autograd at the logits, then with the target's logit lowered.

    MSE's gradient passes through softmax's Jacobian, which vanishes as p_target → 0: a
    confidently wrong model learns slowest exactly where it is most wrong. CE's stays near −1.

    >>> g = ce_vs_mse_gradients(np.array([1.0, 2.0, 3.0]), 0)
    >>> round(float(g.ce_target[-1]), 4), abs(float(g.mse_target[-1])) < 1e-8
    (-1.0, True)
    """
    torch, f = _torch(), _f()
    base = np.asarray(logits, dtype=np.float64)
    rows = []
    for shift in _SHIFTS:
        z = base.copy()
        z[target] -= shift
        grads = []
        for loss_of in (
            lambda x: f.cross_entropy(x[None], torch.tensor([target])),
            lambda x: ((f.softmax(x, 0) - f.one_hot(torch.tensor(target), x.numel())) ** 2).sum(),
        ):
            x = torch.tensor(z, requires_grad=True)
            loss_of(x).backward()
            grads.append(x.grad.numpy().copy())
        p = float(f.softmax(torch.tensor(z), 0)[target])
        rows.append((p, grads[0], grads[1]))
    return CeMseGradients(
        shifts=np.asarray(_SHIFTS),
        p_target=np.asarray([r[0] for r in rows]),
        ce_target=np.asarray([r[1][target] for r in rows]),
        mse_target=np.asarray([r[2][target] for r in rows]),
        ce=rows[0][1],
        mse=rows[0][2],
    )


def ce_vs_mse_frame(g: CeMseGradients, logit: float) -> pd.DataFrame:
    """One row per lowered target logit: p(target) and both gradients on the target's logit."""
    return pd.DataFrame(
        {
            "target's logit": [fmt(logit - s) for s in g.shifts],
            "p(target)": [f"{p:.3g}" for p in g.p_target],
            "∂CE/∂z_target": [fmt(v) for v in g.ce_target],
            "∂MSE/∂z_target": [f"{v:.3g}" for v in g.mse_target],
        }
    )
