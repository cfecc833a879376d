"""One shape for a bad input: where it is, what was found, what is expected.

Every way into the app — an editor cell, a link, a text box, a URL-bound control, an upload —
reports what it cannot use as a `Problem`, and one function in `xentui.session` renders it beside
its input. Quoted text is shortened and made printable here, once, so a hostile value (200,000
characters, a lone surrogate, control characters) can never reach a page whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CONTROL", "INVISIBLE", "QUOTE_CHARS", "Problem", "quote"]

# A message quotes at most this much of what it received: enough to recognise, never a wall.
QUOTE_CHARS = 80
# Control characters and lone surrogates: no text box of the app keeps them.
CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# Characters that print nothing yet change what is around them: zero-width spaces and joiners,
# direction marks and overrides, line and paragraph separators. Quoted as they are, a
# right-to-left override would turn the rest of the message around.
INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """`value` as short, printable text for a message.

    Control characters and lone surrogates become escapes, so the text always encodes as UTF-8;
    so do the INVISIBLE characters, which would hide or reorder the message's own words. A
    container is named by its type and size, never written out: its repr could be huge or nested
    too deep to print.

    >>> quote("abc"), quote("x" * 100)[-3:], quote("a\\nb"), quote("\\ud800"), quote("\\u202eab")
    ('abc', 'xx…', 'a\\\\nb', '\\\\ud800', '\\\\u202eab')
    >>> quote([[1, 2]]), quote({"a": 1}), quote(10**100)
    ('a list of 1 item', 'a dict of 1 item', 'a 101-digit integer')
    """
    text = value if isinstance(value, str) else _describe(value)
    text = text[: limit + 1]  # before escaping: the cost stays bounded whatever was received
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\n":
            out.append("\\n")
        elif CONTROL.match(ch) or INVISIBLE.match(ch):
            out.append(f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}")
        else:
            out.append(ch)
    shown = "".join(out)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _describe(value: object) -> str:
    """Short words for a value that is not text."""
    if isinstance(value, (list, tuple, dict, set)):
        count = len(value)
        return f"a {type(value).__name__} of {count:,} item" + ("" if count == 1 else "s")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        # str() of a huge integer is slow, and refused past 4300 digits
        digits = len(str(abs(value))) if abs(value) < 10**4000 else "over 4000"
        return f"a {digits}-digit integer"
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)
    return f"a {type(value).__name__}"


@dataclass(frozen=True)
class Problem:
    """A bad input: which input, the 1-based row and the column (where they apply), in words.

    `str()` gives the sentence shown beside the input, in the core's own style: where, what is
    expected, what was received.

    >>> str(Problem("logits", 2, "dog", found="“abc”", expected="a finite number"))
    'Row 2, column “dog”: expected a finite number; got “abc”.'
    >>> str(Problem("classes", None, None, found="1 class", expected="2 to 32 classes"))
    'Expected 2 to 32 classes; got 1 class.'
    """

    input: str
    row: int | None
    column: str | None
    found: str
    expected: str
    # The place in words where rows and columns do not apply, e.g. "Temperature" for a control.
    label: str | None = None

    @property
    def where(self) -> str:
        if self.label is not None:
            return self.label
        parts = [f"row {self.row}"] if self.row is not None else []
        if self.column is not None:
            parts.append(f"column “{self.column}”")
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]

    @property
    def message(self) -> str:
        """What is wrong, without the place: 'expected a finite number; got “abc”'."""
        return f"expected {self.expected}; got {self.found}"

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return text[:1].upper() + text[1:] + "."
