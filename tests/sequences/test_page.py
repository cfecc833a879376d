"""The Sequences page through AppTest: the example, good uploads, and every bad input's message
beside the uploader with the page still working. Expected numbers come from xentcore."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import xentcore
from xentui.kit.units import loss_text
from xentui.sequences.data import EXAMPLE_NAME, PADDING_CHOICES, example_losses
from xentui.sequences.views import MAX_HEATMAP_ROWS, heatmap_caption, reductions_sentence
from xentui.session.sequences import read_sequences


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/analyse/sequences.py"
TOKEN_LABEL = "Token mean (PyTorch's reduction='mean')"


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def opened() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    run(at)  # the first run calls st.navigation, which registers the pages
    at.switch_page(PAGE)
    return run(at)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def errors_beside_uploader(at: AppTest) -> list[str]:
    column = next(c for c in at.columns if any(getattr(e, "key", None) == "seq_file" for e in c))
    return [e.value for e in column.get("error")]


def upload(at: AppTest, name: str, data: bytes | None) -> AppTest:
    at.file_uploader(key="seq_file").set_value(
        None if data is None else (name, data, "application/octet-stream")
    )
    return run(at)


def test_the_example_shows_without_an_upload(opened):
    at = opened
    example = example_losses()
    assert metrics(at)[TOKEN_LABEL] == loss_text(example.token_mean)
    assert metrics(at)["Sequence mean"] == loss_text(example.sequence_mean)
    assert any(EXAMPLE_NAME in unescape(m.value) for m in at.markdown)
    assert any(reductions_sentence(example)[:60] in m.value for m in at.markdown)
    assert len(at.dataframe) == 2 and len(at.get("plotly_chart")) == 1


def test_logits_with_targets_match_torch():
    import torch

    rng = np.random.default_rng(1)
    logits = rng.standard_normal((7, 9, 5)).astype(np.float32)
    targets = rng.integers(0, 5, (7, 9))
    targets[:, 6:] = -100
    at = AppTest.from_file(APP, default_timeout=120)
    run(at)
    at.switch_page(PAGE)
    run(at)
    upload(at, "lm.npz", npz_bytes(logits=logits, targets=targets))
    expected = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits).double().reshape(-1, 5), torch.from_numpy(targets).reshape(-1)
    )
    assert metrics(at)[TOKEN_LABEL] == loss_text(float(expected))
    assert not errors_beside_uploader(at)
    assert any("lm.npz" in unescape(m.value) for m in at.markdown)


def test_log_probabilities_with_nan_padding_and_many_rows():
    rng = np.random.default_rng(2)
    lp = -rng.exponential(size=(MAX_HEATMAP_ROWS + 50, 30))
    lp[:, 20:] = np.nan
    at = AppTest.from_file(APP, default_timeout=120)
    run(at)
    at.switch_page(PAGE)
    run(at)
    upload(at, "lp.npy", npy_bytes(lp))
    expected = xentcore.sequence_losses(lp, padding_value=np.nan)
    assert metrics(at)[TOKEN_LABEL] == loss_text(expected.token_mean)
    caption = heatmap_caption(expected)
    assert caption.startswith(f"Showing sequences 1–{MAX_HEATMAP_ROWS} of 250")
    assert any(c.value == caption for c in at.caption)
    # zero padding, chosen beside the uploader, reads the same file's zeros as padding
    lp0 = np.nan_to_num(lp, nan=0.0)
    at.selectbox(key="seq_padding").set_value(PADDING_CHOICES[1])
    upload(at, "lp0.npy", npy_bytes(lp0))
    assert metrics(at)[TOKEN_LABEL] == loss_text(expected.token_mean)


BAD = [
    ("empty.npy", b"", "an empty file"),
    ("table.npy", b"1,2,3\n4,5,6\n", "text (a CSV file?)"),
    ("probs.npy", npy_bytes(np.full((2, 3), 0.5)), "must be log-probabilities (≤ 0)"),
    ("cube.npy", npy_bytes(np.zeros((2, 3, 4))), "no targets"),
    ("flat.npy", npy_bytes(np.zeros(3)), "got 1 dimension (shape (3,))"),
    ("none.npy", npy_bytes(np.zeros((0, 5))), "target_log_probs must be a non-empty"),
    ("four.npy", npy_bytes(np.zeros((1, 2, 3, 4))), "4 dimensions"),
    (
        "short.npz",
        npz_bytes(logits=np.zeros((2, 3, 4)), targets=np.zeros((2, 2), np.int64)),
        "targets must be token indices of shape (N, T) = (2, 3)",
    ),
    (
        "vocab.npz",
        npz_bytes(logits=np.zeros((1, 2, 4)), targets=np.array([[0, 7]])),
        "holds 7, outside the vocabulary [0, 3]",
    ),
    ("names.npz", npz_bytes(weights=np.zeros(3)), "an array named"),
    ("pickle.npy", npy_bytes(np.array([{"a": 1}], dtype=object)), "object"),
]


@pytest.mark.parametrize(("name", "data", "said"), BAD, ids=[b[0] for b in BAD])
def test_every_bad_upload_is_said_beside_the_uploader(opened, name, data, said):
    at = upload(opened, name, data)
    beside = " ".join(errors_beside_uploader(at))
    assert said in beside.replace("\\", ""), beside
    assert name in beside.replace("\\", "")
    # the rest keeps working: the example is shown meanwhile, and the file stays chosen
    assert metrics(at)[TOKEN_LABEL] == loss_text(example_losses().token_mean)
    assert any("until the file can be read" in i.value for i in at.info)
    upload(at, "x", None)


def test_every_position_ignored_is_a_warning_not_an_error(opened):
    at = upload(
        opened, "none.npz", npz_bytes(logits=np.zeros((1, 2, 3)), targets=np.full((1, 2), -100))
    )
    assert any("No position counts" in w.value for w in at.warning)
    assert not errors_beside_uploader(at)
    upload(at, "x", None)


def test_the_reader_refuses_what_the_page_refuses():
    with pytest.raises(ValueError, match=r"^“cube.npy”: expected an .npz with 'logits'"):
        read_sequences(npy_bytes(np.zeros((2, 3, 4))), "cube.npy", 2**20, np.nan)


def errors_beside(at: AppTest, key: str) -> list[str]:
    column = next(c for c in at.columns if any(getattr(e, "key", None) == key for e in c))
    return [e.value.replace("\\", "") for e in column.get("error")]


def upload_mask(at: AppTest, name: str, data: bytes | None) -> AppTest:
    at.file_uploader(key="seq_mask").set_value(
        None if data is None else (name, data, "application/octet-stream")
    )
    return run(at)


LOG_PROBS = -np.random.default_rng(4).exponential(size=(6, 10))
MASK = np.arange(10)[None, :] < np.array([10, 3, 7, 1, 5, 8])[:, None]


def test_a_mask_file_marks_the_padding(opened):
    at = upload(opened, "lp.npy", npy_bytes(LOG_PROBS))
    at = upload_mask(at, "mask.npy", npy_bytes(MASK.astype(np.uint8)))
    expected = xentcore.sequence_losses(LOG_PROBS, mask=MASK)
    assert metrics(at)[TOKEN_LABEL] == loss_text(expected.token_mean)
    assert metrics(at)["Sequence mean"] == loss_text(expected.sequence_mean)
    assert any("lp.npy (mask mask.npy)" in unescape(m.value) for m in at.markdown)
    upload_mask(at, "x", None)
    upload(at, "x", None)


BAD_MASKS = [
    (
        "wide.npy",
        npy_bytes(np.ones((6, 11), np.uint8)),
        "lp.npy",
        "mask must have the shape of target_log_probs (6, 10); got (6, 11)",
    ),
    ("twos.npy", npy_bytes(np.full((6, 10), 2)), "lp.npy", "mask must hold only True/False or 0/1"),
    (
        "text.npy",
        b"1,0\n",
        "lp.npy",
        "expected a NumPy .npy of 0/1, (N, T); got text (a CSV file?)",
    ),
    ("booleans.npy", npy_bytes(MASK), "lp.npy", "got True/False values (dtype bool)"),
    ("empty.npy", b"", "lp.npy", "an empty file"),
    ("for-logits.npy", npy_bytes(np.ones((2, 3), np.uint8)), "lm.npz", "expected no mask with 3-D"),
]


@pytest.mark.parametrize(
    ("name", "data", "scores", "said"), BAD_MASKS, ids=[b[0] for b in BAD_MASKS]
)
def test_every_bad_mask_is_said_beside_the_mask(opened, name, data, scores, said):
    good = (
        npy_bytes(LOG_PROBS)
        if scores == "lp.npy"
        else npz_bytes(logits=np.zeros((2, 3, 4)), targets=np.zeros((2, 3), np.int64))
    )
    at = upload(opened, scores, good)
    at = upload_mask(at, name, data)
    beside = " ".join(errors_beside(at, "seq_mask"))
    assert said in beside and name in beside, beside
    assert not errors_beside(at, "seq_file")
    # the scores read before the mask stay shown, and the page says so
    earlier = read_sequences(good, scores, 2**20, np.nan)
    assert metrics(at)[TOKEN_LABEL] == loss_text(earlier.token_mean)
    infos = [unescape(i.value) for i in at.info]
    assert f"Below: still {scores}, until the mask can be read; fix it above." in infos
    upload_mask(at, "x", None)
    upload(at, "x", None)
