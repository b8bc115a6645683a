"""`solve`: run a method on one problem, then judge its final answer once on the hidden tests."""
from __future__ import annotations

import time
from typing import Callable

from coderefine.data.problem import Problem
from coderefine.judge import judge, solved
from coderefine.llm import LLM
from coderefine.loop import ProblemLoss
from coderefine.methods import Method
from coderefine.types import Budget, Report, Trajectory


def solve_problem(problem: Problem, method: Method, llm: LLM, sandbox, budget: Budget | None, seed: int,
                  on_step: Callable[[Trajectory], None] | None = None) -> Trajectory:
    """The method sees only the public view; the hidden tests are used exactly once, here."""
    started = time.monotonic()
    public = problem.public_view()
    traj = method.run(public, llm, ProblemLoss(public, sandbox), budget, seed, on_step,
                      problem_hash=problem.digest())
    final = traj.final
    traj.hidden = judge(problem, final.code, sandbox) if final is not None else Report(error="no answer")
    traj.seconds = time.monotonic() - started
    if on_step:
        on_step(traj)
    return traj


def solve_summary(traj: Trajectory) -> dict:
    """The `coderefine solve --json` document."""
    final = traj.final
    hidden = traj.hidden or Report()
    return {
        "problem": traj.problem_id,
        "method": traj.method,
        "model": traj.model,
        "seed": traj.seed,
        "budget": traj.budget.to_dict(),
        "iterations": [{"index": c.index, "parent": c.parent, "origin": c.origin,
                        "visible_passed": c.visible.passed, "visible_total": c.visible.total,
                        "critique": c.critique, "code": c.code}
                       for c in traj.candidates],
        "final": {"index": final.index if final else None, "code": final.code if final else "",
                  "visible_passed": final.visible.passed if final else 0,
                  "visible_total": final.visible.total if final else 0,
                  "hidden": hidden.to_dict(), "hidden_passed": hidden.passed, "hidden_total": hidden.total,
                  "solved": solved(hidden)},
        "stop_reason": traj.stop_reason,
        "selftests": traj.selftests,
        "stats": traj.stats,
        "usage": traj.usage.to_dict(),
        "sandbox_runs": traj.sandbox_runs,
        "seconds": round(traj.seconds, 3),
    }
