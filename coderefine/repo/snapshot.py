"""The repository as the sandbox gets it: the files git tracks (the index, so staged new files too), UTF-8
text only, within a size limit. Untracked and ignored files never leave the machine's checkout, so secrets in
an ignored `.env` stay out of the sandbox, and the copy is what a clone would hold. Files are read from the
working tree; for the hook (`staged`), a file whose working tree differs from the index is read from the
index, since that is what the commit will hold."""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from coderefine.repo import RepoError

DEFAULT_LIMIT_MB = 16
NOT_TEXT = "binary, or text that is not UTF-8"      # why a tracked file is left out of the copy
LINK = "a symbolic link"
NOT_A_FILE = "not a file in the working tree: deleted, or a submodule"
SUBMODULE = "a submodule"
BAD_NAME = "a name that is not UTF-8"
NOT_FILE_MODES = {"120000": LINK, "160000": SUBMODULE}   # git's modes for what the index holds but is no file


@dataclass(frozen=True)
class Snapshot:
    root: Path                          # the repository's top folder
    files: Mapping[str, str]            # repo-relative POSIX path -> text
    skipped: Mapping[str, str] = field(default_factory=dict)   # tracked but left out -> why


@dataclass(frozen=True)
class Tracked:
    """The files git tracks, listed but not read yet: enough to choose tests by name before paying for
    (and size-checking) the whole copy."""
    root: Path
    names: tuple[str, ...]              # repo-relative POSIX paths that can be copied, sorted
    from_index: Mapping[str, str] = field(default_factory=dict)   # path -> blob id, read from the index
    skipped: Mapping[str, str] = field(default_factory=dict)      # path -> why it is left out


class _LeftOut(Exception):
    """A tracked file that cannot be copied; the message says why."""


def git_bytes(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """stdout of `git -C root args`, as bytes (paths need not be UTF-8); a failure is a RepoError with git's
    own words."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise RepoError("git is not installed; repository mode reads the files git tracks") from None
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip()
        raise RepoError(f"git {' '.join(args[:2])} failed in {root}: {error or done.returncode}")
    return done.stdout


def git(root: Path, *args: str) -> str:
    """stdout of `git -C root args`, decoded as the file system decodes paths."""
    return os.fsdecode(git_bytes(root, *args))


def git_paths(root: Path, *args: str) -> list[str]:
    """The NUL-separated paths a `-z` git command prints, decoded as the file system does (os.fsdecode)."""
    return [os.fsdecode(name) for name in git_bytes(root, *args).split(b"\0") if name]


def usable(name: str) -> bool:
    """A path that can go into the sandbox and into messages: valid UTF-8 (os.fsdecode keeps other bytes as
    lone surrogates, which no text encoding writes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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


def tracked(root: Path, *, staged: bool = False) -> Tracked:
    """The files git tracks in `root`, by name. With `staged`, those whose working tree differs from the index
    are read from the index, the commit to be (pre-commit stashes such changes; a hook run by hand does not)."""
    entries = {}                       # path -> (mode, blob id)
    for entry in git_bytes(root, "ls-files", "-z", "--stage").split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        if name:
            entries[os.fsdecode(name)] = tuple(meta.decode().split()[:2])
    skipped = {n: BAD_NAME for n in entries if not usable(n)}
    differ = {n for n in git_paths(root, "diff", "--name-only", "-z") if n in entries} if staged else set()
    skipped.update({n: NOT_FILE_MODES[entries[n][0]] for n in differ if entries[n][0] in NOT_FILE_MODES})
    from_index = {n: entries[n][1] for n in differ if n not in skipped}
    return Tracked(root, tuple(sorted(n for n in entries if n not in skipped)), from_index, skipped)


def read(listing: Tracked, limit_mb: float | None = DEFAULT_LIMIT_MB,
         keep: Callable[[str], bool] = lambda name: True) -> Snapshot:
    """The content of the listed files that `keep` accepts; over `limit_mb` in all (None: no limit): RepoError."""
    names = [n for n in listing.names if keep(n)]
    blobs = _blobs(listing.root, [listing.from_index[n] for n in names if n in listing.from_index])
    files, skipped, size = {}, {n: why for n, why in listing.skipped.items() if keep(n)}, 0
    for name in names:
        try:
            data = blobs[listing.from_index[name]] if name in listing.from_index else _working(listing.root / name)
            files[name] = _text(data)
        except _LeftOut as why:
            skipped[name] = str(why)
            continue
        size += len(data)
    if limit_mb is not None and size > int(limit_mb * (1 << 20)):
        largest = sorted(files, key=lambda n: len(files[n]), reverse=True)[:3]
        raise RepoError(f"the repository's tracked text files hold {size / (1 << 20):.1f} MB, over the limit of "
                        f"{limit_mb:g} MB (largest: {', '.join(largest)}); raise it with --max-repo-mb")
    return Snapshot(listing.root, files, skipped)


def take(root: Path, limit_mb: float = DEFAULT_LIMIT_MB) -> Snapshot:
    """The tracked files of `root`, as they are in the working tree; over `limit_mb` in all: RepoError."""
    return read(tracked(root), limit_mb)


def _working(path: Path) -> bytes:
    """A tracked file as the working tree holds it."""
    if path.is_symlink():
        raise _LeftOut(LINK)
    if not path.is_file():
        raise _LeftOut(NOT_A_FILE)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _LeftOut(f"unreadable: {exc.strerror or exc}") from None


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _LeftOut(NOT_TEXT) from None


def _blobs(root: Path, ids: list[str]) -> dict[str, bytes]:
    """The content of the index's blobs, by id, read in one `git cat-file --batch`."""
    if not ids:
        return {}
    out = git_bytes(root, "cat-file", "--batch", stdin="".join(f"{i}\n" for i in ids).encode())
    found, at = {}, 0
    for blob in ids:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        found[blob] = out[header_end + 1:header_end + 1 + size]
        at = header_end + 2 + size           # the content is followed by a newline
    return found
