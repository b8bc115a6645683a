"""Loads our own `problems/<slug>/` folders into `Problem`s.

Every check here raises `ProblemError` with the file and the field at fault,
because problem authors fix their folders from these messages.
"""
from __future__ import annotations

import json
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coderefine.data.result import LoadResult, Skipped
from coderefine.data.problem import Problem, ProblemError, is_entry_point
from sandbox import CallTest, Compare

DIFFICULTIES = ("Easy", "Medium", "Hard")
COMPARE_MODES = ("exact", "float", "any_order")
_NUMBER = (int, float)


@dataclass(frozen=True)
class _Field:
    kinds: tuple[type, ...]
    required: bool = True
    default: Any = None


META_FIELDS = {
    "title": _Field((str,)),
    "difficulty": _Field((str,)),
    "techniques": _Field((list,)),
    "entry_point": _Field((str,)),
    "time_limit": _Field(_NUMBER),
    "starter_code": _Field((str,)),
    "compare": _Field((str,), required=False, default="exact"),
    "float_tol": _Field(_NUMBER, required=False, default=1e-6),
    "source": _Field((str,), required=False, default=""),
}


@dataclass(frozen=True)
class HiddenCase:
    """One hidden.json test as stored, keeping the `small` flag the validator needs."""
    args: list
    expected: Any
    small: bool


def default_problems_dir() -> Path:
    """`$CODEREFINE_PROBLEMS_DIR`, else the `problems/` folder of this source checkout."""
    if env := os.environ.get("CODEREFINE_PROBLEMS_DIR"):
        return Path(env)
    return Path(__file__).resolve().parents[2] / "problems"


def _type_name(kinds: tuple[type, ...]) -> str:
    return "a number" if kinds == _NUMBER else {str: "a string", list: "a list", dict: "a table"}[kinds[0]]


def _is_kind(value: Any, kinds: tuple[type, ...]) -> bool:
    return isinstance(value, kinds) and not isinstance(value, bool)


