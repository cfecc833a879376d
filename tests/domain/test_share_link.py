"""share_link: a scenario survives encode → decode exactly; every bad link names its fault."""

from __future__ import annotations

import re

import numpy as np
import pytest
from app_helpers import BAD_LINKS, TWO_CLASSES, link_token, scenarios
from hypothesis import HealthCheck, given, settings

from xentui.domain.limits import MAX_CLASSES, MAX_SAMPLES
from xentui.domain.presets import DEFAULT_SCENARIO, PRESETS
from xentui.domain.scenario import Scenario
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
    ("no classes", {**TWO_CLASSES, "c": None}, "Expected a list of class names; got None"),
    ("blank class", {**TWO_CLASSES, "c": ["a", " "]}, "Row 2, column “name”: expected a name for"),
    (
        "long class",
        {**TWO_CLASSES, "c": ["a", "b" * 41]},
        "Row 2, column “name”: expected a name of",
    ),
    ("boolean target", {**TWO_CLASSES, "t": [True]}, "Row 1, column “target”: expected a class"),
    ("missing targets", {**TWO_CLASSES, "t": []}, "Column “target”: expected one target per"),
    ("logits not rows", {**TWO_CLASSES, "z": [1, 2]}, "Row 1: expected one value per class (2)"),
    (
        "probabilities: wrong rows",
        {**TWO_CLASSES, "q": [[1, 0], [0, 1]]},
        "Probability targets: expected one row per sample (1); got 2 rows",
    ),
    ("weights: wrong count", {**TWO_CLASSES, "w": [1]}, "Column “weight”: expected one weight per"),
    ("weights: text", {**TWO_CLASSES, "w": ["x", 1]}, "Row 1, column “weight”: expected a weight"),
    ("boolean logit", {**TWO_CLASSES, "z": [[True, 0]]}, "Row 1, column “a”: expected a finite"),
    ("ignored: not a list", {**TWO_CLASSES, "i": 0}, "Column “ignore”: expected sample numbers"),
    ("temperature text", {**TWO_CLASSES, "T": "hot"}, "Temperature: expected a number in"),
    ("logits: a number", {**TWO_CLASSES, "z": 5}, "Logits: expected a list of rows; got 5"),
    ("classes: a number", {**TWO_CLASSES, "c": 5}, "Expected a list of class names; got 5"),
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
    with pytest.raises(LinkError, match=r"^Logits: expected 1 to 64 samples; got 65 rows$"):
        decode(link_token(payload))


# (what is wrong, the link's value) — hostile links: each is refused with a short LinkError.
HOSTILE_LINKS = [
    ("JSON nested 100,000 deep", link_token(raw=b"[" * 100_000 + b"]" * 100_000)),
    ("class names nested 900 deep", link_token(raw=b'{"c":' + b"[" * 900 + b"]" * 900 + b"}")),
    ("a 400-digit logit", link_token({**TWO_CLASSES, "z": [[10**400, 0]]})),
    ("a 400-digit target", link_token({**TWO_CLASSES, "t": [10**400]})),
    ("a 400-digit ignored sample", link_token({**TWO_CLASSES, "i": [10**400]})),
    ("logits a number", link_token({**TWO_CLASSES, "z": 5})),
    ("a lone surrogate class name", link_token(raw=b'{"c":["\\ud800","b"],"z":[[1,2]],"t":[0]}')),
    ("a control character in a name", link_token({**TWO_CLASSES, "c": ["a\x07", "b"]})),
    ("weight 1e300", link_token({**TWO_CLASSES, "w": [1e300, 1]})),
    ("a 200,000-character reduction", link_token({**TWO_CLASSES, "r": "x" * 200_000})),
    ("a 200,000-character class name", link_token({**TWO_CLASSES, "c": ["a", "b" * 200_000]})),
    ("a superscript version", "\u00b2.abc"),
    ("a 5,000-digit version", "9" * 5_000 + ".abc"),
    ("a payload of the wrong type", link_token("just text")),
    ("2,000 bad logits", link_token({**TWO_CLASSES, "z": [["x"] * 32] * 64, "t": [0] * 64})),
]


@pytest.mark.parametrize("token", [c[1] for c in HOSTILE_LINKS], ids=[c[0] for c in HOSTILE_LINKS])
def test_a_hostile_link_raises_only_a_short_link_error(token):
    with pytest.raises(LinkError) as refused:
        decode(token)
    message = str(refused.value)
    assert len(message) <= 200
    message.encode("utf-8")  # printable: no lone surrogate reaches the page


def test_a_link_error_carries_the_problems_it_names():
    with pytest.raises(LinkError) as refused:
        decode(link_token({**TWO_CLASSES, "z": [["x", "y"]], "w": [1e9, 1]}))
    assert [str(p) for p in refused.value.problems] == [
        "Row 1, column “a”: expected a finite number within ±1e+06; got “x”.",
        "Row 1, column “b”: expected a finite number within ±1e+06; got “y”.",
        "Row 1, column “weight”: expected a weight from 0 to 1e+06; got 1e+09.",
    ]
    assert str(refused.value) == (
        "Row 1, column “a”: expected a finite number within ±1e+06; got “x” (and 2 more problems)"
    )


def test_numbers_written_as_text_are_read_as_the_editors_read_them():
    assert decode(link_token({**TWO_CLASSES, "z": [["1", "−2"]]})).logits == ((1.0, -2.0),)


def test_weights_of_one_survive_a_link():
    scenario = DEFAULT_SCENARIO.with_options(weights=(1.0, 1.0, 1.0))
    assert decode(encode(scenario)) == scenario
