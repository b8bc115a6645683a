"""The `coderefine` command: one module per command group; commands parse, call the library, render."""
from __future__ import annotations

from coderefine.cli.base import CLI, VersionOpt
from coderefine.cli.bench import bench_app
from coderefine.cli.hook import hook
from coderefine.cli.methods import methods
from coderefine.cli.model import cache_app, model_app
from coderefine.cli.problems import problems_app
from coderefine.cli.refine import refine
from coderefine.cli.settings import config
from coderefine.cli.solve import solve

app = CLI(help="Test-time code refinement: sandboxed tests as the loss, LLM critique as the gradient.",
          epilog="Exit codes: 0 success or solved; 1 ran, but not solved or tests failed; 2 usage or input error; "
                 "3 the environment failed (model unreachable, sandbox unusable); 4 a bug in coderefine; "
                 "130 interrupted.")


@app.callback()
def _options(version: bool = VersionOpt) -> None:
    pass


app.command()(solve)
app.command()(methods)
app.command()(config)
app.command()(refine)
app.command()(hook)
app.add_typer(model_app, name="model", help="The embedded model: pull, build, status, stop, chat.")
app.add_typer(cache_app, name="cache", help="The LLM response cache.")
app.add_typer(problems_app, name="problems", help="List, show, check, validate and build problems.")
app.add_typer(bench_app, name="bench")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
