"""The host's end of one jailed process: frames out on its stdin, frames in from its stdout, under a deadline.

Writing and reading share one select loop, so a jail that stops reading while
it writes (or the reverse) costs a timeout, never a deadlock. Only what the
current frame needs is read, and a frame announced larger than the limit is
refused from its header, so host memory stays within one frame and a chunk.
"""
from __future__ import annotations

import select
import signal
import time
from dataclasses import dataclass
from typing import Protocol

from sandbox.wire import HEADER, Frames

CHUNK = 1 << 16


class Timeout(Exception):
    """The deadline passed before a whole frame arrived."""


class Closed(Exception):
    """The process closed its stdout (it ended, or will) before a whole frame arrived."""


class Transport(Protocol):
    """Raw bytes to and from one jailed process (pipes for bwrap, a hijacked socket for docker).

    Its stderr is kept apart: the first bytes in `err` (capped), the count in `err_seen`."""
    err: bytearray
    err_seen: int

    def read_fds(self) -> list[int]: ...
    def write_fd(self) -> int: ...
    def read(self, fd: int, size: int) -> bytes | None:
        """Stdout bytes from `fd` (b"" when there were none, e.g. stderr, kept apart); None once stdout ended."""
    def write(self, data: memoryview) -> int: ...
    def close_input(self) -> None: ...


def signal_of(code: int | None) -> int:
    """The signal an exit status stands for: -N from Popen, 128+N from a shell, bwrap or docker; else 0."""
    if code is None:
        return 0
    return -code if code < 0 else code - 128 if code > 128 else 0


def signal_name(number: int) -> str:
    try:
        return f"signal {number} ({signal.Signals(number).name})"
    except ValueError:
        return f"signal {number}"


@dataclass
class Ending:
    """How a jailed process ended, as the host saw it."""
    code: int | None      # its exit status (negative: a signal from the host; 128+N: signal N inside); None: unknown
    limit_hit: str        # a Limits field the host found exhausted (cgroup, tmpfs), if any
    stderr: str

    @property
    def signal(self) -> int:
        return signal_of(self.code)

    @property
    def how(self) -> str:
        if self.signal:
            return f"was killed by {signal_name(self.signal)}"
        return f"exited with code {self.code}" if self.code is not None else "ended"


class Jail(Protocol):
    """One running jailed process, as a backend hands it to the host."""
    transport: Transport

    def limit_hit(self) -> str:
        """A Limits field the host can see exhausted right now (memory, pids, tmpfs), or ''."""
    def close(self, settle: bool = False) -> Ending:
        """Kill whatever still runs, reap, clean up; idempotent; never raises. `settle`: finish cleaning up
        before returning (some backends otherwise do it in the background), so `limit_hit` is complete."""


class Link:
    def __init__(self, transport: Transport, limit: int):
        self.transport = transport
        self.frames = Frames(limit)
        self.outgoing = bytearray()
        self.ended = False

    def send(self, data: bytes) -> None:
        """Queue a frame (already framed bytes); it is written while the next receive waits."""
        self.outgoing += data

    def send_body(self, body: bytes) -> None:
        self.send(HEADER.pack(len(body)) + body)

    def receive(self, deadline: float) -> bytes:
        """The next frame's body; Timeout, Closed, or wire.Rejected (announced too large)."""
        while True:
            body = self.frames.pop()
            if body is not None:
                return body
            if self.ended:
                raise Closed()
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            writing = [self.transport.write_fd()] if self.outgoing else []
            readable, writable, _ = select.select(self.transport.read_fds(), writing, [], left)
            if writable:
                del self.outgoing[:self.transport.write(memoryview(self.outgoing))]
            for fd in readable:
                chunk = self.transport.read(fd, min(max(self.frames.wanted(), CHUNK), 1 << 20))
                if chunk is None:
                    self.ended = True
                elif chunk:
                    self.frames.feed(chunk)
