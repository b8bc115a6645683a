"""LeetCodeDataset loader: assert conversion, statement examples, malformed rows, filters."""
import gzip
import json
import os
from datetime import date
from pathlib import Path

import pytest

from coderefine.data import find_problem, load_dataset
from coderefine.data.lcd import PRELUDE_SUFFIX, convert_check, load_lcd, statement_examples, visible_tests
from coderefine.data.problem import ProblemError
from sandbox import values_match
from sandbox.types import AssertTest, CallTest, Compare

# The 84-row sample lives in the shared folder beside the checkout (CI clones with it there).
SAMPLE = Path(os.environ.get("CODEREFINE_LCD_SAMPLE",
                             Path(__file__).resolve().parents[2] / "shared" / "data" / "lcd-dev.jsonl.gz"))
# Outside CI a checkout without the shared folder skips these; in CI a missing sample is a failure.
needs_sample = pytest.mark.skipif(not SAMPLE.is_file() and not os.environ.get("CI"),
                                  reason=f"LeetCodeDataset sample not found at {SAMPLE}")

STARTER = "class Solution:\n    def addUp(self, nums: List[int], k: int) -> int:\n        "
DESCRIPTION = """Return sum(nums) + k.

Example 1:

Input: nums = [1,2], k = 3
Output: 6

Example 2:
Input: nums = [], k = 0
Output: 0
Explanation: nothing to add.

Example 1 again (LeetCodeDataset repeats examples sometimes):
Input: nums = [1,2], k = 3
Output: 6

Constraints: 0 <= len(nums) <= 10
"""


