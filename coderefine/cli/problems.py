"""`coderefine problems ...`: list, show, check, validate and build problem sets (thin: parse, call, render)."""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.markdown import Markdown
from rich.text import Text

from coderefine.cli.base import CLI
from coderefine.cli.environment import environment_errors, open_sandbox
from coderefine.cli.output import ExitCode, JsonOpt, Output, QuietOpt, VerboseOpt, fail, out
from coderefine.cli.settings import resolve_settings
from coderefine.data import DATASETS_HELP, LoadResult, find_problem, load_dataset
from coderefine.data.build import write_hidden
from coderefine.data.folder import DIFFICULTIES, default_problems_dir, problem_folders, require_problem_folders
from coderefine.data.problem import Problem, ProblemError
from coderefine.data.validate import MIN_MARGIN, ProblemReport, validate_all
from coderefine.judge import judge
from coderefine.render import failure_lines
from coderefine.suggest import unknown
from sandbox import CallTest

problems_app = CLI(help="Problem sets: ours (problems/), HumanEval, LeetCodeDataset files.")

DatasetOpt = typer.Option("problems", "--dataset", "-d", help=DATASETS_HELP)
BackendOpt = typer.Option(None, "--backend", help="Sandbox backend: auto, docker, bwrap or unsafe.")


def _load(dataset: str, **filters) -> LoadResult:
    try:
        return load_dataset(dataset, **filters)
    except ProblemError as exc:
        fail(str(exc))


def find(problem_id: str, dataset: str) -> Problem:
    """One problem, or a usage error that suggests the closest ids."""
    try:
        return find_problem(problem_id, dataset)
    except ProblemError as exc:
        fail(str(exc))


def difficulty_level(name: str) -> str:
    """A difficulty level in any case; an unknown one is refused instead of matching nothing."""
    level = next((d for d in DIFFICULTIES if d.lower() == name.lower()), None)
    if level is None:
        fail(unknown("difficulty", name, DIFFICULTIES, label="known difficulties"))
    return level


def iso_date(text: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option as a date; a malformed one is refused instead of comparing as text."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date; use YYYY-MM-DD, e.g. 2024-09-01")


def _report_skipped(result: LoadResult, ui: Output) -> None:
    ui.note(result.summary())
    for skipped in result.skipped:
        ui.note(Text.assemble("  ", ("skipped", "yellow"), f" {skipped.where}: {skipped.reason}"))


def _folders_root(dataset: str) -> Path:
    name, _, arg = dataset.partition(":")
    if name != "problems":
        fail(f"this command works on problem folders (--dataset problems or problems:PATH), not '{dataset}'")
    return Path(arg) if arg else default_problems_dir()


def _problem_data(p: Problem) -> dict:
    return {"id": p.id, "title": p.title, "difficulty": p.difficulty, "techniques": list(p.techniques),
            "visible_tests": len(p.visible_tests), "hidden_tests": len(p.hidden_tests)}


@problems_app.command("list")
def list_problems(dataset: str = DatasetOpt,
                  difficulty: Optional[str] = typer.Option(None, "--difficulty", help="Easy, Medium or Hard"),
                  since: Optional[str] = typer.Option(None, "--since", help="LeetCodeDataset: estimated_date >= YYYY-MM-DD"),
                  until: Optional[str] = typer.Option(None, "--until", help="LeetCodeDataset: estimated_date <= YYYY-MM-DD"),
                  as_json: bool = JsonOpt, quiet: bool = QuietOpt) -> None:
    """List the problems of a dataset, with how many rows were skipped and why. Exit 2 if every row was."""
    ui = Output(json=as_json, quiet=quiet)
    result = _load(dataset, difficulty=difficulty_level(difficulty) if difficulty else None,
                   since=iso_date(since, "--since"), until=iso_date(until, "--until"))
    skipped = [{"where": s.where, "reason": s.reason} for s in result.skipped]
    if not as_json:
        _report_skipped(result, ui)
    if skipped and not result.problems:
        fail(f"every problem of {dataset} was skipped ({len(skipped)})", skipped=skipped)
    if as_json:
        ui.document({"problems": [_problem_data(p) for p in result.problems], "loaded": len(result.problems),
                     "skipped": skipped})
    else:
        ui.table(("id", "title", "difficulty", "techniques", "visible", "hidden"),
                 [(d["id"], d["title"], d["difficulty"], ", ".join(d["techniques"]), d["visible_tests"],
                   d["hidden_tests"]) for d in map(_problem_data, result.problems)])


def _test_line(test) -> str:
    if isinstance(test, CallTest):
        call = ", ".join([json.dumps(a) for a in test.args] + [f"{k}={json.dumps(v)}" for k, v in test.kwargs.items()])
        return f"{test.name}: ({call}) -> {json.dumps(test.expected)}"
    return f"{test.name}: {test.source}"


@problems_app.command("show")
def show(problem_id: str = typer.Argument(..., help="problem id (see `coderefine problems list`)"),
         dataset: str = DatasetOpt, as_json: bool = JsonOpt) -> None:
    """Show a problem as a solver sees it: statement, signature, visible tests (never hidden expected values)."""
    problem = find(problem_id, dataset).public_view()
    if as_json:
        Output(json=True).document({
            "id": problem.id, "title": problem.title, "difficulty": problem.difficulty,
            "techniques": list(problem.techniques), "statement": problem.statement,
            "starter_code": problem.starter_code, "entry_point": problem.entry_point,
            "time_limit": problem.time_limit, "compare": problem.compare.mode,
            "visible_tests": [asdict(t) for t in problem.visible_tests]})
        return
    out.rule(Text(f"{problem.id}  {problem.title}  [{problem.difficulty or 'unrated'}]"))
    out.print(Markdown(problem.statement) if out.is_terminal else Text(problem.statement))
    out.rule("signature")
    out.print(Text(problem.starter_code))
    out.print(Text(f"entry point: {problem.entry_point}    time limit: {problem.time_limit:g} s per test    "
                   f"compare: {problem.compare.mode}"))
    out.rule(f"visible tests ({len(problem.visible_tests)})")
    for test in problem.visible_tests:
        out.print(Text(_test_line(test)))


