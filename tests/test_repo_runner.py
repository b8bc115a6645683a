"""pytest in the sandbox on a repository copy: only the selected tests run, under the repository's own pytest
settings; failures read as failures; traced runs say which functions each test called."""
import pytest

from coderefine.repo.runner import (PytestRun, excerpt, failure, frames, read, run_pytest, sandbox_files,
                                    user_options)
from sandbox import ExecutionReport, Limits, TestOutcome

LIMITS = Limits(wall=60)
FILES = {
    "calc/ops.py": "def double(x):\n    return helper(x) + 1\n\n\ndef helper(x):\n    return x + x\n",
    "tests/test_ops.py": "from calc.ops import double\n\n\ndef test_double():\n    assert double(2) == 4\n\n\n"
                         "def test_zero():\n    assert double(0) == 0\n\n\ndef test_type():\n    double(None)\n",
    "tests/test_other.py": "import missing_module\n",
    "conftest.py": "import pytest\n\ndef pytest_addoption(parser):\n    parser.addoption('--runslow', action='store_true')\n",
}


def test_only_the_selected_tests_run_and_other_test_files_are_not_even_imported(box):
    result = run_pytest(box, FILES, PytestRun(("tests/test_ops.py::test_double", "tests/test_ops.py::test_zero")),
                        expected=None, limits=LIMITS)
    assert sorted(o.name for o in result.report.failures) == ["tests/test_ops.py::test_double",
                                                               "tests/test_ops.py::test_zero"]
    assert result.report.total == 2 and result.collected == 2 and not result.report.error


def test_a_failure_reads_as_the_call_the_values_and_the_frames(box):
    result = run_pytest(box, FILES, PytestRun(("tests/test_ops.py",), ("--runslow",)), expected=None, limits=LIMITS)
    by_name = {o.name.split("::")[1]: o for o in result.report.failures}
    double = by_name["test_double"]
    assert (double.status, double.input, double.actual, double.expected) == ("failed", "assert double(2) == 4", "5", "4")
    raised = by_name["test_type"]
    assert raised.status == "error" and "TypeError" in raised.exception
    assert ("calc/ops.py", 2) in frames(raised.traceback) and ("calc/ops.py", 6) in frames(raised.traceback)


def test_a_traced_run_lists_the_repository_functions_each_test_called_with_their_callers(box):
    result = run_pytest(box, FILES, PytestRun(("tests/test_ops.py::test_zero",), trace=True), expected=None,
                        limits=LIMITS)
    calls = result.calls["tests/test_ops.py::test_zero"]
    assert [(c.path, c.qualname, c.caller_path) for c in calls] == [
        ("tests/test_ops.py", "test_zero", None), ("calc/ops.py", "double", "tests/test_ops.py"),
        ("calc/ops.py", "helper", "calc/ops.py")]
    assert "@@coderefine" not in result.report.failures[0].traceback


def test_an_unknown_option_an_unimportable_test_file_and_an_empty_selection_each_say_so(box):
    usage = run_pytest(box, FILES, PytestRun(("tests/test_ops.py",), ("--no-such-option",)), expected=None,
                       limits=LIMITS)
    assert usage.exit_status == 4
    broken = run_pytest(box, FILES, PytestRun(("tests/test_other.py",)), expected=None, limits=LIMITS)
    assert [o.name for o in broken.collection_errors] == ["tests/test_other.py::coderefine-collection-error"]
    assert "No module named 'missing_module'" in broken.collection_errors[0].traceback
    empty = run_pytest(box, FILES, PytestRun(("tests/test_ops.py::nothing",)), expected=None, limits=LIMITS)
    assert empty.exit_status == 5


def test_the_repositorys_pytest_settings_are_kept_and_the_selection_added():
    files = {"pyproject.toml": '[tool.pytest.ini_options]\naddopts = "-x"\nmarkers = ["slow: slow"]\ntimeout = 9\n'}
    ini = sandbox_files(files, PytestRun(("t.py",), ("--runslow",)))["pytest.ini"]
    assert ini == "[pytest]\nmarkers = slow: slow\ntimeout = 9\naddopts = -x -p _coderefine_select --runslow --maxfail=0\n"
    assert user_options({"setup.cfg": "[tool:pytest]\npython_files = check_*.py\n"}) == {"python_files": "check_*.py"}
    assert user_options({"pytest.ini": "[pytest]\n", "pyproject.toml": "[tool.pytest.ini_options]\nx = 1\n"}) == {}
    assert user_options({"pyproject.toml": "[project]\nname = 'x'\n", "tox.ini": "[pytest]\nx = 2\n"}) == {"x": "2"}


SLOW_AND_FAILING = {"test_m.py": "import pytest\n\n\ndef test_a():\n    assert 0\n\n\ndef test_b():\n    assert 0\n\n\n"
                                 "@pytest.mark.slow\ndef test_slow():\n    pass\n"}


@pytest.mark.parametrize("config, ran", [
    ({"setup.cfg": "[tool:pytest]\nmarkers =\n    slow: slow tests\naddopts =\n    -ra\n    --strict-markers\n"
                   "    -m 'not slow'\n    -x\n"}, 2),
    ({"pyproject.toml": '[tool.pytest.ini_options]\naddopts = ["-m", "not slow", "--maxfail=1"]\nmarkers = ["slow: s"]\n'},
     2),
    ({"pytest.ini": "[pytest]\naddopts = --sw --lf --ff\n"}, 3)])
