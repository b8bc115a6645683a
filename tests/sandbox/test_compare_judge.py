"""Pure parts of the sandbox: comparison outside the sandbox and decoding of harness output."""
from __future__ import annotations

import json

from sandbox.compare import render, values_match
from sandbox.judge import build_job, build_report
from sandbox.process import RawRun
from sandbox.types import AssertTest, CallTest, Compare, Limits


def test_exact_keeps_bools_apart_from_ints():
    assert values_match([1, 2], [1, 2], Compare())
    assert not values_match(True, 1, Compare())
    assert values_match(2, 2.0, Compare())
    assert not values_match([1, 2], [2, 1], Compare())


def test_float_tolerance_is_recursive():
    assert values_match([0.1 + 0.2, [1.0000000001]], [0.3, [1.0]], Compare(mode="float"))
    assert not values_match([0.31], [0.3], Compare(mode="float"))


def test_any_order_is_a_multiset_of_the_top_level():
    assert values_match([[1, 2], [3]], [[3], [1, 2]], Compare(mode="any_order"))
    assert not values_match([1, 1, 2], [1, 2, 2], Compare(mode="any_order"))


def test_render_truncates_in_the_middle():
    text = render(list(range(1000)), limit=60)
    assert len(text) <= 60 and text.startswith("[0,1,") and text.endswith("998,999]")


def test_expected_values_never_enter_the_job():
    job = build_job("def f(x): return x", [CallTest(args=(1,), expected="SECRET-EXPECTED")], "f",
                    prelude="", limits=Limits(), fail_fast=False, sweep=True)
    assert "SECRET-EXPECTED" not in json.dumps(job)


def _raw(lines, code=0, killed=""):
    return RawRun(exit_code=code, stdout="\n".join(json.dumps(x) for x in lines).encode(), stderr=b"",
                  timed_out=killed == "timeout", killed_reason=killed, seconds=0.1)


def test_report_compares_outside_and_requires_done():
    tests = [CallTest(args=(1,), expected=1), CallTest(args=(2,), expected=3), AssertTest(source="assert 1")]
    lines = [{"i": 0, "status": "returned", "value": 1}, {"i": 1, "status": "returned", "value": 2},
             {"i": 2, "status": "passed"}]
    report = build_report(_raw(lines + [{"event": "done", "count": 3, "error": ""}]), tests, Compare(), "bwrap")
    assert [o.status for o in report.outcomes] == ["passed", "failed", "passed"]
    cut = build_report(_raw(lines), tests, Compare(), "bwrap")  # no done line: nothing counts
    assert cut.passed == 0 and {o.status for o in cut.outcomes} == {"killed"} and cut.error


def test_worker_cannot_claim_pass_for_a_call_test():
    report = build_report(_raw([{"i": 0, "status": "passed"}, {"event": "done", "count": 1}]),
                          [CallTest(args=(1,), expected=1)], Compare(), "bwrap")
    assert report.outcomes[0].status == "error"


def test_call_inputs_render_like_a_call():
    from sandbox.compare import render_call
    assert render_call(([30, 20], "ab"), {"k": 2}) == '[30,20], "ab", k=2'
    long = render_call((list(range(1000)),), {}, limit=60)
    assert len(long) <= 60 and long.startswith("[0,1,2") and long.endswith("998,999]")
