"""The whole bench through the real 0.5B model and the real sandbox, killed with SIGKILL and resumed."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from coderefine.llm.cache import LLMCache
from coderefine.paths import cache_dir

COMMAND = [sys.executable, "-m", "coderefine", "bench", "--methods", "zero-shot,resample", "--dataset", "humaneval",
           "--problems", "HumanEval/0,HumanEval/2", "--seeds", "0,1", "--model", "local/qwen2.5-coder-0.5b",
           "--budget-calls", "2", "--workers", "1", "--backend", "bwrap"]


def private_cache(root):
    """An empty response cache for this test alone (the model file and the llama.cpp build are shared), so that
    the replies it counts were made by the model here, not served from an earlier run's cache."""
    root.mkdir()
    for shared in ("models", "llama.cpp"):
        (root / shared).symlink_to(cache_dir() / shared)
    return {**os.environ, "CODEREFINE_CACHE": str(root)}


@pytest.mark.slow
@pytest.mark.model
def test_bench_survives_kill_9_and_resumes(tmp_path):
    out = tmp_path / "runs"
    results = out / "results.jsonl"
    env = private_cache(tmp_path / "cache")
    first = subprocess.Popen(COMMAND + ["--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True, env=env)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not (results.exists() and results.read_text().count("\n") >= 1):
        assert first.poll() is None, first.stderr.read().decode()[-2000:]
        time.sleep(1)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    kept = [json.loads(line) for line in results.read_text().splitlines()]
    assert 1 <= len(kept) < 8

    second = subprocess.run(COMMAND + ["--out", str(out), "--json"], capture_output=True, text=True, timeout=1200,
                            env=env)
    assert second.returncode == 0, second.stderr[-3000:]
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    keys = [(r["method"], r["problem"], r["seed"]) for r in rows]
    assert len(rows) == 8 and len(set(keys)) == 8          # every run once: none lost, none repeated
    assert rows[:len(kept)] == kept                          # what was written before the kill is untouched
    summary = json.loads(second.stdout)
    assert summary["cells"] == 4 and {r["method"] for r in summary["rows"]} == {"zero-shot", "resample"}
    for row in rows:
        assert (out / row["trajectory"]).is_file()
        assert row["calls"] <= 2 and row["hidden_total"] == 1
    # every method opened with the same zero-shot request: the resample runs found it in the cache
    by_key = {(r["method"], r["problem"], r["seed"]): r for r in rows}
    assert all(by_key[("resample", p, s)]["cached_calls"] >= 1 for p in ("HumanEval/0", "HumanEval/2") for s in (0, 1))
    # and the model itself answered those four zero-shot requests: the cache began empty
    assert LLMCache(tmp_path / "cache" / "llm" / "responses.sqlite").stats().entries >= 4
    assert (out / "report.md").is_file() and (out / "solve_rate.png").is_file()
