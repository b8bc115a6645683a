"""What the pre-commit hook tests: a configured selection, or the test files that cover the Python files the
commit changes, deleted and renamed ones included. The snapshot is the commit to be: pre-commit stashes what is
not staged, and a hook run by hand reads such files from the index (`tracked(..., staged=True)`)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from coderefine.repo.selection import covering, is_test_file
from coderefine.repo.snapshot import Tracked, git_paths, read, usable


def changed_files(root: Path, given: Sequence[str] = ()) -> list[str]:
    """The repo-relative files whose covering tests must run: `given` (pre-commit passes the staged files that
    still exist) or else every staged one, plus what the commit removes (deleted files and the old names of
    renamed ones), which pre-commit never passes."""
    present, gone = _staged(root)
    return list(dict.fromkeys([*(given or present), *gone]))


def _staged(root: Path) -> tuple[list[str], list[str]]:
    """The index's changes against HEAD: (paths added, copied, modified or renamed to; paths deleted or
    renamed from)."""
    fields = git_paths(root, "diff", "--cached", "--name-status", "-M", "-z")
    present, gone, at = [], [], 0
    while at < len(fields):
        status = fields[at]
        paths = fields[at + 1:at + (3 if status[0] in "RC" else 2)]
        at += 1 + len(paths)
        if status[0] == "R":
            gone.append(paths[0])
        (gone if status[0] == "D" else present).append(paths[-1])
    return [p for p in present if usable(p)], [p for p in gone if usable(p)]


def hook_selection(listing: Tracked, configured: Sequence[str], changed: Sequence[str]) -> tuple[str, ...]:
    """The configured selection when there is one; else the tests covering the changed files (none: the
    commit touches no tested Python code), found by reading the test files only. A commit that changes no
    Python file gets none either way: no function of it can be what a test fails on."""
    if not changes_python(changed):
        return ()
    return tuple(configured) if configured else covering(read(listing, None, keep=is_test_file), changed)


def changes_python(changed: Sequence[str]) -> bool:
    """Whether the commit touches a Python module (`.py`, as `covering` counts them; a `.pyi` stub holds no
    function a test could fail on)."""
    return any(path.endswith(".py") for path in changed)
