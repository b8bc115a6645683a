"""LeetCodeDataset JSONL(.gz) rows -> Problems.

Hidden tests are the row's `check` asserts turned into (arguments, expected)
pairs, so expected values stay outside the sandbox. Asserts that build trees
or linked lists (`tree_node(...)`, `is_same_tree(...)`) cannot be expressed as
JSON calls; those stay AssertTests and run with the row's `prompt` prelude,
which defines the helpers.
"""
from __future__ import annotations

import gzip
import json
import re
import zlib
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from coderefine.data.literals import NotLiteral, argument_value, assert_to_call_test, expected_value
from coderefine.data.result import LoadResult, Skipped
from coderefine.extract import entry_name
from coderefine.data.problem import Problem, ProblemError, is_entry_point
from coderefine.source import call_parts, find_function, identifiers, iter_nodes, parameter_names, parse, single_expression, text
from sandbox import AssertTest, CallTest, Compare, Test

REQUIRED_FIELDS = ("task_id", "problem_description", "starter_code", "entry_point", "prompt", "test")
TIME_LIMIT = 10.0  # seconds per test: some verified Hard completions need 4+ s on a busy 2-core machine
# The rows' preludes star-import math, whose 2-argument pow shadows the builtin
# that LeetCode solutions use as pow(base, exp, mod); LeetCode itself does not.
PRELUDE_SUFFIX = "\nfrom builtins import pow\n"
_WRAPPERS = {"tree_node", "list_node"}
_SAME = {"is_same_tree", "is_same_list"}
_INPUT = re.compile(r"^\s*Input:\s*(\S.*?)\s*$", re.MULTILINE)
_OUTPUT = re.compile(r"^\s*Output:\s*(\S.*?)\s*$", re.MULTILINE)

Signature = tuple[dict[str, Any], Any]  # (keyword arguments, expected) of one example or assert


