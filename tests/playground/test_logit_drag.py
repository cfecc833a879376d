"""The Playground's logit drag without a browser: its data, its arithmetic, its door, its page.

The component's arithmetic is its JavaScript (`preview`), run here by Node.js on the same rows as
xentcore — float32 rounding included. Where Node is missing those tests are skipped; the browser
test (test_browser_logit_drag.py) runs the same code in Chromium on a live page.
"""

from __future__ import annotations

import doctest
import json
import math
import shutil
import subprocess

import numpy as np
import pytest
from app_helpers import assert_no_exception, cell_edit, edit_table, open_playground

import xentcore
import xentui.session.logit_drag as drag
from xentui.domain.limits import IGNORE_INDEX, LOGIT_LIMIT
from xentui.domain.presets import DEFAULT_SCENARIO
from xentui.domain.scenario import Scenario
from xentui.kit.format import fmt

COMPONENT = drag._HERE
HOSTILE = "<script>alert(1)</script>"
TEN_CLASSES = (HOSTILE, "chat 🐱", "Hund", "猪", "ñandú", "a&b", '"q"', "x<y", "${1}", "`t`")
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


def _scenario(**changes) -> Scenario:
    rng = np.random.default_rng(7)
    base = Scenario(
        classes=TEN_CLASSES,
        logits=rng.normal(0, 3, (3, 10)).round(3),
        targets=(0, 4, 9),
    )
    return base.with_options(**changes)


# ------------------------------------------------------------------------------ the payload


def test_the_payload_is_plain_data_with_the_names_as_typed():
    payload = drag.drag_payload(_scenario(), 2, "bits")
    assert json.loads(json.dumps(payload, allow_nan=False)) == payload
    assert payload["classes"] == list(TEN_CLASSES)
    assert payload["logits"] == list(_scenario().logits[2])
    assert payload["target"] == {"kind": "class", "index": 9}
    assert payload["unit"] == "bits" and payload["label"] == "sample 3"
    assert payload["weights"] is None and payload["precision"] == "float32"
    assert payload["limit"] == LOGIT_LIMIT and payload["disabled"] is False


def test_ignored_and_probability_targets_and_weights_reach_the_payload():
    ignored = drag.drag_payload(_scenario(ignored=(False, True, False)), 1)
    assert ignored["target"] == {"kind": "ignored", "index": 4}
    soft_rows = tuple(tuple(0.1 for _ in range(10)) for _ in range(3))
    soft = drag.drag_payload(_scenario(soft_targets=soft_rows, weights=(2.0,) * 10), 0)
    assert soft["target"] == {"kind": "probabilities", "row": [0.1] * 10}
    assert soft["weights"] == [2.0] * 10


def test_a_sample_out_of_range_is_named():
    with pytest.raises(IndexError, match=r"^sample must be in \[0, 2\]; got 3 "):
        drag.drag_payload(_scenario(), 3)


def test_the_component_code_holds_no_data_and_writes_no_markup():
    """HTML, CSS and JS are fixed files: no name can reach them, and text goes in as text."""
    html, css, js = (
        '<div class="xd"></div>',
        *((COMPONENT / name).read_text() for name in ("component.css", "component.js")),
    )
    for name in TEN_CLASSES[:2]:
        assert name not in html + css + js
    for markup_sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert markup_sink not in js
    assert "textContent" in js


def test_the_docstring_examples_hold():
    results = doctest.testmod(drag)
    assert results.failed == 0 and results.attempted >= 3


# ------------------------------------------------------------------------------ the door


OFFERED = {"sample": 1, "rows": ((2.0, 4.0, 6.0),), "editors": {}}


def test_a_release_replaces_the_offered_row_through_the_validation():
    offered = OFFERED
    release = {"sample": 1, "base": [2, 4, 6], "logits": [2.0, 7.25, 6.0], "nonce": "a"}
    loaded = drag.released_scenario(release, offered, DEFAULT_SCENARIO)
    assert loaded.logits == ((1.0, 2.0, 3.0), (2.0, 7.25, 6.0))
    assert loaded.with_options(logits=DEFAULT_SCENARIO.logits) == DEFAULT_SCENARIO


