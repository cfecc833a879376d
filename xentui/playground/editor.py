"""The Playground's editable tables: built from a scenario, read back through `check_scenario`.

Cells are text on purpose: whatever the user typed stays in the cell ("abc", "1e30", an empty
cell) so that nothing is lost. Reading the tables back turns their cells into a plain draft and
asks `xentui.domain.validation.check_scenario`, the one check every way in shares, so a bad cell
gets the same `Problem` a bad link or preset would. Class columns are keyed by position ("c0",
"c1", …) and labelled with the class names, so a class may be called "target" or carry any
characters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from xentui.domain.limits import LOGIT_LIMIT, MAX_NAME_CHARS
from xentui.domain.scenario import Scenario
from xentui.domain.validation import Checked, check_classes, check_scenario, finite_number

__all__ = [
    "FIX_CELLS_NOTE",
    "IGNORE_COLUMN",
    "INFINITE_LOGITS_NOTE",
    "MAX_NAME_CHARS",
    "NAME_COLUMN",
    "TARGET_COLUMN",
    "WEIGHT_COLUMN",
    "apply_edits",
    "class_column",
    "classes_draft",
    "classes_frame",
    "cut_to_limit",
    "logits_frame",
    "numbered_from_one",
    "read_classes",
    "read_scenario",
    "restructure_samples",
    "rows_beyond_limit_message",
    "samples_draft",
    "soft_draft",
    "soft_targets_frame",
]

NAME_COLUMN, WEIGHT_COLUMN = "name", "weight"
TARGET_COLUMN, IGNORE_COLUMN = "target", "ignore"
# Said beside a refused ±inf logit; each case checked against torch 2.13's F.cross_entropy.
# Under the title while any cell is refused: the outputs keep the last valid scenario.
FIX_CELLS_NOTE = "Fix the cells marked below; meanwhile the results show the last valid scenario."
INFINITE_LOGITS_NOTE = (
    "PyTorch itself takes ±inf logits. With a class target, −inf on another class gives that "
    "class p = 0 and a finite loss (logits 0, −inf, 1 with target 0: 1.3133) — but ∞ with label "
    "smoothing, which gives that class a share, and NaN if that class also weighs 0; −inf on the "
    "target gives ∞. With probability targets, a −inf logit gives ∞ if its class has target "
    "probability, NaN (0 · −inf) if it has 0. +inf anywhere in a row, or a row of only −inf, "
    f"gives NaN. The Playground keeps logits within ±{LOGIT_LIMIT:g}, where every loss is finite."
)


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


def numbered_from_one(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its rows numbered 1, 2, …, as the messages and the rest of the app count them.

    For display only: an editor's edits are kept by row position, whatever the index shows.
    """
    return frame.set_axis(pd.RangeIndex(1, len(frame) + 1), axis="index")


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


def cut_to_limit(base_rows: int, state: object, limit: int) -> tuple[dict | None, int]:
    """An edit state whose added rows fit within `limit` rows, and how many rows it left out.

    Returns (None, 0) when the state already fits. Otherwise the state keeps its edits and
    deletions and the first added rows that fit (a paste keeps its top rows); the count is of the
    added rows left out. Only lengths are read, so a paste of any size costs next to nothing here.
    """
    if not isinstance(state, dict):
        return None, 0
    added = state.get("added_rows") or []
    deleted = {int(r) for r in state.get("deleted_rows") or []}
    room = max(limit - (base_rows - len({r for r in deleted if 0 <= r < base_rows})), 0)
    if len(added) <= room:
        return None, 0
    return {**state, "added_rows": list(added[:room])}, len(added) - room


