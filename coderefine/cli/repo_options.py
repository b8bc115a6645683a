"""The options `coderefine refine` and `coderefine hook` share, declared once: `repo_command` gives a command
its own parameters followed by these, and hands them to it as one `RepoArgs`."""
from __future__ import annotations

import functools
import inspect
import typing
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Optional

import typer

from coderefine.cli.output import JsonOpt, Output, QuietOpt, VerboseOpt
from coderefine.cli.settings import DraftMaxOpt, SlotsOpt, SpeculationOpt, resolve_settings, settings_line
from coderefine.config import DEFAULT, Resolved
from coderefine.loop import MAX_SEED
from coderefine.repo.refine import DEFAULT_FUNCTIONS, PYTEST_WALL, TEST_TIMEOUT
from coderefine.repo.snapshot import DEFAULT_LIMIT_MB

REPO_METHOD = "coderefine"   # the default method here, unless a pyproject.toml or --method names another


def method_name(resolved: Resolved) -> str:
    """--method or the pyproject.toml's method; the built-in default (for `solve`) gives way to ours."""
    return REPO_METHOD if resolved.sources["method"] == DEFAULT else resolved.settings.method


def _option(*args: Any, **kwargs: Any) -> Any:
    """A field whose command-line option is `typer.Option(*args, **kwargs)`."""
    return field(metadata={"option": typer.Option(*args, **kwargs)})


@dataclass(frozen=True)
class RepoArgs:
    """The shared options as given. `repo_method`, not `method`: `--help` would show the method `solve` uses."""
    apply: bool = _option(False, "--apply", help="Write a fix that makes every selected test pass into your files "
                          "(atomically; only files whose content git's index holds, so `git checkout` undoes it).")
    repo_method: Optional[str] = _option(None, "--method", help="The method to run (see `coderefine methods`); "
                                         f"built-in default {REPO_METHOD}.")
    model: Optional[str] = _option(None, help="local/qwen2.5-coder-{1.5b,0.5b} or any litellm model string.")
    api_base: Optional[str] = _option(None, help="Base URL for an OpenAI-compatible or self-hosted server.")
    seed: int = _option(0, min=0, max=MAX_SEED, help="Seed for every LLM call (derived per call).")
    calls: Optional[int] = _option(None, help="Cap on LLM calls, cached ones included, >= 1.")
    backend: Optional[str] = _option(None, help="Sandbox backend: auto | docker | bwrap | unsafe.")
    no_cache: bool = _option(False, "--no-cache", help="Do not read or write the LLM response cache.")
    functions: int = _option(DEFAULT_FUNCTIONS, min=1, help="Most functions changed together when they are found "
                             "from the failures (1: only the most suspect one).")
    pytest_arg: Optional[list[str]] = _option(None, "--pytest-arg", help="An extra pytest argument, such as "
                                              "--runslow (repeatable).")
    max_repo_mb: float = _option(DEFAULT_LIMIT_MB, min=0, help="Most megabytes of tracked text files copied into "
                                 "the sandbox.")
    wall: float = _option(PYTEST_WALL, min=1, help="Seconds one run of the selected tests may take.")
    test_timeout: float = _option(TEST_TIMEOUT, min=0.1, help="Seconds one test may take before it fails as a "
                                  "timeout.")
    slots: Optional[int] = field(metadata={"option": SlotsOpt})
    speculation: Optional[str] = field(metadata={"option": SpeculationOpt})
    draft_max: Optional[int] = field(metadata={"option": DraftMaxOpt})
    as_json: bool = field(metadata={"option": JsonOpt})
    quiet: bool = field(metadata={"option": QuietOpt})
    verbose: bool = field(metadata={"option": VerboseOpt})

    @property
    def ui(self) -> Output:
        return Output(json=self.as_json, quiet=self.quiet, verbose=self.verbose)

    def resolve(self, ui: Output, labels: dict[str, str] | None = None, **settings: Any) -> Resolved:
        """The settings from these flags and the command's own `settings`, shown with -v."""
        resolved = resolve_settings(labels, model=self.model, method=self.repo_method, calls=self.calls,
                                    backend=self.backend, slots=self.slots, speculation=self.speculation,
                                    draft_max=self.draft_max, **settings)
        ui.detail(settings_line(resolved))
        return resolved

    def request_fields(self) -> dict[str, Any]:
        """The `repo.refine.Request` fields these flags set."""
        return {"args": tuple(self.pytest_arg or ()), "functions": self.functions, "limit_mb": self.max_repo_mb,
                "wall": self.wall, "test_timeout": self.test_timeout}


def repo_command(command: Callable[..., None]) -> Callable[..., None]:
    """`command(own parameters..., args: RepoArgs)` as Typer sees it: its own parameters, then each field of
    RepoArgs as an option."""
    hints = typing.get_type_hints(RepoArgs)
    shared = [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.metadata["option"],
                                annotation=hints[f.name]) for f in fields(RepoArgs)]
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "args"]

    @functools.wraps(command)
    def parsed(**values: Any) -> None:
        args = RepoArgs(**{f.name: values.pop(f.name) for f in fields(RepoArgs)})
        command(**values, args=args)

    parsed.__signature__ = inspect.Signature(own + shared)
    parsed.__annotations__ = {p.name: p.annotation for p in own + shared}
    return parsed
