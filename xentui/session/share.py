"""Links to a page as it is now, and their QR codes: what the frame's Share control shows."""

from __future__ import annotations

import io
from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit

import segno
import streamlit as st

from xentui.domain.lesson import RESERVED
from xentui.kit.cache import memoised

__all__ = ["FALLBACK_ORIGIN", "current_params", "link_for", "qr_png", "show_qr"]

# Where no browser told the app its address (a test, a script): the address `streamlit run` serves.
FALLBACK_ORIGIN = "http://localhost:8501"


def _base() -> str:
    """The app's address, without page or query: what the browser used to reach it."""
    parts = urlsplit(st.context.url or "")
    if not parts.scheme or not parts.netloc:
        return FALLBACK_ORIGIN
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{prefix}" if prefix else "")


def link_for(page_path: str, params: Iterable[tuple[str, str]]) -> str:
    """The full link of the page at `page_path` ("" for the default page) with `params`."""
    query = urlencode(list(params))
    return f"{_base()}/{page_path}" + (f"?{query}" if query else "")


def current_params() -> tuple[tuple[str, str], ...]:
    """The page's own query parameters as they are now (a lesson's keys left out).

    A multiselect's key repeats, once per choice, in the order picked.
    """
    return tuple(
        (key, value)
        for key in st.query_params
        if key not in RESERVED
        for value in st.query_params.get_all(key)
    )


@memoised(maxsize=64)  # a long link's code takes a quarter of a second to draw
def qr_png(link: str, scale: int = 4) -> bytes | None:
    """A PNG QR code of `link`, or None when the link is too long for one."""
    try:
        code = segno.make(link, error="m", micro=False)
    except segno.DataOverflowError:
        return None
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def show_qr(link: str) -> None:
    png = qr_png(link)
    if png is None:
        st.caption(
            f":material/qr_code_2: This link ({len(link):,} characters) is too long for a QR code; "
            "share the link itself."
        )
    else:
        st.image(png, caption="Scan to open this link", width=220, output_format="PNG")
