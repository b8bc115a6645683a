"""Disk cache of LLM responses, shared safely by concurrent processes (SQLite in WAL mode).

Keys are sha256 digests of canonical JSON, never Python's per-process salted
`hash()`, so a rerun in a new process finds its earlier answers and makes no
LLM calls. Hit and miss counters live in the same database so `coderefine cache
stats` reports them across runs.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from coderefine.llm.errors import EngineError
from coderefine.paths import cache_dir

SCHEMA_VERSION = 1


def default_path() -> Path:
    return cache_dir() / "llm" / "responses.sqlite"


def request_key(request: dict) -> str:
    """sha256 of canonical JSON (sorted keys, no whitespace); the schema version is mixed in so a
    format change never serves stale entries."""
    canonical = json.dumps({"v": SCHEMA_VERSION, **request}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class CacheError(EngineError):
    """The cache file cannot be read or written (corrupt, locked, unwritable, disk full); says how to go on."""


@dataclass
class CacheStats:
    path: str
    entries: int
    bytes: int
    hits: int
    misses: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class LLMCache:
    """get/put of JSON values by key. Opens a short-lived connection per operation, which makes it
    safe to share between threads and processes without holding a connection open."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_path()
        with self._guard():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._use_wal()
            with closing(self._connect()) as db, db:
                db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                           "created REAL NOT NULL)")
                db.execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
                db.execute("INSERT OR IGNORE INTO counters VALUES ('hits', 0), ('misses', 0)")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite and OS failures as a CacheError naming the file: a bare sqlite3 error would read as our bug."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise CacheError(f"the LLM response cache {self.path} is unusable ({exc}); delete it, "
                             "or use --no-cache") from exc

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def _use_wal(self) -> None:
        """Switches a new database to WAL mode. SQLite answers "database is locked" at once, without waiting
        for the busy timeout, when several processes make that switch on a fresh file together (seen: 7 of
        150 starts of 4 processes on a loaded machine), so the switch is retried for up to the same 60 s."""
        deadline = time.monotonic() + 60
        while True:
            try:
                with closing(self._connect()) as db:
                    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal" or \
                            db.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() == "wal":
                        return
                why = "SQLite kept another journal mode"
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    raise
                why = str(error)
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError(f"{self.path}: could not switch the cache to WAL mode ({why})")
            time.sleep(0.05)

    def get(self, key: str) -> dict | None:
        """The stored value, counting a hit or a miss."""
        with self._guard(), closing(self._connect()) as db:
            row = db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        self._count("hits" if row else "misses")
        return json.loads(row[0]) if row else None

    def _count(self, name: str) -> None:
        """Best effort: a counter that cannot be written (a full disk, a writer holding the lock past the
        timeout) leaves `cache stats` one short, and must not fail the read it counts."""
        try:
            with closing(self._connect()) as db, db:
                db.execute("UPDATE counters SET value = value + 1 WHERE name = ?", (name,))
        except (sqlite3.Error, OSError):
            return

    def put(self, key: str, value: dict) -> dict:
        """Stores `value` unless the key already has one, and returns the stored value. The first answer to a
        request stays its answer: when two processes made the same seeded request at once (the model may not
        reproduce a reply under another batch), both then use the one stored, so runs that share a request
        see one reply."""
        with self._guard(), closing(self._connect()) as db, db:
            db.execute("INSERT OR IGNORE INTO responses VALUES (?, ?, ?)", (key, json.dumps(value), time.time()))
            return json.loads(db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()[0])

    def stats(self) -> CacheStats:
        with self._guard(), closing(self._connect()) as db:
            entries, size = db.execute("SELECT COUNT(*), COALESCE(SUM(LENGTH(value)), 0) FROM responses").fetchone()
            counters = dict(db.execute("SELECT name, value FROM counters").fetchall())
        return CacheStats(str(self.path), entries, size, counters.get("hits", 0), counters.get("misses", 0))

    def clear(self) -> int:
        """Deletes every entry and resets the counters; returns how many entries were removed."""
        with self._guard():
            with closing(self._connect()) as db, db:
                removed = db.execute("DELETE FROM responses").rowcount
                db.execute("UPDATE counters SET value = 0")
            with closing(self._connect()) as db:
                db.execute("VACUUM")
        return removed
