"""Data that crosses the sandbox border: tests in, reports out.

Everything here is plain data (JSON-friendly) so it can be written to a job
file for the in-sandbox harness and read back, and so `coderefine` can build
tests without knowing how they are executed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal[
    "passed", "failed", "error", "timeout", "memory",
    "output-limit", "crashed", "killed", "skipped",
]
CompareMode = Literal["exact", "float", "any_order"]


@dataclass(frozen=True)
class CallTest:
    """Call the entry point with JSON arguments; compare the return value outside the sandbox.

    `expected` never enters the sandbox: the harness only returns what the
    candidate produced.
    """
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    expected: Any = None
    name: str = ""


@dataclass(frozen=True)
class AssertTest:
    """Python source that asserts on `candidate` (LeetCodeDataset's style).

    Used only where a test cannot be turned into a CallTest: its expected
    value necessarily lives inside the sandbox.
    """
    source: str
    name: str = ""


Test = CallTest | AssertTest


@dataclass(frozen=True)
class Compare:
    """How an actual value is matched against the expected one (outside the sandbox)."""
    mode: CompareMode = "exact"
    float_tol: float = 1e-6


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed process."""
    time_per_test: float = 2.0      # seconds of wall time for one test inside the harness
    wall: float | None = None       # outer deadline; None means derived from the tests
    memory_mb: int = 1024           # address space / cgroup memory
    cpu_seconds: int | None = None  # RLIMIT_CPU; None means derived from `wall`
    nproc: int = 64
    nofile: int = 64
    fsize_mb: int = 16
    output_bytes: int = 64_000      # captured stdout/stderr cap, each
    tmp_mb: int = 64


@dataclass
class TestOutcome:
    """One test's result. `input`, `expected` and `actual` are compact renderings."""
    __test__ = False  # not a pytest test class, despite the name
    status: Status
    name: str = ""
    input: str = ""
    expected: str = ""
    actual: str = ""
    exception: str = ""
    traceback: str = ""
    stdout: str = ""
    seconds: float = 0.0
    actual_value: Any = None  # the decoded return value (CallTest), for callers that need it


@dataclass
class ExecutionReport:
    """All outcomes for one candidate, plus totals and how it was run."""
    outcomes: list[TestOutcome]
    backend: str
    seconds: float = 0.0
    error: str = ""            # harness-level failure (syntax error, missing entry point, killed...)
    killed_reason: str = ""

    @property
    def passed(self) -> int:
        return sum(o.status == "passed" for o in self.outcomes)

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def failing(self) -> list[TestOutcome]:
        """Outcomes that count against the candidate (tests skipped after a fail-fast stop do not)."""
        return [o for o in self.outcomes if o.status not in ("passed", "skipped")]

    @property
    def all_passed(self) -> bool:
        return self.total > 0 and self.passed == self.total


@dataclass
class ProgramResult:
    """Result of running a whole program in the sandbox."""
    exit_code: int | None
    stdout: str
    stderr: str
    timed_out: bool
    killed_reason: str
    seconds: float
    backend: str