def rows_beyond_limit_message(left_out: int, kept: int, limit: int, noun: str) -> str:
    """What the editor says when `cut_to_limit` left rows out, e.g. of a 3,000-row paste.

    >>> rows_beyond_limit_message(2938, 62, 64, "sample")
    '2,938 new rows were beyond the 64-sample limit and were left out; the first 62 are kept.'
    >>> rows_beyond_limit_message(1, 0, 32, "class")
    '1 new row was beyond the 32-class limit and was left out.'
    """
    rows = f"{left_out:,} new rows were" if left_out != 1 else "1 new row was"
    was = "were" if left_out != 1 else "was"
    text = f"{rows} beyond the {limit}-{noun} limit and {was} left out"
    if kept == 1:
        return text + "; the first is kept."
    return text + (f"; the first {kept:,} are kept." if kept else ".")


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


# ---------------------------------------------------------------- reading tables back


def _cell(value: object) -> object:
    """A cell as the draft holds it: text or a number; nothing typed (None, NaN) is ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value.strip() if isinstance(value, str) else value


def _column(frame: pd.DataFrame, column: str, empty: object = "") -> list[object]:
    return frame[column].tolist() if column in frame.columns else [empty] * len(frame)


def classes_draft(frame: pd.DataFrame) -> dict[str, object]:
    """The classes table as draft fields: names (blanks trimmed) and weights (empty means 1).

    weights is None when every weight is 1: a plain mean, not a weighted one.
    """
    names = [_cell(name) for name in _column(frame, NAME_COLUMN)]
    weights = [_cell(w) if _cell(w) != "" else 1.0 for w in _column(frame, WEIGHT_COLUMN)]
    plain = all(finite_number(w, 1.0, 1.0)[1] is None for w in weights)
    return {"classes": names, "weights": None if plain else weights}


def samples_draft(frame: pd.DataFrame, num_classes: int) -> dict[str, object]:
    """The logits table as draft fields: a row of logit cells, the target's name, the flag."""
    columns = [_column(frame, class_column(c)) for c in range(num_classes)]
    targets = [None if _cell(t) == "" else t for t in _column(frame, TARGET_COLUMN, None)]
    flags = _column(frame, IGNORE_COLUMN, False)
    return {
        "logits": [[_cell(v) for v in row] for row in zip(*columns, strict=True)]
        if columns
        else [[] for _ in range(len(frame))],
        "targets": targets,
        "ignored": [v is True or v == True for v in flags],  # noqa: E712 (numpy booleans)
    }


def soft_draft(frame: pd.DataFrame, num_classes: int) -> list[list[object]]:
    """The probability-target table as draft rows of cells."""
    columns = [_column(frame, class_column(c)) for c in range(num_classes)]
    return [[_cell(v) for v in row] for row in zip(*columns, strict=True)]


def read_classes(frame: pd.DataFrame) -> tuple[list[str] | None, Checked]:
    """The class names, when the classes table is usable, and its problems."""
    draft = classes_draft(frame)
    problems = check_classes(draft["classes"], draft["weights"])
    return (None if problems else list(draft["classes"])), Checked(None, problems)


def read_scenario(
    classes_frame: pd.DataFrame,
    samples_frame: pd.DataFrame,
    soft_frame: pd.DataFrame | None,
    options: Mapping[str, object],
    sample_classes: Sequence[str],
) -> Checked:
    """The scenario the three tables and the options describe, or every problem in them.

    sample_classes names the columns of the logits and probability tables: the classes table's
    names once they are valid, the last valid names while they are not (so a bad cell in the
    logits is still named by the column the user sees). soft_frame is None without probability
    targets. options holds reduction, precision, label_smoothing, temperature and title.
    """
    classes = classes_draft(classes_frame)
    class_problems = check_classes(classes["classes"], classes["weights"])
    if class_problems:  # check the rest against the columns the tables are built for
        classes = {"classes": list(sample_classes), "weights": None}
    draft = {**options, **classes, **samples_draft(samples_frame, len(sample_classes))}
    if soft_frame is not None:
        draft["soft_targets"] = soft_draft(soft_frame, len(sample_classes))
        draft["ignored"] = []  # probability targets leave no sample out
    checked = check_scenario(draft)
    if class_problems:
        return Checked(None, class_problems + checked.problems)
    return checked
