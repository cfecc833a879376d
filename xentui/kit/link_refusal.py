"""Saying so when a value in a shared link could not be used.

A widget bound to the URL (`bind="query-params"`) quietly drops a value it cannot take — out of
range, not one of its options, not a number — and shows its default. A page reads the raw values
before it creates its widgets, compares each with what its widget then shows, and puts the message
beside the widget when they differ.
"""

from __future__ import annotations

import math

__all__ = ["refusal", "refusal_message", "refused"]

_SHOWN_CHARS = 20


def refused(raw: str | None, shown: object) -> bool:
    """True when the link held `raw` for a widget that now shows something else.

    >>> refused(None, 3), refused("3", 3), refused("0.2", 0.2000000000000001), refused("99", 1)
    (False, False, False, True)
    >>> refused("true", True), refused("maybe", False), refused("1e-15", "1e-15")
    (False, True, False)
    """
    if raw is None:
        return False
    if isinstance(shown, bool):
        return raw.strip().lower() != str(shown).lower()
    if isinstance(shown, (int, float)):
        try:
            return not math.isclose(float(raw), float(shown), rel_tol=1e-9, abs_tol=1e-12)
        except ValueError:
            return True
    return raw != str(shown)


def refusal_message(key: str, raw: str, shown: object, allowed: str) -> str:
    """In words: which value of the link was refused, what is allowed, and what is shown instead.

    >>> refusal_message("term", "99", 1, "a whole number from 1 to 6")
    'The link’s term=99 cannot be used (a whole number from 1 to 6): showing 1 instead.'
    """
    text = raw if len(raw) <= _SHOWN_CHARS else raw[:_SHOWN_CHARS] + "…"
    return f"The link’s {key}={text} cannot be used ({allowed}): showing {shown} instead."


def refusal(
    link: dict[str, str], key: str, shown: object, allowed: str, shown_text: str = ""
) -> str | None:
    """The message for `key` when the link's value for it was refused, else None."""
    raw = link.get(key)
    if not refused(raw, shown):
        return None
    return refusal_message(key, raw, shown_text or shown, allowed)
