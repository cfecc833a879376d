"""The "Your model" page in a real Chromium against a live `streamlit run` server.

What AppTest cannot see: a file going through the browser's file input and Streamlit's upload
endpoint, the results appearing, a bad file's message beside the uploader with the results kept,
and the Playground opening on a worst sample. Each test ends with a screenshot in
test-artifacts/ and a check that no exception box was rendered.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import xentcore
from xentui.kit.units import loss_text

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORT = {"width": 1400, "height": 1000}
WAIT_MS = 30_000
SCORES = np.array([[1, 2, 3], [2, 4, 6], [0.5, 0.1, 3]], dtype=np.float32)
LABELS = [0, 2, 1]
TOY_CSV = b"cat,dog,pig,label\n1,2,3,0\n2,4,6,2\n0.5,0.1,3,1\n"
TOY_LOSS = loss_text(float(xentcore.cross_entropy(SCORES, LABELS)))  # 1.8597 nats
EXAMPLE_LOSS = "2.2202 nats"  # the example's mean loss (tests/your_model/test_page.py computes it)
EXAMPLE_LOSS_BITS = "3.2031 bits"  # the same loss over ln 2
WORST_LOSS = loss_text(float(xentcore.cross_entropy(SCORES[2:], LABELS[2:])))  # 3.0285 nats

METRIC = '[data-testid="stMetricValue"]'
IDLE_APP = '.stApp[data-test-script-state="notRunning"]'
FILE_INPUT = '.st-key-ym_file input[type="file"]'


def expect(*args, **kwargs):
    # Imported on use: without Playwright the `browser` fixture skips (or, in CI, fails).
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=WAIT_MS)
    return playwright_expect(*args, **kwargs)


@pytest.fixture
def your_model(browser, app_url):
    """The page in a fresh browser context (its own session), the example on screen."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    # Through the sidebar, as a person arrives: opening /your-model directly sometimes shows
    # Streamlit's "Page not found" dialog over the right page (seen for every page of the app).
    page.goto(app_url)
    page.locator(IDLE_APP).wait_for()
    page.get_by_role("link", name="Your model").click()
    expect(page.get_by_role("heading", name="Your model", exact=True)).to_be_visible()
    expect(page.locator(METRIC).first).to_have_text(EXAMPLE_LOSS)
    yield page
    context.close()


def _upload(page, path: Path) -> None:
    page.locator(FILE_INPUT).set_input_files(str(path))


def _finish(page, name: str) -> None:
    """Screenshot for the artefacts, then: no exception box anywhere on the page."""
    page.locator(IDLE_APP).wait_for()
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.locator('[data-testid="stMain"]').evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    page.screenshot(path=ARTIFACTS / f"{name}.png")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


@pytest.mark.browser
def test_upload_a_csv_and_see_the_result(your_model, tmp_path):
    page = your_model
    toy = tmp_path / "toy.csv"
    toy.write_bytes(TOY_CSV)
    _upload(page, toy)
    expect(page.locator(METRIC).first).to_have_text(TOY_LOSS)
    expect(page.get_by_text("toy.csv — 3 samples × 3 classes")).to_be_visible()
    expect(page.locator(METRIC).nth(1)).to_have_text("33.33%")
    # The run that shows the upload must have drawn its own button: until it finishes, the one on
    # the screen may still be the previous run's, whose deferred data is the example's.
    page.locator(IDLE_APP).wait_for()
    # The per-sample CSV is built on the click (a deferred download) and arrives whole.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download per-sample results (CSV)").click()
    assert download.value.suggested_filename == "toy-per-sample.csv"
    rows = Path(download.value.path()).read_text().splitlines()
    assert rows[0].startswith("sample,target,target_name,prediction,prediction_name,loss,")
    assert len(rows) == 4 and rows[3].startswith("3,1,dog,2,pig,3.0284")  # counted from 1
    _finish(page, "your-model-upload")


