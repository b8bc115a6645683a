"""`coderefine refine`: fix functions of the repository you are in against its own pytest tests, shown as a
diff, written only with --apply. `coderefine hook` runs the same steps for pre-commit."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import typer
from rich.syntax import Syntax
from rich.text import Text

from coderefine.cli.environment import environment_errors, open_sandbox
from coderefine.cli.model import prepare_local_model
from coderefine.cli.output import ExitCode, JsonOpt, Output, QuietOpt, VerboseOpt, fail, out as console
from coderefine.cli.settings import resolve_settings, settings_line
from coderefine.config import DEFAULT, Resolved
from coderefine.methods import get_method
from coderefine.render import failure_lines
from coderefine.repo import RepoError
from coderefine.repo.apply import apply_changes, diff
from coderefine.repo.refine import (DEFAULT_FUNCTIONS, PYTEST_WALL, TEST_TIMEOUT, Outcome, Prepared, Request,
                                    baseline, choose, optimise, prepare)
from coderefine.repo.snapshot import DEFAULT_LIMIT_MB, relative, repo_root
from coderefine.repo.targets import TargetSpec
from coderefine.types import Report, Trajectory

REPO_METHOD = "coderefine"   # the default method here, unless a pyproject.toml or --method names another

MethodOpt = typer.Option(None, "--method", help=f"The method to run (see `coderefine methods`); default {REPO_METHOD}.")
ModelOpt = typer.Option(None, help="local/qwen2.5-coder-{1.5b,0.5b} or any litellm model string.")
ApiBaseOpt = typer.Option(None, help="Base URL for an OpenAI-compatible or self-hosted server.")
SeedOpt = typer.Option(0, min=0, help="Seed for every LLM call (derived per call).")
CallsOpt = typer.Option(None, help="Cap on LLM calls, cached ones included, >= 1.")
BackendOpt = typer.Option(None, help="Sandbox backend: auto | docker | bwrap | unsafe.")
NoCacheOpt = typer.Option(False, "--no-cache", help="Do not read or write the LLM response cache.")
ApplyOpt = typer.Option(False, "--apply", help="Write a fix that makes every selected test pass into your files "
                        "(atomically; only files whose content git's index holds, so `git checkout` undoes it).")
FunctionsOpt = typer.Option(DEFAULT_FUNCTIONS, min=1, help="Most functions changed together when they are found "
                            "from the failures (1: only the most suspect one).")
PytestArgOpt = typer.Option(None, "--pytest-arg", help="An extra pytest argument, such as --runslow (repeatable).")
MaxRepoOpt = typer.Option(DEFAULT_LIMIT_MB, min=0, help="Most megabytes of tracked text files copied into the "
                          "sandbox.")
WallOpt = typer.Option(PYTEST_WALL, min=1, help="Seconds one run of the selected tests may take.")
TestTimeoutOpt = typer.Option(TEST_TIMEOUT, min=0.1, help="Seconds one test may take before it fails as a "
                              "timeout.")


@dataclass(frozen=True)
class RunOptions:
    """How to refine, once the input is checked."""
    resolved: Resolved
    method: str
    api_base: str | None
    seed: int
    no_cache: bool
    apply: bool
    time_budget: float | None = None


def method_name(resolved: Resolved) -> str:
    """--method or the pyproject.toml's method; the built-in default (for `solve`) gives way to ours."""
    return REPO_METHOD if resolved.sources["method"] == DEFAULT else resolved.settings.method


def repo_request(target: str | None, tests: list[str] | None, **options) -> Request:
    """The request with paths made repo-relative; the repository is the one holding the working folder."""
    spec = TargetSpec.parse(target) if target else None
    root = repo_root(Path.cwd())
    if spec is not None:
        spec = TargetSpec(relative(root, spec.path), spec.qualname)
    items = tuple(_relative_item(root, item) for item in tests or ())
    return Request(root=root, target=spec, tests=items, **options)


def _relative_item(root: Path, item: str) -> str:
    path, sep, node = item.partition("::")
    return relative(root, path) + sep + node


def run_repo(ui: Output, prepared: Prepared, options: RunOptions) -> tuple[ExitCode, Outcome]:
    """Baseline, variables, the method, the result shown, and the fix written with --apply.
    Exit 0 when the tests pass (already, or with the fix), else 1."""
    from coderefine.llm.engine import Engine
    from coderefine.repo.deadline import Deadline

    settings = options.resolved.settings
    method = get_method(options.method)
    with open_sandbox(settings.backend, ui) as box, environment_errors():
        with ui.working(f"running {len(prepared.selection)} test item(s) in the sandbox"):
            result = guarded(baseline, prepared, box)
        if result.report.complete:
            outcome = Outcome(before=result.report)
            show_outcome(ui, outcome, applied=False)
            return ExitCode.OK, outcome
        show_report(ui, "the tests now", result.report)
        chosen = guarded(choose, prepared, result)
        for rank, suspect in enumerate(chosen, 1):
            ui.note(f"variable {rank}: {suspect.definition.where} ({suspect.why})")
        with Engine(settings.model, cache=not options.no_cache, api_base=options.api_base) as engine:
            prepare_local_model(settings.model, ui)
            llm = Deadline(engine, options.time_budget) if options.time_budget else engine
            ui.note(f"refining with {settings.model}, method {method.name}, seed {options.seed}, sandbox {box.backend}")
            with ui.working("working: model calls and sandbox runs"):
                outcome = optimise(prepared, result, chosen, method, llm, box, settings.budget(method.budget),
                                   options.seed, on_step=_Progress(ui))
    applied = options.apply and outcome.status == "fixed"
    if applied:
        guarded(apply_changes, prepared.snapshot.root, outcome.changes)
    show_outcome(ui, outcome, applied=applied, asked=options.apply)
    return (ExitCode.OK if outcome.status in ("fixed", "passing") else ExitCode.FAILED), outcome


