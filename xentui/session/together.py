"""Session-state writes that happen together, or not at all.

Streamlit stops a run at any session-state access once a newer rerun has been asked for (each
access is a yield point of the script runner), even inside a callback. A function that writes
several keys that only make sense together — a scenario and the editors' tables built from it,
a dragged row and the rows the drag may start from — could then be stopped halfway, leaving a
state no run would have made: the next release refused, an edit read against the wrong table.
Inside `together`, those yield points wait: the run stops at the next access after it instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from streamlit.runtime.state.session_state_proxy import get_session_state

__all__ = ["together", "writes_together"]

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def together() -> Iterator[None]:
    """Hold back Streamlit's stop requests for the session-state accesses inside."""
    state = get_session_state()  # SafeSessionState (Streamlit 1.67): its _yield_callback
    saved = state._yield_callback  # is what raises the stop; put back on the way out
    object.__setattr__(state, "_yield_callback", _no_stop)
    try:
        yield
    finally:
        object.__setattr__(state, "_yield_callback", saved)


def writes_together(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function whose session-state writes must all happen (see the module)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with together():
            return function(*args, **kwargs)

    return wrapper


def _no_stop() -> None:
    """A yield point that never stops the run."""
