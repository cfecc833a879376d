"""One sample's logits and target for a Learn page: a sample of the scenario, or typed logits.

Two pages look at one row of logits at a time. It is either sample *n* of the Playground's scenario
(sample numbers count from 1, as the rest of the app says "sample 1") or logits typed into a box
with a target class index (counted from 0, as PyTorch's targets are). A probability row stands for
its most likely class where a page needs a class index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xentui.domain.limits import LOGIT_LIMIT, MAX_CLASSES
from xentui.domain.scenario import Scenario
from xentui.domain.typed_numbers import LOGITS_EXPECTED, parse_number_rows
from xentui.kit.format import md_literal
from xentui.kit.problems import Problem

__all__ = ["TARGET", "TYPED", "LogitsChoice", "Picked", "parse_logits", "pick", "scenario_sample"]

# The inputs a Problem of the picker belongs to.
TYPED, TARGET = "typed logits", "target class index"


@dataclass(frozen=True, eq=False)
class LogitsChoice:
    """The row a page works on: raw logits (C,), a target class index, class names, provenance."""

    logits: np.ndarray  # (C,) float64, as typed or as in the scenario (before its temperature)
    target: int  # class index; for a probability row, its most likely class
    classes: list[str]
    row: int | None  # the scenario's row (0-based), or None for typed logits
    description: str  # in words: "sample 2 of the Playground", "the typed logits"

    @property
    def target_name(self) -> str:
        """The target class's name, safe to put in Markdown."""
        return md_literal(self.classes[self.target])


@dataclass(frozen=True)
class Picked:
    """The choice, or None when the typed input cannot be used, with its Problems."""

    choice: LogitsChoice | None
    problems: tuple[Problem, ...] = ()


def parse_logits(text: object) -> tuple[np.ndarray | None, Problem | None]:
    """One row of 2 to MAX_CLASSES finite logits within ±LOGIT_LIMIT, or (None, the Problem).

    >>> parse_logits("1, 2, 3")[0].tolist()
    [1.0, 2.0, 3.0]
    >>> str(parse_logits("1, 1e9")[1])
    'Entry 2: expected a finite number within ±1e+06; got 1e+09.'
    >>> str(parse_logits("5")[1])
    'Expected at least 2 logits, one per class; got 1 logit.'
    """
    parsed = parse_number_rows(
        text,
        what="logits",
        max_rows=1,
        max_entries=MAX_CLASSES,
        low=-LOGIT_LIMIT,
        high=LOGIT_LIMIT,
        box=TYPED,
        expected=LOGITS_EXPECTED,
    )
    if parsed.problem is not None:
        return None, parsed.problem
    row = parsed.values[0]
    if row.size < 2:
        return None, Problem(TYPED, None, None, "1 logit", "at least 2 logits, one per class")
    return row, None


def scenario_sample(scenario: Scenario, sample_number: int) -> LogitsChoice:
    """Sample `sample_number` (1-based, clamped to the scenario) of the scenario."""
    row = min(max(int(sample_number), 1), scenario.num_samples) - 1
    if scenario.soft_targets is None:
        target = int(scenario.targets[row])
    else:
        target = int(np.argmax(scenario.soft_targets[row]))
    classes = list(scenario.classes)
    logits = np.asarray(scenario.logits[row], dtype=np.float64)
    return LogitsChoice(logits, target, classes, row, f"sample {row + 1} of the Playground")


def pick(scenario: Scenario, sample_number: int, typed: object, target: int) -> Picked:
    """Typed logits with target class index `target` when the box holds text, else the sample.

    >>> from xentui.domain.scenario import DEFAULT_SCENARIO
    >>> pick(DEFAULT_SCENARIO, 1, "20, 2, 3, 4", 3).choice.description
    'the typed logits'
    >>> str(pick(DEFAULT_SCENARIO, 1, "1, 2", 5).problems[0])
    'Target class index: expected a class index from 0 to 1, one per typed logit; got 5.'
    """
    text = "" if typed is None else str(typed)
    if not text.strip():
        return Picked(scenario_sample(scenario, sample_number))
    logits, problem = parse_logits(text)
    if problem is not None:
        return Picked(None, (problem,))
    c = logits.size
    if not 0 <= target < c:
        expected = f"a class index from 0 to {c - 1}, one per typed logit"
        label = "Target class index"
        return Picked(None, (Problem(TARGET, None, None, f"{target}", expected, label),))
    classes = [f"class {k}" for k in range(c)]
    return Picked(LogitsChoice(logits, int(target), classes, None, "the typed logits"))
