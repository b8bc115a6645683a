"""`coderefine refine` and `coderefine model chat` through the real 0.5B model (and the real sandbox): what a
user runs first, end to end."""
import json
import subprocess
import sys

import pytest

from git_repo import git, make_repo

CODE = ('def mean(values):\n    """The arithmetic mean of a non-empty list of numbers."""\n'
        "    return sum(values) / (len(values) - 1)\n")
TESTS = "from stats import mean\n\n\ndef test_mean():\n    assert mean([2, 4, 6]) == 4\n\n\ndef test_one():\n    assert mean([5]) == 5\n"


@pytest.mark.slow
@pytest.mark.model
def test_refine_applies_a_fix_that_makes_the_failing_tests_pass(tmp_path):
    root = make_repo(tmp_path / "user", {"stats.py": CODE, "test_stats.py": TESTS})
    run = subprocess.run([sys.executable, "-m", "coderefine", "refine", "--tests", "test_stats.py",
                          "--model", "local/qwen2.5-coder-0.5b", "--backend", "bwrap", "--seed", "2", "--no-cache",
                          "--apply", "--json"], cwd=root, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(run.stdout)
    assert result["usage"]["llm_calls"] >= 1 and result["usage"]["cached_calls"] == 0, result["usage"]
    assert (root / "stats.py").read_text() != CODE and (root / "test_stats.py").read_text() == TESTS
    passed = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_stats.py"],
                            cwd=root, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stdout
    git(root, "checkout", "--", "stats.py")   # the fix is an ordinary change of a tracked file
    assert (root / "stats.py").read_text() == CODE


@pytest.mark.slow
@pytest.mark.model
def test_chat_through_the_real_embedded_model():
    """The smoke test users run first: one prompt through the 0.5B model's own server, not from the cache."""
    run = subprocess.run([sys.executable, "-m", "coderefine", "model", "chat", "Write the Python keyword that defines "
                          "a function. Answer with one word.", "--model", "local/qwen2.5-coder-0.5b", "--no-cache",
                          "--max-tokens", "16", "--json"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    reply = json.loads(run.stdout)
    assert reply["cached"] is False and reply["text"].strip() and "def" in reply["text"].lower()
    assert reply["usage"]["completion_tokens"] > 0
