"""A scenario: everything the Playground shows is a function of one of these.

Classes, logits, one target per sample (a class index, or a row of probabilities), the samples to
ignore, and the loss options. Scenarios are immutable and plain (tuples of numbers and strings), so
they hash, compare and serialise to a link without surprises. Presets reproduce the seed documents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

__all__ = [
    "DEFAULT_SCENARIO",
    "LOGIT_LIMIT",
    "MAX_CLASSES",
    "MAX_SAMPLES",
    "PRECISIONS",
    "PRESETS",
    "REDUCTIONS",
    "TEMPERATURE_RANGE",
    "Scenario",
    "random_scenario",
]

from xentui.domain.limits import (
    LOGIT_LIMIT,
    MAX_CLASSES,
    MAX_SAMPLES,
    PRECISIONS,
    REDUCTIONS,
    TEMPERATURE_RANGE,
)


@dataclass(frozen=True)
class Scenario:
    """An (N, C) classification example and the options of its loss.

    targets holds a class index per sample; soft_targets, when set, an (N, C) probability table that
    replaces them (PyTorch's probability targets). weights, when set, has one entry per class.
    """

    classes: tuple[str, ...]
    logits: tuple[tuple[float, ...], ...]
    targets: tuple[int, ...]
    ignored: tuple[bool, ...] = ()
    soft_targets: tuple[tuple[float, ...], ...] | None = None
    weights: tuple[float, ...] | None = None
    reduction: str = "mean"
    label_smoothing: float = 0.0
    temperature: float = 1.0
    precision: str = "float32"
    title: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        # Normalise so that equal scenarios compare equal whatever sequence types built them.
        object.__setattr__(self, "classes", tuple(str(c) for c in self.classes))
        object.__setattr__(self, "logits", tuple(tuple(float(v) for v in r) for r in self.logits))
        object.__setattr__(self, "targets", tuple(int(t) for t in self.targets))
        ignored = tuple(bool(i) for i in self.ignored) or (False,) * len(self.targets)
        object.__setattr__(self, "ignored", ignored)
        if self.soft_targets is not None:
            soft = tuple(tuple(float(v) for v in r) for r in self.soft_targets)
            object.__setattr__(self, "soft_targets", soft)
        if self.weights is not None:
            object.__setattr__(self, "weights", tuple(float(w) for w in self.weights))
        object.__setattr__(self, "label_smoothing", float(self.label_smoothing))
        object.__setattr__(self, "temperature", float(self.temperature))

    @property
    def num_samples(self) -> int:
        return len(self.logits)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(self.precision)

    def logits_array(self) -> np.ndarray:
        shape = (self.num_samples, self.num_classes)
        return np.asarray(self.logits, dtype=np.float64).reshape(shape).astype(self.dtype)

    def scaled_logits(self) -> np.ndarray:
        """Logits divided by the temperature — what softmax and the loss see."""
        if self.temperature == 1.0:
            return self.logits_array()
        return (self.logits_array() / self.dtype.type(self.temperature)).astype(self.dtype)

    def with_options(self, **changes: object) -> Scenario:
        return replace(self, **changes)


def _from_probabilities(probs: list[list[float]]) -> tuple[tuple[float, ...], ...]:
    """Logits whose softmax is exactly `probs`: log p (a zero probability would need −inf)."""
    return tuple(tuple(math.log(p) for p in row) for row in probs)


DEFAULT_SCENARIO = Scenario(
    title="Walkthrough: cat, dog, pig",
    classes=("cat", "dog", "pig"),
    logits=((1, 2, 3), (2, 4, 6)),
    targets=(0, 2),
)

PRESETS: dict[str, Scenario] = {
    "Walkthrough: cat, dog, pig (mean 1.2753)": DEFAULT_SCENARIO,
    "PyTorch explainer: confident and right (0.0037)": Scenario(
        title="PyTorch explainer: 4 outputs, target class 3",
        classes=("class 0", "class 1", "class 2", "class 3"),
        logits=((4, 3, 2, 10),),
        targets=(3,),
        reduction="none",
    ),
    "PyTorch explainer: confident and wrong (16.0)": Scenario(
        title="PyTorch explainer: the highest logit is not the target",
        classes=("class 0", "class 1", "class 2", "class 3"),
        logits=((20, 2, 3, 4),),
        targets=(3,),
        reduction="none",
    ),
    "PyTorch explainer: (1, 4, 2) output, one row per position": Scenario(
        title="PyTorch explainer: a 1×4×2 output; each row is one of the 2 positions",
        classes=("class 0", "class 1", "class 2", "class 3"),
        logits=((4, 3, 2, 10), (10, 2, 3, 4)),
        targets=(3, 1),
        reduction="none",
    ),
    "PyTorch explainer: (2, 4, 2) output, one row per position": Scenario(
        title="PyTorch explainer: a 2×4×2 output; rows are (sample, position) pairs",
        classes=("class 0", "class 1", "class 2", "class 3"),
        logits=((4, 3, 2, 2), (4, 3, 2, 20), (20, 3, 2, 10), (20, 3, 2, 10)),
        targets=(3, 3, 0, 0),
        reduction="none",
    ),
    "Notebook: one sample, good prediction (0.4170)": Scenario(
        title="NumPy vs PyTorch notebook: good logits",
        classes=("class 0", "class 1", "class 2"),
        logits=((2.0, 1.0, 0.1),),
        targets=(0,),
    ),
    "Notebook: one sample, bad prediction (1.8406)": Scenario(
        title="NumPy vs PyTorch notebook: bad logits",
        classes=("class 0", "class 1", "class 2"),
        logits=((0.5, 2.0, 0.3),),
        targets=(0,),
    ),
    "Notebook: three samples, good predictions (0.3018)": Scenario(
        title="NumPy vs PyTorch notebook: three samples, good logits",
        classes=("class 0", "class 1", "class 2"),
        logits=((0.1, 1.0, 2.1), (2.0, 1.0, 0.1), (0.1, 3.0, 0.1)),
        targets=(2, 0, 1),
    ),
    "Notebook: three samples, bad predictions (1.6242)": Scenario(
        title="NumPy vs PyTorch notebook: three samples, bad logits",
        classes=("class 0", "class 1", "class 2"),
        logits=((2.1, 1.0, 0.1), (0.1, 1.0, 2.1), (0.1, 3.0, 0.1)),
        targets=(2, 0, 1),
    ),
    "Notebook: from probabilities [0.7, 0.2, 0.1] and [0.1, 0.3, 0.6] (0.3567, 2.3026)": Scenario(
        title="NumPy vs PyTorch notebook: probabilities in, logits = log p",
        classes=("class 0", "class 1", "class 2"),
        logits=_from_probabilities([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]),
        targets=(0, 0),
        reduction="none",
        precision="float64",
    ),
    "Walkthrough: reference answer 0.71355817782": Scenario(
        title="Walkthrough: predictions [0.25]*4 and [0.01, 0.01, 0.02, 0.96], target class 3",
        classes=("class 0", "class 1", "class 2", "class 3"),
        # The seed's second row [0.01, 0.01, 0.01, 0.96] sums to 0.99, which softmax would rescale
        # (p = 0.9697, mean 0.7085). Its answer only uses p(target) = 0.96, so the missing 0.01
        # goes to a wrong class and the row sums to 1.
        logits=_from_probabilities([[0.25, 0.25, 0.25, 0.25], [0.01, 0.01, 0.02, 0.96]]),
        targets=(3, 3),
        precision="float64",
    ),
    "Walkthrough: binary, prediction [0.01, 0.99] (0.01005034)": Scenario(
        title="Walkthrough: target [0, 1] (dog), prediction [0.01, 0.99]",
        classes=("cat", "dog"),
        logits=_from_probabilities([[0.01, 0.99]]),
        targets=(1,),
        precision="float64",
    ),
}


def random_scenario(
    num_samples: int, num_classes: int, seed: int, spread: float, classes: tuple[str, ...] = ()
) -> Scenario:
    """Logits drawn from N(0, spread²) and uniformly random targets, reproducible from the seed."""
    if not 1 <= num_samples <= MAX_SAMPLES:
        raise ValueError(f"num_samples must be in [1, {MAX_SAMPLES}]; got {num_samples}")
    if not 2 <= num_classes <= MAX_CLASSES:
        raise ValueError(f"num_classes must be in [2, {MAX_CLASSES}]; got {num_classes}")
    if not 0 < spread <= 100:
        raise ValueError(f"spread must be in (0, 100]; got {spread}")
    rng = np.random.default_rng(seed)
    logits = np.round(rng.normal(0.0, spread, size=(num_samples, num_classes)), 2)
    names = (
        classes if len(classes) == num_classes else tuple(f"class {c}" for c in range(num_classes))
    )
    return Scenario(
        title=f"Random: seed {seed}, spread {spread:g}",
        classes=names,
        logits=tuple(map(tuple, logits.tolist())),
        targets=tuple(rng.integers(0, num_classes, size=num_samples).tolist()),
    )
