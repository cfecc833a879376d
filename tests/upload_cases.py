"""Bad uploads and their pinned messages, shared by the upload tests and the page's AppTests.

Files are generated here, in memory; nothing is read from disk.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import cache

import numpy as np

from xentui.your_model.csv_scores import csv_layout
from xentui.your_model.load import Upload, load_model_data
from xentui.your_model.upload import UploadError

GIB = 2**30


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)  # only so that the tests can write object arrays
    return buffer.getvalue()


def npy_header(shape: tuple[int, ...], descr: str = "<f4") -> bytes:
    """A .npy file's header (format 1.0) announcing `shape` of `descr`, padded as numpy pads it."""
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}".encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header


def npy_announcing(shape: tuple[int, ...], payload: bytes = b"\x00" * 16) -> bytes:
    """A .npy whose header announces `shape` (float32), whatever the bytes after it hold."""
    return npy_header(shape) + payload


def npz_members(**members: bytes) -> bytes:
    """An .npz archive of the given .npy files, written as they are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, raw in members.items():
            archive.writestr(f"{name}.npy", raw)
    return buffer.getvalue()


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


SCORES = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 0.1, 3.0]], dtype=np.float32)
LABELS = np.array([0, 2, 1])
TOY_CSV = b"cat,dog,pig,label\n1,2,3,0\n2,4,6,2\n0.5,0.1,3,1\n"


@dataclass(frozen=True)
class Case:
    """An upload (scores, maybe labels) with the page's options, and what must come of it."""

    name: str
    scores: Upload
    labels: Upload | None = None
    has_header: bool = True
    label_column: int | str | None = "auto"  # "auto": the page's default (a 'label' column)
    interpretation: str = "detect"
    max_bytes: int = GIB
    field: str = "file"
    message: str = ""

    def column(self) -> int | None:
        if self.label_column != "auto":
            return self.label_column  # type: ignore[return-value]
        try:
            return csv_layout(
                self.scores.data, self.scores.name, self.has_header
            ).default_label_column
        except UploadError:
            return None

    def load(self):
        return load_model_data(
            self.scores,
            self.labels,
            has_header=self.has_header,
            label_column=self.column(),
            max_bytes=self.max_bytes,
        )


def csv_upload(text: str, name: str = "scores.csv") -> Upload:
    return Upload(name, text.encode())


LABELS_NPY = Upload("labels.npy", npy_bytes(LABELS))

