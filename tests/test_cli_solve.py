"""`coderefine solve` through the CLI: a real litellm call to a local fake OpenAI server, the real sandbox.

Every refusal is checked the way a user meets it: the message, the exit code, no traceback, no request
to the model, and no file written."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coderefine.cli import app
from fake_openai import FakeOpenAI
from terminal import default_sigint

FIXTURES = Path(__file__).parent / "fixtures" / "problems"
DATASET = f"problems:{FIXTURES}"
NAIVE = ("```python\nclass Solution:\n    def countPairs(self, nums, target):\n"
         "        return sum(nums[i] + nums[j] == target for i in range(len(nums)) for j in range(i))\n```")
WRONG = "```python\nclass Solution:\n    def countPairs(self, nums, target):\n        return 0\n```"
REFERENCE = "```python\n" + (FIXTURES / "pair-sum-count" / "reference.py").read_text() + "\n```"


class ScriptedServer(FakeOpenAI):
    """Answers code requests from a script; critique requests get a fixed critique."""
    def __init__(self, programs, *, stall_after: int | None = None):
        super().__init__()
        self.programs = list(programs)
        self.stall_after = stall_after   # requests answered before the server stops answering

    def answer(self, body):
        if self.stall_after is not None and len(self.requests) > self.stall_after:
            time.sleep(60)
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


def solve(cli, server, *extra, method="simple-refine"):
    """The tests of the CLI's mechanics script simple-refine's calls; method=None runs the default method."""
    chosen = ["--method", method] if method else []
    return cli.invoke(app, ["solve", "pair-sum-count", "--dataset", DATASET, "--model", "openai/fake",
                            "--api-base", server.api_base, "--backend", "bwrap", "--seed", "5", *chosen, *extra])


def refused(result, code, *messages):
    """The command stopped with `code`, said each message, and showed no traceback."""
    assert result.exit_code == code, result.output
    for message in messages:
        assert message in result.output, result.output
    assert "Traceback" not in result.output


def test_json_reports_iterations_final_hidden_and_usage(cli, tmp_path):
    with ScriptedServer([WRONG, NAIVE]) as server:
        result = solve(cli, server, "--max-iters", "3", "--json", "--out", str(tmp_path / "traj.json"))
    assert result.exit_code == 1, result.output   # ran, not solved
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


def test_an_answer_judged_beside_the_unsafe_backend_gets_no_verdict(cli):
    """It passes every hidden test, but it ran as the judge's own user and could have forged that."""
    with ScriptedServer([REFERENCE]) as server, pytest.warns(UserWarning, match="runs as YOUR user"):
        result = cli.invoke(app, ["solve", "pair-sum-count", "--dataset", DATASET, "--model", "openai/fake",
                                  "--api-base", server.api_base, "--backend", "unsafe", "--method", "zero-shot"])
        as_json = cli.invoke(app, ["solve", "pair-sum-count", "--dataset", DATASET, "--model", "openai/fake",
                                   "--api-base", server.api_base, "--backend", "unsafe", "--method", "zero-shot",
                                   "--json"])
    assert result.exit_code == 1 and "NO VERDICT: the unsafe backend" in result.stdout
    assert "SOLVED" not in result.stdout.replace("NOT SOLVED", "")
    final = json.loads(as_json.stdout)["final"]
    assert final["hidden_passed"] == final["hidden_total"] > 0 and final["solved"] is False
    assert final["hidden"]["untrusted"]


def test_rich_view_shows_progress_code_verdict_and_usage(cli):
    with ScriptedServer([WRONG, NAIVE]) as server:
        result = solve(cli, server, "--max-iters", "1")
    assert result.exit_code == 1
    assert "candidate 0 (zero-shot): visible tests 0/2" in result.stderr
    assert "candidate 1 (rewrite): visible tests 2/2" in result.stderr
    assert "NOT SOLVED" in result.stdout and "prompt tokens" in result.stdout and "countPairs" in result.stdout


