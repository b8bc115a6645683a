"""`coderefine solve`: one problem, one method, the hidden verdict once at the end."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, Optional

import typer
from rich.syntax import Syntax
from rich.text import Text

from coderefine.cli.environment import environment_errors, open_sandbox
from coderefine.cli.model import prepare_local_model
from coderefine.cli.output import ExitCode, JsonOpt, Output, QuietOpt, VerboseOpt, fail, out as console
from coderefine.cli.paths import writable_output
from coderefine.cli.problems import DatasetOpt, find
from coderefine.cli.settings import (CtxPerSlotOpt, DraftMaxOpt, DraftModelOpt, SlotsOpt, SpeculationOpt,
                                     resolve_settings, settings_line)
from coderefine.loop import MAX_SEED
from coderefine.methods import get_method
from coderefine.solve import solve_problem, solve_summary
from coderefine.types import Trajectory


@dataclass
class _Recorder:
    """The `on_step` of a solve: shows new candidates, saves the trajectory, and keeps the latest one so
    that Ctrl-C can still save it, marked as interrupted."""
    ui: Output
    path: Path | None
    traj: Trajectory | None = None
    shown: int = 0

    def __call__(self, traj: Trajectory) -> None:
        self.traj = traj
        for cand in traj.candidates[self.shown:]:
            mark = ("✓", "green") if cand.visible.complete else ("·", "yellow")
            self.ui.note(Text.assemble(mark, f" candidate {cand.index} ({cand.origin}): visible tests "
                                             f"{cand.visible.passed}/{cand.visible.total}  ", (f"{traj.seconds:.1f}s", "dim")))
        self.shown = len(traj.candidates)
        self.save()

    def save(self) -> None:
        if self.path is None or self.traj is None:
            return
        try:
            self.traj.save(self.path)
        except OSError as exc:
            fail(f"--out {self.path}: cannot save the trajectory ({exc.strerror})", ExitCode.ENVIRONMENT)

    def interrupted(self) -> NoReturn:
        if self.traj is None:
            fail("stopped by Ctrl-C before the first candidate; nothing to save", ExitCode.INTERRUPTED)
        self.traj.stop_reason = "interrupted"
        self.save()
        done = f"stopped by Ctrl-C after {len(self.traj.candidates)} candidate(s); "
        if self.path is None:
            fail(done + "no trajectory saved (give --out to keep one)", ExitCode.INTERRUPTED)
        fail(done + f"partial trajectory saved to {self.path}", ExitCode.INTERRUPTED, trajectory=str(self.path))


def selftest_rows(selftests: list[dict]) -> list[tuple[str, str, str, str]]:
    """One row per self-written test: its call, the expected value its label gives, and the vote behind it
    (none for an example copied from the statement: the statement is its authority)."""
    return [(t["input"], t["expected"] or "-", t["status"],
             "-" if t["status"] == "stated" else f"{t['votes']} / {t['against']}") for t in selftests]


def _render_result(summary: dict, ui: Output) -> None:
    final = summary["final"]
    title = f"final answer: candidate {final['index']}" if final["index"] is not None else \
        "no answer: no reply held a program"
    console.rule(Text(f"{title} ({summary['stop_reason']})"))   # Text: a stop reason is never read as markup
    code = final["code"] or "# (no code)"
    console.print(Syntax(code, "python", line_numbers=True) if console.is_terminal else Text(code))
    verdict = Text("SOLVED", "bold green") if final["solved"] else Text("NOT SOLVED", "bold red")
    if untrusted := final["hidden"].get("untrusted"):
        verdict = Text(f"NO VERDICT: {untrusted}", "bold yellow")
    console.print(Text(f"hidden tests: {final['hidden_passed']}/{final['hidden_total']}  "), verdict, sep="")
    if summary["selftests"] and ui.chatty:
        ui.table(("self test", "expected", "label", "votes for / against"), selftest_rows(summary["selftests"]),
                 title="tests the method wrote (stated, agreed and single labels count, disputed and unknown do not)")
    usage = summary["usage"]
    ui.table(("calls", "cached", "prompt tokens", "completion tokens", "seconds"),
             [(usage["llm_calls"], usage["cached_calls"], usage["prompt_tokens"], usage["completion_tokens"],
               f"{summary['seconds']:.1f}")], title="LLM usage")


def solve(
    problem: str = typer.Argument(..., help="Problem id (a folder name under problems/, or an id of --dataset)."),
    dataset: str = DatasetOpt,
    method: Optional[str] = typer.Option(None, help="The method to run (see `coderefine methods`)."),
    model: Optional[str] = typer.Option(None, help="local/qwen2.5-coder-{1.5b,0.5b} or any litellm model string."),
    api_base: Optional[str] = typer.Option(None, help="Base URL for an OpenAI-compatible or self-hosted server."),
    seed: int = typer.Option(0, min=0, max=MAX_SEED, help="Seed for every LLM call (derived per call)."),
    max_iters: Optional[int] = typer.Option(None, help="Refinement rounds after the first candidate, >= 0."),
    calls: Optional[int] = typer.Option(None, help="Cap on LLM calls, cached ones included, >= 1."),
    temperature: Optional[float] = typer.Option(None, help="Sampling temperature, 0 to 2."),
    max_tokens: Optional[int] = typer.Option(None, help="Max new tokens of a reply that carries a program."),
    backend: Optional[str] = typer.Option(None, help="Sandbox backend: auto | docker | bwrap | unsafe."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the LLM response cache."),
    out: Optional[Path] = typer.Option(None, help="Save the trajectory JSON here after every step."),
    slots: Optional[int] = SlotsOpt, ctx_per_slot: Optional[int] = CtxPerSlotOpt,
    speculation: Optional[str] = SpeculationOpt, draft_model: Optional[str] = DraftModelOpt,
    draft_max: Optional[int] = DraftMaxOpt,
    as_json: bool = JsonOpt, quiet: bool = QuietOpt, verbose: bool = VerboseOpt,
) -> None:
    """Solve PROBLEM with a method, then judge the final answer once on the hidden tests.
    Exit 0 when solved, 1 when not."""
    from coderefine.llm.engine import Engine

    ui = Output(json=as_json, quiet=quiet, verbose=verbose)
    resolved = resolve_settings(model=model, method=method, max_iters=max_iters, calls=calls,
                                temperature=temperature, max_tokens=max_tokens, backend=backend, slots=slots,
                                ctx_per_slot=ctx_per_slot, speculation=speculation, draft_model=draft_model,
                                draft_max=draft_max)
    ui.detail(settings_line(resolved))
    settings = resolved.settings
    if out is not None:
        writable_output(out)
    prob = find(problem, dataset)
    chosen = get_method(settings.method)
    recorder = _Recorder(ui, out)
    try:
        with open_sandbox(settings.backend, ui) as box, environment_errors(), \
                Engine(settings.model, cache=not no_cache, api_base=api_base, serving=settings.serving(),
                       notes=ui) as engine:
            engine.check()
            prepare_local_model(settings.model, ui, settings.serving())   # after Engine() refused a bad model/api_base pair
            ui.note(f"{prob.id} with {settings.model}, method {chosen.name}, seed {seed}, sandbox {box.backend}")
            with ui.working("working: model calls and sandbox runs"):   # one LLM call on a CPU can take minutes
                traj = solve_problem(prob, chosen, engine, box, settings.budget(chosen.budget), seed,
                                     on_step=recorder)
    except KeyboardInterrupt:
        recorder.interrupted()
    summary = solve_summary(traj)
    if as_json:
        ui.document(summary)
    else:
        _render_result(summary, ui)
    if not summary["final"]["solved"]:
        raise typer.Exit(ExitCode.FAILED)
