"""Output paths are checked before any work starts: finding out that `--out` cannot be written only after
the model has worked for minutes wastes those minutes."""
from __future__ import annotations

import tempfile
from pathlib import Path

from coderefine.cli.output import fail


def writable_output(path: Path, *, folder: bool = False, flag: str = "--out") -> Path:
    """`path` if a file (or, with `folder`, a folder) can be written there, creating missing parent folders
    later; otherwise a usage error naming the flag, the path and why. Writes nothing that stays."""
    if path.is_dir() and not folder:
        fail(f"{flag} {path}: is a folder; give a file path such as {path / 'trajectory.json'}")
    if path.exists() and folder and not path.is_dir():
        fail(f"{flag} {path}: is a file; give a folder")
    ancestor = next(p for p in (path if folder else path.parent, *path.parents) if p.exists())
    if not ancestor.is_dir():
        fail(f"{flag} {path}: cannot create it, {ancestor} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=ancestor):   # the one probe that root, ACLs and read-only mounts agree on
            pass
    except OSError as exc:
        fail(f"{flag} {path}: cannot write in {ancestor} ({exc.strerror})")
    return path
