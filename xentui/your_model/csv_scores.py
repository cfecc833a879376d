"""CSV uploads: one row per sample, one column of scores per class, maybe a label column.

pandas' C parser reads the numbers (a 1 000 000-row file in about a second). It is terse about
what went wrong, so when it fails — or leaves a NaN, which is what an empty cell or a short row
becomes — the file is walked again with the csv module to find the first faulty line and say what
is wrong with it. That slower walk only happens for a file that is refused anyway.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xentui.kit.problems import quote
from xentui.your_model.upload import (
    MAX_CLASS_NAME_CHARS,
    MAX_CSV_COLUMNS,
    UTF8_BOM,
    CpuBudget,
    UploadError,
    counted,
    default_class_names,
    describe_size,
    quoted,
    refuse,
)

__all__ = ["LABEL_COLUMN_NAMES", "CsvLayout", "csv_layout", "read_csv_scores"]

# A column with one of these names (any case) is offered as the label column by default.
LABEL_COLUMN_NAMES = ("label", "labels", "target", "targets", "y", "y_true", "class", "true")
_DELIMITERS = (",", ";", "\t")
_HEADER_LINE_LIMIT = 1 << 20  # a header of 10 000 class names fits many times over
_SCORES = "scores file"
_BUDGET_ROWS = 4096
_UTF8_FIX = "UTF-8 text — save the file again as “CSV UTF-8”"


@dataclass(frozen=True)
class CsvLayout:
    """The columns of a CSV upload, read from its first line."""

    columns: tuple[str, ...]
    delimiter: str
    has_header: bool
    has_bom: bool
    default_label_column: int | None


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _first_lines(data: bytes, count: int, start: int, name: str) -> list[bytes]:
    """The first `count` non-blank lines from byte `start` (BytesIO shares the bytes: no copy).

    A first line longer than _HEADER_LINE_LIMIT is refused: read in part, its last name would be
    cut short (and could seem to repeat an earlier one). A later line is only looked at for its
    first fields: it is cut at its last delimiter within the limit.
    """
    stream, lines = io.BytesIO(data), []
    stream.seek(start)
    while len(lines) < count:
        at = stream.tell()
        line = stream.readline(_HEADER_LINE_LIMIT)
        if not line:
            break
        if len(line) == _HEADER_LINE_LIMIT and not line.endswith(b"\n"):
            if lines:
                lines.append(line[: max(line.rfind(d.encode()) for d in _DELIMITERS)])
                break
            end = data.find(b"\n", at)
            raise refuse(
                _SCORES,
                f"{quoted(name)}, first line",
                f"a line of {describe_size((len(data) if end < 0 else end) - at)}",
                f"a first line (the column names) of at most {describe_size(_HEADER_LINE_LIMIT)}",
            )
        if line.strip():
            lines.append(line.rstrip(b"\r\n"))
    return lines


def _decode_line(raw: bytes, which: str, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        bad = raw[problem.start : problem.start + 1].hex().upper()
        raise refuse(
            _SCORES,
            f"{quoted(name)}, {which} line",
            f"the byte 0x{bad} at position {problem.start}",
            _UTF8_FIX,
        ) from None


def _not_csv(name: str, where: str, problem: Exception) -> UploadError:
    return refuse(
        _SCORES,
        f"{quoted(name)}, {where}",
        f"text that cannot be read as CSV ({quote(str(problem))})",
        "comma-, semicolon- or tab-separated values",
    )


def _fields(line: str, delimiter: str, which: str, name: str) -> list[str]:
    try:
        return [f.strip() for f in next(csv.reader([line], delimiter=delimiter), [])]
    except csv.Error as problem:
        raise _not_csv(name, f"{which} line", problem) from None


def csv_layout(data: bytes, name: str, has_header: bool) -> CsvLayout:
    """Read the column names (or count) from the first line; check the header choice fits it.

    has_header is the user's word. A first row of numbers under has_header, or a first row of
    words above a row of numbers without it, is refused with the fix to make.
    """
    has_bom = data.startswith(UTF8_BOM)
    lines = _first_lines(data, 2, len(UTF8_BOM) if has_bom else 0, name)
    if not lines:
        raise refuse(_SCORES, quoted(name), "no lines", "a table of scores, a row per sample")
    first = _decode_line(lines[0], "first", name)
    delimiter = max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","
    fields = _fields(first, delimiter, "first", name)
    if len(fields) > MAX_CSV_COLUMNS:
        raise refuse(
            _SCORES,
            f"{quoted(name)}, first row",
            counted(len(fields), "column"),
            f"at most {MAX_CSV_COLUMNS:,} columns: one per class and a label column",
        )
    second = []
    if len(lines) > 1:
        second = _fields(_decode_line(lines[1], "second", name), delimiter, "second", name)

    if not has_header:
        _check_no_header(fields, second, name)
        columns = tuple(f"column {i + 1}" for i in range(len(fields)))
        return CsvLayout(columns, delimiter, False, has_bom, None)
    _check_header(fields, name)
    default = next((i for i, f in enumerate(fields) if f.casefold() in LABEL_COLUMN_NAMES), None)
    return CsvLayout(tuple(fields), delimiter, True, has_bom, default)


def _check_no_header(fields: list[str], second: list[str], name: str) -> None:
    """Refuse a first row that looks like a header while the user says there is none."""
    words = [not _is_number(f) for f in fields]
    # A word above a number in the same column is a header; a lone word column may be labels.
    above_numbers = [
        f for f, g in zip(fields, second, strict=False) if not _is_number(f) and _is_number(g)
    ]
    if above_numbers or (not second and sum(words) >= 2):
        shown = quoted(above_numbers[0] if above_numbers else fields[words.index(True)])
        raise refuse(
            _SCORES,
            f"{quoted(name)}, first row",
            f"{shown}, which is not a number: it looks like a header row",
            "numbers — if the first row holds column names, tick “First row holds column names”",
        )


def _check_header(fields: list[str], name: str) -> None:
    """Refuse a header of numbers, an unnamed column or a name given twice."""
    where = f"{quoted(name)}, first row"
    if not any(not _is_number(f) for f in fields):
        shown = ", ".join(fields[:4]) + (", …" if len(fields) > 4 else "")
        raise refuse(
            _SCORES,
            where,
            f"only numbers ({quote(shown)}), which look like data",
            "column names — untick “First row holds column names”, or add a header row",
        )
    expected = "a distinct name for every column (the class names come from the header)"
    seen: set[str] = set()
    for i, field in enumerate(fields):
        if not field:
            found = f"no name for column {i + 1}"
            raise refuse(_SCORES, where, found, expected, column=f"column {i + 1}")
        if len(field) > MAX_CLASS_NAME_CHARS:
            found = f"a name of {len(field):,} characters for column {i + 1} ({quoted(field)})"
            wanted = f"column names of at most {MAX_CLASS_NAME_CHARS} characters"
            raise refuse(_SCORES, where, found, wanted, column=f"column {i + 1}")
        if field in seen:
            found = f"the name {quoted(field)} twice"
            raise refuse(_SCORES, where, found, expected, column=field)
        seen.add(field)


def _rows(reader, name: str):
    """The reader's rows, with the csv module's own complaints turned into an UploadError."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:
            raise _not_csv(name, f"line {reader.line_num}", problem) from None
        yield row


