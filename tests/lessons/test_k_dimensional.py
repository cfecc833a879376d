"""The K-dimensional page's builders: the seed's (N, C, d) examples, the image, the layouts.

Known values come from the seed PyTorch explainer (001_*), which prints
nn.CrossEntropyLoss(reduction="none") of logits [[[4, 10], [3, 2], [2, 3], [10, 4]]] with targets
[[3, 1]] as tensor([[3.7192e-03, 8.0037e+00]]), and of the (2, 4, 2) logits with targets
[[3, 3], [0, 0]] as tensor([[2.4938e+00, 1.1921e-07], [4.5418e-05, 4.5418e-05]]). PyTorch itself
is the oracle for everything else.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from app_helpers import scenarios
from hypothesis import assume, given, settings

import xentcore
from xentui.domain.limits import IGNORE_INDEX
from xentui.domain.results import analyse, loss_arguments
from xentui.kit.plotly_spec import validated
from xentui.lessons import k_dimensional as kdim
from xentui.lessons import k_dimensional_image as kimage

ONE, TWO = kdim.SEED_EXAMPLES["(1, 4, 2)"], kdim.SEED_EXAMPLES["(2, 4, 2)"]


def _torch_none(example: kdim.KdimExample) -> torch.Tensor:
    x = torch.tensor(example.input, dtype=torch.float32)
    return F.cross_entropy(x, torch.tensor(example.target), reduction="none")


@pytest.mark.parametrize("example", [ONE, TWO], ids=["1x4x2", "2x4x2"])
def test_seed_examples_print_exactly_what_the_seed_printed(example):
    losses = kdim.example_losses(example)
    assert losses.dtype == np.float32 and losses.shape == example.target.shape
    assert kdim.torch_print(losses) == example.printed
    # The printout is torch's own: its repr of the same tensor, without the wrapper.
    torch_repr = repr(_torch_none(example)).removeprefix("tensor(").removesuffix(")")
    assert kdim.torch_print(losses) == torch_repr.replace("\n       ", "\n")
    np.testing.assert_allclose(losses, _torch_none(example).numpy(), rtol=1e-6)


def test_the_float32_step_and_what_float64_gives():
    f32, f64 = kdim.example_losses(TWO), kdim.example_losses(TWO, "float64")
    one_step_above_one = np.nextafter(np.float32(1), np.float32(2))  # 1 + 2⁻²³
    assert f32[0, 1] == np.log(one_step_above_one)
    exact = np.log1p(np.exp(-16.0) + np.exp(-17.0) + np.exp(-18.0))
    assert f64[0, 1] == pytest.approx(exact, rel=1e-9)
    assert kdim.torch_print(f64) == "[[2.4938e+00, 1.6916e-07],\n [4.5456e-05, 4.5456e-05]]"


def test_positions_frame_reads_columns_of_the_slab():
    frame = kdim.positions_frame(ONE, kdim.example_losses(ONE))
    assert list(frame["logits input[n, :, j]"]) == ["[4, 3, 2, 10]", "[10, 2, 3, 4]"]
    assert list(frame["target"]) == [3, 1]
    assert list(frame["loss"]) == ["3.7192e-03", "8.0037e+00"]
    # Position 0 is the seed's (N, C) example [4, 3, 2, 10] → 0.0037, with p = 9.9629e-01.
    assert frame["p(target)"][0] == pytest.approx(0.99629, abs=5e-6)
    two = kdim.positions_frame(TWO, kdim.example_losses(TWO))
    assert list(two["loss"]) == ["2.4938e+00", "1.1921e-07", "4.5418e-05", "4.5418e-05"]


@pytest.mark.parametrize(
    ("values", "printed"),
    [
        (np.array([0.0037192]), "[0.0037]"),
        (np.array([16.0]), "[16.]"),
        (np.array([[4.0, 10.0], [3.0, 2.0]]), "[[ 4., 10.],\n [ 3.,  2.]]"),
        (np.array([[3, 1]]), "[[3, 1]]"),
        (np.array([1.5, np.inf]), "[1.5000,    inf]"),
        (np.array([[[1.0, 2.5]], [[3.0, 4.0]]]), "[[[1.0000, 2.5000]],\n\n [[3.0000, 4.0000]]]"),
    ],
)
def test_torch_print_matches_torch(values, printed):
    assert kdim.torch_print(values) == printed
    # torch's own repr agrees (continuation lines are indented by "tensor(" there).
    expected = repr(torch.from_numpy(values)).removeprefix("tensor(").split(", dtype")[0]
    assert printed == expected.removesuffix(")").replace("\n       ", "\n")


# ------------------------------------------------------------------------------ masks


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Empty — type one row of class indices per line, e.g. 0 0 1."),
        ("0 1\n1", "Row 2 has 1 pixels but row 1 has 2: an image is a rectangle."),
        ("0 cat", "Row 1, entry 2: “cat” is not a class index — type 0 to 2, or - for an "
         "unlabelled pixel."),
        ("0 -1", "Row 1, entry 2: “-1” is not a class index — type 0 to 2, or - for an "
         "unlabelled pixel."),
        ("0 1.5", "Row 1, entry 2: “1.5” is not a class index — type 0 to 2, or - for an "
         "unlabelled pixel."),
        ("0 3", "Row 1, entry 2: class 3 does not exist — with 3 classes the indices are 0 to 2."),
        ("- x", "Every pixel is unlabelled: the mean would be 0/0. Label one."),
        ("0\n" * 13, "13 rows: at most 12 fit here."),
        ("0 " * 13, "Row 1 has 13 pixels: at most 12 fit."),
        ("0" * 1000, "The text is 1,000 characters; a mask fits in far fewer."),
    ],
)  # fmt: skip
def test_bad_masks_say_what_is_wrong(text, problem):
    parsed = kimage.parse_mask(text, 3)
    assert parsed.mask is None
    assert parsed.problem == problem


def test_masks_accept_lines_semicolons_commas_and_unlabelled_marks():
    parsed = kimage.parse_mask("0, 1; 2 -\n x ·", 3)
    assert parsed.mask.tolist() == [[0, 1], [2, -100], [-100, -100]]
    assert kimage.parse_mask(kimage.default_mask_text(2), 2).mask.max() == 1
    assert kimage.parse_mask(kimage.default_mask_text(3), 3).mask.shape == (4, 6)
    square = kimage.parse_mask(kimage.square_mask_text(5), 5).mask
    assert square.shape == (5, 5) and sorted(set(square.ravel())) == [0, 1, 2, 3, 4]


# ------------------------------------------------------------------------------ the image


@pytest.fixture(scope="module")
def image():
    mask = kimage.parse_mask(kimage.default_mask_text(3), 3).mask
    return kimage.image_loss(mask, 3, 3.0, 2.0, 0)


def test_image_losses_are_pytorchs_and_the_mean_skips_unlabelled_pixels(image):
    x = torch.from_numpy(image.logits.copy())  # the cached array is read-only
    t = torch.from_numpy(image.mask[None])
    none = F.cross_entropy(x, t, reduction="none")[0].numpy()
    labelled = image.mask != IGNORE_INDEX
    np.testing.assert_allclose(image.losses[labelled], none[labelled], rtol=1e-6)
    assert np.isnan(image.losses[~labelled]).all() and none[~labelled].tolist() == [0.0]
    assert image.labelled == 23
    assert image.mean == pytest.approx(float(F.cross_entropy(x, t)), rel=1e-6)
    assert image.mean == pytest.approx(image.total / 23, rel=1e-6)
    np.testing.assert_array_equal(image.logits.shape, (1, 3, 4, 6))


def test_image_is_reproducible_and_follows_its_knobs(image):
    mask = image.mask
    again = kimage.image_logits(mask, 3, 3.0, 2.0, 0)
    np.testing.assert_array_equal(again, image.logits)
    clean = kimage.image_loss(mask, 3, 10.0, 0.0, 0)
    assert (clean.predictions[mask >= 0] == mask[mask >= 0]).all()
    assert clean.mean < image.mean
    assert kimage.image_loss(mask, 3, 3.0, 2.0, 1).mean != image.mean


def test_channels_last_is_refused_with_pytorchs_message(image):
    outcome = kimage.channels_last_outcome(image)
    assert outcome.loss is None
    assert outcome.error == "size mismatch (got input: [1, 4, 6, 3] , target: [1, 4, 6]"
    assert outcome.xent_error.startswith("target must have shape (1, 6, 3) (class indices)")
    assert kimage.fixed_layout_loss(image) == pytest.approx(image.mean, rel=1e-6)


def test_a_square_mask_with_c_classes_passes_silently_and_wrongly():
    mask = kimage.parse_mask(kimage.square_mask_text(3), 3).mask
    square = kimage.image_loss(mask, 3, 3.0, 2.0, 0)
    outcome = kimage.channels_last_outcome(square)
    assert outcome.error is None and outcome.xent_error is None
    wrong = F.cross_entropy(
        torch.from_numpy(square.logits).permute(0, 2, 3, 1), torch.tensor(mask)[None]
    )
    assert outcome.loss == pytest.approx(float(wrong), rel=1e-6)
    assert outcome.loss != pytest.approx(square.mean, rel=1e-3)


def test_image_figure_is_valid_and_escapes_class_names(image):
    fig = validated(kimage.image_figure(image, ["cat", "<b>dog</b>", "pig"]))
    classes, losses = fig.data
    assert classes.xaxis == "x" and losses.xaxis == "x2"
    assert losses.z[3][5] is None  # the unlabelled pixel is a gap
    assert "&lt;b&gt;dog&lt;/b&gt;" in " ".join(h for row in classes.customdata for h in row)
    assert losses.text[0][0] == f"{image.losses[0, 0]:.2f}"


# ------------------------------------------------------------------------------ scenario


@settings(max_examples=40, deadline=None)
@given(scenario=scenarios())
def test_a_scenario_laid_out_as_positions_gives_its_per_sample_losses(scenario):
    # Subnormal class weights overflow the mean's division inside xentcore (a RuntimeWarning the
    # suite turns into an error); that is the core's business, not the layout's.
    assume(scenario.weights is None or all(w == 0 or w > 1e-300 for w in scenario.weights))
    moved = kdim.scenario_as_positions(loss_arguments(scenario))
    assert moved["input"].shape == (1, scenario.num_classes, scenario.num_samples)
    per_position = xentcore.cross_entropy(**moved, reduction="none")[0]
    np.testing.assert_allclose(
        per_position, analyse(scenario).per_sample, rtol=1e-5, atol=1e-6, equal_nan=True
    )
