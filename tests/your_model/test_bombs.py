"""Small files that ask for far more than their size: each refused, before the work it asks for.

The bombs are built in tests/upload_cases.py (a 210 kB .npz of 24 M × 2 float32, 176 kB of 45 M
class names, a CSV of 10⁶ columns, an .npz of 10 000 arrays, archives whose sizes lie). Each is
refused with its pinned message; "before reading" is checked by counting the bytes unpacked from
the archive (every read of a member goes through zipfile.ZipExtFile.read), not by timing.
"""

from __future__ import annotations

import io
import re
import time
import zipfile

import numpy as np
import pytest
from upload_cases import (
    LABELS,
    SCORES,
    columns_bomb,
    header_bomb,
    lying_bomb,
    members_bomb,
    names_bomb,
    npy_bytes,
    npz_bytes,
    zeros_bomb,
)

from xentui.your_model.analysis import analyse_upload
from xentui.your_model.csv_scores import csv_layout
from xentui.your_model.load import Upload, load_model_data
from xentui.your_model.upload import (
    MAX_CLASSES,
    READ_CHUNK_BYTES,
    CpuBudget,
    UploadError,
    quoted,
)

SERVER_CAP = 200 * 2**20  # deploy/config.production.toml's server.maxUploadSize


@pytest.fixture
def unpacked(monkeypatch):
    """A list whose sum is every byte read from any archive member from now on."""
    counts: list[int] = []
    read = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = read(self, n)
        counts.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return counts


def refusal(name: str, data: bytes, has_header: bool = True, budget=None, labels=None) -> str:
    with pytest.raises(UploadError) as raised:
        if name.endswith(".csv"):
            csv_layout(data, name, has_header)
        loaded = load_model_data(
            Upload(name, data),
            labels,
            has_header=has_header,
            label_column=None,
            max_bytes=SERVER_CAP,
            budget=budget,
        )
        analyse_upload(loaded, "detect", budget)
    assert raised.value.field == "file"
    return str(raised.value)


def test_an_npz_unpacking_to_24m_by_2_floats_is_refused_from_its_headers(unpacked):
    assert len(zeros_bomb()) < 220_000
    assert refusal("zeros.npz", zeros_bomb()) == (
        "“zeros.npz”, array “logits”: expected arrays of at most 64.0 MB unpacked in all — 10 "
        "times the archive's 205.5 kB, or 64.0 MB, whichever is more; save the arrays with "
        "np.savez rather than np.savez_compressed, or as .npy; got 183.1 MB unpacked."
    )
    assert sum(unpacked) < 1000  # the two headers, nothing of the 183 MB


def test_45_million_class_names_are_refused_from_their_header(unpacked):
    assert len(names_bomb()) < 180_000
    assert refusal("names.npz", names_bomb()) == (
        "“names.npz”, array “classes”: expected one distinct, non-empty name for each of the 3 "
        "classes; got 45,000,000 names."
    )
    assert sum(unpacked) < 1000


def test_class_names_longer_than_the_limit_are_refused_from_their_header(unpacked):
    long = npz_bytes(logits=SCORES, labels=LABELS, classes=np.array(["a", "b", "c" * 300]))
    assert refusal("long.npz", long) == (
        "“long.npz”, array “classes”: expected class names of at most 200 characters; got names "
        "of up to 300 characters (dtype <U300)."
    )
    assert sum(unpacked) < 1000


def test_an_npz_of_10000_arrays_is_refused_before_zipfile_lists_them(monkeypatch):
    def listing(*args, **kwargs):
        raise AssertionError("zipfile.ZipFile read the member list")

    bomb = members_bomb()
    monkeypatch.setattr(zipfile, "ZipFile", listing)
    assert refusal("many.npz", bomb) == (
        "“many.npz”: expected at most 64 arrays, e.g. np.savez(path, logits=logits, "
        "labels=labels); got 10,002 arrays."
    )


def test_an_npz_whose_end_record_understates_its_members_is_refused_by_the_lists_size():
    data = bytearray(members_bomb())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (3).to_bytes(2, "little") * 2  # "3 members", on disk and in all
    message = refusal("many.npz", bytes(data))
    assert re.fullmatch(
        r"“many\.npz”: expected at most 64 arrays, e\.g\. np\.savez\(path, logits=logits, "
        r"labels=labels\); got a list of arrays of [\d.]+ kB\.",
        message,
    )


def test_an_archive_claiming_1_kb_for_183_mb_is_refused_after_reading_at_most_its_claim(
    unpacked,
):
    assert refusal("lying.npz", lying_bomb()) == (
        "“lying.npz”, array “logits”: expected a file written by numpy.savez; got an array that "
        "cannot be read (Bad CRC-32 for file 'logits.npy')."
    )
    assert sum(unpacked) <= 1000  # what the directory claims, never what the stream holds


