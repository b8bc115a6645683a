"""The idea in one file: the loss runs the candidate's tests in the sandbox, the gradient is an LLM's
critique of the concrete failures, the step is the LLM's rewrite that follows the critique.

    candidate ──loss──► report ──gradient──► critique ──step──► next candidate

Every method (methods/) is built from these parts and a `Run`, which holds
what they share: the problem as the method may see it, the model behind a
budget, the loss, the seed, and the trajectory being filled. Prompts are laid
out so that the calls about one candidate share their longest prefix (system
text, problem, code, test results first; the instruction last), which a local
server can serve from its cache.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol, Sequence

from coderefine.data.problem import Problem
from coderefine.extract import extract_code
from coderefine.llm import LLM
from coderefine.prompts import describe, render
from coderefine.types import Budget, CallRecord, Candidate, Report, Trajectory
from sandbox import ExecutionReport, Limits, ProgramResult, Test


class BudgetExhausted(Exception):
    """Raised before a call the budget does not allow; the message is the run's stop reason."""


class Loss(Protocol):
    """A candidate's code → how it did. Built from a problem's tests or a repository's pytest selection."""
    runs: int

    def __call__(self, code: str) -> Report: ...

    def run(self, code: str, tests: Sequence[Test]) -> Report: ...


class ProblemLoss:
    """The loss from a problem's visible tests (or any tests of the same signature), in the sandbox."""

    def __init__(self, problem: Problem, sandbox, limits: Limits | None = None):
        self.problem = problem
        self.sandbox = sandbox
        self.limits = problem.limits(limits)
        self.runs = 0

    def __call__(self, code: str) -> Report:
        return self.run(code, self.problem.visible_tests)

    def run(self, code: str, tests: Sequence[Test], *, fail_fast: bool = False) -> Report:
        """All `tests` against `code` in one sandboxed process, with the problem's limits and comparison."""
        return Report.of(self.execute(code, tests, fail_fast=fail_fast)) if tests else Report()

    def execute(self, code: str, tests: Sequence[Test], *, fail_fast: bool = False) -> ExecutionReport:
        """Like `run`, keeping every outcome (with the returned values), for methods that compare programs."""
        self.runs += 1
        return self.sandbox.run_tests(code, list(tests), self.problem.entry_point, prelude=self.problem.prelude,
                                      compare=self.problem.compare, limits=self.limits, fail_fast=fail_fast)

    def run_program(self, code: str, limits: Limits) -> ProgramResult:
        """A whole program (a test generator, say) in the sandbox, with the problem's prelude."""
        self.runs += 1
        return self.sandbox.run_program(f"{self.problem.prelude}\n{code}", limits=limits)


# The largest run seed whose call seeds stay below 2**32 - 1: llama.cpp keeps a seed in 32 bits, so a larger
# one would wrap onto another run's seeds, and 2**32 - 1 itself means "random".
MAX_SEED = (2 ** 32 - 1) // 10_000 - 1


def call_seed(seed: int, index: int, role: int) -> int:
    """A distinct, reproducible seed for each LLM call of a run: the run's seed, the index of the
    candidate the call works towards, and the call's role within that step."""
    return seed * 10_000 + index * 10 + role


@dataclass
class Run:
    """One method run in progress: what the parts share, and the trajectory they fill."""
    problem: Problem                 # the public view: hidden tests removed
    llm: LLM
    loss: Loss
    budget: Budget
    seed: int
    traj: Trajectory
    on_step: Callable[[Trajectory], None] | None = None
    select: Callable[[list[Candidate]], int | None] = None  # which candidate is the answer; default best
    started: float = field(default_factory=time.monotonic)

    def ask(self, role: str, messages: list[dict], *, seed: int, temperature: float | None = None,
            max_tokens: int | None = None) -> str:
        """One LLM call, refused when the budget is spent, recorded in the trajectory."""
        spent = self.traj.usage
        if self.budget.calls is not None and spent.calls >= self.budget.calls:
            raise BudgetExhausted("call budget spent")
        if self.budget.tokens is not None and spent.tokens >= self.budget.tokens:
            raise BudgetExhausted("token budget spent")
        temperature = self.budget.temperature if temperature is None else temperature
        reply = self.llm.complete(messages, temperature=temperature, seed=seed,
                                  max_tokens=max_tokens or self.budget.code_tokens)
        # A JSON reply may carry a lone surrogate (`\udcff`), which no parser or file can encode: make it `?`.
        text = reply.text.encode("utf-8", "replace").decode("utf-8")
        self.traj.calls.append(CallRecord(role, temperature, seed, reply.usage, text))
        return text

    def add(self, candidate: Candidate, selftests: Sequence[Test] = (), *, scored: bool = False) -> Candidate:
        """Score `candidate` on the loss (and on `selftests`, tests the method wrote itself) unless the
        method already did (`scored`), record it, and save the trajectory."""
        candidate.index = len(self.traj.candidates)
        if not scored:
            candidate.visible = loss(self, candidate.code)
        if selftests:
            candidate.selftest = self.loss.run(candidate.code, selftests)
        self.traj.candidates.append(candidate)
        self.reselect()
        return candidate

    def reselect(self) -> None:
        """Choose the answer again (after the method changed scores) and save the trajectory."""
        self.traj.final_index = (self.select or best_index)(self.traj.candidates)
        self.save()

    def save(self) -> None:
        self.traj.seconds = time.monotonic() - self.started
        self.traj.sandbox_runs = self.loss.runs
        if self.on_step:
            self.on_step(self.traj)

    @property
    def next_index(self) -> int:
        return len(self.traj.candidates)

    def count(self, key: str, amount: int = 1) -> None:
        """Add to one of the method's counters in the trajectory (parse failures, patch paths, ...)."""
        self.traj.stats[key] = self.traj.stats.get(key, 0) + amount

    def rounds(self) -> Iterator[int]:
        """1, 2, ...: the refinement rounds `max_iters` allows (the call and token caps stop the rest)."""
        return iter(range(1, self.budget.max_iters + 1)) if self.budget.max_iters is not None else itertools.count(1)


