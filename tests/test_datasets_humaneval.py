"""HumanEval loader: docstring examples via tree-sitter, `check` as the hidden test."""
import gzip
import json

import pytest

from coderefine.data import load_dataset
from coderefine.data.humaneval import context_of, data_file, docstring_examples
from sandbox.types import AssertTest, CallTest


def prompt(doc: str, name: str = "f") -> str:
    return f'import math\n\n\ndef helper(x):\n    return x\n\n\ndef {name}(a, b=1):\n    """Do it.\n{doc}\n    """\n'


@pytest.mark.parametrize("doc,expected", [
    (">>> f(1, 2)\n    3\n    >>> f([1], 'x')\n    [1, 'x']", [CallTest(args=(1, 2), expected=3), CallTest(args=([1], "x"), expected=[1, "x"])]),
    (">>> f([])\n\n    >>> f(2,\n    ...   3)\n    (5, 6)", [CallTest(args=([],), expected=None), CallTest(args=(2, 3), expected=[5, 6])]),
    ("f(1, 2) ➞ True\n    f(3, 4) ==> false\n    f(5, 6) => 11.\n    f(7, 8) should return 'x'",
     [CallTest(args=(1, 2), expected=True), CallTest(args=(3, 4), expected=False),
      CallTest(args=(5, 6), expected=11.0), CallTest(args=(7, 8), expected="x")]),
    (">>> f(1, 2) == [3]\n    True", [CallTest(args=(1, 2), expected=[3])]),
    ("For a = [1,2] the output should be 3", [CallTest(args=([1, 2],), expected=3)]),
    (">>> round(f(1, 2), 2)\n    3.0\n    >>> f(x, 2)\n    3\n    >>> f(1, b=2)\n    3\n    f(1, 2) -> 1 + 2 = 3\n"
     "    >>> f(1, 2)\n    3\n    >>> f(1, 2)\n    3", [CallTest(args=(1, 2), expected=3)]),
    ("No examples here.", []),
])
def test_docstring_examples(doc, expected):
    found = docstring_examples(prompt(doc), "f")
    assert [(t.args, t.expected) for t in found] == [(t.args, t.expected) for t in expected]
    assert [t.name for t in found] == [f"example {i + 1}" for i in range(len(found))]


def test_context_keeps_imports_and_helpers_but_not_the_entry_function():
    context = context_of(prompt(">>> f(1, 2)\n    3"), "f")
    assert "import math" in context and "def helper" in context and "def f" not in context


def test_loads_all_164_with_check_as_hidden_test():
    result = load_dataset("humaneval")
    assert (len(result.problems), len(result.skipped)) == (164, 0)
    first = result.problems[0]
    assert first.id == "HumanEval/0" and first.entry_point == "has_close_elements" and first.dataset == "humaneval"
    assert first.visible_tests == (CallTest(args=([1.0, 2.0, 3.0], 0.5), expected=False, name="example 1"),
                                   CallTest(args=([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3), expected=True, name="example 2"))
    (hidden,) = first.hidden_tests
    assert isinstance(hidden, AssertTest) and hidden.source.rstrip().endswith("check(candidate)")
    assert "def poly" in result.problems[32].prelude  # find_zero's check calls poly
    assert sum(bool(p.visible_tests) for p in result.problems) >= 125


def _canonical(problem_id: str) -> str:
    rows = (json.loads(line) for line in gzip.open(data_file(), "rt"))
    row = next(r for r in rows if r["task_id"] == problem_id)
    return row["prompt"] + row["canonical_solution"]


@pytest.mark.slow
def test_canonical_solutions_pass_visible_and_hidden_tests_in_the_sandbox():
    """All 164: the dataset's own solution passes our parsed examples and its `check`."""
    from concurrent.futures import ThreadPoolExecutor

    from coderefine.judge import judge
    from sandbox import Sandbox
    problems = load_dataset("humaneval").problems
    with Sandbox(backend="bwrap") as sandbox:
        def run(problem):
            code = _canonical(problem.id)
            visible = sandbox.run_tests(code, problem.visible_tests, problem.entry_point, prelude=problem.prelude,
                                        compare=problem.compare)
            return problem.id, visible, judge(problem, code, sandbox)
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(run, problems))
    bad_visible = [(i, v.outcomes) for i, v, _ in results if v.total and not v.all_passed]
    bad_hidden = [(i, h.failures, h.error) for i, _, h in results if not h.complete]
    assert not bad_visible and not bad_hidden
