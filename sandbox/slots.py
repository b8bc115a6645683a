"""Unprivileged uids for concurrent sandbox runs, one per slot, leased across processes with file locks.

Root ignores RLIMIT_NPROC and may signal anything, so sandboxed code must run as
a uid that owns nothing else. A lease is an flock on a per-uid file, so two
Sandbox objects (or two pytest workers) never share a uid at the same time,
which is what makes killing "every process of this uid" safe afterwards; and a
uid that still has any process, even a zombie, is passed over.
"""
from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

FIRST_UID = 1_960_000   # far above any distribution's user range
UID_COUNT = 256
LOCK_DIR = Path("/run/coderefine-sandbox") if os.path.isdir("/run") else Path("/tmp/coderefine-sandbox-locks")


class UidPool:
    """Leases a free uid; blocks (polling) while every uid is leased."""

    def __init__(self, first: int = FIRST_UID, count: int = UID_COUNT, lock_dir: Path = LOCK_DIR):
        self.first, self.count, self.lock_dir = first, count, lock_dir
        self._local = threading.Lock()
        self._next = 0

    @contextmanager
    def lease(self, timeout: float = 60.0) -> Iterator[int]:
        self.lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        give_up = time.monotonic() + timeout
        while True:
            with self._local:
                start, self._next = self._next, (self._next + 1) % self.count
            for step in range(self.count):
                uid = self.first + (start + step) % self.count
                fd = os.open(self.lock_dir / f"uid-{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    if _has_processes(uid):
                        raise BlockingIOError
                except BlockingIOError:
                    os.close(fd)
                    continue
                try:
                    yield uid
                finally:
                    os.close(fd)  # releases the lock
                return
            if time.monotonic() > give_up:
                raise TimeoutError(f"no free sandbox uid in {self.first}..{self.first + self.count - 1}")
            time.sleep(0.05)


def _has_processes(uid: int) -> bool:
    """Whether any process (a zombie included) still has this uid: zombies count against RLIMIT_NPROC, and a uid
    with enough of them, from us or from anyone, cannot start a jail (fork fails with EAGAIN)."""
    for entry in os.scandir("/proc"):
        try:
            if entry.name.isdigit() and entry.stat(follow_symlinks=False).st_uid == uid:
                return True
        except OSError:  # it ended while we looked
            continue
    return False


def tasks_of(uid: int) -> int:
    """How many tasks (threads, zombies included) the real uid `uid` has now: the count RLIMIT_NPROC is checked
    against, so a jail that runs as its caller's uid gets its process limit on top of this."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:  # it ended while we looked
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1 ").split()[0]) == uid:
            count += int(fields.get("Threads", "1").strip() or 1)
    return count
