"""Attacks on the verdict itself (issue 10), through the real bwrap and Docker backends; nothing is mocked.

Each case is a candidate that tries to be judged better than it is, or to
make the host raise, and asserts the exact verdict: a forged pass is a
failure, a crash is a report. FORGE gives candidates the tools an attacker
reading our source would use: the frames of the calling stack, every
descriptor of the process, and the wire format.
"""
from __future__ import annotations

import json
import time

import pytest

from sandbox import AssertTest, CallTest, Compare, Limits

pytestmark = pytest.mark.slow

FAST = Limits(time_per_test=1.0, memory_mb=256, wall=20.0)

FORGE = '''
import json, os, struct, sys

def _stack():
    frame = sys._getframe(1)
    while frame is not None:
        yield frame
        frame = frame.f_back

def current_seq():
    """The sequence number of the request being served, read from the worker's own frames."""
    for frame in _stack():
        for value in list(frame.f_locals.values()):
            if isinstance(value, dict) and type(value.get("seq")) is int:
                return value["seq"]
    return 1

def forge(*messages, raw=b""):
    """Write framed messages (then `raw`) to every descriptor this process has, the reply channel included."""
    data = b"".join(struct.pack(">I", len(body)) + body for body in (json.dumps(m).encode() for m in messages))
    for fd in sorted({int(fd) for fd in os.listdir("/proc/self/fd")}):
        try:
            os.write(fd, data + raw)
        except OSError:
            pass
'''

PASSED_VERDICT = {"op": "verdict", "status": "passed", "type": "", "message": "", "traceback": ""}


def returned(seq: int | str, value, **extra) -> str:
    """Source for a forged `returned` reply (seq may be an expression in the candidate)."""
    return f'{{"op": "returned", "seq": {seq}, "value": {value!r}, "stdout": "", **{extra!r}}}'


def assert_no_pass(report) -> None:
    assert report.passed == 0 and all(o.status not in ("passed", "skipped") for o in report.outcomes), report


# ---------------------------------------------------------------- forged result messages

def test_stack_walk_to_the_reply_channel_forges_nothing(box):
    """The issue's first route: reach the reply pipe through the stack and write 'passed' for every check."""
    code = FORGE + ("def f(x):\n"
                    f"    forge({PASSED_VERDICT!r}, *[{returned('current_seq() + k', 42)} for k in range(5)])\n"
                    "    return -1\n")
    tests = [AssertTest(source="def check(candidate):\n    assert candidate(1) == 42\ncheck(candidate)\n", name="check"),
             CallTest(args=(1,), expected=42)]
    report = box.run_tests(code, tests, "f", limits=FAST)
    assert_no_pass(report)
    assert report.error.startswith("run invalidated") and report.killed_reason == "invalid"


def test_pidfd_getfd_from_pid_1_reaches_no_result_channel(box):
    """The second route: copy descriptors out of PID 1 (and any visible process) with pidfd_getfd, write passes."""
    code = FORGE + ("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                    "def f(x):\n"
                    "    stolen = 0\n"
                    "    pids = [int(p) for p in os.listdir('/proc') if p.isdigit()]\n"
                    "    for pid in pids:\n"
                    "        pidfd = libc.syscall(434, pid, 0)\n"  # pidfd_open
                    "        for fd in range(32):\n"
                    "            got = libc.syscall(438, pidfd, fd, 0) if pidfd >= 0 else -1\n"  # pidfd_getfd
                    "            if got >= 0:\n"
                    "                stolen += 1\n"
                    f"                data = json.dumps({PASSED_VERDICT!r}).encode()\n"
                    "                try:\n"
                    "                    os.write(got, struct.pack('>I', len(data)) + data)\n"
                    "                except OSError:\n"
                    "                    pass\n"
                    "    return -stolen - 1\n")
    tests = [AssertTest(source="assert candidate(1) == 42", name="a"), CallTest(args=(1,), expected=42)]
    report = box.run_tests(code, tests, "f", limits=FAST)
    assert_no_pass(report)


def test_later_test_cannot_rewrite_earlier_outcomes(box):
    """Tests 0 and 1 answer wrongly; test 2 then sends 'right' answers for them: the run is void, not repaired."""
    code = FORGE + ("def f(x):\n"
                    "    if x < 2:\n"
                    "        return -1\n"
                    f"    forge({returned('current_seq() - 2', 0)}, {returned('current_seq() - 1', 1)})\n"
                    "    return x\n")
    report = box.run_tests(code, [CallTest(args=(i,), expected=i) for i in range(3)], "f", limits=FAST)
    assert_no_pass(report)
    assert "run invalidated" in report.error and "reply to request" in report.error


