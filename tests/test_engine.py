"""Engine behaviour against a real HTTP endpoint (tests/fake_openai.py) through real litellm."""
from __future__ import annotations

from dataclasses import replace
import threading
import time

import pytest

from coderefine.llm.engine import Engine, EngineError
from coderefine.llm.local import LocalModel
from coderefine.llm.server import ServerState
from coderefine.llm.serving import ServerOptions
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
    from coderefine.llm.cache import request_key
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
