"""The repository's loss: a candidate's code spliced into a copy of the repository, the test selection run
on that copy in the sandbox, and the Report of that run. The user's files are never written here."""
from __future__ import annotations

import hashlib
import json
from typing import Sequence

from coderefine.repo.runner import PytestRun, run_pytest
from coderefine.repo.snapshot import Snapshot
from coderefine.repo.splice import SpliceError, new_versions, splice
from coderefine.repo.targets import Definition
from coderefine.types import Report
from sandbox import Limits, Test


class PytestLoss:
    """`loss(code)` for any method: splice, run the selection, report. Equal edits are run once."""

    def __init__(self, snapshot: Snapshot, variables: Sequence[Definition], run: PytestRun, sandbox,
                 limits: Limits, expected: int | None = None, ran_before: frozenset[str] = frozenset()):
        self.snapshot = snapshot
        self.variables = tuple(variables)
        self.pytest_run = run
        self.sandbox = sandbox
        self.limits = limits
        self.expected = expected        # the number of tests the baseline ran: fewer means the run broke
        self.ran_before = ran_before    # tests that ran on the baseline: skipped now means failed
        self.runs = 0
        self._seen: dict[str, Report] = {}

    def edits(self, code: str) -> dict[str, str]:
        """The files `code` changes, with their new text (SpliceError when it cannot be written back)."""
        return splice(self.snapshot.files, new_versions(code, self.variables), code)

    def __call__(self, code: str) -> Report:
        try:
            edits = self.edits(code)
        except SpliceError as exc:
            return Report(total=self.expected or 0, error=str(exc))
        key = hashlib.sha256(json.dumps(edits, sort_keys=True).encode()).hexdigest()
        if key not in self._seen:
            self.runs += 1
            self._seen[key] = run_pytest(self.sandbox, {**self.snapshot.files, **edits}, self.pytest_run,
                                         expected=self.expected, limits=self.limits,
                                         ran_before=self.ran_before).report
        return self._seen[key]

    def run(self, code: str, tests: Sequence[Test]) -> Report:
        """Tests written as calls (a method's self tests) have no place in a repository: only its pytest
        selection is run, and such tests count as failed, so they never pass a candidate."""
        if not tests:
            return self(code)
        return Report(total=len(tests), error="repository mode runs the repository's pytest tests only")
