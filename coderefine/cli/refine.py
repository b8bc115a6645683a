"""`coderefine refine`: fix functions of the repository you are in against its own pytest tests, shown as a
diff, written only with --apply. `coderefine hook` runs the same steps for pre-commit."""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import typer
from rich.syntax import Syntax
from rich.text import Text

from coderefine.cli.environment import environment_errors, open_sandbox
from coderefine.cli.model import prepare_local_model
from coderefine.cli.output import ExitCode, Output, fail, out as console
from coderefine.cli.repo_options import RepoArgs, method_name, repo_command
from coderefine.config import Resolved
from coderefine.methods import get_method
from coderefine.render import failure_lines
from coderefine.repo import RepoError
from coderefine.repo.apply import apply_changes, check_staged, diff
from coderefine.repo.refine import NothingRan, Outcome, Prepared, Request, baseline, choose, optimise, prepare
from coderefine.repo.snapshot import relative, relative_item, repo_root
from coderefine.repo.targets import TargetSpec
from coderefine.types import Report, Trajectory


def repo_request(target: str | None, tests: list[str] | None, **options) -> Request:
    """The request with paths made repo-relative; the repository is the one holding the working folder."""
    spec = TargetSpec.parse(target) if target else None
    root = repo_root(Path.cwd())
    if spec is not None:
        spec = TargetSpec(relative(root, spec.path), spec.qualname)
    items = tuple(relative_item(root, item) for item in tests or ())
    return Request(root=root, target=spec, tests=items, **options)


def run_repo(ui: Output, prepared: Prepared, args: RepoArgs, resolved: Resolved,
             time_budget: float | None = None, *, skipped_ok: bool = False) -> tuple[ExitCode, Outcome | None]:
    """Baseline, variables, the method, the result shown, and the fix written with --apply.
    Exit 0 when the tests pass (already, or with the fix), else 1. With `skipped_ok` (the hook), a selection
    whose tests are all skipped has nothing to check: exit 0 and no outcome."""
    from coderefine.llm.engine import Engine
    from coderefine.repo.deadline import Deadline

    settings = resolved.settings
    method = get_method(method_name(resolved))
    with open_sandbox(settings.backend, ui) as box, environment_errors(), \
            Engine(settings.model, cache=not args.no_cache, api_base=args.api_base,
                   serving=settings.serving(), notes=ui) as engine:
        with ui.working(f"running {len(prepared.selection)} test item(s) in the sandbox"):
            try:
                result = guarded(baseline, prepared, box, let_through=NothingRan if skipped_ok else ())
            except NothingRan as exc:
                ui.note(f"{str(exc).partition(';')[0]}; nothing to check")
                return ExitCode.OK, None
        if result.report.complete:
            outcome = Outcome(before=result.report)
            show_outcome(ui, outcome, applied=False)
            return ExitCode.OK, outcome
        engine.check()   # tests that pass need no model; failing ones learn of a missing key before any call
        show_report(ui, "the tests now", result.report)
        chosen = guarded(choose, prepared, result)
        if args.apply:   # a write that would be refused is refused now, before minutes of model calls
            guarded(check_staged, prepared.snapshot.root, sorted({s.definition.path for s in chosen}))
        for rank, suspect in enumerate(chosen, 1):
            ui.note(f"variable {rank}: {suspect.definition.where} ({suspect.why})")
        prepare_local_model(settings.model, ui, settings.serving())
        llm = Deadline(engine, time_budget) if time_budget else engine
        ui.note(f"refining with {settings.model}, method {method.name}, seed {args.seed}, sandbox {box.backend}")
        with ui.working("working: model calls and sandbox runs"):
            outcome = optimise(prepared, result, chosen, method, llm, box, settings.budget(method.budget),
                               args.seed, on_step=_Progress(ui))
    applied = args.apply and outcome.status == "fixed"
    if applied:
        try:
            apply_changes(prepared.snapshot.root, outcome.changes)
        except RepoError as exc:   # the fix is still shown, so the work is not lost
            if not ui.json:
                show_outcome(ui, outcome, applied=False, refused=str(exc))
            fail(str(exc), diff=diff(outcome.changes))
    show_outcome(ui, outcome, applied=applied, asked=args.apply)
    return (ExitCode.OK if outcome.status in ("fixed", "passing") else ExitCode.FAILED), outcome


def guarded(step, *args, let_through: type[RepoError] | tuple = ()):
    """A repository step whose RepoError is the user's input to fix (exit 2); those of `let_through` are
    raised for the caller to handle."""
    try:
        return step(*args)
    except RepoError as exc:
        if isinstance(exc, let_through):
            raise
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
            limit = f"(stopped at the sandbox's {report.limit_hit} limit)  " if report.limit_hit else ""
            self.ui.note(Text.assemble(mark, f" candidate {cand.index} ({cand.origin}): tests {report.passed}/"
                                             f"{report.total}  {limit}", (f"{traj.seconds:.1f}s", "dim")))
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
            "candidates": len(traj.candidates) if traj else 0, "seconds": round(outcome.seconds, 3),
            "limits_hit": outcome.limits_hit, "untrusted": outcome.untrusted}


def show_outcome(ui: Output, outcome: Outcome, *, applied: bool, asked: bool = False, refused: str = "") -> None:
    """The result on stdout: the diff and the tests with it (or why there is none), what was written, and
    what the verdicts are worth."""
    if ui.json:
        ui.document(outcome_document(outcome, applied))
        return
    _show_result(outcome, applied, asked, refused)
    runs = len(outcome.runs)
    for limit, count in outcome.limits_hit.items():
        console.print(f"limit hit: the sandbox's {limit} limit stopped {count} of {runs} test runs, which count "
                      "as failing whatever the code does")
    if outcome.untrusted:
        console.print(Text(f"untrusted verdicts: {outcome.untrusted}"))


def _show_result(outcome: Outcome, applied: bool, asked: bool, refused: str) -> None:
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
    files = " ".join(shlex.quote(c.path) for c in outcome.changes)   # the command is copied into a shell
    if applied:
        console.print(f"applied to {files} (`git diff` shows it, `git checkout -- {files}` undoes it)")
    elif refused:
        console.print(f"not applied: {refused}")
    elif asked:
        console.print("not applied: only a change that makes every selected test pass is written")
    else:
        console.print("not applied (give --apply to write it)")


@repo_command
def refine(
    target: Optional[str] = typer.Argument(None, help="path/to/mod.py::func (Class.method and outer.inner too), or a "
                                           "file; leave out with --tests to find the functions from the failures."),
    tests: Optional[list[str]] = typer.Option(None, "--tests", help="Tests to run: a file, file::test or folder "
                                              "(repeatable); default: the test files that cover the target's file."),
    *, args: RepoArgs,
) -> None:
    """Fix a function of this git repository so that its failing pytest tests pass: the tests run on a copy
    in the sandbox, the fix is printed as a diff. Exit 0 when the tests pass (already, or with the fix), 1
    when no fix was found, 2 for bad input (nothing is changed)."""
    ui = args.ui
    resolved = args.resolve(ui)
    request = guarded(lambda: repo_request(target, tests, **args.request_fields()))
    prepared = guarded(prepare, request)
    code, _ = run_repo(ui, prepared, args, resolved)
    raise typer.Exit(code)
