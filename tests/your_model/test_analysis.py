"""The analysis behind "Your model": per-sample losses, calibration, temperature, libraries.

Oracles: PyTorch (F.cross_entropy, imported here only), scikit-learn's log_loss, plain loops and
grids. Matrices large enough to cross the block boundaries and take the threaded path are used
where the streaming could go wrong.
"""

from __future__ import annotations

import itertools
import json
import math
import tracemalloc

import numpy as np
import pytest
import torch
from sklearn.metrics import log_loss

import xentcore
from xentcore._pool import BLOCK_ELEMENTS, row_blocks
from xentui.domain.limits import MAX_CLASSES
from xentui.domain.share_link import decode, encode
from xentui.your_model.analysis import MAX_WORST, analyse_upload
from xentui.your_model.example import OVERCONFIDENCE, example_data
from xentui.your_model.figures import (
    CELL_FONT_SIZE,
    MAX_CLASSES_SHOWN,
    class_loss_figure,
    confusion_figure,
    loss_histogram_figure,
    reliability_figure,
)
from xentui.your_model.playground_link import IMPOSSIBLE_LOGIT, worst_sample_scenario
from xentui.your_model.tables import (
    class_frame,
    libraries_frame,
    per_sample_csv,
    summary_frame,
    worst_frame,
)
from xentui.your_model.upload import ModelData

TOL = {"rtol": 1e-5, "atol": 1e-6}


def model_data(scores: np.ndarray, labels: np.ndarray, names=None) -> ModelData:
    c = scores.shape[1]
    return ModelData(
        scores=scores,
        labels=np.asarray(labels, dtype=np.int32),
        class_names=tuple(names or (f"class {k}" for k in range(c))),
        source="test",
    )


def random_logits(n: int, c: int, seed: int = 0, spread: float = 3.0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, c, n)
    logits = (spread * rng.standard_normal((n, c))).astype(np.float32)
    logits[np.arange(n), labels] += 2.0
    return logits, labels


@pytest.fixture(scope="module")
def big():
    """3 000 × 1 000: 3 M numbers, so the scan and the loss pass run in threads, many blocks."""
    logits, labels = random_logits(3_000, 1_000)
    assert logits.size > 2 * BLOCK_ELEMENTS
    return logits, labels, analyse_upload(model_data(logits, labels))


def test_per_sample_loss_matches_pytorch_across_blocks_and_threads(big):
    logits, labels, analysis = big
    expected = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits), torch.from_numpy(labels), reduction="none"
    ).numpy()
    np.testing.assert_allclose(analysis.loss, expected, **TOL)
    assert analysis.mean_loss == pytest.approx(float(expected.astype(np.float64).mean()), 1e-7)


def test_prediction_confidence_and_target_probability_follow_softmax(big):
    logits, labels, analysis = big
    p = xentcore.softmax(logits.astype(np.float64))
    np.testing.assert_array_equal(analysis.prediction, logits.argmax(axis=1))
    np.testing.assert_allclose(analysis.confidence, p.max(axis=1), rtol=1e-4)
    np.testing.assert_allclose(
        analysis.target_probability, p[np.arange(len(labels)), labels], rtol=1e-4, atol=1e-12
    )
    assert analysis.accuracy == pytest.approx(float((p.argmax(axis=1) == labels).mean()))


def test_a_plain_loop_gives_the_same_losses():
    logits, labels = random_logits(7, 4, seed=3)
    analysis = analyse_upload(model_data(logits, labels))
    for i in range(7):
        row = logits[i].astype(np.float64)
        expected = math.log(sum(math.exp(v) for v in row)) - row[labels[i]]
        assert analysis.loss[i] == pytest.approx(expected, rel=1e-5)


def test_shifting_a_row_or_permuting_classes_changes_nothing():
    logits, labels = random_logits(500, 6, seed=1)
    base = analyse_upload(model_data(logits, labels))
    shifts = np.random.default_rng(2).normal(0, 50, (500, 1)).astype(np.float32)
    shifted = analyse_upload(model_data(logits + shifts, labels))
    np.testing.assert_allclose(shifted.loss, base.loss, rtol=1e-3, atol=1e-4)
    order = np.random.default_rng(3).permutation(6)
    inverse = np.argsort(order)
    permuted = analyse_upload(model_data(np.ascontiguousarray(logits[:, order]), inverse[labels]))
    np.testing.assert_allclose(permuted.loss, base.loss, **TOL)


