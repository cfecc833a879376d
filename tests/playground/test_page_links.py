"""The Playground's share links through AppTest: a link reopens its scenario; a bad one warns."""

from __future__ import annotations

from dataclasses import replace

import pytest
from app_helpers import (
    BAD_LINKS,
    DEFAULT_LOSS,
    TWO_CLASSES,
    alerts,
    arithmetic,
    cell_edit,
    click_button,
    edit_state,
    edit_table,
    editor_table,
    headline,
    link_token,
    new_sample,
    open_playground,
    open_presets,
    unescape,
)

from xentui.domain.presets import PRESETS
from xentui.domain.share_link import encode

# ------------------------------------------------------------------------------ links


def test_a_link_reopens_the_same_scenario():
    at = open_playground()
    edit_table(at, "classes", edit_state(edited={1: {"name": "hound", "weight": "0.5"}}))
    edit_table(
        at,
        "logits",
        edit_state(
            edited={0: {"c1": "5", "ignore": True}},
            added=[new_sample("0.25", "-1", "3.5", target="hound")],
        ),
    )
    at.slider(key="opt_smoothing").set_value(0.05).run()
    at.segmented_control(key="opt_reduction").set_value("sum").run()
    token = at.query_params["s"]

    reopened = open_playground(token)
    assert alerts(reopened, "warning") == []
    assert reopened.session_state["scenario"] == at.session_state["scenario"]
    assert headline(reopened) == headline(at)
    assert arithmetic(reopened) == arithmetic(at)
    shown = editor_table(reopened, "logits")
    assert shown[["c0", "c1", "c2", "target"]].to_numpy().tolist() == [
        ["1", "5", "3", "cat"],
        ["2", "4", "6", "pig"],
        ["0.25", "-1", "3.5", "hound"],
    ]
    assert list(shown["ignore"]) == [True, False, False]
    assert reopened.query_params["s"] == token


def test_a_link_with_probability_targets_reopens_them():
    at = open_playground()
    at.toggle(key="opt_soft").set_value(True).run()
    edit_table(at, "soft", edit_state(edited={0: {"c0": "0.25", "c1": "0.75"}}))
    reopened = open_playground(at.query_params["s"])
    assert reopened.session_state["scenario"] == at.session_state["scenario"]
    assert reopened.toggle(key="opt_soft").value is True
    assert editor_table(reopened, "soft").to_numpy().tolist()[0] == ["0.25", "0.75", "0"]


def test_every_option_s_default_is_its_value_after_a_link_opens():
    # Streamlit sends a value set through session state once; a tab that draws a later run
    # first shows the widget's default, and its next rerun would send that default back (a new
    # session then showed a temperature of 0.05). So each default must be the value itself.
    scenario = replace(
        PRESETS["Notebook: three samples, bad predictions (1.6242)"],
        soft_targets=((0.5, 0.5, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
        reduction="sum",
        label_smoothing=0.1,
        temperature=2.5,
        precision="float64",
    )
    at = open_playground(encode(scenario))
    at.run()  # a later run: the one-shot values are gone
    assert at.session_state["scenario"] == scenario
    assert at.number_input(key="opt_temperature").proto.default == 2.5
    assert list(at.slider(key="opt_smoothing").proto.default) == [pytest.approx(0.1)]
    for key, value in (("opt_reduction", "sum"), ("opt_precision", "float64")):
        control = at.segmented_control(key=key)
        assert [control.options[i] for i in control.proto.default] == [value]
    assert at.toggle(key="opt_soft").proto.default is True


@pytest.mark.parametrize(
    ("token", "reason"), [case[1:] for case in BAD_LINKS], ids=[case[0] for case in BAD_LINKS]
)
def test_a_bad_link_opens_the_default_scenario_with_a_warning(token, reason):
    at = open_playground(token)
    assert headline(at) == ("Mean loss", DEFAULT_LOSS + " nats")
    assert alerts(at, "warning") == [
        f"This link could not be opened — {reason}. Showing the default scenario instead."
    ]
    assert "s" not in at.query_params  # the bad link is not kept in the address bar


def test_the_link_warning_goes_once_another_scenario_is_loaded():
    at = open_playground("9.xyz")
    assert len(at.warning) == 1
    edit_table(at, "logits", cell_edit(0, "c1", "5"))
    assert len(at.warning) == 1  # still the default scenario, edited
    click_button(open_presets(at), "Load preset")
    assert alerts(at, "warning") == []


def test_a_link_s_own_text_in_the_warning_is_not_markdown():
    at = open_playground(link_token({**TWO_CLASSES, "r": "[fix it](http://evil.example)"}))
    raw = at.warning[0].value
    assert "[fix it](" not in raw  # escaped: shown as typed, never a clickable link
    assert "got “[fix it](http://evil…”" in unescape(raw)  # quoted, and cut short
