"""The shared-server lifecycle (state file, lock, health, restart, ports) with a stand-in llama-server.

The stand-in is a real process speaking HTTP, so everything but the model itself is
exercised; tests/test_local_model.py repeats the key paths on the real binary.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict, replace

import pytest

from coderefine.llm import server as ls
from coderefine.llm.serving import ServerOptions

PLAIN_2 = ServerOptions(slots=2, speculation="none")   # two slots, no speculation: the stand-in's help lacks it
STAND_IN = textwrap.dedent("""\
    #!{python}
    import http.server, sys
    args = sys.argv[1:]
    if "CRASH" in open(args[args.index("-m") + 1]).read():
        print("error: failed to load model", flush=True)
        sys.exit(3)
    port = int(args[args.index("--port") + 1])

    METRICS = b"# HELP llamacpp:prompt_tokens_total x\\nllamacpp:prompt_tokens_total 300\\nllamacpp:prompt_tokens_cached_total 900\\n"

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            known = self.path in ("/health", "/metrics")
            self.send_response(200 if known else 404)
            self.end_headers()
            self.wfile.write(METRICS if self.path == "/metrics" else b'{{"status":"ok"}}')
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
    return ls.ServerConfig(binary=binary, model_path=model, options=PLAIN_2, start_timeout=30)


@pytest.fixture
def root(tmp_path):
    yield tmp_path / "cache"
    ls.stop("m", tmp_path / "cache")


HELP = """--parallel N   number of server slots
--ctx-size N   size of the prompt context
--spec-ngram-simple-size-m N   ngram size M
--spec-type none,draft-simple,ngram-simple,ngram-map-k
"""


def with_help(config, text: str) -> ls.ServerConfig:
    """The stand-in, answering --help with `text` (as a build that offers exactly those options)."""
    source = config.binary.read_text().replace("args = sys.argv[1:]\n",
                                               f"args = sys.argv[1:]\nif args == ['--help']: print({text!r}); sys.exit(0)\n", 1)
    config.binary.write_text(source)
    return config


def test_command_binds_localhost_with_slots_and_sized_context(config):
    cmd = config.command(8080)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--parallel") + 1] == "2"
    assert cmd[cmd.index("--ctx-size") + 1] == str(2 * 4096)
    assert cmd[cmd.index("--threads") + 1] == str(os.cpu_count())
    assert "--metrics" in cmd and "--spec-type" not in cmd


def test_speculation_becomes_flags_and_part_of_the_decoding(config, tmp_path):
    ngram = replace(config, options=ServerOptions(slots=1, ctx_per_slot=2048, speculation="ngram-simple", draft_max=8))
    cmd = ngram.command(8080)
    assert cmd[cmd.index("--spec-type") + 1] == "ngram-simple" and cmd[cmd.index("--spec-ngram-simple-size-m") + 1] == "8"
    assert cmd[cmd.index("--ctx-size") + 1] == "2048"
    draft = replace(config, options=ServerOptions(speculation="draft"), draft_path=tmp_path / "d.gguf")
    cmd = draft.command(8080)
    assert cmd[cmd.index("--spec-type") + 1] == "draft-simple" and cmd[cmd.index("--spec-draft-model") + 1] == str(tmp_path / "d.gguf")
    assert ServerOptions(slots=8, speculation="none").decoding() == {}     # slots and context never change a reply
    assert ServerOptions(speculation="draft", draft_max=16).decoding() == {"speculation": "draft", "draft_max": 16,
                                                             "draft_model": "local/qwen2.5-coder-0.5b"}


@pytest.mark.parametrize("options, message", [
    (ServerOptions(speculation="ngram-mod"), r"setting speculation: .* does not offer --spec-type ngram-mod "
                                             r"\(it offers: none, draft-simple, ngram-simple, ngram-map-k\)"),
    (ServerOptions(speculation="ngram-map-k"), r"setting draft_max: .* has no --spec-ngram-map-k-size-m option"),
])
def test_a_setting_the_build_lacks_fails_naming_the_setting(config, root, options, message):
    config = replace(with_help(config, HELP), options=options)
    with pytest.raises(ls.ServerError, match=message):
        ls.acquire("m", config, f"{os.getpid()}:a", root)
    assert ls.read_state("m", root) is None