def test_forged_skipped_status_counts_as_failing(box):
    code = FORGE + ("def f(x):\n"
                    "    forge({'op': 'skipped', 'seq': current_seq()})\n"
                    "    os._exit(0)\n")
    report = box.run_tests(code, [CallTest(args=(i,), expected=i) for i in range(3)], "f", limits=FAST)
    assert_no_pass(report)
    assert len(report.failing) == 3 and "unknown message 'skipped'" in report.error


def test_claimed_statuses_are_only_failures(box):
    """What the candidate's side says happened (MemoryError, a timeout, a pass) is never better than a failure."""
    code = FORGE + ("def f(x):\n"
                    "    if x == 0:\n"
                    "        raise MemoryError('pretend')\n"
                    "    if x == 1:\n"
                    "        forge({'op': 'raised', 'seq': current_seq(), 'type': 'TimeoutError', 'errno': None,\n"
                    "               'message': 'timeout', 'traceback': '', 'stdout': '', 'status': 'passed'})\n"
                    "        os._exit(0)\n"
                    "    return x\n")
    report = box.run_tests(code, [CallTest(args=(i,), expected=i) for i in range(2)], "f", limits=FAST)
    assert [o.status for o in report.outcomes] == ["error", "error"] and "run invalidated" in report.error


def test_claimed_memory_error_is_a_memory_failure(box):
    report = box.run_tests("def f(x):\n    raise MemoryError('pretend')\n", [CallTest(args=(1,), expected=1)], "f",
                           limits=FAST)
    assert report.outcomes[0].status == "memory" and report.outcomes[0].limit_hit == "memory_mb"


def test_non_numeric_seconds_field_fails_with_a_reason(box):
    code = FORGE + ("def f(x):\n"
                    f"    forge({returned('current_seq()', 1, seconds='soon')})\n"
                    "    os._exit(0)\n")
    report = box.run_tests(code, [CallTest(args=(1,), expected=1)], "f", limits=FAST)
    assert report.outcomes[0].status == "error" and "fields" in report.error and "seconds" in report.error


def test_record_after_the_last_request_voids_the_run(box):
    """A 'spare' answer sent beside the real one on the last test is caught too."""
    code = FORGE + f"def f(x):\n    forge({returned('current_seq()', 1)})\n    return 1\n"
    report = box.run_tests(code, [CallTest(args=(1,), expected=1)], "f", limits=FAST)
    assert_no_pass(report)
    assert "after the last request" in report.error


# ---------------------------------------------------------------- asserts judged by the checker

def test_always_equal_object_fails_an_assert(box):
    code = ("class Anything:\n"
            "    def __eq__(self, other): return True\n"
            "    def __ne__(self, other): return False\n"
            "    def __bool__(self): return True\n"
            "class Int(int):\n"
            "    def __eq__(self, other): return True\n"
            "def f(x):\n    return Anything() if x else Int(7)\n")
    tests = [AssertTest(source="assert candidate(1) == 42", name="object"),
             AssertTest(source="assert candidate(0) == 42", name="int subclass"),
             CallTest(args=(1,), expected=42), CallTest(args=(0,), expected=42)]
    report = box.run_tests(code, tests, "f", limits=FAST)
    assert [o.status for o in report.outcomes] == ["error", "failed", "error", "failed"]
    assert "Anything" in report.outcomes[0].exception and "Anything" in report.outcomes[2].exception


def test_refused_value_cannot_be_swallowed_by_the_check(box):
    """A check that tolerates exceptions must not turn a value the checker refused into a pass."""
    code = "class Opaque:\n    pass\ndef f(x):\n    return Opaque()\n"
    tests = [AssertTest(source="try:\n    candidate(1)\nexcept Exception:\n    pass\n", name="except Exception"),
             AssertTest(source="try:\n    candidate(1)\nexcept:\n    pass\n", name="bare except")]
    report = box.run_tests(code, tests, "f", limits=FAST)
    assert [o.status for o in report.outcomes] == ["error", "error"]
    assert all("refused" in o.exception and "Opaque" in o.exception for o in report.outcomes)


TREE_PRELUDE = ("from collections import deque\n"
                "class TreeNode:\n    def __init__(self, val=0, left=None, right=None):\n"
                "        self.val, self.left, self.right = val, left, right\n"
                "def tree_node(values):\n    if not values:\n        return None\n    root = TreeNode(values[0])\n"
                "    queue, i = deque([root]), 1\n    while queue:\n        node = queue.popleft()\n"
                "        if i < len(values) and values[i] is not None:\n"
                "            node.left = TreeNode(values[i]); queue.append(node.left)\n        i += 1\n"
                "        if i < len(values) and values[i] is not None:\n"
                "            node.right = TreeNode(values[i]); queue.append(node.right)\n        i += 1\n"
                "    return root\n"
                "def is_same_tree(p, q):\n    if not p and not q:\n        return True\n    if not p or not q:\n"
                "        return False\n    return p.val == q.val and is_same_tree(p.left, q.left) and "
                "is_same_tree(p.right, q.right)\n")
