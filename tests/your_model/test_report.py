"""The HTML report: self-contained (Plotly's JavaScript inlined once, nothing fetched), the
headline figures as the page shows them, and every name escaped."""

from __future__ import annotations

import re

import pytest

from xentui.kit.units import loss_text
from xentui.your_model.analysis import analyse_upload
from xentui.your_model.example import example_data
from xentui.your_model.report import headline_frame, html_report
from xentui.your_model.upload import ModelData

DATA = example_data(2_000)
ANALYSIS = analyse_upload(
    ModelData(DATA.scores, DATA.labels, DATA.class_names, "<b>model</b> & co.csv")
)
REPORT = html_report(ANALYSIS, 15).decode()


def test_the_report_inlines_plotly_once_and_fetches_nothing():
    assert REPORT.count("plotly.js v") == 1  # the library's banner: one copy
    assert REPORT.count("Plotly.newPlot(") == 4  # four figures
    assert not re.search(r"<script[^>]+src=", REPORT)
    assert not re.search(r"<link[^>]+href=", REPORT)


def test_the_report_holds_the_headline_figures_and_escapes_the_name():
    assert "&lt;b&gt;model&lt;/b&gt; &amp; co.csv" in REPORT
    assert "<b>model</b>" not in REPORT
    frame = headline_frame(ANALYSIS, 15, "bits")
    values = dict(zip(frame["figure"], frame["value"], strict=True))
    assert values["mean cross-entropy"] == loss_text(ANALYSIS.mean_loss, "bits")
    assert values["ECE (15 bins)"] == f"{ANALYSIS.reliability(15)[0].ece:.4f}"
    assert values["samples"] == "2,000"
    assert f"<td>{values['accuracy']}</td>" in REPORT


@pytest.mark.browser
def test_the_report_draws_its_figures_offline(browser, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(REPORT, encoding="utf-8")
    context = browser.new_context()
    requests: list[str] = []

    def offline(route) -> None:
        if route.request.url == path.as_uri():
            route.continue_()
        else:  # anything else the report asked for would be a fetch
            requests.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelectorAll('.main-svg').length >= 4")
    bars = page.locator(".barlayer .point").count()
    context.close()
    assert requests == []
    assert (
        bars == len(ANALYSIS.histogram_counts) + ANALYSIS.num_classes + 16
    )  # 60 + 10 + 15 bins and 1
