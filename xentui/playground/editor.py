"""The Playground's editable tables: built from a scenario, read back with a message per bad cell.

Cells are text on purpose: whatever the user typed stays in the cell ("abc", "1e30", an empty
cell) so that nothing is lost, and the parser names the row and column of each problem instead of
the grid silently refusing the keystroke. Class columns are keyed by position ("c0", "c1", …) and
labelled with the class names, so a class may be called "target" or carry any characters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xentui.domain.scenario import LOGIT_LIMIT, MAX_CLASSES, MAX_SAMPLES, Scenario
from xentui.kit.format import fmt

__all__ = [
    "IGNORE_COLUMN",
    "MAX_NAME_CHARS",
    "NAME_COLUMN",
    "TARGET_COLUMN",
    "WEIGHT_COLUMN",
    "CellProblem",
    "ParsedClasses",
    "ParsedSamples",
    "apply_edits",
    "class_column",
    "classes_frame",
    "logits_frame",
    "parse_classes",
    "parse_samples",
    "parse_soft_targets",
    "restructure_samples",
    "soft_targets_frame",
]

NAME_COLUMN, WEIGHT_COLUMN = "name", "weight"
TARGET_COLUMN, IGNORE_COLUMN = "target", "ignore"
MAX_NAME_CHARS = 40
# Probability rows must sum to 1 within this, which forgives decimal typing (0.1 + 0.2 + 0.7).
SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class CellProblem:
    """One bad cell: 1-based row, the column's label as the user sees it, and what is wrong."""

    table: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column is not None:
            where.append(f"column “{self.column}”")
        prefix = ", ".join(where)
        return f"{prefix[:1].upper()}{prefix[1:]}: {self.message}" if prefix else self.message


def class_column(index: int) -> str:
    return f"c{index}"


def _cell_text(value: float) -> str:
    """Short text that reads back as exactly `value`: "2" for 2.0, the full repr for log(0.7).

    The page reads the scenario back from these cells, so rounding here would change it.
    """
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


# ---------------------------------------------------------------- building tables from a scenario


def classes_frame(scenario: Scenario) -> pd.DataFrame:
    weights = scenario.weights or (1.0,) * scenario.num_classes
    return pd.DataFrame(
        {NAME_COLUMN: list(scenario.classes), WEIGHT_COLUMN: [_cell_text(w) for w in weights]},
        dtype=object,
    )


def logits_frame(scenario: Scenario) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        class_column(c): [_cell_text(row[c]) for row in scenario.logits]
        for c in range(scenario.num_classes)
    }
    data[TARGET_COLUMN] = [scenario.classes[t] for t in scenario.targets]
    data[IGNORE_COLUMN] = list(scenario.ignored)
    frame = pd.DataFrame(data)
    for c in range(scenario.num_classes):
        frame[class_column(c)] = frame[class_column(c)].astype(object)
    return frame


def soft_targets_frame(scenario: Scenario) -> pd.DataFrame:
    rows = scenario.soft_targets
    if rows is None:  # start from the one-hot rows of the hard targets
        rows = tuple(
            tuple(1.0 if c == t else 0.0 for c in range(scenario.num_classes))
            for t in scenario.targets
        )
    return pd.DataFrame(
        {class_column(c): [_cell_text(r[c]) for r in rows] for c in range(scenario.num_classes)},
        dtype=object,
    )


# ---------------------------------------------------------------- data-editor state


def apply_edits(base: pd.DataFrame, state: object) -> pd.DataFrame:
    """Apply an st.data_editor edit state ({edited_rows, added_rows, deleted_rows}) to `base`.

    Streamlit keeps edits relative to the frame the editor was created with; this folds them in so
    the editor can be recreated (new columns, new rows) without losing what was typed.
    """
    frame = base.copy().reset_index(drop=True)
    if not isinstance(state, dict):
        return frame
    for row, changes in (state.get("edited_rows") or {}).items():
        r = int(row)
        for column, value in (changes or {}).items():
            if column in frame.columns and r < len(frame):
                frame.at[r, column] = value
    added = [dict(row) for row in state.get("added_rows") or [] if isinstance(row, dict)]
    if added:
        frame = pd.concat([frame, pd.DataFrame(added, columns=frame.columns)], ignore_index=True)
        frame = frame.astype({c: base[c].dtype for c in base.columns if base[c].dtype == object})
    deleted = {int(r) for r in state.get("deleted_rows") or []}
    if deleted:
        frame = frame.drop(index=[r for r in deleted if r < len(frame)]).reset_index(drop=True)
    return frame