@pytest.mark.parametrize("returned", ["[([i % 7 for i in range(3000)], 6)]",   # a list of argument tuples, as asked
                                      "[[i % 7 for i in range(3000)], 6]"])    # one call's arguments, unwrapped
def test_the_default_method_samples_checks_its_self_tests_and_shows_them(cli, tmp_path, returned):
    brute = (FIXTURES / "pair-sum-count" / "brute.py").read_text()
    tests = f"```python\n{brute}\n```\n\ncountPairs([1, 1, 2, 0], 2)\ncountPairs([3], 6)\n"
    stress = f"```python\ndef stress_inputs():\n    return {returned}\n```"
    with ScriptedServer([REFERENCE, tests, stress]) as server:
        result = solve(cli, server, "-v", "--out", str(tmp_path / "traj.json"), method=None)
    assert json.loads((tmp_path / "traj.json").read_text())["stats"]["stress_inputs"] == 1
    assert result.exit_code == 0, result.output
    assert "method=coderefine:expansions=0," in result.stderr.splitlines()[0]
    assert "final answer: candidate 0 (all tests pass)" in result.stdout
    assert "self test\texpected\tlabel" in result.stdout and "[1,1,2,0], 2\t2\tagreed\t2 / 0" in result.stdout
    assert len(server.requests) == 3   # the zero-shot answer, then tests and an oracle, then stress inputs


def test_a_stress_generator_that_prints_nesting_beyond_parsing_is_counted_as_failed(cli, tmp_path):
    brute = (FIXTURES / "pair-sum-count" / "brute.py").read_text()
    tests = f"```python\n{brute}\n```\n\ncountPairs([1, 1, 2, 0], 2)\ncountPairs([3], 6)\n"
    # (assignments, not bare calls: a generator's top-level demo calls are dropped before it runs)
    stress = ("```python\nimport os\n_ = print('[' * 100000 + ']' * 100000, flush=True)\n_ = os._exit(0)\n\n\n"
              "def stress_inputs():\n    return []\n```")
    with ScriptedServer([REFERENCE, tests, stress]) as server:
        result = solve(cli, server, "--out", str(tmp_path / "traj.json"), method=None)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "traj.json").read_text())["stats"]["stress_failed"] == 1


def test_a_run_without_any_program_says_there_is_no_answer(cli):
    with ScriptedServer(["I would rather not write code."]) as server:
        result = solve(cli, server, "--calls", "1", method="coderefine")   # it keeps no reply without code
    refused(result, 1, "no answer: no reply held a program (call budget spent)", "NOT SOLVED")
    assert "candidate None" not in result.output


def test_solved_exits_0_and_quiet_prints_only_the_result(cli):
    with ScriptedServer([REFERENCE]) as server:
        result = solve(cli, server, "-q")
    assert result.exit_code == 0, result.output
    assert "SOLVED" in result.stdout and "NOT SOLVED" not in result.stdout and result.stderr == ""


def test_verbose_starts_with_the_settings_and_their_origins(cli, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.coderefine]\ntemperature = 0.5\n')
    monkeypatch.chdir(tmp_path)
    with ScriptedServer([REFERENCE]) as server:
        result = solve(cli, server, "-v", "--max-iters", "2")
    assert result.exit_code == 0, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith("settings: model=openai/fake (--model), method=simple-refine (--method), "
                            "max_iters=2 (--max-iters)")
    assert f"temperature=0.5 ({tmp_path / 'pyproject.toml'} [tool.coderefine])" in first
    assert "sandbox: asked for 'bwrap' by name" in result.stderr
    assert server.requests[0]["temperature"] == 0.5


def test_unknown_problem_suggests_the_closest_id(cli):
    result = cli.invoke(app, ["solve", "pair-sum-cont", "--dataset", DATASET])
    refused(result, 2, "did you mean pair-sum-count?", "known ids: best-window-mean, pair-sum-count")
    refused(cli.invoke(app, ["solve", "pair-sum-cont", "-d", DATASET]), 2, "did you mean pair-sum-count?")  # as in `problems`


