"""The baselines through the real 0.5B model and the real sandbox: each keeps its anchor's call structure on a
problem whose zero-shot answer fails (HumanEval/10 at seed 0), within the budget, with every reply from the
model (no response cache)."""
import json
import subprocess
import sys

import pytest

# the roles each replica's calls take, in order, from the start of the run
OPENING = {"reflexion": ["solve", "reflect", "implement"], "textgrad": ["solve", "loss", "gradient", "update"],
           "simple-refine": ["solve", "critique", "rewrite"]}


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("method", sorted(OPENING))
def test_a_baseline_runs_its_structure_on_the_real_model(tmp_path, method):
    out = tmp_path / "traj.json"
    run = subprocess.run([sys.executable, "-m", "coderefine", "solve", "HumanEval/10", "--dataset", "humaneval",
                          "--method", method, "--model", "local/qwen2.5-coder-0.5b", "--calls", "4", "--seed", "0",
                          "--backend", "bwrap", "--no-cache", "--out", str(out), "--json"],
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode in (0, 1), run.stderr[-3000:]
    summary, traj = json.loads(run.stdout), json.loads(out.read_text())
    roles = [c["role"] for c in traj["calls"]]
    opening = [r for r in roles if r != "reminder"][:len(OPENING[method])]   # a reply without code gets one reminder
    assert opening == OPENING[method], roles
    assert summary["usage"]["llm_calls"] == len(roles) <= 4 and summary["usage"]["cached_calls"] == 0
    assert all(c["reply"] for c in traj["calls"]) and summary["usage"]["completion_tokens"] > 0
    assert summary["final"]["hidden_total"] == 1 and summary["final"]["solved"] == (run.returncode == 0)
