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

from xentui.your_model.labels import quoted
from xentui.your_model.upload import UTF8_BOM, UploadError

__all__ = ["LABEL_COLUMN_NAMES", "CsvLayout", "csv_layout", "read_csv_scores"]

# A column with one of these names (any case) is offered as the label column by default.
LABEL_COLUMN_NAMES = ("label", "labels", "target", "targets", "y", "y_true", "class", "true")
_DELIMITERS = (",", ";", "\t")
_HEADER_LINE_LIMIT = 1 << 20  # a header of 10 000 class names fits many times over


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


def _first_lines(data: bytes, count: int, start: int) -> list[bytes]:
    """The first `count` non-blank lines from byte `start` (BytesIO shares the bytes: no copy)."""
    stream, lines = io.BytesIO(data), []
    stream.seek(start)
    while len(lines) < count:
        line = stream.readline(_HEADER_LINE_LIMIT)
        if not line:
            break
        if line.strip():
            lines.append(line.rstrip(b"\r\n"))
    return lines


def _decode_line(raw: bytes, which: str, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        bad = raw[problem.start : problem.start + 1].hex().upper()
        raise UploadError(
            f"the {which} line of “{name}” is not UTF-8 text (byte 0x{bad} at position "
            f"{problem.start}); expected UTF-8: save the file again as “CSV UTF-8”.",
            "file",
        ) from None


def _fields(line: str, delimiter: str, which: str, name: str) -> list[str]:
    try:
        return [f.strip() for f in next(csv.reader([line], delimiter=delimiter), [])]
    except csv.Error as problem:
        raise UploadError(
            f"the {which} line of “{name}” cannot be read as CSV ({problem}).", "file"
        ) from None


def csv_layout(data: bytes, name: str, has_header: bool) -> CsvLayout:
    """Read the column names (or count) from the first line; check the header choice fits it.

    has_header is the user's word. A first row of numbers under has_header, or a first row of
    words above a row of numbers without it, is refused with the fix to make.
    """
    has_bom = data.startswith(UTF8_BOM)
    lines = _first_lines(data, 2, start=len(UTF8_BOM) if has_bom else 0)
    if not lines:
        raise UploadError(f"“{name}” holds no lines of data.", "file")
    first = _decode_line(lines[0], "first", name)
    delimiter = max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","
    fields = _fields(first, delimiter, "first", name)
    second = []
    if len(lines) > 1:
        second = _fields(_decode_line(lines[1], "second", name), delimiter, "second", name)

    words = [not _is_number(f) for f in fields]
    if has_header and not any(words):
        shown = ", ".join(fields[:4]) + (", …" if len(fields) > 4 else "")
        raise UploadError(
            f"the first row of “{name}” ({shown}) holds only numbers, so it looks like data, "
            "not column names. Untick “First row holds column names”, or add a header row.",
            "file",
        )
    if not has_header:
        # A word above a number in the same column is a header; a lone word column may be labels.
        above_numbers = [
            f for f, g in zip(fields, second, strict=False) if not _is_number(f) and _is_number(g)
        ]
        if above_numbers or (not second and sum(words) >= 2):
            shown = quoted(above_numbers[0] if above_numbers else fields[words.index(True)])
            raise UploadError(
                f"the first row of “{name}” holds {shown}, which is not a number: it looks like "
                "a header row. Tick “First row holds column names”.",
                "file",
            )
        columns = tuple(f"column {i + 1}" for i in range(len(fields)))
        return CsvLayout(columns, delimiter, False, has_bom, None)

    for i, field in enumerate(fields):
        if not field:
            raise UploadError(
                f"column {i + 1} of “{name}” has no name in the header; every column needs a "
                "name (the class names come from the header).",
                "file",
            )
    seen: set[str] = set()
    for field in fields:
        if field in seen:
            raise UploadError(
                f"the header of “{name}” names the column {quoted(field)} twice; column names "
                "must be distinct (they become the class names).",
                "file",
            )
        seen.add(field)
    default = next((i for i, f in enumerate(fields) if f.casefold() in LABEL_COLUMN_NAMES), None)
    return CsvLayout(tuple(fields), delimiter, True, has_bom, default)


def _rows(reader, name: str):
    """The reader's rows, with the csv module's own complaints turned into an UploadError."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:
            raise UploadError(
                f"line {reader.line_num} of “{name}” cannot be read as CSV ({problem}).", "file"
            ) from None
        yield row


def _first_problem(
    data: bytes, name: str, layout: CsvLayout, class_columns: list[int]
) -> UploadError | None:
    """Walk the file line by line; describe the first ragged row, empty or non-numeric cell."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data.count(b"\n", 0, problem.start) + 1
        bad = data[problem.start : problem.start + 1].hex().upper()
        return UploadError(
            f"line {line} of “{name}” is not UTF-8 text (byte 0x{bad}); expected UTF-8: save "
            "the file again as “CSV UTF-8”.",
            "file",
        )
    reader = csv.reader(io.StringIO(text), delimiter=layout.delimiter)
    width, header_pending, sample = len(layout.columns), layout.has_header, 0
    for fields in _rows(reader, name):
        if not fields:  # pandas skips blank lines; so do the sample numbers
            continue
        if header_pending:
            header_pending = False
            continue
        line = reader.line_num
        if len(fields) != width:
            first_row = "the header has" if layout.has_header else "the first row has"
            return UploadError(
                f"line {line} of “{name}” has {len(fields)} value(s), but {first_row} {width}: "
                "the rows are ragged. Every row needs one value per column.",
                "file",
            )
        for c in class_columns:
            field = fields[c].strip()
            where = f"line {line} of “{name}” (sample {sample}), column {quoted(layout.columns[c])}"
            if not field:
                return UploadError(
                    f"{where} is empty; expected a number in every class column.", "file"
                )
            if not _is_number(field):
                return UploadError(
                    f"{where} holds {quoted(field)}, which is not a number; expected a number "
                    "in every class column.",
                    "file",
                )
            if not math.isfinite(float(field)):
                return UploadError(
                    f"{where} holds {field}; expected finite numbers (no NaN or ±inf).", "file"
                )
        sample += 1
    return None


def read_csv_scores(
    data: bytes, name: str, layout: CsvLayout, label_column: int | None
) -> tuple[np.ndarray, object | None, tuple[str, ...]]:
    """(scores as float32 (N, C), the label column's raw values or None, class names)."""
    width = len(layout.columns)
    class_columns = [i for i in range(width) if i != label_column]
    if len(class_columns) < 2:
        listed = ", ".join(quoted(layout.columns[i]) for i in class_columns) or "none"
        raise UploadError(
            f"“{name}” has {len(class_columns)} class column(s) ({listed}) besides the labels; "
            "expected at least 2: one column of scores per class.",
            "file",
        )
    if layout.has_header:
        class_names = tuple(layout.columns[i] for i in class_columns)
    else:
        class_names = tuple(f"class {k}" for k in range(len(class_columns)))

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
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as failure:
        problem = _first_problem(data, name, layout, class_columns)
        if problem is not None:
            raise problem from None
        if label_column is None or not isinstance(failure, ValueError):
            raise UploadError(f"“{name}” cannot be read as CSV: {failure}", "file") from None
        frame = parse(str)  # the labels are words (class names): read them as text
    if frame.empty:
        raise UploadError(
            f"“{name}” has a header but no rows of data; expected one row per sample.", "file"
        )
    scores = np.ascontiguousarray(frame[class_columns].to_numpy(np.float32))
    labels = None if label_column is None else frame[label_column].to_numpy()
    # A short row leaves NaN in its last cells, as an empty cell does: the walk tells them apart.
    missing_label = labels is not None and pd.isna(labels).any()
    if missing_label or np.isnan(scores).any():
        problem = _first_problem(data, name, layout, class_columns)
        if problem is not None:
            raise problem
    return scores, labels, class_names
