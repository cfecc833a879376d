"""The drill-down list and the shareable view of the "Your model" page, through AppTest.

AppTest cannot click a Plotly mark (a chart's selection set in session state reaches the page
without its on_select callback), so these tests put the selection where the callback puts it
(xentui.session.your_model.SELECTION); the click itself — the mark's customdata turned into that
selection — is tested in test_drill.py and in Chromium (test_browser.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from upload_cases import npz_bytes
from your_model.test_page import (
    EXAMPLE,
    TOY_CSV,
    headline,
    open_page,
    run,
    unescape,
    upload,
)

import xentcore
from xentui.domain.share_link import decode
from xentui.kit.units import loss_text
from xentui.session import your_model as ym
from xentui.session.your_model.label_errors import ISSUES_PAGE
from xentui.your_model.analysis import Analysis
from xentui.your_model.drill import PAGE_SIZE, Selection, selected_rows
from xentui.your_model.example import example_data
from xentui.your_model.upload import content_digest

TOY_HASH = content_digest(TOY_CSV)[:12]
WORST_TAB = 1


def listed(at: AppTest):
    """The drilled-down table, or None: a table of samples in a tab other than Worst samples."""
    tabs = [tab for i, tab in enumerate(at.tabs) if i != WORST_TAB]
    tables = [d.value for tab in tabs for d in tab.dataframe if "sample" in d.value.columns]
    assert len(tables) <= 1
    return tables[0] if tables else None


def heading(at: AppTest) -> str | None:
    texts = (unescape(m.value).replace("**", "") for m in at.markdown)
    return next((t for t in texts if " samples with " in t or " sample with " in t), None)


def captions(at: AppTest) -> list[str]:
    return [unescape(c.value) for c in at.caption]


def alerts(at: AppTest) -> list[str]:
    return [unescape(e.value) for kind in ("error", "info", "warning") for e in getattr(at, kind)]


def test_a_selected_cell_lists_its_samples_highest_loss_first_and_pages():
    at = open_page()
    at.session_state[ym.SELECTION] = "cell:3,5"
    run(at)
    rows = selected_rows(Selection("cell", (3, 5)), EXAMPLE, 15)
    assert (
        heading(at) == f"{len(rows):,} samples with target cat, predicted dog, highest loss first"
    )
    table = listed(at)
    assert table["sample"].tolist() == (rows[:PAGE_SIZE] + 1).tolist()
    assert (table["target"] == "cat").all() and (table["prediction"] == "dog").all()
    # Each listed sample opens in the Playground as itself: the same loss.
    first = table.iloc[0]
    scenario = decode(first["Playground"].split("?s=", 1)[1])
    loss = float(xentcore.cross_entropy(scenario.logits_array(), scenario.targets))
    assert loss == pytest.approx(float(EXAMPLE.loss[rows[0]]), rel=1e-5)
    assert at.query_params["ym_sel"] == "cell:3,5"
    assert "ym_data" not in at.query_params  # the example is what a link without a file shows

    assert f"Rows 1–{PAGE_SIZE} of {len(rows):,}." in captions(at)
    at.number_input(key=ym.DRILL_PAGE).set_value(2)
    run(at)
    assert listed(at)["sample"].tolist() == (rows[PAGE_SIZE : 2 * PAGE_SIZE] + 1).tolist()
    assert f"Rows {PAGE_SIZE + 1}–{2 * PAGE_SIZE} of {len(rows):,}." in captions(at)

    at.button(key="ym_clear_cell").click()
    run(at)
    assert listed(at) is None and "ym_sel" not in at.query_params


@pytest.mark.parametrize(
    ("selection", "tab_text"),
    [
        ("loss:10", "loss from"),
        ("confidence:15", "confidence exactly 1"),
        ("class:4", "target class"),
    ],
)
def test_each_kind_of_selection_lists_its_samples(selection, tab_text):
    at = open_page()
    at.session_state[ym.SELECTION] = selection
    run(at)
    kind, index = selection.split(":")
    rows = selected_rows(Selection(kind, (int(index),)), EXAMPLE, 15)
    assert heading(at).startswith(f"{len(rows):,} samples with {tab_text}")
    if len(rows):
        assert listed(at)["sample"].tolist() == (rows[:PAGE_SIZE] + 1).tolist()


def test_a_loss_range_heading_follows_the_sidebar_unit():
    at = open_page(unit="bits", ym_sel="loss:10")
    rows = selected_rows(Selection("loss", (10,)), EXAMPLE, 15)
    lo, hi = (float(e) for e in EXAMPLE.histogram_edges[10:12])
    assert heading(at) == (
        f"{len(rows):,} samples with loss from {loss_text(lo, 'bits')} to "
        f"{loss_text(hi, 'bits')}, highest loss first"
    )
    assert "nats" not in heading(at)


def test_fewer_bins_drop_a_bin_past_the_last():
    at = open_page()
    at.session_state[ym.SELECTION] = "confidence:12"
    run(at)
    assert listed(at) is not None
    at.slider(key="ym_bins").set_value(5)
    run(at)
    assert listed(at) is None and not at.error
    assert "ym_sel" not in at.query_params


def test_a_link_restores_tab_bins_k_and_selection():
    at = open_page(ym_tab="Classes", ym_bins="20", ym_k="7", ym_sel="class:3")
    assert headline(at)["ECE (20 bins)"] == f"{EXAMPLE.reliability(20)[0].ece:.4f}"
    assert at.slider(key="ym_k").value == 7
    assert at.session_state["ym_tab"] == "Classes"
    rows = selected_rows(Selection("class", (3,)), EXAMPLE, 20)
    assert heading(at) == f"{len(rows):,} samples with target class cat, highest loss first"
    assert not alerts(at)


def test_a_link_of_a_file_restores_its_view_once_that_file_is_uploaded():
    at = open_page()
    upload(at, "ym_file", "toy.csv", TOY_CSV)
    run(at)
    at.session_state[ym.SELECTION] = "class:1"
    run(at)
    link = {k: at.query_params[k] for k in ("ym_sel", "ym_data", "ym_name")}
    assert link == {"ym_sel": "class:1", "ym_data": TOY_HASH, "ym_name": "toy.csv"}

    other = open_page(**link)
    assert heading(other) is None
    assert alerts(other) == [
        f"This link shows a view of “toy.csv” (SHA-256 {TOY_HASH}…), not of the data on "
        "screen: upload that file to see the selection it shares."
    ]
    upload(other, "ym_file", "renamed.csv", bytes(TOY_CSV))  # same bytes
    run(other)
    assert heading(other) == "1 sample with target class dog, highest loss first"
    assert not alerts(other)


def test_a_link_of_another_file_keeps_waiting_for_it():
    at = open_page(ym_sel="class:1", ym_data="0123456789ab", ym_name="model-b.npy")
    upload(at, "ym_file", "toy.csv", TOY_CSV)
    run(at)
    assert heading(at) is None
    assert any("“model-b.npy” (SHA-256 0123456789ab…)" in text for text in alerts(at))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"ym_sel": "class:99"}, "The link’s ym_sel: expected loss:0…59 (a loss-histogram bar);"),
        ({"ym_sel": ""}, "The link’s ym_sel: expected"),
        (
            {"ym_sel": "class:1", "ym_data": "zz"},
            "The link’s ym_data: expected the first 12 hexadecimal digits",
        ),
        ({"ym_tab": "Nope"}, "The link’s ym_tab: expected one of Loss per sample, Worst samples"),
        ({"ym_bins": "inf"}, "The link’s ym_bins: expected a whole number from 5 to 50"),
        ({"ym_k": "0.5"}, "The link’s ym_k: expected a whole number from 1 to 100"),
        ({"ym_topk": "0"}, "The link’s ym_topk: expected a whole number from 1 to 10"),
        ({"ym_compare": "both"}, "The link’s ym_compare: expected one of none, temperature, file"),
    ],
)
def test_a_bad_link_value_is_named_and_the_page_works(query, message):
    at = open_page(**query)
    assert any(text.startswith(message) for text in alerts(at)), alerts(at)
    assert headline(at)["Mean cross-entropy"]
    assert listed(at) is None


def test_new_data_drops_the_selection_of_the_old():
    at = open_page()
    at.session_state[ym.SELECTION] = "class:9"
    run(at)
    assert listed(at) is not None
    upload(at, "ym_file", "toy.csv", TOY_CSV)
    run(at)
    assert listed(at) is None and not at.error


def test_the_report_is_offered_beside_the_csv():
    at = open_page()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download per-sample results (CSV)", "Download a report (HTML)"]


def test_the_practitioners_metrics_match_xentcore_on_the_matrix():
    at = open_page()
    data = example_data()
    at.number_input(key="ym_topk").set_value(3)
    run(at)
    shown = headline(at)
    assert shown["Top-3 accuracy"] == (
        f"{xentcore.top_k_accuracy(data.scores, data.labels, 3):.2%}"
    )
    assert shown["Brier score"] == f"{xentcore.brier_score(data.scores, data.labels):.4f}"
    assert shown["NLL in bits"] == f"{EXAMPLE.mean_loss / np.log(2):.4f}"
    confidence, correct = EXAMPLE.confidence, EXAMPLE.correct
    assert shown["MCE (15 bins)"] == (
        f"{xentcore.max_calibration_error(confidence, correct, 15):.4f}"
    )
    assert shown["Adaptive ECE (15 bins)"] == (
        f"{xentcore.adaptive_calibration_error(confidence, correct, 15):.4f}"
    )
    table = next(d.value for d in at.dataframe if "F1" in d.value.columns).set_index("class")
    scores = xentcore.precision_recall_f1(data.labels, EXAMPLE.prediction, 10)
    for c, name in enumerate(data.class_names):
        assert table.loc[name, "recall"] == pytest.approx(scores.recall[c], abs=1e-12)
        assert table.loc[name, "F1"] == pytest.approx(scores.f1[c], abs=1e-12)


def test_the_classwise_ece_is_xentcores_on_the_matrix_and_computed_once_per_bins(monkeypatch):
    calls = []
    real = Analysis.classwise_calibration_error
    monkeypatch.setattr(
        Analysis,
        "classwise_calibration_error",
        lambda self, bins: calls.append(bins) or real(self, bins),
    )
    at = open_page()
    data = example_data()
    for bins in (15, 20):
        expected = xentcore.classwise_calibration_error(data.scores, data.labels, bins)[0]
        assert headline(at)[f"Classwise ECE ({bins} bins)"] == f"{expected:.4f}"
        at.slider(key="ym_bins").set_value(20)
        run(at)
    at.number_input(key="ym_topk").set_value(3)  # another control: nothing computed again
    run(at)
    at.slider(key="ym_bins").set_value(15)  # a number of bins seen before: kept
    run(at)
    assert calls == [15, 20]


def test_likely_label_errors_are_listed_with_their_evidence_and_links():
    at = open_page()
    at.button(key="ym_find_issues").click()
    run(at)
    data = example_data()
    expected = xentcore.find_label_issues(xentcore.softmax(data.scores, axis=1), data.labels)
    said = next(unescape(m.value) for m in at.markdown if "flagged" in m.value)
    assert said.startswith(f"**{len(expected):,} samples flagged** of 20,000")
    table = next(d.value for d in at.dataframe if "p(suggested)" in d.value.columns)
    assert table["sample"].tolist() == (expected.indices[:PAGE_SIZE] + 1).tolist()
    names = np.asarray(data.class_names)
    assert table["suggested"].tolist() == names[expected.suggested[:PAGE_SIZE]].tolist()
    np.testing.assert_allclose(table["p(given)"], expected.p_given[:PAGE_SIZE], rtol=1e-5)
    scenario = decode(table.iloc[0]["Playground"].split("?s=", 1)[1])
    loss = float(xentcore.cross_entropy(scenario.logits_array(), scenario.targets))
    assert loss == pytest.approx(float(table.iloc[0]["loss (nats)"]), rel=1e-5)
    # Another file: the flagged list was of the example, and is not shown for it.
    upload(at, "ym_file", "toy.csv", TOY_CSV)
    run(at)
    assert not any("p(suggested)" in d.value.columns for d in at.dataframe)


def _flipped_labels(
    n: int = 200, classes: int = 4, flips: int = 60
) -> tuple[np.ndarray, np.ndarray]:
    """Confident probabilities of `n` samples, `flips` of whose labels moved to another class."""
    rng = np.random.default_rng(0)
    truth = np.arange(n) % classes
    top = rng.uniform(0.6, 0.95, n)  # distinct: the ranking by p(given) has no ties
    p = np.repeat(((1 - top) / (classes - 1))[:, None], classes, axis=1)
    p[np.arange(n), truth] = top
    given = truth.copy()
    moved = rng.choice(n, flips, replace=False)
    given[moved] = (truth[moved] + rng.integers(1, classes, flips)) % classes
    return p, given


def test_a_long_list_of_likely_label_errors_is_shown_a_page_at_a_time():
    p, given = _flipped_labels()
    at = open_page()
    upload(at, "ym_file", "flipped.npz", npz_bytes(probabilities=p, labels=given))
    run(at)
    at.button(key="ym_find_issues").click()
    run(at)
    expected = xentcore.find_label_issues(p, given)
    count = len(expected)
    pages = -(-count // PAGE_SIZE)
    assert count > 2 * PAGE_SIZE and pages == 3

    def flagged() -> list[int]:
        table = next(d.value for d in at.dataframe if "p(suggested)" in d.value.columns)
        return table["sample"].tolist()

    pager = at.number_input(key=ISSUES_PAGE)
    assert (pager.label, pager.min, pager.max, pager.value) == (f"Page (of {pages})", 1, pages, 1)
    assert f"Rows 1–{PAGE_SIZE} of {count}." in captions(at)
    assert flagged() == (expected.indices[:PAGE_SIZE] + 1).tolist()

    at.number_input(key=ISSUES_PAGE).set_value(2)
    run(at)
    assert f"Rows {PAGE_SIZE + 1}–{2 * PAGE_SIZE} of {count}." in captions(at)
    assert flagged() == (expected.indices[PAGE_SIZE : 2 * PAGE_SIZE] + 1).tolist()

    at.number_input(key=ISSUES_PAGE).set_value(pages)
    run(at)
    assert f"Rows {2 * PAGE_SIZE + 1}–{count} of {count}." in captions(at)
    assert flagged() == (expected.indices[2 * PAGE_SIZE :] + 1).tolist()

    # Another file, looked at again: its list starts at its first page.
    upload(at, "ym_file", "flipped-again.npz", npz_bytes(probabilities=p, labels=given))
    run(at)
    at.button(key="ym_find_issues").click()
    run(at)
    assert at.number_input(key=ISSUES_PAGE).value == 1
    assert flagged() == (expected.indices[:PAGE_SIZE] + 1).tolist()
