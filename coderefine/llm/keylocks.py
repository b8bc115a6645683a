"""One lock per key, held while a thread makes the request with that key.

Bench runs of several methods on one problem and seed start together and make the same first request (and
often share later ones). Sent together, each would miss the cache and reach the model, which under another
batch need not repeat a reply even with the seed fixed: the runs would then see different answers to one
request, and the comparison would no longer be paired. Holding the key makes the later threads wait and
read the first one's reply from the cache.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class _Key:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0                       # threads holding or waiting
    failure: Exception | None = None     # what the holder raised, for the threads that waited on it


class KeyLocks:
    def __init__(self):
        self._guard = threading.Lock()
        self._keys: dict[str, _Key] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """The threads that waited on a holder that failed get its error: the same request made again at once
        would fail the same way, and each waiter repeating its retries in turn would multiply the wait."""
        with self._guard:
            entry = self._keys.setdefault(key, _Key())
            entry.users += 1
        try:
            with entry.lock:
                if entry.failure is not None:
                    raise entry.failure
                try:
                    yield
                except Exception as exc:
                    entry.failure = exc
                    raise
        finally:
            with self._guard:
                entry.users -= 1
                if not entry.users:
                    del self._keys[key]
