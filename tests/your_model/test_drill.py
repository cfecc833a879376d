"""Drilling down: the samples behind each bar, bin and cell, and the selection's one door.

The counts the figures draw come from the core's one pass (np.histogram, calibration_bins, the
confusion pairs); the rows listed behind a mark are found again from the per-sample arrays, so
each mark's count must equal the number of samples listed — for every mark — and a plain loop
over the samples must find the same rows.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xentcore
from xentui.domain.share_link import decode, encode
from xentui.kit.problems import Problem
from xentui.your_model.analysis import analyse_upload
from xentui.your_model.drill import (
    PAGE_SIZE,
    Selection,
    page_count,
    page_rows,
    parse_selection,
    selected_rows,
    selection_from_points,
)
from xentui.your_model.example import example_data
from xentui.your_model.figures import (
    class_loss_figure,
    confusion_figure,
    loss_histogram_figure,
    reliability_figure,
)
from xentui.your_model.playground_link import sample_scenario, worst_sample_scenario
from xentui.your_model.tables import samples_frame, worst_frame
from xentui.your_model.upload import ModelData

EXAMPLE = analyse_upload(example_data(3_000))


def _probabilities_analysis():
    data = example_data(2_000, seed=3)
    return analyse_upload(
        ModelData(
            xentcore.softmax(data.scores, axis=1).astype(np.float32),
            data.labels,
            data.class_names,
            "probabilities",
        )
    )


PROBABILITIES = _probabilities_analysis()


@pytest.mark.parametrize("analysis", [EXAMPLE, PROBABILITIES], ids=["logits", "probabilities"])
def test_every_histogram_bar_lists_its_count(analysis):
    counts = [
        len(selected_rows(Selection("loss", (b,)), analysis, 15))
        for b in range(len(analysis.histogram_counts))
    ]
    assert counts == analysis.histogram_counts.tolist()


@pytest.mark.parametrize("bins", [5, 7, 15, 50])
@pytest.mark.parametrize("analysis", [EXAMPLE, PROBABILITIES], ids=["logits", "probabilities"])
def test_every_reliability_bin_lists_its_count(analysis, bins):
    counts = [
        len(selected_rows(Selection("confidence", (b,)), analysis, bins)) for b in range(bins + 1)
    ]
    assert counts == analysis.reliability(bins)[0].counts.tolist()


def test_every_confusion_cell_and_class_lists_its_count():
    classes = np.arange(EXAMPLE.num_classes)
    matrix = EXAMPLE.scores.confusion_counts(classes)
    for t in classes:
        rows = selected_rows(Selection("class", (int(t),)), EXAMPLE, 15)
        assert len(rows) == EXAMPLE.class_counts[t]
        for p in classes:
            assert (
                len(selected_rows(Selection("cell", (int(t), int(p))), EXAMPLE, 15)) == matrix[t, p]
            )


def test_a_bar_lists_what_a_plain_loop_finds_highest_loss_first():
    edges, losses = EXAMPLE.histogram_edges.tolist(), EXAMPLE.loss.tolist()
    for b in (0, 5, 20):
        expected = [i for i, x in enumerate(losses) if edges[b] <= x < edges[b + 1]]
        expected.sort(key=lambda i: (-losses[i], i))
        assert selected_rows(Selection("loss", (b,)), EXAMPLE, 15).tolist() == expected
    last = len(edges) - 2  # np.histogram's last bin holds its right edge, the largest loss
    expected = [i for i, x in enumerate(losses) if edges[last] <= x <= edges[-1]]
    assert sorted(selected_rows(Selection("loss", (last,)), EXAMPLE, 15).tolist()) == expected


@pytest.mark.parametrize(
    ("raw", "found"),
    [
        ("", "an empty value"),
        ("bar:1", "“bar:1”"),
        ("loss", "“loss”: loss takes 1 whole number(s) from 0"),
        ("loss:-1", "“loss:-1”: loss takes 1 whole number(s) from 0"),
        ("loss:1.5", "“loss:1.5”: loss takes 1 whole number(s) from 0"),
        ("loss:١", "“loss:١”: loss takes 1 whole number(s) from 0"),
        ("cell:1", "“cell:1”: cell takes 2 whole number(s) from 0"),
        ("loss:60", "“loss:60”: index 60 is past the last, 59"),
        ("confidence:16", "“confidence:16”: index 16 is past the last, 15"),
        ("cell:3,10", "“cell:3,10”: index 10 is past the last, 9"),
        ("class:" + "9" * 5000, "“class:999"),
        ("class:00000000000000004", None),
    ],
)
def test_a_bad_selection_is_named_with_what_each_kind_takes(raw, found):
    problem = parse_selection(raw, EXAMPLE, 15, "ym_sel")
    if found is None:  # leading zeros are read as the number they pad
        assert problem == Selection("class", (4,))
        return
    assert isinstance(problem, Problem)
    assert problem.found.startswith(found)
    assert str(problem).startswith("The link’s ym_sel: expected loss:0…59 (a loss-histogram bar);")
    assert "class:0…9 (a target class)" in str(problem)


@pytest.mark.parametrize("text", ["loss:0", "loss:59", "confidence:15", "cell:0,9", "class:4"])
def test_a_good_selection_round_trips(text):
    parsed = parse_selection(text, EXAMPLE, 15, "ym_sel")
    assert isinstance(parsed, Selection)
    assert parsed.text == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_selection_or_a_problem(raw):
    parsed = parse_selection(raw, EXAMPLE, 15, "ym_sel")
    assert isinstance(parsed, (Selection, Problem))
    if isinstance(parsed, Selection):
        assert parse_selection(parsed.text, EXAMPLE, 15, "ym_sel") == parsed


def _points(fig, trace: int, index):
    """What Streamlit reports for a click on a mark: the point's fields, its customdata."""
    picked = fig.data[trace].customdata[index]
    return [{"curve_number": trace, "point_index": index, "customdata": list(picked)}]