def test_the_repositorys_addopts_reach_pytest_whole_and_every_selected_test_still_runs(box, config, ran):
    """An addopts of several lines, or a list item with a space, is the same arguments in the generated
    pytest.ini; -x, --maxfail, --sw and --lf (which would stop at the first failure, or run only the last
    failures) do not cut the run short."""
    result = run_pytest(box, {**SLOW_AND_FAILING, **config}, PytestRun(("test_m.py",)), expected=None, limits=LIMITS)
    assert (result.report.error, result.collected, result.report.total) == ("", ran, ran)
    assert [o.name for o in result.report.failures] == ["test_m.py::test_a", "test_m.py::test_b"]


def test_a_recursion_is_shown_once_in_the_excerpt():
    longrepr = ("a = 1\n\n    def test():\n>       f(a)\n\nt.py:3: \n_ _ _\n"
                + "m.py:2: in f\n    return f(x)\n           ^^^\n" * 3 + "E   RecursionError: deep\n")
    assert excerpt(longrepr) == "a = 1\n>       f(a)\nt.py:3:\nm.py:2: in f\n    return f(x)\nE   RecursionError: deep"
    outcome = failure(TestOutcome(status="failed", name="t.py::test", traceback=longrepr))
    assert (outcome.status, outcome.input, outcome.exception) == ("error", "f(a)  (with a = 1)", "RecursionError: deep")


def test_an_endless_loop_fails_its_own_test_at_the_time_limit_and_the_others_still_report(box):
    files = {"loop.py": "def spin(n):\n    while n:\n        n = n\n    return n\n",
             "test_loop.py": "from loop import spin\n\n\ndef test_spin():\n    assert spin(1) == 0\n\n\n"
                             "def test_zero():\n    assert spin(0) == 0\n"}
    result = run_pytest(box, files, PytestRun(("test_loop.py",), timeout=0.5), expected=None, limits=LIMITS)
    assert (result.report.passed, result.report.total, result.report.error) == (1, 2, "")
    spun = result.report.failures[0]
    assert "TestTimeout: the test ran longer than 0.5 s" in spun.exception
    assert {("loop.py", 2), ("loop.py", 3)} & set(frames(spun.traceback))   # where the loop was stopped


def test_a_test_that_catches_its_timeout_fails_all_the_same_and_the_next_test_runs(box):
    """The timeout is no Exception (`except Exception` lets it through), and it comes again while the test
    runs on, so even a loop that catches everything a few times stops."""
    files = {"poll.py": "import time\n\n\ndef wait(catch, times):\n    caught = 0\n    while True:\n        try:\n"
                        "            time.sleep(0.05)\n        except catch:\n            caught += 1\n"
                        "            if caught == times:\n                raise\n",
             "test_poll.py": "from poll import wait\n\n\ndef test_exception():\n    wait(Exception, 1)\n\n\n"
                             "def test_everything():\n    wait(BaseException, 3)\n\n\ndef test_next():\n    pass\n"}
    result = run_pytest(box, files, PytestRun(("test_poll.py",), timeout=0.5), expected=None, limits=Limits(wall=20))
    assert (result.report.passed, result.report.total, result.report.error) == (1, 3, "")
    assert all("TestTimeout: the test ran longer than 0.5 s" in o.exception for o in result.report.failures)


def test_a_run_stopped_at_the_wall_limit_names_the_options_that_set_the_limits(box):
    files = {"test_stuck.py": "import time\n\n\ndef test_stuck():\n    while True:\n        try:\n"
                              "            time.sleep(0.05)\n        except BaseException:\n            pass\n"}
    result = run_pytest(box, files, PytestRun(("test_stuck.py",), timeout=0.5), expected=None, limits=Limits(wall=4))
    why = ("the selected tests ran past the --wall limit of 4 s and were stopped; raise --wall, or lower "
           "--test-timeout (now 0.5 s) so that a test that runs too long fails alone")
    assert (result.report.error, result.report.limit_hit) == (why, "wall")
    assert [o.exception for o in result.report.failures] == [why]


def test_the_limit_that_stopped_a_run_and_why_its_verdicts_are_untrusted_reach_the_report():
    why = "killed: timeout (limit wall)"
    raw = ExecutionReport([TestOutcome("passed", "t.py::test_a"),
                           TestOutcome("killed", "t.py::test_b", exception=why, limit_hit="wall")],
                          "bwrap", error=why, killed_reason="timeout", limit_hit="wall", untrusted="shared process")
    report = read(raw).report
    assert (report.limit_hit, report.untrusted, report.error) == ("wall", "shared process", why)
    assert [(o.name, o.status, o.limit_hit) for o in report.failures] == [("t.py::test_b", "killed", "wall")]
    assert report.to_dict()["untrusted"] == "shared process" and report.to_dict()["limit_hit"] == "wall"


def test_a_test_that_ran_before_the_change_and_is_skipped_with_it_fails():
    """A change must not pass by turning a failing test into a skip; tests skipped all along stay out."""
    raw = ExecutionReport([TestOutcome("passed", "t.py::test_a"), TestOutcome("skipped", "t.py::test_b"),
                           TestOutcome("skipped", "t.py::test_c")], "bwrap")
    baseline = read(ExecutionReport([TestOutcome("passed", "t.py::test_a"), TestOutcome("failed", "t.py::test_b"),
                                     TestOutcome("skipped", "t.py::test_c")], "bwrap"))
    assert baseline.ran == {"t.py::test_a", "t.py::test_b"} and baseline.report.total == 2
    assert (read(raw).report.passed, read(raw).report.total) == (1, 1)
    report = read(raw, baseline.ran).report
    assert (report.passed, report.total) == (1, 2) and not report.complete
    assert report.failures[0].name == "t.py::test_b" and "skipped with this change" in report.failures[0].exception
