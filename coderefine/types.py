"""The data that flows between the parts: Report, Candidate, Budget, CallRecord, Trajectory. Data only.

A trajectory is the whole record of one method run: every candidate with its
parent and the critique and patch that produced it, every LLM call, the budget
it ran under, and (added by the caller, once) the hidden verdict of its final
answer. It is saved as JSON after every step, so a crash loses nothing.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from coderefine.llm.usage import Usage
from sandbox import ExecutionReport, TestOutcome


@dataclass
class Report:
    """How one candidate did on one set of tests: visible, self-generated, stress or hidden."""
    passed: int = 0
    total: int = 0
    failures: list[TestOutcome] = field(default_factory=list)  # failing outcomes, in test order
    error: str = ""        # the program as a whole could not run (syntax error, killed, ...)
    seconds: float = 0.0
    backend: str = ""
    limit_hit: str = ""    # the sandbox limit that stopped the run (a Limits field), if one did
    untrusted: str = ""    # why the code under test could have forged these verdicts; empty: it could not

    @classmethod
    def of(cls, report: ExecutionReport) -> "Report":
        return cls(passed=report.passed, total=report.total, failures=report.failing, error=report.error,
                   seconds=report.seconds, backend=report.backend, limit_hit=report.limit_hit,
                   untrusted=report.untrusted)

    @property
    def fraction(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def complete(self) -> bool:
        """Every test passed, and there was at least one."""
        return self.total > 0 and self.passed == self.total

    def to_dict(self, *, compact: bool = False) -> dict:
        """JSON-ready. `compact` (for trajectories, which hold many reports) omits fields left at their
        defaults and the empty fields of each failing outcome."""
        data = {"passed": self.passed, "total": self.total,
                "failures": [_outcome_dict(o, compact) for o in self.failures],
                "error": self.error, "seconds": round(self.seconds, 4), "backend": self.backend,
                "limit_hit": self.limit_hit, "untrusted": self.untrusted}
        return {k: v for k, v in data.items() if v or k in ("passed", "total")} if compact else data


def _outcome_dict(outcome: TestOutcome, compact: bool) -> dict:
    data = {f.name: getattr(outcome, f.name) for f in fields(outcome) if f.name != "actual_value"}
    return {k: v for k, v in data.items() if v or k == "status"} if compact else data


@dataclass
class Candidate:
    """One program a method produced. `critique` and `patch` are what turned `parent` into this one."""
    index: int
    code: str
    origin: str                      # "zero-shot" | "rewrite" | "patch" | "resample" | ...
    parent: int | None = None
    critique: str = ""
    patch: str = ""
    visible: Report = field(default_factory=Report)
    selftest: Report = field(default_factory=Report)
    stress: Report = field(default_factory=Report)

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("visible", "selftest", "stress"):
            data[name] = data[name].to_dict(compact=True)
        return data


@dataclass(frozen=True)
class Budget:
    """What a method may spend. Every call counts, including calls served from the response cache:
    the cache saves wall time, never budget."""
    calls: int | None = None         # LLM calls; None: no cap
    tokens: int | None = None        # prompt + completion tokens; None: no cap
    max_iters: int | None = None     # refinement iterations after the first candidate; None: as calls allow
    temperature: float = 0.3         # the base temperature of calls that the anchors made at T=0
    code_tokens: int = 1536          # max new tokens for a reply that carries a whole program
    critique_tokens: int = 512       # max new tokens for a critique

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CallRecord:
    """One LLM call as the budget saw it."""
    role: str                        # "solve" | "critique" | "rewrite" | "reminder" | ...
    temperature: float
    seed: int | None
    usage: Usage = field(default_factory=Usage)
    reply: str = ""                  # what the model said, so a trajectory shows why each step went as it did


@dataclass
class Trajectory:
    problem_id: str
    method: str
    model: str
    seed: int
    problem_hash: str = ""           # of statement and tests, so results from other data are never mixed
    budget: Budget = field(default_factory=Budget)
    candidates: list[Candidate] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    final_index: int | None = None
    stop_reason: str = ""
    seconds: float = 0.0
    sandbox_runs: int = 0
    stats: dict = field(default_factory=dict)  # method-specific counters (self tests kept, patch paths, ...)
    selftests: list[dict] = field(default_factory=list)  # the tests the method wrote itself, with their labels
    hidden: Report | None = None     # the verdict on the final answer, made once, outside the method

    @property
    def final(self) -> Candidate | None:
        return None if self.final_index is None else self.candidates[self.final_index]

    @property
    def usage(self) -> Usage:
        return sum((c.usage for c in self.calls), Usage())

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["budget"] = self.budget.to_dict()
        data["candidates"] = [c.to_dict() for c in self.candidates]
        data["calls"] = [{**asdict(c), "usage": c.usage.to_dict()} for c in self.calls]
        data["hidden"] = self.hidden.to_dict(compact=True) if self.hidden else None
        data["usage"] = self.usage.to_dict()
        return data

    def save(self, path: Path) -> None:
        """Atomic write: a reader never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(self.to_dict(), indent=1, default=repr))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
