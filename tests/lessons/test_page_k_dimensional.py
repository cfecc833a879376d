"""The K-dimensional losses page through AppTest: default view, every control, links, bad input.

Seed numbers (001_*, the PyTorch explainer) the page must show and these tests check:
[[3.7192e-03, 8.0037e+00]] for the (1, 4, 2) example, [[2.4938e+00, 1.1921e-07],
[4.5418e-05, 4.5418e-05]] for the (2, 4, 2) one, and 0.0037 for position 0 (its (N, C) example).
Other expected numbers come from xentui.lessons.k_dimensional, whose own tests check it against
PyTorch.
"""

from __future__ import annotations

from functools import partial

import pytest
from app_helpers import unescape
from lessons_helpers import (
    HOSTILE_VALUES,
    assert_hostile_link_is_harmless,
    metrics,
    rerun,
    tables,
)
from lessons_helpers import open_page as open_learn_page
from streamlit.testing.v1 import AppTest

from xentui.domain.presets import PRESETS
from xentui.domain.share_link import encode
from xentui.kit.format import fmt
from xentui.lessons import k_dimensional_image as kimage

PAGE = "pages/learn/k_dimensional.py"
open_page = partial(open_learn_page, PAGE)
SEED_ONE = "[[3.7192e-03, 8.0037e+00]]"
SEED_TWO = "[[2.4938e+00, 1.1921e-07],\n [4.5418e-05, 4.5418e-05]]"
DEFAULT_MASK = kimage.parse_mask(kimage.default_mask_text(3), 3).mask


def seed_code(at: AppTest) -> str:
    return next(c.value for c in at.code if c.value.startswith("logits.shape"))


def code_starting(at: AppTest, prefix: str) -> str:
    found = [c.value for c in at.code if c.value.startswith(prefix)]
    assert len(found) == 1, [c.value[:40] for c in at.code]
    return found[0]


def positions_table(at: AppTest):
    """The seed example's table (st.dataframe has no key in AppTest: found by its columns)."""
    found = [d.value for d in tables(at) if "position j" in d.value.columns]
    assert len(found) == 1
    return found[0]


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for kind in ("success", "info", "warning", "error") for a in at.get(kind)]
    return unescape("\n".join(parts))


def image_metrics(mask=DEFAULT_MASK, sharpness=3.0, noise=2.0, seed=0) -> dict[str, str]:
    image = kimage.image_loss(mask, 3, sharpness, noise, seed)
    return {
        "Mean loss over the labelled pixels": fmt(image.mean) + " nats",
        "Labelled pixels": f"{image.labelled} of {mask.size}",
    }


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return open_page()


# ------------------------------------------------------------------------------ default view


def test_default_view_shows_the_seed_tensor(default_page):
    at = default_page
    assert at.title[0].value == "Beyond (N, C): K-dimensional losses"
    code = seed_code(at)
    assert code.endswith(SEED_ONE)
    assert "torch.Size([1, 4, 2])" in code and "[[3, 1]], shape (1, 2)" in code
    assert at.success[0].value == "The seed printed exactly this."
    table = positions_table(at)
    assert list(table["loss"]) == ["3.7192e-03", "8.0037e+00"]
    assert list(table["logits input[n, :, j]"]) == ["[4, 3, 2, 10]", "[10, 2, 3, 4]"]
    text = page_text(at)
    assert "whose loss it prints as 0.0037 — here 0.0037" in text
    assert "a confident mistake: 8.0037" in text
    mean = next(latex.value for latex in at.latex if "N \\cdot d" in latex.value)
    assert r"\frac{0.0037 + 8.0037}{2} = 4.0037" in mean


def test_default_view_scores_the_image(default_page):
    at = default_page
    shown = metrics(at)
    for label, value in image_metrics().items():
        assert shown[label] == value
    image = kimage.image_loss(DEFAULT_MASK, 3, 3.0, 2.0, 0)
    assert shown["Pixels the argmax gets wrong"] == "5"
    assert any(
        rf"\frac{{{fmt(image.total)}}}{{23}} = {fmt(image.mean)}" in x.value for x in at.latex
    )
    assert len(at.get("plotly_chart")) == 1
    assert at.text_area(key="kdim_mask").value == kimage.default_mask_text(3)


def test_default_view_shows_what_channels_last_gets(default_page):
    at = default_page
    wrong = code_starting(at, "F.cross_entropy(logits_nhwc")
    assert "RuntimeError: size mismatch (got input: [1, 4, 6, 3] , target: [1, 4, 6]" in wrong
    assert code_starting(at, "target must have shape (1, 6, 3) (class indices)")
    fixed = code_starting(at, "logits = logits_nhwc.permute(0, 3, 1, 2)")
    assert fixed.endswith(
        f"# {image_metrics()['Mean loss over the labelled pixels']}".removesuffix(" nats")
    )