def _column_sources(old_classes: list[str], new_classes: list[str]) -> list[int | None]:
    """For each new class, the old class whose column it keeps (None: a new class).

    A name still present keeps its own column, wherever it now stands; the other new names take
    the columns of the vanished old names in order (a rename), and any left over start fresh.
    """
    vanished = [i for i, name in enumerate(old_classes) if name not in new_classes]
    return [
        old_classes.index(name) if name in old_classes else (vanished.pop(0) if vanished else None)
        for name in new_classes
    ]


def restructure_samples(
    frame: pd.DataFrame, old_classes: list[str], new_classes: list[str]
) -> pd.DataFrame:
    """Re-shape a samples table after classes were added, removed or renamed.

    Columns follow their class by name (see `_column_sources`): removing "dog" drops dog's column,
    not the last one. Kept columns keep their text; a new class starts at logit 0; targets naming a
    renamed class follow the rename, and targets naming a removed class are cleared.
    """
    sources = _column_sources(old_classes, new_classes)
    out = pd.DataFrame(index=frame.index)
    for c, source in enumerate(sources):
        column = class_column(c)
        kept = source is not None and class_column(source) in frame.columns
        out[column] = frame[class_column(source)] if kept else "0"
        out[column] = out[column].astype(object)
    if TARGET_COLUMN in frame.columns:
        rename = {
            old_classes[source]: name
            for name, source in zip(new_classes, sources, strict=True)
            if source is not None
        }
        out[TARGET_COLUMN] = [
            rename.get(t) if isinstance(t, str) else None for t in frame[TARGET_COLUMN]
        ]
    if IGNORE_COLUMN in frame.columns:
        out[IGNORE_COLUMN] = frame[IGNORE_COLUMN].fillna(False).astype(bool)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- parsing


def _parse_number(text: object) -> tuple[float | None, str | None]:
    """(value, None) for a usable number, else (None, what is wrong in words)."""
    if text is None or (isinstance(text, float) and math.isnan(text) and not isinstance(text, str)):
        return None, "empty — enter a number"
    raw = str(text).strip()
    if not raw:
        return None, "empty — enter a number"
    try:
        value = float(raw.replace("−", "-"))
    except ValueError:
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        return None, f"“{shown}” is not a number"
    if math.isnan(value):
        return None, "NaN is not a logit — enter a number"
    if math.isinf(value):
        return None, "an infinite logit makes the loss NaN or ∞ — enter a finite number"
    return value, None


@dataclass(frozen=True)
class ParsedClasses:
    names: list[str]
    weights: list[float] | None
    problems: list[CellProblem]


def parse_classes(frame: pd.DataFrame) -> ParsedClasses:
    problems: list[CellProblem] = []
    names: list[str] = []
    weights: list[float] = []
    table = "classes"
    for i, (raw_name, raw_weight) in enumerate(
        zip(frame[NAME_COLUMN].tolist(), frame[WEIGHT_COLUMN].tolist(), strict=True), start=1
    ):
        name = "" if raw_name is None or raw_name != raw_name else str(raw_name).strip()
        if not name:
            problems.append(CellProblem(table, i, "name", "empty — every class needs a name"))
        elif len(name) > MAX_NAME_CHARS:
            problems.append(
                CellProblem(table, i, "name", f"longer than {MAX_NAME_CHARS} characters")
            )
        elif name in names:
            problems.append(
                CellProblem(table, i, "name", f"“{name}” is already the name of another class")
            )
        names.append(name)
        if raw_weight is None or str(raw_weight).strip() == "" or raw_weight != raw_weight:
            weights.append(1.0)
            continue
        value, problem = _parse_number(raw_weight)
        if problem:
            problems.append(CellProblem(table, i, "weight", problem.replace("logit", "weight")))
        elif value < 0:
            problems.append(CellProblem(table, i, "weight", f"{value:g} is negative"))
        elif value > 1e6:
            problems.append(CellProblem(table, i, "weight", f"{value:g} is above the limit of 1e6"))
        weights.append(value if value is not None else 1.0)
    if not names:
        problems.append(CellProblem(table, None, None, "There are no classes — add at least two."))
    elif len(names) == 1:
        problems.append(
            CellProblem(
                table,
                None,
                None,
                "There is only one class: every probability would be 1 and every loss 0 — "
                "add a second class.",
            )
        )
    elif len(names) > MAX_CLASSES:
        problems.append(
            CellProblem(
                table, None, None, f"{len(names)} classes: the editor holds at most {MAX_CLASSES}."
            )
        )
    if weights and not problems and sum(weights) == 0:
        problems.append(CellProblem(table, None, "weight", "all weights are 0 — the mean is 0/0"))
    all_one = all(w == 1.0 for w in weights)
    return ParsedClasses(names, None if all_one else weights, problems)


