"""Every page opens with any query string: a shared link can be altered, but never break a page.

A teacher sends one link to a class; some students will try to break it. For each of the nine
pages, Hypothesis builds query strings from the keys the page itself reads (see link_fuzz) —
repeated keys, hostile text, numbers no control takes, empty values, valid values, and `?s=`
tokens of any JSON, nested 100,000 deep, damaged or cut short — and every time:

- nothing raises, and a rerun after the first works too;
- every message is short, and quotes no more than a few dozen characters of what was received;
- the page's title is shown;
- a refused control shows its default, and a refused `?s=` is named in the link's warning with
  exactly the reason `share_link.decode` gives (which raises nothing else), over the default
  scenario;
- a control that does not show what its link said has a message saying so.

The crafted cases below pin the exact message of each hostile value found in the past.
`XENT_FUZZ_EXAMPLES=500` runs more examples per page; `XENT_FUZZ_REPORT=path` then writes how
many query strings each page was given and how many it refused with a message.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from app_helpers import TWO_CLASSES, link_token
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from link_fuzz import (
    PAGES,
    UNCONTROLLED,
    alerts,
    browser_query,
    deep_token,
    discover,
    open_with,
    page_query,
    queries,
    refusals,
    said_beside,
    shows_default,
    title_of,
    widget,
)

from xentui.domain.link_values import refused
from xentui.domain.presets import DEFAULT_SCENARIO
from xentui.domain.share_link import QUERY_KEY, LinkError, decode
from xentui.kit.problems import QUOTE_CHARS
from xentui.session.feedback import TYPED_ICON

EXAMPLES = int(os.environ.get("XENT_FUZZ_EXAMPLES", "15"))
# Shrinking a failure re-runs pages for minutes: on request only (XENT_FUZZ_SHRINK=1).
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
FUZZ = settings(
    max_examples=EXAMPLES,
    phases=[*PHASES, Phase.shrink] if os.environ.get("XENT_FUZZ_SHRINK") else PHASES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_MESSAGE = 300
LINK_WARNING = "This link could not be opened — {}. Showing the default scenario instead."
TALLY: dict[str, Counter] = {}
TEXT_BOX_ICON = TYPED_ICON  # show_problems' icon for a Problem beside a text box


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if path := os.environ.get("XENT_FUZZ_REPORT"):
        rows = {page: dict(counts) for page, counts in TALLY.items()}
        Path(path).write_text(json.dumps(rows, indent=1), encoding="utf-8")


# ------------------------------------------------------------------------------ the checks


def _last(query: dict[str, list[str]], key: str) -> str | None:
    return query[key][-1] if query.get(key) else None


def _check_link_scenario(at, query: dict[str, list[str]]) -> bool:
    """The scenario the link's `s` opens (or the default, with the reason); True if refused."""
    token = _last(query, QUERY_KEY)
    warnings = [text for text in alerts(at) if text.startswith("This link could not be opened")]
    if not token:
        assert not warnings
        return False
    try:
        expected = decode(token)
    except LinkError as refusal:
        assert warnings == [LINK_WARNING.format(refusal)]
        assert at.session_state["scenario"] == DEFAULT_SCENARIO
        return True
    assert not warnings
    assert _as_used(at.session_state["scenario"]) == _as_used(expected)
    return False


def _as_used(scenario):
    """`scenario` without ignore flags where probability targets leave no sample out.

    The Playground's editors clear them; every result ignores them: the same scenario either way.
    """
    if scenario.soft_targets is None:
        return scenario
    return dataclasses.replace(scenario, ignored=(False,) * scenario.num_samples)