@pytest.mark.parametrize(
    "release",
    [
        {"sample": 0, "base": [2, 4, 6], "logits": [2, 5, 6]},  # another sample than offered
        {"sample": 1, "base": [2, 4, 7], "logits": [2, 5, 6]},  # started from another row
        {"sample": 1, "base": "2,4,6", "logits": [2, 5, 6]},
        {"sample": 1, "base": [2, 4, 6], "logits": [2, math.inf, 6]},
        {"sample": 1, "base": [2, 4, 6], "logits": [2, 2 * LOGIT_LIMIT, 6]},
        {"sample": 1, "base": [2, 4, 6], "logits": [2, 5]},
        {"sample": 1, "base": [2, 4, 6], "logits": "2,5,6"},
        ["not", "a", "release"],
    ],
)
def test_a_release_that_does_not_fit_is_refused(release):
    assert drag.released_scenario(release, OFFERED, DEFAULT_SCENARIO) is None


def test_no_release_is_taken_while_the_drag_is_off_or_the_scenario_moved_on():
    release = {"sample": 1, "base": [2, 4, 6], "logits": [2, 5, 6]}
    assert drag.released_scenario(release, None, DEFAULT_SCENARIO) is None
    moved = DEFAULT_SCENARIO.with_options(logits=((1, 2, 3), (2, 4, 8)))
    assert drag.released_scenario(release, OFFERED, moved) is None


def test_a_late_release_of_the_same_drag_still_lands():
    """Releases quicker than reruns all start from the row the component last had from the
    server; once one is loaded, the others still apply, the newest last."""
    dragged = DEFAULT_SCENARIO.with_options(logits=((1, 2, 3), (2, 5, 6)))
    offered = {**OFFERED, "rows": ((2.0, 4.0, 6.0), (2.0, 5.0, 6.0))}
    release = {"sample": 1, "base": [2, 4, 6], "logits": [2, 5.5, 6]}
    assert drag.released_scenario(release, offered, dragged).logits[1] == (2.0, 5.5, 6.0)


# ------------------------------------------------------------------------------ the page


def _sent(at) -> dict:
    """The data the page gave the component (AppTest knows it only as an element)."""
    (component,) = at.get("bidi_component")
    return json.loads(component.proto.json)


def test_the_playground_offers_the_focused_sample():
    at = open_playground()
    assert _sent(at) == drag.drag_payload(DEFAULT_SCENARIO, 0)
    offered = at.session_state["logit_drag_offered"]
    assert offered["sample"] == 0 and offered["rows"] == ((1.0, 2.0, 3.0),)
    assert drag.BLOCKED_NOTE not in [c.value for c in at.caption]
    at.session_state["focus_sample"] = 1  # the "Breakdown of" choice
    at.run()
    assert _sent(at)["logits"] == [2.0, 4.0, 6.0] and _sent(at)["label"] == "sample 2"
    assert at.session_state["logit_drag_offered"]["rows"] == ((2.0, 4.0, 6.0),)


def test_invalid_cells_turn_the_drag_off_with_a_caption():
    at = open_playground()
    edit_table(at, "logits", cell_edit(0, "c1", "abc"))
    assert drag.BLOCKED_NOTE in [c.value for c in at.caption]
    assert at.session_state["logit_drag_offered"] is None
    assert _sent(at)["disabled"] is True and _sent(at)["logits"] == [1.0, 2.0, 3.0]
    edit_table(at, "logits", cell_edit(0, "c1", "2.5"))
    assert_no_exception(at)
    assert at.session_state["logit_drag_offered"]["rows"] == ((1.0, 2.5, 3.0),)


# ------------------------------------------------------------- the component's own arithmetic


