"""`coderefine methods`: the registered methods, each with its one-line summary and default budget."""
from __future__ import annotations

import json

import typer
from rich.table import Table

from coderefine.cli.output import out
from coderefine.methods import METHODS


def methods(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List the methods that `solve` and `bench` can run."""
    rows = [m.describe() for m in METHODS.values()]
    if as_json:
        print(json.dumps({"methods": rows}, indent=1))
        return
    table = Table("method", "summary", "default budget")
    for row in rows:
        budget = row["budget"]
        limits = [f"{budget[k]} {label}" for k, label in (("calls", "calls"), ("tokens", "tokens"),
                                                            ("max_iters", "iterations")) if budget[k] is not None]
        table.add_row(row["name"], row["summary"], ", ".join(limits) or "unbounded")
    out.print(table)