# --- the three parts -------------------------------------------------------------------------

def loss(run: Run, code: str) -> Report:
    """How `code` does on the tests the method may see, run in the sandbox."""
    return run.loss(code)


def gradient(run: Run, parent: Candidate) -> str:
    """The critique: why `parent` fails its concrete tests and what must change, in words, not code."""
    return run.ask("critique", critique_messages(run.problem, parent),
                   seed=call_seed(run.seed, run.next_index, 1), max_tokens=run.budget.critique_tokens).strip()


def step(run: Run, parent: Candidate, critique: str) -> Candidate:
    """The update: the model rewrites `parent` following `critique`; an unusable reply keeps the parent's code."""
    messages = critique_messages(run.problem, parent) + [
        {"role": "assistant", "content": critique}, {"role": "user", "content": render("rewrite")}]
    code = ask_for_code(run, "rewrite", messages, seed=call_seed(run.seed, run.next_index, 2))
    return Candidate(index=-1, code=code or parent.code, origin="rewrite", parent=parent.index, critique=critique)


# --- what the parts and the methods share ------------------------------------------------------

def first_candidate(run: Run, *, reminder: bool = True) -> Candidate:
    """The zero-shot candidate. Every method starts with this same request (same seed), so a response
    cache serves it once and comparisons between methods are paired."""
    code = ask_for_code(run, "solve", solve_messages(run.problem), seed=call_seed(run.seed, 0, 0),
                        reminder=reminder)
    return Candidate(index=-1, code=code or "", origin="zero-shot")


SAMPLE_HOTTER = 0.1   # added to the base temperature per fresh sample (Kapoor et al.'s rising temperature)


def fresh_sample(run: Run, k: int, messages: list[dict] | None = None) -> str | None:
    """The k-th fresh sample: the zero-shot prompt (or `messages`) at base + 0.1·k, capped at 1, with the
    k-th seed. Every method that samples afresh asks these same requests, so the cache serves each once and
    a method's samples are resample's: comparisons stay paired past the first call."""
    return ask_for_code(run, "sample", messages or solve_messages(run.problem), seed=call_seed(run.seed, k, 0),
                        temperature=min(1.0, run.budget.temperature + SAMPLE_HOTTER * k), reminder=False)


def ask_for_code(run: Run, role: str, messages: list[dict], *, seed: int, temperature: float | None = None,
                 reminder: bool = True) -> str | None:
    """One call for a whole program, plus (with `reminder`) one more turn when the reply holds none."""
    reply = run.ask(role, messages, seed=seed, temperature=temperature)
    code = extract_code(reply, run.problem.entry_point)
    if code is None:
        run.count("parse_failure")
    if code is not None or not reminder:
        return code
    messages = messages + [{"role": "assistant", "content": reply},
                           {"role": "user", "content": render("reminder", entry_point=run.problem.entry_point,
                                                              starter_code=run.problem.starter_code)}]
    code = extract_code(run.ask("reminder", messages, seed=seed + 1, temperature=temperature),
                        run.problem.entry_point)
    if code is None:
        run.count("parse_failure")
    return code


def problem_text(problem: Problem) -> str:
    """The statement and signature; once only where the signature's docstring is the statement (HumanEval)."""
    layout = "problem.code" if problem.statement.strip() == problem.starter_code.strip() else "problem.statement"
    return render(layout, statement=problem.statement, starter_code=problem.starter_code)


def solve_messages(problem: Problem) -> list[dict]:
    return [{"role": "system", "content": render("system")},
            {"role": "user", "content": problem_text(problem) + "\n" + render("solve")}]


def candidate_text(candidate: Candidate) -> str:
    report = candidate.visible
    return render("candidate", code=candidate.code or "(no code yet)", passed=report.passed, total=report.total,
                  failures=describe(report))


def critique_messages(problem: Problem, candidate: Candidate) -> list[dict]:
    """System, problem, candidate and its test results, then the instruction: the shared prefix first."""
    context = problem_text(problem) + "\n" + candidate_text(candidate)
    return [{"role": "system", "content": render("system")},
            {"role": "user", "content": context + "\n" + render("critique")}]


def converged(candidate: Candidate) -> str:
    """Why a refinement loop should stop at `candidate`, or "" to go on."""
    if not candidate.visible.total:
        return "no visible tests to learn from"
    return "visible tests pass" if candidate.visible.complete else ""


def best_index(candidates: list[Candidate]) -> int | None:
    """Keep the best, not the last (by `rank`); ties go to the earliest candidate."""
    if not candidates:
        return None
    return max(range(len(candidates)), key=lambda i: (*rank(candidates[i]), -i))


def rank(candidate: Candidate) -> tuple[float, float, float]:
    """How good a candidate is: visible pass fraction, then self tests, then stress inputs."""
    return candidate.visible.fraction, _unfailed(candidate.selftest), _unfailed(candidate.stress)


def _unfailed(report: Report) -> float:
    """The pass fraction of self tests or stress inputs; when none judged the candidate, 1.0 unless its run failed
    there (it did not load, say). A self test judges only some candidates (a lone answer judges one that raised on
    it), and judged by none is better than failing one."""
    return report.passed / report.total if report.total else float(not report.error)


def last_index(candidates: list[Candidate]) -> int | None:
    """The anchors' choice: the last iterate, whatever its score."""
    return len(candidates) - 1 if candidates else None
