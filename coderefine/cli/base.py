"""The contract every `coderefine` command keeps, in one place: `-h` beside `--help`, `--version`, the
effective defaults in `--help`, and errors (ours, the parser's, Ctrl-C, a bug's) reported once with their exit code,
as a JSON object when `--json` was given. A command group made with `CLI(...)` gets all of it."""
from __future__ import annotations

import os
import sys
import time
import traceback
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any, Iterator

import click
import typer
from typer.core import TyperCommand, TyperGroup

from coderefine.cli.output import CLIError, ExitCode, err, report_error

CONTEXT = {"help_option_names": ["--help", "-h"]}
JSON = "coderefine.json"   # ctx.meta key: did the command line ask for --json


def _print_version(value: bool) -> None:
    if value:
        print(f"coderefine {version('coderefine')}")
        raise typer.Exit()


VersionOpt = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                          help="Show the version and exit (works after any command too).")


@contextmanager
def _reported(as_json: bool) -> Iterator[None]:
    """Turns a failure into its message and exit code."""
    try:
        yield
    except CLIError as exc:
        report_error(exc, as_json)
        raise typer.Exit(exc.code) from None
    except KeyboardInterrupt:
        report_error(CLIError("stopped by Ctrl-C", ExitCode.INTERRUPTED), as_json)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except BrokenPipeError:   # `coderefine ... | head`: the reader went away; not a bug. Exit 1, as Rich and
        _silence_stdout()      # Click do when the pipe breaks in their hands
        raise typer.Exit(ExitCode.FAILED) from None
    except typer.TyperException as exc:   # the parser's usage errors
        if as_json:
            report_error(CLIError(exc.format_message(), ExitCode.USAGE), True)
        elif err.is_terminal or not hasattr(exc, "show"):
            raise   # Typer draws it in a box
        else:
            exc.show()   # plain text for a log or a pipe, never wrapped in a box
        raise typer.Exit(ExitCode.USAGE) from None
    except (typer.Exit, typer.Abort, click.exceptions.Exit, click.exceptions.Abort):   # exits, not errors
        raise
    except Exception as exc:   # a bug of ours: its own exit code, never mistaken for "not solved"
        report_error(CLIError(f"internal error, a bug in coderefine: {type(exc).__name__}: {exc} "
                              f"({_save_traceback()}; please report it)", ExitCode.INTERNAL), as_json)
        raise typer.Exit(ExitCode.INTERNAL) from None


def _silence_stdout() -> None:
    """Points stdout at /dev/null, so that the interpreter's last flush into the closed pipe is not reported
    as another error on the way out."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _save_traceback() -> str:
    """Writes the current exception's traceback under the cache folder; says where (or prints it)."""
    from coderefine.paths import cache_dir
    text = traceback.format_exc()
    try:
        folder = cache_dir() / "crashes"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
        path.write_text(text)
        return f"the traceback is in {path}"
    except OSError:
        err.print(text, markup=False, highlight=False)
        return "the traceback is above"


# Options whose built-in default is their command's own (said in their help text), not the setting's: `--help`
# shows the setting only where a pyproject.toml or the environment sets it.
_OWN_DEFAULT = {"repo_method": "method", "hook_tests": "hook_tests"}


class _Contract:
    """Mixed into Typer's command and group classes."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        asked = "--json" in args or (parent is not None and parent.meta.get(JSON, False))
        if "--version" in args:
            _print_version(True)
        with _reported(asked):
            ctx = super().make_context(info_name, args, parent, **extra)
        ctx.meta[JSON] = asked
        return ctx

    def invoke(self, ctx: typer.Context) -> Any:
        with _reported(ctx.meta.get(JSON, False)):
            return super().invoke(ctx)

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        """Options named after a setting and left unset show the value in effect here and its origin.
        (The parameters are this invocation's own objects; help ends the invocation.)"""
        from coderefine.cli.settings import effective_defaults
        shown = effective_defaults()
        for param in self.params:
            key = _OWN_DEFAULT.get(param.name, param.name)
            if key in shown and param.default is None and (param.name not in _OWN_DEFAULT or shown[key][1]):
                param.show_default = shown[key][0]
        super().format_help(ctx, formatter)


class Command(_Contract, TyperCommand):
    pass


class Group(_Contract, TyperGroup):
    pass


class CLI(typer.Typer):
    """A Typer app whose groups and commands keep the contract above."""

    def __init__(self, **kwargs: Any):
        super().__init__(**{"cls": Group, "context_settings": CONTEXT, "no_args_is_help": True,
                            "pretty_exceptions_enable": False, **kwargs})

    def command(self, *args: Any, **kwargs: Any):
        return super().command(*args, **{"cls": Command, **kwargs})
