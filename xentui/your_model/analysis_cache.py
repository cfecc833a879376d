"""The analyses of uploads, shared between sessions, bounded in bytes and per session.

Every entry is held by the sessions that asked for it (a holder is any hashable token, one per
session). A session holds at most `per_holder` entries, its most recent; an entry no session
holds any more is dropped at once, and `release(holder)` — called when a session ends — drops
every entry only that session held. The entries' bytes (`held_bytes`: the arrays they hold, each
buffer once) stay within `max_bytes`: room for a new entry is made by dropping the least
recently used ones. Two sessions asking for the same key (the same content and options) share
one entry, computed once.

An entry dropped while a session still shows it lives on in that session's state until the
session moves on or ends: the bound is on what this cache keeps, beside which each session
shows one analysis of its own.

Thread-safe: Streamlit runs each session's script in its own thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, fields, is_dataclass
from typing import Generic, TypeVar

import numpy as np

__all__ = ["AnalysisCache", "TooLarge", "held_bytes"]

V = TypeVar("V")


def _walk(value: object, seen: set[int], buffers: dict[int, int]) -> None:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        base = value
        while isinstance(base.base, np.ndarray):
            base = base.base
        owner = base.base if base.base is not None else base
        size = len(owner) if isinstance(owner, (bytes, bytearray)) else base.nbytes
        buffers[id(owner)] = max(buffers.get(id(owner), 0), size)
    elif isinstance(value, (bytes, bytearray)):
        buffers[id(value)] = len(value)
    elif is_dataclass(value) and not isinstance(value, type):
        for item in fields(value):
            _walk(getattr(value, item.name), seen, buffers)
    elif isinstance(value, dict):
        for item in value.values():
            _walk(item, seen, buffers)
    elif isinstance(value, (tuple, list)):
        for item in value:
            _walk(item, seen, buffers)


def held_bytes(value: object) -> int:
    """The bytes of the arrays `value` holds (through dataclass fields, tuples, lists, dicts).

    Each buffer counts once, whole: a view on an upload's bytes counts the upload.

    >>> a = np.zeros(1000)
    >>> held_bytes((a, a[:10], {"b": b"xyz"}))
    8003
    """
    buffers: dict[int, int] = {}
    _walk(value, set(), buffers)
    return sum(buffers.values())


class TooLarge(Exception):
    """An entry that would not fit even in the empty cache: its `size` and the `max_bytes`."""

    def __init__(self, size: int, max_bytes: int) -> None:
        super().__init__(f"an entry of {size} bytes does not fit in a cache of {max_bytes} bytes")
        self.size = size
        self.max_bytes = max_bytes


@dataclass
class _Entry(Generic[V]):
    value: V
    size: int
    holders: set


class AnalysisCache(Generic[V]):
    """Values by key, held by sessions; at most `max_bytes` in all and `per_holder` a session.

    >>> cache = AnalysisCache(max_bytes=10_000, per_holder=1)
    >>> a = cache.get("a", "tab 1", lambda: np.zeros(1000, np.uint8))
    >>> cache.get("a", "tab 2", lambda: 1 / 0) is a  # the same key: shared, not computed again
    True
    >>> cache.total_bytes, sorted(cache.holders("a"))
    (1000, ['tab 1', 'tab 2'])
    >>> _ = cache.get("b", "tab 1", lambda: np.zeros(2000, np.uint8))  # tab 1 lets go of "a"
    >>> cache.release("tab 2")  # the session ends: "a" has no holder left
    >>> cache.keys(), cache.total_bytes
    (['b'], 2000)
    """

    def __init__(
        self, max_bytes: int, per_holder: int, size_of: Callable[[V], int] = held_bytes
    ) -> None:
        if max_bytes <= 0 or per_holder < 1:
            raise ValueError(
                f"max_bytes must be > 0 and per_holder ≥ 1; got {max_bytes} and {per_holder}"
            )
        self.max_bytes = max_bytes
        self.per_holder = per_holder
        self._size_of = size_of
        self._entries: OrderedDict[Hashable, _Entry[V]] = OrderedDict()  # least recent first
        self._held: dict[Hashable, list[Hashable]] = {}  # holder → its keys, least recent first
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return sum(entry.size for entry in self._entries.values())

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def keys(self) -> list[Hashable]:
        """The keys held, least recently used first."""
        with self._lock:
            return list(self._entries)

    def holders(self, key: Hashable) -> set:
        with self._lock:
            entry = self._entries.get(key)
            return set() if entry is None else set(entry.holders)

    def held_by(self, holder: Hashable) -> list[Hashable]:
        """The keys `holder` holds, least recently used first."""
        with self._lock:
            return list(self._held.get(holder, ()))

    def get(self, key: Hashable, holder: Hashable, compute: Callable[[], V]) -> V:
        """The value of `key`, computed once (other threads asking meanwhile wait), now held by
        `holder`. An exception from `compute` propagates and nothing is kept; a value larger
        than max_bytes raises TooLarge."""
        with self._lock:
            if key in self._entries:
                return self._hold(key, holder)
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # one computation per key; the others wait for it and take its result
            with self._lock:
                if key in self._entries:
                    return self._hold(key, holder)
            try:
                return self.put(key, holder, compute())
            finally:
                with self._lock:
                    self._computing.pop(key, None)

    def put(self, key: Hashable, holder: Hashable, value: V) -> V:
        """Keep `value` under `key`, held by `holder` (for a value computed elsewhere)."""
        size = self._size_of(value)
        if size > self.max_bytes:
            raise TooLarge(size, self.max_bytes)
        with self._lock:
            if key not in self._entries:
                self._entries[key] = _Entry(value, size, set())
            return self._hold(key, holder)

    def release(self, holder: Hashable) -> None:
        """`holder` holds nothing any more (its session ended): drop what no one else holds."""
        with self._lock:
            for key in self._held.pop(holder, []):
                self._let_go(key, holder)

    def _hold(self, key: Hashable, holder: Hashable) -> V:
        """Mark `key` used by `holder`, trim the holder's keys and the total; under the lock."""
        entry = self._entries[key]
        entry.holders.add(holder)
        self._entries.move_to_end(key)
        keys = self._held.setdefault(holder, [])
        if key in keys:
            keys.remove(key)
        keys.append(key)
        while len(keys) > self.per_holder:
            self._let_go(keys.pop(0), holder)
        total = sum(e.size for e in self._entries.values())
        for old in list(self._entries):
            if total <= self.max_bytes:
                break
            if old != key:
                total -= self._entries[old].size
                self._drop(old)
        return entry.value

    def _let_go(self, key: Hashable, holder: Hashable) -> None:
        entry = self._entries.get(key)
        if entry is None:
            return
        entry.holders.discard(holder)
        if not entry.holders:
            del self._entries[key]

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key)
        for holder in entry.holders:
            keys = self._held.get(holder, [])
            if key in keys:
                keys.remove(key)
            if not keys:
                self._held.pop(holder, None)
