"""Run methods × problems × seeds at one budget, in parallel, resumably; judge each final answer once.

The executor is a narrow interface (`map_unordered`): threads by default, which is
what a llama-server with parallel slots wants. Users who outgrow one machine can
pass another executor (for instance one backed by Ray) without touching the rest.
"""
from __future__ import annotations

import errno
import hashlib
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator, Protocol, Sequence

from coderefine.bench.store import BenchError, ResultStore, RunKey, Setup
from coderefine.data.problem import Problem
from coderefine.llm import LLM
from coderefine.methods import Method
from coderefine.judge import solved
from coderefine.solve import solve_problem
from coderefine.types import Budget, Trajectory


class Executor(Protocol):
    """Runs `fn` on every item, yielding results as they finish (in any order)."""
    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator: ...


class ThreadExecutor:
    """`workers` threads; stops submitting new work once a result raises, yields what the runs in flight return
    (the pool waits for them anyway, so their work is kept), then re-raises the first error. On Ctrl-C the runs
    not yet started are dropped and those in flight are finished and yielded, so their work is kept (a second
    Ctrl-C drops their results; their threads still end only when their calls return); `on_interrupt` hears how
    many are in flight."""

    def __init__(self, workers: int, on_interrupt: Callable[[int], None] | None = None):
        if workers < 1:
            raise BenchError("--workers must be at least 1")
        self.workers = workers
        self.on_interrupt = on_interrupt

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator:
        pending = iter(items)
        with ThreadPoolExecutor(self.workers) as pool:
            running: set[Future] = set()

            def fill() -> None:
                for item in pending:
                    running.add(pool.submit(fn, item))
                    if len(running) >= self.workers:
                        return

            fill()
            error: BaseException | None = None
            try:
                while running:
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        running.discard(future)
                        if future.exception() is None:
                            yield future.result()
                        elif error is None:
                            error = future.exception()
                    if error is None:
                        fill()
                if error is not None:
                    raise error
            except KeyboardInterrupt:
                running = {future for future in running if not future.cancel()}
                if self.on_interrupt:
                    self.on_interrupt(len(running))
                for future in as_completed(running):
                    if future.exception() is None:
                        yield future.result()
                raise
            finally:
                for future in running:
                    future.cancel()


@dataclass(frozen=True)
class Job:
    key: RunKey
    method: Method
    problem: Problem
    budget: Budget


def plan(methods: Sequence[Method], problems: Sequence[Problem], seeds: Sequence[int],
         done: set[RunKey], budget: Budget, rows: Sequence[dict] = ()) -> list[Job]:
    """Every (method, problem, seed) not yet done, seed-major so partial results cover every method. A
    method with `spend_of` runs only where that method has a row in `rows`, under its realized spend."""
    spent = {(r["method"], r["problem"], r["seed"]): r for r in rows}
    jobs = []
    for s, p, m in ((s, p, m) for s in seeds for p in problems for m in methods):
        if RunKey(m.name, p.id, s) in done:
            continue
        if m.spend_of is None:
            jobs.append(Job(RunKey(m.name, p.id, s), m, p, budget))
        elif (row := spent.get((m.spend_of, p.id, s))) is not None:
            jobs.append(Job(RunKey(m.name, p.id, s), m, p, matched_budget(budget, row)))
    return jobs


def matched_budget(cap: Budget, row: dict) -> Budget:
    """The folder's budget, capped further at the calls and tokens one run really spent (cached ones
    included, as every budget counts them). The token cap is checked before each call, so the last call may
    go past it, as it may for any method. A run that recorded no tokens (a server that reports no usage) caps
    calls only."""
    calls, tokens = row.get("calls"), row.get("tokens")
    if not isinstance(calls, int) or calls < 1:
        raise BenchError(f"the run of {row['method']} on {row['problem']} (seed {row['seed']}) records no call "
                         "count to match; rerun it into a fresh folder")
    def least(limit: int | None, spent: int | None) -> int | None:
        return limit if not spent else spent if limit is None else min(limit, spent)
    return replace(cap, calls=least(cap.calls, calls), tokens=least(cap.tokens, tokens))


