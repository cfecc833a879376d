"""Presenter mode: one sidebar switch, on every page, that enlarges the type and hardens contrast.

The browser side (the type really grows, axe-core still passes, nothing is clipped at 1280 × 720)
is in tests/app/test_viewports.py and tests/app/test_accessibility.py.
"""

from __future__ import annotations

from app_helpers import APP, assert_no_exception
from streamlit.testing.v1 import AppTest

from xentui.session.presenter import PRESENTER_KEY, PRESENTER_STYLE


def _presenting(at: AppTest) -> bool:
    """Whether the run drew presenter mode's style (st.html keeps its body, trimmed)."""
    return any(PRESENTER_STYLE.strip() in element.proto.body for element in at.get("html"))


def test_presenter_mode_is_off_until_switched_on_and_stays_on_across_pages():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert_no_exception(at)
    switch = at.sidebar.toggle(key=PRESENTER_KEY)
    assert switch.value is False and switch.label == "Presenter mode"
    assert not _presenting(at)

    switch.set_value(True).run()
    assert_no_exception(at)
    assert _presenting(at)

    at.switch_page("pages/learn/step_by_step.py").run()
    assert_no_exception(at)
    assert at.sidebar.toggle(key=PRESENTER_KEY).value is True
    assert _presenting(at)

    at.sidebar.toggle(key=PRESENTER_KEY).set_value(False).run()
    assert not _presenting(at)
