"""The embedded model for real: Qwen2.5-Coder 0.5B through our llama-server build and litellm.

Uses the real user cache, so the model is pulled and the server built once per machine
(the first run takes minutes; CI pays it once).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from coderefine.data.problem import Problem
from coderefine.llm import build as llama_build, server as llama_server, files as model_files
from coderefine.llm.engine import Engine
from coderefine.llm.serving import ServerOptions
from coderefine.loop import critique_messages
from coderefine.prompts import render
from coderefine.types import Candidate, Report
from sandbox import CallTest

pytestmark = [pytest.mark.slow, pytest.mark.model]

MODEL = "local/qwen2.5-coder-0.5b"
NAME = "qwen2.5-coder-0.5b"
PROMPT = [{"role": "user", "content": "Name a random fruit and a random colour, in one short sentence."}]


@pytest.fixture(scope="module", autouse=True)
def ready():
    model_files.pull(model_files.find_spec("0.5b"))
    llama_build.build_server()
    llama_server.stop(NAME)  # start from no server, whatever an earlier run left behind
    yield
    llama_server.stop(NAME)


def test_same_seed_same_text_and_seeds_differ():
    with Engine(MODEL, cache=False) as engine:
        texts = [engine.complete(PROMPT, temperature=0.9, seed=s, max_tokens=24).text for s in (11, 11, 12, 13, 14)]
        assert engine.usage.llm_calls == 5 and engine.usage.completion_tokens > 0
    assert texts[0] == texts[1] and texts[0].strip()
    assert len(set(texts)) >= 3


def test_concurrent_callers_share_one_server_across_threads_and_processes():
    with Engine(MODEL, cache=False, concurrency=4) as engine:
        engine.complete(PROMPT, max_tokens=4)
        pid = llama_server.read_state(NAME).pid
        results = []
        threads = [threading.Thread(target=lambda i=i: results.append(
            engine.complete(PROMPT, temperature=0.7, seed=i, max_tokens=16))) for i in range(4)]
        for t in threads:
            t.start()
        other = subprocess.run(
            [sys.executable, "-c", "from coderefine.llm.engine import Engine; from coderefine.llm import server as llama_server;"
             f"e = Engine({MODEL!r}, cache=False); e.complete({PROMPT!r}, max_tokens=4);"
             f"print(llama_server.read_state({NAME!r}).pid); e.close()"],
            capture_output=True, text=True, timeout=300, env=os.environ)
        for t in threads:
            t.join()
        assert other.returncode == 0, other.stderr
        assert int(other.stdout.split()[-1]) == pid     # the other process joined our server
        assert len(results) == 4 and llama_server.running(NAME).pid == pid
    assert llama_server.read_state(NAME) is None and not llama_server.pid_alive(pid)   # last client stopped it


def test_server_killed_mid_run_is_restarted_and_the_call_retried():
    with Engine(MODEL, cache=False, retries=0) as engine:
        engine.complete(PROMPT, max_tokens=4)
        first = llama_server.read_state(NAME).pid
        done = []
        long = [{"role": "user", "content": "Count from 1 to 400, separated by commas."}]
        worker = threading.Thread(target=lambda: done.append(engine.complete(long, max_tokens=300)))
        worker.start()
        time.sleep(1.0)                     # the request is in flight
        os.kill(first, signal.SIGKILL)
        worker.join(timeout=300)
        assert done and done[0].text.strip()   # retries=0: only the restart path could have saved it
        assert llama_server.running(NAME).pid != first


def test_the_second_call_of_a_run_is_served_its_prefix_from_the_servers_cache():
    problem = Problem(id="add", statement="Return a + b.", entry_point="add", starter_code="def add(a, b):",
                      visible_tests=(CallTest(args=(1, 2), expected=3),), hidden_tests=())
    candidate = Candidate(index=0, code="def add(a, b):\n    return a - b", origin="zero-shot", visible=Report(0, 1))
    critique = critique_messages(problem, candidate)
    with Engine(MODEL, cache=False) as engine:
        first = engine.complete(critique, max_tokens=24)
        rewrite = critique + [{"role": "assistant", "content": first.text}, {"role": "user", "content": render("rewrite")}]
        second = engine.complete(rewrite, max_tokens=8)
    assert second.usage.prompt_cached_tokens > 0          # llama-server's timings.cache_n
    assert second.usage.prompt_cached_tokens >= first.usage.prompt_tokens - 8   # all but the chat's last turn
    assert second.usage.prompt_cached_tokens < second.usage.prompt_tokens


def test_ngram_speculation_drafts_when_the_reply_copies_its_prompt():
    code = "\n".join(f"def f{i}(values):\n    return sorted(set(values))[{i}:]" for i in range(12))
    prompt = [{"role": "user", "content": f"Repeat this code exactly, in one python block:\n```python\n{code}\n```"}]
    with Engine(MODEL, cache=False, serving=ServerOptions(speculation="ngram-simple")) as engine:
        usage = engine.complete(prompt, max_tokens=160).usage
        assert llama_server.read_state(NAME).server_options.speculation == "ngram-simple"
    assert usage.draft_tokens > 0 and usage.draft_accepted > 0
