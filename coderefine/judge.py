"""The hidden-test judge: the one verdict the benchmark, `solve` and `problems check` share."""
from __future__ import annotations

from coderefine.problem import Problem
from coderefine.loss import run_suite
from sandbox.types import ExecutionReport, TestOutcome


def judge(problem: Problem, code: str, sandbox, *, fail_fast: bool = False) -> ExecutionReport:
    """Run `code` on the problem's hidden tests in `sandbox` (a `sandbox.Sandbox`).

    `fail_fast` stops at the first timeout or crash; a final verdict does not
    need the rest, but a report that shows every failure does.
    """
    return run_suite(problem, code, problem.hidden_tests, sandbox, fail_fast=fail_fast)


def _failure(outcome: TestOutcome) -> dict:
    return {"name": outcome.name, "status": outcome.status, "input": outcome.input, "expected": outcome.expected,
            "actual": outcome.actual, "exception": outcome.exception, "seconds": round(outcome.seconds, 4)}


def verdict(report: ExecutionReport) -> dict:
    """JSON-ready summary: `passed`, `total`, `failures` (skipped tests after a fail-fast stop are not listed)."""
    return {
        "passed": report.passed,
        "total": report.total,
        "all_passed": report.all_passed,
        "backend": report.backend,
        "seconds": round(report.seconds, 3),
        "error": report.error,
        "failures": [_failure(o) for o in report.failing],
    }
