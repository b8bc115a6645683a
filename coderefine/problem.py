"""The Problem data type shared by loaders, methods, the judge and the benchmark."""
from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.types import Compare, Test

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
        from dataclasses import replace
        return replace(self, hidden_tests=())


class ProblemError(ValueError):
    """A problem (or dataset row) is malformed; the message names the file and field."""