INVERT = ("class Solution:\n    def invertTree(self, root):\n        if root:\n"
          "            root.left, root.right = self.invertTree(root.right), self.invertTree(root.left)\n"
          "        return root\n")
TREE_TEST = AssertTest(source="assert is_same_tree(candidate(root = tree_node([4,2,7,1,3,6,9])), "
                              "tree_node([4,7,2,9,6,3,1]))", name="tree")


def test_tree_asserts_round_trip_through_the_checker(box):
    report = box.run_tests(INVERT, [TREE_TEST], "Solution().invertTree", prelude=TREE_PRELUDE, limits=FAST)
    assert report.all_passed, report


def test_redefined_is_same_tree_does_not_reach_the_check(box):
    code = ("is_same_tree = lambda p, q: True\n"
            "class TreeNode:\n    def __eq__(self, other): return True\n"
            "class Solution:\n    def invertTree(self, root):\n        return root\n")
    report = box.run_tests(code, [TREE_TEST], "Solution().invertTree", prelude=TREE_PRELUDE, limits=FAST)
    assert report.outcomes[0].status == "failed"


def test_cyclic_list_node_is_a_timeout_not_a_pass(box):
    prelude = ("class ListNode:\n    def __init__(self, val=0, next=None):\n        self.val, self.next = val, next\n"
               "def is_same_list(p, q):\n    while p and q:\n        if p.val != q.val:\n            return False\n"
               "        p, q = p.next, q.next\n    return p is None and q is None\n")
    code = "class Solution:\n    def f(self, n):\n        a = ListNode(1)\n        a.next = a\n        return a\n"
    test = AssertTest(source="assert is_same_list(candidate(1), candidate(1))")
    report = box.run_tests(code, [test], "Solution().f", prelude=prelude, limits=Limits(time_per_test=0.5))
    assert report.outcomes[0].status == "timeout" and report.outcomes[0].limit_hit == "time_per_test"


def test_candidate_cannot_find_or_freeze_the_checker(box):
    """From inside an assert test, stop and kill every process in sight, then answer wrongly: still a clean fail."""
    code = ("import os, signal\n"
            "def f(x):\n"
            "    for pid in [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()]:\n"
            "        for sig in (signal.SIGSTOP, signal.SIGKILL):\n"
            "            try:\n                os.kill(pid, sig)\n            except OSError:\n                pass\n"
            "    return x + 1\n")
    tests = [AssertTest(source="assert candidate(1) == 1", name="first"),
             AssertTest(source="assert candidate(2) == 3", name="second")]
    report = box.run_tests(code, tests, "f", limits=FAST)
    assert [o.status for o in report.outcomes] == ["failed", "passed"]


def test_freezing_the_monitor_does_not_buy_time(box):
    """A too-slow solution that first tries to SIGSTOP everything (the old monitor shared its uid)."""
    code = ("import os, signal, time\n"
            "def f(x):\n"
            "    try:\n        os.kill(-1, signal.SIGSTOP)\n    except OSError:\n        pass\n"
            "    for pid in [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()]:\n"
            "        try:\n            os.kill(pid, signal.SIGSTOP)\n        except OSError:\n            pass\n"
            "    time.sleep(1.2)\n    return x\n")
    started = time.monotonic()
    report = box.run_tests(code, [CallTest(args=(i,), expected=i) for i in range(4)], "f",
                           limits=Limits(time_per_test=0.4))
    assert [(o.status, o.limit_hit) for o in report.outcomes] == [("timeout", "time_per_test")] * 4
    assert time.monotonic() - started < 12


def test_expected_values_never_reach_the_jail(box):
    """Everything the candidate can read (its files, its stdin, every descriptor) holds no expected value."""
    code = ("import os\n"
            "def f(x):\n"
            "    seen = []\n"
            "    for root in ('/sb', '/work', '/tmp'):\n"
            "        for name in os.listdir(root):\n"
            "            try:\n                seen.append(open(os.path.join(root, name), 'rb').read().decode(errors='replace'))\n"
            "            except OSError:\n                pass\n"
            "    for fd in range(3, 10):\n"
            "        try:\n"
            "            blocking = os.get_blocking(fd)\n"
            "            os.set_blocking(fd, False)\n"
            "            seen.append(os.read(fd, 1 << 16).decode(errors='replace'))\n"
            "            os.set_blocking(fd, blocking)\n"
            "        except OSError:\n"
            "            pass\n"
            "    return '\\n'.join(seen)\n")
    tests = [CallTest(args=(1,), expected="SECRET-EXPECTED-1"), CallTest(args=(2,), expected="SECRET-EXPECTED-2")]
    report = box.run_tests(code, tests, "f", limits=FAST)
    assert report.passed == 0 and not any("SECRET-EXPECTED" in str(o.actual_value) for o in report.outcomes)