def _cell_problem(field: str, where: str, sample: int, column: str) -> UploadError | None:
    """What is wrong with a class column's cell, or None for a finite number."""
    if not field:
        found = "an empty cell"
    elif not _is_number(field):
        found = quoted(field)
    elif not math.isfinite(float(field)):
        return refuse(
            _SCORES,
            where,
            quoted(field),
            "a finite number (no NaN or ±inf)",
            row=sample,
            column=column,
        )
    else:
        return None
    return refuse(
        _SCORES, where, found, "a number in every class column", row=sample, column=column
    )


def _first_problem(
    data: bytes,
    name: str,
    layout: CsvLayout,
    class_columns: list[int],
    budget: CpuBudget | None = None,
) -> UploadError | None:
    """Walk the file line by line; describe the first ragged row, empty or non-numeric cell.

    `budget` is told the time spent every _BUDGET_ROWS rows: the walk is Python, a row at a time.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data.count(b"\n", 0, problem.start) + 1
        bad = data[problem.start : problem.start + 1].hex().upper()
        return refuse(_SCORES, f"{quoted(name)}, line {line}", f"the byte 0x{bad}", _UTF8_FIX)
    reader = csv.reader(io.StringIO(text), delimiter=layout.delimiter)
    width, header_pending, sample = len(layout.columns), layout.has_header, 0
    for fields in _rows(reader, name):
        if not fields:  # pandas skips blank lines; so do the sample numbers
            continue
        if header_pending:
            header_pending = False
            continue
        sample += 1
        if budget is not None and sample % _BUDGET_ROWS == 0:
            budget.checkpoint("looking for the faulty line of the CSV")
        where = f"{quoted(name)}, line {reader.line_num} (sample {sample})"
        if len(fields) != width:
            first_row = "the header" if layout.has_header else "the first row"
            return refuse(
                _SCORES,
                where,
                counted(len(fields), "value"),
                f"{counted(width, 'value')}, one per column as in {first_row}",
                row=sample,
            )
        for c in class_columns:
            column = layout.columns[c]
            problem = _cell_problem(
                fields[c].strip(), f"{where}, column {quoted(column)}", sample, column
            )
            if problem is not None:
                return problem
    return None


def read_csv_scores(
    data: bytes,
    name: str,
    layout: CsvLayout,
    label_column: int | None,
    budget: CpuBudget | None = None,
) -> tuple[np.ndarray, object | None, tuple[str, ...]]:
    """(scores as float32 (N, C), the label column's raw values or None, class names).

    `budget` (or None) is told the CPU time spent parsing and, for a faulty file, looking for
    the faulty line.
    """
    width = len(layout.columns)
    class_columns = [i for i in range(width) if i != label_column]
    if len(class_columns) < 2:
        listed = quote(", ".join(layout.columns[i] for i in class_columns))
        raise refuse(
            _SCORES,
            quoted(name),
            counted(len(class_columns), "class column") + (f" ({listed})" if listed else ""),
            "at least 2 columns besides the labels: one column of scores per class",
        )
    if layout.has_header:
        class_names = tuple(layout.columns[i] for i in class_columns)
    else:
        class_names = default_class_names(len(class_columns))

    def parse(label_dtype: object) -> pd.DataFrame:
        dtypes: dict[int, object] = {i: np.float32 for i in class_columns}
        if label_column is not None:
            dtypes[label_column] = label_dtype
        # A number beyond float32's range reads as ±inf (refused later, as any ±inf).
        with np.errstate(over="ignore"):
            return pd.read_csv(
                io.BytesIO(data),
                header=0 if layout.has_header else None,
                names=range(width),
                sep=layout.delimiter,
                dtype=dtypes,
                engine="c",
            )

    try:
        frame = parse(np.float64)
        if budget is not None:
            budget.checkpoint("parsing the CSV")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as failure:
        problem = _first_problem(data, name, layout, class_columns, budget)
        if problem is not None:
            raise problem from None
        if label_column is None or not isinstance(failure, ValueError):
            raise _not_csv(name, "as a whole", failure) from None
        frame = parse(str)  # the labels are words (class names): read them as text
    if frame.empty:
        raise refuse(_SCORES, quoted(name), "a header and no rows of data", "one row per sample")
    scores = np.ascontiguousarray(frame[class_columns].to_numpy(np.float32))
    labels = None if label_column is None else frame[label_column].to_numpy()
    # A short row leaves NaN in its last cells, as an empty cell does: the walk tells them apart.
    missing_label = labels is not None and pd.isna(labels).any()
    if missing_label or np.isnan(scores).any():
        problem = _first_problem(data, name, layout, class_columns, budget)
        if problem is not None:
            raise problem
    return scores, labels, class_names
