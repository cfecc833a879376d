"""Links keep working: every link of tests/fixtures/links_v1.json opens the state it opened then.

The fixture holds links of every kind the app made while link format 1 was current — the
Playground's share links (``/?s=<token>``: presets, random draws, weights, probability targets,
ignored samples, every reduction, smoothing, temperature, float64, odd class names, the
Your-model page's worst-sample links) and each Learn page's address with its URL-bound controls
(``/<url_path>?<key>=<value>…``, with or without an ``s``) — and, for each, what that version of
the app showed when the link was opened: the value of every URL-bound widget, the metrics, a few
tables and lines of text, and on the Playground the scenario in its editors. It was made once by
tests/fixtures/make_links_v1.py and is never regenerated: a later version must open the same
links to the same state.

Each link is opened in a fresh session with the link's query parameters, on the page the current
app serves at the link's url path (see open_link). The test is self-contained on purpose: it
reaches the app only through AppTest, app.py, the page files, widget keys and what elements show
— never through xentui or the test helpers, which move.
"""

from __future__ import annotations

import json
import math
import re
from functools import partial
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from apptest_reading import keyed_elements, plain, unescape
from streamlit.testing.v1 import AppTest

from xentui.session.feedback import LINK_ICON

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "links_v1.json").read_text(encoding="utf-8"))
LINKS = FIXTURE["links"]
TIMEOUT = 30
# Numbers (in values and inside text) agree to this; the text around them must be identical.
REL_TOL, ABS_TOL = 1e-6, 1e-12
# Metrics the fixture leaves out: a float32 residue that depends on torch's kernels.
IGNORED_METRICS = ("Largest gap to torch autograd",)
# Metrics a page gained after the fixture was written, by page address: an old link shows them
# too, but the fixture cannot hold their values.
ADDED_METRICS = {
    "": ("Perplexity",),
    "your-model": (
        "Top-",
        "Brier score",
        "NLL in bits",
        "MCE (",
        "Adaptive ECE (",
        "Classwise ECE (",
    ),
}
# Texts whose numbers are a difference of two float32 losses, by (page address, text): their
# last digits are the losses' rounding, which may move by an ulp with the core's kernels.
RESIDUE_TOLERANCE = {("gradients-temperature", "The loss changes by"): 1e-3}
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


# ----------------------------------------------------------------------------- comparing


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _close(a: float, b: float, rel_tol: float = REL_TOL) -> bool:
    return a == b or math.isclose(a, b, rel_tol=rel_tol, abs_tol=ABS_TOL)


def _same_text(expected: str, actual: str, rel_tol: float = REL_TOL) -> bool:
    """Equal text, except that the numbers in it need only agree to rel_tol."""
    if expected == actual:
        return True
    if _NUMBER.split(expected) != _NUMBER.split(actual):
        return False
    pairs = zip(_NUMBER.findall(expected), _NUMBER.findall(actual), strict=True)
    return all(_close(float(e), float(a), rel_tol) for e, a in pairs)


