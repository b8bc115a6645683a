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


def test_list_reports_skipped_rows(tmp_path):
    shutil.copytree(FIXTURES / "pair-sum-count", tmp_path / "pair-sum-count")
    (tmp_path / "pair-sum-count" / "hidden.json").write_text("{}")
    result = run("list", "--dataset", f"problems:{tmp_path}")
    assert result.exit_code == 0 and "0 loaded, 1 skipped" in result.stderr and "hidden.json" in result.stderr


def test_show_never_prints_hidden_expected_values():
    result = run("show", "pair-sum-count", "--dataset", DATASET)
    assert result.exit_code == 0
    assert "Pair Sum Count" in result.stdout and "def countPairs" in result.stdout and "example 1" in result.stdout
    hidden = json.loads((FIXTURES / "pair-sum-count" / "hidden.json").read_text())["tests"]
    big_answer = str(hidden[-1]["expected"])  # C(12000, 2): shown nowhere else
    assert big_answer not in result.stdout


def test_unknown_id_lists_known_ones():
    result = run("show", "nope", "--dataset", DATASET)
    assert result.exit_code == 2 and "known ids: best-window-mean, pair-sum-count" in result.stderr


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
    assert missing.exit_code == 2 and "solution file not found" in missing.stderr


def test_validate_exit_codes(tmp_path):
    ok = run("validate", "--dataset", DATASET, "--json", "--backend", "bwrap")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["ok"] is True
    copy = Path(shutil.copytree(FIXTURES / "pair-sum-count", tmp_path / "pair-sum-count"))
    shutil.copy(copy / "reference.py", copy / "naive.py")
    bad = run("validate", "pair-sum-count", "--dataset", f"problems:{tmp_path}", "--backend", "bwrap")
    assert bad.exit_code == 1 and "FAIL" in bad.stdout and "0/1 problems valid" in bad.stdout
    unknown = run("validate", "nope", "--dataset", DATASET)
    assert unknown.exit_code == 2 and "unknown problem(s) nope" in unknown.stderr


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
    (copy / "gen.py").write_text("def generate(seed):\n    raise RuntimeError('boom')\n")
    broken = run("build", "best-window-mean", "--dataset", f"problems:{tmp_path}")
    assert broken.exit_code == 2 and "RuntimeError: boom" in broken.stderr
    assert (copy / "hidden.json").read_text() == original  # a failed build leaves the old file alone
