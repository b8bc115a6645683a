"""Which tests to run: a `--tests` selection checked against the repository, or the test files that cover a
set of changed Python files (what the pre-commit hook runs)."""
from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Iterable, Mapping, Sequence

from tree_sitter import Node

from coderefine.repo import RepoError
from coderefine.repo.snapshot import Snapshot
from coderefine.source import iter_nodes, parse, text

TEST_WORDS = {"test", "tests", "testing", "testcases"}   # folder names, or words of them (unit_tests, test_utils)
_WORD = re.compile(r"[^_.\-]+")


def is_test_file(path: str) -> bool:
    """pytest's default test file names: test_*.py and *_test.py."""
    name = PurePosixPath(path).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def is_test_code(path: str) -> bool:
    """Code that belongs to the tests rather than to what they test: test files, conftest.py, and anything
    in a folder named for tests (tests/, testing/, unit_tests/, python_testcases/); a word that merely holds
    "test" (contest/, latest/, attestation/) is the code's own."""
    parts = PurePosixPath(path).parts
    return (is_test_file(path) or parts[-1] == "conftest.py"
            or any(TEST_WORDS & set(_WORD.findall(p.lower())) for p in parts[:-1]))


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
    """The tracked test files that cover the changed Python files (which may be gone: deleted or renamed)."""
    imports = {f: _imported(f, snapshot.files[f]) for f in snapshot.files if is_test_file(f)}
    found = [test for path in changed if path.endswith(".py") for test in _covered_by(path, imports)]
    return tuple(f for f in dict.fromkeys(found) if f in snapshot.files)


def _covered_by(path: str, imports: Mapping[str, set[str]]) -> list[str]:
    """The test files (the keys of `imports`, each with what it imports) that cover `path`: a test file itself,
    for a conftest.py every test file in its folder and below, else test files named after the module
    (test_mod.py, mod_test.py) or importing it."""
    if is_test_file(path):
        return [path]
    where = PurePosixPath(path)
    if where.name == "conftest.py":
        return [t for t in imports if where.parent in PurePosixPath(t).parents]
    names, modules = {f"test_{where.stem}.py", f"{where.stem}_test.py"}, module_names(path)
    return [t for t, imported in imports.items() if PurePosixPath(t).name in names or imported & modules]


def module_names(path: str) -> set[str]:
    """The dotted names a module may be imported by: from the root, without a `src/` folder, or bare."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    names = {".".join(parts[i:]) for i in range(len(parts))}
    return {n for n in names if n}


def _imported(path: str, source: str) -> set[str]:
    """What the file at `path` imports, anywhere in it: `import a.b` gives a.b, `from a import b` gives a and
    a.b (b may be a module), and a relative import is resolved from the file's folder to a name from the root."""
    found: set[str] = set()
    for node in iter_nodes(parse(source).root_node, {"import_statement", "import_from_statement"}):
        names = [_dotted(n) for n in node.children_by_field_name("name")]
        if node.type == "import_statement":
            found.update(names)
            continue
        origin = _origin(path, node.child_by_field_name("module_name"))
        if origin:
            found.update([origin, *(f"{origin}.{n}" for n in names)])
    return found


def _dotted(node: Node) -> str:
    """The dotted name of a `dotted_name` or of an `aliased_import` (`a.b as c`: a.b)."""
    if node.type == "aliased_import":
        node = node.child_by_field_name("name")
    return "".join(text(node).split())


def _origin(path: str, module: Node | None) -> str | None:
    """The module a `from ... import` reads, as a name from the root; "" for the root folder itself, None when
    a relative import climbs above it (neither names a module)."""
    if module is None:
        return None
    if module.type != "relative_import":
        return _dotted(module)
    prefix = next((c for c in module.children if c.type == "import_prefix"), None)
    rest = next((_dotted(c) for c in module.children if c.type == "dotted_name"), "")
    up = len(text(prefix)) - 1 if prefix is not None else 0
    folder = list(PurePosixPath(path).parent.parts)
    if up > len(folder):
        return None
    return ".".join(filter(None, [*folder[:len(folder) - up], rest]))
