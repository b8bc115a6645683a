"""A proposed fix as unified diffs, and writing it: all files or none, each atomically (a temporary file renamed
over the original, its mode kept), only if the file is still what was read, and only if git holds its current
content (the index), so `git checkout -- FILE` undoes the fix. No backup files: git is the backup."""
from __future__ import annotations

import difflib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

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


def check_staged(root: Path, paths: Iterable[str]) -> None:
    """Refuse files whose changes git does not hold; run before the model, so that --apply fails at once."""
    for path in paths:
        if not in_index(root, path):
            raise RepoError(f"{path} has changes that are not staged; nothing was written "
                            f"(stage them with `git add {path}` first, so that git can undo the fix)")


def apply_changes(root: Path, changes: Sequence[Change]) -> None:
    """Write every change, after checking all of them: a file changed since it was read, or with changes
    git does not hold, stops the whole fix before any file is written."""
    for change in changes:
        path = root / change.path
        if not path.is_file() or path.read_bytes() != change.before.encode("utf-8"):
            raise RepoError(f"{change.path} changed since coderefine read it; nothing was written "
                            "(run again on the current version)")
    check_staged(root, (change.path for change in changes))
    write_all(root, changes)


def write_all(root: Path, changes: Sequence[Change]) -> None:
    """All files or none: every new and old text is first written beside its file, and only then renamed over
    it, so a failure (a full disk, Ctrl-C) puts back the files already renamed with renames alone. A reader,
    or a process killed at any moment, sees each file old or new, never half of one."""
    staged: list[tuple[Path, Path, Path]] = []   # (file, its new text, its old text)
    try:
        for change in changes:
            path = root / change.path
            staged.append((path, _beside(path, change.after), _beside(path, change.before)))
        for path, new, _ in staged:
            os.replace(new, path)
    except BaseException as exc:
        for path, new, old in reversed(staged):
            if not new.exists():   # renamed over its file (known even when Ctrl-C came right after the rename)
                os.replace(old, path)
        for _, new, old in staged:
            new.unlink(missing_ok=True)
            old.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise RepoError(f"could not write the fix ({exc.strerror or exc}: {exc.filename or ''}); "
                            "no file was changed") from exc
        raise
    for _, _, old in staged:
        old.unlink(missing_ok=True)


def _beside(path: Path, text: str) -> Path:
    """`text` in a new temporary file in `path`'s folder (so a rename replaces `path` atomically), fsynced,
    with `path`'s permissions."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".coderefine")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o7777)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def in_index(root: Path, path: str) -> bool:
    """The working-tree file is the one in git's index. The path is literal, not a pattern: `m[1].py` must
    not stand for `m1.py`."""
    done = subprocess.run(["git", "--literal-pathspecs", "-C", str(root), "diff", "--quiet", "--", path],
                          check=False, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        why = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[0]   # its usage text may follow
        raise RepoError(f"git could not compare {path} with its index ({why}); nothing was written "
                        "(run coderefine inside the git repository that holds the file)")
    return done.returncode == 0
