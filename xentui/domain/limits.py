"""Every limit and tolerance of a scenario, written once; every way in reads them from here.

The editors, the share-link decoder, presets, "Random", the Learn pages' text boxes and
URL-bound controls and "open in the Playground" all refuse the same values, because they all ask
`xentui.domain.validation`, which reads these numbers.
"""

from __future__ import annotations

__all__ = [
    "IGNORE_INDEX",
    "LOGIT_LIMIT",
    "MAX_CLASSES",
    "MAX_NAME_CHARS",
    "MAX_SAMPLES",
    "MAX_TEXT_CHARS",
    "PRECISIONS",
    "PROBABILITY_SUM_TOLERANCE",
    "REDUCTIONS",
    "SMOOTHING_RANGE",
    "SPREAD_RANGE",
    "TEMPERATURE_RANGE",
    "WEIGHT_LIMIT",
]

# A scenario is a worked example that fits on a screen; larger data belongs on "Your model".
MAX_SAMPLES = 64
MAX_CLASSES = 32
MAX_NAME_CHARS = 40
# Logits beyond ±1e6 say nothing a smaller number would not, and turn every figure into a wall.
# The bound also keeps every value finite in float32 (max 3.4e38) through softmax and the loss.
LOGIT_LIMIT = 1e6
# A class weight rescales its samples' losses; beyond 1e6 it only hides the other classes, and
# w · loss stays far inside float32 (loss ≤ 2e6 for |logits| ≤ 1e6).
WEIGHT_LIMIT = 1e6
TEMPERATURE_RANGE = (0.05, 20.0)
SMOOTHING_RANGE = (0.0, 1.0)
REDUCTIONS = ("mean", "sum", "none")
# float32 is PyTorch's default dtype, so it is ours: the seeds' printed digits (1.1921e-07 is one
# float32 step above 1) come from it. float64 shows what the exact arithmetic would give.
PRECISIONS = ("float32", "float64")
# A row of probabilities must sum to 1 within this. It forgives typed and rounded decimals
# (three classes at 0.333 sum to 0.999) and float32 softmax outputs; PyTorch itself never checks.
PROBABILITY_SUM_TOLERANCE = 1e-3
# PyTorch's default ignore_index: a target of −100 leaves its sample out of the loss.
IGNORE_INDEX = -100
# A text box holds a worked example, not a data set: longer text is refused before it is split.
MAX_TEXT_CHARS = 4_000
# "Random" draws logits from N(0, spread²): below 0.1 every class looks alike, above 100 the
# logits leave the range worth reading.
SPREAD_RANGE = (0.1, 100.0)
# One server process serves a whole class, so one session may not take its time from the others:
# past a burst of RERUN_BURST quick reruns (a flurry of clicks), a session's reruns start at most
# RERUNS_PER_SECOND a second. A person never sustains that pace; a script hammering a page does.
# A paced run waits at most one interval, and runs asked for meanwhile merge into it.
RERUNS_PER_SECOND = 2.0
RERUN_BURST = 5
