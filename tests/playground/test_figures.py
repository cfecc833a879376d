"""figures: the Y·(−log P)ᵀ heatmap (diagonal vs faded) and the −log p curve with its samples."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from xentui.domain.presets import DEFAULT_SCENARIO
from xentui.domain.results import analyse
from xentui.playground.figures import loss_curve_figure, loss_matrix_figure

MATRIX = analyse(DEFAULT_SCENARIO).matrix  # [[2.4076, 4.1429], [0.4076, 0.1429]]
NAMES = ["sample 1", "sample 2"]


def test_the_matrix_figure_colours_the_diagonal_and_fades_the_rest():
    figure = loss_matrix_figure(MATRIX, NAMES)
    assert isinstance(figure, go.Figure)
    faded, diagonal = figure.data
    assert (faded.type, diagonal.type) == ("heatmap", "heatmap")
    np.testing.assert_array_equal(
        np.asarray(diagonal.z), [[MATRIX[0, 0], np.nan], [np.nan, MATRIX[1, 1]]]
    )
    np.testing.assert_array_equal(
        np.asarray(faded.z), [[np.nan, MATRIX[0, 1]], [MATRIX[1, 0], np.nan]]
    )
    assert (faded.showscale, diagonal.colorscale[0][1] != faded.colorscale[0][1]) == (False, True)
    # Each trace writes its own cells only: no cell holds two labels.
    assert [list(row) for row in diagonal.text] == [["2.4076", ""], ["", "0.1429"]]
    assert [list(row) for row in faded.text] == [["", "4.1429"], ["0.4076", ""]]
    assert faded.hoverongaps is False and diagonal.hoverongaps is False
    assert list(diagonal.x) == list(diagonal.y) == NAMES
    assert figure.layout.yaxis.autorange == "reversed"  # sample 1 on top, as in the tables


def test_the_matrix_figure_stops_writing_numbers_in_cells_above_16_samples():
    assert loss_matrix_figure(np.ones((16, 16)), [str(i) for i in range(16)]).data[1].texttemplate
    assert (
        loss_matrix_figure(np.ones((17, 17)), [str(i) for i in range(17)]).data[1].texttemplate
        is None
    )


def test_the_curve_figure_places_every_sample_on_minus_log_p():
    p = np.array([0.0900, 0.8668])
    figure = loss_curve_figure(p, NAMES, highlight=1)
    curve, points = figure.data
    np.testing.assert_allclose(curve.y, -np.log(curve.x))
    assert curve.x[0] <= 1e-3 and curve.x[-1] == 1.0
    np.testing.assert_array_equal(points.x, p)
    np.testing.assert_allclose(points.y, -np.log(p))
    assert list(points.text) == NAMES
    assert points.mode == "markers+text"
    assert list(points.marker.size) == [11, 16]  # the highlighted sample stands out
    assert len(set(points.marker.color)) == 2


def test_the_curve_figure_greys_ignored_samples_and_survives_p_zero():
    figure = loss_curve_figure(np.array([0.0, 0.5, 1.0]), ["a", "b", "c"], 0, np.array([0, 1, 0]))
    points = figure.data[1]
    assert np.isfinite(points.y).all()  # p = 0 is drawn at the tiniest positive p, not at ∞
    assert points.marker.color[1] == "#bbbbbb"
    assert points.marker.color[0] != points.marker.color[2]


def test_the_curve_figure_drops_labels_above_20_samples():
    assert (
        loss_curve_figure(np.full(21, 0.5), [str(i) for i in range(21)]).data[1].mode == "markers"
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"), ("a & b", "a &amp; b"), ("<br>", "&lt;br&gt;")],
)
def test_names_are_escaped_for_plotly_s_html(name, shown):
    assert list(loss_matrix_figure(np.ones((1, 1)), [name]).data[0].x) == [shown]
    assert list(loss_curve_figure(np.array([0.5]), [name]).data[1].text) == [shown]


def test_the_unvalidated_figures_pass_plotlys_full_check():
    from xentui.domain.presets import DEFAULT_SCENARIO
    from xentui.domain.results import analyse
    from xentui.kit.plotly_spec import validated
    from xentui.playground.figures import loss_curve_figure, loss_matrix_figure

    results = analyse(DEFAULT_SCENARIO)
    names = ["sample 1", "sample 2"]
    validated(loss_matrix_figure(results.matrix, names))
    validated(loss_curve_figure(results.target_probability, names, 0, np.array([False, True])))


def test_a_sample_label_near_p_1_is_written_to_the_left_of_its_point():
    # To the right it ran off the plot, and on a phone off the screen.
    points = loss_curve_figure(np.array([0.09, 0.8668]), NAMES).data[1]
    assert list(points.textposition) == ["top right", "top left"]