def guarded(step, *args):
    """A repository step whose RepoError is the user's input to fix (exit 2)."""
    try:
        return step(*args)
    except RepoError as exc:
        fail(str(exc))


@dataclass
class _Progress:
    """The `on_step` of a run: one note per new candidate."""
    ui: Output
    shown: int = 0

    def __call__(self, traj: Trajectory) -> None:
        for cand in traj.candidates[self.shown:]:
            report = cand.visible
            mark = ("✓", "green") if report.complete else ("·", "yellow")
            self.ui.note(Text.assemble(mark, f" candidate {cand.index} ({cand.origin}): tests {report.passed}/"
                                             f"{report.total}  ", (f"{traj.seconds:.1f}s", "dim")))
        self.shown = len(traj.candidates)


def show_report(ui: Output, label: str, report: Report) -> None:
    """`label: N of M tests pass`, then one line per failure (for people; on stderr)."""
    ui.note(f"{label}: {report.passed} of {report.total} tests pass")
    for line in failure_lines(report.failures, error=report.error, limit=None if ui.verbose else 8):
        ui.note(f"  {line}")


def outcome_document(outcome: Outcome, applied: bool) -> dict:
    traj = outcome.trajectory
    return {"status": outcome.status, "before": outcome.before.to_dict(),
            "after": outcome.after.to_dict() if outcome.after else None,
            "variables": [{"function": s.definition.where, "why": s.why} for s in outcome.variables],
            "diff": diff(outcome.changes), "files": [c.path for c in outcome.changes], "applied": applied,
            "stop_reason": traj.stop_reason if traj else "", "usage": traj.usage.to_dict() if traj else None,
            "candidates": len(traj.candidates) if traj else 0, "seconds": round(outcome.seconds, 3)}


def show_outcome(ui: Output, outcome: Outcome, *, applied: bool, asked: bool = False) -> None:
    """The result on stdout: the diff and the tests with it (or why there is none), and what was written."""
    if ui.json:
        ui.document(outcome_document(outcome, applied))
        return
    before = outcome.before
    if outcome.status == "passing":
        console.print(f"all {before.total} selected tests pass already; nothing to fix")
        return
    if not outcome.changes:
        reason = outcome.trajectory.stop_reason if outcome.trajectory else ""
        console.print(f"no fix found: no candidate passed more than {before.passed} of {before.total} tests"
                      + (f" ({reason})" if reason else ""))
        return
    patch = diff(outcome.changes)
    console.print(Syntax(patch, "diff") if console.is_terminal else Text(patch), end="")
    after = outcome.after
    console.print(f"tests: {before.passed} of {before.total} pass now, {after.passed} of {after.total} with this change")
    for line in failure_lines(after.failures, error=after.error, limit=8):
        console.print(Text(f"  {line}"))
    files = ", ".join(c.path for c in outcome.changes)
    if applied:
        console.print(f"applied to {files} (`git diff` shows it, `git checkout -- {files}` undoes it)")
    elif asked:
        console.print("not applied: only a change that makes every selected test pass is written")
    else:
        console.print("not applied (give --apply to write it)")


def refine(
    target: Optional[str] = typer.Argument(None, help="path/to/mod.py::func (Class.method and outer.inner too), or a "
                                           "file; leave out with --tests to find the functions from the failures."),
    tests: Optional[list[str]] = typer.Option(None, "--tests", help="Tests to run: a file, file::test or folder "
                                              "(repeatable); default: the test files that cover the target's file."),
    apply: bool = ApplyOpt,
    repo_method: Optional[str] = MethodOpt, model: Optional[str] = ModelOpt, api_base: Optional[str] = ApiBaseOpt,
    seed: int = SeedOpt, calls: Optional[int] = CallsOpt, backend: Optional[str] = BackendOpt,
    no_cache: bool = NoCacheOpt, functions: int = FunctionsOpt, pytest_arg: Optional[list[str]] = PytestArgOpt,
    max_repo_mb: float = MaxRepoOpt, wall: float = WallOpt, test_timeout: float = TestTimeoutOpt,
    as_json: bool = JsonOpt, quiet: bool = QuietOpt, verbose: bool = VerboseOpt,
) -> None:
    """Fix a function of this git repository so that its failing pytest tests pass: the tests run on a copy
    in the sandbox, the fix is printed as a diff. Exit 0 when the tests pass (already, or with the fix), 1
    when no fix was found, 2 for bad input (nothing is changed)."""
    ui = Output(json=as_json, quiet=quiet, verbose=verbose)
    resolved = resolve_settings(model=model, method=repo_method, calls=calls, backend=backend)
    ui.detail(settings_line(resolved))
    request = guarded(lambda: repo_request(target, tests, args=tuple(pytest_arg or ()), functions=functions,
                                           limit_mb=max_repo_mb, wall=wall, test_timeout=test_timeout))
    prepared = guarded(prepare, request)
    code, _ = run_repo(ui, prepared, RunOptions(resolved, method_name(resolved), api_base, seed, no_cache, apply))
    raise typer.Exit(code)
