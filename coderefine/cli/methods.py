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
    from coderefine.cli.repo_options import REPO_METHOD
    from coderefine.config import Settings
    ui = Output(json=as_json)
    rows = [m.describe() for m in METHODS.values()]
    defaults = {"solve": Settings().method, "refine": REPO_METHOD, "hook": REPO_METHOD}
    if as_json:
        ui.document({"methods": rows, "defaults": defaults})
    else:
        ui.table(("method", "summary", "default budget"), [(r["name"], r["summary"], _limits(r["budget"])) for r in rows])
        ui.note(f"defaults: solve runs {defaults['solve']}, refine and hook run {REPO_METHOD} (--method or "
                "[tool.coderefine] method chooses another; options follow the name, as in coderefine:beam=3)")
