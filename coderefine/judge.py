"""The hidden-test judge: the one verdict that `solve`, `bench` and `problems check` share.

It runs outside every method, once per final answer; a method never sees its tests.
"""
from __future__ import annotations

from coderefine.data.problem import Problem
from coderefine.loop import ProblemLoss
from coderefine.types import Report


def judge(problem: Problem, code: str, sandbox, *, fail_fast: bool = False) -> Report:
    """`code` on the problem's hidden tests in `sandbox` (a `sandbox.Sandbox`).

    `fail_fast` stops at the first timeout or crash; a final verdict does not
    need the rest, but a report that shows every failure does.
    """
    return ProblemLoss(problem, sandbox).run(code, problem.hidden_tests, fail_fast=fail_fast)


def solved(hidden: Report) -> bool:
    """Every hidden test passed, on a verdict the answer could not have forged: the unsafe backend runs it
    beside the judge, so its pass is no verdict."""
    return hidden.complete and not hidden.untrusted
