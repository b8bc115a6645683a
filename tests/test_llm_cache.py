from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from coderefine.llm.cache import CacheError, LLMCache, request_key
from coderefine.llm.engine import EngineError

REQUEST = {"model": "m", "messages": [{"role": "user", "content": "hi ü"}], "temperature": 0.0, "seed": 1}


def test_key_is_stable_across_processes_and_key_order():
    """Python's hash() is salted per process; the cache key must not be."""
    code = ("from coderefine.llm.cache import request_key;"
            "print(request_key({'seed': 1, 'temperature': 0.0, 'messages': [{'role': 'user', 'content': 'hi ü'}],"
            " 'model': 'm'}))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "123"}).stdout.strip()
    assert other == request_key(REQUEST)


def test_key_changes_with_every_output_affecting_field():
    keys = {request_key(REQUEST)}
    for field, value in [("model", "m2"), ("temperature", 0.5), ("seed", 2), ("max_tokens", 9), ("n", 2),
                         ("messages", [{"role": "user", "content": "hi"}])]:
        keys.add(request_key({**REQUEST, field: value}))
    assert len(keys) == 7


def test_get_put_stats_and_clear(tmp_path):
    cache = LLMCache(tmp_path / "c.sqlite")
    assert cache.get("k") is None
    cache.put("k", {"texts": ["a"]})
    assert cache.get("k") == {"texts": ["a"]}
    assert LLMCache(tmp_path / "c.sqlite").get("k") == {"texts": ["a"]}   # persists on disk
    stats = cache.stats()
    assert (stats.entries, stats.hits, stats.misses) == (1, 2, 1) and stats.bytes > 0
    assert cache.clear() == 1
    assert (cache.stats().entries, cache.stats().hits) == (0, 0)


def test_the_first_stored_reply_stays_and_put_returns_it(tmp_path):
    """Two processes that made one seeded request at once must end up using one reply."""
    cache = LLMCache(tmp_path / "c.sqlite")
    assert cache.put("k", {"texts": ["first"]}) == {"texts": ["first"]}
    assert cache.put("k", {"texts": ["second"]}) == {"texts": ["first"]}
    assert cache.get("k") == {"texts": ["first"]}


def _writer(args):
    path, worker = args
    cache = LLMCache(path)
    for i in range(40):
        cache.put(f"{worker}-{i}", {"texts": [str(i)]})
        assert cache.get(f"{worker}-{i}") == {"texts": [str(i)]}
    return worker


def test_concurrent_processes_share_the_cache_safely(tmp_path):
    path = tmp_path / "shared.sqlite"
    with ProcessPoolExecutor(4) as pool:
        assert sorted(pool.map(_writer, [(path, w) for w in range(4)])) == [0, 1, 2, 3]
    stats = LLMCache(path).stats()
    assert stats.entries == 160 and stats.hits == 160


def test_the_switch_to_wal_is_retried_while_the_database_is_locked(tmp_path, monkeypatch):
    import sqlite3
    real, refusals = LLMCache._connect, []

    def connect(self):
        if len(refusals) < 2:
            refusals.append(1)
            raise sqlite3.OperationalError("database is locked")
        return real(self)

    monkeypatch.setattr(LLMCache, "_connect", connect)
    cache = LLMCache(tmp_path / "c.sqlite")
    assert len(refusals) == 2
    with sqlite3.connect(cache.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_unusable_cache_is_a_cache_error_naming_its_file_and_the_way_out(tmp_path):
    """An engine error (exit 3 in the CLI), never a bare sqlite3 or OS error (a crash report, exit 4)."""
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"not a database" * 512)
    unwritable = Path("/proc/nope/responses.sqlite")
    for path in (corrupt, unwritable):
        with pytest.raises(CacheError, match=rf"{path} is unusable \(.*\); delete it, or use --no-cache"):
            LLMCache(path)
    cache = LLMCache(tmp_path / "c.sqlite")
    cache.path.write_bytes(b"broken later" * 512)
    for operation in (lambda: cache.get("k"), lambda: cache.put("k", {}), cache.stats, cache.clear):
        with pytest.raises(CacheError, match="c.sqlite is unusable"):
            operation()
    assert issubclass(CacheError, EngineError)


def test_a_counter_that_cannot_be_written_does_not_fail_the_read(tmp_path, monkeypatch):
    import sqlite3
    cache = LLMCache(tmp_path / "c.sqlite")
    cache.put("k", {"texts": ["hi"]})
    monkeypatch.setattr(LLMCache, "_connect", lambda self: sqlite3.connect(self.path, timeout=0.2))
    writer = sqlite3.connect(tmp_path / "c.sqlite")
    writer.execute("BEGIN IMMEDIATE")   # another process is writing, longer than the busy timeout
    try:
        assert cache.get("k") == {"texts": ["hi"]} and cache.get("other") is None
    finally:
        writer.rollback()
        writer.close()
    assert (cache.stats().hits, cache.stats().misses) == (0, 0)   # those two went uncounted
    cache.get("k")
    assert cache.stats().hits == 1
