"""How every `coderefine` command talks to its reader: exit codes, errors, JSON, tables, notes and progress.

Results go to stdout; notes, progress and errors go to stderr. With `--json`, stdout holds exactly one JSON
document, an `{"error": {...}}` object on failure. When stdout is not a terminal, tables print as plain
tab-separated lines, never cut to the width of an imaginary screen.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Iterable, Iterator, NoReturn, Sequence

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from rich.text import Text

out = Console(soft_wrap=True)   # never break commands and paths across lines
err = Console(stderr=True, soft_wrap=True)


class ExitCode(IntEnum):
    """What a command's exit status means, as in pytest and ruff (listed in the README)."""
    OK = 0              # success; for solve: solved
    FAILED = 1          # ran, but not solved, or tests failed
    USAGE = 2           # usage or input error: flags, settings, ids, files
    ENVIRONMENT = 3     # the environment failed: model unreachable, sandbox unusable, download or build failed
    INTERNAL = 4        # a bug in coderefine: the message says where its traceback was saved
    INTERRUPTED = 130   # Ctrl-C


class CLIError(typer.TyperException):
    """Raised by commands and their helpers; reported once, as text or JSON, by the command classes of
    `cli.base`, which every command group made with `cli.base.CLI` uses."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.exit_code = int(code)
        self.details = details or {}   # extra fields of the JSON error object


def fail(message: str, code: ExitCode = ExitCode.USAGE, **details: Any) -> NoReturn:
    """Stop the command with `message` and `code`; never a bare traceback."""
    raise CLIError(message, code, details)


def report_error(error: CLIError, as_json: bool) -> None:
    """The error as one JSON object on stdout (`--json`), else one line on stderr."""
    if as_json:
        print(json.dumps({"error": {"message": error.message, "code": int(error.code),
                                    "kind": error.code.name.lower(), **error.details}}, indent=1))
    else:
        label = "interrupted" if error.code == ExitCode.INTERRUPTED else "error"
        err.print(f"[bold red]{label}:[/] {escape(error.message)}", highlight=False)


JsonOpt = typer.Option(False, "--json", help="Print one JSON document (on failure: {\"error\": {...}}).")
QuietOpt = typer.Option(False, "--quiet", "-q", help="Print only the result: no notes or progress.")
VerboseOpt = typer.Option(False, "--verbose", "-v", help="Print more: resolved settings, every failure, reasons.")


@dataclass(frozen=True)
class Output:
    """One invocation's reader: JSON or a person, and how much they want to hear."""
    json: bool = False
    quiet: bool = False
    verbose: bool = False

    @property
    def chatty(self) -> bool:
        """Notes and progress are for people who did not ask for silence."""
        return not (self.json or self.quiet)

    def note(self, text: str | Text) -> None:
        """A line for people on stderr (never markup-parsed); silent with -q or --json."""
        if self.chatty:
            err.print(text if isinstance(text, Text) else Text(text), highlight=False)

    def detail(self, text: str | Text) -> None:
        """A note that only -v asks for."""
        if self.verbose:
            self.note(text)

    def document(self, data: dict) -> None:
        """The JSON result, on stdout."""
        print(json.dumps(data, indent=1, default=str))

    def table(self, columns: Sequence[str], rows: Iterable[Sequence[str | Text]], title: str = "") -> None:
        """A Rich table on a terminal; tab-separated lines with a header otherwise."""
        rows = list(rows)
        if out.is_terminal:
            key, *rest = columns   # the first column names the row: never broken
            table = Table(Column(key, no_wrap=True), *(Column(c, overflow="fold") for c in rest), title=title or None)
            for row in rows:
                table.add_row(*(cell if isinstance(cell, Text) else Text(str(cell)) for cell in row))
            out.print(table)
            return
        for line in [columns, *rows]:
            print("\t".join(str(cell).replace("\t", " ").replace("\n", " ") for cell in line))

    @contextmanager
    def working(self, message: str) -> Iterator[None]:
        """A sign of life for a long step: a spinner with elapsed time on a terminal, one line otherwise."""
        if not self.chatty:
            yield
        elif not err.is_terminal:
            self.note(message)
            yield
        else:
            columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
            with Progress(*columns, console=err, transient=True) as progress:
                progress.add_task(escape(message), total=None)
                yield
