"""`coderefine solve`: one problem, one method, the hidden verdict once at the end."""
from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Optional

import typer
from rich.syntax import Syntax
from rich.table import Table

from coderefine.cli.model import prepare_local_model
from coderefine.cli.output import fail
from coderefine.cli.output import out as console
from coderefine.config import load_settings
from coderefine.types import Trajectory


def _progress_printer(quiet: bool):
    shown = 0

    def on_step(traj: Trajectory) -> None:
        nonlocal shown
        if quiet:
            return
        for cand in traj.candidates[shown:]:
            mark = "[green]✓[/]" if cand.visible.complete else "[yellow]·[/]"
            console.print(f"{mark} candidate {cand.index} ({cand.origin}): visible tests "
                          f"{cand.visible.passed}/{cand.visible.total}  [dim]{traj.seconds:.1f}s[/]")
        shown = len(traj.candidates)

    return on_step


def _render_result(summary: dict) -> None:
    final = summary["final"]
    console.rule(f"final answer: candidate {final['index']} ({summary['stop_reason']})")
    console.print(Syntax(final["code"] or "# (no code)", "python", line_numbers=True))
    verdict = "[bold green]SOLVED[/]" if final["solved"] else "[bold red]NOT SOLVED[/]"
    console.print(f"hidden tests: {final['hidden_passed']}/{final['hidden_total']}  {verdict}")
    usage = summary["usage"]
    table = Table(title="LLM usage", show_header=True)
    for column in ("calls", "cached", "prompt tokens", "completion tokens", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(str(usage["llm_calls"]), str(usage["cached_calls"]), str(usage["prompt_tokens"]),
                  str(usage["completion_tokens"]), f"{summary['seconds']:.1f}")
    console.print(table)


def solve(
    problem: str = typer.Argument(..., help="Problem id (a folder name under problems/, or an id of --dataset)."),
    dataset: str = typer.Option("problems", help="problems | humaneval | lcd:PATH"),
    method: Optional[str] = typer.Option(None, help="The method to run (see `coderefine methods`)."),
    model: Optional[str] = typer.Option(None, help="local/qwen2.5-coder-{1.5b,0.5b} or any litellm model string."),
    api_base: Optional[str] = typer.Option(None, help="Base URL for an OpenAI-compatible or self-hosted server."),
    seed: int = typer.Option(0, help="Seed for every LLM call (derived per call)."),
    max_iters: Optional[int] = typer.Option(None, help="Refinement rounds after the first candidate."),
    calls: Optional[int] = typer.Option(None, help="Cap on LLM calls, cached ones included."),
    temperature: Optional[float] = typer.Option(None, help="Sampling temperature."),
    backend: Optional[str] = typer.Option(None, help="Sandbox backend: auto | docker | bwrap | unsafe."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the LLM response cache."),
    out: Optional[Path] = typer.Option(None, help="Save the trajectory JSON here after every step."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the Rich view."),
) -> None:
    """Solve PROBLEM with a method, then judge the final answer once on the hidden tests."""
    from dataclasses import replace

    from coderefine.data import find_problem
    from coderefine.data.problem import ProblemError
    from coderefine.llm.engine import Engine, EngineError
    from coderefine.methods import UnknownMethod, get_method
    from coderefine.solve import solve_problem, solve_summary
    from sandbox import Sandbox, SandboxError

    try:
        settings = load_settings()
        overrides = {"model": model, "method": method, "max_iters": max_iters, "calls": calls,
                     "temperature": temperature, "backend": backend}
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        chosen = get_method(settings.method)
        prob = find_problem(problem, dataset=dataset)
    except (ProblemError, UnknownMethod, ValueError) as exc:
        fail(str(exc))
    budget = settings.budget(chosen.budget)
    on_progress = _progress_printer(as_json)

    def on_step(traj: Trajectory) -> None:
        on_progress(traj)
        if out:
            traj.save(out)

    prepare_local_model(settings.model)
    try:
        with Sandbox(backend=settings.backend) as box, \
                Engine(settings.model, cache=not no_cache, api_base=api_base) as engine:
            if not as_json:
                console.print(f"[bold]{prob.id}[/] with [cyan]{settings.model}[/], method {chosen.name}, "
                              f"seed {seed}, sandbox {box.backend} ({box.reason})")
            # A spinner between candidates: one LLM call on a CPU can take minutes.
            with (nullcontext() if as_json else console.status("waiting for the model…")):
                traj = solve_problem(prob, chosen, engine, box, budget, seed, on_step=on_step)
    except (EngineError, SandboxError) as exc:
        fail(str(exc))
    summary = solve_summary(traj)
    if as_json:
        print(json.dumps(summary, indent=1))
    else:
        _render_result(summary)
