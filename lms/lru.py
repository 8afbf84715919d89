"""A bounded, thread-safe least-recently-used cache for immutable data kept in process memory.

Only for data that never changes once written (a frozen paper, an item's shape): nothing that must
hold across requests or processes may live here, since every worker keeps its own copy.
"""

import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

#: Every cache made, so that emptying the database (tests, a restore) can empty them too.
_ALL: weakref.WeakSet = weakref.WeakSet()


def clear_all() -> None:
    """Empty every cache of this process: for when the rows they copy were deleted."""
    for cache in list(_ALL):
        cache.clear()


class LRUCache:
    """At most ``size`` entries; the least recently used one goes first."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        _ALL.add(self)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The entry under ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            try:
                self._entries.move_to_end(key)
            except KeyError:
                return default
            return self._entries[key]

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used entries beyond the size."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def keys(self) -> list:
        """The keys, least recently used first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
