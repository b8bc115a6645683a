"""The Sandbox facade: picks a backend, runs test suites and programs, returns plain reports."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Sequence

from sandbox.backends import make_backend, pick_auto
from sandbox.link import signal_name, signal_of
from sandbox.process import run_to_end
from sandbox.pytest_run import pytest_command, pytest_report, pytest_wall
from sandbox.report import build_report
from sandbox.session import Run
from sandbox.types import Compare, ExecutionReport, Limits, ProgramResult, Test

UNSAFE = "the unsafe backend runs candidate code as your own user, beside the process that judges it"


class Sandbox:
    """Runs untrusted code. Thread-safe: up to `slots` runs at once, each in its own slot."""

    def __init__(self, backend: str = "auto", limits: Limits | None = None, slots: int = 2):
        self.limits = limits or Limits()
        if backend == "auto":
            self._backend, self.reason = pick_auto(slots)
        else:
            self._backend, self.reason = make_backend(backend, slots), f"asked for {backend!r} by name"
        self.backend: str = self._backend.name
        self._slots = threading.BoundedSemaphore(slots)

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._backend.close()

    def features(self) -> dict[str, bool]:
        """Which isolation this sandbox's backend has here (the same as `check()` reports)."""
        return self._backend.features()

    def run_tests(self, code: str, tests: Sequence[Test], entry_point: str, *, prelude: str = "",
                  compare: Compare = Compare(), limits: Limits | None = None,
                  fail_fast: bool = False) -> ExecutionReport:
        """All `tests` against `prelude + code`: one worker process while it lives, judged here, outside."""
        limits = limits or self.limits
        tests = list(tests)
        if not tests:
            return ExecutionReport(outcomes=[], backend=self.backend)
        started = time.monotonic()
        with self._slots:
            results = Run(self._backend, code, prelude, entry_point, tests, limits, fail_fast).results()
        return build_report(results, tests, compare, self.backend, time.monotonic() - started,
                            untrusted=UNSAFE if self.backend == "unsafe" else "")

    def run_pytest(self, files: dict[str, str], expected_count: int | None = None,
                   limits: Limits | None = None) -> ExecutionReport:
        """Run pytest over `files` (a small repository) in /work; one outcome per test node id.

        Always marked untrusted: the tests share a process with the code under test."""
        limits = limits or self.limits
        command, ro_files, ro_dirs, nonce = pytest_command()
        with self._slots:
            raw = run_to_end(self._backend, command, ro_files=ro_files, ro_dirs=ro_dirs,
                             work_files={name: text.encode() for name, text in files.items()}, limits=limits,
                             wall=pytest_wall(limits, expected_count), stdout_cap=limits.value_bytes,
                             stderr_cap=limits.output_bytes, kill_after=None, stdin=nonce + b"\n")
        return pytest_report(raw, nonce, expected_count, self.backend, limits)

    def run_program(self, path_or_code: str | Path, files: dict[str, str | bytes] | None = None,
                    limits: Limits | None = None) -> ProgramResult:
        """Run a Python program (a path to a file, or source text) as /work/main.py with `files` beside it."""
        limits = limits or self.limits
        source = Path(path_or_code).read_bytes() if isinstance(path_or_code, Path) else str(path_or_code).encode()
        work = {name: data.encode() if isinstance(data, str) else data for name, data in (files or {}).items()}
        work["main.py"] = source
        wall = limits.wall if limits.wall is not None else limits.time_per_test
        with self._slots:
            raw = run_to_end(self._backend, ["python3", "/work/main.py"], ro_files={}, work_files=work,
                             limits=limits, wall=wall, stdout_cap=limits.output_bytes,
                             stderr_cap=limits.output_bytes, kill_after=4 * limits.output_bytes)
        code = raw.exit_code if not raw.killed_reason else None
        return ProgramResult(exit_code=code, stdout=raw.stdout.decode(errors="replace"),
                             stderr=raw.stderr.decode(errors="replace"), timed_out=raw.timed_out,
                             killed_reason=raw.killed_reason or signal_reason(raw.exit_code),
                             seconds=raw.seconds, backend=self.backend,
                             limit_hit={"timeout": "wall", "output-limit": "output_bytes"}.get(
                                 raw.killed_reason, raw.limit_hit))


def signal_reason(code: int | None) -> str:
    """'signal 11 (SIGSEGV)' for an exit status that stands for a signal, else ''."""
    number = signal_of(code)
    return signal_name(number) if number else ""