@pytest.mark.browser
def test_a_bad_file_is_explained_and_the_result_stays(your_model, tmp_path):
    page = your_model
    toy, bad = tmp_path / "toy.csv", tmp_path / "ragged.csv"
    toy.write_bytes(TOY_CSV)
    bad.write_bytes(b"cat,dog,label\n1,2,0\n3,1\n")
    _upload(page, toy)
    expect(page.locator(METRIC).first).to_have_text(TOY_LOSS)
    _upload(page, bad)
    message = "“ragged.csv”, line 3 (sample 2): expected 3 values, one per column as in the header"
    uploader_column = page.locator('[data-testid="stColumn"]', has=page.locator(".st-key-ym_file"))
    expect(uploader_column.last.get_by_text(message)).to_be_visible()
    expect(page.locator(METRIC).first).to_have_text(TOY_LOSS)
    expect(page.get_by_text("still those of the previous data")).to_be_visible()
    _finish(page, "your-model-bad-file")


@pytest.mark.browser
def test_a_worst_sample_opens_in_the_playground(your_model, tmp_path):
    page = your_model
    toy = tmp_path / "toy.csv"
    toy.write_bytes(TOY_CSV)
    _upload(page, toy)
    expect(page.locator(METRIC).first).to_have_text(TOY_LOSS)
    page.get_by_role("tab", name="Worst samples").click()
    page.get_by_role("button", name="Open in the Playground").click()
    expect(page.get_by_role("heading", name="Playground", exact=True)).to_be_visible()
    expect(page.locator(METRIC).first).to_have_text(WORST_LOSS)
    assert "?s=1." in page.url
    _finish(page, "your-model-to-playground")


@pytest.mark.browser
def test_calibration_is_measured_on_the_held_out_half_and_bits_are_one_click_away(your_model):
    page = your_model
    page.get_by_role("tab", name="Calibration").click()
    expect(page.get_by_text("Temperature scaling, measured on the held-out half")).to_be_visible()
    expect(page.get_by_text("Fit T on held-out data")).to_be_visible()
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="bits").click()
    expect(page.locator(METRIC).first).to_have_text(EXAMPLE_LOSS_BITS)
    expect(page.get_by_text("log₂ C = 3.3219 bits")).to_be_visible()
    _finish(page, "your-model-calibration-bits")


def _click_mark(page, chart_key: str, marks: str, pick) -> None:
    """Click the centre of one mark of a Plotly chart (Playwright's own click hits the drag
    layer); `pick` chooses among the marks' bounding boxes."""
    page.locator(f".st-key-{chart_key}").scroll_into_view_if_needed()
    locator = page.locator(f".st-key-{chart_key} {marks}")
    expect(locator.first).to_be_visible()
    boxes = [box for box in (m.bounding_box() for m in locator.all()) if box and box["height"] > 2]
    box = pick(boxes)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.browser
def test_a_clicked_bar_and_cell_list_their_samples(your_model):
    page = your_model
    # The tallest loss bar: the samples behind it are listed below the chart, with links.
    _click_mark(
        page, "ym_histogram", ".barlayer .point path", lambda b: max(b, key=lambda x: x["height"])
    )
    heading = page.get_by_text(re.compile(r"^[\d,]+ samples with loss from"))
    expect(heading).to_be_visible()
    count = int(heading.inner_text().split(" ", 1)[0].replace(",", ""))
    assert count > 25  # the tallest of 60 bars of 20 000 samples: more than a page
    expect(page.get_by_label("Page (of " + str(-(-count // 25)) + ")")).to_be_visible()
    # The address follows the rerun that drew the list: wait for it, never read it at once.
    expect(page).to_have_url(re.compile(r"ym_sel=loss(%3A|:)"))
    # A confusion cell, in the Classes tab: its samples replace the bar's.
    page.get_by_role("tab", name="Classes").click()
    # The heatmap is one image: click the centre of cell (target 3, prediction 5) of its grid.
    area = page.locator(".st-key-ym_confusion .nsewdrag")
    area.scroll_into_view_if_needed()
    expect(area).to_be_visible()
    box = area.bounding_box()
    page.mouse.click(box["x"] + 5.5 * box["width"] / 10, box["y"] + 3.5 * box["height"] / 10)
    expect(
        page.get_by_text(re.compile(r"^[\d,]+ samples with target cat, predicted dog"))
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"ym_sel=cell"))
    expect(page).to_have_url(re.compile(r"ym_tab=Classes"))
    _finish(page, "your-model-drill-down")
