"""The host's records of a run -> an ExecutionReport: call-test values compared here, everything rendered safely.

Expected values never left the host. A run whose protocol was broken is void:
every outcome, even one that looked passed, becomes an error naming why.
"""
from __future__ import annotations

from typing import Sequence

from sandbox.compare import clean, render, render_call, values_match
from sandbox.session import Record, Results
from sandbox.types import CallTest, Compare, ExecutionReport, Test, TestOutcome


def build_report(results: Results, tests: Sequence[Test], compare: Compare, backend: str, seconds: float,
                 untrusted: str = "") -> ExecutionReport:
    outcomes = [_outcome(test, record, compare) for test, record in zip(tests, results.records)]
    outcomes += [_outcome(test, Record("killed", exception=results.invalid or results.error), compare)
                 for test in tests[len(outcomes):]]
    error, killed = clean(results.error), "timeout" if results.limit_hit == "wall" else ""
    if results.invalid:
        error, killed = f"run invalidated: {clean(results.invalid)}", "invalid"
        for outcome in outcomes:
            outcome.status, outcome.exception = "error", error
    return ExecutionReport(outcomes=outcomes, backend=backend, seconds=seconds, error=error, killed_reason=killed,
                           limit_hit=results.limit_hit, untrusted=untrusted)


def _outcome(test: Test, record: Record, compare: Compare) -> TestOutcome:
    is_call = isinstance(test, CallTest)
    outcome = TestOutcome(status=record.status, name=test.name, exception=clean(record.exception),
                          traceback=clean(record.traceback), stdout=clean(record.stdout), seconds=record.seconds,
                          limit_hit=record.limit_hit,
                          input=render_call(test.args, test.kwargs) if is_call else render(test.source),
                          expected=render(test.expected) if is_call else "")
    if record.status == "returned":
        outcome.actual_value = record.value
        outcome.actual = render(record.value)
        outcome.status = "passed" if values_match(record.value, test.expected, compare) else "failed"
    return outcome
