"""Hostile query strings for every page: what a page reads from its link, and values to send it.

A page's link keys are learnt from the page itself, never listed by hand: the widgets bound to the
URL carry the key in their proto (`query_param_key`), and `page_state.LINK_KEYS` names every key a
Learn page read — with the control that shows it, which for an old 1-based key is not bound.

A query string is built as a browser sends one: each value percent-encoded from its UTF-8 bytes
(a lone surrogate as the three bytes a WTF-8 encoder writes), then parsed as Streamlit parses it
(`parse_qs`, undecodable bytes replaced). A lone surrogate therefore reaches a page only inside a
`?s=` token, as a JSON escape — which the strategies below send too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from urllib.parse import parse_qs, quote, urlencode

from app_helpers import TWO_CLASSES, link_token, scenarios, unescape
from hypothesis import strategies as st
from lessons_helpers import APP, assert_no_exception, open_page, rerun
from streamlit.runtime.state.query_params import sanitize_query_string
from streamlit.testing.v1 import AppTest

from xentui.domain import lesson as lessons_format
from xentui.domain.share_link import QUERY_KEY, encode
from xentui.session.page_state import LINK_KEYS

__all__ = [
    "PAGES",
    "UNCONTROLLED",
    "PageLink",
    "alerts",
    "browser_query",
    "deep_token",
    "discover",
    "lesson_tokens",
    "lessons",
    "open_with",
    "page_query",
    "queries",
    "refusals",
    "said_beside",
    "shows_default",
    "title_of",
    "tokens",
]

# (url path, page file) of the menu in app.py.
PAGES = [
    ("", "pages/explore/playground.py"),
    ("step-by-step", "pages/learn/step_by_step.py"),
    ("binary-cross-entropy", "pages/learn/binary_cross_entropy.py"),
    ("numerical-stability", "pages/learn/numerical_stability.py"),
    ("k-dimensional", "pages/learn/k_dimensional.py"),
    ("targets-weights-smoothing", "pages/learn/targets_weights_smoothing.py"),
    ("gradients-temperature", "pages/learn/gradients_temperature.py"),
    ("your-model", "pages/analyse/your_model.py"),
    ("sequences", "pages/analyse/sequences.py"),
    ("class-poll", "pages/poll/class_poll.py"),
    ("about", "pages/help/about.py"),
]
# Kinds of what shows a link value that has no control value to compare: a value no control shows
# (Your model's selection and file hash, refused beside the figures) and a bound st.tabs.
UNCONTROLLED = ("NoneType", "Block")
# Valid values of the keys no control shows, beside the hostile ones.
LINKED_VALUES = {
    "ym_sel": ("loss:3", "confidence:15", "cell:1,2", "class:0"),
    "ym_data": ("0123456789ab",),
    "ym_name": ("model.npy",),
}
# Keys no page reads, and the two Streamlit keeps for itself.
STRANGERS = ("embed", "embed_options", "unknown", "S", "s ")
_REFUSAL = re.compile(r"^The link’s (.+?): expected ")


# ------------------------------------------------------------------------------ opening a page


def browser_query(pairs: list[tuple[str, str]]) -> str:
    """The query string a browser sends for `pairs`, in order (repeated keys kept)."""

    def encoded(text: str) -> str:
        return quote(text.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{encoded(k)}={encoded(v)}" for k, v in pairs)


def page_query(query: str) -> dict[str, list[str]]:
    """The values a page sees for the raw `query` string, as AppTest sends it to Streamlit.

    Streamlit ignores a whole query string past 512 Ki characters or 1,000 fields.
    """
    parsed = parse_qs(query, keep_blank_values=True)
    return parse_qs(sanitize_query_string(urlencode(parsed, doseq=True)), keep_blank_values=True)


def open_with(page: str, query: str) -> AppTest:
    """A fresh session opened on `page` with the raw `query` string, as Streamlit parses it."""
    parsed = parse_qs(query, keep_blank_values=True)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, found in parsed.items():
        at.query_params[key] = found[0] if len(found) == 1 else found  # repeated keys, in order
    at.run()
    # AppTest's first run is the default page: the frame (on every page) reads its link there.
    frame = at.session_state[LINK_KEYS].get("frame", {}) if LINK_KEYS in at.session_state else {}
    at.frame_refusals = [key for key in refusals(at) if key in frame]
    assert_no_exception(at)
    return rerun(at.switch_page(page))


def _elements(node) -> Iterator:
    yield node
    for child in (getattr(node, "children", None) or {}).values():
        yield from _elements(child)


def _bound(at: AppTest) -> dict[str, object]:
    """The widgets bound to the URL, by their query parameter."""
    return {
        e.proto.query_param_key: e
        for e in _elements(at._tree)
        if hasattr(getattr(e, "proto", None), "query_param_key")
        and e.proto.HasField("query_param_key")
    }


def widget(at: AppTest, key: str):
    """The widget of `key`, or None."""
    return next((e for e in _elements(at._tree) if getattr(e, "key", None) == key), None)


def said_beside(at: AppTest, key: str) -> str | None:
    """The text of the box right after the control `key`, in the same container, if any."""
    for block in _elements(at._tree):
        children = list((getattr(block, "children", None) or {}).values())
        for here, after in pairwise(children):
            if getattr(here, "key", None) == key and type(after).__name__ in ("Error", "Warning"):
                return unescape(after.value)
    return None


def title_of(at: AppTest) -> str:
    """The page's heading: its st.title, or the first line of a Markdown page (the README)."""
    if at.title:
        return at.title[0].value
    return at.markdown[0].value.splitlines()[0] if at.markdown else ""


