"""The loss: run a candidate against a set of tests in the sandbox, with the problem's limits."""
from __future__ import annotations

from dataclasses import replace
from typing import Protocol, Sequence

from coderefine.problem import Problem
from sandbox.types import Compare, ExecutionReport, Limits, Test


class Runner(Protocol):
    """The slice of `sandbox.Sandbox` the loop needs (so tests can pass a real sandbox of any backend)."""
    def run_tests(self, code: str, tests: Sequence[Test], entry_point: str, *, prelude: str = "",
                  compare: Compare = ..., limits: Limits | None = None, fail_fast: bool = False) -> ExecutionReport: ...


def limits_for(problem: Problem, base: Limits | None = None) -> Limits:
    """The sandbox limits with the problem's own time limit per test."""
    return replace(base or Limits(), time_per_test=problem.time_limit)


def run_suite(problem: Problem, code: str, tests: Sequence[Test], runner: Runner, *,
              fail_fast: bool = False) -> ExecutionReport:
    """All `tests` against `code` in one sandboxed process, with the problem's limits and comparison."""
    return runner.run_tests(code, list(tests), problem.entry_point, prelude=problem.prelude,
                            compare=problem.compare, limits=limits_for(problem), fail_fast=fail_fast)
