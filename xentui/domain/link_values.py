"""Which values of a shared link a URL-bound control can take, and the Problem for one it cannot.

A control bound to the URL (`bind="query-params"`) reads its value from the link. Streamlit drops a
value it cannot take and shows the default — and for a few values it raises instead (an integer
control given ``inf``, ``1e309`` or a 400-digit number; a required choice given an empty value).
So a page checks each raw value against a `LinkRule` before the control is created, takes the bad
ones out of the link, and shows a `Problem` beside the control that names what was refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xentui.domain.limits import MAX_TEXT_CHARS
from xentui.domain.validation import finite_number
from xentui.kit.problems import Problem, quote

__all__ = [
    "LinkRule",
    "flag",
    "number",
    "one_of",
    "refusal_problem",
    "refused",
    "some_of",
    "text",
    "whole_number",
]


@dataclass(frozen=True)
class LinkRule:
    """What a control takes from a link: in words, and as a test of the raw text.

    A repeated key (``?k=a&k=b``) is read as Streamlit reads it. `many` rules (a multiselect)
    test every value. `single` rules (a segmented control, a select slider) take one value
    only: Streamlit reads all of a repeated key for those, and the first one wins. The others
    (number inputs, sliders, toggles, text boxes) test the last value, the one Streamlit uses.
    """

    allowed: str
    accepts: Callable[[str], bool]
    many: bool = False
    single: bool = False

    def accepts_all(self, values: Sequence[str]) -> bool:
        """True when the link's values for the control can all be taken as they are.

        >>> rule = one_of(("a", "b"))
        >>> rule.accepts_all([]), rule.accepts_all(["b"]), rule.accepts_all(["a", "b"])
        (True, True, False)
        >>> whole_number(1, 6).accepts_all(["x", "3"]), some_of(("a",)).accepts_all(["a", "x"])
        (True, False)
        """
        if not values:
            return True
        if self.many:
            return all(self.accepts(v) for v in values)
        if self.single and len(values) > 1:
            return False
        return self.accepts(values[-1])

    def quoted(self, values: Sequence[str]) -> str | list[str]:
        """What a refusal of `values` quotes: the values not taken, all of several, or the last.

        >>> one_of(("a", "b")).quoted(["a", "b"]), some_of(("a",)).quoted(["a", "x"])
        (['a', 'b'], ['x'])
        >>> whole_number(1, 6).quoted(["x", "9"])
        '9'
        """
        if self.many:
            return [v for v in values if not self.accepts(v)]
        return list(values) if self.single and len(values) > 1 else values[-1]


def _plain(value: float) -> str:
    return f"{value:g}".replace("-", "−")


def whole_number(low: int, high: int) -> LinkRule:
    """A whole number in [low, high] (an integer number input).

    >>> rule = whole_number(1, 6)
    >>> [rule.accepts(v) for v in ("3", "3.0", "3.5", "7", "inf", "9" * 400, "")]
    [True, True, False, False, False, False, False]
    """

    def accepts(raw: str) -> bool:
        value, found = finite_number(raw, low, high)
        return found is None and value == int(value)

    return LinkRule(f"a whole number from {_plain(low)} to {_plain(high)}", accepts)


def number(low: float, high: float) -> LinkRule:
    """A finite number in [low, high] (a slider or a number input of floats).

    >>> [number(0, 1).accepts(v) for v in ("0.5", "1.5", "nan", "-inf", "abc")]
    [True, False, False, False, False]
    """

    def accepts(raw: str) -> bool:
        return finite_number(raw, low, high)[1] is None

    return LinkRule(f"a number from {_plain(low)} to {_plain(high)}", accepts)


def one_of(options: Sequence[object], words: str | None = None) -> LinkRule:
    """One of `options`, written as the control writes it into the link (``str(option)``).

    For a segmented control or a select slider: one value only (see `LinkRule`).

    >>> one_of((0.5, 1.0, 2.0)).allowed, one_of(("float32", "float64")).accepts("float16")
    ('one of 0.5, 1.0, 2.0', False)
    """
    shown = tuple(str(o) for o in options)
    return LinkRule(words or "one of " + ", ".join(shown), shown.__contains__, single=True)


def some_of(options: Sequence[object]) -> LinkRule:
    """Any of `options`, each at most once (a multiselect): ``?k=a&k=b``; ``?k=`` picks none."""
    shown = tuple(str(o) for o in options)
    return LinkRule("any of " + ", ".join(shown), lambda raw: raw in shown or raw == "", many=True)


def flag() -> LinkRule:
    """true or false (a toggle or a checkbox), in any case."""
    return LinkRule("true or false", lambda raw: raw.strip().lower() in ("true", "false"))


def text(max_chars: int = MAX_TEXT_CHARS) -> LinkRule:
    """Text of at most `max_chars` characters (a text box: what it holds is checked after)."""
    return LinkRule(f"text of at most {max_chars:,} characters", lambda raw: len(raw) <= max_chars)


def refused(raw: str | None, shown: object) -> bool:
    """True when the link held `raw` for a control that now shows something else.

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
        value, found = finite_number(raw, -float("inf"), float("inf"))
        return found is not None or abs(value - shown) > 1e-12 + 1e-9 * abs(shown)
    if isinstance(shown, (list, tuple)):
        return False  # a multiselect: its values are checked one by one before it is created
    return raw != str(shown)


def refusal_problem(key: str, raw: str | Sequence[str], allowed: str, shown: object) -> Problem:
    """The Problem shown beside a control whose link value `raw` could not be used.

    >>> str(refusal_problem("term", "inf", "a whole number from 1 to 6", 1))
    'The link’s term: expected a whole number from 1 to 6; got “inf” — showing 1 instead.'
    >>> str(refusal_problem("eps", "", "one of 0, 1e-7", "1e-15"))
    'The link’s eps: expected one of 0, 1e-7; got an empty value — showing 1e-15 instead.'
    """
    if not isinstance(raw, str):
        raw = ", ".join(raw)
    found = f"“{quote(raw)}”" if raw else "an empty value"
    return Problem(
        key,
        None,
        key,
        found=f"{found} — showing {quote(str(shown), 40)} instead",
        expected=allowed,
        label=f"The link’s {key}",
    )
