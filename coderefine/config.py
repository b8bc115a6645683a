"""Settings: the one source of defaults, overridden by `[tool.coderefine]` in the nearest pyproject.toml,
then by command-line flags. Every value is checked here, once, whichever layer it came from, so a bad value
stops a command before any work with a message naming the key, the value, where it came from and what is
allowed. `Settings.budget()` builds the Budget a method runs under."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from coderefine.llm.files import MODELS, ModelFileError, find_spec
from coderefine.llm.local import DEFAULT_MODEL, LOCAL_PREFIX
from coderefine.llm.serving import SPECULATION, ServerOptions
from coderefine.methods import UnknownMethod, get_method
from coderefine.suggest import unknown
from coderefine.types import Budget

BACKENDS = ("auto", "docker", "bwrap", "unsafe")
LOCAL_MODELS = tuple(f"{LOCAL_PREFIX}{spec.name}" for spec in MODELS)
DEFAULT = "default"


class SettingsError(ValueError):
    """A setting is malformed; the message names the key, the value, its origin and what is allowed."""


@dataclass(frozen=True)
class Settings:
    model: str = DEFAULT_MODEL
    """litellm model string, or local/qwen2.5-coder-{0.5b,1.5b} for the embedded model."""
    method: str = "coderefine:expansions=0,examples=on"
    """the method `solve` runs (see `coderefine methods`). Measured on the 1.5B model (BENCHMARKS.md, held-out
    check rerun): fresh samples chosen by the visible and self tests, with the statement's examples where a
    problem has no visible tests, solved 39/66 HumanEval frontier cells, against 37 without the examples, 36 for
    resample and 24 for coderefine with critiques; simple-refine, an earlier default, solved 2/32 where
    resample solved 11/32."""
    max_iters: int | None = None
    """refinement rounds after the first candidate; None: the method's default."""
    calls: int | None = None
    """cap on LLM calls per problem, cached calls included; None: the method's default."""
    temperature: float = Budget.temperature
    """sampling temperature of the calls the anchors made at T=0 (seeds only matter above 0)."""
    max_tokens: int = Budget.code_tokens
    """max new tokens of a reply that carries a whole program."""
    backend: str = "auto"
    """sandbox backend: auto | docker | bwrap | unsafe."""
    hook_tests: tuple[str, ...] = ()
    """the pytest selection `coderefine hook` runs (files, file::test, folders); empty: the tests that cover
    the staged Python files."""
    hook_time_budget: float = 300.0
    """seconds `coderefine hook` may spend refining the functions behind failing tests."""
    slots: int = ServerOptions.slots
    """requests the embedded model's server decodes at once."""
    ctx_per_slot: int = ServerOptions.ctx_per_slot
    """context tokens (prompt plus reply) of each slot of the embedded model's server."""
    speculation: str = ServerOptions.speculation
    """speculative decoding of the embedded model: none | ngram-simple | ngram-map-k | ngram-map-k4v |
    ngram-mod | draft (a smaller embedded model drafts, see draft_model)."""
    draft_model: str = ServerOptions.draft_model
    """the embedded model that drafts tokens when speculation = draft."""
    draft_max: int = ServerOptions.draft_max
    """most tokens drafted per decoding step when speculation is on."""

    def budget(self, default: Budget) -> Budget:
        """A method's default budget with the settings that were given."""
        changes = {"max_iters": self.max_iters, "calls": self.calls}
        return replace(default, temperature=self.temperature, code_tokens=self.max_tokens,
                       **{k: v for k, v in changes.items() if v is not None})

    def serving(self) -> ServerOptions:
        """How the embedded model's server runs (ignored for other models)."""
        return ServerOptions(**{f.name: getattr(self, f.name) for f in fields(ServerOptions)})


# --- checks: each returns the value (ints widened to floats where a number is wanted) or raises ValueError

def _integer(low: int, high: int | None = None) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            raise ValueError(f"must be an integer >= {low}" if high is None else f"must be an integer from {low} to {high}")
        return value
    return check


