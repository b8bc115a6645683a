"""One llama-server per model, shared by every coderefine process on the machine.

A state file (`<cache>/server/<model>.json`, guarded by a filelock) records the
server's pid, port, slots and model, plus the clients using it. The first
client starts the server; later ones join it after a health check; a dead
server is restarted; the last client to leave stops it. Decoding on a CPU is
memory-bound, so one server with several parallel slots serves concurrent work
far faster than several servers would.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

from filelock import FileLock

from coderefine.llm.serving import DEFAULT_SLOTS, ServerOptions, UnsupportedSetting, check_build  # noqa: F401 (DEFAULT_SLOTS: cli/bench.py)
from coderefine.paths import cache_dir

HOST = "127.0.0.1"
# OpenMP's spinning barriers collapse decoding when another process takes a core: measured on
# 2 busy cores, 0.5B at -t 2 ran at 1 token/s spinning vs 15 token/s with passive waiting.
OMP_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}


class ServerError(RuntimeError):
    """llama-server could not be started or reached; the message says why and what to do."""


@dataclass(frozen=True)
class ServerConfig:
    binary: Path
    model_path: Path
    options: ServerOptions = ServerOptions()
    draft_path: Path | None = None   # the draft model's file, when options.speculation == "draft"
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    port: int | None = None        # None: any free port
    start_timeout: float = 300.0   # loading 1 GB on a busy 2-core machine can be slow

    def command(self, port: int) -> list[str]:
        """--metrics serves the prompt-cache and draft counters that `coderefine model status` shows."""
        options = [arg for flag in self.options.flags(self.draft_path) for arg in flag.args]
        return [str(self.binary), "-m", str(self.model_path), "--host", HOST, "--port", str(port),
                *options, "--threads", str(self.threads), "--metrics", "--no-webui"]


@dataclass
class ServerState:
    """What the state file records about a running server."""
    pid: int
    port: int
    slots: int
    ctx: int
    model: str
    log: str
    started: float
    clients: list[str] = field(default_factory=list)
    options: dict = field(default_factory=dict)   # asdict(ServerOptions); empty in states written before it

    @property
    def api_base(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    @property
    def server_options(self) -> ServerOptions:
        """The options it runs with; a state that predates recorded options ran without speculation (said
        explicitly: the default speculation is no longer none)."""
        if self.options:
            return ServerOptions(**self.options)
        return ServerOptions(slots=self.slots, ctx_per_slot=self.ctx // max(self.slots, 1), speculation="none")


# --- process and HTTP probes -------------------------------------------------------------

def pid_alive(pid: int) -> bool:
    """True for a running process; a zombie (exited, not yet reaped) counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def is_server(pid: int) -> bool:
    """Alive and still a llama-server, so a recycled pid is never signalled."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return pid_alive(pid) and b"llama-server" in cmdline


def healthy(port: int, timeout: float = 2.0) -> bool:
    """llama-server answers /health with 200 once the model is loaded (503 while loading)."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def metrics(port: int, timeout: float = 5.0) -> dict[str, float]:
    """llama-server's counters since it started (its Prometheus `/metrics`, names without the `llamacpp:`
    prefix), e.g. prompt_tokens_cached_total; empty when the server does not serve them."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/metrics", timeout=timeout) as resp:
            text = resp.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError):
        return {}
    values = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name.startswith("llamacpp:"):
            try:
                values[name.removeprefix("llamacpp:")] = float(value)
            except ValueError:
                continue
    return values


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def terminate(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if the process has not exited within timeout."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.1)


# --- starting one server ------------------------------------------------------------------

def start(config: ServerConfig, log: Path) -> ServerState:
    """Starts llama-server and waits until it is healthy. Retries another port if an
    automatically chosen one was grabbed in the meantime; a requested port must be free."""
    if not config.binary.is_file():
        raise ServerError(f"llama-server is not built ({config.binary} is missing); run `coderefine model build`")
    if not config.model_path.is_file():
        raise ServerError(f"model file {config.model_path} is missing; run `coderefine model pull`")
    if config.options.speculation == "draft" and not (config.draft_path and config.draft_path.is_file()):
        raise ServerError(f"speculation = draft needs the draft model {config.options.draft_model}; "
                          "run `coderefine model pull` for it")
    try:
        check_build(config.binary, config.options.flags(config.draft_path))
    except UnsupportedSetting as exc:
        raise ServerError(str(exc)) from exc
    if config.port is not None and not port_free(config.port):
        raise ServerError(f"port {config.port} on {HOST} is already in use by another program; "
                          "choose another port or leave it unset to pick a free one")
    for _ in range(3):
        port = config.port or free_port()
        state = _launch(config, port, log)
        if state is not None:
            return state
        if config.port is not None:
            raise ServerError(f"llama-server could not bind port {config.port} on {HOST}: it is in use; "
                              "choose another port or leave it unset")
    raise ServerError(f"llama-server could not bind a free port on {HOST} after 3 tries; see {log}")


def _launch(config: ServerConfig, port: int, log: Path) -> ServerState | None:
    """Returns None when the port turned out to be taken; raises on any other failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(config.command(port), stdin=subprocess.DEVNULL, stdout=out, env={**os.environ, **OMP_ENV},
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        return _wait_healthy(proc, config, port, log)
    except BaseException:
        # Its own session shields it from Ctrl-C, and no state file names it yet: stop it here or never.
        if proc.poll() is None:
            terminate(proc.pid)
        raise


def _wait_healthy(proc: subprocess.Popen, config: ServerConfig, port: int, log: Path) -> ServerState | None:
    deadline = time.monotonic() + config.start_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_tail(log)
            if "couldn't bind" in tail:
                return None
            raise ServerError(f"llama-server exited with code {proc.returncode} while starting. "
                              f"Last lines of {log}:\n  {tail}")
        if healthy(port):
            options = config.options
            return ServerState(pid=proc.pid, port=port, slots=options.slots, ctx=options.slots * options.ctx_per_slot,
                               model=str(config.model_path), log=str(log), started=time.time(),
                               options=asdict(options))
        time.sleep(0.25)
    raise ServerError(f"llama-server did not become healthy within {config.start_timeout:.0f} s; see {log}")


def log_tail(log: Path, lines: int = 8) -> str:
    """The last lines of a server log, indented for an error message; empty when it cannot be read."""
    try:
        with log.open(errors="replace") as f:
            return "\n  ".join(line.rstrip() for line in deque(f, maxlen=lines))
    except OSError:
        return ""


# --- the shared server: state file + lock ------------------------------------------------

def state_path(name: str, root: Path | None = None) -> Path:
    return (root or cache_dir()) / "server" / f"{name}.json"


def _lock(name: str, root: Path | None) -> FileLock:
    path = state_path(name, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path) + ".lock", timeout=600)