def test_the_state_records_the_options_and_other_options_restart_an_unused_server(config, root):
    config = with_help(config, HELP)
    first = ls.acquire("m", config, f"{os.getpid()}:a", root)
    assert first.server_options == config.options
    ngram = replace(config, options=ServerOptions(slots=2, speculation="ngram-simple"))
    second = ls.acquire("m", ngram, f"{os.getpid()}:a", root)     # its only client asks again, otherwise
    assert second.pid != first.pid and ls.read_state("m", root).server_options.speculation == "ngram-simple"


def test_a_shared_server_is_joined_across_slots_but_never_across_decodings(config, root):
    a, b = f"{os.getpid()}:a", f"{os.getpid()}:b"
    config = with_help(config, HELP)
    first = ls.acquire("m", config, a, root)
    assert ls.acquire("m", replace(config, options=replace(PLAIN_2, slots=4)), b, root).pid == first.pid
    with pytest.raises(ls.ServerError, match=r"decodes with speculation = none for 2 other client\(s\); this one "
                                             r"asks for speculation = ngram-simple, draft_max = 16"):
        ls.acquire("m", replace(config, options=ServerOptions(speculation="ngram-simple", draft_max=16)), f"{os.getpid()}:c", root)
    assert ls.running("m", root).pid == first.pid


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


def test_a_state_with_options_from_another_version_is_not_ours(config, root, tmp_path):
    """Like a damaged state file: its server is neither joined (its options cannot be compared) nor stopped
    (its own version's clients may use it); a server of our own replaces it in the state file."""
    theirs = ls.start(config, tmp_path / "theirs.log")
    try:
        foreign = {**asdict(theirs), "options": {**asdict(config.options), "spec_window": 4}}
        ls.state_path("m", root).parent.mkdir(parents=True)
        ls.state_path("m", root).write_text(json.dumps(foreign))
        assert ls.read_state("m", root) is None and ls.running("m", root) is None
        ours = ls.acquire("m", config, f"{os.getpid()}:a", root)
        assert ours.pid != theirs.pid and ls.read_state("m", root).pid == ours.pid and ls.is_server(theirs.pid)
    finally:
        ls.terminate(theirs.pid)


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


def test_status_shows_the_servers_settings_and_its_prompt_cache_hit_rate(config, tmp_path, monkeypatch):
    from coderefine.cli.model import status_data
    monkeypatch.setenv("CODEREFINE_CACHE", str(tmp_path / "cache"))
    options = replace(PLAIN_2, ctx_per_slot=2048)
    ls.acquire("qwen2.5-coder-0.5b", replace(config, options=options), f"{os.getpid()}:a")
    try:
        server = status_data()["servers"][0]
    finally:
        ls.stop("qwen2.5-coder-0.5b")
    assert server["settings"]["slots"] == 2 and server["settings"]["ctx_per_slot"] == 2048
    assert (server["prompt_tokens_cached"], server["prompt_tokens_evaluated"]) == (900, 300)
    assert server["prompt_cache_hit_rate"] == 0.75 and server["draft_acceptance"] is None


SLEEPER = "#!{python}\nimport os, pathlib, time\npathlib.Path({pidfile!r}).write_text(str(os.getpid()))\ntime.sleep(60)\n"


def test_ctrl_c_while_the_server_starts_leaves_no_server_behind(config, root, tmp_path, monkeypatch):
    """The server runs in its own session (Ctrl-C does not reach it) and no state file names it yet."""
    pidfile = tmp_path / "pid"
    config.binary.write_text(SLEEPER.format(python=sys.executable, pidfile=str(pidfile)))

    def ctrl_c_once_running(port, timeout=2.0):
        if pidfile.exists():
            raise KeyboardInterrupt
        return False
    monkeypatch.setattr(ls, "healthy", ctrl_c_once_running)
    with pytest.raises(KeyboardInterrupt):
        ls.acquire("m", config, f"{os.getpid()}:a", root)
    assert not ls.pid_alive(int(pidfile.read_text()))


def test_a_started_server_whose_state_cannot_be_written_is_stopped(config, root, monkeypatch):
    started = []
    real_start = ls.start
    monkeypatch.setattr(ls, "start", lambda *args: started.append(real_start(*args)) or started[-1])

    def disk_full(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(ls, "_write_state", disk_full)
    with pytest.raises(OSError, match="No space left"):
        ls.acquire("m", config, f"{os.getpid()}:a", root)
    assert not ls.pid_alive(started[0].pid)
