"""The `coderefine` command: one module per command group; commands parse, call the library, render."""
from __future__ import annotations

import typer

from coderefine.cli.bench import bench_app
from coderefine.cli.methods import methods
from coderefine.cli.model import cache_app, model_app
from coderefine.cli.problems import problems_app
from coderefine.cli.solve import solve

app = typer.Typer(help="Test-time code refinement: sandboxed tests as the loss, LLM critique as the gradient.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.command()(solve)
app.command()(methods)
app.add_typer(model_app, name="model", help="The embedded model: pull, build, status, stop, chat.")
app.add_typer(cache_app, name="cache", help="The LLM response cache.")
app.add_typer(problems_app, name="problems", help="List, show, check, validate and build problems.")
app.add_typer(bench_app, name="bench")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
