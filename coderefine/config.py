"""Settings: dataclass defaults, overridden by `[tool.coderefine]` in the nearest pyproject.toml."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    model: str = "local/qwen2.5-coder-1.5b"
    """litellm model string, or local/qwen2.5-coder-{0.5b,1.5b} for the embedded model."""
    max_iters: int = 4
    """critique+rewrite rounds after the zero-shot candidate."""
    temperature: float = 0.3
    """sampling temperature for every call (seeds only matter above 0)."""
    backend: str = "auto"
    """sandbox backend: auto | docker | bwrap | unsafe."""


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_settings(start: Path | None = None) -> Settings:
    """Defaults, then the `[tool.coderefine]` table; unknown keys raise so typos are not silent."""
    path = find_pyproject(start or Path.cwd())
    if path is None:
        return Settings()
    table = tomllib.loads(path.read_text()).get("tool", {}).get("coderefine", {})
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"{path}: unknown key(s) in [tool.coderefine]: {', '.join(unknown)}; "
                         f"known keys are {', '.join(sorted(known))}")
    return replace(Settings(), **table)