def test_a_header_announcing_more_than_its_member_holds_is_refused_unread(unpacked):
    raw = npz_bytes(logits=np.zeros((4, 3), np.float32), labels=LABELS)
    archive = zipfile.ZipFile(io.BytesIO(raw))
    member = archive.read("logits.npy")
    # The same member, its header now announcing 24 M rows: the directory says 176 bytes.
    grown = member.replace(b"(4, 3)", b"(24000000, 3)", 1)
    lying = io.BytesIO()
    with zipfile.ZipFile(lying, "w") as out:
        out.writestr("logits.npy", grown)
        out.writestr("labels.npy", archive.read("labels.npy"))
    message = refusal("grown.npz", lying.getvalue())
    assert message.startswith("“grown.npz”, array “logits”: expected the 274.7 MB of 24,000,000")
    assert sum(unpacked) < 1000


def test_unpacking_stops_at_the_cpu_budget_after_one_chunk(unpacked):
    rng = np.random.default_rng(0)
    rows = 3 * READ_CHUNK_BYTES // 40  # 3 chunks of float32 scores over 10 classes
    logits = rng.standard_normal((rows, 10)).astype(np.float32)
    data = npz_bytes(logits=logits, labels=rng.integers(0, 10, rows))
    spent = CpuBudget(0.0, "big.npz")
    message = refusal("big.npz", data, budget=spent)
    assert re.fullmatch(
        r"“big\.npz”: expected an analysis within the server's limit of 0 s of CPU time — "
        r"upload fewer samples; got [\d.]+ s of CPU time spent, unpacking the \.npz, when the "
        r"analysis was stopped\.",
        message,
    )
    assert sum(unpacked) <= READ_CHUNK_BYTES + 1000  # one chunk and the headers


def test_the_analysis_stops_within_its_cpu_budget():
    rng = np.random.default_rng(0)
    data = load_model_data(
        Upload("s.npy", npy_bytes(rng.standard_normal((400_000, 10)).astype(np.float32))),
        Upload("y.npy", npy_bytes(rng.integers(0, 10, 400_000))),
        has_header=True,
        label_column=None,
        max_bytes=SERVER_CAP,
    )
    budget = CpuBudget(1e-4, "s.npy")
    with pytest.raises(UploadError) as raised:
        analyse_upload(data, "logits", budget)
    assert ", analysing the scores, when the analysis was stopped." in str(raised.value)
    assert budget.used < 1.0  # stopped after a block or a few, not after the whole pass


def test_the_walk_for_a_faulty_csv_line_stops_within_its_cpu_budget():
    text = "a,b,label\n" + "1,2,0\n" * 200_000 + "1,x,0\n"
    budget = CpuBudget(0.05, "s.csv")
    started = time.process_time()
    message = refusal("s.csv", text.encode(), budget=budget)
    assert "when the analysis was stopped" in message
    assert time.process_time() - started < 2


def test_a_csv_of_a_million_columns_is_refused_from_its_first_line():
    assert refusal("wide.csv", columns_bomb(), has_header=False) == (
        "“wide.csv”, first row: expected at most 100,001 columns: one per class and a label "
        "column; got 1,000,000 columns."
    )
    assert refusal("wide.csv", header_bomb()) == (
        "“wide.csv”, first line: expected a first line (the column names) of at most 1.0 MB; "
        "got a line of 1.9 MB."
    )


def test_a_csv_column_name_longer_than_the_limit_is_refused():
    text = "cat," + "d" * 201 + ",label\n1,2,0\n"
    assert refusal("s.csv", text.encode()) == (
        "“s.csv”, first row: expected column names of at most 200 characters; got a name of "
        f"201 characters for column 2 ({quoted('d' * 201)})."
    )


def test_a_matrix_of_more_classes_than_the_limit_is_refused():
    wide = npy_bytes(np.zeros((1, MAX_CLASSES + 1), np.float32))
    assert refusal("wide.npy", wide, labels=Upload("y.npy", npy_bytes(np.zeros(1, int)))) == (
        "“wide.npy”: expected at most 100,000 columns, one per class; got 100,001 columns "
        "(shape 1 × 100,001)."
    )


@pytest.mark.parametrize(
    ("name", "bomb"), [("zeros.npz", zeros_bomb), ("names.npz", names_bomb)], ids=["zeros", "names"]
)
def test_the_page_shows_a_bombs_refusal_beside_the_uploader_and_keeps_the_example(name, bomb):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/analyse/your_model.py").run()
    example = at.session_state["ym_analysis"]
    at.file_uploader(key="ym_file").set_value((name, bomb(), "application/octet-stream"))
    started = time.perf_counter()
    at.run()
    assert time.perf_counter() - started < 5  # ~0.1 s; the bound only catches a read of 183 MB
    assert not at.exception
    problem = at.session_state["ym_problem"]
    assert problem is not None and problem.field == "file" and str(problem).startswith(f"“{name}”")
    assert at.session_state["ym_analysis"] is example
