"""A loss in nats or bits, its perplexity, and the loss of a uniform guess: one way to show them.

xentcore computes every loss in nats (natural log), as PyTorch does. Bits are the same quantity
over ln 2. Perplexity e^CE does not depend on the unit: it is the number of equally likely
classes that would give the same loss, "the effective number of classes". ln C is the loss of a
uniform guess over C classes, which is also what a freshly initialised classifier scores.
"""

from __future__ import annotations

import math

from xentui.kit.format import fmt

__all__ = [
    "UNITS",
    "UNIT_HELP",
    "in_unit",
    "loss_text",
    "perplexity",
    "perplexity_text",
    "uniform_loss",
]

UNITS = ("nats", "bits")
UNIT_HELP = (
    "In the unit chosen in the sidebar: nats (natural log, as PyTorch) or bits = nats / ln 2."
)


def _check_unit(unit: object) -> str:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")
    return unit  # type: ignore[return-value]


def in_unit(loss_nats: float, unit: str = "nats") -> float:
    """`loss_nats` in `unit`.

    >>> round(in_unit(math.log(4), "bits"), 12), in_unit(1.5, "nats")
    (2.0, 1.5)
    """
    return loss_nats / math.log(2) if _check_unit(unit) == "bits" else loss_nats


def loss_text(loss_nats: float, unit: str = "nats", digits: int = 4) -> str:
    """The loss with its unit, as every page writes it.

    >>> loss_text(2.40760596, "nats"), loss_text(2.40760596, "bits")
    ('2.4076 nats', '3.4734 bits')
    """
    return f"{fmt(in_unit(loss_nats, unit), digits)} {unit}"


def perplexity(loss_nats: float) -> float:
    """e^CE: how many equally likely classes would give this mean loss (∞ past float range).

    >>> perplexity(math.log(3))
    3.0000000000000004
    """
    return math.exp(loss_nats) if loss_nats < 709.78 else math.inf


def perplexity_text(loss_nats: float) -> str:
    """Perplexity in words.

    >>> perplexity_text(0.0), perplexity_text(math.log(10))
    ('1.00 (as sure as one class)', '10.00 (as unsure as 10.00 equally likely classes)')
    """
    value = perplexity(loss_nats)
    if value < 1.005:
        return f"{value:.2f} (as sure as one class)"
    shown = "∞" if math.isinf(value) else f"{value:.2f}" if value < 1e6 else f"{value:.3g}"
    return f"{shown} (as unsure as {shown} equally likely classes)"


def uniform_loss(n_classes: int) -> float:
    """ln C, the cross-entropy of a uniform guess over `n_classes` classes, in nats.

    >>> round(uniform_loss(10), 4)
    2.3026
    """
    if not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"n_classes must be a whole number ≥ 1; got {n_classes!r}")
    return math.log(n_classes)
