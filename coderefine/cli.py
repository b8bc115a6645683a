"""The `coderefine` command. Commands only parse arguments, call the library, and render with Rich."""
from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Optional

import typer
from rich.syntax import Syntax
from rich.table import Table

from coderefine.cli_model import cache_app, model_app, prepare_local_model
from coderefine.cli_output import fail
from coderefine.cli_output import out as console
from coderefine.cli_problems import problems_app
from coderefine.config import load_settings
from coderefine.trajectory import Trajectory

app = typer.Typer(help="Test-time code refinement: sandboxed tests as the loss, LLM critique as the gradient.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(model_app, name="model", help="The embedded model: pull, build, status, stop, chat.")
app.add_typer(cache_app, name="cache", help="The LLM response cache.")
app.add_typer(problems_app, name="problems", help="List, show, check, validate and build problems.")


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


@app.command()
def solve(
    problem: str = typer.Argument(..., help="Problem id (a folder name under problems/, or an id of --dataset)."),
    dataset: str = typer.Option("problems", help="problems | humaneval | lcd:PATH"),
    model: Optional[str] = typer.Option(None, help="local/qwen2.5-coder-{1.5b,0.5b} or any litellm model string."),
    api_base: Optional[str] = typer.Option(None, help="Base URL for an OpenAI-compatible or self-hosted server."),
    seed: int = typer.Option(0, help="Seed for every LLM call (derived per call)."),
    max_iters: Optional[int] = typer.Option(None, help="Critique+rewrite rounds after the zero-shot candidate."),
    temperature: Optional[float] = typer.Option(None, help="Sampling temperature."),
    backend: Optional[str] = typer.Option(None, help="Sandbox backend: auto | docker | bwrap | unsafe."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the LLM response cache."),
    out: Optional[Path] = typer.Option(None, help="Save the trajectory JSON here after every step."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the Rich view."),
) -> None:
    """Solve PROBLEM with the refinement loop, then judge the final answer once on the hidden tests."""
    from coderefine.datasets import find_problem
    from coderefine.engine import Engine, EngineError
    from coderefine.problem import ProblemError
    from coderefine.refine import Budget
    from coderefine.solve import solve_problem, solve_summary
    from sandbox import Sandbox, SandboxError

    try:
        settings = load_settings()
        prob = find_problem(problem, dataset=dataset)
    except (ProblemError, ValueError) as exc:
        fail(str(exc))
    budget = Budget(max_iters=settings.max_iters if max_iters is None else max_iters,
                    temperature=settings.temperature if temperature is None else temperature)
    on_progress = _progress_printer(as_json)

    def on_step(traj: Trajectory) -> None:
        on_progress(traj)
        if out:
            traj.save(out)

    model = model or settings.model
    prepare_local_model(model)
    try:
        with Sandbox(backend=backend or settings.backend) as box, \
                Engine(model, cache=not no_cache, api_base=api_base) as engine:
            if not as_json:
                console.print(f"[bold]{prob.id}[/] with [cyan]{model}[/], seed {seed}, "
                              f"sandbox {box.backend} ({box.reason})")
            # A spinner between candidates: one LLM call on a CPU can take minutes.
            with (nullcontext() if as_json else console.status("waiting for the model…")):
                traj = solve_problem(prob, engine, box, budget, seed, on_step=on_step)
    except (EngineError, SandboxError) as exc:
        fail(str(exc))
    summary = solve_summary(traj)
    if as_json:
        print(json.dumps(summary, indent=1))
    else:
        _render_result(summary)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