def row(**changes):
    base = {
        "task_id": "add-up", "question_id": 9001, "difficulty": "Easy", "estimated_date": "2024-09-01",
        "problem_description": DESCRIPTION, "starter_code": STARTER, "entry_point": "Solution().addUp",
        "prompt": "from typing import *\n", "completion": "class Solution:\n    def addUp(self, nums, k):\n        return sum(nums) + k\n",
        "test": "def check(candidate):\n    assert candidate(nums = [1, 2],k = 3) == 6\n    assert candidate(nums = [],k = 0) == 0\n",
        "some_new_field": {"ignored": True},
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def write_jsonl(path: Path, lines: list) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def test_literal_asserts_become_call_tests():
    tests = convert_check("def check(candidate):\n    assert candidate(a = [1, [2]], b = 'x') == (4, 5)\n"
                          "    assert candidate(1, 2) == {'k': None}\n"
                          "    assert candidate(t = (1, 2)) == 3\n")
    assert tests[0] == CallTest(kwargs={"a": [1, [2]], "b": "x"}, expected=[4, 5], name="test 1")  # results are JSON-normalised
    assert tests[1] == CallTest(args=(1, 2), expected={"k": None}, name="test 2")
    assert tests[2] == AssertTest(source="assert candidate(t = (1, 2)) == 3", name="test 3")  # a tuple argument is not JSON


@pytest.mark.parametrize("statement", [
    "assert candidate(root = tree_node([1, 2, None, 3]), k = 2) == 3",
    "assert is_same_tree(candidate(root = tree_node([1, 2])), tree_node([2, 1]))",
    "assert candidate(s = 'abc') == -inf",
    "assert candidate(x = 1) != 2",
    "assert candidate(*[1, 2]) == 3",
    "assert candidate(x = 1) == 1 == 1",
])
def test_non_literal_asserts_stay_assert_tests(statement):
    (test,) = convert_check(f"def check(candidate):\n    {statement}\n")
    assert test == AssertTest(source=statement, name="test 1")


def test_check_with_setup_runs_whole():
    source = "def check(candidate):\n    for n in range(3):\n        assert candidate(n) == n\n"
    assert convert_check(source) == [AssertTest(source=source + "\n\ncheck(candidate)\n", name="check")]


@pytest.mark.parametrize("source", ["", "def other(candidate):\n    assert candidate(1) == 1\n",
                                    "def check(candidate):\n    assert candidate(1 == 1\n"])
def test_missing_or_broken_check_is_an_error(source):
    with pytest.raises(ProblemError, match="field 'test'"):
        convert_check(source, "file.jsonl:7")


def test_statement_examples_parse_and_deduplicate():
    assert statement_examples(DESCRIPTION) == [({"nums": [1, 2], "k": 3}, 6), ({"nums": [], "k": 0}, 0)]
    text = 'Input: root = [1,null,2], flag = true, s = "a,b"\nOutput: false\nInput: x = foo(1)\nOutput: 1\n'
    assert statement_examples(text) == [({"root": [1, None, 2], "flag": True, "s": "a,b"}, False)]


def test_visible_tests_need_matching_parameter_names():
    hidden = convert_check(row()["test"])
    assert visible_tests(DESCRIPTION, STARTER, "Solution().addUp", hidden) == [
        CallTest(kwargs={"nums": [1, 2], "k": 3}, expected=6, name="example 1"),
        CallTest(kwargs={"nums": [], "k": 0}, expected=0, name="example 2")]
    other_names = STARTER.replace("k: int", "kk: int")
    assert visible_tests(DESCRIPTION, other_names, "Solution().addUp", []) == []  # no hidden twin to vouch for it


def test_tree_examples_reuse_their_hidden_twin():
    starter = "class Solution:\n    def kth(self, root: Optional[TreeNode], k: int) -> int:\n        "
    description = "Input: root = [5,3,null,1], k = 2\nOutput: 3\n\nInput: root = [1], k = 9\nOutput: -1\n"
    hidden = convert_check("def check(candidate):\n    assert candidate(root = tree_node([5, 3, None, 1]),k = 2) == 3\n")
    (example,) = visible_tests(description, starter, "Solution().kth", hidden)  # the second has no twin: left out
    assert example == AssertTest(source=hidden[0].source, name="example 1")


def test_rows_missing_fields_and_bad_lines_are_reported_with_line_numbers(tmp_path):
    path = write_jsonl(tmp_path / "mixed.jsonl", [
        row(), row(task_id="no-test", test=None), "{not json", "[1, 2]", row(task_id="empty-prompt", prompt="  "),
        row(task_id="second"),
    ])
    result = load_lcd(path)
    assert [p.id for p in result.problems] == ["add-up", "second"]
    reasons = {s.where: s.reason for s in result.skipped}
    assert set(reasons) == {f"{path}:2", f"{path}:3", f"{path}:4", f"{path}:5"}
    assert "required field 'test' is missing" in reasons[f"{path}:2"]
    assert "not valid JSON" in reasons[f"{path}:3"] and "not a JSON object" in reasons[f"{path}:4"]
    assert "'prompt' is not a non-empty string" in reasons[f"{path}:5"]


def test_problem_fields_and_gzip(tmp_path):
    path = write_jsonl(tmp_path / "one.jsonl.gz", [row()])
    (p,) = load_dataset(f"lcd:{path}").problems
    assert (p.id, p.entry_point, p.difficulty, p.dataset, p.prelude) == ("add-up", "Solution().addUp", "Easy", "lcd", "from typing import *\n" + PRELUDE_SUFFIX)
    assert p.hidden_tests == (CallTest(kwargs={"nums": [1, 2], "k": 3}, expected=6, name="test 1"),
                              CallTest(kwargs={"nums": [], "k": 0}, expected=0, name="test 2"))
    assert len(p.visible_tests) == 2 and p.statement == DESCRIPTION


def test_not_gzip_is_a_clear_error(tmp_path):
    path = tmp_path / "fake.jsonl.gz"
    path.write_text("plain text")
    with pytest.raises(ProblemError, match="cannot read it as JSONL"):
        load_lcd(path)


def test_corrupt_gzip_data_is_a_clear_error(tmp_path):
    data = gzip.compress(("\n".join(json.dumps(row(task_id=f"t{i}")) for i in range(20)) + "\n").encode())
    path = tmp_path / "corrupt.jsonl.gz"
    path.write_bytes(data[:10] + bytes(b ^ 0xFF for b in data[10:40]) + data[40:])  # a valid header, broken deflate data
    with pytest.raises(ProblemError, match=r"corrupt\.jsonl\.gz: cannot read it as JSONL \(gzip\)"):
        load_lcd(path)


def test_a_non_utf8_line_costs_only_its_row(tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(json.dumps(row()).encode() + b'\n{"task_id": "caf\xe9"}\n' + json.dumps(row(task_id="last")).encode())
    result = load_lcd(path)
    assert [p.id for p in result.problems] == ["add-up", "last"]
    (skipped,) = result.skipped
    assert skipped.where == f"{path}:2" and skipped.reason.startswith("not UTF-8")


@pytest.mark.parametrize("line", [
    '{"question_id": ' + "9" * 5000 + "}",  # an int over Python's digit limit
    "[" * 100_000 + "]" * 100_000,           # nested past the recursion limit
])
def test_json_python_cannot_hold_is_a_skipped_row(tmp_path, line):
    path = write_jsonl(tmp_path / "odd.jsonl", [line, row(task_id="fine")])
    result = load_lcd(path)
    assert [p.id for p in result.problems] == ["fine"]
    assert [s.where for s in result.skipped] == [f"{path}:1"] and "not valid JSON" in result.skipped[0].reason


def test_find_problem_blames_the_row_with_that_id(tmp_path):
    path = write_jsonl(tmp_path / "rows.jsonl", [row(), row(task_id="broken", test=None), "{not json"])
    with pytest.raises(ProblemError, match=r"problem 'broken' could not be loaded: .*:2: required field 'test' is missing"):
        find_problem("broken", f"lcd:{path}")
    with pytest.raises(ProblemError, match=r"unknown problem '3'"):  # `3` is in the bad line's `rows.jsonl:3`, not its id
        find_problem("3", f"lcd:{path}")


def test_filters(tmp_path):
    path = write_jsonl(tmp_path / "f.jsonl", [
        row(task_id="a", difficulty="Hard", estimated_date="2024-08-01"),
        row(task_id="b", difficulty="Medium", estimated_date="2024-09-15"),
        row(task_id="c", difficulty="Hard", estimated_date="2024-10-30"),
        row(task_id="d", difficulty="Hard", estimated_date=None),
        row(task_id="e", difficulty="Easy", estimated_date="Sept 2024"),  # not a date: no date filter selects it
    ])
    ids = lambda **f: [p.id for p in load_lcd(path, **f).problems]
    assert ids() == ["a", "b", "c", "d", "e"]
    assert ids(difficulty="hard") == ["a", "c", "d"]
    assert ids(since=date(2024, 9, 1)) == ["b", "c"]
    assert ids(until=date(2024, 9, 15)) == ["a", "b"]
    assert ids(difficulty="Hard", since=date(2024, 8, 1), until=date(2024, 8, 31)) == ["a"]


@needs_sample
def test_sample_loads_completely():
    result = load_dataset(f"lcd:{SAMPLE}")
    assert (len(result.problems), len(result.skipped)) == (84, 0)
    hidden = [t for p in result.problems for t in p.hidden_tests]
    asserts = [t for t in hidden if isinstance(t, AssertTest)]
    assert len(hidden) == 7998 and len(asserts) == 76  # only tree inputs and one `-inf` stay asserts
    assert all(p.visible_tests for p in result.problems)
    assert len(load_dataset(f"lcd:{SAMPLE}", difficulty="Hard").problems) == 34


@needs_sample
@pytest.mark.slow
def test_sample_completions_pass_their_converted_tests_in_the_sandbox():
    """Every row's own verified `completion` passes its hidden and visible tests (all 84 rows)."""
    from concurrent.futures import ThreadPoolExecutor

    from coderefine.judge import judge
    from sandbox import Sandbox
    completions = {json.loads(line)["task_id"]: json.loads(line)["completion"] for line in gzip.open(SAMPLE, "rt")}
    problems = load_lcd(SAMPLE).problems
    with Sandbox(backend="bwrap") as sandbox:
        def run(problem):
            code = completions[problem.id]
            visible = sandbox.run_tests(code, problem.visible_tests, problem.entry_point, prelude=problem.prelude)
            return problem.id, visible, judge(problem, code, sandbox)
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(run, problems))
    bad = [(i, ([o for o in v.outcomes if o.status != "passed"] + h.failures)[:2], h.error)
           for i, v, h in results if not (v.all_passed and h.complete)]
    assert not bad


def test_example_with_several_right_answers_takes_the_hidden_expected_value():
    hidden = convert_check("def check(candidate):\n    assert candidate(nums = [1, 2],k = 3) == 7\n")
    (example, _) = visible_tests(DESCRIPTION, STARTER, "Solution().addUp", hidden)
    assert example == CallTest(kwargs={"nums": [1, 2], "k": 3}, expected=7, name="example 1")


def test_a_whole_check_is_never_shown_as_an_example():
    """A check with setup runs as one AssertTest holding every hidden assert; its first assert matching an
    example must not make the whole check a visible test."""
    source = ("def check(candidate):\n    assert candidate(nums = [1, 2],k = 3) == 6\n"
              "    secret = [40, 2]\n    assert candidate(nums = secret, k = 0) == 42\n")
    assert visible_tests(DESCRIPTION, STARTER, "Solution().addUp", convert_check(source)) == [
        CallTest(kwargs={"nums": [1, 2], "k": 3}, expected=6, name="example 1"),
        CallTest(kwargs={"nums": [], "k": 0}, expected=0, name="example 2")]


@pytest.mark.parametrize("source", ["def check(candidate):\n    pass\n",
                                    "def check(candidate):\n    candidate(1)\n    # assert candidate(1) == 2\n"])
def test_a_check_that_asserts_nothing_is_an_error(source):
    """Such a check would pass every candidate."""
    with pytest.raises(ProblemError, match="file.jsonl:7: field 'test' asserts nothing"):
        convert_check(source, "file.jsonl:7")


def test_a_check_whose_parameter_is_not_candidate_runs_whole():
    """Single asserts run with `candidate` bound, so `solution(...)` in them would be a NameError."""
    source = "def check(solution):\n    assert solution(nums = [1], k = 2) == 3\n    assert solution([1], 1) == tree_node([2])\n"
    assert convert_check(source) == [AssertTest(source=source + "\n\ncheck(candidate)\n", name="check")]


@pytest.mark.parametrize("changes,message", [
    ({"entry_point": "Solution.addUp"}, "field 'entry_point' must look like 'Solution().method'"),
    ({"entry_point": "Solution().add_up"}, "field 'starter_code' does not define `Solution.add_up`"),
    ({"starter_code": "class Solution:\n    pass\n"}, "field 'starter_code' does not define `Solution.addUp`"),
])
def test_an_entry_point_the_starter_code_lacks_is_a_skipped_row(tmp_path, changes, message):
    path = write_jsonl(tmp_path / "rows.jsonl", [row(**changes), row(task_id="fine")])
    result = load_lcd(path)
    assert [p.id for p in result.problems] == ["fine"]
    (skipped,) = result.skipped
    assert skipped.where == f"{path}:1" and message in skipped.reason


def test_an_example_without_output_borrows_none():
    description = "Input: nums = [1,2], k = 3\nExplanation: no output line.\n\nInput: nums = [], k = 0\nOutput: 0\n"
    assert statement_examples(description) == [({"nums": [], "k": 0}, 0)]


def test_a_repeated_task_id_is_a_skipped_row(tmp_path):
    path = write_jsonl(tmp_path / "rows.jsonl", [row(), row(test="def check(candidate):\n    assert candidate(nums = [], k = 1) == 1\n")])
    result = load_lcd(path)
    assert [(p.id, len(p.hidden_tests)) for p in result.problems] == [("add-up", 2)]
    (skipped,) = result.skipped
    assert skipped.where == f"{path}:2" and f"task_id 'add-up' repeats the row at {path}:1" in skipped.reason


def test_float_answers_are_compared_with_a_tolerance(tmp_path):
    floats = "def check(candidate):\n    assert candidate(nums = [1, 2],k = 3) == 0.3\n    assert candidate(nums = [],k = 0) == [0, {'p': 0.5}]\n"
    path = write_jsonl(tmp_path / "rows.jsonl", [row(), row(task_id="floats", test=floats)])
    exact, tolerant = load_lcd(path).problems
    assert exact.compare == Compare() and tolerant.compare == Compare(mode="float")
    assert values_match(0.1 + 0.2, tolerant.hidden_tests[0].expected, tolerant.compare)
