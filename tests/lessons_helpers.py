"""Shared by the Learn pages' AppTests: opening a page with a link, reading what it shows.

A page is opened the way a visitor reaches it: the app runs once (the frame in app.py starts the
session from the link), then switches to the page. Switching before that first run would name the
page by its file stem, which Streamlit runs without app.py because a `pages/` folder sits next to
it.
"""

from __future__ import annotations

from app_helpers import APP, assert_no_exception, unescape
from streamlit.testing.v1 import AppTest

__all__ = [
    "HOSTILE_VALUES",
    "assert_hostile_link_is_harmless",
    "errors",
    "latex",
    "metrics",
    "open_page",
    "page_text",
    "refusal_beside",
    "rerun",
    "table",
    "warnings",
]

# What a link may hold for any control: none of it may raise, each must be named beside it.
HOSTILE_VALUES = (
    "inf",
    "-inf",
    "nan",
    "1e309",
    "9" * 400,
    "",
    "abc",
    "-1",
    "1.5",
    "x" * 5000,
    "a\x00b",
    "<b>*bold*</b>",
)


def open_page(page: str, **query: str) -> AppTest:
    """A fresh session opened on `page` ("pages/learn/step_by_step.py") with `query` in its link."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert_no_exception(at)
    at.switch_page(page)
    return rerun(at)


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert_no_exception(at)
    return at


def latex(at: AppTest) -> str:
    return "\n".join(element.value for element in at.latex)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def tables(at: AppTest) -> list:
    """Every table on the page: the grids (st.dataframe) and the static tables (st.table)."""
    return [*at.dataframe, *at.table]


def table(at: AppTest, column: str):
    """The first table that has `column` (AppTest does not expose a dataframe's key)."""
    return next(df.value for df in tables(at) if column in df.value.columns)


def errors(at: AppTest) -> list[str]:
    return [unescape(e.value) for e in at.error]


def warnings(at: AppTest) -> list[str]:
    return [unescape(w.value) for w in at.warning]


def page_text(at: AppTest) -> str:
    """Every Markdown, caption, error, warning and info text, unescaped, one per line."""
    parts = [*at.markdown, *at.caption, *at.error, *at.warning, *at.info]
    return "\n".join(unescape(p.value) for p in parts)


def refusal_beside(at: AppTest, key: str, kind: str) -> str:
    """The link refusal shown in the column that holds the control `key` of kind `kind`."""
    holding = [col for col in at.columns if any(w.key == key for w in getattr(col, kind))]
    where = holding[-1] if holding else at
    texts = [unescape(e.value) for e in where.error if "The link’s" in e.value]
    assert texts, f"no refusal beside {key}"
    return texts[0]


def assert_hostile_link_is_harmless(page: str, key: str, value: str, control: bool) -> AppTest:
    """The page opens with `?key=value`; a control refuses a bad value by name, briefly."""
    at = open_page(page, **{key: value})
    shown = errors(at)
    assert all(len(text) < 400 for text in shown), shown
    if control:
        assert any(text.startswith(f"The link’s {key}:") for text in shown) or not shown
    return at
