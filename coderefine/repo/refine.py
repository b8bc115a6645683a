"""One repository run, in the order a user would check things: the input (files, function, tests), the
tests as they are (the baseline, traced), the functions to change (named, or found from the failures), the
method's run on them, and the proposed change. Bad input stops it with a RepoError before any LLM call."""
from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from coderefine.llm import LLM
from coderefine.methods import Method
from coderefine.repo import RepoError
from coderefine.repo.apply import Change
from coderefine.repo.loss import PytestLoss
from coderefine.repo.problem import repo_problem
from coderefine.repo.rank import Suspect, suspects, variables
from coderefine.repo.runner import PytestRun, Result, frames, run_pytest
from coderefine.repo.selection import covering, expand, is_test_code, module_names
from coderefine.repo.snapshot import DEFAULT_LIMIT_MB, Snapshot, take
from coderefine.repo.targets import TargetSpec, check_syntax, definitions, locate
from coderefine.types import Budget, Report, Trajectory
from sandbox import Limits, TestOutcome

COPIED = "only regular UTF-8 text files are copied"
DEFAULT_FUNCTIONS = 3
PYTEST_WALL = 300.0       # seconds for one run of the selection
TEST_TIMEOUT = 5.0        # seconds for one test: an endless loop fails its test instead of the whole run
_MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")
# what a test can fail on before it reaches the code, and no change to a function fixes
_UNFIXABLE = re.compile(rf"fixture '[^']+' not found|{_MISSING_MODULE.pattern}")


@dataclass(frozen=True)
class Request:
    """What to refine. Paths are repo-relative."""
    root: Path
    target: TargetSpec | None = None       # FILE or FILE::func; None: found from the failing tests
    tests: tuple[str, ...] = ()            # pytest selection; empty: the tests that cover the target's file
    args: tuple[str, ...] = ()             # extra pytest arguments (--runslow)
    functions: int = DEFAULT_FUNCTIONS     # most variables found from the failures
    limit_mb: float = DEFAULT_LIMIT_MB
    wall: float = PYTEST_WALL
    test_timeout: float | None = TEST_TIMEOUT


@dataclass
class Prepared:
    """The checked input: the repository copy and the test items to run."""
    request: Request
    snapshot: Snapshot
    selection: tuple[str, ...]

    @property
    def limits(self) -> Limits:
        return Limits(wall=self.request.wall)

    def pytest_run(self, *, trace: bool = False) -> PytestRun:
        return PytestRun(self.selection, self.request.args, self.request.test_timeout, trace)

    def loss(self, sandbox, chosen: list[Suspect], baseline: Result) -> PytestLoss:
        return PytestLoss(self.snapshot, [s.definition for s in chosen], self.pytest_run(), sandbox, self.limits,
                          baseline.collected, baseline.ran)


@dataclass
class Outcome:
    """How a run ended: the tests before and with the proposed change, and the change itself."""
    before: Report
    variables: list[Suspect] = field(default_factory=list)
    trajectory: Trajectory | None = None
    after: Report | None = None
    changes: list[Change] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def status(self) -> str:
        """passing (nothing to do) | fixed (every test passes) | improved (more pass) | unchanged"""
        if self.before.complete:
            return "passing"
        if self.changes and self.after is not None and self.after.complete:
            return "fixed"
        return "improved" if self.changes else "unchanged"

    @property
    def runs(self) -> list[Report]:
        """Every run of the tests: as they are, then with each candidate."""
        return [self.before, *(c.visible for c in (self.trajectory.candidates if self.trajectory else []))]

    @property
    def limits_hit(self) -> dict[str, int]:
        """The sandbox limits that stopped runs, with how many each: such runs fail whatever the code does."""
        return dict(Counter(r.limit_hit for r in self.runs if r.limit_hit))

    @property
    def untrusted(self) -> str:
        """Why the code under test could have forged the verdicts ("" when it could not)."""
        return next((r.untrusted for r in self.runs if r.untrusted), "")


def prepare(request: Request, snapshot: Snapshot | None = None) -> Prepared:
    """Checks the input and copies the repository (unless given its copy): a RepoError says what is wrong."""
    snapshot = snapshot or take(request.root, request.limit_mb)
    target = request.target
    if target is not None:
        if target.path in snapshot.skipped:
            raise RepoError(f"{target.path} is tracked but was left out of the sandbox copy "
                            f"({snapshot.skipped[target.path]}): {COPIED}; name such a file (saved as UTF-8)")
        if target.path not in snapshot.files:
            where = request.root / target.path
            raise RepoError(f"{target.path} is not a file git tracks in {request.root}"
                            + (" (add it with `git add`)" if where.is_file() else ""))
        if target.qualname is None:
            check_syntax(snapshot.files[target.path], target.path)
        else:
            locate(snapshot.files[target.path], target.path, target.qualname)
    if request.tests:
        selection = expand(snapshot, request.tests)
    elif target is not None:
        selection = covering(snapshot, [target.path])
        if not selection:
            raise RepoError(f"no tests found for {target.path}: no tracked test file is named after it or imports "
                            "it; name them with --tests")
    else:
        raise RepoError("nothing to refine: give FILE::function, or --tests to find the functions from the failures")
    return Prepared(request, snapshot, selection)


