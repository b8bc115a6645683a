"""`coderefine bench`: methods × problems × seeds at one budget; `bench report`; `bench frontier`."""
from __future__ import annotations

import re
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from coderefine.cli.base import CLI
from coderefine.cli.environment import environment_errors, open_sandbox
from coderefine.cli.model import prepare_local_model
from coderefine.cli.output import ExitCode, JsonOpt, Output, QuietOpt, VerboseOpt, err, fail, out
from coderefine.cli.paths import writable_output
from coderefine.cli.settings import (CtxPerSlotOpt, DraftMaxOpt, DraftModelOpt, SlotsOpt, SpeculationOpt,
                                     resolve_settings, settings_line)
from coderefine.loop import MAX_SEED
from coderefine.suggest import unknown

bench_app = CLI(help="Compare methods side by side: methods × problems × seeds at one budget.",
                invoke_without_command=True, no_args_is_help=False)

DEFAULT_METHODS = "zero-shot,resample,reflexion,textgrad,simple-refine,coderefine"


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _method_names(text: str) -> list[str]:
    """`--methods` split at commas, except before `key=value`: that continues the options of the method
    before it (`coderefine:beam=3,diffs=off,resample`)."""
    names: list[str] = []
    for part in _split(text):
        if names and ":" in names[-1] and re.fullmatch(r"[\w-]+=[^:@]*", part):
            names[-1] += "," + part
        else:
            names.append(part)
    return list(dict.fromkeys(names))


def _seeds(text: str) -> list[int]:
    try:
        seeds = list(dict.fromkeys(int(s) for s in _split(text)))
    except ValueError:
        fail(f"--seeds takes integers separated by commas, like 0,1,2; got {text!r}")
    if not seeds:
        fail("--seeds is empty")
    if not all(0 <= s <= MAX_SEED for s in seeds):
        fail(f"--seeds must lie in 0..{MAX_SEED} (each call's seed derives from the run's and must fit 32 bits); "
             f"got {text!r}")
    return seeds


def _select(dataset: str, problems: str | None, difficulty: str | None):
    """The problems to run and the rule that chose them (for the report)."""
    from coderefine.cli.problems import difficulty_level
    from coderefine.data import load_dataset
    from coderefine.data.problem import ProblemError
    try:
        loaded = load_dataset(dataset).problems
    except ProblemError as exc:
        fail(str(exc))
    every_id = {p.id for p in loaded}
    rule = f"all {len(loaded)} problems of {dataset}"
    if difficulty is not None:   # an empty value (an unset shell variable) selects nothing, not everything
        wanted = {difficulty_level(level) for level in _split(difficulty)}
        if not wanted:
            fail(f"--difficulty {difficulty!r} names no difficulty")
        loaded = [p for p in loaded if p.difficulty in wanted]
        rule = f"difficulty {', '.join(sorted(wanted))} of {dataset}"
    if problems is not None:
        if problems.startswith("@"):
            path = Path(problems[1:])
            if not path.is_file():
                fail(f"--problems {problems}: file not found")
            lines = path.read_text().splitlines()
            ids = [i for i in (line.split("#")[0].strip() for line in lines) if i]
            stated = next((line.removeprefix("# rule:").strip() for line in lines if line.startswith("# rule:")), "")
            rule = f"the {len(ids)} ids in {path}" + (f" ({stated})" if stated else "")
        else:
            ids = _split(problems)
            rule = f"{len(ids)} ids given on the command line"
        if not ids:
            fail(f"--problems {problems!r} names no problem ids")
        known = {p.id: p for p in loaded}
        missing = [i for i in ids if i not in known]
        if left_out := [i for i in missing if i in every_id]:   # not unknown: left out by --difficulty
            fail(f"--problems: {left_out[0]} is not of --difficulty {difficulty}")
        if missing:
            fail(unknown("problem id", missing[0], known, label=f"ids in {dataset}")
                 + (f" ({len(missing)} unknown ids in all)" if len(missing) > 1 else ""))
        loaded = [known[i] for i in dict.fromkeys(ids)]
    if not loaded:
        fail("the selection is empty: no problem matches")
    return loaded, rule


