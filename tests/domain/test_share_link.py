"""share_link: a scenario survives encode → decode exactly; every bad link names its fault."""

from __future__ import annotations

import re

import numpy as np
import pytest
from app_helpers import BAD_LINKS, TWO_CLASSES, link_token, scenarios
from hypothesis import HealthCheck, given, settings

from xentui.domain.scenario import DEFAULT_SCENARIO, MAX_CLASSES, MAX_SAMPLES, PRESETS, Scenario
from xentui.domain.share_link import LINK_VERSION, MAX_LINK_CHARS, LinkError, decode, encode

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(scenarios())
def test_decode_inverts_encode(scenario: Scenario):
    token = encode(scenario)
    assert token.startswith(f"{LINK_VERSION}.")
    assert re.fullmatch(r"[0-9]+\.[A-Za-z0-9_-]+", token)  # safe in a query string as it is
    assert decode(token) == scenario


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_survives_a_link(name):
    assert decode(encode(PRESETS[name])) == PRESETS[name]


def test_a_decoded_link_says_where_it_came_from():
    assert decode(encode(DEFAULT_SCENARIO)).title == "Opened from a shared link"


def test_options_left_at_their_defaults_are_left_out_of_the_link():
    plain = encode(DEFAULT_SCENARIO)
    assert len(encode(DEFAULT_SCENARIO.with_options(label_smoothing=0.1))) > len(plain)
    assert encode(DEFAULT_SCENARIO.with_options(title="another title")) == plain


def test_a_full_editor_of_six_digit_logits_fits_in_a_link():
    """The limit's comment: 64 × 32 six-digit logits (and 40-character names) fit."""
    rng = np.random.default_rng(0)
    logits = [[float(f"{v:.6g}") for v in row] for row in rng.normal(0, 100, (64, 32))]
    scenario = Scenario(
        classes=tuple(f"{c:02d}".ljust(40, "x") for c in range(MAX_CLASSES)),
        logits=logits,
        targets=rng.integers(0, MAX_CLASSES, MAX_SAMPLES).tolist(),
        weights=rng.random(MAX_CLASSES).round(3).tolist(),
    )
    token = encode(scenario)
    assert len(token) <= MAX_LINK_CHARS
    assert decode(token) == scenario


@pytest.mark.parametrize(
    ("token", "reason"), [case[1:] for case in BAD_LINKS], ids=[case[0] for case in BAD_LINKS]
)
def test_a_bad_link_raises_link_error_naming_the_fault(token, reason):
    with pytest.raises(LinkError, match=f"^{re.escape(reason)}$"):
        decode(token)


MORE_BAD_PAYLOADS = [
    # (what is wrong, payload, message) — the faults the app-level table does not repeat
    ("no classes", {**TWO_CLASSES, "c": None}, "the link's class names should be 2 to"),
    ("blank class", {**TWO_CLASSES, "c": ["a", " "]}, "the link's class names should be 2 to"),
    ("long class", {**TWO_CLASSES, "c": ["a", "b" * 41]}, "the link's class names should be 2 to"),
    ("boolean target", {**TWO_CLASSES, "t": [True]}, "the link's targets should be 1 class"),
    ("missing targets", {**TWO_CLASSES, "t": []}, "the link's targets should be 1 class"),
    ("logits not rows", {**TWO_CLASSES, "z": [1, 2]}, "row 1 of the link's logits should have"),
    (
        "probabilities: wrong rows",
        {**TWO_CLASSES, "q": [[1, 0], [0, 1]]},
        "the link's probability targets should have 1 row(s)",
    ),
    ("weights: wrong count", {**TWO_CLASSES, "w": [1]}, "the link's class weights should have 2"),
    ("weights: text", {**TWO_CLASSES, "w": ["1", 1]}, "the link's class weights holds '1'"),
    ("boolean logit", {**TWO_CLASSES, "z": [[True, 0]]}, "the link's logits row 1 holds True"),
    ("ignored: not a list", {**TWO_CLASSES, "i": 0}, "the link's ignored samples are not valid"),
    ("temperature text", {**TWO_CLASSES, "T": "2"}, "the link's temperature holds '2'"),
]


@pytest.mark.parametrize(
    ("payload", "start"),
    [case[1:] for case in MORE_BAD_PAYLOADS],
    ids=[case[0] for case in MORE_BAD_PAYLOADS],
)
def test_a_link_with_wrong_fields_raises_link_error(payload, start):
    with pytest.raises(LinkError, match=f"^{re.escape(start)}"):
        decode(link_token(payload))


@pytest.mark.parametrize("token", ["", None, 12])
def test_an_empty_link_raises_link_error(token):
    with pytest.raises(LinkError, match=r"^the link's scenario is empty$"):
        decode(token)


def test_too_many_samples_is_refused_before_reading_them():
    payload = {**TWO_CLASSES, "z": [[0, 0]] * (MAX_SAMPLES + 1), "t": [0] * (MAX_SAMPLES + 1)}
    with pytest.raises(LinkError, match=f"^the link should hold 1 to 64 samples; it holds {65}$"):
        decode(link_token(payload))