def _check_controls(at, link, query: dict[str, list[str]]) -> bool:
    """Refused controls show their default; no control drops its link value silently."""
    said = refusals(at)
    assert len(said) == len(set(said)), said  # each refusal once
    for key in said:
        assert key in link.controls, (key, sorted(link.controls))
        if link.kinds[key] in UNCONTROLLED:
            continue  # no control value to compare
        element = widget(at, link.controls[key])
        assert element is not None and shows_default(element), (key, element)
    for key, shown_by in link.controls.items():
        raw = _last(query, key)
        element = widget(at, shown_by)
        # An old 1-based key is shown as an index: it never equals its link value.
        if raw is None or element is None or shown_by != key or key in said:
            continue
        if link.kinds[key] in UNCONTROLLED:
            continue
        assert not refused(raw, element.value), (
            f"{key}={raw[:40]!r} became {element.value!r} without a word"
        )
    return bool(said)


def _check_page(at, link, query: dict[str, list[str]]) -> bool:
    """Every property of an opened page; True when the page refused part of its link."""
    assert title_of(at) == link.title
    texts = alerts(at)
    assert all(len(text) <= MAX_MESSAGE for text in texts), [t[:100] for t in texts]
    for value in (v for values in query.values() for v in values):
        if len(value) > QUOTE_CHARS + 20:
            assert not any(value[: QUOTE_CHARS + 20] in text for text in texts)
    refused_scenario = _check_link_scenario(at, query)
    return _check_controls(at, link, query) or refused_scenario


def _open_and_check(page: str, query_string: str, inspect=None) -> None:
    """Open `page` with `query_string`, check it, `inspect(at)` it, then check a rerun."""
    link = discover(page)
    query = page_query(query_string)
    at = open_with(page, query_string)
    refused_any = _check_page(at, link, query)
    first_errors = list(at.error)
    if inspect is not None:
        inspect(at)
    at.frame_refusals = ()  # the opening runs' words, checked above
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert title_of(at) == link.title
    assert not refusals(at)  # said once, when the link was opened
    counts = TALLY.setdefault(page, Counter())
    counts["tried"] += 1
    counts["refused with a message"] += refused_any
    counts["a text box named a problem"] += any(e.icon == TEXT_BOX_ICON for e in first_errors)


# ------------------------------------------------------------------------------ the fuzz


@pytest.mark.parametrize(
    "page", [file for _, file in PAGES], ids=[path or "playground" for path, _ in PAGES]
)
@FUZZ
@given(data=st.data())
def test_any_query_string_opens_the_page(page, data):
    _open_and_check(page, data.draw(queries(discover(page)), label="query"))


def test_every_page_reads_its_link_keys_from_its_own_controls():
    """The fuzz draws its keys from what the pages read: the Learn pages read some."""
    keys = {file: discover(file).keys for _, file in PAGES}
    assert all(QUERY_KEY in found for found in keys.values())
    assert set(keys["pages/learn/step_by_step.py"]) == {
        QUERY_KEY,
        "lesson",  # the frame's, on every page
        "step",
        "term",
        "all_terms",
        "time_n",
        "unit",
    }
    # The old 1-based key is shown by an unbound control, and still found.
    assert discover("pages/learn/numerical_stability.py").controls["target"] == "target_index"


# ------------------------------------------------------------------------------ crafted cases

PLAYGROUND = "pages/explore/playground.py"
NINES = int("9" * 400)


def _refused_link(reason: str) -> str:
    return LINK_WARNING.format(reason)


