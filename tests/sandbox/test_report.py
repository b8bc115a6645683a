"""Pure host-side parts: comparison, the guarded decoder, value packing, message checks, reports, pytest records.

These run without a jail: they feed the host's parsers exactly the bytes a
hostile jail could send, and check that the answer is a verdict, never an
exception.
"""
from __future__ import annotations

import json
import sys

import pytest

from sandbox.compare import render, render_call, values_match
from sandbox.process import RawRun
from sandbox.pytest_run import pytest_report
from sandbox.report import build_report
from sandbox.session import REPLY_FIELDS, Record, Results, Violation, checked, raised_status
from sandbox.types import AssertTest, CallTest, Compare, Limits
from sandbox.values import TooDeep, pack, to_jsonable, unpack
from sandbox.wire import Frames, Rejected, frame, loads_guarded


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


@pytest.mark.parametrize("mode", ["exact", "float", "any_order"])
@pytest.mark.parametrize("actual", [10 ** 400, -10 ** 400, float("nan"), float("inf"), [10 ** 400], {"a": 10 ** 400}])
def test_hostile_numbers_never_raise(mode, actual):
    assert values_match(actual, 1.5, Compare(mode=mode)) is False
    assert values_match(actual, [1.5], Compare(mode=mode)) is False


def test_float_mode_compares_two_ints_exactly():
    assert not values_match([3, 10 ** 7 + 1], [3, 10 ** 7], Compare(mode="float"))
    assert values_match([3, 2.0000000001], [3, 2], Compare(mode="float"))


@pytest.mark.parametrize("mode", ["exact", "float", "any_order"])
def test_the_modes_agree_on_what_one_value_is(mode):
    compare = Compare(mode=mode)
    assert values_match([float("nan")], [float("nan")], compare)
    assert values_match([2.0, [1.0]], [2, [1]], compare)
    assert not values_match([True], [1], compare)


def test_huge_ints_still_match_themselves():
    assert values_match(10 ** 400, 10 ** 400, Compare(mode="float"))


def test_render_truncates_in_the_middle_and_never_raises():
    text = render(list(range(1000)), limit=60)
    assert len(text) <= 60 and text.startswith("[0,1,") and text.endswith("998,999]")
    deep: list = []
    for _ in range(sys.getrecursionlimit() + 10):
        deep = [deep]
    cyclic: list = [1]
    cyclic.append(cyclic)
    assert render(deep) and render(cyclic) and render(object())


def test_call_inputs_render_like_a_call():
    assert render_call(([30, 20], "ab"), {"k": 2}) == '[30,20], "ab", k=2'
    long = render_call((list(range(1000)),), {}, limit=60)
    assert len(long) <= 60 and long.startswith("[0,1,2") and long.endswith("998,999]")


# ---------------------------------------------------------------- the guarded decoder and frames

def test_guarded_decoder_refuses_depth_and_size_by_name():
    with pytest.raises(Rejected) as deep:
        loads_guarded(b"[" * 990 + b"]" * 990, 100, 10 ** 6)
    assert deep.value.limit == "value_depth" and "990 levels" in str(deep.value)
    with pytest.raises(Rejected) as many:
        loads_guarded(json.dumps(list(range(1000))).encode(), 100, 500)
    assert many.value.limit == "value_items"
    with pytest.raises(Rejected):
        loads_guarded(b"1" * 5000, 100, 10)  # Python's own 4300-digit limit
    with pytest.raises(Rejected):
        loads_guarded(b"\xff\xfe", 100, 10)
    assert loads_guarded(b'["[[[[", {"a": "]]"}]', 2, 10) == ["[[[[", {"a": "]]"}]  # brackets in strings don't count


def test_frames_refuse_a_large_announcement_before_reading_it():
    frames = Frames(limit=100)
    frames.feed(frame({"op": "hello"})[:3])
    assert frames.pop() is None
    frames.feed(frame({"op": "hello"})[3:] + (10 ** 6).to_bytes(4, "big"))
    assert json.loads(frames.pop()) == {"op": "hello"}
    with pytest.raises(Rejected) as refused:
        frames.pop()
    assert refused.value.limit == "value_bytes"