@dataclass(frozen=True)
class ParsedSamples:
    logits: np.ndarray | None
    targets: list[int]
    ignored: list[bool]
    problems: list[CellProblem]


def parse_samples(frame: pd.DataFrame, classes: list[str]) -> ParsedSamples:
    """Read the logits table: a finite logit per class, a target class and the ignore flag."""
    table = "logits"
    problems: list[CellProblem] = []
    n = len(frame)
    if n == 0:
        problems.append(CellProblem(table, None, None, "There are no samples — add a row."))
        return ParsedSamples(None, [], [], problems)
    if n > MAX_SAMPLES:
        problems.append(
            CellProblem(
                table,
                None,
                None,
                f"{n} samples: the editor holds at most {MAX_SAMPLES}; the “Your model” page "
                "takes larger data.",
            )
        )
    logits = np.zeros((n, len(classes)))
    for c, name in enumerate(classes):
        column = class_column(c)
        values = frame[column].tolist() if column in frame.columns else [None] * n
        for i, text in enumerate(values):
            value, problem = _parse_number(text)
            if problem is None and abs(value) > LOGIT_LIMIT:
                problem = f"{fmt(value)} is outside ±{LOGIT_LIMIT:g}, the range the editor accepts"
            if problem:
                problems.append(CellProblem(table, i + 1, name, problem))
            else:
                logits[i, c] = value
    targets: list[int] = []
    raw_targets = frame[TARGET_COLUMN].tolist() if TARGET_COLUMN in frame.columns else [None] * n
    for i, raw in enumerate(raw_targets):
        if isinstance(raw, str) and raw in classes:
            targets.append(classes.index(raw))
        else:
            problems.append(CellProblem(table, i + 1, "target", "choose the sample's true class"))
            targets.append(0)
    raw_ignored = frame[IGNORE_COLUMN].tolist() if IGNORE_COLUMN in frame.columns else [False] * n
    ignored = [bool(v) if v == v and v is not None else False for v in raw_ignored]
    return ParsedSamples(None if problems else logits, targets, ignored, problems)


def parse_soft_targets(frame: pd.DataFrame, classes: list[str]) -> tuple[np.ndarray | None, list]:
    """Read the probability-target table: numbers in [0, 1], each row summing to 1."""
    table = "probability targets"
    problems: list[CellProblem] = []
    n = len(frame)
    probs = np.zeros((n, len(classes)))
    for c, name in enumerate(classes):
        column = class_column(c)
        values = frame[column].tolist() if column in frame.columns else [None] * n
        for i, text in enumerate(values):
            value, problem = _parse_number(text)
            if problem:
                problem = problem.replace("logit", "probability")
            elif not 0 <= value <= 1:
                problem = f"{value:g} is not a probability in [0, 1]"
            if problem:
                problems.append(CellProblem(table, i + 1, name, problem))
            else:
                probs[i, c] = value
    if not problems:
        for i, total in enumerate(probs.sum(axis=1), start=1):
            if abs(total - 1) > SUM_TOLERANCE:
                problems.append(
                    CellProblem(table, i, None, f"the probabilities sum to {total:.6g}, not 1")
                )
    return (None if problems else probs), problems
