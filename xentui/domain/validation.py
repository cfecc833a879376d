"""The one validation of a scenario: every way in builds a draft and asks `check_scenario`.

A draft is plain data — lists of numbers and strings, as an editor, a link, a preset or an upload
gives them. `check_scenario` returns the Scenario, or None with every `Problem` it found; it never
raises on any value of any type, so a hostile link and a mistyped cell get the same message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from xentui.domain.limits import (
    LOGIT_LIMIT,
    MAX_CLASSES,
    MAX_NAME_CHARS,
    MAX_SAMPLES,
    PRECISIONS,
    PROBABILITY_SUM_TOLERANCE,
    REDUCTIONS,
    SMOOTHING_RANGE,
    TEMPERATURE_RANGE,
    WEIGHT_LIMIT,
)
from xentui.domain.scenario import Scenario
from xentui.kit.problems import CONTROL, Problem, quote

__all__ = [
    "CLASSES",
    "LOGITS",
    "OPTIONS",
    "SOFT",
    "Checked",
    "check_classes",
    "check_scenario",
    "finite_number",
]

# The inputs a problem can belong to: the Playground's three tables and its options.
CLASSES, LOGITS, SOFT, OPTIONS = "classes", "logits", "probability targets", "options"


@dataclass(frozen=True)
class Checked:
    """The scenario, when the draft is valid, and every problem found otherwise."""

    scenario: Scenario | None
    problems: tuple[Problem, ...]


def finite_number(value: object, low: float, high: float) -> tuple[float | None, str | None]:
    """(value, None) for a real number in [low, high], else (None, what was found, quoted).

    Accepts what JSON, a cell or a URL can hold: int (any size), float, or text such as "−2.5".

    >>> finite_number("−2.5", -10, 10), finite_number(10**400, -10, 10)[1]
    ((-2.5, None), 'a 401-digit integer')
    >>> [finite_number(v, 0, 1)[1] for v in ("abc", float("nan"), True, 2)]
    ['“abc”', 'nan', 'True', '2']
    """
    if isinstance(value, bool) or value is None:
        return None, "nothing" if value is None else str(value)
    if isinstance(value, int):
        if abs(value) >= 10**18:  # float() of a 400-digit integer raises OverflowError
            return None, quote(value)
        number = float(value)
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        text = value.strip().replace("−", "-")
        if not text:
            return None, "an empty cell"
        if len(text) > 40:  # no number needs more; float() of huge text is slow
            return None, f"“{quote(text, 20)}”"
        try:
            number = float(text)
        except ValueError:
            return None, f"“{quote(text, 20)}”"
    else:
        return None, f"a {type(value).__name__}"
    if not math.isfinite(number):
        return None, str(number)
    if not low <= number <= high:
        return None, _short(number)
    return number, None


def _short(number: float) -> str:
    """Six digits when they are exact, more when they would round 1000001 to "1e+06".

    >>> _short(1e9), _short(1000001.0), _short(-0.5)
    ('1e+09', '1000001', '-0.5')
    """
    text = f"{number:g}"
    return text if float(text) == number else f"{number:.17g}"


def check_scenario(draft: Mapping[str, object]) -> Checked:
    """Check a draft scenario field by field; return the Scenario or every problem.

    Fields (all optional but the first three): classes, logits, targets, ignored, soft_targets,
    weights, reduction, label_smoothing, temperature, precision, title. A target is a class index
    or a class name. Values are kept as given (weights of 1 stay weights), so a scenario checked
    again comes back equal.

    >>> check_scenario({"classes": ["a", "b"], "logits": [[1, 2]], "targets": [1]}).problems
    ()
    >>> str(check_scenario({"classes": ["a"], "logits": [[1]], "targets": [0]}).problems[0])
    'Expected 2 to 32 classes; got 1 class.'
    """
    if not isinstance(draft, Mapping):
        return Checked(None, (Problem("scenario", None, None, quote(draft), "a scenario"),))
    problems: list[Problem] = []
    classes = _classes(draft.get("classes"), problems)
    logits = _logits(draft.get("logits"), classes, problems)
    n = len(logits) if logits is not None else 0
    targets = _targets(draft.get("targets"), n, classes, problems)
    ignored = _ignored(draft.get("ignored"), n, problems)
    soft = _soft(draft.get("soft_targets"), n, classes, problems)
    weights = _weights(draft.get("weights"), classes, problems)
    options = _options(draft, problems)
    if problems or classes is None or logits is None or targets is None:
        return Checked(None, tuple(problems))
    if soft is None:
        _check_denominator(targets, ignored, weights, len(classes), options["precision"], problems)
    elif any(ignored):
        problems.append(
            Problem(
                LOGITS,
                ignored.index(True) + 1,
                "ignore",
                "an ignored sample with probability targets",
                "no ignored sample: PyTorch ignores class-index targets only",
            )
        )
    if problems:
        return Checked(None, tuple(problems))
    title = draft.get("title", "")
    scenario = Scenario(
        classes=tuple(classes),
        logits=tuple(map(tuple, logits)),
        targets=tuple(targets),
        ignored=tuple(ignored),
        soft_targets=None if soft is None else tuple(map(tuple, soft)),
        weights=None if weights is None else tuple(weights),
        title=quote(title, 200) if isinstance(title, str) else "",
        **options,
    )
    return Checked(scenario, ())


def check_classes(classes: object, weights: object = None) -> tuple[Problem, ...]:
    """The problems of a class list and its weights alone: `check_scenario`'s own rules.

    For an editor that must know the classes are usable before it reshapes the tables that
    depend on them.

    >>> [str(p) for p in check_classes(["cat", "cat"])]
    ['Row 2, column “name”: expected a different name; got “cat” a second time.']
    """
    problems: list[Problem] = []
    _weights(weights, _classes(classes, problems), problems)
    return tuple(problems)


def _classes(value: object, problems: list[Problem]) -> list[str] | None:
    if not isinstance(value, (list, tuple)):
        problems.append(Problem(CLASSES, None, None, quote(value), "a list of class names"))
        return None
    if len(value) > 10 * MAX_CLASSES:  # say how many without reading them all
        problems.append(
            Problem(CLASSES, None, None, f"{len(value):,} classes", f"2 to {MAX_CLASSES} classes")
        )
        return None
    names: list[str] = []
    bad = False
    for i, name in enumerate(value, start=1):
        if (problem := _name_problem(name, names)) is not None:
            problems.append(Problem(CLASSES, i, "name", *problem))
            bad = True
        names.append(name if isinstance(name, str) else "")
    if not 2 <= len(names) <= MAX_CLASSES:
        count = f"{len(names)} class" + ("" if len(names) == 1 else "es")
        problems.append(Problem(CLASSES, None, None, count, f"2 to {MAX_CLASSES} classes"))
        return None
    return None if bad else names


def _name_problem(name: object, earlier: list[str]) -> tuple[str, str] | None:
    """(found, expected) when `name` cannot name a class after the names `earlier`."""
    if not isinstance(name, str):
        return quote(name), "a class name (text)"
    if not name.strip():
        return "an empty name", "a name for every class"
    if len(name) > MAX_NAME_CHARS:
        return f"{len(name):,} characters", f"a name of at most {MAX_NAME_CHARS} characters"
    if CONTROL.search(name):
        return f"“{quote(name)}”", "a name without control characters"
    if name in earlier:
        return f"“{name}” a second time", "a different name"
    return None


def _rows(value, n_rows_hint, classes, table, low, high, what, problems):
    """A list of rows of finite numbers in [low, high], one column per class."""
    label = table[:1].upper() + table[1:]  # the table's own problems name it: "Logits: …"
    if not isinstance(value, (list, tuple)):
        problems.append(Problem(table, None, None, quote(value), "a list of rows", label))
        return None
    if not 1 <= len(value) <= MAX_SAMPLES:
        rows = f"{len(value):,} row" + ("" if len(value) == 1 else "s")
        problems.append(Problem(table, None, None, rows, f"1 to {MAX_SAMPLES} samples", label))
        return None
    if n_rows_hint is not None and len(value) != n_rows_hint:
        rows = f"{len(value):,} row" + ("" if len(value) == 1 else "s")
        expected = f"one row per sample ({n_rows_hint})"
        problems.append(Problem(table, None, None, rows, expected, label))
        return None
    width = len(classes) if classes is not None else None
    out: list[list[float]] = []
    ok = True
    for i, row in enumerate(value, start=1):
        if not isinstance(row, (list, tuple)) or (width is not None and len(row) != width):
            size = (
                f"{len(row)} value" + ("" if len(row) == 1 else "s")
                if isinstance(row, (list, tuple))
                else quote(row)
            )
            problems.append(Problem(table, i, None, size, f"one value per class ({width})"))
            ok = False
            continue
        numbers = []
        for j, raw in enumerate(row[:MAX_CLASSES]):
            number, found = finite_number(raw, low, high)
            if found is not None:
                column = classes[j] if classes is not None else f"class {j}"
                problems.append(Problem(table, i, column, found, what))
                ok = False
            numbers.append(number)
        out.append(numbers)
    return out if ok else None


def _logits(value, classes, problems):
    what = f"a finite number within ±{LOGIT_LIMIT:g}"
    return _rows(value, None, classes, LOGITS, -LOGIT_LIMIT, LOGIT_LIMIT, what, problems)


def _targets(value, n, classes, problems) -> list[int] | None:
    if not isinstance(value, (list, tuple)) or (n and len(value) != n):
        found = f"{len(value)} targets" if isinstance(value, (list, tuple)) else quote(value)
        problems.append(Problem(LOGITS, None, "target", found, f"one target per sample ({n})"))
        return None
    c = len(classes) if classes is not None else MAX_CLASSES
    out = []
    for i, raw in enumerate(value[:MAX_SAMPLES], start=1):
        if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < c:
            out.append(raw)
        elif isinstance(raw, str) and classes is not None and raw in classes:
            out.append(classes.index(raw))
        else:
            found = (
                "nothing"
                if raw is None
                else f"“{quote(raw)}”"
                if isinstance(raw, str)
                else quote(raw)
            )
            expected = f"a class (its name, or its index from 0 to {c - 1})"
            problems.append(Problem(LOGITS, i, "target", found, expected))
    return out if len(out) == len(value) else None


def _ignored(value, n, problems) -> list[bool]:
    if value is None or value == () or value == [] or n == 0:  # n == 0: the logits are refused
        return [False] * n
    if not isinstance(value, (list, tuple)) or len(value) != n:
        problems.append(Problem(LOGITS, None, "ignore", quote(value), f"{n} ignore flags"))
        return [False] * n
    if not all(isinstance(v, bool) for v in value):
        problems.append(Problem(LOGITS, None, "ignore", quote(value), "true or false per sample"))
        return [False] * n
    return list(value)


def _soft(value, n, classes, problems):
    if value is None:
        return None
    what = "a probability in [0, 1]"
    rows = _rows(value, n or None, classes, SOFT, 0.0, 1.0, what, problems)
    if rows is None:
        return None
    for i, row in enumerate(rows, start=1):
        total = math.fsum(row)
        if abs(total - 1) > PROBABILITY_SUM_TOLERANCE:
            problems.append(
                Problem(
                    SOFT,
                    i,
                    None,
                    f"a row summing to {total:.6g}",
                    f"a row summing to 1 (within {PROBABILITY_SUM_TOLERANCE:g})",
                )
            )
    return rows


def _weights(value, classes, problems) -> list[float] | None:
    if value is None:
        return None
    c = len(classes) if classes is not None else None
    if not isinstance(value, (list, tuple)) or (c is not None and len(value) != c):
        found = f"{len(value)} weights" if isinstance(value, (list, tuple)) else quote(value)
        problems.append(Problem(CLASSES, None, "weight", found, f"one weight per class ({c})"))
        return None
    out = []
    for i, raw in enumerate(value[:MAX_CLASSES], start=1):
        number, found = finite_number(raw, 0.0, WEIGHT_LIMIT)
        if found is not None:
            expected = f"a weight from 0 to {WEIGHT_LIMIT:g}"
            problems.append(Problem(CLASSES, i, "weight", found, expected))
        out.append(number)
    if None in out or len(out) != len(value):
        return None
    if not math.fsum(out) > 0:
        problems.append(
            Problem(CLASSES, None, "weight", "every weight 0", "at least one positive weight")
        )
        return None
    return out


def _options(draft: Mapping[str, object], problems: list[Problem]) -> dict[str, object]:
    options: dict[str, object] = {}
    for name, allowed, default in (
        ("reduction", REDUCTIONS, "mean"),
        ("precision", PRECISIONS, "float32"),
    ):
        raw = draft.get(name, default)
        if raw not in allowed or not isinstance(raw, str):
            choices = ", ".join(allowed)
            problems.append(
                Problem(
                    OPTIONS, None, name, f"“{quote(raw, 20)}”", f"one of {choices}", name.title()
                )
            )
            raw = default
        options[name] = raw
    for name, (low, high), default in (
        ("label_smoothing", SMOOTHING_RANGE, 0.0),
        ("temperature", TEMPERATURE_RANGE, 1.0),
    ):
        number, found = finite_number(draft.get(name, default), low, high)
        if found is not None:
            problems.append(
                Problem(
                    OPTIONS,
                    None,
                    name,
                    found,
                    f"a number in [{low:g}, {high:g}]",
                    name.replace("_", " ").capitalize(),
                )
            )
            number = default
        options[name] = number
    return options


def _check_denominator(targets, ignored, weights, c, precision, problems) -> None:
    """Kept samples whose target classes all weigh 0 make the weighted mean 0/0: refused.

    Every sample ignored is not refused: PyTorch's mean is then NaN (0/0), its sum 0 and its
    reduction "none" zeros, and the Playground shows exactly that. In the scenario's precision,
    as the loss sees it: a weight of 1e-50 is 0 in float32.
    """
    kept = [t for t, skip in zip(targets, ignored, strict=True) if not skip]
    if not kept:
        return
    class_weight = np.asarray(weights or [1.0] * c, dtype=precision)
    if not class_weight[kept].sum() > 0:
        problems.append(
            Problem(
                CLASSES,
                None,
                "weight",
                "weight 0 on every kept sample's target class",
                "a kept sample whose target class weighs more than 0",
            )
        )
