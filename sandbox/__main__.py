"""`python -m sandbox check|exec|run-tests`: the sandbox API as a JSON-printing CLI."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from sandbox.check import check as check_backends
from sandbox.core import Sandbox
from sandbox.errors import SandboxError
from sandbox.types import CallTest, Compare, Limits

app = typer.Typer(help="Run untrusted code in a sandbox and print JSON.", add_completion=False)


def _open(backend: str) -> Sandbox:
    try:
        return Sandbox(backend=backend)
    except SandboxError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(3)  # the environment, not the input: as the coderefine CLI says it


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        typer.echo(f"error: cannot read {path}: {exc.strerror}", err=True)
        raise typer.Exit(2)


@app.command()
def check(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Report each backend: available or not, why, and its isolation features."""
    report = check_backends()
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    for name, info in report["backends"].items():
        typer.echo(f"{name:7} {'available' if info['available'] else 'unavailable'}: {info['reason']}")
    typer.echo(f"auto -> {report['auto'] or 'none'}")


@app.command("exec")
def exec_(file: Path, as_json: bool = typer.Option(False, "--json", help="print JSON"),
          backend: str = typer.Option("auto", help="auto | docker | bwrap | unsafe"),
          timeout: float = typer.Option(10.0, help="wall-clock seconds")) -> None:
    """Run a Python FILE in the sandbox; exit with its status (124 when it timed out, 128+N when a signal
    or a limit killed it), as `timeout(1)` and shells report them."""
    source = _read(file)
    with _open(backend) as box:
        result = box.run_program(source, limits=Limits(wall=timeout))
    if as_json:
        typer.echo(json.dumps(asdict(result)))
    else:
        typer.echo(result.stdout, nl=False)
        typer.echo(result.stderr, nl=False, err=True)
        typer.echo(f"[{result.backend}] exit={result.exit_code} {result.killed_reason} {result.seconds:.2f}s", err=True)
    raise typer.Exit(_status(result))


def _status(result) -> int:
    if result.timed_out:
        return 124
    if result.exit_code is None:
        return 137  # killed (by a limit)
    return result.exit_code if 0 <= result.exit_code < 256 else 128 + abs(result.exit_code) % 128


@app.command("run-tests")
def run_tests(code_file: Path, tests_file: Path = typer.Argument(..., help="JSON list of {args, kwargs, expected}"),
              entry_point: str = typer.Option(..., "--entry-point", "-e"),
              backend: str = typer.Option("auto"), time_per_test: float = typer.Option(2.0),
              compare: str = typer.Option("exact", help="exact | float | any_order")) -> None:
    """Run call tests from TESTS_FILE against CODE_FILE; print the report as JSON."""
    try:
        rows = json.loads(_read(tests_file))
        tests = [CallTest(args=tuple(r.get("args", ())), kwargs=r.get("kwargs", {}), expected=r.get("expected"),
                          name=r.get("name", "")) for r in rows]
    except (ValueError, AttributeError, TypeError) as exc:
        typer.echo(f"error: {tests_file} must hold a JSON list of objects with args/kwargs/expected ({exc})", err=True)
        raise typer.Exit(2)
    with _open(backend) as box:
        report = box.run_tests(_read(code_file), tests, entry_point, compare=Compare(mode=compare),
                               limits=Limits(time_per_test=time_per_test))
    typer.echo(json.dumps({**asdict(report), "passed": report.passed, "total": report.total,
                           "trusted": report.trusted}))


if __name__ == "__main__":
    app()
