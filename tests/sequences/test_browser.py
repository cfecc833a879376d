"""The Sequences page in a real Chromium: what AppTest cannot see — the heatmap drawn by Plotly
in the browser, and an .npz going through the browser's file input. Ends with a screenshot in
test-artifacts/ and a check that no exception box was rendered."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

import xentcore
from xentui.kit.units import loss_text
from xentui.sequences.data import example_losses

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WAIT_MS = 30_000
METRIC = '[data-testid="stMetricValue"]'
IDLE_APP = '.stApp[data-test-script-state="notRunning"]'


def expect(*args, **kwargs):
    from playwright.sync_api import expect as playwright_expect  # only where browsers run

    playwright_expect.set_options(timeout=WAIT_MS)
    return playwright_expect(*args, **kwargs)


@pytest.mark.browser
def test_the_heatmap_is_drawn_and_an_upload_replaces_the_example(browser, app_url, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(app_url)
        page.locator(IDLE_APP).wait_for()
        page.get_by_role("link", name="Sequences").click()
        expect(page.get_by_role("heading", name="Sequences", exact=True)).to_be_visible()
        expect(page.locator(METRIC).first).to_have_text(loss_text(example_losses().token_mean))
        # Plotly draws a heatmap as an image layer inside the chart's SVG
        expect(page.locator(".js-plotly-plot .heatmaplayer image").first).to_be_attached()

        rng = np.random.default_rng(3)
        logits = rng.standard_normal((5, 8, 6))
        targets = rng.integers(0, 6, (5, 8))
        targets[:, 5:] = -100
        buffer = io.BytesIO()
        np.savez(buffer, logits=logits, targets=targets)
        path = tmp_path / "lm.npz"
        path.write_bytes(buffer.getvalue())
        page.locator('.st-key-seq_file input[type="file"]').set_input_files(str(path))
        expected = xentcore.sequence_losses_from_logits(logits, targets).token_mean
        expect(page.locator(METRIC).first).to_have_text(loss_text(expected))
        expect(page.get_by_text("lm.npz — 5 sequences")).to_be_visible()
        page.locator(IDLE_APP).wait_for()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "sequences-upload.png", full_page=True)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    finally:
        context.close()