# ---------------------------------------------------------------- values

class Node:
    def __init__(self, val, next=None):
        self.val, self.next = val, next


def test_pack_keeps_python_types_and_object_identity():
    shared = Node(1)
    value = [(1, 2), {3, 4}, frozenset({5}), {1: "a", (2, 3): [shared, shared]}, None, True, 1.5, "s"]
    back = unpack(json.loads(json.dumps(pack(value))), {"Node": Node})
    assert back[:3] == [(1, 2), {3, 4}, frozenset({5})] and back[4:] == [None, True, 1.5, "s"]
    a, b = back[3][(2, 3)]
    assert a is b and isinstance(a, Node) and a.val == 1 and back[3][1] == "a"


def test_pack_handles_long_chains_and_cycles_without_recursion():
    head = None
    for i in range(100_000):
        head = Node(i, head)
    back = unpack(json.loads(json.dumps(pack(head))), {"Node": Node})
    count = 0
    while back:
        back, count = back.next, count + 1
    assert count == 100_000
    loop = Node(1)
    loop.next = loop
    again = unpack(pack(loop), {"Node": Node})
    assert again.next is again


def test_unpack_rebuilds_only_known_classes_and_runs_none_of_their_code():
    class Evil:
        def __init__(self):
            raise AssertionError("never called")
    with pytest.raises(TypeError, match="cannot be rebuilt"):
        unpack({"v": {"$n": 0}, "n": [["Evil", {}]]}, {"Node": Node})
    with pytest.raises(TypeError):
        unpack({"v": {"$n": 0}, "n": [["int", {}]]}, {"int": int})
    rebuilt = unpack({"v": {"$n": 0}, "n": [["Evil", {"__class__": 1, "__eq__": 2}]]}, {"Evil": Evil})
    assert type(rebuilt) is Evil and rebuilt != Evil.__new__(Evil)


@pytest.mark.parametrize("bad", [[], {"v": 1, "x": 2}, {"v": {"$q": []}}, {"v": {"$n": 5}}, {"v": {"$d": [[1]]}},
                                 {"v": {"$n": 0}, "n": [["Node"]]}, {"v": {"a": 1, "b": 2}}, {"v": {"$d": [[[1], 2]]}}])
def test_unpack_refuses_malformed_values(bad):
    with pytest.raises((ValueError, TypeError)):
        unpack(bad, {"Node": Node})


def test_to_jsonable_refuses_deep_and_cyclic_values():
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(TooDeep):
        to_jsonable(cyclic)
    with pytest.raises(TypeError, match="not JSON data"):
        to_jsonable(object())
    assert to_jsonable({1: (2, {3})}) == {"1": [2, [3]]}


# ---------------------------------------------------------------- messages and records

def test_messages_are_checked_field_by_field():
    good = {"op": "returned", "seq": 1, "value": [1], "stdout": ""}
    assert checked(good, REPLY_FIELDS) is good
    for bad in ({**good, "seconds": "soon"}, {**good, "seq": True}, {**good, "stdout": 3}, {**good, "op": "skipped"},
                [good], {"seq": 1}):
        with pytest.raises(Violation):
            checked(bad, REPLY_FIELDS)


def test_claimed_statuses_are_only_failures():
    assert raised_status("MemoryError", None) == ("memory", "memory_mb")
    assert raised_status("OSError", 28) == ("error", "tmp_mb")
    assert raised_status("AnythingElse", None) == ("error", "")


def test_report_compares_outside_and_fills_missing_tests():
    tests = [CallTest(args=(1,), expected=1), CallTest(args=(2,), expected=3), AssertTest(source="assert 1")]
    results = Results(records=[Record("returned", value=1), Record("returned", value=2)], error="killed early")
    report = build_report(results, tests, Compare(), "bwrap", 0.1)
    assert [o.status for o in report.outcomes] == ["passed", "failed", "killed"]
    assert report.outcomes[1].actual == "2" and report.outcomes[1].expected == "3"