def test_a_click_on_each_figure_names_the_mark_it_hit():
    hist = loss_histogram_figure(EXAMPLE)
    assert selection_from_points("loss", _points(hist, 0, 7)) == "loss:7"
    classes = class_loss_figure(EXAMPLE)
    top = int(np.argmax(EXAMPLE.class_loss / EXAMPLE.class_counts))
    assert selection_from_points("class", _points(classes, 0, 0)) == f"class:{top}"
    confusion = confusion_figure(EXAMPLE)
    assert selection_from_points("cell", _points(confusion, 1, 3 * 10 + 5)) == "cell:3,5"
    count = EXAMPLE.scores.confusion_counts(np.arange(10))[3, 5]
    assert confusion.data[1].text[35] == count
    before, after = EXAMPLE.reliability(15)
    reliability = reliability_figure(before, after, EXAMPLE.temperature.temperature)
    assert selection_from_points("confidence", _points(reliability, 1, 15)) == "confidence:15"
    # The diagonal and the curve at T are not drilled into; nor is an empty selection.
    assert selection_from_points("confidence", [{"curve_number": 0, "x": 0.5}]) is None
    assert selection_from_points("confidence", [{"curve_number": 2, "customdata": 40}]) is None
    assert selection_from_points("loss", []) is None
    # What Chromium sent for a click on the first loss bar (a NumPy customdata row).
    sent = {"curve_number": 0, "point_index": 0, "customdata": {"0": 0, "1": 0.27, "2": 0}}
    assert selection_from_points("loss", [sent]) == "loss:0"
    assert selection_from_points("loss", [{"customdata": ["a", "b", "c"]}]) is None


@pytest.mark.parametrize("analysis", [EXAMPLE, PROBABILITIES], ids=["logits", "probabilities"])
def test_any_row_gives_the_logits_the_core_read(analysis):
    np.testing.assert_array_equal(analysis.logits_of(analysis.worst_rows), analysis.worst_logits)
    assert analysis.matrix.flags.writeable is False


def test_a_drilled_sample_opens_in_the_playground_with_its_loss():
    row = int(selected_rows(Selection("cell", (3, 5)), EXAMPLE, 15)[4])
    scenario, _ = sample_scenario(EXAMPLE, row)
    loss = float(xentcore.cross_entropy(scenario.logits_array(), scenario.targets))
    assert loss == pytest.approx(float(EXAMPLE.loss[row]), rel=1e-5)
    assert decode(encode(scenario)) == scenario
    worst, _ = worst_sample_scenario(EXAMPLE, 0)
    assert sample_scenario(EXAMPLE, int(EXAMPLE.worst_rows[0]))[0] == worst


def test_a_table_of_samples_is_the_worst_table_for_the_worst_rows():
    k = 6
    assert samples_frame(EXAMPLE, EXAMPLE.worst_rows[:k]).equals(worst_frame(EXAMPLE, k))


def test_the_confidence_histogram_stacks_right_and_wrong_samples():
    from xentui.your_model.figures import confidence_histogram_figure

    fig = confidence_histogram_figure(EXAMPLE)
    edges = np.linspace(0, 1, 21)
    for trace, mask in zip(fig.data, (EXAMPLE.correct, ~EXAMPLE.correct), strict=True):
        expected = np.histogram(EXAMPLE.confidence[mask].astype(np.float64), bins=edges)[0]
        assert np.asarray(trace.y).tolist() == expected.tolist()


@pytest.mark.parametrize(
    "count", [0, 1, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 7 * PAGE_SIZE + 3]
)
def test_the_pages_cover_every_row_once_in_order(count):
    pages = page_count(count)
    listed = [row for page in range(1, pages + 1) for row in range(count)[page_rows(page, count)]]
    assert listed == list(range(count))
    assert pages == max(1, -(-count // PAGE_SIZE))
    assert all(
        0 < len(range(count)[page_rows(page, count)]) <= PAGE_SIZE for page in range(1, pages)
    )


def test_a_loss_range_is_described_in_the_unit_and_the_other_kinds_have_none():
    lo, hi = (float(e) for e in EXAMPLE.histogram_edges[3:5])
    loss = Selection("loss", (3,))
    assert loss.describe(EXAMPLE, 15) == f"loss from {lo:.4f} nats to {hi:.4f} nats"
    assert loss.describe(EXAMPLE, 15, "bits") == (
        f"loss from {lo / np.log(2):.4f} bits to {hi / np.log(2):.4f} bits"
    )
    for other in (
        Selection("confidence", (2,)),
        Selection("cell", (0, 1)),
        Selection("class", (1,)),
    ):
        assert other.describe(EXAMPLE, 15, "bits") == other.describe(EXAMPLE, 15)