def _run(ui: Output, out_dir: Path, method_names: list[str], dataset: str, problems: str | None,
         difficulty: str | None, seeds: list[int], model: str | None, api_base: str | None,
         budget_calls: int | None, budget_tokens: int | None, temperature: float | None, workers: int | None,
         backend: str | None, no_cache: bool, sandbox_slots: int = 2,
         server: dict | None = None) -> tuple[list[str], list[str]]:
    """Everything is checked (flags, selection, the folder's setup) before the model is touched. Returns the
    methods that have runs in the folder now (one that waits on another's spend may have none yet) and the ids
    of the selected problems (the folder may hold others)."""
    from coderefine.bench.run import ThreadExecutor, plan, run_bench, waiting
    from coderefine.bench.store import BenchError, ResultStore, RunKey, Setup
    from coderefine.llm.engine import Engine
    from coderefine.llm.local import is_local
    from coderefine.methods import UnknownMethod, get_method
    from coderefine.types import Budget

    resolved = resolve_settings(labels={"calls": "--budget-calls"}, model=model, calls=budget_calls,
                                temperature=temperature, backend=backend, **(server or {}))
    settings = resolved.settings
    ui.detail(settings_line(resolved))
    if settings.backend == "unsafe":
        fail("--backend unsafe: a bench needs verdicts its answers cannot forge; use bwrap or docker "
             "(`python -m sandbox check` says which this machine has)")
    try:
        methods = [get_method(name) for name in method_names]
    except UnknownMethod as exc:
        fail(str(exc))
    if not methods:
        fail("--methods is empty")
    if budget_calls is None and budget_tokens is None:
        fail("give --budget-calls or --budget-tokens: methods are compared at one budget")
    if budget_tokens is not None and budget_tokens < 1:
        fail(f"--budget-tokens {budget_tokens}: must be at least 1")
    scheduled = [m.name for m in methods if m.schedules_calls]
    if budget_calls is None and scheduled:
        fail(f"give --budget-calls too: the iterations of {', '.join(scheduled)} come from the call cap")
    for flag, value in (("--workers", workers), ("--sandbox-slots", sandbox_slots)):
        if value is not None and value < 1:
            fail(f"{flag} {value}: must be at least 1")
    selected, rule = _select(dataset, problems, difficulty)
    writable_output(out_dir, folder=True)
    budget = Budget(calls=budget_calls, tokens=budget_tokens, temperature=settings.temperature,
                    code_tokens=settings.max_tokens)
    serving = settings.serving()
    setup = Setup(dataset=dataset, model=settings.model, budget=budget, selection=rule,
                  decoding=serving.decoding() if is_local(settings.model) else {})
    store = ResultStore(out_dir)
    rows = store.results()
    present = {r["method"] for r in rows} | {m.name for m in methods}
    for method in methods:
        if method.spend_of and method.spend_of not in present:
            fail(f"{method.name}: {out_dir} holds no runs of {method.spend_of} to match, and --methods does not "
                 f"run it; add {method.spend_of} to --methods, or bench it into this folder first")
    with ExitStack() as writer:
        try:
            writer.enter_context(store.writing())   # one bench at a time in a folder
            store.open(setup, {p.id: p.digest() for p in selected})
        except BenchError as exc:
            fail(str(exc))
        prepare_local_model(settings.model, ui, serving)
        keys = {RunKey(m.name, p.id, s) for m in methods for p in selected for s in seeds}
        done = store.done()
        try:
            jobs = plan(methods, selected, seeds, done, budget, rows)
        except BenchError as exc:
            fail(str(exc))
        todo, held = len(jobs), waiting(methods, selected, seeds, done, jobs)
        solved: Counter = Counter()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn())
        ui.note(f"{todo} of {len(keys)} runs to do ({len(methods)} methods × {len(selected)} problems × "
                f"{len(seeds)} seeds) with {settings.model}; results in {out_dir}"
                + (f"; {held} wait for the runs whose spend they match (rerun once those are done)" if held else ""))
        try:
            with open_sandbox(settings.backend, ui, slots=sandbox_slots) as box, environment_errors(), \
                    Engine(settings.model, cache=not no_cache, api_base=api_base, concurrency=settings.slots,
                           serving=serving, notes=ui) as engine, \
                    Progress(*columns, console=err, disable=not ui.chatty) as progress:
                engine.check()   # a missing API key stops the bench before its first run
                task = progress.add_task("bench", total=todo)

                def on_result(row: dict) -> None:
                    solved[row["method"]] += row["solved"]
                    progress.update(task, advance=1, description="solved: " + ", ".join(
                        f"{m.name} {solved[m.name]}" for m in methods))

                run_bench(store, setup, methods, selected, seeds, engine, box,
                          ThreadExecutor(workers or 2 * settings.slots, on_interrupt=lambda n: ui.note(
                              f"Ctrl-C: finishing the {n} runs in flight, so that their work is kept "
                              "(Ctrl-C again to drop them)")), on_result=on_result)
        except BenchError as exc:
            fail(f"{exc} (results so far are kept in {out_dir}; rerun the same command to resume)",
                 ExitCode.ENVIRONMENT)
    ran = {row["method"] for row in store.results()}
    return [m.name for m in methods if m.name in ran], [p.id for p in selected]


