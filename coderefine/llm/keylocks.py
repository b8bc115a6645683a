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


class KeyLocks:
    def __init__(self):
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}   # key -> (its lock, threads holding or waiting)

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)
