"""The registry of methods by name. A method is `run(problem, llm, loss, budget, seed, on_step) -> Trajectory`;
each is a short body over the parts in `coderefine.loop`, and they share everything else."""
from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Callable, Mapping

from coderefine.data.problem import Problem
from coderefine.llm import LLM
from coderefine.loop import BudgetExhausted, Loss, Run, best_index
from coderefine.loop import last_index
from coderefine.methods.baselines import resample, zero_shot
from coderefine.methods.coderefine import Options, coderefine, parse_options
from coderefine.methods.reflexion import reflexion
from coderefine.methods.simple import simple_refine
from coderefine.methods.textgrad import textgrad
from coderefine.suggest import unknown
from coderefine.types import Budget, Candidate, Trajectory


ABLATIONS = (
    ("no-selftests", "self-generated tests", Options(selftests=False)),
    ("no-validation", "oracle validation (every program votes)", Options(validate=False)),
    ("no-stress", "stress inputs", Options(stress=False)),
    ("rewrite", "diffs (whole rewrites instead)", Options(diffs=False)),
    ("no-beam", "the beam (a greedy chain, no fresh samples)", Options(beam=1)),
)


@dataclass(frozen=True)
class Method:
    name: str
    summary: str                                   # one line, for `coderefine methods`
    body: Callable[[Run], str]                     # runs the method, returns why it stopped
    budget: Budget                                 # the default budget
    select: Callable[[list[Candidate]], int | None] = best_index  # which candidate is the answer
    configure: Callable[[str], Callable[[Run], str]] | None = None  # `name:options` -> the body with them
    spend_of: str | None = None                    # `name@other`: in a bench, each run gets other's realized spend
    schedules_calls: bool = False                  # plans its iterations from the call cap (or max_iters)

    def run(self, problem: Problem, llm: LLM, loss: Loss, budget: Budget | None, seed: int,
            on_step: Callable[[Trajectory], None] | None = None, *, problem_hash: str = "") -> Trajectory:
        """Run on `problem` (whose hidden tests must already be removed) within `budget`."""
        if problem.hidden_tests:
            raise ValueError("a method must never see hidden tests: pass problem.public_view()")
        budget = budget or self.budget
        if budget.calls is None and budget.tokens is None and budget.max_iters is None:
            raise ValueError(f"{self.name}: the budget caps nothing (give calls, tokens or max_iters)")
        if self.schedules_calls and budget.calls is None and budget.max_iters is None:
            raise ValueError(f"{self.name}: plans its iterations from a call budget; give calls or max_iters")
        traj = Trajectory(problem_id=problem.id, method=self.name, model=llm.model, seed=seed,
                          problem_hash=problem_hash, budget=budget)
        run = Run(problem=problem, llm=llm, loss=loss, budget=budget, seed=seed, traj=traj, on_step=on_step,
                  select=self.select)
        try:
            traj.stop_reason = self.body(run)
        except BudgetExhausted as exc:
            traj.stop_reason = str(exc)
        run.save()
        return traj

    def describe(self) -> dict:
        return {"name": self.name, "summary": self.summary, "budget": self.budget.to_dict()}


METHODS: Mapping[str, Method] = MappingProxyType({m.name: m for m in (
    Method("zero-shot", "one call at the base temperature; no tests used", zero_shot, Budget(calls=1)),
    Method("resample", "the zero-shot prompt again at rising temperature until the visible tests pass; "
           "keeps the best", resample, Budget(calls=8)),
    Method("reflexion", "replica of Reflexion: reflection -> implementation on test failures; returns the last",
           reflexion, Budget(calls=9), select=last_index, schedules_calls=True),
    Method("textgrad", "replica of TextGrad: loss -> gradient -> update calls per iteration; returns the last",
           textgrad, Budget(calls=16), select=last_index, schedules_calls=True),
    Method("simple-refine", "zero-shot, then critique -> rewrite on visible-test failures; keeps the best",
           simple_refine, Budget(max_iters=4)),
    Method("coderefine", "self tests labelled by agreement, grounded critique, diff patches, best-first search "
           "(options: coderefine:beam=3,diffs=off,...)", coderefine(Options()), Budget(calls=8),
           configure=lambda text: coderefine(parse_options(text))),
    *(Method(f"coderefine-{name}", f"coderefine without {what} (ablation)", coderefine(options), Budget(calls=8))
      for name, what, options in ABLATIONS),
)})


class UnknownMethod(ValueError):
    pass


def get_method(name: str) -> Method:
    """The registered method `name` (or `name:options` for a method that takes options), or an error that
    suggests the closest names. `name@other` is `name` run, in a bench, under each (problem, seed)'s realized
    call and token spend of `other` in the same results folder (BASELINES: resample at a method's spend)."""
    if name in METHODS:
        return METHODS[name]
    base, at, other = name.partition("@")
    if at:
        if not base or not other:
            raise UnknownMethod(f"method {name!r}: write METHOD@OTHER, e.g. resample@coderefine (METHOD run at "
                                "OTHER's spend)")
        get_method(other)
        return replace(get_method(base), name=name, spend_of=other)
    base, sep, options = name.partition(":")
    if sep and base in METHODS:
        method = METHODS[base]
        if method.configure is None:
            raise UnknownMethod(f"method '{base}' takes no options (given: {options!r})")
        try:
            return replace(method, name=name, body=method.configure(options))
        except ValueError as exc:
            raise UnknownMethod(str(exc)) from None
    raise UnknownMethod(unknown("method", name, METHODS, label="known methods"))