def test_default_view_lays_the_playground_out_as_positions(default_page):
    code = code_starting(default_page, "x.shape  # (2, 3)")
    assert "# 2.4076, 0.1429\n# Playground, per sample: 2.4076, 0.1429" in code
    assert "Position by position, the same numbers." in page_text(default_page)


# ------------------------------------------------------------------------------ controls


def test_the_two_by_four_by_two_example_and_its_float32_step():
    at = open_page()
    at.segmented_control(key="kdim_example").set_value("(2, 4, 2)")
    rerun(at)
    assert seed_code(at).endswith(SEED_TWO)
    assert at.success[0].value == "The seed printed exactly this."
    text = page_text(at)
    assert "= 1.6916e-07" in text and "log(1 + 2⁻²³) = 1.1921e-07" in text
    assert "Sample 1's 4.5418e-05 is rounded the same way; float64 gives 4.5456e-05." in text
    table = positions_table(at)
    assert list(table["loss"]) == ["2.4938e+00", "1.1921e-07", "4.5418e-05", "4.5418e-05"]


def test_float64_differs_from_the_seed_and_says_why():
    at = open_page(kdim_example="(2, 4, 2)")
    at.segmented_control(key="kdim_precision").set_value("float64")
    rerun(at)
    assert seed_code(at).endswith("[[2.4938e+00, 1.6916e-07],\n [4.5456e-05, 4.5456e-05]]")
    assert "The differences are float32's rounding, not the maths." in page_text(at)
    assert not at.success


def test_typed_mask_knobs_and_seed_change_the_image():
    at = open_page()
    at.text_area(key="kdim_mask").input("0 1 1\n2 2 -")
    at.slider(key="kdim_sharpness").set_value(5.0)
    at.slider(key="kdim_noise").set_value(1.0)
    at.number_input(key="kdim_seed").set_value(7)
    rerun(at)
    mask = kimage.parse_mask("0 1 1\n2 2 -", 3).mask
    shown = metrics(at)
    for label, value in image_metrics(mask, 5.0, 1.0, 7).items():
        assert shown[label] == value
    assert shown["Labelled pixels"] == "5 of 6"


def test_square_mask_passes_the_shape_check_silently_and_reset_restores():
    at = open_page()
    at.button(key="kdim_square").click()
    rerun(at)
    assert at.text_area(key="kdim_mask").value == kimage.square_mask_text(3)
    # Set from Python, the mask goes into the link at once (a typed value goes via the browser).
    assert at.query_params["kdim_mask"] == kimage.square_mask_text(3)
    square = kimage.image_loss(
        kimage.parse_mask(kimage.square_mask_text(3), 3).mask, 3, 3.0, 2.0, 0
    )
    outcome = kimage.channels_last_outcome(square)
    warning = unescape(at.warning[0].value)
    assert warning.startswith("No error and a wrong number: with H = W = C = 3")
    assert warning.endswith(f"The right mean is {fmt(square.mean)}.")
    assert code_starting(at, "F.cross_entropy(logits_nhwc").endswith(
        f"# {fmt(outcome.loss)}  — no error"
    )
    at.button(key="kdim_reset").click()
    rerun(at)
    assert at.text_area(key="kdim_mask").value == kimage.default_mask_text(3)
    assert not at.warning


# ------------------------------------------------------------------------------ links and state


def test_a_link_opens_every_control():
    at = open_page(
        kdim_example="(2, 4, 2)",
        kdim_precision="float64",
        kdim_mask="1 0; 0 1",
        kdim_sharpness="1.5",
        kdim_noise="0.5",
        kdim_seed="3",
    )
    assert seed_code(at).endswith("[[2.4938e+00, 1.6916e-07],\n [4.5456e-05, 4.5456e-05]]")
    mask = kimage.parse_mask("1 0; 0 1", 3).mask
    assert metrics(at)["Mean loss over the labelled pixels"] == (
        fmt(kimage.image_loss(mask, 3, 1.5, 0.5, 3).mean) + " nats"
    )


