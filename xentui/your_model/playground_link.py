"""A sample (one of the worst, or one a figure drills down to) as a Playground scenario.

The draft goes through `xentui.domain.validation.check_scenario`, the one check every way into the
Playground passes, after being fitted to its limits (xentui.domain.limits): at most MAX_CLASSES
classes, names of at most MAX_NAME_CHARS printable characters, all distinct, logits within
±LOGIT_LIMIT. A sample with more classes keeps its target and the classes with the highest
logits; the rest become one class whose logit is the log-sum-exp of theirs. The softmax
denominator is then unchanged, so every kept probability, and the sample's loss, are exactly
those of the full sample.
"""

from __future__ import annotations

import numpy as np

from xentcore import logsumexp
from xentui.domain.limits import LOGIT_LIMIT, MAX_CLASSES, MAX_NAME_CHARS
from xentui.domain.scenario import Scenario
from xentui.domain.validation import check_scenario
from xentui.kit.problems import quote
from xentui.your_model.analysis import Analysis

__all__ = ["IMPOSSIBLE_LOGIT", "sample_scenario", "worst_sample_scenario"]

# log 0 = −inf cannot travel in a link; −1000 is as impossible in float32 and float64 (exp
# underflows to exactly 0 beside any logit above −900).
IMPOSSIBLE_LOGIT = -1000.0


def _printable(name: str) -> str:
    """The name with what a class name may not hold (control characters, lone surrogates) spaced."""
    return "".join(ch if quote(ch, 2) == ch else " " for ch in name)


def _scenario_names(names: list[str]) -> list[str]:
    """Names the Playground accepts: printable, non-empty, at most MAX_NAME_CHARS, distinct."""
    out: list[str] = []
    for i, name in enumerate(names):
        name = " ".join(_printable(name).split()) or f"class {i}"
        if len(name) > MAX_NAME_CHARS:
            name = name[: MAX_NAME_CHARS - 1] + "…"
        candidate, suffix = name, 2
        while candidate in out:
            tail = f" ({suffix})"
            candidate = name[: MAX_NAME_CHARS - len(tail)] + tail
            suffix += 1
        out.append(candidate)
    return out


def worst_sample_scenario(analysis: Analysis, rank: int) -> tuple[Scenario, str]:
    """The rank-th worst sample (0 = the highest loss) as a scenario, and what was changed."""
    return sample_scenario(analysis, int(analysis.worst_rows[rank]), analysis.worst_logits[rank])


def sample_scenario(
    analysis: Analysis, row: int, logits: np.ndarray | None = None
) -> tuple[Scenario, str]:
    """Sample `row` (0-based) as a scenario, and what was changed; `logits` are its (C,) logits
    when already at hand, else read with `Analysis.logits_of`."""
    logits = analysis.logits_of([row])[0] if logits is None else logits
    target = int(analysis.labels[row])
    c = analysis.num_classes
    notes = []
    if c <= MAX_CLASSES:
        kept, lumped = np.arange(c), np.array([], dtype=np.int64)
    else:
        by_logit = np.argsort(-logits, kind="stable")
        top = [i for i in by_logit[: MAX_CLASSES - 1] if i != target][: MAX_CLASSES - 2]
        kept = np.sort(np.array([*top, target]))
        lumped = np.setdiff1d(np.arange(c), kept)
    names = [analysis.class_names[i] for i in kept]
    values = logits[kept].tolist()
    if lumped.size:
        names.append(f"other {lumped.size:,} classes")
        values.append(float(logsumexp(logits[lumped])))
        notes.append(
            f"The Playground holds at most {MAX_CLASSES} classes: the target and the "
            f"{len(kept) - 1} classes with the highest logits are kept; the other "
            f"{lumped.size:,} are one class whose logit is the log-sum-exp of theirs, so the "
            "probabilities and the loss are unchanged."
        )
    values = np.asarray(values)
    if np.isneginf(values).any():
        notes.append(
            f"Probabilities of exactly 0 (log 0 = −∞) become the logit {IMPOSSIBLE_LOGIT:g}."
        )
    values = np.where(np.isneginf(values), IMPOSSIBLE_LOGIT, values)
    if (np.abs(values) > LOGIT_LIMIT).any():
        notes.append(f"Logits beyond ±{LOGIT_LIMIT:g} are clipped to it.")
        values = np.clip(values, -LOGIT_LIMIT, LOGIT_LIMIT)
    draft = {
        "classes": _scenario_names(names),
        "logits": [values.tolist()],
        "targets": [int(np.searchsorted(kept, target))],
        "precision": "float64" if analysis.dtype == "float64" else "float32",
        "title": f"Your model: sample {row + 1} of {analysis.source}",
    }
    checked = check_scenario(draft)
    if checked.scenario is None:  # the draft was fitted to every limit: this is a bug
        raise ValueError("; ".join(str(p) for p in checked.problems))
    return checked.scenario, " ".join(notes)
