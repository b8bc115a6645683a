"""`coderefine problems ...`: list, show, check, validate and build problem sets (thin: parse, call, render)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.markdown import Markdown
from rich.table import Column, Table

from coderefine.data import DATASETS_HELP, LoadResult, find_problem, load_dataset
from coderefine.judge import judge
from coderefine.render import outcome_line
from coderefine.cli.output import err, fail, out
from coderefine.data.problem import ProblemError
from coderefine.data.build import write_hidden
from coderefine.data.folder import default_problems_dir, problem_folders
from coderefine.data.validate import MIN_MARGIN, ProblemReport, validate_all
from sandbox import CallTest

problems_app = typer.Typer(help="Problem sets: ours (problems/), HumanEval, LeetCodeDataset files.", no_args_is_help=True)

DatasetOpt = typer.Option("problems", "--dataset", "-d", help=DATASETS_HELP)
BackendOpt = typer.Option("auto", "--backend", help="sandbox backend: auto, docker, bwrap or unsafe")
JsonOpt = typer.Option(False, "--json", help="print JSON instead of tables")


def _open_sandbox(backend: str):
    from sandbox import Sandbox, SandboxError
    try:
        return Sandbox(backend=backend)
    except SandboxError as exc:
        fail(str(exc))


def _report_skipped(result: LoadResult) -> None:
    err.print(f"{result.summary()}", highlight=False)
    for skipped in result.skipped:
        err.print(f"  [yellow]skipped[/yellow] {skipped.where}: {skipped.reason}", highlight=False)


def _folders_root(dataset: str) -> Path:
    name, _, arg = dataset.partition(":")
    if name != "problems":
        fail(f"this command works on problem folders (--dataset problems or problems:PATH), not '{dataset}'")
    return Path(arg) if arg else default_problems_dir()


@problems_app.command("list")
def list_problems(dataset: str = DatasetOpt,
                  difficulty: Optional[str] = typer.Option(None, "--difficulty", help="Easy, Medium or Hard"),
                  since: Optional[str] = typer.Option(None, "--since", help="LeetCodeDataset: estimated_date >= YYYY-MM-DD"),
                  until: Optional[str] = typer.Option(None, "--until", help="LeetCodeDataset: estimated_date <= YYYY-MM-DD"),
                  as_json: bool = JsonOpt) -> None:
    """List the problems of a dataset, with how many rows were skipped and why."""
    try:
        result = load_dataset(dataset, difficulty=difficulty, since=since, until=until)
    except ProblemError as exc:
        fail(str(exc))
    if as_json:
        print(json.dumps({
            "problems": [{"id": p.id, "title": p.title, "difficulty": p.difficulty, "techniques": list(p.techniques),
                          "visible_tests": len(p.visible_tests), "hidden_tests": len(p.hidden_tests)} for p in result.problems],
            "loaded": len(result.problems),
            "skipped": [{"where": s.where, "reason": s.reason} for s in result.skipped],
        }, indent=2))
        return
    table = Table(Column("id", no_wrap=True), "title", Column("difficulty", no_wrap=True), "techniques",
                  Column("visible", no_wrap=True, justify="right"), Column("hidden", no_wrap=True, justify="right"))
    for p in result.problems:
        table.add_row(p.id, p.title, p.difficulty, ", ".join(p.techniques), str(len(p.visible_tests)), str(len(p.hidden_tests)))
    out.print(table)
    _report_skipped(result)


@problems_app.command("show")
def show(problem_id: str = typer.Argument(..., help="problem id (see `coderefine problems list`)"),
         dataset: str = DatasetOpt) -> None:
    """Show a problem as a solver sees it: statement, signature, visible tests (never hidden expected values)."""
    try:
        problem = find_problem(problem_id, dataset).public_view()
    except ProblemError as exc:
        fail(str(exc))
    out.rule(f"{problem.id}  {problem.title}  [{problem.difficulty or 'unrated'}]")
    out.print(Markdown(problem.statement))
    out.rule("signature")
    out.print(problem.starter_code, highlight=False, markup=False)
    out.print(f"entry point: {problem.entry_point}    time limit: {problem.time_limit:g} s per test    "
              f"compare: {problem.compare.mode}", highlight=False)
    out.rule(f"visible tests ({len(problem.visible_tests)})")
    for test in problem.visible_tests:
        if isinstance(test, CallTest):
            call = ", ".join([json.dumps(a) for a in test.args] + [f"{k}={json.dumps(v)}" for k, v in test.kwargs.items()])
            out.print(f"{test.name}: ({call}) -> {json.dumps(test.expected)}", highlight=False, markup=False)
        else:
            out.print(f"{test.name}: {test.source}", highlight=False, markup=False)


@problems_app.command("check")
def check(problem_id: str = typer.Argument(..., help="problem id"),
          solution: Path = typer.Option(..., "--solution", "-s", help="Python file with your solution"),
          dataset: str = DatasetOpt, backend: str = BackendOpt, as_json: bool = JsonOpt) -> None:
    """Judge a solution on the hidden tests in the sandbox (the benchmark's judge). Exit 1 unless all pass."""
    if not solution.is_file():
        fail(f"{solution}: solution file not found")
    try:
        problem = find_problem(problem_id, dataset)
    except ProblemError as exc:
        fail(str(exc))
    with _open_sandbox(backend) as sandbox:
        report = judge(problem, solution.read_text(), sandbox)
    if as_json:
        print(json.dumps({"problem": problem.id, **report.to_dict(), "all_passed": report.complete}, indent=2))
    else:
        colour = "green" if report.complete else "red"
        out.print(f"[{colour}]{report.passed}/{report.total} hidden tests passed[/{colour}] "
                  f"({report.seconds:.3f} s, backend {report.backend})")
        if report.error:
            out.print(f"error: {report.error}", markup=False, highlight=False)
        for failure in report.failures[:10]:
            out.print(f"  {outcome_line(failure)}", markup=False, highlight=False)
        if len(report.failures) > 10:
            out.print(f"  ... and {len(report.failures) - 10} more failures")
    if not report.complete:
        raise typer.Exit(1)


def _render_reports(reports: list[ProblemReport]) -> None:
    table = Table("problem", "check", "ok", "detail", "s")
    for report in reports:
        for c in report.checks:
            table.add_row(report.problem_id, c.name, "[green]ok[/green]" if c.ok else "[red]FAIL[/red]",
                          c.detail, f"{c.seconds:.2f}")
    out.print(table)
    bad = [r.problem_id for r in reports if not r.ok]
    out.print(f"{len(reports) - len(bad)}/{len(reports)} problems valid" + (f"; failing: {', '.join(bad)}" if bad else ""))


@problems_app.command("validate")
def validate(problem_ids: Optional[list[str]] = typer.Argument(None, help="problem ids (default: all)"),
             dataset: str = DatasetOpt, backend: str = BackendOpt, as_json: bool = JsonOpt,
             min_margin: float = typer.Option(MIN_MARGIN, "--min-margin", help="required limit / slowest reference test"),
             workers: int = typer.Option(2, "--workers", help="problems validated at once")) -> None:
    """Check problem folders in the sandbox: files, gen.py, examples, reference, margin, brute, naive. Exit 1 on any failure."""
    root = _folders_root(dataset)
    folders = problem_folders(root) if root.is_dir() else []
    if problem_ids:
        known = {f.name: f for f in folders}
        unknown = [i for i in problem_ids if i not in known]
        if unknown:
            fail(f"unknown problem(s) {', '.join(unknown)} in {root}; known ids: {', '.join(known) or '(none)'}")
        folders = [known[i] for i in problem_ids]
    if not folders:
        fail(f"no problem folders (with a problem.toml) under {root}")
    with _open_sandbox(backend) as sandbox:
        reports = validate_all(folders, sandbox, workers=workers, min_margin=min_margin)
    if as_json:
        print(json.dumps({"ok": all(r.ok for r in reports), "problems": [r.to_dict() for r in reports]}, indent=2))
    else:
        _render_reports(reports)
    if not all(r.ok for r in reports):
        raise typer.Exit(1)


@problems_app.command("build")
def build(problem_ids: list[str] = typer.Argument(..., help="problem ids whose hidden.json to rebuild"),
          dataset: str = DatasetOpt, seed: int = typer.Option(0, "--seed", help="seed passed to gen.py's generate")) -> None:
    """Rewrite hidden.json from gen.py (inputs) and reference.py (expected outputs)."""
    root = _folders_root(dataset)
    for problem_id in problem_ids:
        folder = root / problem_id
        if not (folder / "problem.toml").is_file():
            fail(f"{folder}: no problem.toml (known ids: {', '.join(f.name for f in problem_folders(root)) or '(none)'})")
        try:
            path = write_hidden(folder, seed)
        except Exception as exc:  # the authors' own gen.py/reference.py: report which and why, then stop
            fail(f"{folder}: building hidden.json failed: {type(exc).__name__}: {exc}")
        tests = len(json.loads(path.read_text())["tests"])
        out.print(f"{path}: {tests} tests (seed {seed})", highlight=False)
