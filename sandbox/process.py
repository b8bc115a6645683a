"""Host-side plumbing for one jailed process: its pipes as a Transport, and draining a whole program's output.

Output is drained continuously, so a flooding child never blocks, but only the
first `cap` bytes of each stream are kept: host memory per run is the caps
plus one chunk, whatever the child writes. A child that writes more than
`kill_after` bytes is stopped (output-limit).
"""
from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Callable

from sandbox.link import CHUNK, Ending, Transport
from sandbox.types import Limits


@dataclass
class RawRun:
    """What came out of one sandboxed program, before any interpretation."""
    exit_code: int | None      # None: killed by the host
    stdout: bytes
    stderr: bytes
    timed_out: bool
    killed_reason: str         # "", "timeout", "output-limit"
    seconds: float
    limit_hit: str = ""        # a Limits field the host saw exhausted


class Pipes:
    """A Popen's stdin/stdout/stderr as a non-blocking Transport; stderr is kept apart, capped."""

    def __init__(self, proc: subprocess.Popen, stderr_cap: int):
        self.proc, self.stderr_cap = proc, stderr_cap
        self.err = bytearray()
        self.err_seen = 0
        self.open = {proc.stdout.fileno(), proc.stderr.fileno()}
        for fd in (*self.open, proc.stdin.fileno()):
            os.set_blocking(fd, False)

    def read_fds(self) -> list[int]:
        return sorted(self.open)

    def write_fd(self) -> int:
        return self.proc.stdin.fileno()

    def read(self, fd: int, size: int) -> bytes | None:
        try:
            chunk = os.read(fd, size)
        except BlockingIOError:
            return b""
        if not chunk:
            self.open.discard(fd)
        if fd == self.proc.stderr.fileno():
            self.err_seen += len(chunk)
            self.err += chunk[:max(0, self.stderr_cap - len(self.err))]
            return b""
        return chunk if chunk else None

    def write(self, data: memoryview) -> int:
        try:
            return os.write(self.proc.stdin.fileno(), data)
        except BlockingIOError:
            return 0
        except OSError:  # the child closed its end: what it did not read no longer matters
            return len(data)

    def close_input(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass


class ProcessJail:
    """A jailed host process (bwrap, or the unsafe backend's plain one) and the host resources it owns.

    `stop(proc)` ends whatever still runs (default: SIGKILL to the process's session); the process is then reaped."""

    def __init__(self, proc: subprocess.Popen, stderr_cap: int, cleanup: ExitStack, evidence: Callable[[], str],
                 stop: Callable[[subprocess.Popen], None] | None = None):
        self.proc, self.cleanup, self.evidence, self.stop = proc, cleanup, evidence, stop or kill_session
        self.transport = Pipes(proc, stderr_cap)
        self.ending: Ending | None = None

    def limit_hit(self) -> str:
        return self.evidence()

    def close(self, settle: bool = False) -> Ending:
        if self.ending is None:
            self.stop(self.proc)
            code = self.proc.wait()
            hit = self.evidence()
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                stream.close()
            self.cleanup.close()
            self.ending = Ending(code=code, limit_hit=hit, stderr=self.transport.err.decode(errors="replace"))
        return self.ending


def kill_session(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def drain(transport: Transport, stdin: bytes, deadline: float, stdout_cap: int,
          kill_after: int | None) -> tuple[bytes, bytes, str]:
    """Feed `stdin` (then EOF) and read a program's output until it closes both streams, the deadline passes,
    or it writes too much. Returns (stdout, stderr, reason) with reason "", "timeout" or "output-limit"."""
    out = bytearray()
    seen = 0
    pending = memoryview(stdin)
    if not pending:
        transport.close_input()
    while transport.read_fds():
        left = deadline - time.monotonic()
        if left <= 0:
            return bytes(out), bytes(transport.err), "timeout"
        readable, writable, _ = select.select(transport.read_fds(), [transport.write_fd()] if pending else [], [], left)
        if writable:
            pending = pending[transport.write(pending):]
            if not pending:
                transport.close_input()
        for fd in readable:
            chunk = transport.read(fd, CHUNK)
            if chunk:
                seen += len(chunk)
                out += chunk[:max(0, stdout_cap - len(out))]
        if kill_after is not None and max(seen, transport.err_seen) > kill_after:
            return bytes(out), bytes(transport.err), "output-limit"
    return bytes(out), bytes(transport.err), ""


def run_to_end(backend, command: list[str], *, ro_files: dict[str, bytes], work_files: dict[str, bytes],
               limits: Limits, wall: float, stdout_cap: int, stderr_cap: int, kill_after: int | None,
               stdin: bytes = b"", ro_dirs: dict[str, str] | None = None) -> RawRun:
    """Run a whole program in a fresh jail of `backend`, with a wall-clock deadline and capped output."""
    started = time.monotonic()
    jail = backend.open(command, ro_files=ro_files, work_files=work_files, limits=limits, wall=wall,
                        stderr_cap=stderr_cap, ro_dirs=ro_dirs)
    try:
        out, err, reason = drain(jail.transport, stdin, started + wall, stdout_cap, kill_after)
    finally:
        ending = jail.close(settle=True)
    return RawRun(exit_code=None if reason else ending.code, stdout=out, stderr=err, timed_out=reason == "timeout",
                  killed_reason=reason, seconds=time.monotonic() - started, limit_hit=ending.limit_hit)
