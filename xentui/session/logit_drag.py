"""Drag one sample's logits on the Playground: softmax, p(target) and the loss follow at once.

A `streamlit.components.v2` component (logit_drag/component.js, .css) computes the preview in
the page, within the frame: no rerun while the slider moves. On release it reports the row once;
`_apply_release` then builds the new scenario from the one shown, checks it with the one
validation (`check_scenario`) and loads it like a preset, so the editors, the link and every
output follow. The server stays the source of truth: what it loads comes back to the component.

Class names and numbers reach the component only as JSON data (`drag_payload`); its HTML (one
empty div), CSS and JS are fixed, the last two files read once, and the JS writes every text
with textContent.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import streamlit as st

from xentui.domain.limits import LOGIT_LIMIT
from xentui.domain.scenario import Scenario
from xentui.domain.validation import check_scenario
from xentui.playground.tables import sample_names
from xentui.session import playground as session
from xentui.session.together import writes_together
from xentui.session.units import loss_unit

__all__ = ["DRAG_KEY", "DRAG_SPAN", "drag_payload", "logit_drag", "released_scenario"]

DRAG_KEY = "logit_drag"  # the component's key: its state and last release in session state
DRAG_SPAN = 10.0  # each slider reaches this far either side of the logit the server holds
# What the drag may change ({sample, rows, editors}: see `_offer`), None while it is off.
_OFFERED = "logit_drag_offered"
_TRAIL = 64  # rows of one drag that a late release may still start from
# The last release the server answered, named by the nonce the component gave it.
_ECHO = "logit_drag_echo"
_MAX_NONCE_CHARS = 64
BLOCKED_NOTE = (
    "The logits drag is off while cells above are marked: fix them first, so that a drag does "
    "not replace what you typed."
)

_HERE = Path(__file__).with_suffix("")
_component = st.components.v2.component(
    "xent.logit_drag",
    html='<div class="xd"></div>',
    css=(_HERE / "component.css").read_text(encoding="utf-8"),
    js=(_HERE / "component.js").read_text(encoding="utf-8"),
)


def drag_payload(
    scenario: Scenario,
    sample: int,
    unit: str = "nats",
    *,
    disabled: bool = False,
    echo: str | None = None,
) -> dict[str, object]:
    """The component's data for `sample` of `scenario`: plain JSON, nothing of it becomes markup.

    target is {"kind": "class", "index": t}, {"kind": "ignored", "index": t} for a sample left
    out of the loss (reduction "none" gives it 0), or {"kind": "probabilities", "row": [...]}.
    echo names the last release the server answered, so the component can tell a run that
    answers its drag from one that started before it.

    >>> from xentui.domain.presets import DEFAULT_SCENARIO
    >>> payload = drag_payload(DEFAULT_SCENARIO, 1)
    >>> payload["classes"], payload["logits"], payload["target"]
    (['cat', 'dog', 'pig'], [2.0, 4.0, 6.0], {'kind': 'class', 'index': 2})
    """
    if not 0 <= sample < scenario.num_samples:
        raise IndexError(
            f"sample must be in [0, {scenario.num_samples - 1}]; got {sample!r} "
            f"for a scenario of {scenario.num_samples} samples"
        )
    if scenario.soft_targets is not None:
        target = {"kind": "probabilities", "row": list(scenario.soft_targets[sample])}
    else:
        kind = "ignored" if scenario.ignored[sample] else "class"
        target = {"kind": kind, "index": scenario.targets[sample]}
    label = sample_names(scenario)[sample]
    return {
        "sample": sample,
        "label": label,
        "title": f"Drag the logits of {label}",
        "classes": list(scenario.classes),
        "logits": list(scenario.logits[sample]),
        "target": target,
        "weights": None if scenario.weights is None else list(scenario.weights),
        "temperature": scenario.temperature,
        "label_smoothing": scenario.label_smoothing,
        "precision": scenario.precision,
        "unit": unit,
        "span": DRAG_SPAN,
        "limit": LOGIT_LIMIT,
        "disabled": disabled,
        "echo": echo,
    }


def logit_drag(scenario: Scenario, sample: int, *, blocked: bool = False) -> None:
    """Draw the drag for `sample` of the scenario shown; off (with a caption) when `blocked`.

    blocked: the editors hold cells that do not validate. Loading a dragged row would rebuild
    the editors from the scenario and drop what was typed, so the drag waits until they are fixed.
    """
    st.session_state[_OFFERED] = (
        None if blocked else _offer(st.session_state.get(_OFFERED), sample, scenario)
    )
    _component(
        key=DRAG_KEY,
        data=drag_payload(
            scenario, sample, loss_unit(), disabled=blocked, echo=st.session_state.get(_ECHO)
        ),
        on_released_change=_apply_release,
    )
    if blocked:  # after the component, which then keeps its place (and its state) in the page
        st.caption(BLOCKED_NOTE)


def _offer(offered: dict | None, sample: int, scenario: Scenario) -> dict[str, object]:
    """What the drag may change now: `sample`, from its row or a row its drag went through."""
    row = scenario.logits[sample]
    rows: tuple = ()
    if offered is not None and offered["sample"] == sample and row in offered["rows"]:
        rows = offered["rows"]  # the row came from this drag: its earlier releases still count
    if row not in rows:
        rows = (*rows, row)
    return {"sample": sample, "rows": rows[-_TRAIL:], "editors": session.editor_states()}


@writes_together
def _apply_release() -> None:
    """Load the row the component released (a callback: runs before the page, once per release).

    Releases come quicker than reruns (a key held down): Streamlit keeps the newest of those
    waiting, and each one carries the whole row, so the last one wins.
    """
    release = (st.session_state.get(DRAG_KEY) or {}).get("released")
    if not isinstance(release, dict):
        return
    nonce = release.get("nonce")
    nonce = nonce[:_MAX_NONCE_CHARS] if isinstance(nonce, str) else None
    if nonce is not None and nonce == st.session_state.get(_ECHO):
        return  # a rerun that restarted an earlier one brings its release again: answered
    st.session_state[_ECHO] = nonce
    offered = st.session_state.get(_OFFERED)
    shown = session.current_scenario()
    scenario = released_scenario(release, offered, shown)
    if scenario is None or scenario == shown or session.editor_states() != offered["editors"]:
        return  # refused, nothing moved, or an edit arrived with it that loading would drop
    session.load_scenario(scenario)
    sample = offered["sample"]
    st.session_state[session.FOCUS] = sample  # loading resets the breakdown to sample 1
    st.session_state[_OFFERED] = {
        "sample": sample,
        "rows": (*offered["rows"], scenario.logits[sample])[-_TRAIL:],
        "editors": session.editor_states(),
    }


def released_scenario(release: object, offered: dict | None, shown: Scenario) -> Scenario | None:
    """The scenario `shown` with the released row in place, or None when it must be refused.

    release is what the component reported: {"sample", "base" (the row it last had from the
    server), "logits", "nonce"}. offered is what the drag may change (`_offer`), None while it
    is off. Refused: a release for another sample, or from a row that did not come from this
    drag (the editors, a preset or a link changed it meanwhile), and a row `check_scenario`
    refuses.

    >>> from xentui.domain.presets import DEFAULT_SCENARIO as shown
    >>> offered = {"sample": 0, "rows": ((1.0, 2.0, 3.0),), "editors": {}}
    >>> release = {"sample": 0, "base": [1.0, 2.0, 3.0], "logits": [4.5, 2.0, 3.0]}
    >>> released_scenario(release, offered, shown).logits
    ((4.5, 2.0, 3.0), (2.0, 4.0, 6.0))
    >>> released_scenario({**release, "logits": [4.5, "x", 3.0]}, offered, shown)
    """
    if not isinstance(release, dict) or offered is None:
        return None
    sample = offered["sample"]
    base = release.get("base")
    if (
        release.get("sample") != sample
        or not isinstance(base, list)
        or tuple(base) not in offered["rows"]
        or not 0 <= sample < shown.num_samples
        or shown.logits[sample] not in offered["rows"]
    ):
        return None
    logits = [list(r) for r in shown.logits]
    logits[sample] = release.get("logits")
    return check_scenario({**dataclasses.asdict(shown), "logits": logits}).scenario