def _report(ui: Output, folder: Path, methods: list[str] | None, against: str = "zero-shot") -> dict:
    from coderefine.bench.report import build_report, to_markdown, write_report
    from coderefine.bench.store import BenchError, ResultStore
    try:
        report = build_report(ResultStore(folder), methods, against)
    except BenchError as exc:
        fail(str(exc))
    paths = write_report(report, folder)
    if not ui.json:
        out.print(to_markdown(report), markup=False, highlight=False)
        ui.note("written: " + ", ".join(str(p) for p in paths))
    return report.to_dict()


@bench_app.callback()
def bench(
    ctx: typer.Context,
    methods: str = typer.Option(DEFAULT_METHODS, help="Methods to compare, comma-separated (see `coderefine methods`)."),
    dataset: str = typer.Option("humaneval", help="problems | problems:PATH | humaneval | lcd:PATH"),
    problems: Optional[str] = typer.Option(None, help="Problem ids, comma-separated, or @FILE with one id per line."),
    difficulty: Optional[str] = typer.Option(None, help="Only these difficulties, comma-separated (Easy,Medium)."),
    seeds: str = typer.Option("0,1,2", help="Seeds, comma-separated; each call's seed derives from its run's."),
    model: Optional[str] = typer.Option(None, help="local/qwen2.5-coder-{1.5b,0.5b} or any litellm model string."),
    api_base: Optional[str] = typer.Option(None, help="Base URL for an OpenAI-compatible server."),
    budget_calls: Optional[int] = typer.Option(None, help="Cap on LLM calls per run, cached calls included."),
    budget_tokens: Optional[int] = typer.Option(None, help="Cap on prompt + completion tokens per run."),
    temperature: Optional[float] = typer.Option(None, help="Base temperature of the calls the anchors made at T=0."),
    workers: Optional[int] = typer.Option(None, help="Runs at once (default: twice the model's slots)."),
    backend: Optional[str] = typer.Option(None, help="Sandbox backend: auto | docker | bwrap | unsafe."),
    sandbox_slots: int = typer.Option(2, help="Sandbox runs at once (a run's tests use one slot)."),
    slots: Optional[int] = SlotsOpt, ctx_per_slot: Optional[int] = CtxPerSlotOpt,
    speculation: Optional[str] = SpeculationOpt, draft_model: Optional[str] = DraftModelOpt,
    draft_max: Optional[int] = DraftMaxOpt,
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the LLM response cache."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="The results folder (rerun with it to resume)."),
    as_json: bool = JsonOpt, quiet: bool = QuietOpt, verbose: bool = VerboseOpt,
) -> None:
    """Run every method on every problem and seed at one budget, judge each final answer once on the hidden
    tests, and write the report. Rerunning the same command resumes."""
    if ctx.invoked_subcommand is not None:
        return
    ui = Output(json=as_json, quiet=quiet, verbose=verbose)
    if out_dir is None:
        fail("give --out FOLDER for the results (rerun with the same folder to resume)")
    ran, _ = _run(ui, out_dir, _method_names(methods), dataset, problems, difficulty, _seeds(seeds), model,
                  api_base, budget_calls, budget_tokens, temperature, workers, backend, no_cache, sandbox_slots,
                  dict(slots=slots, ctx_per_slot=ctx_per_slot, speculation=speculation, draft_model=draft_model,
                       draft_max=draft_max))
    summary = _report(ui, out_dir, ran)
    if as_json:
        ui.document(summary)


