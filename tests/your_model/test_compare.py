"""Two models side by side: the figures against a direct computation and a plain loop, the paired
interval against xentcore's, every mismatch named, and the page's Compare tab through AppTest."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from upload_cases import npz_bytes
from your_model.test_page import (
    EXAMPLE,
    TOY_CSV,
    assert_no_exception,
    open_page,
    run,
    unescape,
    upload,
)

import xentcore
from xentui.your_model.analysis import analyse_upload
from xentui.your_model.compare import (
    DENSITY_BINS,
    class_difference_frame,
    compare_models,
    compare_temperature,
    flips,
    loss_density_figure,
    metrics_frame,
    mismatch,
)
from xentui.your_model.example import EXAMPLE_CLASSES, example_data
from xentui.your_model.upload import ModelData

DATA = example_data(3_000)
NOISY = DATA.scores + np.random.default_rng(1).normal(0, 1.5, DATA.scores.shape).astype(np.float32)
A = analyse_upload(DATA)
B = analyse_upload(ModelData(NOISY, DATA.labels, DATA.class_names, "noisy"))
PAIR = compare_models(A, B)


def brier_at(scores: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """mean over samples of Σ_c (p_c − y_c)², p = torch.softmax(z / T), in float64."""
    p = torch.softmax(torch.from_numpy(scores).double() / temperature, 1)
    y = torch.nn.functional.one_hot(torch.from_numpy(labels).long(), scores.shape[1]).double()
    return float(((p - y) ** 2).sum(1).mean())


def test_the_headline_differences_and_their_paired_intervals():
    frame = metrics_frame(PAIR, 15).set_index("figure")
    loss = frame.loc["mean cross-entropy (nats)"]
    assert loss.iloc[0] == pytest.approx(A.mean_loss, rel=1e-9)
    assert loss.iloc[1] == pytest.approx(B.mean_loss, rel=1e-9)
    assert loss["B − A"] == pytest.approx(B.mean_loss - A.mean_loss, rel=1e-9)
    r = xentcore.paired_bootstrap_difference(B.loss.astype(np.float64), A.loss.astype(np.float64))
    assert loss["95% interval of B − A"] == f"[{r.low:+.4f}, {r.high:+.4f}]"
    assert r.low > 0  # noise makes the model worse, beyond resampling noise
    brier = frame.loc["Brier score"]
    assert brier.iloc[0] == pytest.approx(A.scores.brier, rel=1e-9)
    ece = frame.loc["ECE (15 bins)"]
    assert ece.iloc[0] == pytest.approx(A.reliability(15)[0].ece, rel=1e-12)
    assert ece["95% interval of B − A"] == "—"
    bits = metrics_frame(PAIR, 15, "bits").set_index("figure")
    assert bits.loc["mean cross-entropy (bits)"].iloc[0] == pytest.approx(A.mean_loss / np.log(2))


def test_flips_are_what_a_plain_loop_finds():
    worse, better = flips(PAIR)
    a, b = A.correct.tolist(), B.correct.tolist()
    assert sorted(worse.tolist()) == [i for i in range(len(a)) if a[i] and not b[i]]
    assert sorted(better.tolist()) == [i for i in range(len(a)) if not a[i] and b[i]]
    assert (np.diff(B.loss[worse].astype(np.float64)) <= 0).all()  # highest B loss first


def test_per_class_differences_match_a_plain_loop():
    frame = class_difference_frame(PAIR).set_index("class")
    for c, name in enumerate(EXAMPLE_CLASSES):
        rows = [i for i, t in enumerate(DATA.labels.tolist()) if t == c]
        mean_a = sum(float(A.loss[i]) for i in rows) / len(rows)
        mean_b = sum(float(B.loss[i]) for i in rows) / len(rows)
        assert frame.loc[name, "samples"] == len(rows)
        assert frame.loc[name, "B − A loss"] == pytest.approx(mean_b - mean_a, rel=1e-9)


def test_the_density_counts_every_sample_in_few_cells():
    fig = loss_density_figure(PAIR)
    counts = np.asarray(fig.data[0].text)
    assert counts.shape == (DENSITY_BINS, DENSITY_BINS)
    assert counts.sum() == A.num_samples


def test_before_and_after_temperature_on_the_held_out_half():
    pair = compare_temperature(A)
    held = A.scores.held_out
    assert np.array_equal(pair.rows, held)
    frame = metrics_frame(pair, 15).set_index("figure")
    loss = frame.loc["mean cross-entropy (nats)"]
    assert loss.iloc[0] == pytest.approx(A.temperature.mean_loss_before, rel=1e-9)
    assert loss.iloc[1] == pytest.approx(A.temperature.mean_loss_after, rel=1e-9)
    brier = frame.loc["Brier score"]
    scores, labels = DATA.scores[held], DATA.labels[held]
    assert brier.iloc[0] == pytest.approx(brier_at(scores, labels, 1.0), rel=1e-6)
    at_t = brier_at(scores, labels, A.temperature.temperature)
    assert brier.iloc[1] == pytest.approx(at_t, rel=1e-6)
    assert brier["B − A"] == pytest.approx(at_t - brier_at(scores, labels, 1.0), abs=1e-6)
    r = xentcore.paired_bootstrap_difference(
        A.scores.brier_per_sample_after[held], A.scores.brier_per_sample[held]
    )
    assert brier["95% interval of B − A"] == f"[{r.low:+.4f}, {r.high:+.4f}]"
    assert [len(f) for f in flips(pair)] == [0, 0]  # dividing by T > 0 moves no argmax


def _renamed(names):
    return analyse_upload(ModelData(DATA.scores, DATA.labels, tuple(names), "b"))


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            analyse_upload(example_data(2_000)),
            "expected 3,000 samples, as the first model has; got 2,000 samples",
        ),
        (
            analyse_upload(
                ModelData(DATA.scores[:, :9], np.minimum(DATA.labels, 8), DATA.class_names[:9], "b")
            ),
            "expected 10 classes, as the first model has; got 9 classes",
        ),
        (
            _renamed([*EXAMPLE_CLASSES[1::-1], *EXAMPLE_CLASSES[2:]]),
            f"expected the first model's class names in its order; class 0 is "
            f"“{EXAMPLE_CLASSES[1]}” where the first model has “{EXAMPLE_CLASSES[0]}”",
        ),
        (
            analyse_upload(ModelData(DATA.scores, (DATA.labels + 1) % 10, DATA.class_names, "b")),
            "expected the first model's labels; 3,000 differ, the first at sample 1",
        ),
    ],
    ids=["rows", "classes", "class order", "labels"],
)
def test_a_second_model_that_differs_is_named(second, message):
    assert mismatch(A, second) == message
    assert mismatch(A, B) is None


# ------------------------------------------------------------------------------ the page


def test_the_page_compares_before_and_after_temperature():
    at = open_page()
    at.button_group(key="ym_compare").set_value("temperature")
    run(at)
    table = next(d.value for d in at.dataframe if "95% interval of B − A" in d.value.columns)
    assert table["figure"].tolist()[:3] == ["mean cross-entropy (nats)", "accuracy", "Brier score"]
    brier = table.set_index("figure").loc["Brier score"]
    held = EXAMPLE.scores.held_out
    data = example_data()  # the page's example, as EXAMPLE is
    expected = brier_at(data.scores[held], data.labels[held], EXAMPLE.temperature.temperature)
    assert brier.iloc[1] == pytest.approx(expected, rel=1e-6)  # B: at the fitted T
    assert any("flipped" in m.value for m in at.markdown)


def _example_npz(scores: np.ndarray, labels: np.ndarray) -> bytes:
    return npz_bytes(logits=scores, labels=labels, class_names=np.array(EXAMPLE_CLASSES))


def test_the_page_compares_a_second_upload_and_names_a_mismatch_beside_it():
    at = open_page()
    upload(at, "ym_file", "a.npz", _example_npz(DATA.scores, DATA.labels))
    run(at)
    at.button_group(key="ym_compare").set_value("file")
    run(at)
    upload(at, "ym_file_b", "b.npz", _example_npz(NOISY, DATA.labels))
    run(at)
    table = next(d.value for d in at.dataframe if "95% interval of B − A" in d.value.columns)
    assert table.columns[1:3].tolist() == ["A: a.npz", "B: b.npz"]
    assert table.iloc[0]["B − A"] == pytest.approx(B.mean_loss - A.mean_loss, rel=1e-6)
    upload(at, "ym_file_b", "toy.csv", TOY_CSV)
    run(at)
    errors = [unescape(e.value) for e in at.error]
    assert errors == ["“toy.csv”: expected 3,000 samples, as the first model has; got 3 samples."]
    assert not any("95% interval of B − A" in d.value.columns for d in at.dataframe)
    assert_no_exception(at)


def test_without_a_fitted_temperature_the_page_says_why():
    at = open_page()
    # Every label is its row's top class: the loss falls as T shrinks to 0, no finite T is fitted.
    upload(at, "ym_file", "sure.csv", b"a,b,label\n5,0,0\n0,5,1\n4,1,0\n1,4,1\n3,0,0\n0,3,1\n")
    run(at)
    at.button_group(key="ym_compare").set_value("temperature")
    run(at)
    infos = [unescape(i.value) for i in at.info]
    assert any(text.startswith("No temperature was fitted") for text in infos), infos


def test_a_broken_second_file_is_named_and_nothing_is_compared():
    at = open_page()
    at.button_group(key="ym_compare").set_value("file")
    run(at)
    upload(at, "ym_file_b", "ragged.csv", b"cat,dog,label\n1,2,0\n3,1\n")
    run(at)
    errors = [unescape(e.value) for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("“ragged.csv”, line 3 (sample 2): expected")
    assert not any("95% interval of B − A" in d.value.columns for d in at.dataframe)
    assert_no_exception(at)
