"""A lesson: an ordered list of steps (a page, its link's state, a note, hidden controls) in a link.

A lesson travels as ``?lesson=<version>.<payload>``, packed and size-capped by the scenario link's
own code (`share_link.pack` / `share_link.unpack`). `decode` is the one door every lesson goes
through — the composer's notes pass `check_note` too — and whatever the link holds it raises
nothing but `LinkError`, whose message names what is wrong. A step's state is kept as the page's
query parameters: opening a step opens its page's own link, which that page checks as it checks
any link (a bad value is refused beside its control).

Format 1 (keep reading it): ``{"p": [step, …]}``, each step
``{"g": page url path, "q": [[key, value], …], "n": note, "h": [hidden widget key, …]}``, with
"q", "n" and "h" left out when empty; a key of "q" repeats as a multiselect's does in a link.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from types import MappingProxyType

from xentui.domain.share_link import MAX_LINK_CHARS, LinkError, pack, unpack
from xentui.kit.problems import quote

__all__ = [
    "HIDEABLE",
    "LESSON_VERSION",
    "MAX_LESSON_CHARS",
    "MAX_NOTE_CHARS",
    "MAX_STEPS",
    "QUERY_KEY",
    "STEP_KEY",
    "Lesson",
    "Step",
    "check_note",
    "decode",
    "encode",
    "step_number",
]

QUERY_KEY = "lesson"
STEP_KEY = "step"
LESSON_VERSION = 1
MAX_STEPS = 20
MAX_NOTE_CHARS = 500
# Two steps holding a full-size scenario each fit; a QR code holds far less (the control says so).
MAX_LESSON_CHARS = 2 * MAX_LINK_CHARS
_MAX_JSON_BYTES = 512_000
_MAX_PARAMS = 40
_MAX_PARAM_KEY = 40
# Keys a step's state never holds: the lesson's own, and the two Streamlit keeps for itself.
RESERVED = frozenset({QUERY_KEY, STEP_KEY, "embed", "embed_options"})

# The controls a step may hide, by page url path ("" is the Playground): widget keys, each the
# `st-key-<key>` class of the control's container. The loss unit and the presenter switch are the
# frame's, on every page.
_FRAME = ("unit", "presenter_mode")
HIDEABLE = MappingProxyType(
    {
        "": (
            *_FRAME,
            "presets_open",
            "opt_reduction",
            "opt_smoothing",
            "opt_temperature",
            "opt_precision",
            "opt_soft",
            "torch_code_open",
        ),
        "step-by-step": (*_FRAME, "term", "all_terms", "time_n"),
        "binary-cross-entropy": (*_FRAME, "y", "logit", "eps", "bce_dtype", "pos_weight"),
        "numerical-stability": (*_FRAME, "p", "scale"),
        "k-dimensional": (*_FRAME, "kdim_example", "kdim_precision", "kdim_noise", "kdim_seed"),
        "targets-weights-smoothing": (*_FRAME, "tws_smoothing", "tws_eps", "tws_ignore"),
        "gradients-temperature": (*_FRAME, "grad_lr", "grad_T"),
        "your-model": (*_FRAME, "ym_kind", "ym_k", "ym_bins"),
        "sequences": (*_FRAME, "seq_file", "seq_mask", "seq_padding"),
        # A poll's controls are its students' and its teacher's: a lesson leaves them all shown.
        "class-poll": _FRAME,
        "about": _FRAME,
    }
)


@dataclass(frozen=True)
class Step:
    """One step: a page (its url path), its query parameters, the teacher's note, hidden keys."""

    page: str
    params: tuple[tuple[str, str], ...] = ()
    note: str = ""
    hidden: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lesson:
    steps: tuple[Step, ...]


def encode(lesson: Lesson) -> str:
    steps = []
    for step in lesson.steps:
        packed: dict[str, object] = {"g": step.page}
        if step.params:
            packed["q"] = [list(pair) for pair in step.params]
        if step.note:
            packed["n"] = step.note
        if step.hidden:
            packed["h"] = list(step.hidden)
        steps.append(packed)
    return pack({"p": steps}, LESSON_VERSION)


