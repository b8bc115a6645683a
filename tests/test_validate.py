"""The validator, run for real in the sandbox on fixture problems and deliberately broken copies."""
import json
import shutil
from pathlib import Path

import pytest

from coderefine.data.folder import load_problem_folder, problem_folders
from coderefine.data.validate import appears_in, check_files, validate_all, validate_problem

FIXTURES = Path(__file__).parent / "fixtures" / "problems"


@pytest.fixture(scope="module")
def sandbox():
    from sandbox import Sandbox
    with Sandbox(backend="bwrap") as box:
        yield box


@pytest.fixture
def pair(tmp_path) -> Path:
    return Path(shutil.copytree(FIXTURES / "pair-sum-count", tmp_path / "pair-sum-count"))


def checks(report) -> dict:
    return {c.name: c for c in report.checks}


@pytest.mark.parametrize("expected,statement,shown", [
    (2, "returns `2` (pairs", True),
    (12.75, "returns 12.75.", True),
    (1 / 3, "returns 0.33333", True),
    (1 / 3, "returns 0.34", False),
    ([1, 2], "Output: [1,2]", True),
    ([1, 2], "Output: [1, 2]", True),
    ("ab", 'Output: "ab"', True),
    (True, "Output: true", True),
    (7, "Output: 8", False),
    (3, "n <= 10^3 and 13 items", False),
    (3, "Output: 3.", True),
])
def test_appears_in(expected, statement, shown):
    assert appears_in(expected, statement) is shown


def test_fixtures_are_valid(sandbox):
    reports = validate_all(problem_folders(FIXTURES), sandbox)
    assert [r.problem_id for r in reports] == ["best-window-mean", "pair-sum-count"]
    assert all(r.ok for r in reports), [r.to_dict() for r in reports]
    pair = checks(reports[1])
    assert set(pair) == {"files", "gen", "examples", "reference", "margin", "brute", "naive"}
    assert "timed out" in pair["naive"].detail
    assert "naive" not in checks(reports[0])  # Medium, no naive.py


def test_fast_naive_fails(pair, sandbox):
    shutil.copy(pair / "reference.py", pair / "naive.py")
    result = checks(validate_problem(pair, sandbox))["naive"]
    assert not result.ok and "does not separate it" in result.detail


def test_wrong_naive_fails(pair, sandbox):
    (pair / "naive.py").write_text((pair / "reference.py").read_text().replace("return pairs", "return pairs + 1"))
    result = checks(validate_problem(pair, sandbox))["naive"]
    assert not result.ok and "should be correct but slow" in result.detail


def test_wrong_brute_fails(pair, sandbox):
    (pair / "brute.py").write_text((pair / "brute.py").read_text().replace("a + b == target", "a + b >= target"))
    report = validate_problem(pair, sandbox)
    assert not report.ok and not checks(report)["brute"].ok and "failed" in checks(report)["brute"].detail


def test_nondeterministic_gen_fails(pair, sandbox):
    gen = (pair / "gen.py").read_text().replace("rng = random.Random(seed)", "rng = random.Random()")
    (pair / "gen.py").write_text(gen)
    result = checks(validate_problem(pair, sandbox))["gen"]
    assert not result.ok and "different cases on two calls" in result.detail


def test_stale_hidden_json_fails(pair, sandbox):
    data = json.loads((pair / "hidden.json").read_text())
    data["tests"][0]["args"] = [[8], 16]
    (pair / "hidden.json").write_text(json.dumps(data))
    result = checks(validate_problem(pair, sandbox))["gen"]
    assert not result.ok and "rebuild" in result.detail


def test_wrong_example_and_statement_fail(pair, sandbox):
    (pair / "examples.json").write_text('[{"args": [[1, 2, 3, 2], 4], "expected": 3}]')
    result = checks(validate_problem(pair, sandbox))["examples"]
    assert not result.ok and "disagrees with examples.json" in result.detail
    (pair / "examples.json").write_text('[{"args": [[3, 3, 3, 3], 6], "expected": 6}]')  # right, but not in statement.md
    result = checks(validate_problem(pair, sandbox))["examples"]
    assert not result.ok and "does not show the arguments or the expected output" in result.detail
    (pair / "examples.json").write_text('[{"args": [[1, 2, 1, 2], 3], "expected": 4}]')  # `4` is shown, the call is not
    result = checks(validate_problem(pair, sandbox))["examples"]
    assert not result.ok and "example(s) [1]" in result.detail


def test_slow_reference_fails_margin(pair, sandbox):
    slow = (pair / "reference.py").read_text().replace("        return pairs", "        import time\n        time.sleep(0.2)\n        return pairs")
    (pair / "reference.py").write_text(slow)
    report = validate_problem(pair, sandbox)
    assert checks(report)["reference"].ok and not checks(report)["margin"].ok and not report.ok


def test_missing_naive_and_bad_syntax_fail_files(pair, sandbox):
    (pair / "naive.py").unlink()
    (pair / "brute.py").write_text("class Solution:\n    def countPairs(self, nums, target)\n        return 0\n")
    report = validate_problem(pair, sandbox)
    detail = checks(report)["files"].detail
    assert "naive.py: file is missing (every Hard problem needs one)" in detail and "brute.py: line 1, column 1: syntax error" in detail
    assert "brute" not in checks(report) and "naive" not in checks(report)


def test_starter_code_must_define_the_entry_point(pair):
    toml = pair / "problem.toml"
    toml.write_text(toml.read_text().replace("def countPairs(", "def count_pairs("))
    result = check_files(pair, load_problem_folder(pair))
    assert not result.ok and "starter_code does not define `Solution.countPairs`" in result.detail


def test_a_non_utf8_program_is_a_failed_files_check(pair, sandbox):
    (pair / "brute.py").write_bytes((pair / "brute.py").read_bytes() + b"# caf\xe9\n")
    report = validate_problem(pair, sandbox)
    assert not report.ok and "brute.py: not UTF-8 text" in checks(report)["files"].detail
    assert "brute" not in checks(report) and checks(report)["reference"].ok  # the readable programs still run


def test_unloadable_folder_reports_the_file(pair, sandbox):
    (pair / "problem.toml").write_text('title = "x"\n')
    report = validate_problem(pair, sandbox)
    assert [c.name for c in report.checks] == ["files"] and "required field 'difficulty' is missing" in report.checks[0].detail