def _node(function: str, cases: list) -> list:
    """Call `function` of component.js on each case in one Node process; its results."""
    code = (
        f"import {{ {function} }} from {json.dumps((COMPONENT / 'component.js').as_uri())};\n"
        "let text = ''; process.stdin.on('data', (d) => (text += d));\n"
        "process.stdin.on('end', () => {\n"
        f"  const out = JSON.parse(text).map((args) => {function}(...args));\n"
        "  process.stdout.write(JSON.stringify(out));\n"
        "});\n"
    )
    answer = subprocess.run(
        [NODE, "--input-type=module", "-e", code],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(answer.stdout)


def _random_scenarios(count: int, seed: int = 20):
    """Scenarios across every option: precisions, T, ε, weights, probability and ignored rows."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        c = int(rng.integers(2, 33))
        spread = float(rng.choice([0.5, 3.0, 30.0, 1e4]))
        logits = rng.normal(0, spread, (2, c)).round(int(rng.integers(0, 5)))
        if i % 17 == 0:
            logits[0, 0] = LOGIT_LIMIT * rng.choice([-1, 1])
        soft = None
        if i % 4 == 1:
            rows = rng.dirichlet(np.ones(c), 2)
            soft = rows / rows.sum(axis=1, keepdims=True)
        yield Scenario(
            classes=[f"k{k}" for k in range(c)],
            logits=logits,
            targets=rng.integers(0, c, 2),
            ignored=(bool(i % 5 == 2), False),
            soft_targets=soft,
            weights=None if i % 3 else rng.choice([0.0, 0.5, 1.0, 3.0, 1e3], c),
            label_smoothing=float(rng.choice([0.0, 0.0, 0.1, 0.37, 1.0])),
            temperature=float(rng.choice([1.0, 1.0, 0.05, 0.7, 2.5, 20.0])),
            precision=str(rng.choice(["float32", "float64"])),
        )


def _xentcore_sample(scenario: Scenario) -> tuple[np.ndarray, float, float]:
    """softmax, the reduction="none" loss and p(target) of sample 0, straight from xentcore."""
    x = scenario.scaled_logits()
    if scenario.soft_targets is not None:
        target = np.asarray(scenario.soft_targets, scenario.dtype)
        y = target[0].astype(np.float64)
    else:
        target = np.where(scenario.ignored, IGNORE_INDEX, scenario.targets)
        y = np.eye(scenario.num_classes)[scenario.targets[0]]
    weight = None if scenario.weights is None else np.asarray(scenario.weights, scenario.dtype)
    loss = xentcore.cross_entropy(
        x, target, weight=weight, label_smoothing=scenario.label_smoothing, reduction="none"
    )
    p = xentcore.softmax(x)[0]
    eps = scenario.label_smoothing
    dominant = int(np.argmax((1 - eps) * y + eps / scenario.num_classes))
    return p.astype(np.float64), float(loss[0]), float(p[dominant])


@needs_node
def test_the_preview_computes_what_xentcore_computes():
    scenarios = list(_random_scenarios(160))
    cases = [[drag.drag_payload(s, 0), list(s.logits[0])] for s in scenarios]
    for scenario, shown in zip(scenarios, _node("preview", cases), strict=True):
        p, loss, p_target = _xentcore_sample(scenario)
        # float32: a few ulps apart at most (exp, log and the order of a sum may round apart).
        rtol, atol = (2e-5, 1e-6) if scenario.precision == "float32" else (1e-12, 1e-13)
        where = f"{scenario!r}"
        np.testing.assert_allclose(shown["probabilities"], p, rtol=rtol, atol=atol, err_msg=where)
        assert shown["loss"] == pytest.approx(loss, rel=rtol, abs=atol), where
        assert shown["targetProbability"] == pytest.approx(p_target, rel=rtol, abs=atol), where


@needs_node
def test_the_preview_writes_numbers_as_fmt_does():
    values = [1.27526, 1 / 32, 0.00015, 1.1920928955078125e-07, 16.0, 0.0, 2.5e6, 999999.99995]
    values += [0.5, 1e-3, 0.0009999, -2.4076, 123.45675]
    assert _node("fmt", [[v] for v in values]) == [fmt(v) for v in values]
