"""A scenario as one compact, versioned query-string value, and back.

Format: ``<version>.<payload>`` where payload is URL-safe base64 (no padding) of zlib-compressed
JSON. zlib's checksum catches a link that was truncated or altered in transit; the version prefix
lets a later release read — or clearly refuse — links made by this one. Decoding never trusts the
link: sizes are capped before and after decompression, and the JSON becomes a draft that
`check_scenario` checks as it checks the editors' cells, so a bad value gets the same message.
Whatever the link holds, decoding raises nothing but `LinkError`.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from xentui.domain.scenario import Scenario
from xentui.domain.validation import LOGITS, check_scenario
from xentui.kit.problems import Problem, quote

__all__ = [
    "LINK_VERSION",
    "MAX_LINK_CHARS",
    "QUERY_KEY",
    "LinkError",
    "decode",
    "encode",
    "pack",
    "unpack",
]

QUERY_KEY = "s"
LINK_VERSION = 1
# A full 64 × 32 scenario of 6-digit logits compresses to about 9 000 characters.
MAX_LINK_CHARS = 16_000
_MAX_JSON_BYTES = 256_000
# The link's short keys and the draft fields they hold (besides "i", ignored sample numbers).
_FIELDS = {
    "c": "classes",
    "z": "logits",
    "t": "targets",
    "q": "soft_targets",
    "w": "weights",
    "r": "reduction",
    "s": "label_smoothing",
    "T": "temperature",
    "p": "precision",
}


class LinkError(ValueError):
    """The link cannot be opened; the message says why, in words for the person who clicked it.

    `problems` holds what `check_scenario` refused in the link's scenario (empty when the link
    itself could not be read); the message is the first of them, and how many more there are.
    """

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems

    @classmethod
    def refusing(cls, problems: tuple[Problem, ...]) -> LinkError:
        first = str(problems[0]).removesuffix(".")
        more = len(problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        return cls(first + suffix, problems)


def _compact(value: float) -> float | int:
    """Shortest faithful JSON number: 2.0 → 2, 0.1 stays 0.1 (repr round-trips exactly)."""
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def encode(scenario: Scenario) -> str:
    payload: dict[str, object] = {
        "c": list(scenario.classes),
        "z": [[_compact(v) for v in row] for row in scenario.logits],
        "t": list(scenario.targets),
    }
    if any(scenario.ignored):
        payload["i"] = [i for i, flag in enumerate(scenario.ignored) if flag]
    if scenario.soft_targets is not None:
        payload["q"] = [[_compact(v) for v in row] for row in scenario.soft_targets]
    if scenario.weights is not None:
        payload["w"] = [_compact(w) for w in scenario.weights]
    if scenario.reduction != "mean":
        payload["r"] = scenario.reduction
    if scenario.label_smoothing:
        payload["s"] = _compact(scenario.label_smoothing)
    if scenario.temperature != 1.0:
        payload["T"] = _compact(scenario.temperature)
    if scenario.precision != "float32":
        payload["p"] = scenario.precision
    return pack(payload, LINK_VERSION)


def pack(payload: object, version: int) -> str:
    """`<version>.<payload>`: the JSON of `payload`, zlib-compressed, in URL-safe base64."""
    raw = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
    body = base64.urlsafe_b64encode(zlib.compress(raw, 9)).rstrip(b"=").decode("ascii")
    return f"{version}.{body}"


def unpack(
    token: object,
    version: int,
    what: str = "scenario",
    max_chars: int = MAX_LINK_CHARS,
    max_json_bytes: int = _MAX_JSON_BYTES,
) -> object:
    """The JSON a `pack`ed token holds, or LinkError naming `what` the link was to carry.

    The token's size is capped before anything is read, and its unpacked size while unpacking.
    """
    if not isinstance(token, str) or not token:
        raise LinkError(f"the link's {what} is empty")
    if len(token) > max_chars:
        raise LinkError(
            f"the link's {what} is {len(token):,} characters long; at most "
            f"{max_chars:,} are accepted"
        )
    found, dot, body = token.partition(".")
    # isascii: "²".isdigit() is true, and int() refuses it.
    if not dot or not found.isascii() or not found.isdigit():
        raise LinkError(f"the link's {what} has no version prefix (expected something like '1.…')")
    if found.lstrip("0") != str(version):
        raise LinkError(
            f"the link was made by a different version of xent (link format {quote(found, 12)}; "
            f"this version reads format {version})"
        )
    return _payload(body, what, max_json_bytes)


def decode(token: object) -> Scenario:
    """Rebuild the scenario of a link; raise LinkError saying what is wrong with it."""
    payload = unpack(token, LINK_VERSION)
    try:
        draft, problems = _draft(payload)
        checked = check_scenario(draft)
    except LinkError:
        raise
    except (RecursionError, ValueError, TypeError, OverflowError):
        # check_scenario never raises by design; should it ever, the link is still only refused.
        raise LinkError("the link is damaged: its scenario could not be read") from None
    problems = problems + checked.problems
    if problems or checked.scenario is None:
        raise LinkError.refusing(problems)
    return checked.scenario


def _payload(body: str, what: str, max_json_bytes: int) -> object:
    """The JSON inside the link's body, or LinkError."""
    try:
        # validate=True: a character outside the alphabet is damage, not something to skip.
        compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(compressed, max_json_bytes)
        if inflater.unconsumed_tail:
            raise LinkError(f"the link's {what} is too large once unpacked")
        if not inflater.eof:
            raise LinkError(f"the link is cut short: part of the {what} is missing")
        return json.loads(raw)
    except LinkError:
        raise
    # RecursionError: JSON nested thousands deep; ValueError covers bad JSON and bad UTF-8.
    except (binascii.Error, zlib.error, ValueError, RecursionError):
        raise LinkError(f"the link is damaged: its {what} could not be read") from None


def _draft(payload: object) -> tuple[dict[str, object], tuple[Problem, ...]]:
    """The draft scenario a link's JSON holds, and any problem with its ignored samples."""
    if not isinstance(payload, dict):
        raise LinkError("the link's scenario is not in the expected form")
    draft: dict[str, object] = {"title": "Opened from a shared link"}
    draft.update({field: payload[key] for key, field in _FIELDS.items() if key in payload})
    logits = payload.get("z")
    n = len(logits) if isinstance(logits, list) else 0
    rows = payload.get("i", [])
    if isinstance(rows, list) and all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n for i in rows
    ):
        ignored = set(rows)
        draft["ignored"] = [i in ignored for i in range(n)]
        return draft, ()
    expected = f"sample numbers from 0 to {n - 1}" if n else "sample numbers"
    return draft, (Problem(LOGITS, None, "ignore", quote(rows), expected),)
