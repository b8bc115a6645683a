"""What the pre-commit hook tests: a configured selection, or the test files that cover the staged Python
files. pre-commit has already stashed what is not staged, so the working tree is the commit to be."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from coderefine.repo.selection import covering
from coderefine.repo.snapshot import Snapshot, git


def staged_files(root: Path) -> list[str]:
    """Files added, copied, modified or renamed in the index (repo-relative)."""
    return [name for name in git(root, "diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z").split("\0")
            if name]


def hook_selection(snapshot: Snapshot, configured: Sequence[str], changed: Sequence[str]) -> tuple[str, ...]:
    """The configured selection when there is one; else the tests covering the changed files (none: the
    commit touches no tested Python code)."""
    return tuple(configured) if configured else covering(snapshot, changed)