def test_unreachable_model_is_an_environment_failure(cli):
    result = cli.invoke(app, ["solve", "pair-sum-count", "--dataset", DATASET, "--model", "openai/fake",
                              "--api-base", "http://127.0.0.1:9/v1", "--backend", "bwrap", "--json"])
    assert result.exit_code == 3
    error = json.loads(result.stdout)["error"]
    assert error["code"] == 3 and error["kind"] == "environment" and "openai/fake" in error["message"]
    assert "Traceback" not in result.output


def test_a_model_litellm_cannot_route_is_a_usage_error(cli):
    result = cli.invoke(app, ["solve", "pair-sum-count", "--dataset", DATASET, "--model", "nosuchprovider/x",
                              "--backend", "bwrap"])
    refused(result, 2, "unknown model 'nosuchprovider/x'")


def test_api_base_with_an_embedded_model_is_refused_before_setting_it_up(cli, tmp_path):
    result = cli.invoke(app, ["solve", "pair-sum-count", "--dataset", DATASET, "--model", "local/qwen2.5-coder-0.5b",
                              "--api-base", "http://127.0.0.1:9/v1", "--backend", "bwrap"])
    refused(result, 2, "api_base is for litellm models")
    assert not (tmp_path / "cache" / "models").exists()   # nothing was pulled first


# --- output paths are checked before the model is asked anything ------------------------------------

@pytest.mark.parametrize("out, message", [
    ("{tmp}", "is a folder; give a file path"),
    ("/sys/traj.json", "cannot write in /sys"),
    ("/sys/new/deeper/traj.json", "cannot write in /sys"),
    ("{tmp}/file.txt/traj.json", "is not a folder"),
])
def test_unwritable_out_is_refused_before_any_llm_call(cli, tmp_path, out, message):
    (tmp_path / "file.txt").write_text("keep me")
    before = sorted(p.name for p in tmp_path.iterdir())
    with ScriptedServer([WRONG]) as server:
        result = solve(cli, server, "--out", out.format(tmp=tmp_path))
        assert server.requests == []
    refused(result, 2, message, "--out")
    assert sorted(p.name for p in tmp_path.iterdir()) == before and (tmp_path / "file.txt").read_text() == "keep me"
    assert not list(Path("/sys").glob("*traj.json*"))


def test_out_with_missing_parents_is_created(cli, tmp_path):
    target = tmp_path / "a" / "b" / "traj.json"
    with ScriptedServer([REFERENCE]) as server:
        result = solve(cli, server, "--out", str(target))
    assert result.exit_code == 0 and json.loads(target.read_text())["stop_reason"] == "visible tests pass"
    assert [p.name for p in target.parent.iterdir()] == ["traj.json"]   # no temporary file left behind


# --- settings: checked once, before any work, naming the key, the value and what is allowed -----------

@pytest.mark.parametrize("flags, message", [
    (["--max-iters", "-1"], "max_iters = -1 from --max-iters: must be an integer >= 0"),
    (["--temperature", "-3"], "temperature = -3.0 from --temperature: must be a number from 0 to 2"),
    (["--max-tokens", "0"], "max_tokens = 0 from --max-tokens: must be an integer >= 1"),
    (["--calls", "0"], "calls = 0 from --calls: must be an integer >= 1"),
    (["--method", "simple-refin"], "unknown method 'simple-refin' (did you mean simple-refine?)"),
    (["--backend", "bwarp"], "unknown backend 'bwarp' (did you mean bwrap?); known backends: auto, docker"),
    (["--model", "qwen2.5-coder-0.5b"], "did you mean local/qwen2.5-coder-0.5b?"),
    (["--model", "local/qwen2.5-coder-05b"], "unknown embedded model 'local/qwen2.5-coder-05b' (did you mean"),
])
def test_bad_flags_are_refused_before_any_work(cli, tmp_path, flags, message):
    with ScriptedServer([WRONG]) as server:
        result = solve(cli, server, *flags, "--out", str(tmp_path / "traj.json"))
        assert server.requests == []
    refused(result, 2, message)
    assert not (tmp_path / "traj.json").exists()


