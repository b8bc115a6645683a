"""The Reflexion replica (noahshinn/reflexion, programming runs, `reflexion` strategy), prompts ours.

Facts it reproduces: tests are the visible tests, or, when a problem has none, up
to 6 asserts from one test-generation call at T=0.2; the first implementation is
the zero-shot request; each further round is a reflection call (T=0.2, few
sentences, no code, two worked examples) and an implementation call whose chat
holds the previous code, its test report and the reflection; memory keeps only
the latest code and reflection; it stops when the tests pass or after M
implementations (M = floor((B - 1 - g) / 2) + 1 for a budget of B calls, g = 1
when tests were generated); it returns the LAST implementation, passing or not.
A reply without code keeps the previous implementation (the original crashed).
"""
from __future__ import annotations

import random

from coderefine.data.literals import assert_to_call_test
from coderefine.data.problem import Problem
from coderefine.loop import Run, ask_for_code, call_seed, first_candidate, problem_text
from coderefine.prompts import assert_report, render
from coderefine.source import assert_statements
from coderefine.types import Candidate, Report
from sandbox import CallTest

REFLECT_TEMPERATURE = 0.2
TESTS_TEMPERATURE = 0.2
MAX_GENERATED_TESTS = 6


def reflexion(run: Run) -> str:
    tests, generated = run.problem.visible_tests, ()
    if not tests:
        tests = generated = generate_tests(run)
        if not tests:
            run.add(first_candidate(run, reminder=False))
            return "no tests to learn from"
    implementations = _implementations(run, generated=bool(generated))
    current = run.add(first_candidate(run, reminder=False), selftests=generated)
    for j in range(1, implementations):
        report = _report(current, generated)
        if report.complete:
            return "tests pass"
        feedback = assert_report(run.problem.entry_point, tests, report)
        reflection = run.ask("reflect", [
            {"role": "system", "content": render("reflexion.reflect_system")},
            {"role": "user", "content": render("reflexion.reflect_user", examples=render("reflexion.reflect_examples"),
                                               code=current.code, feedback=feedback)}],
            seed=call_seed(run.seed, j, 1), temperature=REFLECT_TEMPERATURE).strip()
        messages = [{"role": "system", "content": render("reflexion.implement_system")},
                    {"role": "user", "content": render("reflexion.implement_example")},
                    {"role": "assistant", "content": f"```python\n{current.code}\n```"},
                    {"role": "user", "content": render("reflexion.implement_results", feedback=feedback)},
                    {"role": "assistant", "content": reflection},
                    {"role": "user", "content": render("reflexion.implement_request",
                                                       signature=signature(run.problem))}]
        code = ask_for_code(run, "implement", messages, seed=call_seed(run.seed, j, 2), reminder=False)
        current = run.add(Candidate(index=-1, code=code or current.code, origin="reflexion", parent=current.index,
                                    critique=reflection), selftests=generated)
    return "tests pass" if _report(current, generated).complete else "iteration budget spent"


def signature(problem: Problem) -> str:
    """What the original sends as the function signature: its prompt, which on HumanEval is the signature with the
    docstring and on LeetCode-style problems carries the statement too. A bare stub would hide the task from every
    call after the first."""
    if problem.statement.strip() == problem.starter_code.strip():
        return problem.starter_code
    return problem_text(problem)


def _implementations(run: Run, *, generated: bool) -> int:
    """M: from `max_iters` when given, else from the call budget as the published rule spends it."""
    if run.budget.max_iters is not None:
        return run.budget.max_iters + 1
    return max(1, (run.budget.calls - 1 - int(generated)) // 2 + 1)


def _report(candidate: Candidate, generated) -> Report:
    return candidate.selftest if generated else candidate.visible


def generate_tests(run: Run) -> tuple[CallTest, ...]:
    """One call for unit tests; keeps the asserts that parse into literal calls, at most 6, sampled by seed."""
    reply = run.ask("tests", [
        {"role": "system", "content": render("reflexion.tests_system")},
        {"role": "user", "content": render("reflexion.tests_example") + "\n\n"
                                    + render("reflexion.tests_user", signature=signature(run.problem))}],
        seed=call_seed(run.seed, 0, 5), temperature=TESTS_TEMPERATURE)
    tests: dict[str, CallTest] = {}
    for statement in assert_statements(reply):
        test = assert_to_call_test(statement, run.problem.entry_point, name=f"generated {len(tests) + 1}")
        if test is not None:
            tests.setdefault(repr((test.args, test.kwargs)), test)
    tests = list(tests.values())
    run.count("generated_tests", len(tests))
    if len(tests) > MAX_GENERATED_TESTS:
        tests = random.Random(run.seed).sample(tests, MAX_GENERATED_TESTS)
    return tuple(tests)