def read_state(name: str, root: Path | None = None) -> ServerState | None:
    """The recorded server; None when there is none or its file is damaged or written by another version of
    coderefine (fields or options this one lacks): a server whose options cannot be compared is not ours."""
    try:
        state = ServerState(**json.loads(state_path(name, root).read_text()))
        state.server_options   # options this version lacks raise TypeError here, not in a caller
        return state
    except (OSError, ValueError, TypeError):
        return None


def _write_state(name: str, root: Path | None, state: ServerState | None) -> None:
    path = state_path(name, root)
    if state is None:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(state), indent=2))
    os.replace(tmp, path)


def running(name: str, root: Path | None = None) -> ServerState | None:
    """The recorded server if its process is alive and it answers /health, else None."""
    state = read_state(name, root)
    if state and is_server(state.pid) and healthy(state.port):
        return state
    return None


def _live_clients(clients: list[str]) -> list[str]:
    return [c for c in clients if pid_alive(int(c.split(":", 1)[0]))]


def new_client_id() -> str:
    """pid:random, so two engines in one process are separate clients and dead pids can be pruned."""
    return f"{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(name: str, config: ServerConfig, client: str, root: Path | None = None) -> ServerState:
    """Joins the running server for `name` (or starts one, or replaces a dead one) as `client`.

    A running server with other options is restarted with `config`'s when no other client uses it. While
    others do, it is joined as it is if only slots or context differ, and refused if it decodes otherwise
    (speculation), since the response cache files each reply under the decoding that produced it.

    A server that other live clients use is never stopped for a slow /health: on a small machine llama-server
    has only slots + 2 HTTP threads, so with more requests in flight /health waits behind them, and a restart
    would kill them all."""
    with _lock(name, root):
        state = read_state(name, root)
        clients = _live_clients(state.clients) if state else []
        others = [c for c in clients if c != client]
        reusable = (state is not None and is_server(state.pid) and state.model == str(config.model_path)
                    and (bool(others) or healthy(state.port, timeout=15.0)))  # patient: a busy server answers slowly
        if reusable and state.server_options != config.options:
            if others and state.server_options.decoding() != config.options.decoding():
                raise ServerError(
                    f"the shared llama-server for {name} (pid {state.pid}) decodes with {_describe(state.server_options)} "
                    f"for {len(others)} other client(s); this one asks for {_describe(config.options)}. Wait for "
                    f"them, use the same settings, or stop it with `coderefine model stop`")
            reusable = bool(others)
        if not reusable:
            if state and is_server(state.pid):
                terminate(state.pid)  # hung, serving another model file, or unused with other options
            log = state_path(name, root).with_suffix(".log")
            state = start(config, log)
        try:
            state.clients = sorted(set(clients) | {client})
            _write_state(name, root, state)
        except BaseException:
            if not reusable and is_server(state.pid):
                terminate(state.pid)   # started here and recorded nowhere: nothing else could stop it
            raise
        return state


def _describe(options: ServerOptions) -> str:
    return ", ".join(f"{k} = {v}" for k, v in options.decoding().items()) or "speculation = none"


def release(name: str, client: str, root: Path | None = None) -> bool:
    """Removes `client`; stops the server when no live client is left. True if it was stopped."""
    with _lock(name, root):
        state = read_state(name, root)
        if state is None:
            return False
        state.clients = [c for c in _live_clients(state.clients) if c != client]
        if state.clients:
            _write_state(name, root, state)
            return False
        if is_server(state.pid):
            terminate(state.pid)
        _write_state(name, root, None)
        return True


def stop(name: str, root: Path | None = None) -> ServerState | None:
    """Stops the server whatever its clients; returns what was recorded (None if nothing)."""
    with _lock(name, root):
        state = read_state(name, root)
        if state is not None:
            if is_server(state.pid):
                terminate(state.pid)
            _write_state(name, root, None)
        return state
