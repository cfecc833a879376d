"""Reading an AppTest page as a person sees it: keyed elements, plain values, unescaped text.

Shared by tests/session/test_links_compat.py and the script that recorded its fixtures
(tests/fixtures/make_links_v1.py), so both read a page the same way.
"""

from __future__ import annotations

import math
import re


def plain(value):
    """As the fixture stores values: numpy scalars as Python's, NaN as None, ±inf as text."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str)):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def keyed_elements(at) -> dict[str, object]:
    """Every element of the page that has a key (widgets, data editors), by key."""
    found: dict[str, object] = {}

    def walk(node) -> None:
        key = getattr(node, "key", None)
        if isinstance(key, str) and key:
            found.setdefault(key, node)
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return found


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)
