"""The repository as the sandbox gets it: the files git tracks (the index, so staged new files too), read
from the working tree, text only, within a size limit. Untracked and ignored files never leave the machine's
checkout, so secrets in an ignored `.env` stay out of the sandbox, and the copy is what a clone would hold."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from coderefine.repo import RepoError

DEFAULT_LIMIT_MB = 16


@dataclass(frozen=True)
class Snapshot:
    root: Path                          # the repository's top folder
    files: Mapping[str, str]            # repo-relative POSIX path -> text
    skipped: tuple[str, ...] = field(default=())   # tracked but left out: binary, unreadable or not a file

    @property
    def size(self) -> int:
        return sum(len(text.encode()) for text in self.files.values())


def git(root: Path, *args: str) -> str:
    """stdout of `git -C root args`; a failure is a RepoError with git's own words."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise RepoError("git is not installed; repository mode reads the files git tracks") from None
    if done.returncode != 0:
        raise RepoError(f"git {' '.join(args[:2])} failed in {root}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def repo_root(start: Path) -> Path:
    """The top folder of the git repository holding `start`."""
    folder = start if start.is_dir() else start.parent
    if not folder.exists():
        raise RepoError(f"{start}: no such file or folder")
    try:
        return Path(git(folder, "rev-parse", "--show-toplevel").strip()).resolve()
    except RepoError:
        raise RepoError(f"{folder.resolve()} is not inside a git repository; repository mode copies the files "
                        "git tracks (run `git init` and `git add` first)") from None


def relative(root: Path, path: Path | str) -> str:
    """`path` (relative to the working folder, or absolute) as a repo-relative POSIX path; outside: RepoError."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        raise RepoError(f"{path} is outside the repository {root}") from None


def relative_item(root: Path, item: str) -> str:
    """A pytest item (`file`, `file::test[param]`) with its file made repo-relative; the node id is kept as
    written (a parameter may hold slashes that path resolution would rewrite)."""
    path, sep, node = item.partition("::")
    return relative(root, path) + sep + node


def take(root: Path, limit_mb: float = DEFAULT_LIMIT_MB) -> Snapshot:
    """The tracked files of `root`, as they are in the working tree; over `limit_mb` in all: RepoError."""
    names = sorted({n for n in git(root, "ls-files", "-z", "--cached").split("\0") if n})
    files, skipped, size = {}, [], 0
    for name in names:
        path = root / name
        if path.is_symlink() or not path.is_file():
            skipped.append(name)            # deleted in the working tree, a submodule, or a link
            continue
        try:
            data = path.read_bytes()
            files[name] = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            skipped.append(name)            # unreadable (permissions) or binary
            continue
        size += len(data)
    limit = int(limit_mb * (1 << 20))
    if size > limit:
        largest = sorted(files, key=lambda n: len(files[n]), reverse=True)[:3]
        raise RepoError(f"the repository's tracked text files hold {size / (1 << 20):.1f} MB, over the limit of "
                        f"{limit_mb:g} MB (largest: {', '.join(largest)}); raise it with --max-repo-mb")
    return Snapshot(root, files, tuple(skipped))
