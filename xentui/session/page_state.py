"""A Learn page's state: its controls read from the link, refusals beside them, last good results.

Every control of a Learn page is bound to the URL (`bind="query-params"`, key = parameter name), so
a link reopens the page as it was. `PageState.control` creates such a control and checks the link's
value first: a value the control cannot take is taken out of the link before Streamlit reads it
(for some — ``?term=inf``, an empty ``?eps=`` — Streamlit would raise instead of falling back), the
control shows its default and a `Problem` beside it names what was refused, once.

The recurring patterns of the pages are written here once: a number pulled back in range when the
Playground's scenario shrank, a button that fills text boxes, a section that keeps its last good
result while its input is bad, and the "sample of the scenario, or typed logits" picker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.state.session_state_proxy import get_session_state

from xentui.domain import link_values as rules
from xentui.domain.limits import MAX_CLASSES
from xentui.domain.scenario import Scenario
from xentui.lessons import logits_choice
from xentui.session.feedback import LINK_ICON, show_problems

__all__ = [
    "LINK_KEYS",
    "LogitsKeys",
    "PageState",
    "clamp_to",
    "fill_button",
    "open_page",
    "pick_logits",
]

T = TypeVar("T")
# Session state: {page: {link key: key of the control that shows it}}, filled as the page reads
# its link, so a test (or a tool) learns every key a page takes from the page itself.
LINK_KEYS = "link_keys"


def _drop_from_link(key: str) -> None:
    """Take `key` out of the link before its control reads it.

    Streamlit seeds a bound control from the query string the browser sent with the run, kept
    apart from `st.query_params`; both copies must lose the value, or the control still reads it.
    """
    with get_session_state().query_params() as params:
        params._initial_query_params.pop(key, None)
        params.remove_param(key)  # also tells the browser to drop it from the address bar


def _listed(values: Sequence[object]) -> str:
    """What a multiselect shows, in words: "sample 1, sample 2", or "none"."""
    return ", ".join(str(v) for v in values) or "none"


class PageState:
    """One Learn page's link values and kept results, for one run of the page."""

    def __init__(self, page: str, every_run: bool = False) -> None:
        self.page = page
        flag = f"link_read_{page}"
        # A page reads the link on its first run in the session: later runs carry the values the
        # controls themselves wrote into the address bar. The frame, whose controls are on every
        # page, reads it on every run, so a link to any page can set them.
        self.first_run = every_run or not st.session_state.get(flag)
        st.session_state[flag] = True

    def link_values(self, key: str, shown_by: str | None = None) -> list[str]:
        """The raw values the link holds for `key` on this page's first run, else [].

        `shown_by` is the key of the control that shows the value, when it is not `key`.
        """
        st.session_state.setdefault(LINK_KEYS, {}).setdefault(self.page, {})[key] = shown_by or key
        return st.query_params.get_all(key) if self.first_run else []

    def control(
        self,
        widget: Callable[..., T],
        *args: Any,
        key: str,
        rule: rules.LinkRule,
        shown: Callable[[T], str] = str,
        **kwargs: Any,
    ) -> T:
        """`widget(*args, key=key, bind="query-params", **kwargs)`, its link value checked first.

        `widget` is a container's method (``column.number_input``); a refusal is shown in that
        container, beside the control. `shown` writes the value the control shows instead.
        """
        where = getattr(widget, "__self__", st)
        raw = self.link_values(key)
        refused = not rule.accepts_all(raw)
        if refused:
            _drop_from_link(key)
        value = widget(*args, key=key, bind="query-params", **kwargs)
        if raw and (refused or (not rule.many and rules.refused(raw[-1], value))):
            if isinstance(value, (list, tuple)) and shown is str:
                shown = _listed  # a multiselect's choice, in words
            problem = rules.refusal_problem(key, rule.quoted(raw), rule.allowed, shown(value))
            show_problems([problem], where, icon=LINK_ICON)
        return value

    def last_good(self, section: str, result: T | None) -> tuple[T | None, bool]:
        """(`result`, False), remembered; or, when `result` is None, (the last one kept, True).

        A section whose input went bad keeps showing what it showed before, marked as stale;
        (None, False) when it never had a result.
        """
        key = f"last_good_{self.page}_{section}"
        if result is not None:
            st.session_state[key] = result
            return result, False
        kept = st.session_state.get(key)
        return kept, kept is not None


