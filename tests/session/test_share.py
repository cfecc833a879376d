"""The Share control's QR code decodes to its link; a link too long for a QR code gets none."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from app_helpers import scenarios
from hypothesis import given, settings
from PIL import Image

from xentui.domain.lesson import Lesson, Step, encode
from xentui.domain.share_link import encode as encode_scenario
from xentui.session.share import FALLBACK_ORIGIN, link_for, qr_png


def _decoded(png: bytes) -> str:
    image = Image.open(io.BytesIO(png)).convert("L")
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, [(f.format, f.text) for f in found]
    return found[0].text


@pytest.mark.parametrize(
    "link",
    [
        link_for("", ()),
        link_for("step-by-step", [("term", "3"), ("unit", "bits")]),
        link_for("about", [("note", "é — «x» & y=1 %20")]),
        link_for("", [("lesson", encode(Lesson((Step("", (), "Look"), Step("about")))))]),
    ],
)
def test_the_qr_code_decodes_to_the_link(link):
    assert link.startswith(FALLBACK_ORIGIN + "/")
    assert _decoded(qr_png(link)) == link


@given(scenarios(max_samples=4, max_classes=4))
@settings(max_examples=10, deadline=None)
def test_a_playground_link_decodes_from_its_qr_code(scenario):
    link = link_for("", [("s", encode_scenario(scenario))])
    assert _decoded(qr_png(link)) == link


def test_a_link_too_long_for_a_qr_code_has_none():
    # A version-40 QR code holds at most 2,953 bytes at the lowest error correction.
    assert qr_png(link_for("", [("s", "A" * 3_000)])) is None
