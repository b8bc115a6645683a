"""The Sandbox API and CLI on real backends: call tests, asserts, import errors, fail_fast, pytest files."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sandbox import AssertTest, CallTest, Limits, Sandbox, SandboxUnavailable

SOLUTION = "class Solution:\n    def add(self, a, b):\n        print('side output')\n        return a + b\n"


def test_call_and_assert_tests(box):
    tests = [CallTest(args=(1, 2), expected=3), CallTest(kwargs={"a": 2, "b": 2}, expected=5),
             AssertTest(source="assert candidate(1, 1) == 2"), AssertTest(source="assert candidate(1, 1) == 3")]
    report = box.run_tests(SOLUTION, tests, "Solution().add")
    assert [o.status for o in report.outcomes] == ["passed", "failed", "passed", "failed"]
    assert report.outcomes[1].actual_value == 4 and report.outcomes[0].stdout == "side output\n"
    assert report.backend == box.backend


def test_prelude_and_fresh_instance_per_test(box):
    code = "class Solution:\n    def __init__(self):\n        self.calls = 0\n" \
           "    def f(self, xs):\n        self.calls += 1\n        xs.append(1)\n        return [self.calls, len(xs), gcd(4, 6)]\n"
    report = box.run_tests(code, [CallTest(args=([],), expected=[1, 1, 2])] * 2, "Solution().f",
                           prelude="from math import gcd")
    assert report.all_passed


def test_prelude_can_import_sortedcontainers(box):
    """LeetCodeDataset preludes import SortedList; both the host python and the image must have it."""
    code = "class Solution:\n    def f(self, xs):\n        s = SortedList(xs)\n        s.add(0)\n        return list(s)\n"
    report = box.run_tests(code, [CallTest(args=([3, 1, 2],), expected=[0, 1, 2, 3])], "Solution().f",
                           prelude="from sortedcontainers import SortedList")
    assert report.all_passed, report.error or report.outcomes[0]


def test_import_error_marks_every_test(box):
    report = box.run_tests("def f(:\n", [CallTest(args=(1,), expected=1)] * 2, "f")
    assert [o.status for o in report.outcomes] == ["error", "error"] and "SyntaxError" in report.error
    missing = box.run_tests("def g(x): return x\n", [CallTest(args=(1,), expected=1)], "f")
    assert missing.outcomes[0].status == "error" and "not found" in missing.error


def test_lone_surrogates_in_what_a_candidate_raises_are_reported_as_utf8(box):
    """A candidate's exception text reaches prompts and files: it must be encodable, for call and assert tests."""
    code = "def f(x):\n    print('out\\udc80')\n    raise ValueError('bad \\udc80')\n"
    report = box.run_tests(code, [CallTest(args=(1,), expected=1), AssertTest(source="assert candidate(1) == 1")], "f")
    assert [o.status for o in report.outcomes] == ["error", "error"]
    for outcome in report.outcomes:
        assert "ValueError: bad ?" in outcome.exception.encode().decode()
        assert (outcome.traceback + outcome.stdout).encode()


def test_fail_fast_skips_after_a_timeout(box):
    code = "import time\ndef f(x):\n    time.sleep(x)\n    return x\n"
    tests = [CallTest(args=(0,), expected=0), CallTest(args=(5,), expected=5), CallTest(args=(0,), expected=0)]
    report = box.run_tests(code, tests, "f", limits=Limits(time_per_test=0.5), fail_fast=True)
    assert [o.status for o in report.outcomes] == ["passed", "timeout", "skipped"]


def test_run_pytest_counts_and_statuses(box):
    files = {"lib.py": "def add(a, b):\n    return a + b\n",
             "test_lib.py": "from lib import add\ndef test_ok():\n    assert add(1, 2) == 3\n"
                            "def test_bad():\n    assert add(1, 2) == 4\n"}
    report = box.run_pytest(files, expected_count=2)
    assert sorted((o.name, o.status) for o in report.outcomes) == [("test_lib.py::test_bad", "failed"),
                                                                   ("test_lib.py::test_ok", "passed")]
    short = box.run_pytest({**files, "conftest.py": "import os\nos._exit(0)\n"}, expected_count=2)
    assert short.passed == 0 and short.error


def test_run_pytest_takes_a_repository_of_folders_and_odd_names(box):
    """Repository mode sends files under folders, on every backend."""
    files = {"pkg/__init__.py": "", "pkg/deep/lib.py": "def add(a, b):\n    return a + b\n", "pkg/deep/__init__.py": "",
             "tests/it's here/test_lib.py": "from pkg.deep.lib import add\ndef test_ok():\n    assert add(1, 2) == 3\n"}
    report = box.run_pytest(files, expected_count=1)
    assert [(o.name, o.status) for o in report.outcomes] == [("tests/it's here/test_lib.py::test_ok", "passed")], report


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(SandboxUnavailable, match="use auto, docker, bwrap or unsafe"):
        Sandbox(backend="podman")


def test_unsafe_warns_once_per_sandbox_not_per_run(recwarn):
    with Sandbox(backend="unsafe") as box:
        for _ in range(2):
            assert box.run_program("print(6 * 7)").stdout == "42\n"
    assert sum("unsafe" in str(w.message) for w in recwarn) == 1


def test_cli_exec_and_check(tmp_path):
    program = tmp_path / "p.py"
    program.write_text("import time\nprint('hi', flush=True)\ntime.sleep(30)\n")
    out = subprocess.run([sys.executable, "-m", "sandbox", "exec", str(program), "--json", "--backend", "bwrap",
                          "--timeout", "1"], capture_output=True, text=True, timeout=60)
    result = json.loads(out.stdout)
    assert out.returncode == 124  # exits with the program's status, as timeout(1) reports a timeout
    assert result["timed_out"] and result["stdout"] == "hi\n" and result["backend"] == "bwrap"
    assert set(result) == {"exit_code", "stdout", "stderr", "timed_out", "killed_reason", "seconds", "backend",
                           "limit_hit"} and result["limit_hit"] == "wall"
    missing = subprocess.run([sys.executable, "-m", "sandbox", "exec", str(tmp_path / "nope.py")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    program.write_text("import sys\nsys.exit(3)\n")
    failed = subprocess.run([sys.executable, "-m", "sandbox", "exec", str(program), "--backend", "bwrap"],
                            capture_output=True, text=True, timeout=60)
    assert failed.returncode == 3


def test_line_numbers_are_the_candidates_own_and_a_load_error_is_stated_once(box):
    prelude = "import math\nimport itertools\nfrom typing import *\n"
    broken = box.run_tests("def f(x):\n    y = 1\n    return x +\n", [CallTest(args=(1,), expected=2)] * 3, "f",
                           prelude=prelude)
    assert "line 3" in broken.error
    assert [o.exception.startswith("not run") for o in broken.outcomes] == [False, True, True]
    raised = box.run_tests("def f(x):\n    return x / 0\n", [CallTest(args=(1,), expected=2)], "f", prelude=prelude)
    assert 'File "<candidate>", line 2, in f' in raised.outcomes[0].traceback