def test_doubling_the_batch_keeps_the_mean_and_the_accuracy():
    logits, labels = random_logits(300, 5, seed=4)
    once = analyse_upload(model_data(logits, labels))
    twice = analyse_upload(
        model_data(np.vstack([logits, logits]), np.concatenate([labels, labels]))
    )
    assert twice.mean_loss == pytest.approx(once.mean_loss, rel=1e-9)
    assert twice.accuracy == once.accuracy
    np.testing.assert_array_equal(twice.class_counts, 2 * once.class_counts)


def test_probabilities_are_detected_and_scored_as_minus_log_p():
    rng = np.random.default_rng(5)
    p = rng.dirichlet(np.ones(4), size=200)
    labels = rng.integers(0, 4, 200)
    analysis = analyse_upload(model_data(p, labels))
    assert analysis.kind == analysis.detected == "probabilities"
    assert "every value lies in [0, 1] and every row sums to 1" in analysis.detection_reason
    np.testing.assert_allclose(analysis.loss, -np.log(p[np.arange(200), labels]), **TOL)
    np.testing.assert_allclose(analysis.confidence, p.max(axis=1), **TOL)
    # Overriding to logits scores the same numbers as logits: cross_entropy(P).
    as_logits = analyse_upload(model_data(p, labels), "logits")
    assert as_logits.kind == "logits" and as_logits.detected == "probabilities"
    np.testing.assert_allclose(as_logits.loss, xentcore.cross_entropy(p, labels, reduction="none"))


def test_unnormalised_rows_in_the_unit_interval_are_read_as_logits_with_a_reason():
    scores = np.array([[0.2, 0.3], [0.9, 0.9]], dtype=np.float32)
    analysis = analyse_upload(model_data(scores, [0, 1]))
    assert analysis.kind == "logits"
    assert analysis.detection_reason == (
        "every value lies in [0, 1], but the rows sum to 0.5 to 1.8, not 1: read as logits. "
        "If they are probabilities, they are not normalised"
    )


def test_a_zero_target_probability_costs_infinity_and_stops_the_fit():
    p = np.array([[0.0, 1.0], [0.0, 1.0], [0.5, 0.5], [0.9, 0.1]])
    analysis = analyse_upload(model_data(p, [0, 0, 0, 0]))
    assert analysis.loss[0] == np.inf and analysis.mean_loss == np.inf
    assert analysis.infinite_losses == 2 and analysis.histogram_counts.sum() == 2
    assert analysis.temperature.temperature is None
    assert analysis.temperature.note == (
        "no T was fitted: 1 of the 2 samples it is fitted on give their target probability 0 "
        "(a logit of −inf): their loss is +inf at every temperature, so no temperature "
        "minimises the mean"
    )
    assert analysis.confidence[0] == pytest.approx(1.0)
    sk = next(r for r in analysis.libraries if r.library == "scikit-learn")
    eps = np.finfo(np.float64).eps
    assert sk.value == pytest.approx((-2 * math.log(eps) - math.log(0.5) - math.log(0.9)) / 4)


def test_worst_samples_are_the_highest_losses_highest_first(big):
    _, _, analysis = big
    assert len(analysis.worst_rows) == MAX_WORST
    expected = np.argsort(-analysis.loss.astype(np.float64), kind="stable")[:MAX_WORST]
    np.testing.assert_array_equal(analysis.worst_rows, expected)
    frame = worst_frame(analysis, 5)
    assert list(frame["sample"]) == list(expected[:5] + 1)  # counted from 1
    assert frame["loss (nats)"].is_monotonic_decreasing
    in_bits = worst_frame(analysis, 5, unit="bits")["loss (bits)"]
    np.testing.assert_allclose(in_bits, frame["loss (nats)"] / np.log(2))


def test_class_summaries_and_confusion_add_up(big):
    logits, labels, analysis = big
    assert analysis.class_counts.sum() == len(labels)
    assert analysis.class_loss.sum() == pytest.approx(analysis.mean_loss * len(labels))
    classes = np.arange(analysis.num_classes)
    full = analysis.scores.confusion_counts(classes)
    expected = np.zeros_like(full)
    np.add.at(expected, (labels, logits.argmax(axis=1)), 1)
    np.testing.assert_array_equal(full, expected)
    table = class_frame(analysis)
    assert table["mean loss (nats)"].iloc[0] == pytest.approx(np.nanmax(table["mean loss (nats)"]))
    assert table["share of the loss"].sum() == pytest.approx(1.0)


