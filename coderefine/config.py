"""Settings: the one source of defaults, overridden by `[tool.coderefine]` in the nearest pyproject.toml,
then by command-line flags. `Settings.budget()` builds the Budget a method runs under."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from coderefine.llm.local import DEFAULT_MODEL
from coderefine.types import Budget


@dataclass(frozen=True)
class Settings:
    model: str = DEFAULT_MODEL
    """litellm model string, or local/qwen2.5-coder-{0.5b,1.5b} for the embedded model."""
    method: str = "simple-refine"
    """the method `solve` runs (see `coderefine methods`)."""
    max_iters: int | None = None
    """refinement rounds after the first candidate; None: the method's default."""
    calls: int | None = None
    """cap on LLM calls per problem, cached calls included; None: the method's default."""
    temperature: float = Budget.temperature
    """sampling temperature of the calls the anchors made at T=0 (seeds only matter above 0)."""
    backend: str = "auto"
    """sandbox backend: auto | docker | bwrap | unsafe."""

    def budget(self, default: Budget) -> Budget:
        """A method's default budget with the settings that were given."""
        changes = {"max_iters": self.max_iters, "calls": self.calls}
        return replace(default, temperature=self.temperature, **{k: v for k, v in changes.items() if v is not None})


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
