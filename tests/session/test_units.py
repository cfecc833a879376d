"""The sidebar's loss unit: on every page, set by a link, a bad value refused beside it."""

from __future__ import annotations

import pytest
from app_helpers import APP
from lessons_helpers import open_page
from streamlit.testing.v1 import AppTest

from xentui.session.units import UNIT_KEY

PAGES = (
    "pages/explore/playground.py",
    "pages/learn/step_by_step.py",
    "pages/analyse/your_model.py",
)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_the_switch_and_a_link_sets_it(page):
    at = open_page(page, unit="bits")
    (switch,) = [w for w in at.sidebar.button_group if w.key == UNIT_KEY]
    assert switch.value == "bits"
    assert at.session_state[UNIT_KEY] == "bits"


def test_a_bad_unit_in_a_link_is_refused_in_the_sidebar_and_nats_shown():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params[UNIT_KEY] = "furlongs"
    at.run()
    said = [e.value.replace("\\", "") for e in at.sidebar.error]
    assert said == [
        "The link’s unit: expected one of nats, bits; got “furlongs” — showing nats instead."
    ]
    assert at.session_state[UNIT_KEY] == "nats"
