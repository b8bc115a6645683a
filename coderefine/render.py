"""How test results read to people: one line per failing test, and one line for tests that all failed the same
way for a reason that has nothing to do with their input. (What the model reads is a template in prompts/.)"""
from __future__ import annotations

import itertools
from typing import Sequence

from sandbox import TestOutcome


def outcome_line(outcome: TestOutcome, width: int = 120) -> str:
    """`name: status (why)`, with the input, expected and actual values clipped to `width`."""
    def clip(text: str) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    if outcome.status == "failed":
        why = f"input {clip(outcome.input)}, expected {clip(outcome.expected)}, got {clip(outcome.actual)}"
    else:
        why = clip(outcome.exception) or (f"input {clip(outcome.input)}" if outcome.input else "")
    return f"{outcome.name or 'test'}: {outcome.status}" + (f" ({why})" if why else "")


NOT_RUN = "not run:"  # how the sandbox marks the tests after the one that ended a run


def _shared_cause(outcome: TestOutcome, error: str) -> object:
    """Errors with the same message (a syntax error, a missing entry point) share a cause, and so do the
    tests the program's own error kept from running; anything else is about its own input and stands alone."""
    if error and (outcome.exception == error or outcome.exception.startswith(NOT_RUN)):
        return "the program's error"
    return (outcome.status, outcome.exception) if outcome.status == "error" and outcome.exception else id(outcome)


def failure_lines(failures: Sequence[TestOutcome], *, error: str = "", limit: int | None = 10) -> list[str]:
    """Lines for the failing tests, a run of tests with one shared cause as one line; `error` (the whole
    program's, already shown) is referred to, not repeated; at most `limit` lines and a count of the rest."""
    lines = []
    for key, run in itertools.groupby(failures, key=lambda o: _shared_cause(o, error)):
        run = list(run)
        if len(run) == 1 and key != "the program's error":
            lines.append(outcome_line(run[0]))
            continue
        cause = "as above" if key == "the program's error" else run[0].exception
        lines.append(f"{run[0].name or 'test'} to {run[-1].name or 'test'} ({len(run)} tests): {run[0].status} ({cause})")
    if limit is not None and len(lines) > limit:
        lines = lines[:limit] + [f"... and {len(lines) - limit} more"]
    return lines
