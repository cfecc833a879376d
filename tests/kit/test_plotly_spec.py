"""Marks that carry meaning read on both themes: figures follow Streamlit's light or dark one."""

from __future__ import annotations

import pytest

from xentui.kit.plotly_spec import OUTLINE
from xentui.lessons.gradients import DOWN_COLOUR, UP_COLOUR

# Streamlit's two backgrounds: the light theme's and the dark theme's.
BACKGROUNDS = {"light": "#ffffff", "dark": "#0e1117"}
GRAPHICS_CONTRAST = 3.0  # WCAG 2.x, 1.4.11: graphical objects that carry meaning


def _luminance(colour: str) -> float:
    """WCAG's relative luminance of "#rrggbb"."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_matches_wcag_s_own_extremes():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", list(BACKGROUNDS))
@pytest.mark.parametrize("colour", [OUTLINE, DOWN_COLOUR, UP_COLOUR])
def test_meaningful_marks_stand_out_on_either_background(colour, theme):
    assert contrast(colour, BACKGROUNDS[theme]) >= GRAPHICS_CONTRAST