def test_analysis_arrays_are_read_only_so_the_shared_object_is_safe(big):
    _, _, analysis = big
    for array in (analysis.loss, analysis.labels, analysis.confidence, analysis.worst_logits):
        assert not array.flags.writeable


# ----------------------------------------------------------------------------- calibration


def test_the_page_bins_as_the_core_does():
    analysis = analyse_upload(example_data())
    r = xentcore.calibration_bins(analysis.confidence, analysis.correct, 15)
    assert r.ece == pytest.approx(analysis.scores.reliability.ece, abs=1e-12)
    expected = xentcore.expected_calibration_error(example_data().scores, analysis.labels)
    assert r.ece == pytest.approx(expected, rel=1e-6)


def test_a_calibrated_model_has_a_small_ece_and_ours_a_large_one():
    data = example_data()
    analysis = analyse_upload(data)
    before = xentcore.calibration_bins(analysis.confidence, analysis.correct, 15)
    after = xentcore.calibration_bins(analysis.temperature.confidence_after, analysis.correct, 15)
    assert before.ece > 0.25  # 2.5 × the honest logits: far too confident
    assert after.ece < 0.02


@pytest.mark.parametrize("bins", [5, 15])
def test_classwise_ece_is_the_cores_on_the_matrix_as_read(bins):
    data = example_data(2_000)
    logits = analyse_upload(data)
    assert logits.classwise_calibration_error(bins) == pytest.approx(
        xentcore.classwise_calibration_error(data.scores, data.labels, bins)[0], abs=1e-12
    )
    p = xentcore.softmax(data.scores.astype(np.float64), axis=1)
    probabilities = analyse_upload(ModelData(p, data.labels, data.class_names, "p"))
    assert probabilities.kind == "probabilities"
    assert probabilities.classwise_calibration_error(bins) == pytest.approx(
        xentcore.classwise_calibration_error(p, data.labels, bins, from_logits=False)[0],
        abs=1e-12,
    )
    # The same model read either way: the same probabilities, the same figure.
    assert probabilities.classwise_calibration_error(bins) == pytest.approx(
        logits.classwise_calibration_error(bins), abs=1e-6
    )


def test_temperature_scaling_recovers_the_simulated_overconfidence():
    analysis = analyse_upload(example_data())
    fit = analysis.temperature
    assert fit.temperature == pytest.approx(OVERCONFIDENCE, rel=0.04)
    assert fit.mean_loss_after < fit.mean_loss_before
    assert fit.fitted_on == fit.held_out == 10_000
    assert fit.note == (
        "fitted on all 10,000 samples of one half; before and after are measured on the other "
        "half (10,000 samples), which the fit never read. The halves are drawn at random (seed "
        "0), each label split evenly between them"
    )


def test_before_and_after_are_measured_on_the_half_the_fit_never_read():
    data = example_data(2_000, seed=6)
    analysis = analyse_upload(data)
    held = analysis.scores.held_out
    fitted = np.setdiff1d(np.arange(2_000), held)
    t = xentcore.fit_temperature(data.scores[fitted], data.labels[fitted]).temperature
    assert analysis.temperature.temperature == t
    z = data.scores[held].astype(np.float64)
    y = data.labels[held]
    fit = analysis.temperature
    assert fit.mean_loss_before == pytest.approx(float(xentcore.cross_entropy(z, y)), rel=1e-6)
    assert fit.mean_loss_after == pytest.approx(float(xentcore.cross_entropy(z / t, y)), rel=1e-5)
    before, after = analysis.scaling_reliability(15)
    assert before.ece == pytest.approx(xentcore.expected_calibration_error(z, y), abs=1e-6)
    assert after.ece == pytest.approx(xentcore.expected_calibration_error(z / t, y), abs=1e-6)
    table = summary_frame(analysis, before, after, "bits")
    assert list(table[""]) == ["temperature T", "mean loss (bits)", "ECE", "accuracy"]
    assert table["after scaling"][1] == pytest.approx(fit.mean_loss_after / np.log(2))


