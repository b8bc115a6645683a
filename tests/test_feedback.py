from coderefine.prompts import describe
from coderefine.types import Report
from sandbox import ExecutionReport, TestOutcome


def report(outcomes, error=""):
    return Report.of(ExecutionReport(outcomes, backend="x", error=error))


def test_lists_failures_compactly():
    outcomes = [TestOutcome("passed", name="t0"),
                TestOutcome("failed", name="t1", input="f(2)", expected="4", actual="5"),
                TestOutcome("timeout", name="t2", input="f(10**9)", seconds=2.0),
                TestOutcome("error", name="t3", exception="ZeroDivisionError: division by zero",
                            traceback="Traceback...\n  line 3\nZeroDivisionError")]
    text = describe(report(outcomes))
    assert "t0" not in text
    assert "expected: 4" in text and "got: 5" in text
    assert "TIMEOUT" in text and "too slow" in text
    assert "ZeroDivisionError" in text


def test_caps_number_and_length():
    outcomes = [TestOutcome("failed", name=f"t{i}", input="x" * 5000, expected="1", actual="2") for i in range(9)]
    text = describe(report(outcomes), max_failures=3)
    assert text.count("FAILED") == 3 and "6 more failing tests" in text
    assert len(text) < 3000


def test_harness_error_and_all_passed():
    assert "could not run: SyntaxError" in describe(report([], error="SyntaxError"))
    assert describe(report([TestOutcome("passed")])) == "All tests passed."
