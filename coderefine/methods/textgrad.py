"""The TextGrad replica (zou-group/textgrad, evaluation/code_optimization), prompts ours.

Facts it reproduces: the first candidate is the zero-shot request; each iteration
runs the candidate on the visible tests, then spends three calls: a loss call (an
evaluator reads the problem, the code and the test report), a gradient call (a
critic reads the whole loss exchange and only a shortened view of the code: its
first and last 10 words) and an update call (the optimizer writes the new code
between <IMPROVED_VARIABLE> tags; the text between them is taken as it is, with no
fence stripping, no momentum and no memory of earlier gradients). From the second
iteration on, a candidate that passed every visible test stops the run, after the
three calls of that iteration were already spent; otherwise it returns the LAST
iterate, which was never tested (we still score it, for the record only).
K = floor((B - 1) / 3) iterations for a budget of B calls. All calls that the
original made at T=0 run at the bench's base temperature. The new code is what
follows the opening tag, up to the closing tag or the reply's end, as the original's
split reads it; a reply without the opening tag keeps the previous code (the original
crashed).
"""
from __future__ import annotations

from coderefine.loop import Run, call_seed, first_candidate, problem_text
from coderefine.prompts import assert_report, render
from coderefine.types import Candidate

OPEN, CLOSE = "<IMPROVED_VARIABLE>", "</IMPROVED_VARIABLE>"


def textgrad(run: Run) -> str:
    current = run.add(first_candidate(run, reminder=False))
    for i in range(_iterations(run)):
        evaluator_user = render("textgrad.evaluator_user", problem=problem_text(run.problem), code=current.code,
                                feedback=assert_report(run.problem.entry_point, run.problem.visible_tests,
                                                       current.visible))
        evaluation = run.ask("loss", [{"role": "system", "content": render("textgrad.evaluator_system")},
                                      {"role": "user", "content": evaluator_user}],
                             seed=call_seed(run.seed, i + 1, 1))
        short = shortened(current.code)
        gradient = run.ask("gradient", [
            {"role": "system", "content": render("textgrad.gradient_system")},
            {"role": "user", "content": render("textgrad.gradient_user", evaluator_system=render("textgrad.evaluator_system"),
                                               evaluator_user=evaluator_user, evaluation=evaluation,
                                               role=render("textgrad.role"), short=short)}],
            seed=call_seed(run.seed, i + 1, 2))
        update = run.ask("update", [
            {"role": "system", "content": render("textgrad.optimizer_system")},
            {"role": "user", "content": render("textgrad.optimizer_user", role=render("textgrad.role"), short=short,
                                               evaluator_user=evaluator_user, evaluation=evaluation,
                                               feedback_text=gradient)}],
            seed=call_seed(run.seed, i + 1, 3))
        if i >= 1 and current.visible.complete:
            return "visible tests pass"
        code = tagged(update)
        if code is None:
            run.count("parse_failure")
        current = run.add(Candidate(index=-1, code=code if code is not None else current.code,
                                    origin="update", parent=current.index, critique=gradient.strip()))
    return "iteration budget spent"


def tagged(update: str) -> str | None:
    """The new value in an update reply: after the first opening tag, up to the closing tag if there is one
    (a reply cut off by the token limit often lacks it). None without an opening tag."""
    _, opened, rest = update.partition(OPEN)
    return rest.split(CLOSE)[0].strip() if opened else None


def _iterations(run: Run) -> int:
    if run.budget.max_iters is not None:
        return run.budget.max_iters
    return max(0, (run.budget.calls - 1) // 3)


def shortened(code: str, words: int = 10) -> str:
    """The view of the variable TextGrad's critic and optimizer get: its first and last `words` words."""
    parts = code.split(" ")
    if len(parts) <= 2 * words:
        return code
    return " ".join(parts[:words]) + " (...) " + " ".join(parts[-words:])