def decode(token: object) -> Lesson:
    """The lesson of a link; LinkError saying what is wrong with it."""
    payload = unpack(token, LESSON_VERSION, "lesson", MAX_LESSON_CHARS, _MAX_JSON_BYTES)
    steps = payload.get("p") if isinstance(payload, dict) else None
    if not isinstance(steps, list) or not steps:
        raise LinkError("the link's lesson is not in the expected form (a list of steps)")
    if len(steps) > MAX_STEPS:
        raise LinkError(f"the link's lesson has {len(steps):,} steps; at most {MAX_STEPS} are read")
    return Lesson(tuple(_step(n, packed) for n, packed in enumerate(steps, 1)))


def _text(value: object, n: int, what: str, limit: int) -> str:
    """`value` if it is printable text of at most `limit` characters, else LinkError."""
    if not isinstance(value, str):
        raise LinkError(f"step {n} of the lesson: its {what} should be text, not {quote(value)}")
    if len(value) > limit:
        raise LinkError(
            f"step {n} of the lesson: its {what} is {len(value):,} characters long; "
            f"at most {limit:,} are accepted"
        )
    if bad := _unprintable(value):
        raise LinkError(f"step {n} of the lesson: its {what} holds {quote(bad)}, not printable")
    return value


def _unprintable(text: str) -> str | None:
    """The first character of `text` a note cannot show (controls, lone surrogates), or None."""
    return next(
        (ch for ch in text if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cs", "Cn")),
        None,
    )


def check_note(note: str, n: int = 1) -> str:
    """The note if a step can carry it, else LinkError saying why (the composer asks here too)."""
    return _text(note, n, "note", MAX_NOTE_CHARS)


def _step(n: int, packed: object) -> Step:
    if not isinstance(packed, dict):
        raise LinkError(f"step {n} of the lesson is not in the expected form")
    page = packed.get("g")
    if not isinstance(page, str) or page not in HIDEABLE:
        pages = ", ".join(p or "'' (the Playground)" for p in HIDEABLE)
        raise LinkError(
            f"step {n} of the lesson names page {quote(page, 20)}; expected one of {pages}"
        )
    params = packed.get("q", [])
    if not (
        isinstance(params, list)
        and len(params) <= _MAX_PARAMS
        and all(isinstance(pair, list) and len(pair) == 2 for pair in params)
    ):
        raise LinkError(
            f"step {n} of the lesson: its state should be at most {_MAX_PARAMS} [key, value] pairs"
        )
    for key, value in params:
        _text(key, n, "state's key", _MAX_PARAM_KEY)
        if key in RESERVED:
            raise LinkError(f"step {n} of the lesson: its state cannot set {quote(key)}")
        _text(value, n, f"value of {quote(key, 40)}", MAX_LINK_CHARS)
    hidden = packed.get("h", [])
    allowed = HIDEABLE[page]
    if not isinstance(hidden, list) or not all(isinstance(k, str) and k in allowed for k in hidden):
        raise LinkError(
            f"step {n} of the lesson hides {quote(hidden, 30)}; expected controls of its page "
            "among " + ", ".join(allowed)
        )
    note = check_note(packed.get("n", ""), n)
    return Step(page, tuple((k, v) for k, v in params), note, tuple(dict.fromkeys(hidden)))


def step_number(raw: object, lesson: Lesson) -> tuple[int, str | None]:
    """The 0-based step a link's ``step`` (1-based) opens, and a message when it is refused."""
    if raw is None or raw == "":
        return 0, None
    count = len(lesson.steps)
    text = str(raw).strip()
    if len(text) < 6 and text.isascii() and text.isdigit() and 1 <= int(text) <= count:
        return int(text) - 1, None
    return 0, (f"The lesson has no step {quote(raw, 20)} (expected 1 to {count}); showing step 1.")