@problems_app.command("check")
def check(problem_id: str = typer.Argument(..., help="problem id"),
          solution: Path = typer.Option(..., "--solution", "-s", help="Python file with your solution"),
          dataset: str = DatasetOpt, backend: Optional[str] = BackendOpt,
          as_json: bool = JsonOpt, quiet: bool = QuietOpt, verbose: bool = VerboseOpt) -> None:
    """Judge a solution on the hidden tests in the sandbox (the benchmark's judge). Exit 1 unless all pass."""
    ui = Output(json=as_json, quiet=quiet, verbose=verbose)
    settings = resolve_settings(backend=backend).settings
    try:
        code = solution.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{solution}: cannot read the solution ({getattr(exc, 'strerror', None) or exc})")
    problem = find(problem_id, dataset)
    with open_sandbox(settings.backend, ui) as sandbox, environment_errors(), \
            ui.working(f"judging {len(problem.hidden_tests)} hidden tests on {sandbox.backend}, "
                       f"up to {problem.time_limit:g} s each"):
        report = judge(problem, code, sandbox)
    if as_json:
        ui.document({"problem": problem.id, **report.to_dict(), "all_passed": report.complete})
    else:
        colour = "green" if report.complete else "red"
        out.print(Text(f"{report.passed}/{report.total} hidden tests passed", style=colour),
                  Text(f"({report.seconds:.3f} s, backend {report.backend})"))
        if report.error:
            out.print(Text(f"error: {report.error}"))
        for line in failure_lines(report.failures, error=report.error, limit=None if verbose else 10):
            out.print(Text(f"  {line}"))
    if not report.complete:
        raise typer.Exit(ExitCode.FAILED)


def _render_reports(reports: list[ProblemReport], ui: Output) -> None:
    ui.table(("problem", "check", "ok", "detail", "s"),
             [(r.problem_id, c.name, Text("ok", "green") if c.ok else Text("FAIL", "red"), c.detail, f"{c.seconds:.2f}")
              for r in reports for c in r.checks])
    bad = [r.problem_id for r in reports if not r.ok]
    out.print(Text(f"{len(reports) - len(bad)}/{len(reports)} problems valid" + (f"; failing: {', '.join(bad)}" if bad else "")))


@problems_app.command("validate")
def validate(problem_ids: Optional[list[str]] = typer.Argument(None, help="problem ids (default: all)"),
             dataset: str = DatasetOpt, backend: Optional[str] = BackendOpt,
             min_margin: float = typer.Option(MIN_MARGIN, "--min-margin", min=1.0,
                                              help="required limit / slowest reference test"),
             workers: int = typer.Option(2, "--workers", min=1, help="problems validated at once"),
             as_json: bool = JsonOpt, quiet: bool = QuietOpt, verbose: bool = VerboseOpt) -> None:
    """Check problem folders in the sandbox: files, gen.py, examples, reference, margin, brute, naive. Exit 1 on any failure."""
    ui = Output(json=as_json, quiet=quiet, verbose=verbose)
    settings = resolve_settings(backend=backend).settings
    root = _folders_root(dataset)
    try:
        folders = require_problem_folders(root)
    except ProblemError as exc:
        fail(str(exc))
    if problem_ids:
        known = {f.name: f for f in folders}
        for problem_id in problem_ids:
            if problem_id not in known:
                fail(unknown("problem", problem_id, known, where=str(root), label="known ids"))
        folders = [known[i] for i in problem_ids]
    with open_sandbox(settings.backend, ui) as sandbox, environment_errors(), \
            ui.working(f"validating {len(folders)} problem(s) on {sandbox.backend}, {workers} at once"):
        reports = validate_all(folders, sandbox, workers=workers, min_margin=min_margin)
    if as_json:
        ui.document({"ok": all(r.ok for r in reports), "problems": [r.to_dict() for r in reports]})
    else:
        _render_reports(reports, ui)
    if not all(r.ok for r in reports):
        raise typer.Exit(ExitCode.FAILED)


@problems_app.command("build")
def build(problem_ids: list[str] = typer.Argument(..., help="problem ids whose hidden.json to rebuild"),
          dataset: str = DatasetOpt, seed: int = typer.Option(0, "--seed", help="seed passed to gen.py's generate"),
          as_json: bool = JsonOpt) -> None:
    """Rewrite hidden.json from gen.py (inputs) and reference.py (expected outputs)."""
    ui = Output(json=as_json)
    root = _folders_root(dataset)
    known = [f.name for f in problem_folders(root)] if root.is_dir() else []
    for problem_id in problem_ids:   # every id is checked before any file is rewritten
        if problem_id not in known:
            fail(unknown("problem", problem_id, known, where=str(root), label="known ids"))
    written = []
    for problem_id in problem_ids:
        folder = root / problem_id
        try:
            path = write_hidden(folder, seed)
        except Exception as exc:  # the authors' own gen.py/reference.py: report which and why, then stop
            fail(f"{folder}: building hidden.json failed: {type(exc).__name__}: {exc}")
        written.append({"path": str(path), "tests": len(json.loads(path.read_text())["tests"]), "seed": seed})
        if not as_json:
            out.print(Text(f"{path}: {written[-1]['tests']} tests (seed {seed})"))
    if as_json:
        ui.document({"written": written})
