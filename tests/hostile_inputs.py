"""What a class of students types, pastes and uploads, and how a page must answer it.

Shared by the hostile-input tests of the Sequences, Class poll and Your model pages: strategies of
hostile text, and readers of what a page shows beside an input. A page passes when nothing
raises, every message sits right after the input it is about, quotes little of what it received
and is shown literally (Markdown and HTML escaped, never rendered).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from app_helpers import unescape
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from streamlit import config
from streamlit.testing.v1 import AppTest
from upload_cases import npy_bytes, npy_header, npz_bytes

from xentui.kit.format import md_literal
from xentui.kit.problems import QUOTE_CHARS

__all__ = [
    "HOSTILE",
    "MARKUP",
    "assert_well_said",
    "csv_files",
    "file_names",
    "files",
    "hostile_lines",
    "hostile_text",
    "is_literal",
    "messages_after",
    "quoted_parts",
    "upload_limit_mb",
]

# Each property runs a page per example: a few dozen examples, the same ones every run.
HOSTILE = settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

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

# Files of every kind a student may pick: noise, text in any encoding, JSON nested deep, long
# lines, and NumPy files of any shape and dtype — NaN, ±inf and huge values included — whole,
# cut short or with bytes added.
_numbers = hnp.arrays(
    st.sampled_from(["<f8", "<f4", "<f2", ">f8", "<i8", "<i1", "<u1", "|b1", "<c8"]),
    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
    elements={"allow_nan": True, "allow_infinity": True},
)
# Class or token indices of any shape and integer range (negative, past the last), or floats.
_indices = hnp.arrays(
    st.sampled_from(["<i8", "<i4", "<u8", "<f8"]),
    hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5),
)
_text = st.builds(
    lambda text, codec: codec[0] + text.encode(codec[1], errors="replace"),
    hostile_text,
    st.sampled_from(
        [(b"", "utf-8"), (b"\xef\xbb\xbf", "utf-8"), (b"", "utf-16"), (b"", "latin-1")]
    ),
)
_json = st.builds(
    lambda depth, bracket: (bracket * depth + "0" + {"[": "]", "{": "}"}[bracket] * depth).encode(),
    st.sampled_from([1, 100, 100_000]),
    st.sampled_from(["[", "{"]),
)
_long_line = st.builds(lambda n: b"1," * n, st.sampled_from([10, 100_000, 600_000]))


def _damaged(raw: bytes, cut: int, tail: bytes) -> bytes:
    return raw[: max(0, len(raw) - cut)] + tail


_npy = st.builds(npy_bytes, _numbers)
_npz = st.builds(
    lambda z, t, name: npz_bytes(**{"logits": z, name: t}),
    _numbers,
    _indices,
    st.sampled_from(["targets", "labels"]),
)
files = st.one_of(
    st.binary(max_size=300),
    _text,
    _json,
    _long_line,
    _npy,
    _npz,
    st.builds(_damaged, _npy | _npz, st.integers(0, 60), st.binary(max_size=20)),
    st.builds(
        lambda shape: npy_header(shape) + b"\x00" * 8,
        st.lists(st.integers(-2, 10**6), max_size=4).map(tuple),
    ),
)
# CSV tables of scores: a header or none, ragged rows, empty cells, NaN, ±inf, huge numbers,
# labels negative, past the last class, fractional or named.
_cell = st.sampled_from(
    ["0", "1", "2", "-1", "0.5", "1e308", "-1e400", "nan", "inf", "", "cat", "x", '"1,2"', "3"]
)
_row = st.lists(_cell, min_size=0, max_size=5).map(",".join)
csv_files = st.builds(
    lambda header, rows: ("\n".join([header, *rows]) + "\n").encode(),
    st.sampled_from(["cat,dog,pig,label", "cat,dog,label", "a;b;label", "1,2,3,0", ""]),
    st.lists(_row, max_size=6),
)


def file_names(*extensions: str) -> st.SearchStrategy[str]:
    """Hostile names ending in one of `extensions`; without NUL, which Streamlit itself refuses
    before a page runs (no browser sends one)."""
    return st.builds(
        lambda stem, ext: stem.replace("\x00", "") + ext, hostile_text, st.sampled_from(extensions)
    )


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


def assert_well_said(messages: list[str], most: int = QUOTE_CHARS) -> None:
    """Each message is literal text, and quotes at most `most` characters (and “…”) at a time."""
    for message in messages:
        assert is_literal(message), message
        too_long = [part for part in quoted_parts(unescape(message)) if len(part) > most + 1]
        assert not too_long, message


@contextmanager
def upload_limit_mb(megabytes: int):
    """Streamlit's server.maxUploadSize, which upload pages read on every run, set for a while."""
    previous = config.get_option("server.maxUploadSize")
    config.set_option("server.maxUploadSize", megabytes)
    try:
        yield
    finally:
        config.set_option("server.maxUploadSize", previous)
