"""Renders an ExecutionReport as the text an LLM reads: the concrete failures, compactly."""
from __future__ import annotations

from sandbox.types import ExecutionReport, TestOutcome


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 15] + " …[truncated]"


def describe_outcome(outcome: TestOutcome, *, limit: int = 400) -> str:
    lines = [f"- {outcome.name or 'test'}: {outcome.status.upper()}"]
    if outcome.input:
        lines.append(f"  input: {_clip(outcome.input, limit)}")
    if outcome.status == "failed":
        lines.append(f"  expected: {_clip(outcome.expected, limit)}")
        lines.append(f"  got: {_clip(outcome.actual, limit)}")
    if outcome.exception:
        lines.append(f"  exception: {_clip(outcome.exception, limit)}")
    if outcome.traceback and outcome.status == "error":
        lines.append("  traceback (last lines):\n    " + "\n    ".join(outcome.traceback.strip().splitlines()[-4:]))
    if outcome.status == "timeout":
        lines.append(f"  exceeded the time limit after {outcome.seconds:.2f}s: the algorithm is too slow or loops forever")
    return "\n".join(lines)


def describe_failures(report: ExecutionReport, *, max_failures: int = 5) -> str:
    """At most `max_failures` failing outcomes, plus a harness-level error when there is one."""
    parts = []
    if report.error:
        parts.append(f"The program could not run: {_clip(report.error, 800)}")
    failing = report.failing
    parts.extend(describe_outcome(o) for o in failing[:max_failures])
    if len(failing) > max_failures:
        parts.append(f"(and {len(failing) - max_failures} more failing tests)")
    return "\n".join(parts) if parts else "All tests passed."
