"""A proposed fix as unified diffs, and writing it: atomically (a temporary file renamed over the original,
its mode kept), only if the file is still what was read, and only if git holds its current content (the
index), so `git checkout -- FILE` undoes the fix. No backup files: git is the backup."""
from __future__ import annotations

import difflib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from coderefine.repo import RepoError


@dataclass(frozen=True)
class Change:
    """One file of a fix: its repo-relative path, its text as read, and its text with the fix."""
    path: str
    before: str
    after: str

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True),
                                            self.after.splitlines(keepends=True),
                                            f"a/{self.path}", f"b/{self.path}"))


def diff(changes: Sequence[Change]) -> str:
    """The whole fix as one patch (`git apply` takes it)."""
    return "".join(change.diff() for change in changes)


def apply_changes(root: Path, changes: Sequence[Change]) -> None:
    """Write every change, after checking all of them: a file changed since it was read, or with changes
    git does not hold, stops the whole fix before any file is written."""
    for change in changes:
        path = root / change.path
        if not path.is_file() or path.read_bytes() != change.before.encode("utf-8"):
            raise RepoError(f"{change.path} changed since coderefine read it; nothing was written "
                            "(run again on the current version)")
        if not in_index(root, change.path):
            raise RepoError(f"{change.path} has changes that are not staged; nothing was written "
                            f"(stage them with `git add {change.path}` first, so that git can undo the fix)")
    for change in changes:
        write_atomic(root / change.path, change.after)


def in_index(root: Path, path: str) -> bool:
    """The working-tree file is the one in git's index."""
    return subprocess.run(["git", "-C", str(root), "diff", "--quiet", "--", path], check=False).returncode == 0


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path` and rename it over `path`: a reader, or a process killed
    at any moment, sees the old file or the new one, never half of one. The file keeps its permissions."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".coderefine")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
