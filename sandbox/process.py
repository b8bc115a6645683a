"""Run one host process with an outer wall-clock deadline and capped output capture.

Shared by the bwrap and unsafe backends. The pipes are drained continuously so
a flooding child never blocks, but only the first `cap` bytes are kept; a child
that writes more than `kill_after` bytes is killed (output-limit).
"""
from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class RawRun:
    """What came out of one sandboxed process, before any interpretation."""
    exit_code: int | None      # negative: killed by that signal
    stdout: bytes
    stderr: bytes
    timed_out: bool
    killed_reason: str         # "", "timeout", "output-limit"
    seconds: float


def run_process(argv: list[str], *, deadline: float, stdout_cap: int, stderr_cap: int,
                kill_after: int | None = None, env: dict[str, str] | None = None,
                user: int | None = None, group: int | None = None, cwd: str | None = None,
                kill: Callable[[subprocess.Popen], None] | None = None, stdin: int = subprocess.DEVNULL,
                on_start: Callable[[subprocess.Popen], None] | None = None) -> RawRun:
    """Run `argv` in its own session; kill it (with `kill`, default: its process group) at `deadline` seconds.

    `on_start(proc)` runs right after the process exists (e.g. to put it in a cgroup); if it fails, the process
    is killed and the error propagates.
    """
    started = time.monotonic()
    ids = {} if user is None else {"user": user, "group": group, "extra_groups": []}
    proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env if env is not None else {}, cwd=cwd, start_new_session=True, **ids)
    kill = kill or _kill_group
    if on_start is not None:
        try:
            on_start(proc)
        except BaseException:
            kill(proc)
            proc.communicate()
            raise
    caps = {proc.stdout: stdout_cap, proc.stderr: stderr_cap}
    kept: dict = {proc.stdout: bytearray(), proc.stderr: bytearray()}
    seen = {proc.stdout: 0, proc.stderr: 0}
    reason = ""
    with selectors.DefaultSelector() as selector:
        for stream in kept:
            os.set_blocking(stream.fileno(), False)
            selector.register(stream, selectors.EVENT_READ)
        grace_until = None
        while selector.get_map():
            now = time.monotonic()
            if not reason and now - started > deadline:
                reason = "timeout"
            if reason and grace_until is None:
                kill(proc)
                grace_until = now + 2.0  # after the kill, pipes close as soon as the namespace is gone
            if grace_until is not None and now > grace_until:
                break
            limit = (grace_until if grace_until else started + deadline) - now
            for key, _ in selector.select(timeout=max(0.0, min(limit, 0.5))):
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                stream = key.fileobj
                seen[stream] += len(chunk)
                room = caps[stream] - len(kept[stream])
                if room > 0:
                    kept[stream] += chunk[:room]
                if kill_after is not None and seen[stream] > kill_after and not reason:
                    reason = "output-limit"
    for stream in kept:
        stream.close()
    try:
        code = proc.wait(timeout=max(0.0, started + deadline - time.monotonic()) + 1.0)
    except subprocess.TimeoutExpired:
        reason = reason or "timeout"
        kill(proc)
        code = proc.wait()
    return RawRun(exit_code=code, stdout=bytes(kept[proc.stdout]), stderr=bytes(kept[proc.stderr]),
                  timed_out=reason == "timeout", killed_reason=reason, seconds=time.monotonic() - started)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
