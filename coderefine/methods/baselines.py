"""The two simplest baselines: zero-shot, and resampling with rising temperature (Kapoor et al.)."""
from __future__ import annotations

from coderefine.loop import Run, first_candidate, fresh_sample
from coderefine.types import Candidate


def zero_shot(run: Run) -> str:
    """One call at the base temperature; no tests are used."""
    run.add(first_candidate(run, reminder=False))
    return "zero-shot"


def resample(run: Run) -> str:
    """Call k asks the zero-shot prompt again at temperature base + 0.1·k (capped at 1) with its own seed,
    with no feedback between calls; it stops at the first candidate that passes every visible test.
    Call 0 is the zero-shot request itself. The answer is the best candidate, the earliest on ties
    (Kapoor et al. kept the last). With no visible tests there is nothing to select with, so it stops."""
    current = run.add(first_candidate(run, reminder=False))
    for k in run.rounds():
        if not current.visible.total:
            return "no visible tests to select with"
        if current.visible.complete:
            return "visible tests pass"
        code = fresh_sample(run, k)
        current = run.add(Candidate(index=-1, code=code or "", origin="resample"))
    return "visible tests pass" if current.visible.complete else "iteration budget spent"
