"""The app's one cache of pure results: what a builder made for the numbers it was given.

The cache policy in one place: pure functions (results, figures, tables, library calls) are
`memoised` here, bounded and shared by every session; only an upload's analysis, which belongs
to a session's file, is kept by Streamlit (`st.cache_resource` in xentui.session.your_model.state).

A page reruns top to bottom on every interaction, and most reruns change one control: the figures,
tables and library calls of the other sections would be rebuilt from the same numbers. `memoised`
keeps the last results of a pure builder keyed by the *content* of its arguments — arrays by
shape, dtype and bytes, dataclasses field by field — so equal numbers give the cached object
whoever built them. The objects are shared between reruns and sessions: callers must not modify
them (the pages only hand them to Streamlit, which reads them).
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

__all__ = ["fingerprint", "memoised"]

T = TypeVar("T")


def fingerprint(value: Any) -> Any:
    """A hashable stand-in for `value` that is equal exactly when the contents are.

    >>> fingerprint(np.array([1.0, 2.0])) == fingerprint(np.array([1.0, 2.0]))
    True
    >>> fingerprint(np.array([1.0, 2.0])) == fingerprint(np.array([1.0, 2.0], dtype=np.float32))
    False
    """
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(fingerprint(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, fingerprint(v)) for k, v in sorted(value.items())))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        params = value.__dataclass_params__
        if params.frozen and params.eq:  # hashed by its fields, not by identity
            try:  # a frozen dataclass of plain values (a Scenario) is its own key: no walk
                hash(value)
                return (type(value).__name__, value)
            except TypeError:  # it holds arrays or lists: walk them
                pass
        fields = dataclasses.fields(value)
        return (type(value).__name__, tuple(fingerprint(getattr(value, f.name)) for f in fields))
    if isinstance(value, np.generic):
        return ("scalar", value.dtype.str, value.item())
    hash(value)  # anything else must be hashable as it is: fail loudly, not cache wrongly
    return (type(value).__name__, value)


def memoised(maxsize: int = 32) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorate a pure function: keep its `maxsize` most recent results (thread-safe)."""

    def decorate(builder: Callable[..., T]) -> Callable[..., T]:
        cache: OrderedDict[Any, T] = OrderedDict()
        lock = threading.Lock()  # Streamlit runs every session's script in its own thread

        @functools.wraps(builder)
        def cached(*args: Any, **kwargs: Any) -> T:
            key = fingerprint((args, kwargs))
            with lock:
                if key in cache:
                    cache.move_to_end(key)
                    return cache[key]
            result = builder(*args, **kwargs)  # outside the lock: other sessions keep going
            with lock:
                cache[key] = result
                while len(cache) > maxsize:
                    cache.popitem(last=False)
            return result

        cached.cache_clear = cache.clear  # type: ignore[attr-defined]
        return cached

    return decorate