def test_an_invalidated_run_passes_nothing():
    results = Results(records=[Record("returned", value=1), Record("passed")], invalid="a reply to request 1")
    report = build_report(results, [CallTest(args=(1,), expected=1), AssertTest(source="")], Compare(), "bwrap", 0.1)
    assert report.passed == 0 and report.killed_reason == "invalid" and "a reply to request 1" in report.error


# ---------------------------------------------------------------- pytest records

def _pytest_raw(lines: list[bytes], code: int = 1) -> RawRun:
    return RawRun(exit_code=code, stdout=b"\n".join(lines), stderr=b"", timed_out=False, killed_reason="", seconds=1.0)


def _line(nonce: bytes, record: dict) -> bytes:
    return b"@@" + nonce + b" " + json.dumps(record).encode()


def test_pytest_records_need_the_nonce_and_consistency():
    nonce = b"n" * 32
    ok = {"nodeid": "t.py::a", "status": "passed", "seconds": 0.1, "traceback": ""}
    bad = {"nodeid": "t.py::b", "status": "failed", "seconds": 0.1, "traceback": "E"}
    done = {"event": "done", "exitstatus": 1, "collected": 2}
    clean = pytest_report(_pytest_raw([_line(nonce, ok), _line(nonce, bad), _line(nonce, done)]), nonce, 2, "x",
                          Limits())
    assert [o.status for o in clean.outcomes] == ["passed", "failed"] and not clean.error and not clean.trusted
    forged = [b"@@coderefine " + json.dumps(ok).encode(), _line(b"x" * 32, ok), _line(nonce, done)]
    assert pytest_report(_pytest_raw(forged), nonce, None, "x", Limits()).passed == 0
    twice = pytest_report(_pytest_raw([_line(nonce, ok), _line(nonce, ok), _line(nonce, done)]), nonce, None, "x",
                          Limits())
    assert twice.passed == 0 and "second" in twice.error
    lying = pytest_report(_pytest_raw([_line(nonce, ok), _line(nonce, {**done, "exitstatus": 0, "collected": 1})],
                                      code=1), nonce, None, "x", Limits())
    assert lying.passed == 0 and "exit status" in lying.error
    typed = pytest_report(_pytest_raw([_line(nonce, {**ok, "seconds": "soon"}), _line(nonce, done)]), nonce, None, "x",
                          Limits())
    assert typed.passed == 0 and "malformed" in typed.error


def test_pytest_record_with_a_float_overflowing_int_is_malformed_not_a_crash():
    nonce = b"n" * 32
    huge = {"nodeid": "t.py::a", "status": "passed", "seconds": 10 ** 400, "traceback": ""}
    report = pytest_report(_pytest_raw([_line(nonce, huge), _line(nonce, {"event": "done", "exitstatus": 0,
                                                                          "collected": 1})], code=0),
                           nonce, None, "x", Limits())
    assert report.passed == 0 and "malformed" in report.error


def test_lone_surrogates_from_a_jail_become_valid_utf8():
    """JSON may carry "\\udc80"; a report must still encode (files, hashes of prompts that quote it)."""
    bad = "bad \udc80"
    results = Results(records=[Record("error", exception=bad, traceback=bad, stdout=bad)], error=bad)
    report = build_report(results, [CallTest(args=(1,), expected=1)], Compare(), "bwrap", 0.1)
    outcome = report.outcomes[0]
    for text in (outcome.exception, outcome.traceback, outcome.stdout, report.error):
        assert text.encode() == b"bad ?"
    nonce = b"n" * 32
    record = {"nodeid": "t.py::\udc80", "status": "failed", "seconds": 0.1, "traceback": bad}
    pytest = pytest_report(_pytest_raw([_line(nonce, record), _line(nonce, record)]), nonce, None, "x", Limits())
    assert (pytest.outcomes[0].name + pytest.outcomes[0].traceback + pytest.error).encode()
