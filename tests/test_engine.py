"""Engine behaviour against a real HTTP endpoint (tests/fake_openai.py) through real litellm."""
from __future__ import annotations

from dataclasses import asdict, replace
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from filelock import Timeout

from coderefine.llm.cache import request_key
from coderefine.llm.engine import Engine, EngineError, ModelConfigError, _litellm
from coderefine.llm.local import LocalModel
from coderefine.llm.server import ServerState
from coderefine.llm.serving import ServerOptions
from coderefine.llm.usage import Completion, Usage
from fake_openai import FakeOpenAI

MSG = [{"role": "user", "content": "write add"}]


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEREFINE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def engine(fake: FakeOpenAI, **kw) -> Engine:
    kw.setdefault("backoff", 0.01)
    return Engine("openai/fake-model", api_base=fake.api_base, **kw)


def test_completion_text_usage_and_seed_reach_the_model(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI() as fake, engine(fake, cache=False) as eng:
        c = eng.complete(MSG, temperature=0.7, seed=42, max_tokens=50)
    assert c.text == "seed=42 t=0.7 choice=0 echo=write add"
    assert fake.requests[0]["seed"] == 42 and fake.requests[0]["max_tokens"] == 50
    assert (c.usage.llm_calls, c.usage.prompt_tokens, c.usage.completion_tokens) == (1, 2, 7)
    assert not c.cached and c.usage.seconds > 0


def test_usage_counts_prompt_tokens_from_the_servers_cache_and_drafts(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    timings = {"cache_n": 40, "prompt_n": 2, "predicted_n": 7, "draft_n": 6, "draft_n_accepted": 4}
    with FakeOpenAI(timings=timings) as fake, engine(fake, cache=False) as eng:
        usage = eng.complete(MSG).usage
    assert (usage.prompt_cached_tokens, usage.draft_tokens, usage.draft_accepted) == (40, 6, 4)


def test_local_requests_ask_for_prompt_reuse_and_speculation_is_part_of_the_cache_key(isolated_cache, monkeypatch):
    """A reply decoded with speculation is never served for a request without it, nor the other way round."""
    with FakeOpenAI() as fake:
        port = int(fake.api_base.split(":")[-1].split("/")[0])
        server = ServerState(pid=0, port=port, slots=4, ctx=4096, model="m", log="", started=0.0)
        monkeypatch.setattr(LocalModel, "_acquire", lambda self: server)   # the fake stands in for llama-server
        plain, ngram = ServerOptions(speculation="none"), ServerOptions(speculation="ngram-simple")
        for options in (plain, ngram, plain, ngram, replace(plain, slots=1)):
            Engine("local/qwen2.5-coder-0.5b", serving=options).complete(MSG, temperature=0.3, seed=1)
        assert len(fake.requests) == 2          # slots change no reply: served from the cache
        assert all(r["cache_prompt"] is True for r in fake.requests)


def test_cached_rerun_makes_zero_calls_even_from_a_new_engine(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI() as fake:
        first = engine(fake).complete(MSG, temperature=0.5, seed=1)
        again = engine(fake)
        second = again.complete(MSG, temperature=0.5, seed=1)
        assert len(fake.requests) == 1
        assert second.cached and second.text == first.text
        assert again.usage.llm_calls == 0 and again.usage.cached_calls == 1
        engine(fake).complete(MSG, temperature=0.5, seed=2)          # another seed is another request
        engine(fake, cache=False).complete(MSG, temperature=0.5, seed=1)  # cache off: asks again
        assert len(fake.requests) == 3


def test_unseeded_sampling_is_not_cached(isolated_cache, monkeypatch):
    """A cache would make resampling at temperature > 0 return the same answer every time."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI() as fake:
        eng = engine(fake)
        eng.complete(MSG, temperature=0.8)
        eng.complete(MSG, temperature=0.8)
        assert len(fake.requests) == 2


def test_n_choices(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI() as fake:
        c = engine(fake).complete(MSG, temperature=1.0, seed=3, n=3)
        assert c.texts == tuple(f"seed=3 t=1.0 choice={i} echo=write add" for i in range(3))
        assert engine(fake).complete(MSG, temperature=1.0, seed=3, n=3).texts == c.texts


@pytest.mark.parametrize("status", [500, 429, 503])
def test_retries_transient_errors_then_succeeds(isolated_cache, monkeypatch, status):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI(failures=[status, status]) as fake:
        c = engine(fake, cache=False, retries=3).complete(MSG)
        assert len(fake.requests) == 3 and c.text.endswith("write add")


def test_gives_up_with_a_clear_error_naming_model_and_cause(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI(failures=[500] * 5) as fake:
        with pytest.raises(EngineError, match=r"openai/fake-model failed after 3 attempts.*scripted 500"):
            engine(fake, cache=False, retries=2).complete(MSG)
        assert len(fake.requests) == 3


def test_bad_request_is_not_retried(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI(failures=[400]) as fake:
        with pytest.raises(EngineError, match="BadRequestError"):
            engine(fake, cache=False, retries=3).complete(MSG)
        assert len(fake.requests) == 1


def test_timeout_per_call_is_retried_then_reported(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI(delay=1.5) as fake:
        started = time.monotonic()
        with pytest.raises(EngineError, match="Timeout"):
            engine(fake, cache=False, retries=1, timeout=0.3).complete(MSG)
        assert len(fake.requests) == 2 and time.monotonic() - started < 1.5


def test_concurrent_calls_really_overlap_and_respect_the_bound(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI(delay=0.4) as fake:
        eng = engine(fake, cache=False, concurrency=3)
        threads = [threading.Thread(target=eng.complete, args=([{"role": "user", "content": f"q{i}"}],))
                   for i in range(9)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert fake.max_in_flight == 3
        assert eng.usage.llm_calls == 9 and eng.usage.completion_tokens == 63


def test_one_seeded_request_from_several_threads_reaches_the_model_once(isolated_cache, monkeypatch):
    """Bench runs of several methods start a cell together with the same first request: one call, one reply."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI(delay=0.3) as fake:
        eng = engine(fake, concurrency=4)
        texts: list[str] = []
        threads = [threading.Thread(target=lambda: texts.append(eng.complete(MSG, temperature=0.5, seed=7).text))
                   for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(fake.requests) == 1 and texts == [texts[0]] * 5
        assert (eng.usage.llm_calls, eng.usage.cached_calls) == (1, 4)
        # requests that differ still run side by side
        threads = [threading.Thread(target=eng.complete, args=([{"role": "user", "content": f"q{i}"}],),
                                    kwargs={"seed": 1}) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert fake.max_in_flight == 3


def test_a_reply_another_process_stored_first_wins(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI() as fake:
        eng = engine(fake)
        real_call = eng._call

        def racing_call(messages, **params):   # another process answers the same request meanwhile
            request = {"model": eng.model, "api_base": fake.api_base, "messages": messages, **params}
            eng._cache.put(request_key(request), {"texts": ["theirs"], "prompt_tokens": 1, "completion_tokens": 1})
            return real_call(messages, **params)
        monkeypatch.setattr(eng, "_call", racing_call)
        c = eng.complete(MSG, temperature=0.5, seed=3, max_tokens=20)
        assert c.text == "theirs" and c.usage.llm_calls == 1   # the stored reply, and the call we paid for
        assert eng.complete(MSG, temperature=0.5, seed=3, max_tokens=20).text == "theirs"


def test_unknown_provider_is_a_clear_error(isolated_cache):
    with pytest.raises(EngineError, match="unknown model 'nosuchprovider/x'"):
        Engine("nosuchprovider/x").complete(MSG)


def test_missing_api_key_is_a_clear_error_without_network(isolated_cache, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(EngineError, match="OPENAI_API_KEY"):
        Engine("gpt-4o", retries=0).complete(MSG)


def test_check_fails_fast_on_a_missing_key_but_accepts_ollama_at_its_default_address(isolated_cache, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OLLAMA_API_BASE", raising=False)
    with pytest.raises(EngineError, match="OPENAI_API_KEY"):
        Engine("gpt-4o").check()
    Engine("ollama/qwen2.5-coder").check()   # litellm reaches Ollama at localhost:11434 without the variable


def test_missing_local_model_says_what_to_run(isolated_cache):
    with pytest.raises(EngineError, match=r"coderefine model pull 0\.5b && coderefine model build"):
        Engine("local/qwen2.5-coder-0.5b").complete(MSG)


def test_unknown_local_model_lists_known_ones(isolated_cache):
    with pytest.raises(EngineError, match="known models: 1.5b"):
        Engine("local/llama-70b")


def test_bad_messages_are_rejected_before_any_call(isolated_cache):
    with pytest.raises(ValueError, match="role"):
        Engine("openai/x", api_base="http://127.0.0.1:9").complete([{"content": "hi"}])


class Notes:
    """Collects what the engine tells its user (as cli.output.Output would show it)."""

    def __init__(self):
        self.notes: list[str] = []
        self.details: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)

    def detail(self, text: str) -> None:
        self.details.append(text)


def test_the_cache_key_of_a_local_request_never_changes(isolated_cache, monkeypatch):
    """Pinned values, computed before any change: a long benchmark shares its cache with later code, so a key
    that moves silently makes every finished request run again. `local/1.5b` names the same model."""
    from coderefine.llm import engine as engine_module
    for name in ("OPENAI_API_BASE", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    keys = []
    monkeypatch.setattr(engine_module, "request_key", lambda request: keys.append(request_key(request)) or keys[-1])
    messages = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "write add(a, b)"}]
    for model, options in [("local/qwen2.5-coder-1.5b", ServerOptions(speculation="none")),
                           ("local/qwen2.5-coder-1.5b", ServerOptions()), ("local/1.5b", ServerOptions())]:
        eng = Engine(model, serving=options)
        monkeypatch.setattr(eng, "_call", lambda messages, **params: Completion(text="x", usage=Usage(), texts=("x",)))
        eng.complete(messages, temperature=0.0, seed=0, max_tokens=1024)
    assert keys == ["9a7b92b8f3d6ab3f89d2a78cf6f7331fad364ed072b8c9133d31cfedc18e631c",
                    "71c23769abd91124e70f3fbd23ee9794b1a390412e32abacbb1c039c0e4629d4",
                    "71c23769abd91124e70f3fbd23ee9794b1a390412e32abacbb1c039c0e4629d4"]


def test_a_provider_that_refuses_seeds_gets_none_and_the_seed_still_keys_the_cache(isolated_cache, monkeypatch):
    """litellm refuses `seed` for Anthropic and Bedrock; mock_response runs its real parameter checks."""
    litellm = _litellm()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    sent, real = [], litellm.completion
    monkeypatch.setattr(litellm, "completion", lambda **kw: sent.append(kw) or real(**kw, mock_response="hi"))
    notes = Notes()
    eng = Engine("anthropic/claude-3-5-sonnet-latest", notes=notes)
    for seed in (1, 2, 1):
        assert eng.complete(MSG, temperature=0.5, seed=seed).text == "hi"
    assert len(sent) == 2 and all("seed" not in kw for kw in sent)   # seed 1 again came from the cache
    assert len(notes.details) == 1 and "takes no seed" in notes.details[0]


def test_an_endpoint_set_in_the_environment_is_part_of_the_cache_key(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with FakeOpenAI() as first, FakeOpenAI() as second:
        for fake in (first, second):
            monkeypatch.setenv("OPENAI_API_BASE", fake.api_base)
            assert not Engine("openai/fake-model").complete(MSG).cached
        assert (len(first.requests), len(second.requests)) == (1, 1)


def test_a_reply_without_choices_is_not_cached(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI() as fake:
        monkeypatch.setattr(fake, "answer", lambda body: {**FakeOpenAI.answer(body), "choices": []})
        assert engine(fake).complete(MSG).text == ""
        assert engine(fake).complete(MSG).text == ""   # asked again, not served the empty reply
        assert len(fake.requests) == 2


def test_a_reply_that_cannot_be_cached_is_still_returned_with_a_warning(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI() as fake:
        notes = Notes()
        eng = engine(fake, notes=notes)
        real_call = eng._call

        def call_then_corrupt(messages, **params):   # the cache file breaks while the model answers
            completion = real_call(messages, **params)
            for path in isolated_cache.glob("llm/responses.sqlite*"):
                path.write_bytes(b"not a database" * 512)
            return completion
        monkeypatch.setattr(eng, "_call", call_then_corrupt)
        assert eng.complete(MSG).text.endswith("echo=write add")
    assert len(notes.notes) == 1 and "was not cached" in notes.notes[0] and "--no-cache" in notes.notes[0]


def test_an_unwritable_record_file_is_refused_before_any_call(isolated_cache, monkeypatch, tmp_path):
    monkeypatch.setenv("CODEREFINE_RECORD", str(tmp_path / "no-such-folder" / "record.jsonl"))
    with pytest.raises(ModelConfigError, match="cannot write the record file .*no-such-folder"):
        Engine("openai/x", api_base="http://127.0.0.1:9")


def _local_engine(monkeypatch, acquire) -> Engine:
    """An engine for the embedded model whose pieces are all there; `acquire` stands in for llama_server's."""
    from coderefine.llm import local
    monkeypatch.setattr(local, "missing_pieces", lambda *a: [])
    monkeypatch.setattr(local.llama_server, "acquire", acquire)
    return Engine("local/qwen2.5-coder-0.5b", retries=0, backoff=0.01)


@pytest.mark.parametrize("failure, message", [
    (Timeout("/cache/server/m.json.lock"), "another coderefine process holds /cache/server/m.json.lock; wait"),
    (PermissionError(13, "Permission denied"), "cannot serve local/qwen2.5-coder-0.5b: .*Permission denied"),
])
def test_a_server_lock_held_too_long_or_an_os_failure_is_an_engine_error(isolated_cache, monkeypatch, failure,
                                                                         message):
    def acquire(*args):
        raise failure
    with pytest.raises(EngineError, match=message):
        _local_engine(monkeypatch, acquire).complete(MSG)


def test_a_server_that_died_is_reported_with_the_end_of_its_log(isolated_cache, monkeypatch, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    log = tmp_path / "server.log"
    log.write_text("loading model\nGGML_ASSERT(n_tokens <= n_batch) failed\n")
    with socket.socket() as probe:   # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = ServerState(pid=dead.pid, port=port, slots=1, ctx=4096, model="m", log=str(log), started=0.0)
    with pytest.raises(EngineError, match=rf"pid {dead.pid}\) is no longer running(.|\n)*GGML_ASSERT"):
        _local_engine(monkeypatch, lambda *args: state).complete(MSG)


def test_the_threads_that_waited_on_a_failed_request_get_its_error_without_asking_again(isolated_cache,
                                                                                          monkeypatch):
    """Each waiter repeating the failed request (retries and all) in turn would multiply the wait."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeOpenAI(failures=[400] * 10, delay=0.3) as fake:
        eng = engine(fake, concurrency=4)
        errors: list[Exception] = []

        def ask():
            try:
                eng.complete(MSG, temperature=0.5, seed=7)
            except EngineError as exc:
                errors.append(exc)
        threads = [threading.Thread(target=ask) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(errors) == 4 and all("BadRequestError" in str(e) for e in errors)
        assert len(fake.requests) == 1
        with pytest.raises(EngineError):   # the failure is not kept: a later request asks again
            eng.complete(MSG, temperature=0.5, seed=7)
        assert len(fake.requests) == 2


def test_an_anthropic_endpoint_set_in_the_environment_is_part_of_the_cache_key(isolated_cache, monkeypatch):
    """litellm sends anthropic/ models to $ANTHROPIC_BASE_URL (a proxy may serve another model there)."""
    litellm = _litellm()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.delenv("ANTHROPIC_API_BASE", raising=False)
    real = litellm.completion
    monkeypatch.setattr(litellm, "completion", lambda **kw: real(**kw, mock_response=kw.get("api_base") or "default"))
    replies = []
    for base in ("http://127.0.0.1:1/one", "http://127.0.0.1:1/two"):
        monkeypatch.setenv("ANTHROPIC_BASE_URL", base)
        replies.append(Engine("anthropic/claude-3-5-sonnet-latest").complete(MSG))
    assert not any(reply.cached for reply in replies)


def test_an_unreachable_endpoint_is_named_in_the_error(isolated_cache, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with socket.socket() as probe:   # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    with pytest.raises(EngineError, match=rf"Connection error\. Check .*\(endpoint {base}\)"):
        Engine("openai/x", api_base=base, retries=0, cache=False).complete(MSG)


@pytest.mark.parametrize("other_clients", [1, 0])
def test_a_busy_server_is_never_stopped_by_a_failed_call_nor_by_a_client_joining(isolated_cache, monkeypatch,
                                                                                 other_clients):
    """llama-server answers /health only when one of its (as few as slots + 2) HTTP threads is free: under load
    it does not, and a restart would kill every request in flight. A call that fails (here with a 400) must
    leave it be, and a new client joins it while other clients use it."""
    from coderefine.llm import local, server as llama_server
    with FakeOpenAI(failures=[200, 400]) as fake:
        port = int(fake.api_base.split(":")[-1].split("/")[0])
        others = [f"{os.getpid()}:otherproc"] * other_clients
        eng = Engine("local/qwen2.5-coder-0.5b", retries=0)
        state = ServerState(pid=4242, port=port, slots=4, ctx=16384, model=str(eng._local._config.model_path),
                            log="", started=0.0, clients=others, options=asdict(ServerOptions()))
        path = llama_server.state_path("qwen2.5-coder-0.5b")
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(asdict(state)))
        busy, stopped = [True] * other_clients, []
        monkeypatch.setattr(local, "missing_pieces", lambda *a: [])
        monkeypatch.setattr(llama_server, "is_server", lambda pid: pid == 4242)
        monkeypatch.setattr(llama_server, "healthy", lambda *a, **kw: not busy)
        monkeypatch.setattr(llama_server, "terminate", stopped.append)
        monkeypatch.setattr(llama_server, "start", lambda *a: pytest.fail("started a second server"))
        eng.complete(MSG)
        busy.append(True)
        with pytest.raises(EngineError, match="BadRequestError"):
            eng.complete([{"role": "user", "content": "a prompt too long for the context"}])
        assert stopped == [] and len(fake.requests) == 2
        assert llama_server.read_state("qwen2.5-coder-0.5b").clients == sorted(others + [eng._local._client])


def test_a_server_state_without_recorded_options_decodes_plainly():
    """States written before options were recorded ran without speculation, whatever today's default is."""
    legacy = ServerState(pid=1, port=1, slots=4, ctx=16384, model="m", log="", started=0.0)
    assert legacy.server_options == ServerOptions(slots=4, ctx_per_slot=4096, speculation="none")
    assert legacy.server_options.decoding() == {}
