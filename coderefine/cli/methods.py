"""`coderefine methods`: the registered methods, each with its one-line summary and default budget."""
from __future__ import annotations

from coderefine.cli.output import JsonOpt, Output
from coderefine.methods import METHODS


def _limits(budget: dict) -> str:
    limits = [f"{budget[k]} {label}" for k, label in (("calls", "calls"), ("tokens", "tokens"),
                                                        ("max_iters", "iterations")) if budget[k] is not None]
    return ", ".join(limits) or "unbounded"


def methods(as_json: bool = JsonOpt) -> None:
    """List the methods that `solve` and `bench` can run."""
    ui = Output(json=as_json)
    rows = [m.describe() for m in METHODS.values()]
    if as_json:
        ui.document({"methods": rows})
    else:
        ui.table(("method", "summary", "default budget"), [(r["name"], r["summary"], _limits(r["budget"])) for r in rows])
