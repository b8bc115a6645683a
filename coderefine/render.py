"""How test results read to people: one line per failing test. (What the model reads is a template in prompts/.)"""
from __future__ import annotations

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