# ---------------------------------------------------------------- hostile values: a report, never a host exception

def test_huge_int_on_a_float_compare_is_a_plain_failure(box):
    code = "def f(x):\n    return [10 ** 400, float('nan'), float('inf')][x]\n"
    tests = [CallTest(args=(i,), expected=1.5) for i in range(3)]
    report = box.run_tests(code, tests, "f", compare=Compare(mode="float"), limits=FAST)
    assert [o.status for o in report.outcomes] == ["failed"] * 3
    assert report.outcomes[0].actual.startswith("1000") and report.outcomes[1].actual == "NaN"


def test_990_deep_nesting_is_refused_with_a_reason(box):
    code = FORGE + ("def deep():\n    value = []\n    for _ in range(990):\n        value = [value]\n    return value\n"
                    "def f(x):\n"
                    "    if x == 1:\n"
                    "        body = ('{\"op\": \"returned\", \"seq\": %d, \"stdout\": \"\", \"value\": ' % current_seq()"
                    " + '[' * 990 + ']' * 990 + '}').encode()\n"
                    "        forge(raw=struct.pack('>I', len(body)) + body)\n"
                    "        os._exit(0)\n"
                    "    return deep()\n")
    tests = [CallTest(args=(0,), expected=[]), CallTest(args=(1,), expected=[]),
             AssertTest(source="assert candidate(0) == []")]
    report = box.run_tests(code, tests, "f", limits=FAST)
    assert [(o.status, o.limit_hit) for o in report.outcomes] == [("error", "value_depth")] * 3
    assert "deeper than 100" in report.outcomes[0].exception and "levels deep" in report.outcomes[1].exception


def test_cyclic_list_is_refused_by_the_worker(box):
    report = box.run_tests("def f(x):\n    a = [x]\n    a.append(a)\n    return a\n", [CallTest(args=(1,), expected=[1])],
                           "f", limits=FAST)
    assert report.outcomes[0].status == "error" and "cyclic" in report.outcomes[0].exception


# ---------------------------------------------------------------- pytest

PYTEST_FILES = {"lib.py": "def add(a, b):\n    return a + b\n",
                "test_lib.py": "from lib import add\ndef test_ok():\n    assert add(1, 2) == 3\n"
                               "def test_bad():\n    assert add(1, 2) == 4\n"}


def test_conftest_emit_forgery_passes_nothing(box):
    """The issue's route: a conftest.py that calls the plugin's emit for every test id, says done, and exits."""
    forger = ("import json, os, sys\n"
              "plugin = sys.modules.get('pytest_plugin')\n"
              "emit = getattr(plugin, '_emit', None) or (lambda r: print('@@coderefine ' + json.dumps(r)))\n"
              "for nodeid in ('test_lib.py::test_ok', 'test_lib.py::test_bad'):\n"
              "    emit({'nodeid': nodeid, 'status': 'passed', 'seconds': 0.01, 'traceback': ''})\n"
              "emit({'event': 'done', 'exitstatus': 0, 'collected': 2})\n"
              "sys.stdout.flush()\n"
              "os._exit(0)\n")
    report = box.run_pytest({**PYTEST_FILES, "conftest.py": forger}, expected_count=2)
    assert report.passed == 0 and report.error and not report.trusted


def test_pytest_reports_say_they_are_untrusted(box):
    report = box.run_pytest(PYTEST_FILES, expected_count=2)
    assert sorted((o.name, o.status) for o in report.outcomes) == [("test_lib.py::test_bad", "failed"),
                                                                   ("test_lib.py::test_ok", "passed")]
    assert not report.trusted and "same process" in report.untrusted


def test_report_is_json_serialisable(box):
    """What the CLI prints: a hostile run still renders."""
    from dataclasses import asdict
    report = box.run_tests("def f(x):\n    return 10 ** 400\n", [CallTest(args=(1,), expected=1.0)], "f",
                           compare=Compare(mode="float"), limits=FAST)
    assert json.loads(json.dumps(asdict(report)))["outcomes"][0]["status"] == "failed"