def _number(low: float, high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValueError(f"must be a number from {low:g} to {high:g}")
        return float(value)
    return check


def _one_of(what: str, names: Callable[[], Any]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in names():
            raise ValueError(unknown(what, str(value), names(), label=f"known {what}s"))
        return value
    return check


def _method(value: Any) -> str:
    """A registered method, with its options where it takes them (`coderefine:expansions=0`)."""
    if not isinstance(value, str):
        raise ValueError("must be a method name (see `coderefine methods`)")
    try:
        method = get_method(value)
    except UnknownMethod as exc:
        raise ValueError(str(exc)) from None
    if method.spend_of:
        raise ValueError(f"{value} runs under {method.spend_of}'s spend in a bench folder; use it with "
                         f"`coderefine bench`, or give {value.partition('@')[0]} here")
    return value


def _paths(value: Any) -> tuple[str, ...]:
    """One path or a list of them."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) and i.strip() for i in items):
        raise ValueError("must be a path or a list of paths (a file, file::test, or a folder)")
    return tuple(items)


def _model(value: Any) -> str:
    """Embedded names must exist; a bare embedded name (no `local/`) is a slip, not a litellm model."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a litellm model string or one of " + ", ".join(LOCAL_MODELS))
    try:
        spec = find_spec(value)
    except ModelFileError:
        if value.startswith(LOCAL_PREFIX):
            raise ValueError(unknown("embedded model", value, LOCAL_MODELS, label="embedded models")) from None
        return value  # litellm's to route; the engine says so if it cannot
    if not value.startswith(LOCAL_PREFIX):
        raise ValueError(f"unknown model '{value}' (did you mean {LOCAL_PREFIX}{spec.name}?); embedded models "
                         f"start with {LOCAL_PREFIX}, other names go to litellm")
    return value


CHECKS: Mapping[str, Callable[[Any], Any]] = MappingProxyType({
    "model": _model,
    "method": _method,
    "max_iters": _integer(0),
    "calls": _integer(1),
    "temperature": _number(0, 2),
    "max_tokens": _integer(1),
    "backend": _one_of("backend", lambda: BACKENDS),
    "hook_tests": _paths,
    "hook_time_budget": _number(1, 86_400),
    "slots": _integer(1, 64),
    "ctx_per_slot": _integer(1024, 32_768),   # Qwen2.5-Coder was trained on 32k contexts
    "speculation": _one_of("speculation type", lambda: SPECULATION),
    "draft_model": _one_of("embedded model", lambda: LOCAL_MODELS),
    "draft_max": _integer(1, 256),
})


def check(key: str, value: Any, origin: str) -> Any:
    """`value` for `key` if allowed, else SettingsError naming the key, the value, `origin` and the rule."""
    try:
        return CHECKS[key](value)
    except ValueError as exc:
        raise SettingsError(f"{key} = {value!r} from {origin}: {exc}") from None


# --- resolution: defaults, then pyproject.toml, then flags ---------------------------------------------

@dataclass(frozen=True)
class Resolved:
    """The settings in effect and where each came from: "default", a pyproject.toml path, or a flag."""
    settings: Settings
    sources: Mapping[str, str]

    def rows(self) -> list[dict]:
        """One row per setting, for `coderefine config` and `solve -v`."""
        return [{"key": f.name, "value": getattr(self.settings, f.name), "source": self.sources[f.name]}
                for f in fields(Settings)]


def flag(key: str) -> str:
    """The command-line spelling of a setting: max_iters -> --max-iters."""
    return "--" + key.replace("_", "-")


def _working_folder() -> Path:
    """Where the nearest pyproject.toml is looked for; one deleted under the shell is the user's to fix,
    not a crash."""
    try:
        return Path.cwd()
    except FileNotFoundError:
        raise SettingsError("the working folder no longer exists (deleted by another program?); "
                            "cd into an existing folder and run the command again") from None


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_table(path: Path) -> dict:
    """The `[tool.coderefine]` table of `path`; malformed files and unknown keys raise, naming the file."""
    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read it ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    tool = data.get("tool", {})
    table = tool.get("coderefine", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.coderefine] must be a table of settings")
    for key in table:
        if key not in CHECKS:
            raise SettingsError(f"{path}: " + unknown("key", key, CHECKS, where="[tool.coderefine]",
                                                      label="known keys"))
    return table


def resolve(flags: Mapping[str, Any] | None = None, *, start: Path | None = None,
            labels: Mapping[str, str] | None = None) -> Resolved:
    """Defaults, then `[tool.coderefine]` of the nearest pyproject.toml above `start` (default: the working
    folder), then `flags` (None: not given). `labels` names a flag spelled otherwise than `flag(key)`."""
    resolved = {f.name: (getattr(Settings, f.name), DEFAULT) for f in fields(Settings)}
    path = find_pyproject(start or _working_folder())
    if path is not None:
        origin = f"{path} [tool.coderefine]"
        for key, value in read_table(path).items():
            resolved[key] = (check(key, value, origin), origin)
    for key, value in (flags or {}).items():
        if value is not None:
            origin = (labels or {}).get(key, flag(key))
            resolved[key] = (check(key, value, origin), origin)
    return Resolved(Settings(**{k: v for k, (v, _) in resolved.items()}),
                    MappingProxyType({k: source for k, (_, source) in resolved.items()}))


def load_settings(start: Path | None = None) -> Settings:
    """The settings from defaults and pyproject.toml alone (no flags)."""
    return resolve(start=start).settings
