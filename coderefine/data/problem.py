"""The Problem data type shared by loaders, methods, the judge and the benchmark."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from sandbox import Compare, Limits, Test

DEFAULT_PRELUDE = (
    "from typing import *\n"
    "import collections, heapq, bisect, itertools, functools, math, string, re\n"
    "from collections import *\n"
    "from heapq import *\n"
    "from bisect import *\n"
    "from itertools import *\n"
    "from functools import *\n"
    "from math import *\n"
    "from builtins import pow  # math's star import would shadow the three-argument pow\n"
)


@dataclass(frozen=True)
class Problem:
    """A programming problem. `hidden_tests` are never shown to a method."""
    id: str
    statement: str                 # Markdown, with constraints and examples
    entry_point: str               # "func_name" or "Solution().method"
    starter_code: str              # the signature the candidate must implement
    visible_tests: tuple[Test, ...]
    hidden_tests: tuple[Test, ...]
    time_limit: float = 2.0        # seconds per test
    compare: Compare = field(default_factory=Compare)
    prelude: str = DEFAULT_PRELUDE  # import context prepended to every candidate
    title: str = ""
    difficulty: str = ""           # "Easy" | "Medium" | "Hard"
    techniques: tuple[str, ...] = ()
    source: str = ""               # where the idea comes from, when it is a classic
    dataset: str = "problems"

    def public_view(self) -> "Problem":
        """The problem as a method may see it: hidden tests removed."""
        return replace(self, hidden_tests=())

    def limits(self, base: Limits | None = None) -> Limits:
        """The sandbox limits with this problem's own time limit per test."""
        return replace(base or Limits(), time_per_test=self.time_limit)

    def digest(self) -> str:
        """sha256 of everything that decides a verdict (statement, signature, tests, limits), so that
        results measured on different data are never mixed."""
        fields = {"id": self.id, "statement": self.statement, "entry_point": self.entry_point,
                  "starter_code": self.starter_code, "time_limit": self.time_limit, "prelude": self.prelude,
                  "compare": asdict(self.compare),
                  "visible": [_test_data(t) for t in self.visible_tests],
                  "hidden": [_test_data(t) for t in self.hidden_tests]}
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=repr)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _test_data(test: Test) -> dict:
    return {"type": type(test).__name__, **asdict(test)}


def is_entry_point(entry_point: str) -> bool:
    """`func_name` or `Solution().method`: the two forms the sandbox resolves and `entry_name` maps to a definition."""
    owner, dot, name = entry_point.rpartition(".")
    return name.isidentifier() and (not dot or (owner.endswith("()") and owner[:-2].isidentifier()))


class ProblemError(ValueError):
    """A problem (or dataset row) is malformed; the message names the file and field."""