def read_text(path: Path) -> str:
    """A problem file's UTF-8 text; an unreadable or non-UTF-8 file is the author's to fix, so it is a ProblemError."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise ProblemError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def read_meta(folder: Path) -> dict:
    """problem.toml with defaults filled in; unknown keys are ignored."""
    path = folder / "problem.toml"
    if not path.is_file():
        raise ProblemError(f"{path}: file is missing")
    try:
        raw = tomllib.loads(read_text(path))
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ProblemError(f"{path}: not valid TOML ({exc})") from None
    meta = {}
    for name, spec in META_FIELDS.items():
        if name not in raw:
            if spec.required:
                raise ProblemError(f"{path}: required field '{name}' is missing")
            meta[name] = spec.default
            continue
        if not _is_kind(raw[name], spec.kinds):
            raise ProblemError(f"{path}: field '{name}' must be {_type_name(spec.kinds)}, got {raw[name]!r}")
        meta[name] = raw[name]
    _check_meta_values(path, meta)
    return meta


def _check_meta_values(path: Path, meta: dict) -> None:
    if meta["difficulty"] not in DIFFICULTIES:
        raise ProblemError(f"{path}: field 'difficulty' must be one of {', '.join(DIFFICULTIES)}, got {meta['difficulty']!r}")
    if meta["compare"] not in COMPARE_MODES:
        raise ProblemError(f"{path}: field 'compare' must be one of {', '.join(COMPARE_MODES)}, got {meta['compare']!r}")
    if not (math.isfinite(meta["time_limit"]) and meta["time_limit"] > 0):
        raise ProblemError(f"{path}: field 'time_limit' must be > 0 seconds and finite, got {meta['time_limit']!r}")
    if not (math.isfinite(meta["float_tol"]) and meta["float_tol"] >= 0):
        raise ProblemError(f"{path}: field 'float_tol' must be >= 0 and finite, got {meta['float_tol']!r}")
    if not all(isinstance(t, str) for t in meta["techniques"]):
        raise ProblemError(f"{path}: field 'techniques' must be a list of strings")
    if not is_entry_point(meta["entry_point"]):
        raise ProblemError(f"{path}: field 'entry_point' must look like 'func_name' or 'Solution().method', got {meta['entry_point']!r}")


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise ProblemError(f"{path}: file is missing")
    try:
        return json.loads(read_text(path))
    except (ValueError, RecursionError) as exc:  # ValueError covers malformed JSON and ints over Python's digit limit
        raise ProblemError(f"{path}: not valid JSON ({exc})") from None


def _check_case(path: Path, where: str, case: Any, keys: dict[str, type]) -> None:
    if not isinstance(case, dict):
        raise ProblemError(f"{path}: {where} must be an object with keys {', '.join(keys)}")
    for key, kind in keys.items():
        if key not in case:
            raise ProblemError(f"{path}: {where}: field '{key}' is missing")
        if kind is not object and not isinstance(case[key], kind):
            raise ProblemError(f"{path}: {where}: field '{key}' must be a {kind.__name__}, got {type(case[key]).__name__}")


def read_examples(folder: Path) -> list[CallTest]:
    """examples.json: `[{"args": [...], "expected": ...}]`, the visible tests."""
    path = folder / "examples.json"
    data = _read_json(path)
    if not isinstance(data, list) or not data:
        raise ProblemError(f"{path}: must be a non-empty list of {{\"args\": [...], \"expected\": ...}}")
    for i, case in enumerate(data):
        _check_case(path, f"example {i + 1}", case, {"args": list, "expected": object})  # 1-based, as tests and reports name it
    return [CallTest(args=tuple(c["args"]), expected=c["expected"], name=f"example {i + 1}") for i, c in enumerate(data)]


def read_hidden(folder: Path) -> tuple[int, list[HiddenCase]]:
    """hidden.json: `{"seed": 0, "tests": [{"args", "expected", "small"}]}` -> (seed, cases)."""
    path = folder / "hidden.json"
    data = _read_json(path)
    if not isinstance(data, dict):
        raise ProblemError(f"{path}: must be an object with fields 'seed' and 'tests' (rebuild it: coderefine problems build {folder.name})")
    if not isinstance(data.get("seed"), int) or isinstance(data.get("seed"), bool):
        raise ProblemError(f"{path}: field 'seed' must be an integer")
    tests = data.get("tests")
    if not isinstance(tests, list) or not tests:
        raise ProblemError(f"{path}: field 'tests' must be a non-empty list")
    for i, case in enumerate(tests):
        _check_case(path, f"tests[{i}]", case, {"args": list, "expected": object, "small": bool})
    return data["seed"], [HiddenCase(c["args"], c["expected"], c["small"]) for c in tests]


def hidden_tests(cases: list[HiddenCase]) -> tuple[CallTest, ...]:
    return tuple(CallTest(args=tuple(c.args), expected=c.expected, name=f"hidden {i + 1}") for i, c in enumerate(cases))


def load_problem_folder(folder: Path) -> Problem:
    """One `problems/<slug>/` folder -> Problem (id = slug). Raises ProblemError naming file and field."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ProblemError(f"{folder}: not a problem folder")
    meta = read_meta(folder)
    statement_path = folder / "statement.md"
    statement = read_text(statement_path) if statement_path.is_file() else ""
    if not statement.strip():
        raise ProblemError(f"{statement_path}: file is missing or empty")
    _, cases = read_hidden(folder)
    return Problem(
        id=folder.name,
        statement=statement,
        entry_point=meta["entry_point"],
        starter_code=meta["starter_code"].strip("\n") + "\n",
        visible_tests=tuple(read_examples(folder)),
        hidden_tests=hidden_tests(cases),
        time_limit=float(meta["time_limit"]),
        compare=Compare(mode=meta["compare"], float_tol=float(meta["float_tol"])),
        title=meta["title"],
        difficulty=meta["difficulty"],
        techniques=tuple(meta["techniques"]),
        source=meta["source"],
        dataset="problems",
    )


def problem_folders(root: Path) -> list[Path]:
    """Sub-folders holding a problem.toml, sorted by slug."""
    return sorted(p.parent for p in Path(root).glob("*/problem.toml"))


def require_problem_folders(root: Path) -> list[Path]:
    """`problem_folders(root)`, refusing a root that holds none: a wrong path must not look like an empty set."""
    if root.is_file():
        hint = " (for a LeetCodeDataset file, use --dataset lcd:PATH)" if root.name.endswith((".jsonl", ".jsonl.gz")) else ""
        raise ProblemError(f"{root}: a file, not a problems folder; give the folder that holds the problem folders{hint}")
    if not root.is_dir():
        raise ProblemError(f"{root}: problems folder not found (set CODEREFINE_PROBLEMS_DIR or use --dataset problems:PATH)")
    folders = problem_folders(root)
    if not folders:
        raise ProblemError(f"{root}: no problem folders (with a problem.toml) under it; "
                           "use --dataset problems:PATH with the folder that holds them")
    return folders


def load_problems(root: Path | None = None, difficulty: str | None = None) -> LoadResult:
    """Every sub-folder of `root` (default: our `problems/`); malformed ones, and those without a problem.toml,
    are reported as skipped. Hidden folders (`.git`, `__pycache__`) are not problems."""
    root = Path(root) if root is not None else default_problems_dir()
    require_problem_folders(root)
    result = LoadResult()
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))):
        try:
            problem = load_problem_folder(folder)
        except ProblemError as exc:
            result.skipped.append(Skipped(str(folder), str(exc), folder.name))
            continue
        if difficulty is None or problem.difficulty.lower() == difficulty.lower():
            result.problems.append(problem)
    return result
