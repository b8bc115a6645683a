"""The shared-server lifecycle (state file, lock, health, restart, ports) with a stand-in llama-server.

The stand-in is a real process speaking HTTP, so everything but the model itself is
exercised; tests/test_local_model.py repeats the key paths on the real binary.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import replace

import pytest

from coderefine.llm import server as ls

STAND_IN = textwrap.dedent("""\
    #!{python}
    import http.server, sys
    args = sys.argv[1:]
    if "CRASH" in open(args[args.index("-m") + 1]).read():
        print("error: failed to load model", flush=True)
        sys.exit(3)
    port = int(args[args.index("--port") + 1])

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()
            self.wfile.write(b'{{"status":"ok"}}')
        def log_message(self, *a):
            pass

    try:
        server = http.server.HTTPServer(("127.0.0.1", port), Health)
    except OSError:
        print(f"couldn't bind HTTP server socket, hostname: 127.0.0.1, port: {{port}}", flush=True)
        sys.exit(1)
    server.serve_forever()
""")


@pytest.fixture
def config(tmp_path) -> ls.ServerConfig:
    binary = tmp_path / "bin" / "llama-server"
    binary.parent.mkdir()
    binary.write_text(STAND_IN.format(python=sys.executable))
    binary.chmod(0o755)
    model = tmp_path / "model.gguf"
    model.write_text("weights")
    return ls.ServerConfig(binary=binary, model_path=model, slots=2, start_timeout=30)


@pytest.fixture
def root(tmp_path):
    yield tmp_path / "cache"
    ls.stop("m", tmp_path / "cache")


def test_command_binds_localhost_with_slots_and_sized_context(config):
    cmd = config.command(8080)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--parallel") + 1] == "2"
    assert cmd[cmd.index("--ctx-size") + 1] == str(2 * 4096)
    assert cmd[cmd.index("--threads") + 1] == str(os.cpu_count())


def test_clients_share_one_server_and_the_last_one_stops_it(config, root):
    a, b = f"{os.getpid()}:a", f"{os.getpid()}:b"
    first = ls.acquire("m", config, a, root)
    assert ls.healthy(first.port) and ls.read_state("m", root).pid == first.pid
    second = ls.acquire("m", config, b, root)
    assert second.pid == first.pid and sorted(ls.read_state("m", root).clients) == [a, b]
    assert ls.release("m", a, root) is False          # b still uses it
    assert ls.running("m", root) is not None
    assert ls.release("m", b, root) is True
    assert ls.read_state("m", root) is None and not ls.pid_alive(first.pid)


def test_clients_of_dead_processes_are_pruned(config, root):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    state = ls.acquire("m", config, f"{dead.pid}:x", root)
    assert ls.release("m", f"{os.getpid()}:never-joined", root) is True   # only a dead client was left
    assert not ls.pid_alive(state.pid)


def test_a_dead_server_is_restarted_on_the_next_acquire(config, root):
    first = ls.acquire("m", config, f"{os.getpid()}:a", root)
    os.kill(first.pid, signal.SIGKILL)
    time.sleep(0.2)
    assert ls.running("m", root) is None
    second = ls.acquire("m", config, f"{os.getpid()}:a", root)
    assert second.pid != first.pid and ls.healthy(second.port)


def test_stop_ends_the_server_whatever_its_clients(config, root):
    state = ls.acquire("m", config, f"{os.getpid()}:a", root)
    assert ls.stop("m", root).pid == state.pid
    assert not ls.pid_alive(state.pid) and ls.stop("m", root) is None


def test_a_requested_port_that_is_taken_fails_clearly(config, root):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(ls.ServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            ls.acquire("m", replace(config, port=port), f"{os.getpid()}:a", root)


def test_an_automatic_port_skips_a_taken_one(config, root, monkeypatch):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        real_free_port = ls.free_port
        monkeypatch.setattr(ls, "free_port", lambda: next(ports, None) or real_free_port())
        state = ls.acquire("m", config, f"{os.getpid()}:a", root)
        assert state.port != taken and ls.healthy(state.port)


def test_a_server_that_dies_while_starting_reports_its_log(config, root):
    config.model_path.write_text("CRASH")
    with pytest.raises(ls.ServerError, match=r"exited with code 3 while starting(.|\n)*failed to load model"):
        ls.acquire("m", config, f"{os.getpid()}:a", root)


def test_missing_binary_or_model_say_what_to_run(config, root, tmp_path):
    with pytest.raises(ls.ServerError, match="coderefine model build"):
        ls.start(replace(config, binary=tmp_path / "nope"), tmp_path / "log")
    with pytest.raises(ls.ServerError, match="coderefine model pull"):
        ls.start(replace(config, model_path=tmp_path / "nope.gguf"), tmp_path / "log")
