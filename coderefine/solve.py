"""`solve`: run the refinement loop on one problem, then judge the final answer once on the hidden tests."""
from __future__ import annotations

import time
from typing import Callable

from coderefine.judge import judge
from coderefine.problem import Problem
from coderefine.refine import LLM, Budget, simple_refine
from coderefine.loss import Runner
from coderefine.trajectory import Trajectory, Verdict


def solve_problem(problem: Problem, llm: LLM, runner: Runner, budget: Budget, seed: int,
                  on_step: Callable[[Trajectory], None] | None = None) -> Trajectory:
    """The method never sees hidden tests; they are used exactly once, here, on the final answer."""
    started = time.monotonic()
    traj = simple_refine(problem, llm, runner, budget, seed, on_step=on_step)
    report = judge(problem, traj.final.code, runner)
    traj.hidden = Verdict(passed=report.passed, total=report.total, error=report.error)
    traj.seconds = time.monotonic() - started
    if on_step:
        on_step(traj)
    return traj


def solve_summary(traj: Trajectory) -> dict:
    """The `coderefine solve --json` document."""
    final = traj.final
    return {
        "problem": traj.problem_id,
        "method": traj.method,
        "model": traj.model,
        "seed": traj.seed,
        "iterations": [{"index": c.index, "origin": c.origin, "visible_passed": c.visible.passed,
                        "visible_total": c.visible.total, "critique": c.critique, "code": c.code}
                       for c in traj.candidates],
        "final": {"index": final.index, "code": final.code,
                  "visible_passed": final.visible.passed, "visible_total": final.visible.total,
                  "hidden_passed": traj.hidden.passed, "hidden_total": traj.hidden.total,
                  "solved": traj.hidden.solved},
        "stop_reason": traj.stop_reason,
        "usage": traj.usage.to_dict(),
        "seconds": round(traj.seconds, 3),
    }
