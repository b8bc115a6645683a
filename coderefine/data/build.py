"""Builds a problem folder's hidden.json: inputs from gen.py, expected outputs from reference.py.

Both files are our own trusted code, so they run in-process; candidate code
never goes through here (the validator re-checks everything in the sandbox).
"""
from __future__ import annotations

import importlib.util
import json
import tomllib
from pathlib import Path
from types import ModuleType

from sandbox import resolve_entry, to_jsonable


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_cr_{path.parent.name}_{path.stem}".replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate_inputs(folder: Path, seed: int = 0) -> list[dict]:
    """Run gen.py's `generate(seed)`; each case is {"args": [...], "small": bool}."""
    cases = load_module(folder / "gen.py").generate(seed)
    return [{"args": to_jsonable(list(c["args"])), "small": bool(c.get("small", False))} for c in cases]


def build_hidden(folder: Path, seed: int = 0) -> dict:
    """Return the hidden.json document for `folder` (does not write it)."""
    meta = tomllib.loads((folder / "problem.toml").read_text())
    reference = load_module(folder / "reference.py")
    tests = []
    for case in generate_inputs(folder, seed):
        func = resolve_entry(vars(reference), meta["entry_point"])
        args = json.loads(json.dumps(case["args"]))  # a private copy: the reference may mutate it
        tests.append({"args": case["args"], "expected": to_jsonable(func(*args)), "small": case["small"]})
    return {"seed": seed, "tests": tests}


def write_hidden(folder: Path, seed: int = 0) -> Path:
    out = folder / "hidden.json"
    out.write_text(json.dumps(build_hidden(folder, seed), separators=(",", ":")) + "\n")
    return out