def test_the_loss_after_scaling_is_the_loss_of_the_scaled_logits():
    data = example_data(2_000, seed=6)
    analysis = analyse_upload(data)
    t = analysis.temperature.temperature
    expected = xentcore.cross_entropy(
        data.scores.astype(np.float64) / t, data.labels, reduction="none"
    )
    np.testing.assert_allclose(analysis.scores.loss_after, expected, rtol=1e-5)


def test_large_inputs_fit_on_a_subsample_and_say_so(big):
    _, _, analysis = big
    fit = analysis.temperature
    assert fit.fitted_on == 1_000 and fit.held_out == 1_500
    assert fit.note.startswith(
        "fitted on 1,000 samples drawn at random from one half of 1,500, to keep the fit fast"
    )
    assert fit.confidence_after.shape == (3_000,)


# ------------------------------------------------------------------------------- libraries


def test_pytorch_figure_is_pytorchs_mean(big):
    logits, labels, analysis = big
    torch_row = next(r for r in analysis.libraries if r.library == "PyTorch")
    expected = float(
        torch.nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels))
    )
    assert torch_row.value == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sklearn_row_is_sklearn_log_loss_on_the_full_matrix(dtype):
    rng = np.random.default_rng(7)
    logits = (8 * rng.standard_normal((400, 5))).astype(dtype)  # some p below ε: clipped
    labels = rng.integers(0, 5, 400)
    analysis = analyse_upload(model_data(logits, labels))
    sk = next(r for r in analysis.libraries if r.library == "scikit-learn")
    expected = log_loss(labels, xentcore.softmax(logits), labels=range(5))
    assert sk.value == pytest.approx(expected, rel=1e-5)
    assert "sample(s) were clipped here" in sk.why


def test_libraries_table_says_why_sklearn_differs():
    analysis = analyse_upload(example_data())
    frame = libraries_frame(analysis)
    assert list(frame["library"]) == ["xent", "PyTorch", "scikit-learn"]
    assert frame["− xent"].iloc[0] == 0
    assert abs(frame["− xent"].iloc[1]) < 1e-6
    assert "machine epsilon of float32" in frame["why"].iloc[2]
    assert "−log ε = 15.94" in frame["why"].iloc[2]


# ----------------------------------------------------------------------- scenario, figures


def test_a_worst_sample_opens_with_its_own_loss():
    logits, labels = random_logits(50, 5, seed=8)
    analysis = analyse_upload(model_data(logits, labels, names=["a", "b", "c", "d", "e"]))
    scenario, note = worst_sample_scenario(analysis, 0)
    row = int(analysis.worst_rows[0])
    assert note == "" and scenario.classes == ("a", "b", "c", "d", "e")
    np.testing.assert_array_equal(scenario.logits_array()[0], logits[row])
    assert decode(encode(scenario)) == scenario


def test_many_classes_are_lumped_without_changing_the_loss(big):
    _, _, analysis = big
    for rank in (0, 7):
        scenario, note = worst_sample_scenario(analysis, rank)
        row = int(analysis.worst_rows[rank])
        assert scenario.num_classes == MAX_CLASSES
        assert scenario.classes[-1] == "other 969 classes"
        assert scenario.classes[scenario.targets[0]] == analysis.class_names[analysis.labels[row]]
        loss = float(xentcore.cross_entropy(scenario.logits_array(), scenario.targets))
        assert loss == pytest.approx(float(analysis.loss[row]), rel=1e-5)
        assert "the probabilities and the loss are unchanged" in note
        decode(encode(scenario))  # a valid link


def test_scenario_names_are_fitted_to_the_playground_and_zero_probability_is_finite():
    p = np.array([[0.0, 0.3, 0.7], [0.2, 0.3, 0.5]])
    names = ["x" * 60, "x" * 60 + "y", "**bold**"]
    analysis = analyse_upload(model_data(p, [0, 0], names=names))
    scenario, note = worst_sample_scenario(analysis, 0)
    assert len(set(scenario.classes)) == 3 and all(len(n) <= 40 for n in scenario.classes)
    assert scenario.logits[0][0] == IMPOSSIBLE_LOGIT
    assert "become the logit -1000" in note
    decode(encode(scenario))