@bench_app.command("report")
def report(folder: Path = typer.Argument(..., help="A bench results folder."),
           methods: Optional[str] = typer.Option(None, help="Only these methods, in this order."),
           against: str = typer.Option("zero-shot", help="The method the others are paired with: the problems "
                                       "each fixed and broke against it."),
           as_json: bool = JsonOpt, quiet: bool = QuietOpt) -> None:
    """Write report.md, report.json and the plots of a results folder (also done at the end of a bench)."""
    ui = Output(json=as_json, quiet=quiet)
    summary = _report(ui, folder, _method_names(methods) if methods else None, against)
    if as_json:
        ui.document(summary)


@bench_app.command("frontier")
def frontier_command(
    dataset: str = typer.Option("humaneval", help="problems | humaneval | lcd:PATH"),
    difficulty: Optional[str] = typer.Option(None, help="Only these difficulties, comma-separated."),
    seeds: str = typer.Option("0,1,2", help="Seeds of the zero-shot runs."),
    model: Optional[str] = typer.Option(None, help="The model whose frontier this is."),
    api_base: Optional[str] = typer.Option(None, help="Base URL for an OpenAI-compatible server."),
    temperature: Optional[float] = typer.Option(None, help="Base temperature (use the bench's)."),
    rule: str = typer.Option("any", help="any: zero-shot fails on at least one seed; all: on every seed."),
    workers: Optional[int] = typer.Option(None, help="Runs at once."),
    backend: Optional[str] = typer.Option(None, help="Sandbox backend."),
    slots: Optional[int] = SlotsOpt, speculation: Optional[str] = SpeculationOpt,
    draft_max: Optional[int] = DraftMaxOpt,
    out_dir: Path = typer.Option(..., "--out", help="Results folder of the zero-shot runs (resumable)."),
    write: Path = typer.Option(..., "--write", help="Where to write the frontier's ids, one per line."),
    as_json: bool = JsonOpt, quiet: bool = QuietOpt, verbose: bool = VerboseOpt,
) -> None:
    """Run zero-shot on every selected problem and seed, then write the ids whose answer fails the hidden
    tests: where methods can differ. Use the file with `bench --problems @FILE`."""
    from coderefine.bench.run import frontier
    from coderefine.bench.store import ResultStore
    ui = Output(json=as_json, quiet=quiet, verbose=verbose)
    if rule not in ("any", "all"):
        fail(f"--rule {rule!r}: use any or all")
    writable_output(write, flag="--write")
    chosen_seeds = _seeds(seeds)
    _, chosen = _run(ui, out_dir, ["zero-shot"], dataset, None, difficulty, chosen_seeds, model, api_base, 1, None,
                     temperature, workers, backend, False,
                     server=dict(slots=slots, speculation=speculation, draft_max=draft_max))
    # the folder may hold runs of other difficulties or seeds from earlier frontiers: they are not this one's
    wanted = set(chosen)
    rows = [r for r in ResultStore(out_dir).results() if r["problem"] in wanted and r["seed"] in chosen_seeds]
    ids = frontier(rows, rule)
    seeds_text = ",".join(str(s) for s in sorted({r["seed"] for r in rows}))
    header = (f"# rule: zero-shot fails the hidden tests on {rule} of seeds {seeds_text} "
              f"({len(ids)} of {len({r['problem'] for r in rows})} problems; {out_dir})")
    write.parent.mkdir(parents=True, exist_ok=True)
    write.write_text(header + "\n" + "\n".join(ids) + "\n")
    summary = _report(ui, out_dir, None)
    ui.note(f"{len(ids)} frontier problems written to {write}")
    if as_json:
        ui.document({"frontier": ids, "rule": header.removeprefix("# rule: "), "file": str(write),
                     "report": summary})
