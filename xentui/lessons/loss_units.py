"""A Learn page's headline loss in the reader's unit (the sidebar's nats or bits switch).

In nats, PyTorch's own unit, the number stands alone, as the pages have always printed it (and
as old links' recorded pages show it); in bits it carries its unit, so that a number that is not
PyTorch's never passes for one. The conversion is `xentui.kit.units.in_unit`.
"""

from __future__ import annotations

from xentui.kit.format import fmt
from xentui.kit.units import in_unit, loss_text

__all__ = ["HELP", "metric_value"]

HELP = "In the unit chosen in the sidebar: nats (natural log, as PyTorch) or bits = nats / ln 2."


def metric_value(loss_nats: float, unit: str) -> str:
    """The loss for a headline metric: bare in nats, with "bits" after it in bits.

    >>> metric_value(2.40760596, "nats"), metric_value(2.40760596, "bits")
    ('2.4076', '3.4734 bits')
    >>> metric_value(float("inf"), "bits")
    '∞ bits'
    """
    return fmt(in_unit(loss_nats, unit)) if unit == "nats" else loss_text(loss_nats, unit)
