"""A scenario: everything the Playground shows is a function of one of these.

Classes, logits, one target per sample (a class index, or a row of probabilities), the samples to
ignore, and the loss options. Scenarios are immutable and plain (tuples of numbers and strings), so
they hash, compare and serialise to a link without surprises. The shipped scenarios (the default,
the presets, random draws) live in `xentui.domain.presets`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

__all__ = ["Scenario"]


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