def alerts(at: AppTest) -> list[str]:
    """Every error, warning, info and success box, as the reader sees it."""
    return [
        unescape(e.value)
        for kind in ("error", "warning", "info", "success")
        for e in getattr(at, kind)
    ]


def refusals(at: AppTest) -> list[str]:
    """The keys of the link values the page refused beside their control, in order.

    With the frame's refusals of the session's first run, when `open_with` opened the page.
    """
    said = [m.group(1) for text in alerts(at) if (m := _REFUSAL.match(text))]
    return [*getattr(at, "frame_refusals", ()), *said]


# ------------------------------------------------------------------------------ what a page reads


@dataclass(frozen=True)
class PageLink:
    """What one page takes from its link, learnt from a clean visit."""

    file: str
    title: str
    # link key → key of the control that shows its value
    controls: dict[str, str]
    # link key → values the control takes (as the link writes them)
    valid: dict[str, tuple[str, ...]]
    # link key → the kind of its control ("NumberInput", "Slider", …)
    kinds: dict[str, str]

    @property
    def keys(self) -> tuple[str, ...]:
        return (QUERY_KEY, lessons_format.QUERY_KEY, lessons_format.STEP_KEY, *self.controls)


def _valid_values(element) -> tuple[str, ...]:
    """A few values the control takes, as they appear in a link."""
    proto = element.proto
    kind = type(element).__name__
    if kind in ("Toggle", "Checkbox"):
        return ("true", "false", "True")
    if kind in ("SelectSlider", "Multiselect"):
        return tuple(proto.options)
    if kind == "ButtonGroup":
        return tuple(option.content for option in proto.options)
    if kind == "Block":  # a bound st.tabs: its tabs' labels
        return tuple(tab.label for tab in element.children.values())
    if kind in ("NumberInput", "Slider"):
        low, high = proto.min, proto.max
        return tuple(f"{v:g}" for v in (low, high, (low + high) / 2, round((low + high) / 2)))
    return (str(proto.default), "")


@cache
def discover(page: str) -> PageLink:
    """Open `page` without a link: its title, link keys, their controls and values they take."""
    at = open_page(page)
    bound = _bound(at)
    stem = page.rsplit("/", 1)[-1].removesuffix(".py")
    recorded = at.session_state[LINK_KEYS] if LINK_KEYS in at.session_state else {}  # noqa: SIM401 (no .get here)
    # The frame's controls (the sidebar's loss unit) are on every page, beside the page's own.
    read = {**recorded.get("frame", {}), **recorded.get(stem, {})}
    # Every bound control goes through the page's link check, which records its key.
    assert set(bound) <= set(read), (page, sorted(set(bound) - set(read)))
    elements = {key: bound.get(key) or widget(at, shown_by) for key, shown_by in read.items()}
    valid = {
        key: _valid_values(e) if e is not None else LINKED_VALUES.get(key, ())
        for key, e in elements.items()
    }
    kinds = {key: type(e).__name__ for key, e in elements.items()}
    return PageLink(page, title_of(at), read, valid, kinds)


