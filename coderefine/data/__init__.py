"""Problem sets by name: `problems` (ours; `problems:PATH` for another folder), `humaneval`, `lcd:PATH`.

`load_dataset` returns loaded problems and skipped rows; `find_problem` returns
one problem or raises ProblemError listing the ids that exist.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from coderefine.data import folder
from coderefine.data.humaneval import load_humaneval
from coderefine.data.lcd import load_lcd
from coderefine.data.result import LoadResult, Skipped
from coderefine.data.problem import Problem, ProblemError
from coderefine.suggest import did_you_mean, unknown

DATASET_NAMES = ("problems", "humaneval", "lcd")
DATASETS_HELP = "problems (default), problems:PATH, humaneval, lcd:PATH (a LeetCodeDataset .jsonl or .jsonl.gz)"

__all__ = ["DATASETS_HELP", "LoadResult", "Skipped", "find_problem", "load_dataset"]


def load_dataset(spec: str = "problems", *, difficulty: str | None = None, since: date | None = None,
                 until: date | None = None) -> LoadResult:
    """Load a dataset by spec; filters a dataset cannot honour are refused, not ignored."""
    name, _, arg = spec.partition(":")
    if name != "lcd" and (since or until):
        raise ProblemError(f"--since/--until filter on LeetCodeDataset dates; dataset '{spec}' has none")
    if name == "problems":
        return folder.load_problems(Path(arg) if arg else None, difficulty=difficulty)
    if name == "humaneval" and not arg:
        if difficulty:
            raise ProblemError("HumanEval has no difficulty levels; drop --difficulty")
        return load_humaneval()
    if name == "lcd" and arg:
        return load_lcd(arg, difficulty=difficulty, since=since, until=until)
    hint = "" if name in DATASET_NAMES else did_you_mean(name, DATASET_NAMES)
    raise ProblemError(f"unknown dataset '{spec}'" + (f" ({hint})" if hint else "") + f"; use one of: {DATASETS_HELP}")


class _NotInDataset(ProblemError):
    """The dataset has no problem, loaded or skipped, with this id."""


def find_problem(problem_id: str, dataset: str = "problems") -> Problem:
    """One problem of `dataset` by id; unknown ids get a message listing the known ones.

    The id names a problem folder instead only when it holds a `/` or the dataset lacks it,
    so a folder in the current directory never shadows the dataset the user named.
    """
    path = Path(problem_id)
    if "/" in problem_id and _is_problem_folder(path):
        return folder.load_problem_folder(path)
    try:
        return _dataset_problem(problem_id, dataset)
    except _NotInDataset:
        if _is_problem_folder(path):
            return folder.load_problem_folder(path)
        raise


def _is_problem_folder(path: Path) -> bool:
    return (path / "problem.toml").is_file()


def _dataset_problem(problem_id: str, dataset: str) -> Problem:
    name, _, arg = dataset.partition(":")
    if name == "problems" and "/" not in problem_id:  # one folder, without loading the set
        candidate = (Path(arg) if arg else folder.default_problems_dir()) / problem_id
        if _is_problem_folder(candidate):
            return folder.load_problem_folder(candidate)
    result = load_dataset(dataset)
    for problem in result.problems:
        if problem.id == problem_id:
            return problem
    skipped = next((s for s in result.skipped if s.problem_id == problem_id), None)
    if skipped is not None:
        raise ProblemError(f"problem '{problem_id}' could not be loaded: {skipped.reason}")
    raise _NotInDataset(unknown("problem", problem_id, [p.id for p in result.problems], where=f"dataset '{dataset}'",
                                label="known ids"))
