"""Which tests to run: a `--tests` selection checked against the repository, or the test files that cover a
set of changed Python files (what the pre-commit hook runs)."""
from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Iterable, Sequence

from coderefine.repo import RepoError
from coderefine.repo.snapshot import Snapshot

_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w., ()]+)|import\s+([\w., ]+))", re.MULTILINE)


def is_test_file(path: str) -> bool:
    """pytest's default test file names: test_*.py and *_test.py."""
    name = PurePosixPath(path).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def is_test_code(path: str) -> bool:
    """Code that belongs to the tests rather than to what they test: test files, conftest.py, and anything
    in a folder whose name mentions tests (tests/, testing/, python_testcases/)."""
    parts = PurePosixPath(path).parts
    return is_test_file(path) or parts[-1] == "conftest.py" or any("test" in p.lower() for p in parts[:-1])


def expand(snapshot: Snapshot, selection: Sequence[str]) -> tuple[str, ...]:
    """Each item (a file, `file::test`, or a folder, meaning its test files) as file-level items of the
    snapshot; an item that names nothing tracked is a RepoError."""
    items: list[str] = []
    for item in selection:
        path, sep, node = item.partition("::")
        path = path.rstrip("/") or "."
        if path in snapshot.files:
            items.append(path + sep + node)
            continue
        inside = [f for f in snapshot.files if is_test_file(f) and (path == "." or f.startswith(path + "/"))]
        if inside and not sep:
            items.extend(sorted(inside))
        elif any(f.startswith(path + "/") for f in snapshot.files):
            raise RepoError(f"no tests found: {item} holds no tracked test files (test_*.py or *_test.py)")
        else:
            raise RepoError(f"no tests found: {item} is not a file git tracks in {snapshot.root}"
                            + (" (new files must be added with `git add`)" if (snapshot.root / path).exists() else ""))
    return tuple(dict.fromkeys(items))


def covering(snapshot: Snapshot, changed: Iterable[str]) -> tuple[str, ...]:
    """The tracked test files that cover the changed Python files: changed test files themselves, test files
    named after a changed module (test_mod.py, mod_test.py), and test files that import it."""
    tests = [f for f in snapshot.files if is_test_file(f)]
    found: list[str] = []
    for path in changed:
        if not path.endswith(".py"):
            continue
        if is_test_file(path):
            found.append(path)
            continue
        stem = PurePosixPath(path).stem
        names = {f"test_{stem}.py", f"{stem}_test.py"}
        modules = _module_names(path)
        found.extend(t for t in tests if PurePosixPath(t).name in names or _imports(snapshot.files[t], modules))
    return tuple(f for f in dict.fromkeys(found) if f in snapshot.files)


def _module_names(path: str) -> set[str]:
    """The dotted names a module may be imported by: from the root, without a `src/` folder, or bare."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    names = {".".join(parts[i:]) for i in range(len(parts))}
    return {n for n in names if n}


def _imports(source: str, modules: set[str]) -> bool:
    for match in _IMPORT.finditer(source):
        origin, names, plain = match.groups()
        if plain is not None:
            imported = {part.split(" as ")[0].strip() for part in plain.split(",")}
        else:
            imported = {origin} | {f"{origin}.{n.split(' as ')[0].strip(' ()')}" for n in names.split(",")}
        if imported & modules:
            return True
    return False