def baseline(prepared: Prepared, sandbox) -> Result:
    """The selection on the repository as it is, with its calls traced; pytest's refusals, and failures that
    come from files left out of the copy, become RepoErrors (no model is asked to fix those)."""
    result = run_pytest(sandbox, prepared.snapshot.files, prepared.pytest_run(trace=True), expected=None,
                        limits=prepared.limits)
    missing = left_out(prepared.snapshot, result.report.failures)
    if missing:
        files = ", ".join(f"{path} ({why})" for path, why in missing.items())
        raise RepoError(f"the failing tests use files that were left out of the sandbox copy, so they fail there "
                        f"whatever the code does: {files}; {COPIED}: select tests that do not need them "
                        "(--tests, or hook_tests for the hook)")
    check_run(result, prepared.selection)
    unfixable = [o for o in result.report.failures if outside_the_code(prepared.snapshot, o)]
    if unfixable and len(unfixable) == len(result.report.failures):
        said = "; ".join(f"{o.name}: {_UNFIXABLE.search(_said(o)).group(0)}" for o in unfixable[:3])
        raise RepoError(f"the failing tests stop before they reach the code, on what no change to a function "
                        f"fixes: {said}; fix the tests (a fixture they ask for, a module they import: the "
                        "sandbox has only the packages of coderefine's own environment) or select others")
    return result


def _said(outcome: TestOutcome) -> str:
    """What pytest said of a failure."""
    return f"{outcome.exception}\n{outcome.traceback}"


def outside_the_code(snapshot: Snapshot, outcome: TestOutcome) -> bool:
    """A failure raised in test code (or by pytest) on a fixture that does not exist or a module that is not
    installed: no frame of it is in the repository's own code."""
    return (_UNFIXABLE.search(_said(outcome)) is not None
            and all(is_test_code(path) or path not in snapshot.files for path, _ in frames(outcome.traceback)))


def left_out(snapshot: Snapshot, failures: list[TestOutcome]) -> dict[str, str]:
    """The files left out of the copy (with why) that the failures name: by path, or a Python file by the
    module name an import could not find."""
    said = "\n".join(f"{o.input}\n{o.expected}\n{o.actual}\n{o.exception}\n{o.traceback}" for o in failures)
    modules = set(_MISSING_MODULE.findall(said))
    return {path: why for path, why in snapshot.skipped.items()
            if re.search(rf"(?<![\w.-]){re.escape(path)}(?![\w.-])", said)
            or (path.endswith(".py") and module_names(path) & modules)}


class NothingRan(RepoError):
    """The selection ran no test (every one skipped, or a test file that holds none): bad input for `refine`,
    nothing to check for the hook."""


def check_run(result: Result, selection: tuple[str, ...]) -> None:
    """A run that tested nothing, or could not collect, is bad input rather than a failing test."""
    error = result.report.error
    tail = error.split(": ", 1)[-1].strip()
    broken = result.collection_errors
    if broken:
        files = ", ".join(o.name.split("::")[0] for o in broken)
        last = "\n".join(broken[0].traceback.strip().splitlines()[-12:])
        raise RepoError(f"pytest could not collect {files}; fix that first:\n{last}")
    if result.exit_status == 5 or (not error and not result.collected):
        named = any("::" in item for item in selection)   # a named test that does not exist is a mistake
        raise (RepoError if named else NothingRan)(f"no tests found: pytest collected no tests from "
                                                   f"{' '.join(selection)}")
    if not error and not result.report.total:   # every test skipped (marks, importorskip, a module-level skip)
        raise NothingRan(f"no tests ran: pytest skipped all {result.collected} test(s) collected from "
                         f"{' '.join(selection)} (skip, skipif or xfail marks, or a file skipped whole); "
                         "select tests that run")
    if result.exit_status == 2:
        raise RepoError(f"pytest stopped before running the tests (exit 2):\n{tail}")
    if result.exit_status in (3, 4):
        raise RepoError(f"pytest refused to run (exit {result.exit_status}; a bad option, plugin or conftest.py):\n{tail}")
    if error:
        raise RepoError(f"the tests did not finish in the sandbox: {error}")


def choose(prepared: Prepared, result: Result) -> list[Suspect]:
    """The variables: the named function, or the functions the failures implicate, most suspect first."""
    target = prepared.request.target
    found = suspects(prepared.snapshot, result)
    if target is not None and target.qualname is not None:
        return [named(prepared.snapshot, target, found)]
    if target is not None:   # FILE without ::func: the functions of that file
        found = [s for s in found if s.definition.path == target.path]
    chosen = variables(found, prepared.request.functions)
    if not chosen:
        raise RepoError("the failing tests ran no function of the repository outside its tests; name the "
                        "function to change as FILE::function")
    return chosen


def named(snapshot: Snapshot, target: TargetSpec, found: list[Suspect]) -> Suspect:
    """The named function as the variable. A name defined more than once (a redefinition, a property's getter
    and setter) means the definition the failing tests ran, else the last one, which is the one Python binds."""
    code = snapshot.files[target.path]
    locate(code, target.path, target.qualname)
    same = [d for d in definitions(code, target.path) if d.qualname == target.qualname]
    ran = [s for s in found if s.definition in same]
    return ran[0] if ran else Suspect(same[-1], 0.0, False, 0)


def optimise(prepared: Prepared, result: Result, chosen: list[Suspect], method: Method, llm: LLM, sandbox,
             budget: Budget | None, seed: int, on_step: Callable[[Trajectory], None] | None = None) -> Outcome:
    """The method's run on the variables, and the change its best candidate makes (none when no candidate
    passes more tests than the code as it is)."""
    started = time.monotonic()
    loss = prepared.loss(sandbox, chosen, result)
    problem = repo_problem(prepared.snapshot, chosen, result.report)
    traj = method.run(problem, llm, loss, budget, seed, on_step)
    outcome = Outcome(before=result.report, variables=chosen, trajectory=traj)
    final = traj.final
    if final is not None and final.visible.passed > result.report.passed and not final.visible.error:
        outcome.after = final.visible
        outcome.changes = [Change(path, prepared.snapshot.files[path], text)
                           for path, text in loss.edits(final.code).items()]
    outcome.seconds = time.monotonic() - started
    return outcome