# (what, the link's scenario token, the page's warning)
CRAFTED_LINKS = [
    (
        "JSON nested 100,000 deep",
        deep_token(100_000),
        _refused_link("the link is damaged: its scenario could not be read"),
    ),
    (
        "logits nested 100,000 deep",
        deep_token(100_000, "z"),
        _refused_link("the link is damaged: its scenario could not be read"),
    ),
    (
        "a 400-digit logit",
        link_token({**TWO_CLASSES, "z": [[NINES, 0]]}),
        _refused_link(
            "Row 1, column “a”: expected a finite number within ±1e+06; got a 400-digit integer"
        ),
    ),
    (
        "a 400-digit temperature",
        link_token({**TWO_CLASSES, "T": NINES}),
        _refused_link("Temperature: expected a number in [0.05, 20]; got a 400-digit integer"),
    ),
    (
        "a 400-digit weight",
        link_token({**TWO_CLASSES, "w": [NINES, 1]}),
        _refused_link(
            "Row 1, column “weight”: expected a weight from 0 to 1e+06; got a 400-digit integer"
        ),
    ),
    (
        "logits a number",
        link_token({**TWO_CLASSES, "z": 5}),
        _refused_link("Logits: expected a list of rows; got 5"),
    ),
    (
        "a lone surrogate in a class name",
        link_token(raw=b'{"c":["\\ud800","b"],"z":[[1,2]],"t":[0]}'),
        _refused_link(
            "Row 1, column “name”: expected a name without control characters; got “\\ud800”"
        ),
    ),
    (
        "weight 1e300 in float32",
        link_token({**TWO_CLASSES, "w": [1e300, 1]}),
        _refused_link("Row 1, column “weight”: expected a weight from 0 to 1e+06; got 1e+300"),
    ),
    (
        "a 200,000-character reduction",
        link_token({**TWO_CLASSES, "r": "x" * 200_000}),
        _refused_link("Reduction: expected one of mean, sum, none; got “" + "x" * 20 + "…”"),
    ),
]


@pytest.mark.parametrize(
    ("token", "warning"), [c[1:] for c in CRAFTED_LINKS], ids=[c[0] for c in CRAFTED_LINKS]
)
def test_a_crafted_link_is_refused_in_one_short_warning(token, warning):
    def inspect(at):
        assert alerts(at) == [warning]

    _open_and_check(PLAYGROUND, browser_query([(QUERY_KEY, token)]), inspect)
    assert len(warning) <= MAX_MESSAGE


# (page, link key, what its control takes, what it shows instead)
NUMBER_CONTROLS = [
    ("step_by_step", "term", "a whole number from 1 to 6", "1"),
    ("binary_cross_entropy", "p1", "a number from 0 to 1", "0.7"),
    ("binary_cross_entropy", "logit", "a number from −60 to 60", "20.0"),
    ("binary_cross_entropy", "y", "a number from 0 to 1", "0.0"),
    ("binary_cross_entropy", "pos_weight", "a number from 0 to 1000", "3.0"),
    ("binary_cross_entropy", "pw_logit", "a number from −60 to 60", "0.0"),
    ("numerical_stability", "sample", "a whole number from 1 to 2", "1"),
    ("numerical_stability", "target", "a whole number from 1 to 32", "1"),
    ("k_dimensional", "kdim_sharpness", "a number from 0 to 10", "3.0"),
    ("k_dimensional", "kdim_noise", "a number from 0 to 5", "2.0"),
    ("k_dimensional", "kdim_seed", "a whole number from 0 to 9999", "0"),
    ("targets_weights_smoothing", "tws_eps", "a number from 0 to 1", "0.1"),
    ("gradients_temperature", "grad_sample", "a whole number from 1 to 2", "1"),
    ("gradients_temperature", "grad_target", "a whole number from 0 to 31", "0"),
    # Your model's ranges are those of the example it opens on: 20 000 samples × 10 classes.
    ("your_model", "ym_bins", "a whole number from 5 to 50", "15"),
    ("your_model", "ym_k", "a whole number from 1 to 100", "10"),
    ("your_model", "ym_topk", "a whole number from 1 to 10", "5"),
]
# (the link's value, how the refusal quotes it)
NOT_A_NUMBER = [
    ("inf", "“inf”"),
    ("-inf", "“-inf”"),
    ("1e309", "“1e309”"),
    ("9" * 400, "“" + "9" * QUOTE_CHARS + "…”"),
    ("", "an empty value"),
]


def _page_file(stem: str) -> str:
    return next(file for _, file in PAGES if file.endswith(f"/{stem}.py"))