# (every bad input of the issue, and a few more) → the message the page shows beside the input.
BAD_UPLOADS = [
    Case(
        "not a number",
        csv_upload("cat,dog,label\n1,x,0\n2,3,1\n"),
        message="“scores.csv”, line 2 (sample 1), column “dog”: expected a number in every "
        "class column; got “x”.",
    ),
    Case(
        "ragged row, one value too many",
        csv_upload("cat,dog,label\n1,2,0\n2,3,1,5\n"),
        message="“scores.csv”, line 3 (sample 2): expected 3 values, one per column as in the "
        "header; got 4 values.",
    ),
    Case(
        "ragged row, one value short",
        csv_upload("cat,dog,pig,label\n1,2,3,0\n2,3,1\n"),
        message="“scores.csv”, line 3 (sample 2): expected 4 values, one per column as in the "
        "header; got 3 values.",
    ),
    Case(
        "a header where none was expected",
        csv_upload("cat,dog,label\n1,2,0\n2,3,1\n"),
        has_header=False,
        message="“scores.csv”, first row: expected numbers — if the first row holds column "
        "names, tick “First row holds column names”; got “cat”, which is not a number: "
        "it looks like a header row.",
    ),
    Case(
        "no header where one was expected",
        csv_upload("1,2,0\n2,3,1\n"),
        message="“scores.csv”, first row: expected column names — untick “First row holds "
        "column names”, or add a header row; got only numbers (1, 2, 0), which look "
        "like data.",
    ),
    Case(
        "label out of range",
        csv_upload("cat,dog,label\n1,2,0\n2,3,2\n"),
        field="labels",
        message="Label column “label”, sample 2: expected a class index from 0 to 1, for 2 "
        "classes; got 2.",
    ),
    Case(
        "negative label",
        csv_upload("cat,dog,label\n1,2,0\n2,3,-1\n"),
        field="labels",
        message="Label column “label”, sample 2: expected a class index from 0 to 1 — to leave "
        "samples out, remove their rows; got -1.",
    ),
    Case(
        "label not an integer",
        csv_upload("cat,dog,label\n1,2,0\n2,3,0.5\n"),
        field="labels",
        message="Label column “label”, sample 2: expected a class index from 0 to 1; got 0.5, "
        "not an integer.",
    ),
    Case(
        "label neither index nor class name",
        csv_upload("cat,dog,label\n1,2,0\n2,3,cow\n"),
        field="labels",
        message="Label column “label”, sample 2: expected a class index from 0 to 1 or a class "
        "name (cat, dog); got “cow”, neither a class index nor a class name.",
    ),
    Case(
        "labels and rows of different lengths",
        Upload("scores.npy", npy_bytes(SCORES)),
        Upload("labels.npy", npy_bytes(np.array([0, 1]))),
        field="labels",
        message="Labels file “labels.npy”: expected exactly one label per row of the scores (3 "
        "labels); got 2 labels.",
    ),
    Case(
        "NaN in a .npy",
        Upload("scores.npy", npy_bytes(np.array([[1, 2, 3], [1, np.nan, 3], [0, 0, 0]], "f4"))),
        LABELS_NPY,
        message="“scores.npy”, sample 2, class “class 1”: expected finite numbers — fix or "
        "remove the rows that hold NaN or ±inf; got nan (1 sample with NaN or ±inf).",
    ),
    Case(
        "+inf in a CSV",
        csv_upload("cat,dog,label\n1,inf,0\n2,3,1\n"),
        message="“scores.csv”, sample 1, class “dog”: expected finite numbers — fix or remove "
        "the rows that hold NaN or ±inf; got inf (1 sample with NaN or ±inf).",
    ),
    Case(
        "-inf in a .npy",
        Upload("scores.npy", npy_bytes(np.array([[1, 2, 3], [1, 2, 3], [0, -np.inf, 0]]))),
        LABELS_NPY,
        message="“scores.npy”, sample 3, class “class 1”: expected finite numbers — fix or "
        "remove the rows that hold NaN or ±inf; got -inf (1 sample with NaN or ±inf).",
    ),
    Case(
        "NaN written in a CSV",
        csv_upload("cat,dog,label\n1,nan,0\n2,3,1\n"),
        message="“scores.csv”, line 2 (sample 1), column “dog”: expected a finite number (no "
        "NaN or ±inf); got “nan”.",
    ),
    Case(
        "empty cell",
        csv_upload("cat,dog,label\n1,,0\n2,3,1\n"),
        message="“scores.csv”, line 2 (sample 1), column “dog”: expected a number in every "
        "class column; got an empty cell.",
    ),
    Case(
        "probabilities outside [0, 1]",
        csv_upload("cat,dog,label\n0.5,0.5,0\n1.5,-0.5,1\n"),
        interpretation="probabilities",
        field="kind",
        message="Read as probabilities, “scores.csv”, sample 2, class “dog”: expected a "
        "probability in [0, 1] — if these are logits, choose “Logits”; got -0.5.",
    ),
    Case(
        "probability rows not summing to 1",
        csv_upload("cat,dog,label\n0.5,0.4,0\n0.2,0.8,1\n"),
        interpretation="probabilities",
        field="kind",
        message="Read as probabilities, “scores.csv”, sample 1: expected every row to sum to 1 "
        "within 0.001 — if these are logits, choose “Logits”; got a row sum of 0.9 "
        "(the rows sum to 0.9 to 1).",
    ),
    Case(
        "a single column (CSV)",
        csv_upload("score,label\n1,0\n2,1\n"),
        message="“scores.csv”: expected at least 2 columns besides the labels: one column of "
        "scores per class; got 1 class column (score).",
    ),
    Case(
        "a single column (.npy)",
        Upload("scores.npy", npy_bytes(np.ones((3, 1), np.float32))),
        LABELS_NPY,
        message="“scores.npy”: expected at least 2 columns: one column of scores per class; "
        "got 1 column (shape 3 × 1).",
    ),
    Case(
        "an empty file",
        Upload("scores.csv", b""),
        message="“scores.csv”: expected a table of scores with one row per sample; got an "
        "empty file (0 bytes).",
    ),
    Case(
        "a blank file",
        Upload("scores.csv", b"\n \n\n"),
        message="“scores.csv”: expected a table of scores with one row per sample; got a blank "
        "file (only spaces and line breaks).",
    ),
    Case(
        "a header and no rows",
        csv_upload("cat,dog,label\n"),
        message="“scores.csv”: expected one row per sample; got a header and no rows of data.",
    ),
    Case(
        "a .npy holding Python objects",
        Upload("scores.npy", npy_bytes(np.array([{"a": 1}, None], dtype=object))),
        LABELS_NPY,
        message="“scores.npy”: expected numbers — save e.g. np.asarray(logits, "
        "dtype=np.float32); got Python objects (dtype object), which are stored as "
        "pickles: they can run code when loaded, so they are refused unread.",
    ),
    Case(
        "a file over the size limit",
        csv_upload("cat,dog,label\n" + "1,2,0\n" * 300),
        max_bytes=1000,
        message="“scores.csv”: expected a file of at most 1000 bytes — upload fewer samples, "
        "or save the scores as float32 .npy (4 bytes a number, a fraction of a CSV's "
        "size); got 1.8 kB.",
    ),
    Case(
        "UTF-16 with a byte-order mark",
        Upload("scores.csv", "cat,dog,label\n1,2,0\n".encode("utf-16")),
        message="“scores.csv”: expected UTF-8 text — save it again as “CSV UTF-8”; got UTF-16 "
        "(or UTF-32) text, which starts with the byte-order mark FF FE.",
    ),
    Case(
        "UTF-16 without a byte-order mark",
        Upload("scores.csv", "cat,dog,label\n1,2,0\n".encode("utf-16-le")),
        message="“scores.csv”: expected UTF-8 CSV, or a NumPy .npy / .npz file; got NUL bytes, "
        "so not a CSV file: it looks like UTF-16 text without a byte-order mark.",
    ),
    Case(
        "Latin-1 text",
        Upload("scores.csv", "café,dog,label\n1,2,0\n".encode("latin-1")),
        message="“scores.csv”, first line: expected UTF-8 text — save the file again as “CSV "
        "UTF-8”; got the byte 0xE9 at position 3.",
    ),
    Case(
        "a 3-D array",
        Upload("scores.npy", npy_bytes(np.ones((2, 3, 4), np.float32))),
        LABELS_NPY,
        message="“scores.npy”: expected 2 dimensions: one row per sample, one column per class "
        "— for an (N, C, d1, …) output, move the class axis last and reshape to "
        "(N·d1·…, C), with the labels flattened the same way; got 3 dimensions (shape "
        "2 × 3 × 4).",
    ),
    Case(
        "a 1-D array",
        Upload("scores.npy", npy_bytes(np.ones(3, np.float32))),
        LABELS_NPY,
        message="“scores.npy”: expected 2 dimensions: one row per sample, one column per class "
        "— a 1-D array is one number per sample, a classifier gives one per class; got "
        "1 dimension (shape 3).",
    ),
    Case(
        "a .npz without the expected arrays",
        Upload("scores.npz", npz_bytes(x=SCORES, y=LABELS)),
        message="“scores.npz”: expected an array named 'logits' or 'probabilities' or 'probs' "
        "(and one named 'labels'), e.g. np.savez(path, logits=logits, labels=labels); "
        "got 2 arrays (x, y).",
    ),
    Case(
        "a .npz of Python objects",
        Upload("scores.npz", npz_bytes(logits=np.array([None, 1], dtype=object), labels=LABELS)),
        message="“scores.npz”, array “logits”: expected numbers — save e.g. np.asarray(logits, "
        "dtype=np.float32); got Python objects (dtype object), which are stored as "
        "pickles: they can run code when loaded, so they are refused unread.",
    ),
    Case(
        "a .npy cut short",
        Upload("scores.npy", npy_bytes(SCORES)[:-5]),
        LABELS_NPY,
        message="“scores.npy”: expected the 36 bytes of 3 × 3 float32 values its header "
        "announces — upload the complete file; got 31 bytes after the header.",
    ),
    Case(
        "a .npy of booleans",
        Upload("scores.npy", npy_bytes(SCORES > 1)),
        LABELS_NPY,
        message="“scores.npy”: expected real numbers (float32, float64 or integers); got "
        "True/False values (dtype bool).",
    ),
    Case(
        "a header naming a column twice",
        csv_upload("cat,cat,label\n1,2,0\n"),
        message="“scores.csv”, first row: expected a distinct name for every column (the class "
        "names come from the header); got the name “cat” twice.",
    ),
    Case(
        "a labels file with two columns",
        csv_upload("cat,dog\n1,2\n3,4\n"),
        Upload("labels.csv", b"1,2\n3,4\n"),
        label_column=None,
        field="labels",
        message="Labels file “labels.csv”: expected one label per line; got 2 columns.",
    ),
    Case(
        "a header over 1 MB of distinct names",
        csv_upload(
            ",".join(f"n{i:06d}" for i in range(140_000)) + ",label\n" + "0," * 140_000 + "0\n"
        ),
        message="“scores.csv”, first line: expected a first line (the column names) of at most "
        "1.0 MB; got a line of 1.1 MB.",
    ),
    Case(
        "a .npy announcing a negative dimension",
        Upload("scores.npy", npy_announcing((-1, 2))),
        LABELS_NPY,
        message="“scores.npy”: expected a shape of whole numbers of 0 or more, as numpy.save "
        "writes; got a header announcing the shape (-1, 2).",
    ),
    Case(
        "a .npy announcing more values than int64 counts",
        Upload("scores.npy", npy_announcing((2**40, 2**23))),
        LABELS_NPY,
        message="“scores.npy”: expected the 33,554,432 TB of 1,099,511,627,776 × 8,388,608 "
        "float32 values its header announces — upload the complete file; got 16 bytes after "
        "the header.",
    ),
    Case(
        "an .npz member announcing a negative dimension",
        Upload("scores.npz", npz_members(logits=npy_announcing((3, -2)), labels=npy_bytes(LABELS))),
        message="“scores.npz”, array “logits”: expected a shape of whole numbers of 0 or more, as "
        "numpy.save writes; got a header announcing the shape (3, -2).",
    ),
]


