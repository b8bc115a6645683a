"""The Sandbox facade: picks a backend, runs test suites and programs, returns plain reports."""
from __future__ import annotations

import json
import threading
from importlib import resources
from pathlib import Path
from typing import Sequence

from sandbox.backends import Backend, make_backend, pick_auto
from sandbox.judge import build_job, build_report, default_wall
from sandbox.types import Compare, ExecutionReport, Limits, ProgramResult, Test, TestOutcome

PYTHON_INSIDE = "python3"
RESULT_CAP = 256 << 20  # the harness's own channel: large return values are legitimate


def harness_source() -> bytes:
    return resources.files("sandbox").joinpath("harness.py").read_bytes()


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

    @property
    def backend_impl(self) -> Backend:
        return self._backend

    def run_tests(self, code: str, tests: Sequence[Test], entry_point: str, *, prelude: str = "",
                  compare: Compare = Compare(), limits: Limits | None = None,
                  fail_fast: bool = False) -> ExecutionReport:
        """All `tests` against `prelude + code` in ONE sandboxed process; compared here, outside."""
        limits = limits or self.limits
        tests = list(tests)
        if not tests:
            return ExecutionReport(outcomes=[], backend=self.backend)
        job = build_job(code, tests, entry_point, prelude=prelude, limits=limits, fail_fast=fail_fast,
                        sweep=self.backend == "docker")  # bwrap: the PID namespace dies with it
        ro = {"harness.py": harness_source(), "job.json": json.dumps(job).encode()}
        with self._slots:
            raw = self._backend.execute([PYTHON_INSIDE, "-I", "/sb/harness.py", "/sb/job.json"], ro_files=ro,
                                        work_files={}, limits=limits, wall=default_wall(limits, len(tests)),
                                        stdout_cap=RESULT_CAP, stderr_cap=limits.output_bytes, kill_after=None)
        return build_report(raw, tests, compare, self.backend)

    def run_pytest(self, files: dict[str, str], expected_count: int | None = None,
                   limits: Limits | None = None) -> ExecutionReport:
        """Run pytest over `files` (a small repository) in /work; one outcome per test node id."""
        limits = limits or self.limits
        plugin = resources.files("sandbox").joinpath("pytest_plugin.py").read_bytes()
        work = {name: text.encode() for name, text in files.items()}
        wall = limits.wall if limits.wall is not None else limits.time_per_test * max(expected_count or 10, 1) + 10
        command = [PYTHON_INSIDE, "-c", "import sys; sys.path[:0] = ['/sb', '/pylib']; import pytest; "
                   "sys.exit(pytest.main(['-p', 'pytest_plugin', '-q', '-p', 'no:cacheprovider', '/work']))"]
        with self._slots:
            raw = self._backend.execute(command, ro_files={"pytest_plugin.py": plugin}, work_files=work,
                                        limits=limits, wall=wall, stdout_cap=RESULT_CAP,
                                        stderr_cap=limits.output_bytes, kill_after=None,
                                        ro_dirs={"/pylib": _pytest_home()})
        return _pytest_report(raw, expected_count, self.backend)

    def run_program(self, path_or_code: str | Path, files: dict[str, str | bytes] | None = None,
                    limits: Limits | None = None) -> ProgramResult:
        """Run a Python program (a path to a file, or source text) as /work/main.py with `files` beside it."""
        limits = limits or self.limits
        source = Path(path_or_code).read_bytes() if isinstance(path_or_code, Path) else str(path_or_code).encode()
        work = {name: data.encode() if isinstance(data, str) else data for name, data in (files or {}).items()}
        work["main.py"] = source
        wall = limits.wall if limits.wall is not None else limits.time_per_test
        with self._slots:
            raw = self._backend.execute([PYTHON_INSIDE, "/work/main.py"], ro_files={}, work_files=work, limits=limits,
                                        wall=wall, stdout_cap=limits.output_bytes, stderr_cap=limits.output_bytes,
                                        kill_after=4 * limits.output_bytes)
        code = raw.exit_code if not raw.killed_reason else None
        return ProgramResult(exit_code=code, stdout=raw.stdout.decode(errors="replace"),
                             stderr=raw.stderr.decode(errors="replace"), timed_out=raw.timed_out,
                             killed_reason=raw.killed_reason or _signal_reason(raw.exit_code),
                             seconds=raw.seconds, backend=self.backend)


def _pytest_home() -> str:
    """The host dir holding our pytest (pure Python), bound read-only for backends whose python lacks it."""
    import pytest
    return str(Path(pytest.__file__).resolve().parent.parent)


def _pytest_report(raw, expected_count: int | None, backend: str) -> ExecutionReport:
    """Outcomes per node id; anything short of a clean finish with the expected count is not a pass."""
    records, done = [], None
    for line in raw.stdout.decode(errors="replace").splitlines():
        if "@@coderefine " in line:  # pytest's own output may precede it on the same line
            try:
                record = json.loads(line.split("@@coderefine ", 1)[1])
            except ValueError:
                continue
            if record.get("event") == "done":
                done = record
            elif "nodeid" in record:
                records.append(record)
    outcomes = [TestOutcome(status=r.get("status", "error"), name=str(r["nodeid"]), seconds=float(r.get("seconds", 0)),
                            traceback=str(r.get("traceback", ""))) for r in records]
    problems = []
    if raw.killed_reason:
        problems.append(f"killed: {raw.killed_reason}")
    if done is None or raw.exit_code not in (0, 1):
        problems.append(f"pytest did not finish cleanly (exit {raw.exit_code}): "
                        f"{raw.stderr.decode(errors='replace')[-600:] or raw.stdout.decode(errors='replace')[-600:]}")
    if expected_count is not None and len(outcomes) != expected_count:
        problems.append(f"expected {expected_count} tests, got {len(outcomes)}")
    if problems:
        for outcome in outcomes:
            if outcome.status == "passed":
                outcome.status, outcome.exception = "killed", "; ".join(problems)
        if not outcomes:
            outcomes = [TestOutcome(status="killed", name="pytest", exception="; ".join(problems))]
    return ExecutionReport(outcomes=outcomes, backend=backend, seconds=raw.seconds, error="; ".join(problems),
                           killed_reason=raw.killed_reason)


def _signal_reason(code: int | None) -> str:
    """A negative exit code from bwrap's child shows up as 128+N; name the signal for the report."""
    import signal
    if code is None:
        return ""
    number = -code if code < 0 else code - 128 if code > 128 else 0
    try:
        return f"signal {number} ({signal.Signals(number).name})" if number else ""
    except ValueError:
        return ""