def test_the_playgrounds_scenario_travels_in_and_stays_in_the_link():
    preset = PRESETS["PyTorch explainer: (1, 4, 2) output, one row per position"]
    token = encode(preset)
    at = open_page(s=token)
    code = code_starting(at, "x.shape  # (2, 4)")
    assert "# 0.0037, 8.0037" in code
    assert at.query_params["s"] == token
    # Four classes now: class 3 exists, and the class names are the scenario's.
    assert "0 = class 0, 1 = class 1, 2 = class 2, 3 = class 3" in page_text(at)
    at.text_area(key="kdim_mask").input("3 3\n0 -")
    rerun(at)
    assert not at.error
    assert metrics(at)["Labelled pixels"] == "3 of 4"


def test_a_two_class_scenario_gets_a_valid_default_mask():
    two = PRESETS["Walkthrough: binary, prediction [0.01, 0.99] (0.01005034)"]
    at = open_page(s=encode(two))
    assert not at.error
    assert "2" not in at.text_area(key="kdim_mask").value
    assert code_starting(at, "x.shape  # (1, 2)")


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("mask", "problem"),
    [
        ("0 1\n1 9", "Row 2, entry 2: class 9 does not exist — with 3 classes the indices are 0 "
         "to 2."),
        ("0 1 1\n1", "Row 2 has 1 pixels but row 1 has 3: an image is a rectangle."),
        ("**0** <b>", "Row 1, entry 1: “**0**” is not a class index — type 0 to 2, or - for an "
         "unlabelled pixel."),
        ("- -", "Every pixel is unlabelled: the mean would be 0/0. Label one."),
        ("", "Empty — type one row of class indices per line, e.g. 0 0 1."),
    ],
)  # fmt: skip
def test_a_bad_mask_gets_a_message_and_the_rest_keeps_working(mask, problem):
    at = open_page()
    at.text_area(key="kdim_mask").input(mask)
    rerun(at)
    assert [unescape(e.value) for e in at.error] == [problem]
    # User text is shown literally: Markdown characters arrive escaped.
    if "**" in mask:
        assert r"\*\*0\*\*" in at.error[0].value
    # The image keeps the last mask that could be read, and says so.
    assert "Meanwhile the last mask that could be read is scored." in page_text(at)
    assert (
        metrics(at)["Mean loss over the labelled pixels"]
        == image_metrics()["Mean loss over the labelled pixels"]
    )
    assert seed_code(at).endswith(SEED_ONE)  # the sections that do not need the mask still work
    assert code_starting(at, "x.shape  # (2, 3)")


def test_a_bad_mask_in_a_link_has_no_last_good_image_to_show():
    at = open_page(kdim_mask="0 1; 1 9")
    assert [unescape(e.value) for e in at.error] == [
        "Row 2, entry 2: class 9 does not exist — with 3 classes the indices are 0 to 2."
    ]
    infos = [i.value for i in at.info]
    assert "Fix the mask to see the image's losses." in infos
    assert "Fix the mask above to try both layouts on it." in infos
    assert not at.get("plotly_chart")


@pytest.mark.parametrize(
    ("key", "value", "allowed", "shown"),
    [
        ("kdim_example", "(3, 4, 2)", "(1, 4, 2) or (2, 4, 2)", "(1, 4, 2)"),
        ("kdim_precision", "float16", "float32 or float64", "float32"),
        ("kdim_noise", "99", "a number from 0 to 5", "2.0"),
        ("kdim_seed", "-5", "a whole number from 0 to 9999", "0"),
        ("kdim_seed", "abc", "a whole number from 0 to 9999", "0"),
    ],
)
def test_bad_link_values_are_named_and_the_default_view_shown(key, value, allowed, shown):
    at = open_page(**{key: value})
    assert [unescape(e.value) for e in at.error] == [
        f"The link’s {key}: expected {allowed}; got “{value}” — showing {shown} instead."
    ]
    assert seed_code(at).endswith(SEED_ONE)
    assert (
        metrics(at)["Mean loss over the labelled pixels"]
        == image_metrics()["Mean loss over the labelled pixels"]
    )
    assert key not in at.query_params
    rerun(at)  # said once, on opening the link
    assert not at.error


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize(
    ("key", "control"),
    [("kdim_example", True), ("kdim_precision", True), ("kdim_mask", False),
     ("kdim_sharpness", True), ("kdim_noise", True), ("kdim_seed", True)],
)  # fmt: skip
def test_any_link_value_is_harmless(key, value, control):
    at = assert_hostile_link_is_harmless(PAGE, key, value, control)
    assert code_starting(at, "x.shape  # (2, 3)")


def test_a_broken_scenario_link_warns_and_the_page_shows_the_default():
    at = open_page(s="1.garbage")
    warning = unescape(at.warning[0].value)
    assert warning.startswith("This link could not be opened")
    assert code_starting(at, "x.shape  # (2, 3)")
    assert seed_code(at).endswith(SEED_ONE)