# ---------------------------------------------------------------------------------- the bombs
# Small files that would make the server read, hold or compute far more than their size. Each is
# built here in a few hundred milliseconds, streamed (never held unpacked), and kept once built.

BOMB_ROWS = 24_000_000  # 24 M × 2 float32 = 183 MB unpacked, from a 210 kB archive
BOMB_NAMES = 45_000_000  # 45 M one-letter class names = 172 MB unpacked, from a 176 kB archive
_CHUNK = 1 << 22


def npz_streamed(**members: tuple[bytes, bytes, int]) -> bytes:
    """A compressed .npz whose members are (header, a repeated pattern, bytes of it), streamed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, pattern, size) in members.items():
            block = pattern * (_CHUNK // len(pattern))
            with archive.open(f"{name}.npy", "w", force_zip64=True) as out:
                out.write(header)
                for start in range(0, size, len(block)):
                    out.write(block[: min(len(block), size - start)])
    return buffer.getvalue()


@cache
def zeros_bomb() -> bytes:
    """A 210 kB .npz of 24 M × 2 float32 zeros (and 24 M uint8 labels)."""
    return npz_streamed(
        logits=(npy_header((BOMB_ROWS, 2)), b"\x00", BOMB_ROWS * 8),
        labels=(npy_header((BOMB_ROWS,), "|u1"), b"\x00", BOMB_ROWS),
    )


@cache
def names_bomb() -> bytes:
    """A 176 kB .npz of 3 × 3 logits, their labels and 45 M class names “a”."""
    return npz_streamed(
        logits=(npy_header((3, 3)), b"\x00", 36),
        labels=(npy_header((3,), "|u1"), b"\x00", 3),
        classes=(npy_header((BOMB_NAMES,), "<U1"), b"a\x00\x00\x00", BOMB_NAMES * 4),
    )


def members_bomb(count: int = 10_000) -> bytes:
    """An .npz of `count` tiny arrays besides its logits and labels."""
    extra = {f"a{i}": npy_bytes(np.zeros(1, np.uint8)) for i in range(count)}
    return npz_members(logits=npy_bytes(SCORES), labels=npy_bytes(LABELS), **extra)


def columns_bomb(columns: int = 1_000_000) -> bytes:
    """A CSV without a header whose two rows hold `columns` empty fields (1 MB a line)."""
    return (("," * (columns - 1) + "\n") * 2).encode()


def header_bomb(columns: int = 1_000_000) -> bytes:
    """A CSV whose header names `columns` classes “a” (2 MB), above one row."""
    return ("a," * columns + "label\n" + "0," * columns + "0\n").encode()


@cache
def lying_bomb() -> bytes:
    """The zeros bomb's logits, its central directory claiming 1 kB unpacked instead of 183 MB."""
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    block = b"\x00" * _CHUNK
    with archive.open("logits.npy", "w", force_zip64=True) as out:
        out.write(npy_header((BOMB_ROWS, 2)))
        for start in range(0, BOMB_ROWS * 8, _CHUNK):
            out.write(block[: min(_CHUNK, BOMB_ROWS * 8 - start)])
    archive.filelist[-1].file_size = 1000  # written into the central directory on close
    archive.writestr("labels.npy", npy_bytes(np.zeros(3, np.uint8)))
    archive.close()
    return buffer.getvalue()