def same(expected, actual) -> bool:
    actual = plain(actual)
    if _is_number(expected) and _is_number(actual):
        return _close(float(expected), float(actual))
    if isinstance(expected, str) and isinstance(actual, str):
        return _same_text(expected, actual)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(map(same, expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            same(expected[k], actual[k]) for k in expected
        )
    return type(expected) is type(actual) and expected == actual


# ----------------------------------------------------------------------------- the app


@pytest.fixture(scope="module")
def page_files() -> dict[str, str]:
    """The page file the current app serves at each url path ("" is "/"), relative to app.py.

    AppTest knows them after a run (`_registered_pages`, filled from st.navigation). Where a
    later Streamlit no longer has it, the page files the fixture names are used as they are.
    """
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    registered = getattr(at, "_registered_pages", None)
    if not registered:
        return {path: page for page, path in FIXTURE["pages"].items()}
    return {
        str(info["url_pathname"]): Path(info["script_path"]).resolve().relative_to(ROOT).as_posix()
        for info in registered.values()
        if "url_pathname" in info and info.get("script_path")
    }


def open_link(link: dict, page_files: dict[str, str]) -> AppTest:
    """A fresh session opening the link: its query parameters, then the page at its url path.

    The session's first run is app.py at "/" (the default page), with the link's parameters. It
    registers the pages (st.navigation); only then can AppTest switch to a page through app.py.
    Switched to before that first run, AppTest would run the page file on its own, without
    app.py — and without whatever app.py sets up for every page.
    """
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    grouped: dict[str, list[str]] = {}
    for key, value in parse_qsl(link["query"], keep_blank_values=True):
        grouped.setdefault(key, []).append(value)
    for key, values in grouped.items():  # a multiselect's choices are repeated parameters
        at.query_params[key] = values[0] if len(values) == 1 else values
    at.run()
    if link["url_path"]:
        at.switch_page(page_files[link["url_path"]]).run()
    return at


# ----------------------------------------------------------------------------- the tests


def shown_frame(element) -> object:
    """A table's DataFrame with each column named as the reader sees it (its configured label)."""
    config = json.loads(getattr(element.proto, "columns", "") or "{}")  # st.table has none
    labels = {key: spec["label"] for key, spec in config.items() if spec.get("label")}
    return element.value.rename(columns=labels)


def test_the_fixture_covers_every_page():
    assert FIXTURE["link_version"] == 1
    assert {link["url_path"] for link in LINKS} == set(FIXTURE["pages"].values())
    assert len({link["id"] for link in LINKS}) == len(LINKS)


# Words that changed while the numbers did not: (page, version-1 text, the text now). Expected
# texts, metric labels and table columns pass through these before they are compared.
REWORDED = [
    ("numerical-stability", "of the scenario (target", "of the Playground (target"),
    ("gradients-temperature", "Loss of typed logits, target class 3", "Loss of the typed logits"),
    # The Playground's loss metrics name their unit (the sidebar's choice, nats by default).
    (
        "numerical-stability",
        "Using typed logits (target: class 2)",
        "Using the typed logits (target: class 1)",
    ),
]
# Your model numbers its samples from 1 now, as every other page and message does.
RENUMBERED = {("your-model", "sample"): 1}
# Numerical stability names typed logits' classes by index from 0 now ("class 0" was "class 1").
TYPED_CLASS_COLUMN = re.compile(r"^class (\d+)$")
# The temperature fit converges now (relative 1e-4) where version 1 stopped a little earlier, and
# Your model fits it on one half of the samples (measuring it on the other): it moves by < 1 %.
METRIC_TOLERANCE = {"Fitted temperature T": 1e-2}
# Percentages have two decimals now; version 1 wrote the Playground's accuracy as a whole one.
WHOLE_PERCENT_THEN = {("", "Accuracy")}
# Losses carry their unit now; version 1 showed every loss in nats, unnamed.
LOSS_UNIT = " nats"
UNIT_COLUMNS = {("your-model", "loss"): "loss (nats)", ("", "loss"): "loss (nats)"}


def reworded(url_path: str, text: str) -> str:
    for page, before, after in REWORDED:
        if page == url_path:
            text = text.replace(before, after)
    return text


def now_column(link: dict, column: str) -> str:
    """The name a version-1 table column has now."""
    typed = link["url_path"] == "numerical-stability" and "logits=" in link["query"]
    if typed and (match := TYPED_CLASS_COLUMN.match(column)):
        return f"class {int(match.group(1)) - 1}"
    return UNIT_COLUMNS.get((link["url_path"], column), column)


# Controls whose on-screen form changed while their link parameter kept its name and meaning:
# (page, control in version 1) -> the control now, with the value it shows for the same link.
# Numerical stability's target class was counted from 1 in version 1; its control now shows the
# class index from 0, as every other page does, and ?target= still counts from 1.
RENAMED_CONTROLS = {
    ("numerical-stability", "target"): lambda key, value: ("target_index", value - 1),
}


@pytest.mark.parametrize(
    "url_path", sorted(set(FIXTURE["pages"].values())), ids=lambda path: f"/{path}"
)
def test_every_url_path_is_still_served(page_files, url_path):
    assert url_path in page_files, f"no page at /{url_path}; the app serves {sorted(page_files)}"
    assert (ROOT / page_files[url_path]).is_file()


@pytest.mark.parametrize("link", LINKS, ids=[link["id"] for link in LINKS])
def test_link_opens_the_same_state(page_files, link):
    if link["url_path"] not in page_files:
        pytest.fail(f"no page at /{link['url_path']} any more: {link['link'][:120]}")
    at = open_link(link, page_files)
    expect = link["expect"]
    assert not at.exception, [e.value for e in at.exception]
    refused = [
        unescape(w.value) for w in at.warning if w.icon == LINK_ICON or "link" in w.value.lower()
    ]
    assert not refused, f"the link is refused: {refused}"
    assert not at.error, f"errors: {[unescape(e.value) for e in at.error]}"
    assert [t.value for t in at.title] == expect["titles"]

    elements = keyed_elements(at)
    for key, wanted in expect["widgets"].items():
        key, wanted = RENAMED_CONTROLS.get((link["url_path"], key), lambda k, v: (k, v))(
            key, wanted
        )
        assert key in elements, f"no widget with key {key!r} on the page"
        shown = elements[key].value
        assert same(wanted, shown), f"widget {key!r}: {plain(shown)!r}, not {wanted!r}"

    left_out = IGNORED_METRICS + ADDED_METRICS.get(link["url_path"], ())
    shown_metrics = [m for m in at.metric if not m.label.startswith(left_out)]
    assert [m.label for m in shown_metrics] == [
        reworded(link["url_path"], m["label"]) for m in expect["metrics"]
    ]
    for wanted, shown in zip(expect["metrics"], shown_metrics, strict=True):
        tolerance = METRIC_TOLERANCE.get(shown.label)
        value = shown.value.removesuffix(LOSS_UNIT)
        if (link["url_path"], shown.label) in WHOLE_PERCENT_THEN:
            value = f"{float(value.removesuffix('%')):.0f}%"
        if tolerance is None:
            assert same(wanted["value"], value), (shown.label, wanted, shown.value)
        else:
            assert math.isclose(float(wanted["value"]), float(shown.value), rel_tol=tolerance)
        delta = shown.delta.removesuffix(LOSS_UNIT) if shown.delta else None
        assert same(wanted.get("delta"), delta), (shown.label, wanted, shown.delta)

    for table in expect["tables"]:
        grids = [*at.dataframe, *at.table]  # grids, and the static tables that wrap their text
        frames = [shown_frame(d) for d in grids if table["find"] in d.value.columns]
        assert frames, f"no table with a column {table['find']!r}"
        frame = frames[0]
        assert len(frame) == table["rows"], (table["find"], len(frame), table["rows"])
        for column, values in table["columns"].items():
            column = now_column(link, column)
            assert column in frame.columns, (table["find"], column, list(frame.columns))
            shown = frame[column].tolist()[table["from_row"] :]
            if shift := RENUMBERED.get((link["url_path"], column)):
                values = [value + shift for value in values]
            assert same(values, shown), (table["find"], column, values, plain(shown))

    for text in expect["texts"]:
        contains = reworded(link["url_path"], text["contains"])
        shown = [e.value for e in getattr(at, text["kind"]) if contains in e.value]
        wanted = [reworded(link["url_path"], value) for value in text["values"]]
        tolerance = RESIDUE_TOLERANCE.get((link["url_path"], text["contains"]))
        if tolerance is not None and len(wanted) == len(shown):
            agree = all(map(partial(_same_text, rel_tol=tolerance), wanted, shown))
        else:
            agree = same(wanted, shown)
        assert agree, f"{text['kind']}: expected {text['values']}, shown {shown}"

    if "editors" in expect:
        assert_playground_scenario(elements, expect["editors"])
    assert ("s" in at.query_params) == expect["keeps_s"], f"address bar: {at.query_params}"


def assert_playground_scenario(elements: dict[str, object], wanted: dict) -> None:
    """The Playground's editors hold the link's scenario (cells are text: numbers are parsed).

    The editors' keys carry a version (``classes_editor_1``): they are found by their prefix.
    Classes: name, weight. Samples: a logit per class, then target (a class name) and ignore.
    Probability targets: a probability per class, only while they are on.
    """

    def editor(prefix: str):
        found = [e.value for k, e in elements.items() if k.startswith(prefix)]
        assert len(found) <= 1, prefix
        return found[0] if found else None

    classes, samples, soft = (
        editor("classes_editor"),
        editor("logits_editor"),
        editor("soft_editor"),
    )
    assert classes is not None and samples is not None, sorted(elements)
    c = len(wanted["classes"])
    shown = {
        "classes": classes.iloc[:, 0].tolist(),
        "weights": [float(w) for w in classes.iloc[:, 1]],
        "logits": [[float(v) for v in row] for row in samples.iloc[:, :c].itertuples(index=False)],
        "targets": samples.iloc[:, c].tolist(),
        "ignored": [bool(v) for v in samples.iloc[:, c + 1]],
        "soft_targets": None
        if soft is None
        else [[float(v) for v in row] for row in soft.itertuples(index=False)],
    }
    for field, value in wanted.items():
        assert same(value, shown[field]), (field, value, plain(shown[field]))
