"""Ranking the functions behind failing tests: what only failing tests run is most suspect (Ochiai), a
traceback frame adds to it, and among equals the test's direct callee comes before its helpers."""
from pathlib import Path

from coderefine.repo.rank import suspects, variables
from coderefine.repo.runner import Called, Result
from coderefine.repo.snapshot import Snapshot
from coderefine.types import Report
from sandbox import TestOutcome

CODE = ("def parse(text):\n    return [int(t) for t in split(text)]\n\n\n"
        "def split(text):\n    return text.split(',')\n\n\n"
        "def unused():\n    return 0\n\n\n"
        "def total(text):\n    return sum(parse(text))\n")
SNAPSHOT = Snapshot(Path("/r"), {"pkg/nums.py": CODE, "tests/test_nums.py": "def test_a():\n    pass\n",
                                 "tests/helpers.py": "def make():\n    return 1\n"})


def called(path, line, name, caller=(None, None)):
    return Called(path, line, name, *caller)


def result(failures, calls):
    report = Report(passed=len(calls) - len(failures), total=len(calls),
                    failures=[TestOutcome(status="failed", name=n, traceback=tb) for n, tb in failures])
    return Result(report, len(calls), calls)


TEST = ("tests/test_nums.py", 1)
PARSE = called("pkg/nums.py", 1, "parse", TEST)
SPLIT = called("pkg/nums.py", 5, "split", ("pkg/nums.py", 1))
TOTAL = called("pkg/nums.py", 13, "total", TEST)
HELPER = called("tests/helpers.py", 1, "make", TEST)


def test_code_that_passing_tests_also_run_is_less_suspect_and_test_code_is_never_a_suspect():
    run = result([("t::a", "")], {"t::a": [HELPER, TOTAL, PARSE, SPLIT], "t::b": [TOTAL, PARSE], "t::c": [TOTAL]})
    ranked = suspects(SNAPSHOT, run)
    assert [s.definition.qualname for s in ranked] == ["split", "parse", "total"]
    assert [round(s.score, 2) for s in ranked] == [1.0, 0.71, 0.58]
    assert [s.depth for s in ranked] == [2, 1, 1]


def test_a_frame_of_the_failing_traceback_ranks_first_and_ties_go_to_the_direct_callee():
    run = result([("t::a", "tests/test_nums.py:2: \npkg/nums.py:2: in parse\nE   ValueError")],
                 {"t::a": [PARSE, SPLIT]})
    ranked = suspects(SNAPSHOT, run)
    assert [(s.definition.qualname, s.in_traceback) for s in ranked] == [("parse", True), ("split", False)]
    assert ranked[0].why == "in the failing traceback; called by the test; suspiciousness 1.50"


def test_without_traced_calls_the_traceback_frames_decide():
    run = result([("t::a", "pkg/nums.py:6: in split\nE   AttributeError")], {})
    assert [s.definition.qualname for s in suspects(SNAPSHOT, run)] == ["split"]


def test_the_variables_are_the_top_suspects_without_overlaps_or_twin_names():
    outer = "def outer():\n    def inner():\n        return 1\n    return inner()\n"
    snapshot = Snapshot(Path("/r"), {"a.py": outer, "b.py": "def inner():\n    return 2\n", "c.py": CODE})
    run = result([("t::a", "")], {"t::a": [called("a.py", 2, "outer.<locals>.inner"), called("a.py", 1, "outer"),
                                           called("b.py", 1, "inner"), called("c.py", 1, "parse"),
                                           called("c.py", 5, "split")]})
    chosen = variables(suspects(snapshot, run), 3)
    assert [s.definition.where for s in chosen] == ["a.py::outer.inner", "c.py::parse", "c.py::split"]


def test_a_constructor_that_only_stores_its_arguments_comes_after_the_code_that_computes():
    code = ("class Item:\n    def __init__(self, price):\n        self.price = price\n\n"
            "    def taxed(self):\n        return self.price * 2\n")
    snapshot = Snapshot(Path("/r"), {"shop.py": code})
    run = result([("t::a", ""), ("t::b", "")], {"t::a": [called("shop.py", 2, "Item.__init__"),
                                                          called("shop.py", 5, "Item.taxed")],
                                                 "t::b": [called("shop.py", 2, "Item.__init__")]})
    assert [s.definition.qualname for s in suspects(snapshot, run)] == ["Item.taxed", "Item.__init__"]