def test_every_number_control_is_pinned():
    found = {
        (file.rsplit("/", 1)[-1].removesuffix(".py"), key)
        for _, file in PAGES
        for key, kind in discover(file).kinds.items()
        if kind in ("NumberInput", "Slider")
    }
    assert found == {(c[0], c[1]) for c in NUMBER_CONTROLS}


@pytest.mark.parametrize(
    ("value", "quoted"), NOT_A_NUMBER, ids=["inf", "-inf", "1e309", "400 digits", "empty"]
)
@pytest.mark.parametrize("stem", sorted({c[0] for c in NUMBER_CONTROLS}))
def test_a_number_control_refuses_what_is_no_number_beside_itself(stem, value, quoted):
    """Every number control of the page is given `value` in one link; each says so beside it."""
    page = _page_file(stem)
    controls = [c[1:] for c in NUMBER_CONTROLS if c[0] == stem]
    pairs = [(key, value) for key, *_ in controls]
    if stem == "numerical_stability":
        pairs.append(("logits", "1, 2, 3"))  # the 1-based target is read for typed logits

    def inspect(at):
        for key, allowed, default in controls:
            shown_by = discover(page).controls[key]
            assert said_beside(at, shown_by) == (
                f"The link’s {key}: expected {allowed}; got {quoted} — showing {default} instead."
            )

    _open_and_check(page, browser_query(pairs), inspect)


# (page, query, the refusal beside its control)
CRAFTED_VALUES = [
    (
        "binary_cross_entropy",
        [("bce_target", "")],
        "The link’s bce_target: expected [0, 1] or [1, 0]; got an empty value — showing [0, 1] "
        "instead.",
    ),
    (
        "binary_cross_entropy",
        [("eps", "")],
        "The link’s eps: expected one of 1e-15, 1e-12, 1e-7, 0; got an empty value — showing "
        "1e-15 instead.",
    ),
    (
        "k_dimensional",
        [("kdim_example", "")],
        "The link’s kdim_example: expected (1, 4, 2) or (2, 4, 2); got an empty value — showing "
        "(1, 4, 2) instead.",
    ),
    (
        "step_by_step",
        [("time_n", "1e309")],
        "The link’s time_n: expected one of 10, 100, 1000, 2000, 10000, 100000, 1000000; got "
        "“1e309” — showing 100 instead.",
    ),
    (
        "k_dimensional",
        [("kdim_precision", "float64"), ("kdim_precision", "float32")],
        "The link’s kdim_precision: expected float32 or float64; got “float64, float32” — "
        "showing float32 instead.",
    ),
    (
        "step_by_step",
        [("all_terms", "\x00\ud800")],
        "The link’s all_terms: expected true or false; got “\\x00\ufffd\ufffd\ufffd” — "
        "showing off instead.",
    ),
    (
        "targets_weights_smoothing",
        [("tws_ignore", ""), ("tws_ignore", "x"), ("tws_ignore", "sample 1")],
        "The link’s tws_ignore: expected any of sample 1, sample 2; got “x” — showing none "
        "instead.",
    ),
    (
        "targets_weights_smoothing",
        [("tws_weights", "1" * 250_000)],
        "The link’s tws_weights: expected text of at most 4,000 characters; got “"
        + "1" * QUOTE_CHARS
        + "…” — showing 2, 1, 1 instead.",
    ),
]


@pytest.mark.parametrize(
    ("stem", "pairs", "message"),
    CRAFTED_VALUES,
    ids=[f"{c[0]}-{c[1][0][0]}" for c in CRAFTED_VALUES],
)
def test_a_crafted_value_is_refused_beside_its_control(stem, pairs, message):
    def inspect(at):
        assert [text for text in alerts(at) if text.startswith("The link’s")] == [message]

    _open_and_check(_page_file(stem), browser_query(pairs), inspect)