def read_rows(path: Path) -> Iterator[tuple[int, dict | str]]:
    """(line number, row) per non-blank line; a line that is not a JSON object comes back as an error string.

    Lines are decoded one by one, so one bad line costs that row, not the file.
    """
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                if raw.strip():
                    yield number, _row(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise ProblemError(f"{path}: cannot read it as JSONL{' (gzip)' if opener is gzip.open else ''}: {exc}") from None


def _row(raw: bytes) -> dict | str:
    try:
        row = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return f"not UTF-8 ({exc.reason} at byte {exc.start})"
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    except (ValueError, RecursionError) as exc:  # nested too deep, or an int over Python's digit limit
        return f"not valid JSON ({exc})"
    return row if isinstance(row, dict) else "not a JSON object"


def load_lcd(path: str | Path, difficulty: str | None = None, since: date | None = None,
             until: date | None = None) -> LoadResult:
    """Load a LeetCodeDataset file; filters apply to `difficulty` and to `estimated_date` (inclusive)."""
    path = Path(path)
    if not path.is_file():
        raise ProblemError(f"{path}: LeetCodeDataset file not found (use --dataset lcd:PATH with a .jsonl or .jsonl.gz file)")
    result = LoadResult()
    first_at: dict[str, str] = {}  # task id -> where it was loaded: results are keyed by id, so ids must be unique
    for number, row in read_rows(path):
        where = f"{path}:{number}"
        if isinstance(row, str):
            result.skipped.append(Skipped(where, row))
            continue
        if not _selected(row, difficulty, since, until):
            continue
        try:
            problem = row_to_problem(row, where)
        except ProblemError as exc:
            task_id = row.get("task_id")
            result.skipped.append(Skipped(where, str(exc), task_id if isinstance(task_id, str) else ""))
            continue
        if problem.id in first_at:
            result.skipped.append(Skipped(where, f"{where}: task_id {problem.id!r} repeats the row at {first_at[problem.id]}"))
            continue
        first_at[problem.id] = where
        result.problems.append(problem)
    return result


def _selected(row: dict, difficulty: str | None, since: date | None, until: date | None) -> bool:
    if difficulty and str(row.get("difficulty", "")).lower() != difficulty.lower():
        return False
    if not (since or until):
        return True
    day = _row_date(row)
    return day is not None and not (since and day < since) and not (until and day > until)


def _row_date(row: dict) -> date | None:
    """The row's `estimated_date` day; None when it has none or it is not an ISO date."""
    try:
        return date.fromisoformat(str(row.get("estimated_date", ""))[:10])
    except ValueError:
        return None


def row_to_problem(row: dict, where: str) -> Problem:
    for name in REQUIRED_FIELDS:
        if not isinstance(row.get(name), str) or not row[name].strip():
            state = "missing" if name not in row else "not a non-empty string"
            raise ProblemError(f"{where}: required field '{name}' is {state}")
    entry_point = row["entry_point"].strip()
    _check_entry_point(entry_point, row["starter_code"], where)
    hidden = convert_check(row["test"], where)
    return Problem(
        id=row["task_id"],
        statement=row["problem_description"],
        entry_point=entry_point,
        starter_code=row["starter_code"].rstrip() + "\n",
        visible_tests=tuple(visible_tests(row["problem_description"], row["starter_code"], entry_point, hidden)),
        hidden_tests=tuple(hidden),
        time_limit=TIME_LIMIT,
        compare=_compare(hidden),
        prelude=row["prompt"] + PRELUDE_SUFFIX,
        difficulty=str(row.get("difficulty", "")),
        source=f"LeetCode {row['question_id']}" if row.get("question_id") else "LeetCode",
        dataset="lcd",
    )


def _check_entry_point(entry_point: str, starter_code: str, where: str) -> None:
    """A candidate is called through `entry_point`, so a row whose starter code lacks it could never pass."""
    if not is_entry_point(entry_point):
        raise ProblemError(f"{where}: field 'entry_point' must look like 'Solution().method' or 'func_name', got {entry_point!r}")
    if find_function(starter_code, entry_name(entry_point)) is None:
        raise ProblemError(f"{where}: field 'starter_code' does not define `{entry_name(entry_point)}`, "
                           f"which entry_point {entry_point!r} calls")


def _compare(hidden: list[Test]) -> Compare:
    """Float answers within a tolerance, as LeetCode accepts them; the rows' asserts compare them exactly, so a
    correct answer summed in another order would fail."""
    floats = any(_holds_float(t.expected) for t in hidden if isinstance(t, CallTest))
    return Compare(mode="float") if floats else Compare()


def _holds_float(value: Any) -> bool:
    if isinstance(value, list):
        return any(map(_holds_float, value))
    if isinstance(value, dict):
        return any(map(_holds_float, value.values()))
    return isinstance(value, float)


def convert_check(test_source: str, where: str = "test") -> list[Test]:
    """`def check(candidate): assert ...` -> one test per assert (CallTest where all parts are literals).

    A `check` that does more than assert (loops, setup), or names its parameter otherwise (single asserts run
    with `candidate` bound), runs whole as a single AssertTest. One without any assert would pass every candidate.
    """
    tree = parse(test_source)
    check = find_function(test_source, "check")
    if check is None or tree.root_node.has_error:
        raise ProblemError(f"{where}: field 'test' has no parseable `def check(candidate):`")
    if next(iter_nodes(tree.root_node, {"assert_statement"}), None) is None:
        raise ProblemError(f"{where}: field 'test' asserts nothing; its check function needs `assert candidate(...) == ...` lines")
    body = [s for s in check.child_by_field_name("body").named_children if s.type != "comment"]
    if any(s.type != "assert_statement" for s in body) or parameter_names(check) != ["candidate"]:
        return [AssertTest(source=test_source + "\n\ncheck(candidate)\n", name="check")]
    return [_assert_to_test(statement, f"test {i + 1}") for i, statement in enumerate(body)]


def _assert_to_test(statement, name: str) -> Test:
    return assert_to_call_test(statement, "candidate", name) or AssertTest(source=text(statement), name=name)


def _unwrapped(node) -> Any:
    """A literal, looking through `tree_node([...])` / `list_node([...])`; raises NotLiteral."""
    parts = call_parts(node)
    if parts and parts.function in _WRAPPERS and len(parts.args) == 1 and not parts.kwargs:
        node = parts.args[0]
    return expected_value(text(node))


def assert_signature(source: str) -> Signature | None:
    """(kwargs, expected) of a structural assert such as `assert is_same_tree(candidate(root=tree_node(...)), tree_node(...))`."""
    statements = [c for c in parse(source).root_node.named_children if c.type != "comment"]
    if len(statements) != 1 or statements[0].type != "assert_statement":
        return None  # a whole `check` is no example's twin: reusing it would show every hidden test
    condition = statements[0].named_children[0]
    if condition.type == "comparison_operator" and len(condition.children) == 3 and condition.children[1].type == "==":
        call, expected = condition.children[0], condition.children[2]
    elif (outer := call_parts(condition)) and outer.function in _SAME and len(outer.args) == 2:
        call, expected = outer.args
    else:
        return None
    parts = call_parts(call)
    if not parts or parts.function != "candidate" or parts.args:
        return None
    try:
        return {k: _unwrapped(v) for k, v in parts.kwargs}, _unwrapped(expected)
    except NotLiteral:
        return None


def statement_examples(description: str) -> list[Signature]:
    """The `Input: a = 1, b = [2]` / `Output: 3` pairs of a LeetCode statement, in order, without repeats."""
    examples: list[Signature] = []
    inputs = list(_INPUT.finditer(description))
    for match, following in zip(inputs, [*inputs[1:], None]):
        output = _OUTPUT.search(description, match.end(), following.start() if following else len(description))
        call = call_parts(single_expression(f"f({match.group(1)})"))
        if output is None or call is None or call.args:
            continue
        try:
            example = ({k: argument_value(text(v), lenient_json=True) for k, v in call.kwargs},
                       expected_value(output.group(1), lenient_json=True))
        except NotLiteral:
            continue
        if example not in examples:
            examples.append(example)
    return examples


def visible_tests(description: str, starter_code: str, entry_point: str, hidden: list[Test]) -> list[Test]:
    """Statement examples as tests.

    An example that a hidden test repeats reuses that test (it is public in
    the statement anyway): tree and list examples get their wrappers that way,
    and problems with several right answers get the one the hidden test
    expects. Other examples become CallTests when the problem takes plain JSON
    arguments whose names match the signature.
    """
    function = find_function(starter_code, entry_name(entry_point))
    params = set(parameter_names(function)) if function is not None else None
    plain = not any(isinstance(t, AssertTest) and _builds_structures(t.source) for t in hidden)
    tests: list[Test] = []
    for i, (kwargs, expected) in enumerate(statement_examples(description)):
        name = f"example {i + 1}"
        twin = next((t for t in hidden if _signature(t) == (kwargs, expected)), None) or \
            next((t for t in hidden if isinstance(t, CallTest) and not t.args and t.kwargs == kwargs), None)
        if isinstance(twin, AssertTest):
            tests.append(AssertTest(source=twin.source, name=name))
        elif twin is not None:
            tests.append(replace(twin, name=name))
        elif plain and params == set(kwargs):
            tests.append(CallTest(kwargs=kwargs, expected=expected, name=name))
    return tests


def _builds_structures(source: str) -> bool:
    return bool(identifiers(source) & (_WRAPPERS | _SAME))


def _signature(test: Test) -> Signature | None:
    if isinstance(test, CallTest):
        return (test.kwargs, test.expected) if not test.args else None
    return assert_signature(test.source)
