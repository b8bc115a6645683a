"""The first, simple refinement loop: zero-shot, then (critique -> rewrite) on visible-test failures.

loss = visible tests in the sandbox; gradient = an LLM critique of the concrete
failures; step = an LLM rewrite. Unlike TextGrad we keep the best candidate,
not the last one, and every LLM call gets a real, distinct seed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Protocol

from coderefine.extract import extract_code
from coderefine.feedback import describe_failures
from coderefine.loss import Runner, run_suite
from coderefine.problem import Problem
from coderefine.prompts import render
from coderefine.trajectory import Candidate, Score, Trajectory, best_index
from coderefine.usage import Completion, Usage


class LLM(Protocol):
    """The slice of `coderefine.engine.Engine` the loop uses."""
    model: str

    def complete(self, messages: list[dict], *, temperature: float = 0.0, seed: int | None = None,
                 max_tokens: int = 1024, n: int = 1) -> Completion: ...


@dataclass(frozen=True)
class Budget:
    max_iters: int = 4           # critique+rewrite rounds after the zero-shot candidate
    temperature: float = 0.3
    code_tokens: int = 1536      # max tokens for a reply that carries a whole program
    critique_tokens: int = 512


def call_seed(seed: int, step: int, role: int) -> int:
    """A distinct, reproducible seed for each LLM call of a run."""
    return seed * 10_000 + step * 10 + role


def _ask_for_code(llm: LLM, prompt: str, problem: Problem, budget: Budget, seed: int) -> tuple[str | None, Usage]:
    """One call, plus one reminder turn when the reply holds no usable program."""
    messages = [{"role": "system", "content": render("system")}, {"role": "user", "content": prompt}]
    first = llm.complete(messages, temperature=budget.temperature, seed=seed, max_tokens=budget.code_tokens)
    code = extract_code(first.text, problem.entry_point)
    if code is not None:
        return code, first.usage
    messages += [{"role": "assistant", "content": first.text},
                 {"role": "user", "content": render("reminder", entry_point=problem.entry_point,
                                                    starter_code=problem.starter_code)}]
    second = llm.complete(messages, temperature=budget.temperature, seed=seed + 1, max_tokens=budget.code_tokens)
    return extract_code(second.text, problem.entry_point), first.usage + second.usage


def _score(problem: Problem, candidate: Candidate, runner: Runner) -> None:
    report = run_suite(problem, candidate.code, problem.visible_tests, runner)
    candidate.visible = Score(report.passed, report.total)
    candidate.failures = describe_failures(report)


def _converged(candidate: Candidate) -> str:
    """Why the loop should stop at `candidate`, or "" to go on."""
    if not candidate.visible.total:
        return "no visible tests to learn from"
    return "visible tests pass" if candidate.visible.complete else ""


def simple_refine(problem: Problem, llm: LLM, runner: Runner, budget: Budget, seed: int,
                  on_step: Callable[[Trajectory], None] | None = None) -> Trajectory:
    """Run the loop on `problem` (its hidden tests are never looked at) and return the trajectory."""
    problem = problem.public_view()
    started = time.monotonic()
    traj = Trajectory(problem_id=problem.id, method="simple-refine", model=llm.model, seed=seed)

    def record(candidate: Candidate) -> None:
        traj.candidates.append(candidate)
        traj.final_index = best_index(traj.candidates)
        traj.seconds = time.monotonic() - started
        if on_step:
            on_step(traj)

    prompt = render("solve", statement=problem.statement, starter_code=problem.starter_code)
    code, usage = _ask_for_code(llm, prompt, problem, budget, call_seed(seed, 0, 0))
    first = Candidate(index=0, code=code or "", origin="zero-shot", usage=usage)
    _score(problem, first, runner)
    record(first)

    current = first
    for step in range(1, budget.max_iters + 1):
        if _converged(current):
            break
        fields = dict(statement=problem.statement, code=current.code or "(no code yet)",
                      passed=str(current.visible.passed), total=str(current.visible.total),
                      failures=current.failures)
        critique = llm.complete([{"role": "user", "content": render("critique", **fields)}],
                                temperature=budget.temperature, seed=call_seed(seed, step, 1),
                                max_tokens=budget.critique_tokens)
        current.critique = critique.text.strip()
        prompt = render("rewrite", **fields, critique=current.critique, starter_code=problem.starter_code)
        code, usage = _ask_for_code(llm, prompt, problem, budget, call_seed(seed, step, 2))
        nxt = Candidate(index=step, code=code or current.code, origin="rewrite", usage=critique.usage + usage)
        _score(problem, nxt, runner)
        record(nxt)
        current = nxt
    traj.stop_reason = _converged(current) or "iteration budget spent"
    traj.seconds = time.monotonic() - started
    if on_step:
        on_step(traj)
    return traj
