"""What every page needs to be readable: list semantics for the menu, code colours, presenter mode.

Runs from the frame before each page (`start`). Streamlit 1.67 draws the sidebar menu as a
`<ul>` whose children are section `<div>`s holding the `<li>`s: invalid list markup that screen
readers announce wrongly (axe-core rules `list` and `listitem`, both "serious"). The menu is
Streamlit's own markup, so a small script re-labels it as what it is — section groups of links —
and keeps doing so when Streamlit redraws it.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["PRESENTER_KEY", "PRESENTER_STYLE", "start", "theme_type"]

PRESENTER_KEY = "presenter_mode"

# Presenter mode, for a projector seen from the back of a room: Streamlit sizes its type in rem,
# so a larger root size enlarges every text, control and table row at once; text is pure black
# on white (or white on black) and borders are drawn dark, for the washed-out contrast of a
# projector. Plotly figures keep their own sizes: the page is wide layout, so they stay legible.
PRESENTER_STYLE = """
<style>
html { font-size: 20px; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
[data-testid="stMain"] [data-testid="stCaptionContainer"] { color: var(--xent-ink) !important; }
[data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stExpander"] details,
[data-baseweb="input"], [data-baseweb="select"] > div {
  border-color: var(--xent-ink) !important;
}
:root { --xent-ink: #000000; }
</style>
"""
_PRESENTER_DARK = "<style>:root { --xent-ink: #ffffff; }</style>"

# The menu as groups of links: the <ul> and <li> lose their list role (their markup is invalid as
# a list); each section becomes a labelled group. Re-applied whenever the sidebar changes.
_MENU_SEMANTICS = """
<script>
(() => {
  const doc = window.parent ? window.parent.document : document;
  const fix = () => {
    doc.querySelectorAll('ul[data-testid="stSidebarNavItems"]').forEach((list) => {
      if (list.getAttribute("role") !== "none") list.setAttribute("role", "none");
      list.querySelectorAll(":scope > div").forEach((section) => {
        const header = section.querySelector('[data-testid="stNavSectionHeader"]');
        if (section.getAttribute("role") !== "group") section.setAttribute("role", "group");
        if (header) section.setAttribute("aria-label", header.innerText.trim());
      });
      list.querySelectorAll("li").forEach((item) => {
        if (item.getAttribute("role") !== "none") item.setAttribute("role", "none");
      });
    });
  };
  fix();
  if (!doc.body.dataset.xentMenuWatched) {
    doc.body.dataset.xentMenuWatched = "1";
    new MutationObserver(fix).observe(doc.body, { childList: true, subtree: true });
  }
})();
</script>
"""


# Streamlit's code colours are fixed, whatever the theme; on the light theme's code background
# several fall under WCAG AA's 4.5:1 (comments 3.6:1, strings 3.0:1, shell flags 2.7:1). These
# keep each hue, darkened to at least 4.5:1 on #f7f7f6.
_LIGHT_CODE_COLOURS = """
<style>
.stCode .token.comment, .stCode .token.prolog, .stCode .token.doctype, .stCode .token.cdata,
.stCode .token.punctuation { color: #5c5f6d; }
.stCode .token.attr-name, .stCode .token.property, .stCode .token.variable { color: #00698c; }
.stCode .token.boolean, .stCode .token.constant, .stCode .token.symbol,
.stCode .token.string, .stCode .token.char, .stCode .token.attr-value,
.stCode .token.inserted { color: #16702f; }
.stCode .token.number, .stCode .token.regex { color: #0b6e63; }
.stCode .token.operator, .stCode .token.entity, .stCode .token.decorator,
.stCode .token.atrule { color: #9a4300; }
.stCode .token.url { color: #7436b0; }
.stCode .token.keyword, .stCode .token.tag, .stCode .token.function, .stCode .token.class-name,
.stCode .token.selector { color: #0b57a4; }
.stCode .token.important, .stCode .token.deleted { color: #b0162a; }
</style>
"""


# On the dark theme the comments (#808495 on #22211e, 4.2:1) and keywords (#1c83e1) fall short.
_DARK_CODE_COLOURS = """
<style>
.stCode .token.comment, .stCode .token.prolog, .stCode .token.doctype, .stCode .token.cdata,
.stCode .token.punctuation { color: #a9acb9; }
.stCode .token.keyword, .stCode .token.tag, .stCode .token.function, .stCode .token.class-name,
.stCode .token.selector { color: #6cb4ff; }
</style>
"""


# A displayed formula scrolls sideways when too wide, so it cannot overflow upwards: KaTeX's box
# is a few pixels shorter than a tall fraction, whose top was cut. Room above and below holds it.
_FORMULA_ROOM = "<style>.katex-display { padding: 0.6em 0 0.5em; }</style>"


def theme_type() -> str:
    """ "light" or "dark": the theme the reader's browser shows ("light" where it is not known)."""
    theme = getattr(st.context, "theme", None)
    return "dark" if getattr(theme, "type", None) == "dark" else "light"


def start() -> None:
    """Put the page-wide fixes in place; call once per run, before the page."""
    with st.sidebar:
        st.html(_MENU_SEMANTICS, unsafe_allow_javascript=True)
        dark = theme_type() == "dark"
        st.html((_DARK_CODE_COLOURS if dark else _LIGHT_CODE_COLOURS) + _FORMULA_ROOM)
        presenting = st.toggle(
            "Presenter mode",
            key=PRESENTER_KEY,
            help="Large type and the strongest contrast, for a projector at 1280 × 720. "
            "Light or dark theme: ⋮ menu → Settings.",
        )
        if presenting:
            st.html(PRESENTER_STYLE + (_PRESENTER_DARK if dark else ""))
