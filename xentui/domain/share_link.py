"""A scenario as one compact, versioned query-string value, and back.

Format: ``<version>.<payload>`` where payload is URL-safe base64 (no padding) of zlib-compressed
JSON. zlib's checksum catches a link that was truncated or altered in transit; the version prefix
lets a later release read — or clearly refuse — links made by this one. Decoding never trusts the
link: sizes are capped before and after decompression and every field is checked.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import zlib

import numpy as np

from xentui.domain.scenario import (
    LOGIT_LIMIT,
    MAX_CLASSES,
    MAX_SAMPLES,
    PRECISIONS,
    REDUCTIONS,
    TEMPERATURE_RANGE,
    Scenario,
)
from xentui.playground.editor import SUM_TOLERANCE

__all__ = ["LINK_VERSION", "MAX_LINK_CHARS", "QUERY_KEY", "LinkError", "decode", "encode"]

QUERY_KEY = "s"
LINK_VERSION = 1
# A full 64 × 32 scenario of 6-digit logits compresses to about 9 000 characters.
MAX_LINK_CHARS = 16_000
_MAX_JSON_BYTES = 256_000
_MAX_NAME_CHARS = 40


class LinkError(ValueError):
    """The link cannot be opened; the message says why, in words for the person who clicked it."""


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
    raw = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
    body = base64.urlsafe_b64encode(zlib.compress(raw, 9)).rstrip(b"=").decode("ascii")
    return f"{LINK_VERSION}.{body}"


def decode(token: str) -> Scenario:
    """Rebuild the scenario of a link; raise LinkError saying what is wrong with it."""
    if not isinstance(token, str) or not token:
        raise LinkError("the link's scenario is empty")
    if len(token) > MAX_LINK_CHARS:
        raise LinkError(
            f"the link's scenario is {len(token):,} characters long; at most "
            f"{MAX_LINK_CHARS:,} are accepted"
        )
    version, dot, body = token.partition(".")
    if not dot or not version.isdigit():
        raise LinkError("the link's scenario has no version prefix (expected something like '1.…')")
    if int(version) != LINK_VERSION:
        raise LinkError(
            f"the link was made by a different version of xent (link format {version}; this "
            f"version reads format {LINK_VERSION})"
        )
    try:
        # validate=True: a character outside the alphabet is damage, not something to skip.
        compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(compressed, _MAX_JSON_BYTES)
        if inflater.unconsumed_tail:
            raise LinkError("the link's scenario is too large once unpacked")
        if not inflater.eof:
            raise LinkError("the link is cut short: part of the scenario is missing")
        payload = json.loads(raw)
    except LinkError:
        raise
    except (binascii.Error, zlib.error, ValueError, UnicodeDecodeError):
        raise LinkError("the link is damaged: its scenario could not be read") from None
    return _scenario_from_payload(payload)


def _number_rows(value: object, name: str, rows: int, cols: int) -> list[list[float]]:
    if not isinstance(value, list) or len(value) != rows:
        raise LinkError(f"the link's {name} should have {rows} row(s)")
    out = []
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != cols:
            raise LinkError(f"row {i + 1} of the link's {name} should have {cols} value(s)")
        out.append([_finite(v, f"{name} row {i + 1}") for v in row])
    return out


def _finite(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise LinkError(f"the link's {where} holds {value!r}, which is not a finite number")
    return float(value)


def _scenario_from_payload(payload: object) -> Scenario:
    if not isinstance(payload, dict):
        raise LinkError("the link's scenario is not in the expected form")
    classes = payload.get("c")
    if (
        not isinstance(classes, list)
        or not all(isinstance(c, str) and c.strip() for c in classes)
        or not 2 <= len(classes) <= MAX_CLASSES
        or len(set(classes)) != len(classes)
        or any(len(c) > _MAX_NAME_CHARS for c in classes)
    ):
        raise LinkError(
            f"the link's class names should be 2 to {MAX_CLASSES} distinct, non-empty names"
        )
    n, c = len(payload.get("z") or []), len(classes)
    if not 1 <= n <= MAX_SAMPLES:
        raise LinkError(f"the link should hold 1 to {MAX_SAMPLES} samples; it holds {n}")
    logits = _number_rows(payload.get("z"), "logits", n, c)
    if any(abs(v) > LOGIT_LIMIT for row in logits for v in row):
        raise LinkError(f"the link's logits should lie within ±{LOGIT_LIMIT:g}")
    targets = payload.get("t")
    if (
        not isinstance(targets, list)
        or len(targets) != n
        or not all(isinstance(t, int) and not isinstance(t, bool) and 0 <= t < c for t in targets)
    ):
        raise LinkError(f"the link's targets should be {n} class indices in [0, {c - 1}]")
    ignored_rows = payload.get("i", [])
    if not isinstance(ignored_rows, list) or not all(
        isinstance(i, int) and 0 <= i < n for i in ignored_rows
    ):
        raise LinkError("the link's ignored samples are not valid sample numbers")
    soft = payload.get("q")
    if soft is not None:
        soft = _number_rows(soft, "probability targets", n, c)
        if any(v < 0 or v > 1 for row in soft for v in row):
            raise LinkError("the link's probability targets should lie in [0, 1]")
        if any(abs(sum(row) - 1) > SUM_TOLERANCE for row in soft):
            raise LinkError("the link's probability targets should sum to 1 in every row")
    weights = payload.get("w")
    if weights is not None:
        if not isinstance(weights, list) or len(weights) != c:
            raise LinkError(f"the link's class weights should have {c} entries")
        weights = [_finite(w, "class weights") for w in weights]
        if any(w < 0 for w in weights):
            raise LinkError("the link's class weights should be non-negative")
        if sum(weights) == 0:  # as in the classes editor
            raise LinkError("the link's class weights are all 0")
    reduction = payload.get("r", "mean")
    if reduction not in REDUCTIONS:
        raise LinkError(f"the link's reduction {reduction!r} is not one of {', '.join(REDUCTIONS)}")
    smoothing = _finite(payload.get("s", 0.0), "label smoothing")
    if not 0 <= smoothing <= 1:
        raise LinkError("the link's label smoothing should lie in [0, 1]")
    temperature = _finite(payload.get("T", 1.0), "temperature")
    low, high = TEMPERATURE_RANGE
    if not low <= temperature <= high:
        raise LinkError(f"the link's temperature should lie in [{low:g}, {high:g}]")
    precision = payload.get("p", "float32")
    if precision not in PRECISIONS:
        raise LinkError(f"the link's precision {precision!r} is not one of {', '.join(PRECISIONS)}")
    ignored = tuple(i in set(ignored_rows) for i in range(n))
    # As in the editors: a mean over nothing (every sample ignored or weighing 0) is 0/0.
    # In the link's precision, as the loss sees them: a weight of 1e-50 is 0 in float32.
    class_weight = np.asarray(weights or [1.0] * c, dtype=precision)
    kept = [t for t, skip in zip(targets, ignored, strict=True) if not skip]
    if soft is None and not class_weight[kept].sum() > 0:
        raise LinkError(
            "the link's scenario leaves nothing to average: every sample is ignored or its "
            "target class has weight 0"
        )
    return Scenario(
        classes=tuple(classes),
        logits=tuple(map(tuple, logits)),
        targets=tuple(targets),
        ignored=ignored,
        soft_targets=None if soft is None else tuple(map(tuple, soft)),
        weights=None if weights is None else tuple(weights),
        reduction=reduction,
        label_smoothing=smoothing,
        temperature=temperature,
        precision=precision,
        title="Opened from a shared link",
    )
