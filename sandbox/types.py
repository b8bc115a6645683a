"""Data that crosses the sandbox border: tests and limits in, reports out.

Everything here is plain data, so `coderefine` can build tests and read
reports without knowing how they are executed.
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

    `expected` never enters the sandbox: the candidate's side only returns
    what the candidate produced.
    """
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    expected: Any = None
    name: str = ""


@dataclass(frozen=True)
class AssertTest:
    """Python source that asserts on `candidate` (HumanEval's and LeetCodeDataset's `check` style).

    It runs in a separate checker process that holds no candidate code:
    `candidate` there is a proxy that returns the candidate's results as
    plain values, so the asserts and helpers the source calls are the
    problem's own, never the candidate's.
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
    """Resource limits for one run. A report names the field of the limit that stopped a test (`limit_hit`)."""
    time_per_test: float = 2.0      # seconds of wall time for one test (loading the candidate counts as one)
    wall: float | None = None       # deadline for the whole run; None: derived from the tests
    startup: float = 10.0           # seconds for a jail and its interpreter to start, not charged to any test
    memory_mb: int = 1024           # address space per process and, where cgroups exist, the whole jail
    cpu_seconds: int | None = None  # RLIMIT_CPU; None means derived from the wall deadline
    nproc: int = 64                 # processes and threads
    nofile: int = 64                # open files per process
    fsize_mb: int = 16              # largest file a process may write
    output_bytes: int = 64_000      # captured stdout/stderr kept per test or program, each
    tmp_mb: int = 64                # /work, /tmp and /dev/shm together (one tmpfs)
    files: int = 10_000             # files and directories in that space
    value_bytes: int = 8 << 20      # largest serialized return value (or message) accepted from a jail
    value_depth: int = 100          # deepest nesting of lists and dicts accepted in a return value
    value_items: int = 1_000_000    # most list items, dict entries and numbers in one return value


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
    limit_hit: str = ""       # the Limits field that stopped this test, if one did


@dataclass
class ExecutionReport:
    """All outcomes for one candidate, plus totals and how it was run.

    `untrusted` says why these verdicts could have been forged (code under
    test shared a process with what reported them); empty means every verdict
    came from the host or from the checker process.
    """
    outcomes: list[TestOutcome]
    backend: str
    seconds: float = 0.0
    error: str = ""            # run-level failure (syntax error, missing entry point, killed, invalidated...)
    killed_reason: str = ""
    limit_hit: str = ""        # the Limits field that stopped the whole run, if one did
    untrusted: str = ""

    @property
    def trusted(self) -> bool:
        return not self.untrusted

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
    limit_hit: str = ""        # the Limits field the program ran into, where the host could see it
