"""What every loader returns: the problems it loaded and the rows it skipped, with reasons.

A loader never drops a problem silently; callers print both counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from coderefine.data.problem import Problem


@dataclass(frozen=True)
class Skipped:
    """One row or folder that could not be loaded. `where` is e.g. `file.jsonl:12` or a folder path;
    `problem_id` is the id it would have had (empty when unreadable), so a lookup by id can say why it failed."""
    where: str
    reason: str
    problem_id: str = ""


@dataclass
class LoadResult:
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.problems)} loaded, {len(self.skipped)} skipped"
