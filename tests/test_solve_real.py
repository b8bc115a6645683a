"""`coderefine solve` end to end: the real 0.5B model through llama-server, the real sandbox."""
import json
import subprocess
import sys

import pytest

from coderefine.data import find_problem
from coderefine.judge import judge
from sandbox import Sandbox

PROBLEM = "lagged-task-schedule"


@pytest.mark.slow
@pytest.mark.model
def test_solve_json_is_well_formed_and_hidden_numbers_are_true():
    run = subprocess.run(
        [sys.executable, "-m", "coderefine", "solve", PROBLEM, "--model", "local/qwen2.5-coder-0.5b",
         "--max-iters", "1", "--seed", "3", "--no-cache", "--json"],
        capture_output=True, text=True, timeout=900)
    assert run.returncode in (0, 1), run.stderr[-3000:]   # 0 solved, 1 not solved
    assert run.stdout.strip(), run.stderr[-3000:]          # --json always prints its document
    out = json.loads(run.stdout)
    assert run.returncode == (0 if out["final"]["solved"] else 1)
    problem = find_problem(PROBLEM)
    assert (out["problem"], out["model"], out["seed"]) == (PROBLEM, "local/qwen2.5-coder-0.5b", 3)
    assert 1 <= len(out["iterations"]) <= 2
    for it in out["iterations"]:
        assert it["visible_total"] == len(problem.visible_tests)
        assert 0 <= it["visible_passed"] <= it["visible_total"]
        assert isinstance(it["code"], str)
    final = out["final"]
    assert final["code"] == out["iterations"][final["index"]]["code"]
    assert final["visible_passed"] == max(it["visible_passed"] for it in out["iterations"])
    assert final["hidden_total"] == len(problem.hidden_tests)
    assert final["solved"] == (final["hidden_passed"] == final["hidden_total"])
    assert out["usage"]["llm_calls"] >= len(out["iterations"])
    assert out["usage"]["prompt_tokens"] > 0 and out["usage"]["completion_tokens"] > 0
    assert out["seconds"] > 0
    # an independent judgement of the final code agrees with what solve reported
    with Sandbox(backend="bwrap") as box:
        report = judge(problem, final["code"], box)
    assert (report.passed, report.total) == (final["hidden_passed"], final["hidden_total"])
