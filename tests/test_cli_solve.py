"""`coderefine solve` through the CLI: a real litellm call to a local fake OpenAI server, the real sandbox."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coderefine.cli import app
from fake_openai import FakeOpenAI

FIXTURES = Path(__file__).parent / "fixtures" / "problems"
DATASET = f"problems:{FIXTURES}"
NAIVE = ("```python\nclass Solution:\n    def countPairs(self, nums, target):\n"
         "        return sum(nums[i] + nums[j] == target for i in range(len(nums)) for j in range(i))\n```")
WRONG = "```python\nclass Solution:\n    def countPairs(self, nums, target):\n        return 0\n```"


class ScriptedServer(FakeOpenAI):
    """Answers code requests from a script; critique requests get a fixed critique."""
    def __init__(self, programs):
        super().__init__()
        self.programs = list(programs)

    def answer(self, body):
        reply = "It returns a constant." if "Do not write the corrected code" in body["messages"][-1]["content"] \
            else self.programs.pop(0)
        return {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": reply}}],
                "usage": {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16}}


@pytest.fixture
def cli(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("CODEREFINE_CACHE", str(tmp_path / "cache"))
    return CliRunner()


def solve(cli, server, *extra):
    return cli.invoke(app, ["solve", "pair-sum-count", "--dataset", DATASET, "--model", "openai/fake",
                            "--api-base", server.api_base, "--backend", "bwrap", "--seed", "5", *extra])


def test_json_reports_iterations_final_hidden_and_usage(cli, tmp_path):
    with ScriptedServer([WRONG, NAIVE]) as server:
        result = solve(cli, server, "--max-iters", "3", "--json", "--out", str(tmp_path / "traj.json"))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["problem"], out["model"], out["seed"]) == ("pair-sum-count", "openai/fake", 5)
    assert [(i["visible_passed"], i["visible_total"]) for i in out["iterations"]] == [(0, 2), (2, 2)]
    final = out["final"]
    assert final["index"] == 1 and final["visible_passed"] == 2
    # the quadratic program passes the examples but times out on the large hidden inputs
    assert 0 < final["hidden_passed"] < final["hidden_total"] and final["solved"] is False
    assert out["usage"]["llm_calls"] == 3 and out["usage"]["prompt_tokens"] == 33
    assert json.loads((tmp_path / "traj.json").read_text())["hidden"]["total"] == final["hidden_total"]
    assert len(server.requests) == 3 and {r["seed"] for r in server.requests} != {5}


def test_rich_view_shows_progress_code_verdict_and_usage(cli):
    with ScriptedServer([WRONG, NAIVE]) as server:
        result = solve(cli, server, "--max-iters", "1")
    assert result.exit_code == 0, result.output
    assert "candidate 0 (zero-shot): visible tests 0/2" in result.stdout
    assert "candidate 1 (rewrite): visible tests 2/2" in result.stdout
    assert "NOT SOLVED" in result.stdout and "LLM usage" in result.stdout and "countPairs" in result.stdout


def test_unknown_problem_lists_known_ones(cli):
    result = cli.invoke(app, ["solve", "no-such-problem", "--dataset", DATASET])
    assert result.exit_code == 2
    assert "pair-sum-count" in result.output and "Traceback" not in result.output


def test_unreachable_model_is_a_clear_error(cli):
    result = cli.invoke(app, ["solve", "pair-sum-count", "--dataset", DATASET, "--model", "openai/fake",
                              "--api-base", "http://127.0.0.1:9/v1", "--backend", "bwrap", "--json"])
    assert result.exit_code == 2
    assert "openai/fake" in result.output and "Traceback" not in result.output
