"""Turning tests into a harness job, and the harness's result lines back into an ExecutionReport.

Expected values stay here: the job carries only arguments and assert sources.
A run counts only if the harness reported every test exactly once and said
`done`; anything missing is `killed`, never `passed`.
"""
from __future__ import annotations

import json
from typing import Sequence

from sandbox.compare import render, render_call, values_match
from sandbox.process import RawRun
from sandbox.types import AssertTest, CallTest, Compare, ExecutionReport, Limits, Test, TestOutcome


def build_job(code: str, tests: Sequence[Test], entry_point: str, *, prelude: str, limits: Limits,
              fail_fast: bool, sweep: bool) -> dict:
    return {"code": f"{prelude}\n{code}" if prelude else code, "entry_point": entry_point,
            "time_per_test": limits.time_per_test, "output_bytes": limits.output_bytes,
            "fail_fast": fail_fast, "sweep": sweep, "tests": [_job_test(t) for t in tests]}


def _job_test(test: Test) -> dict:
    if isinstance(test, CallTest):
        return {"kind": "call", "args": list(test.args), "kwargs": dict(test.kwargs)}
    if isinstance(test, AssertTest):
        return {"kind": "assert", "source": test.source}
    raise TypeError(f"not a test: {test!r}")


def default_wall(limits: Limits, count: int) -> float:
    """The outer deadline: every test plus loading at its own limit, plus start-up slack."""
    return limits.wall if limits.wall is not None else limits.time_per_test * (count + 1) + 3.0


def build_report(raw: RawRun, tests: Sequence[Test], compare: Compare, backend: str) -> ExecutionReport:
    records: dict[int, dict] = {}
    done: dict | None = None
    for line in raw.stdout.decode(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if record.get("event") == "done":
            done = record
        elif isinstance(record.get("i"), int) and 0 <= record["i"] < len(tests):
            records.setdefault(record["i"], record)
    clean = done is not None and done.get("count") == len(tests) and raw.exit_code == 0 and not raw.killed_reason
    missing = _why_missing(raw, done)
    outcomes = [_outcome(test, records.get(i) if clean else None, compare, missing) for i, test in enumerate(tests)]
    if clean:
        error = str(done.get("error") or "")
    else:
        error = missing
    return ExecutionReport(outcomes=outcomes, backend=backend, seconds=raw.seconds, error=error,
                           killed_reason=raw.killed_reason or ("" if clean else "crashed"))


def _why_missing(raw: RawRun, done: dict | None) -> str:
    if raw.killed_reason == "timeout":
        return f"the sandbox hit its wall-clock deadline after {raw.seconds:.1f} s"
    if raw.killed_reason:
        return f"the sandbox was killed: {raw.killed_reason}"
    if done is None:
        tail = raw.stderr.decode(errors="replace").strip()[-800:]
        return f"the harness ended without a complete report (exit {raw.exit_code}){': ' + tail if tail else ''}"
    return ""


def _outcome(test: Test, record: dict | None, compare: Compare, missing: str) -> TestOutcome:
    is_call = isinstance(test, CallTest)
    base = TestOutcome(status="killed", name=test.name, exception=missing,
                       input=render_call(test.args, test.kwargs) if is_call else render(test.source),
                       expected=render(test.expected) if is_call else "")
    if record is None:
        return base
    base.exception = str(record.get("exception") or "")
    base.traceback = str(record.get("traceback") or "")
    base.stdout = str(record.get("stdout") or "")
    base.seconds = float(record.get("seconds") or 0.0)
    status = record.get("status")
    if status == "returned" and is_call:
        base.actual_value = record.get("value")
        base.actual = render(base.actual_value)
        base.status = "passed" if values_match(base.actual_value, test.expected, compare) else "failed"
    elif status == "returned" or (status == "passed" and is_call):
        base.status, base.exception = "error", "harness protocol violation"
    else:
        base.status = status
    return base
