"""The Problem a method sees in repository mode: the statement is the failing tests (their source and what
pytest said) and the code around the variables; the starter code is the variables' current source; there
are no visible call tests, because the loss is the repository's own pytest selection."""
from __future__ import annotations

from typing import Sequence

from coderefine.data.problem import Problem
from coderefine.prompts import clip, render
from coderefine.repo.rank import Suspect
from coderefine.repo.snapshot import Snapshot
from coderefine.repo.targets import Definition, definitions, shown_source
from coderefine.types import Report

MAX_TESTS = 3          # failing test functions shown
MAX_CASES = 2          # failing cases (parametrisations) shown per test function
CONTEXT_LINES = 80     # of each file around the variables
MAX_CONTEXT_FILES = 2


def starter_code(variables: Sequence[Definition]) -> str:
    """The variables as the model sees and rewrites them: file by file under a comment naming the file, in
    the order of the file, methods of one class under one class stub."""
    parts = []
    for path in dict.fromkeys(v.path for v in variables):
        blocks, opened = [], ()
        for variable in sorted((v for v in variables if v.path == path), key=lambda v: v.start):
            blocks.append(shown_source(variable, opened))
            opened = variable.classes
        parts.append(f"# {path}\n" + "\n\n".join(blocks))
    return "\n\n".join(parts)


def repo_problem(snapshot: Snapshot, variables: Sequence[Suspect], baseline: Report) -> Problem:
    """The public problem for the method: no hidden tests, no visible call tests."""
    chosen = [s.definition for s in variables]
    if len(chosen) == 1:
        intro = render("repo.one", name=chosen[0].shown, path=chosen[0].path)
    else:
        intro = render("repo.many", count=len(chosen), list="\n".join(
            render("repo.variable", rank=i + 1, name=s.definition.shown, path=s.definition.path, why=s.why)
            for i, s in enumerate(variables)))
    statement = render("repo.statement", variables=intro, failing=len(baseline.failures), total=baseline.total,
                       failures=failures_text(snapshot, baseline), context=context_text(snapshot, chosen))
    return Problem(id=f"{snapshot.root.name}:{chosen[0].where}", statement=statement, entry_point=chosen[0].shown,
                   starter_code=starter_code(chosen), visible_tests=(), hidden_tests=(), dataset="repository")


def failures_text(snapshot: Snapshot, report: Report) -> str:
    """Each failing test function once, with its source, and the first few of its failing cases."""
    groups: dict[str, list] = {}
    for outcome in report.failures:
        groups.setdefault(outcome.name.split("[", 1)[0], []).append(outcome)
    parts = []
    for test, outcomes in list(groups.items())[:MAX_TESTS]:
        cases = "\n".join(render("repo.case", excerpt=clip(o.traceback or o.exception or o.status, 1500))
                          for o in outcomes[:MAX_CASES])
        parts.append(render("repo.failure", test=test, source=source_of_test(snapshot, test), cases=cases))
    more = len(groups) - MAX_TESTS
    return "\n".join(parts) + (f"\n(and {more} more failing test functions)\n" if more > 0 else "")


def source_of_test(snapshot: Snapshot, test: str) -> str:
    """The source of `path::Class::test` (decorators included), or a note when it cannot be found."""
    path, _, name = test.partition("::")
    qualname = name.replace("::", ".")
    code = snapshot.files.get(path, "")
    found = next((d for d in definitions(code, path) if d.qualname == qualname), None) if code else None
    return found.text if found is not None else f"# (the source of {test} was not found)"


def context_text(snapshot: Snapshot, variables: Sequence[Definition]) -> str:
    """The files of the variables, each variable replaced by a line that points to the Signature."""
    parts = []
    for path in list(dict.fromkeys(v.path for v in variables))[:MAX_CONTEXT_FILES]:
        data = snapshot.files[path].encode("utf-8")
        for v in sorted((v for v in variables if v.path == path), key=lambda v: v.start, reverse=True):
            data = data[:v.start] + render("repo.elided", name=v.shown).encode() + data[v.end:]
        lines = data.decode("utf-8").splitlines()
        shown = lines[:CONTEXT_LINES] + ([f"# ... ({len(lines) - CONTEXT_LINES} more lines)"]
                                         if len(lines) > CONTEXT_LINES else [])
        parts.append(render("repo.context", path=path, code="\n".join(shown)))
    return "\n".join(parts)