def waiting(methods: Sequence[Method], problems: Sequence[Problem], seeds: Sequence[int], done: set[RunKey],
            jobs: Sequence[Job]) -> int:
    """Runs of `name@other` methods that wait for other's run of the same cell (a rerun does them)."""
    settled = done | {j.key for j in jobs}
    return sum(1 for m in methods if m.spend_of for p in problems for s in seeds
               if RunKey(m.name, p.id, s) not in settled)


def result_row(job: Job, traj: Trajectory, setup: Setup) -> dict:
    """The one line a finished run leaves in results.jsonl. Its visible score is on the problem's own visible
    tests: a method that stood tests of its own in for missing ones (the statement's examples) records 0 of 0,
    as every other method does there, so P(hidden fail | visible pass) is taken over the same problems."""
    final, hidden, usage = traj.final, traj.hidden, traj.usage
    visible = final.visible if final and job.problem.visible_tests else None
    return {
        "method": job.method.name, "problem": job.problem.id, "problem_hash": traj.problem_hash,
        "seed": job.key.seed, "model": setup.model, "budget": job.budget.to_dict(),
        "temperature": setup.budget.temperature,
        "code_hash": hashlib.sha256((final.code if final else "").encode()).hexdigest()[:16],
        "candidates": len(traj.candidates),
        "visible_passed": visible.passed if visible else 0, "visible_total": visible.total if visible else 0,
        "selftest_passed": final.selftest.passed if final else 0, "selftest_total": final.selftest.total if final else 0,
        "hidden_passed": hidden.passed, "hidden_total": hidden.total, "solved": solved(hidden),
        "calls": usage.calls, "llm_calls": usage.llm_calls, "cached_calls": usage.cached_calls,
        "prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
        "cached_prompt_tokens": usage.cached_prompt_tokens, "cached_completion_tokens": usage.cached_completion_tokens,
        "tokens": usage.tokens, "llm_seconds": round(usage.seconds, 2), "sandbox_runs": traj.sandbox_runs,
        "seconds": round(traj.seconds, 2), "stop_reason": traj.stop_reason, "stats": traj.stats,
        "trajectory": str(job.key.path()),
    }


def run_bench(store: ResultStore, setup: Setup, methods: Sequence[Method], problems: Sequence[Problem],
              seeds: Sequence[int], llm: LLM, sandbox, executor: Executor,
              on_result: Callable[[dict], None] | None = None) -> int:
    """Run what is not done yet; returns how many runs finished now. Raises BenchError on a full disk
    (the results written so far stay valid)."""
    if not methods or not problems or not seeds:
        raise BenchError("nothing to run: the selection of methods, problems or seeds is empty")
    store.open(setup, {p.id: p.digest() for p in problems})
    store.repair()
    jobs = plan(methods, problems, seeds, store.done(), setup.budget, store.results())

    def one(job: Job) -> dict:
        path = store.folder / job.key.path()
        traj = solve_problem(job.problem, job.method, llm, sandbox, job.budget, job.key.seed,
                             on_step=lambda t: t.save(path))
        return result_row(job, traj, setup)

    finished = 0
    try:   # a trajectory saved in a worker, or the row appended here, may find the disk full
        for row in executor.map_unordered(one, jobs):
            store.append(row)
            finished += 1
            if on_result:
                on_result(row)
    except OSError as exc:
        raise BenchError(f"{_os_failure(exc, store)}; {finished} runs were saved, the rest will run when you "
                         "rerun the same command once that is fixed") from exc
    return finished


def _os_failure(exc: OSError, store: ResultStore) -> str:
    """What stopped the bench, naming a file only where the error has one (a failed process start has none)."""
    if exc.errno == errno.ENOSPC:
        return f"{store.folder}: the disk is full"
    if exc.filename:
        return f"cannot write {exc.filename}: {exc.strerror}"
    return f"a run failed: {exc.strerror or exc}"


def frontier(rows: Iterable[dict], rule: str = "any") -> list[str]:
    """Problem ids whose zero-shot answer fails the hidden tests: on `any` seed, or on `all` of them."""
    by_problem: dict[str, list[bool]] = {}
    for row in rows:
        if row["method"] == "zero-shot":
            by_problem.setdefault(row["problem"], []).append(bool(row["solved"]))
    test = {"any": lambda s: not all(s), "all": lambda s: not any(s)}[rule]
    return sorted(p for p, solved in by_problem.items() if test(solved))
