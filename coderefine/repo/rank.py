"""Which functions the failing tests implicate, best first: the variables of a repository run.

Each repository function (test code excluded) that a failing test ran is scored by Ochiai's formula over the
selection's tests, ef / sqrt(F * (ef + ep)) (ef, ep: failing and passing tests that ran it; F: failing
tests), as in spectrum-based fault localisation: code that only failing tests run is the most suspect. A
function in a failing test's traceback gets a bonus. Ties go to the function nearer the test in the calls
(the test's direct callee before its helpers), then to the one called first. A method that only stores
values in attributes (a plain `__init__`) computes nothing that could be wrong, and every test that builds
the object runs it, so it comes after all the others. Without traced calls the traceback frames alone decide.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from coderefine.repo.runner import Called, Result, frames
from coderefine.repo.selection import is_test_code
from coderefine.repo.snapshot import Snapshot
from coderefine.repo.targets import Definition, definitions, enclosing, reindent
from coderefine.source import parse, syntax_errors

TRACEBACK_BONUS = 0.5


@dataclass(frozen=True)
class Suspect:
    definition: Definition
    score: float
    in_traceback: bool
    depth: int            # calls between the test and this function (1: the test calls it; 0: no test ran it)

    @property
    def why(self) -> str:
        if not self.depth:
            return "named, but no failing test ran it: their failures may not come from it"
        hit = "in the failing traceback; " if self.in_traceback else ""
        called = "called by the test" if self.depth == 1 else f"{self.depth} calls below the test"
        return f"{hit}{called}; suspiciousness {self.score:.2f}"


class _Index:
    """The definitions of the snapshot's non-test Python files, parsed once each."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.parsed: dict[str, list[Definition]] = {}

    def find(self, path: str, line: int, qualname: str | None = None) -> Definition | None:
        if path not in self.snapshot.files or is_test_code(path) or not path.endswith(".py"):
            return None
        if path not in self.parsed:
            code = self.snapshot.files[path]
            self.parsed[path] = [] if syntax_errors(code) else definitions(code, path)
        found = self.parsed[path]
        if qualname is not None:
            plain = qualname.replace(".<locals>", "")
            exact = [d for d in found if d.line == line and d.qualname == plain]
            if exact:
                return exact[0]
        return enclosing(found, line)


def suspects(snapshot: Snapshot, result: Result) -> list[Suspect]:
    """The functions behind the failures of `result` (a traced run), most suspect first."""
    index = _Index(snapshot)
    failing = {o.name for o in result.report.failures}
    ran_by: dict[Definition, set[str]] = {}
    depth: dict[Definition, int] = {}
    order: dict[Definition, int] = {}
    for node, calls in result.calls.items():
        depth.update({d: min(depth.get(d, 99), k) for d, k in _depths(index, calls).items()})
        for called in calls:
            definition = index.find(called.path, called.line, called.qualname)
            if definition is not None:
                ran_by.setdefault(definition, set()).add(node)
                order.setdefault(definition, len(order))
    in_traceback: set[Definition] = set()
    for outcome in result.report.failures:
        for path, line in frames(outcome.traceback):
            definition = index.find(path, line)
            if definition is not None:
                in_traceback.add(definition)
                order.setdefault(definition, len(order))
                ran_by.setdefault(definition, set()).add(outcome.name)
    total_failing = max(len(failing), 1)
    found = []
    for definition, nodes in ran_by.items():
        ef, ep = len(nodes & failing), len(nodes - failing)
        if not ef and definition not in in_traceback:
            continue
        score = ef / math.sqrt(total_failing * (ef + ep)) if ef else 0.0
        bonus = TRACEBACK_BONUS if definition in in_traceback else 0.0
        found.append(Suspect(definition, score + bonus, definition in in_traceback, depth.get(definition, 1)))
    found.sort(key=lambda s: (only_stores(s.definition), -s.score, s.depth, order[s.definition]))
    return found


def only_stores(definition: Definition) -> bool:
    """The body only assigns plain values (names, literals) to attributes, besides a docstring or `pass`."""
    code = reindent(definition.text, definition.indent, "", definition.string_rows)
    node = next(iter(parse(code).root_node.named_children), None)
    if node is not None and node.type == "decorated_definition":
        node = node.child_by_field_name("definition")
    if node is None or node.type != "function_definition":
        return False
    for statement in node.child_by_field_name("body").named_children:
        inner = statement.named_children[0] if statement.type == "expression_statement" else statement
        if statement.type == "pass_statement" or inner.type in ("string", "comment") or statement.type == "comment":
            continue
        if inner.type != "assignment" or inner.child_by_field_name("left").type != "attribute":
            return False
        value = inner.child_by_field_name("right")
        if value is None or value.type not in ("identifier", "integer", "float", "string", "true", "false", "none"):
            return False
    return True


def _depths(index: _Index, calls: list[Called]) -> dict[Definition, int]:
    """How many calls below the test each repository function first ran (test code counts as depth 0)."""
    depths: dict[Definition, int] = {}
    for called in calls:
        definition = index.find(called.path, called.line, called.qualname)
        if definition is None:
            continue
        caller = index.find(called.caller_path, called.caller_line) if called.caller_path else None
        depths.setdefault(definition, depths.get(caller, 0) + 1)
    return depths


def variables(found: list[Suspect], limit: int) -> list[Suspect]:
    """The top `limit` suspects that can be optimised together: none inside another (the outer one holds
    it), and no two the model would see under the same name."""
    chosen: list[Suspect] = []
    for suspect in found:
        d = suspect.definition
        overlaps = any(c.definition.path == d.path and (c.definition.start <= d.start < c.definition.end
                                                        or d.start <= c.definition.start < d.end) for c in chosen)
        if not overlaps and all(c.definition.shown != d.shown for c in chosen):
            chosen.append(suspect)
        if len(chosen) == limit:
            break
    return chosen
