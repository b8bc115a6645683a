"""Where coderefine keeps its caches (model files, llama.cpp build, LLM responses)."""
from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """`$CODEREFINE_CACHE`, else `$XDG_CACHE_HOME/coderefine`, else `~/.cache/coderefine`."""
    if env := os.environ.get("CODEREFINE_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coderefine"
