"""The coderefine method through the real 0.5B model and the real sandbox, on a problem whose zero-shot
answer fails its visible tests."""
import json
import subprocess
import sys

import pytest


@pytest.mark.slow
@pytest.mark.model
def test_coderefine_goes_past_a_failing_zero_shot(tmp_path):
    out = tmp_path / "traj.json"
    run = subprocess.run([sys.executable, "-m", "coderefine", "solve", "HumanEval/10", "--dataset", "humaneval",
                          "--method", "coderefine", "--model", "local/qwen2.5-coder-0.5b", "--calls", "4",
                          "--seed", "0", "--backend", "bwrap", "--no-cache", "--out", str(out), "--json"],
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode in (0, 1), run.stderr[-3000:]
    summary, traj = json.loads(run.stdout), json.loads(out.read_text())
    zero = summary["iterations"][0]
    assert zero["origin"] == "zero-shot" and zero["visible_passed"] < zero["visible_total"]
    # it went on, within budget, and every reply came from the model (no response cache to answer for it)
    assert 2 <= summary["usage"]["llm_calls"] <= 4 and summary["usage"]["cached_calls"] == 0
    assert [c["role"] for c in traj["calls"]][0] == "solve" and all(c["reply"] for c in traj["calls"])
    assert summary["stop_reason"] in ("all tests pass", "call budget spent", "search stagnated")
    # the answer is the best candidate, and the hidden verdict is the judge's, once, on that answer
    best = max(c["visible_passed"] for c in summary["iterations"])
    assert summary["final"]["visible_passed"] == best   # visible tests rank first
    assert summary["final"]["hidden_total"] == 1 and summary["final"]["solved"] == (run.returncode == 0)


@pytest.mark.slow
@pytest.mark.model
def test_the_statements_examples_become_the_tests_of_a_problem_without_any(tmp_path):
    """HumanEval/120 gives its examples as "Input: ... Output: ...", which the loader does not read."""
    out = tmp_path / "traj.json"
    run = subprocess.run([sys.executable, "-m", "coderefine", "solve", "HumanEval/120", "--dataset", "humaneval",
                          "--method", "coderefine:expansions=0,examples=on", "--model", "local/qwen2.5-coder-0.5b",
                          "--calls", "3", "--seed", "0", "--backend", "bwrap", "--no-cache", "--out", str(out), "--json"],
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode in (0, 1), run.stderr[-3000:]
    summary, traj = json.loads(run.stdout), json.loads(out.read_text())
    assert [c["role"] for c in traj["calls"]][:2] == ["solve", "examples"]
    stated = [t for t in traj["selftests"] if t["status"] == "stated"]
    assert stated and len(stated) == traj["stats"]["examples_stated"]
    assert "[-3,-4,5], 3" in [t["input"] for t in stated]          # the first example, copied whole
    assert all(c["visible_total"] == len(stated) for c in summary["iterations"])   # they are its visible tests