def shows_default(element) -> bool:
    """True when the control shows the default it was created with."""
    proto = element.proto
    kind = type(element).__name__
    if kind in ("ButtonGroup", "Multiselect"):
        return list(element.indices) == list(proto.default)
    if kind == "SelectSlider":
        return [list(proto.options).index(str(element.format_func(element.value)))] == list(
            proto.default
        )
    if kind == "Slider":
        return [float(element.value)] == list(proto.default)
    if kind == "NumberInput":
        return float(element.value) == proto.default
    return element.value == proto.default


# ------------------------------------------------------------------------------ values to send

NUMBERISH = (
    "inf",
    "-inf",
    "Infinity",
    "nan",
    "NaN",
    "1e309",
    "-1e309",
    "9" * 400,
    "-" + "9" * 400,
    "0." + "0" * 400 + "1",
    "",
    " ",
    "0",
    "-0",
    "1",
    "-1",
    "3",
    "0.5",
    "1e-15",
    " 2 ",
    "0x10",
    "1_000",
    "½",
    "١",
    "true",
    "[0, 1]",
)

# Text of any kind: control characters and lone surrogates included.
_characters = st.characters(categories=None) | st.characters(max_codepoint=0x1F)
_characters |= st.characters(categories=["Cs"])
hostile_text = st.text(_characters, max_size=30)
# Mostly plain characters: Streamlit ignores a query string past 512 Ki characters, and one
# character of another script takes up to 12 once percent-encoded.
long_text = st.builds(
    lambda unit, size: (unit * (size // len(unit) + 1))[:size],
    st.text(st.sampled_from("19a.,; -e") | _characters, min_size=1, max_size=4),
    st.integers(1_000, 250_000),
)


def _huge_int(digits: int) -> int:
    return int("9" * digits)


# JSON of any shape, with numbers JSON allows (and the NaN and Infinity Python writes).
_json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([400, 4_000]).map(_huge_int)
    | st.floats()
    | st.sampled_from([1e300, -1e300, 5e-324, 1e-50])
    | hostile_text
)
json_values = st.recursive(
    _json_leaves,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.sampled_from("cztiqwrsTp") | hostile_text, inner, max_size=5)
    ),
    max_leaves=25,
)
_FIELDS = "cztiqwrsTp"
# A scenario's fields, some swapped for anything: what reaches check_scenario.
scenario_payloads = st.builds(
    lambda base, swapped: {**base, **swapped},
    st.sampled_from([TWO_CLASSES, {}]),
    st.dictionaries(st.sampled_from(_FIELDS), json_values, max_size=4),
)


def deep_token(depth: int, field: str | None = None, bracket: str = "[") -> str:
    """A link whose JSON (or one field of it) is nested `depth` deep, written out by hand."""
    nested = "[" * depth + "]" * depth if bracket == "[" else '{"a":' * depth + "1" + "}" * depth
    if field is None:
        return link_token(raw=nested.encode())
    base = json.dumps({k: v for k, v in TWO_CLASSES.items() if k != field})
    return link_token(raw=(base[:-1] + f', "{field}": {nested}}}').encode())


def _tampered(token: str, at: int, char: str) -> str:
    at %= len(token)
    return token[:at] + char + token[at + 1 :]