def test_figures_are_aggregated_whatever_the_number_of_samples():
    logits, labels = random_logits(200_000, 40, seed=9)
    analysis = analyse_upload(model_data(logits, labels))
    r = xentcore.calibration_bins(analysis.confidence, analysis.correct, 50)
    figures = [
        loss_histogram_figure(analysis, True),
        class_loss_figure(analysis),
        confusion_figure(analysis),
        reliability_figure(r, r, 1.0),
    ]
    for figure in figures:
        assert len(figure.to_json()) < 60_000  # 200 000 points would be ~5 MB
    heatmap = figures[2].data[0]
    assert len(heatmap.x) == MAX_CLASSES_SHOWN
    assert figures[0].layout.yaxis.type == "log"


def test_the_confusion_counts_keep_a_legible_size_with_ten_classes():
    # Left to Plotly, ten classes' counts shrank to about 6 px: unreadable on a projector.
    logits, labels = random_logits(2_000, 10, seed=3)
    figure = confusion_figure(analyse_upload(model_data(logits, labels)))
    heatmap = figure.data[0]
    assert heatmap.texttemplate and heatmap.textfont.size == CELL_FONT_SIZE >= 14
    assert figure.layout.height >= 44 * 10  # rows tall enough for that size


def test_class_names_are_plotly_escaped():
    logits, labels = random_logits(20, 2, seed=10)
    analysis = analyse_upload(model_data(logits, labels, names=["<b>cat</b>", "dog"]))
    figure = class_loss_figure(analysis)
    assert "&lt;b&gt;cat&lt;/b&gt;" in json.dumps(list(figure.data[0].y))


def test_per_sample_csv_round_trips(big):
    import io

    import pandas as pd

    _, labels, analysis = big
    frame = pd.read_csv(io.BytesIO(per_sample_csv(analysis)))
    assert len(frame) == len(labels)
    assert list(frame.columns[:6]) == [
        "sample",
        "target",
        "target_name",
        "prediction",
        "prediction_name",
        "loss",
    ]
    np.testing.assert_allclose(frame["loss"], analysis.loss, rtol=1e-6)
    assert frame["sample"].iloc[0] == 1 and frame["sample"].iloc[-1] == len(labels)
    np.testing.assert_array_equal(frame["target"], labels)
    held = np.flatnonzero(frame["held_out_from_T"])
    np.testing.assert_array_equal(held, analysis.scores.held_out)


def test_streaming_allocates_a_fraction_of_the_matrix():
    """NumPy memory at the peak (tracemalloc) stays well under the matrix: no full copies."""
    logits, labels = random_logits(20_000, 500, seed=11)
    data = model_data(logits, labels)
    analyse_upload(data)  # warm: thread pools, scratch buffers
    tracemalloc.start()
    try:
        analyse_upload(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.35 * logits.nbytes, peak / logits.nbytes


def test_row_blocks_cover_every_row_once():  # xentcore's, which the analysis walks
    for n, c in [(1, 1), (5, 3), (1_000, 1_000), (10, 10**6)]:
        blocks = row_blocks(n, c)
        assert blocks[0].start == 0 and blocks[-1].stop == n
        assert all(a.stop == b.start for a, b in itertools.pairwise(blocks))


def test_a_temperature_without_end_is_said():
    logits, _ = random_logits(200, 3, seed=12, spread=5.0)
    # Every label is the class the model likes least: the loss falls all the way to T = ∞.
    analysis = analyse_upload(model_data(logits, logits.argmin(axis=1)))
    assert analysis.temperature.temperature is None
    assert analysis.scores.temperature.temperature == math.inf
    assert "The loss keeps falling as T grows without end" in analysis.temperature.note


@pytest.mark.parametrize(
    "names",
    [
        ["a\nb", "tab\there", "\x00\x07", "\ud800 lone"],
        ["y" * 200, "y" * 200 + "z", "y" * 39 + "…", "   "],
        ["same", "same ", " same", "same"],
    ],
)
def test_any_class_names_open_in_the_playground(names):
    """Names the Playground would refuse are cleaned so that check_scenario accepts the draft."""
    logits, labels = random_logits(30, 4, seed=13)
    analysis = analyse_upload(model_data(logits, labels, names=names))
    for rank in range(3):
        scenario, _ = worst_sample_scenario(analysis, rank)
        assert len(set(scenario.classes)) == 4
        assert all(0 < len(n) <= 40 and n == n.strip() for n in scenario.classes)
        assert decode(encode(scenario)) == scenario
