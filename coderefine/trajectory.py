"""The record every method returns: each candidate, its scores, critique, patch, usage, and the final choice.

Saved as JSON after every step, so a crash loses nothing.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from coderefine.usage import Usage


@dataclass
class Score:
    passed: int = 0
    total: int = 0

    @property
    def fraction(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def complete(self) -> bool:
        """Every test passed, and there was at least one."""
        return self.total > 0 and self.passed == self.total


@dataclass
class Candidate:
    index: int
    code: str
    origin: str                      # "zero-shot" | "rewrite" | "patch" | "resample" ...
    visible: Score = field(default_factory=Score)
    selftest: Score = field(default_factory=Score)
    failures: str = ""               # the failure text the critic saw
    critique: str = ""               # the critique that led to the *next* candidate
    patch: str = ""                  # the diff that produced this candidate, if any
    usage: Usage = field(default_factory=Usage)


@dataclass
class Verdict(Score):
    """The hidden-test judgement of the final answer (made once, outside the method)."""
    error: str = ""

    @property
    def solved(self) -> bool:
        return self.complete


@dataclass
class Trajectory:
    problem_id: str
    method: str
    model: str
    seed: int
    candidates: list[Candidate] = field(default_factory=list)
    final_index: int | None = None
    stop_reason: str = ""
    seconds: float = 0.0
    hidden: Verdict | None = None

    @property
    def final(self) -> Candidate | None:
        return None if self.final_index is None else self.candidates[self.final_index]

    @property
    def usage(self) -> Usage:
        return sum((c.usage for c in self.candidates), Usage())

    def to_dict(self) -> dict:
        data = asdict(self)
        data["usage"] = self.usage.to_dict()
        return data

    def save(self, path: Path) -> None:
        """Atomic write: a reader never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1))
        os.replace(tmp, path)


def best_index(candidates: list[Candidate]) -> int | None:
    """Highest visible pass fraction, then self-test fraction; ties go to the earliest candidate."""
    if not candidates:
        return None
    return max(range(len(candidates)),
               key=lambda i: (candidates[i].visible.fraction, candidates[i].selftest.fraction, -i))