def open_page(page: str, every_run: bool = False) -> PageState:
    """The state of `page` ("step_by_step", …) for this run; call once, at the top of the page."""
    return PageState(page, every_run)


def clamp_to(key: str, high: int) -> None:
    """Pull the kept number of a control back to `high` when the Playground's scenario shrank."""
    if st.session_state.get(key, 1) > high:
        st.session_state[key] = high


def _fill(values: Mapping[str, str]) -> None:
    for key, text in values.items():
        st.session_state[key] = text


def fill_button(
    widget: Callable[..., Any], label: str, values: Mapping[str, str], **kwargs
) -> bool:
    """A button that writes example text into text boxes (keys of `values`) before they are read."""
    return widget(label, on_click=_fill, args=(dict(values),), **kwargs)


# ------------------------------------------------------------------------------ logits picker


@dataclass(frozen=True)
class LogitsKeys:
    """The link keys of one page's picker; `target_base` is 1 where old links count from 1."""

    sample: str
    typed: str
    target: str
    target_base: int = 0


def _target_index(state: PageState, where, keys: LogitsKeys, label: str, disabled: bool) -> int:
    """The typed logits' target class index, 0-based, whatever base the link counts from."""
    if keys.target_base == 0:
        rule = rules.whole_number(0, MAX_CLASSES - 1)
        return int(
            state.control(
                where.number_input,
                label,
                0,
                MAX_CLASSES - 1,
                0,
                key=keys.target,
                rule=rule,
                disabled=disabled,
            )
        )
    # The link keeps its 1-based number under its old name; the control shows the index.
    widget_key, base = f"{keys.target}_index", keys.target_base
    rule = rules.whole_number(base, MAX_CLASSES - 1 + base)
    raw = state.link_values(keys.target, shown_by=widget_key)
    if raw and rule.accepts(raw[-1]):
        st.session_state[widget_key] = int(float(raw[-1])) - base
    # Its default is its value now: a value set through session state reaches a tab only once.
    index = int(
        where.number_input(
            label,
            0,
            MAX_CLASSES - 1,
            st.session_state.get(widget_key, 0),
            key=widget_key,
            disabled=disabled,
        )
    )
    if raw and not rule.accepts(raw[-1]):
        show_problems(
            [rules.refusal_problem(keys.target, raw[-1], rule.allowed, base)], where, icon=LINK_ICON
        )
    wanted = None if index == 0 else str(index + base)
    if st.query_params.get(keys.target) != wanted:
        if wanted is None:
            del st.query_params[keys.target]
        else:
            st.query_params[keys.target] = wanted
    return index


def pick_logits(
    state: PageState, scenario: Scenario, keys: LogitsKeys, *, placeholder: str
) -> logits_choice.LogitsChoice:
    """The picker: a sample of the scenario, or typed logits and their target class index.

    Returns what the page works on. Bad typed input is named beside its box, and meanwhile the
    last good choice (or the chosen sample) is shown, said so in a caption.
    """
    clamp_to(keys.sample, scenario.num_samples)
    pick_col, typed_col, target_col = st.columns([1, 2, 1])
    sample = state.control(
        pick_col.number_input,
        "Sample of the Playground",
        min_value=1,
        max_value=scenario.num_samples,
        key=keys.sample,
        rule=rules.whole_number(1, scenario.num_samples),
    )
    typed = state.control(
        typed_col.text_input,
        "…or type logits",
        key=keys.typed,
        rule=rules.text(),
        placeholder=placeholder,
        help="Comma-separated. Leave empty to use the Playground's sample.",
    )
    target = _target_index(
        state, target_col, keys, "Target class index (typed logits)", not typed.strip()
    )
    picked = logits_choice.pick(scenario, int(sample), typed, target)
    columns = {logits_choice.TYPED: typed_col, logits_choice.TARGET: target_col}
    for problem in picked.problems:
        show_problems([problem], columns.get(problem.input))
    choice, _ = state.last_good("logits", picked.choice)
    if choice is None or (picked.choice is None and choice.row is not None):
        choice = logits_choice.scenario_sample(scenario, int(sample))
    if picked.choice is None:
        st.caption(f"Meanwhile: {choice.description}.")
    return choice