_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
valid_tokens = scenarios(max_samples=4, max_classes=4).map(encode)
tokens = st.one_of(
    valid_tokens,
    json_values.map(link_token),
    scenario_payloads.map(link_token),
    st.builds(
        deep_token,
        st.sampled_from([50, 1_000, 10_000, 100_000]),
        st.sampled_from([None, *_FIELDS]),
        st.sampled_from("[{"),
    ),
    st.builds(_tampered, valid_tokens, st.integers(0, 10_000), st.sampled_from("A_-.=+/ %")),
    valid_tokens.flatmap(lambda t: st.integers(0, len(t)).map(lambda n: t[:n])),
    st.text(_BASE64, max_size=60).map(lambda body: "1." + body),
    st.sampled_from(["01.", "2.", "\u00b2.abc", "9" * 5_000 + ".abc", "1." + "A" * 20_000]),
    # A number longer than Python reads from text (4,300 digits), written out by hand.
    st.just(link_token(raw=b'{"c":["a","b"],"z":[[' + b"9" * 5_000 + b',0]],"t":[0]}')),
    hostile_text,
)


# ------------------------------------------------------------------------------ lesson links

_printable = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Cn"])
_param_key = st.text(_printable, min_size=1, max_size=10).filter(
    lambda k: k not in lessons_format.RESERVED
)


@st.composite
def _step(draw) -> lessons_format.Step:
    page = draw(st.sampled_from(sorted(lessons_format.HIDEABLE)))
    # Keys may repeat, as a multiselect's do.
    params = draw(st.lists(st.tuples(_param_key, st.text(_printable, max_size=20)), max_size=4))
    hidden = draw(st.lists(st.sampled_from(lessons_format.HIDEABLE[page]), unique=True))
    note = draw(st.text(_printable | st.sampled_from("\n\t"), max_size=60))
    return lessons_format.Step(page, tuple(params), note, tuple(hidden))


def lessons() -> st.SearchStrategy[lessons_format.Lesson]:
    """Lessons a teacher can compose: 1 to 4 steps of any page, state, note and hidden keys."""
    return st.lists(_step(), min_size=1, max_size=4).map(
        lambda steps: lessons_format.Lesson(tuple(steps))
    )


_valid_lessons = lessons().map(lessons_format.encode)
# A step's fields, some swapped for anything.
_step_payloads = st.builds(
    lambda base, swapped: {**base, **swapped},
    st.sampled_from([{"g": ""}, {"g": "step-by-step", "q": [["term", "2"]], "h": ["term"]}, {}]),
    st.dictionaries(st.sampled_from("gqnh") | hostile_text, json_values, max_size=3),
)
lesson_tokens = st.one_of(
    _valid_lessons,
    st.lists(_step_payloads, max_size=3).map(lambda steps: link_token({"p": steps})),
    json_values.map(lambda steps: link_token({"p": steps})),
    json_values.map(link_token),
    st.builds(deep_token, st.sampled_from([50, 10_000]), st.just(None), st.sampled_from("[{")),
    _valid_lessons.flatmap(lambda t: st.integers(0, len(t)).map(lambda n: t[:n])),
    st.builds(_tampered, _valid_lessons, st.integers(0, 10_000), st.sampled_from("A_-.=+/ %")),
    st.sampled_from(["2.", "01.", "1." + "A" * 40_000]),
    hostile_text,
)


def _values(link: PageLink, key: str) -> st.SearchStrategy[str]:
    if key == QUERY_KEY:
        return tokens
    if key == lessons_format.QUERY_KEY:
        return lesson_tokens
    hostile = st.sampled_from(NUMBERISH) | hostile_text | long_text
    valid = link.valid.get(key, ())
    return (st.sampled_from(valid) | hostile) if valid else hostile


def queries(link: PageLink) -> st.SearchStrategy[str]:
    """Query strings for the page of `link`: its keys (repeated too) with hostile values."""
    # Four keys in five are the page's own.
    key = st.one_of(*[st.sampled_from(link.keys)] * 4, st.sampled_from(STRANGERS))
    pair = key.flatmap(lambda k: _values(link, k).map(lambda v: (k, v)))
    # Raw text as the query string itself: stray "&", "=", "%", undecodable bytes.
    garbage = st.text(st.sampled_from("&=%;+sS0aF") | _characters, max_size=40).map(
        lambda text: quote(text.encode("utf-8", "surrogatepass"), safe="&=%;+")
    )
    pairs = st.lists(pair, min_size=1, max_size=6).map(browser_query)
    return st.one_of(pairs, pairs, pairs, garbage)