@pytest.mark.parametrize("table, message", [
    ('max_iters = "two"', "max_iters = 'two' from {pyproject} [tool.coderefine]: must be an integer >= 0"),
    ('temperature = "hot"', "temperature = 'hot' from {pyproject} [tool.coderefine]: must be a number from 0 to 2"),
    ("max_iters = true", "max_iters = True from {pyproject}"),
    ('modle = "gpt-4o"', "{pyproject}: unknown key 'modle' in [tool.coderefine] (did you mean model?)"),
    ("max_iters = [", "{pyproject}: not valid TOML"),
])
def test_bad_pyproject_settings_are_refused_naming_the_file(cli, tmp_path, monkeypatch, table, message):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[tool.coderefine]\n{table}\n")
    work = tmp_path / "sub" / "dir"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)   # the nearest pyproject.toml may sit in any parent folder
    with ScriptedServer([WRONG]) as server:
        result = solve(cli, server)
        assert server.requests == []
    refused(result, 2, message.format(pyproject=pyproject))


def test_a_flag_overrides_a_bad_pyproject_value_only_if_the_file_is_valid(cli, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.coderefine]\nmax_iters = "two"\n')
    monkeypatch.chdir(tmp_path)
    with ScriptedServer([WRONG]) as server:
        result = solve(cli, server, "--max-iters", "1")
    refused(result, 2, "max_iters = 'two'")


# --- Ctrl-C --------------------------------------------------------------------------------------------

@pytest.fixture
def scratch():
    """A TMPDIR of its own that the sandbox's unprivileged uid can enter (pytest's tmp_path is root-only)."""
    folder = Path(tempfile.mkdtemp(prefix="coderefine-test-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder)


def test_ctrl_c_says_where_the_partial_trajectory_is_and_exits_130(tmp_path, scratch):
    """A real SIGINT to a real process while the model is thinking about the second candidate."""
    traj = tmp_path / "out" / "traj.json"
    env = {**os.environ, "OPENAI_API_KEY": "k", "CODEREFINE_CACHE": str(tmp_path / "cache"), "TMPDIR": str(scratch)}
    with ScriptedServer([WRONG], stall_after=1) as server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "coderefine", "solve", "pair-sum-count", "--dataset", DATASET, "--model",
             "openai/fake", "--api-base", server.api_base, "--backend", "bwrap", "--out", str(traj)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=default_sigint)
        deadline = time.monotonic() + 60
        while len(server.requests) < 2 and time.monotonic() < deadline:   # the critique call is in flight
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert f"interrupted: stopped by Ctrl-C after 1 candidate(s); partial trajectory saved to {traj}" in stderr
    assert "Traceback" not in stderr + stdout
    saved = json.loads(traj.read_text())
    assert saved["stop_reason"] == "interrupted" and len(saved["candidates"]) == 1
    assert [p.name for p in traj.parent.iterdir()] == ["traj.json"]
    assert list(scratch.iterdir()) == []   # no sandbox folders left


def test_ctrl_c_without_out_says_nothing_was_saved(cli, monkeypatch):
    solve_cli = sys.modules["coderefine.cli.solve"]   # the package's `solve` attribute is the command

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(solve_cli, "solve_problem", interrupted)
    with ScriptedServer([WRONG]) as server:
        result = solve(cli, server, "--json")
    assert result.exit_code == 130
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == "interrupted" and "before the first candidate" in error["message"]


def test_the_self_written_tests_are_shown_with_their_labels():
    from coderefine.cli.solve import selftest_rows
    tests = [{"name": "t0", "input": "f(2)", "status": "agreed", "expected": "4", "votes": 3, "against": 0},
             {"name": "t1", "input": "f(-1)", "status": "disputed", "expected": "", "votes": 1, "against": 1},
             {"name": "t2", "input": "3", "status": "stated", "expected": "9", "votes": 0, "against": 0}]
    assert selftest_rows(tests) == [("f(2)", "4", "agreed", "3 / 0"), ("f(-1)", "-", "disputed", "1 / 1"),
                                    ("3", "9", "stated", "-")]
