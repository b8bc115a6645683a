"""The hidden-test judge, run in the real sandbox."""
from pathlib import Path

import pytest

from coderefine.judge import judge
from coderefine.data.folder import load_problem_folder

FIXTURES = Path(__file__).parent / "fixtures" / "problems"
PAIR = load_problem_folder(FIXTURES / "pair-sum-count")


@pytest.fixture(scope="module")
def sandbox():
    from sandbox import Sandbox
    with Sandbox(backend="bwrap") as box:
        yield box


def test_limits_carry_the_problem_time_limit():
    assert PAIR.limits().time_per_test == 0.5


def test_reference_passes(sandbox):
    report = judge(PAIR, (FIXTURES / "pair-sum-count" / "reference.py").read_text(), sandbox)
    assert (report.passed, report.total, report.complete, report.failures) == (12, 12, True, [])
    assert report.backend == "bwrap"


def test_quadratic_solution_fails_by_time_and_wrong_one_by_answer(sandbox):
    slow = judge(PAIR, (FIXTURES / "pair-sum-count" / "naive.py").read_text(), sandbox)
    assert not slow.complete and {f.status for f in slow.failures} == {"timeout"}
    wrong = "class Solution:\n    def countPairs(self, nums, target):\n        return len(nums) // 2\n"
    report = judge(PAIR, wrong, sandbox)
    assert report.passed < report.total == 12
    assert all(f.status == "failed" and f.expected and f.actual for f in report.failures)


def test_fail_fast_stops_at_first_timeout(sandbox):
    report = judge(PAIR, "class Solution:\n    def countPairs(self, nums, target):\n        while True: pass\n", sandbox, fail_fast=True)
    assert report.total == 12 and report.passed == 0
    assert [f.status for f in report.failures] == ["timeout"]  # the skipped rest do not count as failures


def test_broken_code_is_an_error_not_a_crash(sandbox):
    report = judge(PAIR, "def countPairs(:\n", sandbox)
    assert report.passed == 0 and report.error
