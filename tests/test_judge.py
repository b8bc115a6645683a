"""The hidden-test judge, run in the real sandbox."""
from pathlib import Path

import pytest

from coderefine.judge import judge, verdict
from coderefine.loss import limits_for
from coderefine.problemset import load_problem_folder

FIXTURES = Path(__file__).parent / "fixtures" / "problems"
PAIR = load_problem_folder(FIXTURES / "pair-sum-count")


@pytest.fixture(scope="module")
def sandbox():
    from sandbox import Sandbox
    with Sandbox(backend="bwrap") as box:
        yield box


def test_limits_carry_the_problem_time_limit():
    assert limits_for(PAIR).time_per_test == 0.5


def test_reference_passes(sandbox):
    summary = verdict(judge(PAIR, (FIXTURES / "pair-sum-count" / "reference.py").read_text(), sandbox))
    assert (summary["passed"], summary["total"], summary["all_passed"], summary["failures"]) == (12, 12, True, [])
    assert summary["backend"] == "bwrap"


def test_quadratic_solution_fails_by_time_and_wrong_one_by_answer(sandbox):
    slow = verdict(judge(PAIR, (FIXTURES / "pair-sum-count" / "naive.py").read_text(), sandbox))
    assert not slow["all_passed"] and {f["status"] for f in slow["failures"]} == {"timeout"}
    wrong = "class Solution:\n    def countPairs(self, nums, target):\n        return len(nums) // 2\n"
    summary = verdict(judge(PAIR, wrong, sandbox))
    assert summary["passed"] < summary["total"] == 12
    assert all(f["status"] == "failed" and f["expected"] and f["actual"] for f in summary["failures"])


def test_fail_fast_stops_at_first_timeout(sandbox):
    report = judge(PAIR, "class Solution:\n    def countPairs(self, nums, target):\n        while True: pass\n", sandbox, fail_fast=True)
    assert [o.status for o in report.outcomes][:2] == ["timeout", "skipped"]
    assert [f["status"] for f in verdict(report)["failures"]] == ["timeout"]


def test_broken_code_is_an_error_not_a_crash(sandbox):
    summary = verdict(judge(PAIR, "def countPairs(:\n", sandbox))
    assert summary["passed"] == 0 and summary["error"]
