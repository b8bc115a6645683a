"""`coderefine bench`: methods × problems × seeds at one budget; `bench report`; `bench frontier`."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from coderefine.cli.model import prepare_local_model
from coderefine.cli.output import err, fail, out
from coderefine.config import load_settings

bench_app = typer.Typer(help="Compare methods side by side: methods × problems × seeds at one budget.",
                        invoke_without_command=True, no_args_is_help=False)

DEFAULT_METHODS = "zero-shot,resample,reflexion,textgrad,simple-refine"


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in _split(text)]
    except ValueError:
        fail(f"--seeds takes integers separated by commas, like 0,1,2; got {text!r}")
    if not seeds:
        fail("--seeds is empty")
    return seeds


def _select(dataset: str, problems: str | None, difficulty: str | None):
    """The problems to run and the rule that chose them (for the report)."""
    from coderefine.data import load_dataset
    from coderefine.data.problem import ProblemError
    try:
        loaded = load_dataset(dataset).problems
    except ProblemError as exc:
        fail(str(exc))
    rule = f"all {len(loaded)} problems of {dataset}"
    if difficulty:
        wanted = set(_split(difficulty))
        loaded = [p for p in loaded if p.difficulty in wanted]
        rule = f"difficulty {', '.join(sorted(wanted))} of {dataset}"
    if problems:
        if problems.startswith("@"):
            path = Path(problems[1:])
            if not path.is_file():
                fail(f"{path}: problem id file not found")
            ids = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
            ids = [i for i in ids if i]
            rule = f"the {len(ids)} ids in {path}" + (f" ({_header(path)})" if _header(path) else "")
        else:
            ids = _split(problems)
            rule = f"{len(ids)} ids given on the command line"
        known = {p.id: p for p in loaded}
        unknown = [i for i in ids if i not in known]
        if unknown:
            fail(f"unknown problem id(s) in {dataset}: {', '.join(unknown[:10])}")
        loaded = [known[i] for i in dict.fromkeys(ids)]
    if not loaded:
        fail("the selection is empty: no problem matches")
    return loaded, rule


def _header(path: Path) -> str:
    """The selection rule an id file states in its first `# rule:` comment line."""
    for line in path.read_text().splitlines():
        if line.startswith("# rule:"):
            return line.removeprefix("# rule:").strip()
    return ""


def _run(out_dir: Path, method_names: list[str], dataset: str, problems: str | None, difficulty: str | None,
         seeds: list[int], model: str | None, api_base: str | None, budget_calls: int | None,
         budget_tokens: int | None, temperature: float | None, workers: int | None, backend: str | None,
         no_cache: bool, as_json: bool) -> Path:
    from coderefine.bench.run import ThreadExecutor, run_bench
    from coderefine.bench.store import BenchError, ResultStore, Setup
    from coderefine.llm.engine import Engine, EngineError
    from coderefine.llm.server import DEFAULT_SLOTS
    from coderefine.methods import UnknownMethod, get_method
    from coderefine.types import Budget
    from sandbox import Sandbox, SandboxError

    settings = load_settings()
    model = model or settings.model
    try:
        methods = [get_method(name) for name in method_names]
    except UnknownMethod as exc:
        fail(str(exc))
    if not methods:
        fail("--methods is empty")
    selected, rule = _select(dataset, problems, difficulty)
    budget = Budget(calls=budget_calls, tokens=budget_tokens,
                    temperature=settings.temperature if temperature is None else temperature)
    if budget.calls is None and budget.tokens is None:
        fail("give --budget-calls or --budget-tokens: methods are compared at one budget")
    setup = Setup(dataset=dataset, model=model, budget=budget, selection=rule)
    store = ResultStore(out_dir)
    try:
        store.open(setup, {p.id: p.digest() for p in selected})
    except BenchError as exc:
        fail(str(exc))
    prepare_local_model(model)
    total = len(methods) * len(selected) * len(seeds)
    todo = total - len(store.done() & {k for k in _keys(methods, selected, seeds)})
    solved: Counter = Counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    try:
        with Sandbox(backend=backend or settings.backend) as box, \
                Engine(model, cache=not no_cache, api_base=api_base, concurrency=DEFAULT_SLOTS) as engine, \
                Progress(*columns, console=err, disable=as_json) as progress:
            task = progress.add_task("bench", total=todo)

            def on_result(row: dict) -> None:
                solved[row["method"]] += row["solved"]
                progress.update(task, advance=1, description="solved " + ", ".join(
                    f"{m.name} {solved[m.name]}" for m in methods))

            if not as_json:
                err.print(f"{todo} of {total} runs to do ({len(methods)} methods × {len(selected)} problems × "
                          f"{len(seeds)} seeds), {model}, sandbox {box.backend}, results in {out_dir}")
            run_bench(store, setup, methods, selected, seeds, engine, box,
                      ThreadExecutor(workers or 2 * DEFAULT_SLOTS), on_result=on_result)
    except (BenchError, EngineError, SandboxError) as exc:
        fail(f"{exc} (results so far are kept in {out_dir}; rerun the same command to resume)")
    return out_dir


def _keys(methods, problems, seeds):
    from coderefine.bench.store import RunKey
    return [RunKey(m.name, p.id, s) for m in methods for p in problems for s in seeds]


def _report(folder: Path, methods: list[str] | None, as_json: bool) -> None:
    from coderefine.bench.report import build_report, to_markdown, write_report
    from coderefine.bench.store import BenchError, ResultStore
    try:
        report = build_report(ResultStore(folder), methods)
    except BenchError as exc:
        fail(str(exc))
    paths = write_report(report, folder)
    if as_json:
        print(json.dumps(report.to_dict(), indent=1))
    else:
        out.print(to_markdown(report), markup=False, highlight=False)
        err.print("written: " + ", ".join(str(p) for p in paths))


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
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the LLM response cache."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="The results folder (resumable)."),
    as_json: bool = typer.Option(False, "--json", help="Print only the summary, as JSON."),
) -> None:
    """Run every method on every problem and seed at one budget, judge each final answer once on the hidden
    tests, and write the report. Rerunning the same command resumes."""
    if ctx.invoked_subcommand is not None:
        return
    if out_dir is None:
        fail("give --out FOLDER for the results (rerun with the same folder to resume)")
    folder = _run(out_dir, _split(methods), dataset, problems, difficulty, _seeds(seeds), model, api_base,
                  budget_calls, budget_tokens, temperature, workers, backend, no_cache, as_json)
    _report(folder, _split(methods), as_json)


@bench_app.command("report")
def report(folder: Path = typer.Argument(..., help="A bench results folder."),
           methods: Optional[str] = typer.Option(None, help="Only these methods, in this order."),
           as_json: bool = typer.Option(False, "--json", help="Print JSON instead of Markdown.")) -> None:
    """Write report.md, report.json and the plots of a results folder (also done at the end of a bench)."""
    _report(folder, _split(methods) if methods else None, as_json)


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
    out_dir: Path = typer.Option(..., "--out", help="Results folder of the zero-shot runs (resumable)."),
    write: Path = typer.Option(..., "--write", help="Where to write the frontier's ids, one per line."),
) -> None:
    """Run zero-shot on every selected problem and seed, then write the ids whose answer fails the hidden
    tests: where methods can differ. Use the file with `bench --problems @FILE`."""
    from coderefine.bench.run import frontier
    from coderefine.bench.store import ResultStore
    if rule not in ("any", "all"):
        fail(f"--rule is any or all, not {rule!r}")
    _run(out_dir, ["zero-shot"], dataset, None, difficulty, _seeds(seeds), model, api_base, 1, None, temperature,
         workers, backend, False, False)
    rows = ResultStore(out_dir).results()
    ids = frontier(rows, rule)
    seeds_text = ",".join(str(s) for s in sorted({r["seed"] for r in rows}))
    header = (f"# rule: zero-shot fails the hidden tests on {rule} of seeds {seeds_text} "
              f"({len(ids)} of {len({r['problem'] for r in rows})} problems; {out_dir})")
    write.parent.mkdir(parents=True, exist_ok=True)
    write.write_text(header + "\n" + "\n".join(ids) + "\n")
    out.print(f"{len(ids)} frontier problems written to {write}")
    _report(out_dir, None, False)
