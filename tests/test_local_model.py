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

from coderefine.llm import build as llama_build, server as llama_server, files as model_files
from coderefine.llm.engine import Engine

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
