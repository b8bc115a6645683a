"""`coderefine problems ...` through Typer's runner, on the fixture problems and the real sandbox."""
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from coderefine.cli.problems import problems_app

FIXTURES = Path(__file__).parent / "fixtures" / "problems"
DATASET = f"problems:{FIXTURES}"
runner = CliRunner()


def run(*args):
    return runner.invoke(problems_app, list(args))


def test_list_json_and_table():
    result = run("list", "--dataset", DATASET, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [p["id"] for p in data["problems"]] == ["best-window-mean", "pair-sum-count"]
    assert data["loaded"] == 2 and data["skipped"] == []
    table = run("list", "--dataset", DATASET, "--difficulty", "Hard")
    assert table.exit_code == 0 and "pair-sum-count" in table.stdout and "best-window-mean" not in table.stdout
    assert "1 loaded, 0 skipped" in table.stderr


def test_list_reports_skipped_rows_and_exits_2_when_all_were(tmp_path):
    shutil.copytree(FIXTURES / "pair-sum-count", tmp_path / "pair-sum-count")
    shutil.copytree(FIXTURES / "best-window-mean", tmp_path / "best-window-mean")
    (tmp_path / "pair-sum-count" / "hidden.json").write_text("{}")
    some = run("list", "--dataset", f"problems:{tmp_path}")
    assert some.exit_code == 0 and "1 loaded, 1 skipped" in some.stderr and "hidden.json" in some.stderr
    (tmp_path / "best-window-mean" / "hidden.json").write_text("{}")
    every = run("list", "--dataset", f"problems:{tmp_path}")
    assert every.exit_code == 2 and "0 loaded, 2 skipped" in every.stderr
    assert f"error: every problem of problems:{tmp_path} was skipped (2)" in every.stderr and every.stdout == ""
    as_json = run("list", "--dataset", f"problems:{tmp_path}", "--json")
    error = json.loads(as_json.stdout)["error"]
    assert as_json.exit_code == 2 and error["code"] == 2 and len(error["skipped"]) == 2


def test_a_non_utf8_statement_costs_its_problem_only(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEREFINE_CACHE", str(tmp_path / "cache"))  # where a crash report would go
    for slug in ("pair-sum-count", "best-window-mean"):
        shutil.copytree(FIXTURES / slug, tmp_path / "set" / slug)
    (tmp_path / "set" / "best-window-mean" / "statement.md").write_bytes(b"Mean of a window, caf\xe9\n")
    listed = run("list", "--dataset", f"problems:{tmp_path / 'set'}")
    assert listed.exit_code == 0 and "1 loaded, 1 skipped" in listed.stderr and "statement.md: not UTF-8" in listed.stderr
    unknown = run("show", "pair-sum", "--dataset", f"problems:{tmp_path / 'set'}")
    assert unknown.exit_code == 2 and "did you mean pair-sum-count?" in unknown.stderr


def test_a_folder_without_problem_folders_is_refused(tmp_path):
    for command in ("list", "validate"):
        result = run(command, "--dataset", f"problems:{tmp_path}")
        assert result.exit_code == 2 and f"{tmp_path}: no problem folders (with a problem.toml) under it" in result.stderr


def test_list_refuses_a_date_that_is_not_one():
    result = run("list", "--dataset", "lcd:/no/such/file.jsonl", "--until", "2024-13-01")
    assert result.exit_code == 2 and "--until '2024-13-01' is not a date; use YYYY-MM-DD" in result.stderr


def test_list_refuses_an_unknown_difficulty():
    result = run("list", "--dataset", DATASET, "--difficulty", "Extreme")
    assert result.exit_code == 2 and "unknown difficulty 'Extreme'; known difficulties: Easy, Medium, Hard" in result.output
    assert "Traceback" not in result.output
    assert run("list", "--dataset", DATASET, "--difficulty", "hard", "--json").exit_code == 0


def test_show_never_prints_hidden_expected_values():
    result = run("show", "pair-sum-count", "--dataset", DATASET)
    assert result.exit_code == 0
    assert "Pair Sum Count" in result.stdout and "def countPairs" in result.stdout and "example 1" in result.stdout
    hidden = json.loads((FIXTURES / "pair-sum-count" / "hidden.json").read_text())["tests"]
    big_answer = str(hidden[-1]["expected"])  # C(12000, 2): shown nowhere else
    assert big_answer not in result.stdout


def test_show_json_has_the_public_problem_only():
    result = run("show", "pair-sum-count", "--dataset", DATASET, "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["entry_point"] == "Solution().countPairs" and "def countPairs" in data["starter_code"]
    assert [t["name"] for t in data["visible_tests"]] == ["example 1", "example 2"] and "hidden" not in result.stdout


def test_unknown_id_suggests_and_lists_known_ones():
    result = run("show", "pair-sum", "--dataset", DATASET)
    assert result.exit_code == 2 and "known ids: best-window-mean, pair-sum-count" in result.stderr
    assert "did you mean pair-sum-count?" in result.stderr


def test_unknown_dataset_suggests_the_closest_name():
    result = run("list", "--dataset", "humaneva")
    assert result.exit_code == 2 and "unknown dataset 'humaneva' (did you mean humaneval?)" in result.stderr


def test_bad_dataset_is_a_clear_error():
    result = run("list", "--dataset", "lcd:/no/such/file.jsonl")
    assert result.exit_code == 2 and "LeetCodeDataset file not found" in result.stderr and "Traceback" not in result.output


def test_check_json(tmp_path):
    good = run("check", "pair-sum-count", "--dataset", DATASET, "--solution",
               str(FIXTURES / "pair-sum-count" / "reference.py"), "--json", "--backend", "bwrap")
    assert good.exit_code == 0
    data = json.loads(good.stdout)
    assert (data["passed"], data["total"], data["failures"]) == (12, 12, [])
    wrong = tmp_path / "wrong.py"
    wrong.write_text("class Solution:\n    def countPairs(self, nums, target):\n        return 0\n")
    bad = run("check", "pair-sum-count", "--dataset", DATASET, "--solution", str(wrong), "--json", "--backend", "bwrap")
    data = json.loads(bad.stdout)
    assert bad.exit_code == 1 and data["passed"] < 12 and data["failures"][0]["status"] == "failed"
    missing = run("check", "pair-sum-count", "--dataset", DATASET, "--solution", str(tmp_path / "none.py"))
    assert missing.exit_code == 2 and "cannot read the solution (No such file or directory)" in missing.stderr


def test_check_reports_a_syntax_error_once(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("class Solution:\n    def countPairs(self, nums, target)\n        return 0\n")
    result = run("check", "pair-sum-count", "--dataset", DATASET, "--solution", str(broken), "--backend", "bwrap")
    assert result.exit_code == 1 and result.stdout.count("SyntaxError") == 1
    assert "hidden 1 to hidden 12 (12 tests): error (as above)" in result.stdout


def test_check_shows_a_sign_of_life_before_judging(tmp_path):
    loops = tmp_path / "loops.py"
    loops.write_text("class Solution:\n    def countPairs(self, nums, target):\n        while True: pass\n")
    result = run("check", "pair-sum-count", "--dataset", DATASET, "--solution", str(loops), "--backend", "bwrap")
    assert result.exit_code == 1 and "judging 12 hidden tests on bwrap, up to 0.5 s each" in result.stderr
    assert "timeout" in result.stdout
    quiet = run("check", "pair-sum-count", "--dataset", DATASET, "--solution", str(loops), "--backend", "bwrap", "-q")
    assert quiet.stderr == ""


def test_validate_exit_codes(tmp_path):
    ok = run("validate", "--dataset", DATASET, "--json", "--backend", "bwrap")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["ok"] is True
    copy = Path(shutil.copytree(FIXTURES / "pair-sum-count", tmp_path / "pair-sum-count"))
    shutil.copy(copy / "reference.py", copy / "naive.py")
    bad = run("validate", "pair-sum-count", "--dataset", f"problems:{tmp_path}", "--backend", "bwrap")
    assert bad.exit_code == 1 and "FAIL" in bad.stdout and "0/1 problems valid" in bad.stdout
    unknown = run("validate", "pair-sum-cnt", "--dataset", DATASET)
    assert unknown.exit_code == 2 and "unknown problem 'pair-sum-cnt'" in unknown.stderr
    assert "did you mean pair-sum-count?" in unknown.stderr


def test_validate_refuses_non_folder_datasets():
    result = run("validate", "--dataset", "humaneval")
    assert result.exit_code == 2 and "problem folders" in result.stderr


def test_build_rewrites_hidden_json(tmp_path):
    copy = Path(shutil.copytree(FIXTURES / "best-window-mean", tmp_path / "best-window-mean"))
    original = (copy / "hidden.json").read_text()
    (copy / "hidden.json").write_text("{}")
    result = run("build", "best-window-mean", "--dataset", f"problems:{tmp_path}")
    assert result.exit_code == 0 and "7 tests (seed 0)" in result.stdout
    assert (copy / "hidden.json").read_text() == original
    as_json = run("build", "best-window-mean", "--dataset", f"problems:{tmp_path}", "--json")
    assert json.loads(as_json.stdout)["written"] == [{"path": str(copy / "hidden.json"), "tests": 7, "seed": 0}]
    (copy / "gen.py").write_text("def generate(seed):\n    raise RuntimeError('boom')\n")
    broken = run("build", "best-window-mean", "--dataset", f"problems:{tmp_path}")
    assert broken.exit_code == 2 and "RuntimeError: boom" in broken.stderr
    assert (copy / "hidden.json").read_text() == original  # a failed build leaves the old file alone
