"""Today's loop: a zero-shot candidate, then critique -> rewrite while visible tests fail; keeps the best."""
from __future__ import annotations

from coderefine.loop import Run, converged, first_candidate, gradient, step


def simple_refine(run: Run) -> str:
    current = run.add(first_candidate(run))
    for _ in run.rounds():
        if reason := converged(current):
            return reason
        critique = gradient(run, current)
        current = run.add(step(run, current, critique))
    return converged(current) or "iteration budget spent"
