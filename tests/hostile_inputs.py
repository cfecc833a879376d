"""What a class of students types, pastes and uploads, and how a page must answer it.

Shared by the hostile-input tests of the Sequences, Class poll and Your model pages: strategies of
hostile text, and readers of what a page shows beside an input. A page passes when nothing
raises, every message sits right after the input it is about, quotes little of what it received
and is shown literally (Markdown and HTML escaped, never rendered).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app_helpers import unescape
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from xentui.kit.format import md_literal

__all__ = [
    "MARKUP",
    "hostile_lines",
    "hostile_text",
    "is_literal",
    "messages_after",
    "quoted_parts",
]

# Markdown, HTML, LaTeX and Streamlit's own directives: shown as typed, or the page is broken.
MARKUP = (
    "<script>alert(1)</script>",
    "<b>x</b>",
    "**bold**",
    "_it_",
    "$x^2$",
    "$$",
    ":red[x]",
    ":material/home:",
    "[a](http://e.vil)",
    "# h",
    "`code`",
    "> q",
    "\\",
)
# What survives no text box: NUL and other control characters, direction
# overrides and marks, zero-width characters, line separators; and emoji, which must survive.
ODD = ("\x00", "\x07", "\x1b", "\u202e", "\u200e", "\u200b", "\u2028", "\ufeff", "🐱")
_fragment = (
    st.sampled_from(MARKUP)
    | st.sampled_from(ODD)
    | st.sampled_from([" ", "\t", "|", "*", "true", "false", "a", "b", "?"])
    | st.text(max_size=12)
    | st.builds(lambda n: "x" * n, st.sampled_from([39, 40, 41, 200, 201, 5_000]))
)
hostile_text = st.lists(_fragment, max_size=8).map("".join)
hostile_lines = st.lists(hostile_text, max_size=6).map("\n".join)


def _in_order(node) -> Iterator:
    yield node
    for child in (getattr(node, "children", None) or {}).values():
        yield from _in_order(child)


def _leaves(at: AppTest) -> list:
    """Every element of the page that is not a container, in the order they are drawn."""
    return [e for e in _in_order(at._tree) if not getattr(e, "children", None)]


def messages_after(at: AppTest, key: str, kind: str = "error") -> list[str]:
    """The `kind` boxes drawn right after the widget `key`, before anything else, as written."""
    leaves = _leaves(at)
    here = next(i for i, e in enumerate(leaves) if getattr(e, "key", None) == key)
    found = []
    for element in leaves[here + 1 :]:
        if type(element).__name__.lower() != kind:
            break
        found.append(element.value)
    return found


def is_literal(markdown: str) -> bool:
    """True when `markdown` is text escaped by md_literal: no character of it is markup."""
    return md_literal(unescape(markdown)) == markdown


def quoted_parts(message: str) -> list[str]:
    """The parts of a message in “…”: what it quotes of the input."""
    return re.findall(r"“([^”]*)”", message)
