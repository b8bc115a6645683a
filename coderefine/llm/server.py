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

from coderefine.paths import cache_dir

HOST = "127.0.0.1"
DEFAULT_SLOTS = 4          # chosen from the throughput table in BENCHMARKS.md
MIN_CTX_PER_SLOT = 4096
# OpenMP's spinning barriers collapse decoding when another process takes a core: measured on
# 2 busy cores, 0.5B at -t 2 ran at 1 token/s spinning vs 15 token/s with passive waiting.
OMP_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}


class ServerError(RuntimeError):
    """llama-server could not be started or reached; the message says why and what to do."""


@dataclass(frozen=True)
class ServerConfig:
    binary: Path
    model_path: Path
    slots: int = DEFAULT_SLOTS
    ctx_per_slot: int = MIN_CTX_PER_SLOT
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    port: int | None = None        # None: any free port
    start_timeout: float = 300.0   # loading 1 GB on a busy 2-core machine can be slow

    def command(self, port: int) -> list[str]:
        ctx = self.slots * max(self.ctx_per_slot, MIN_CTX_PER_SLOT)
        return [str(self.binary), "-m", str(self.model_path), "--host", HOST, "--port", str(port),
                "--parallel", str(self.slots), "--ctx-size", str(ctx), "--threads", str(self.threads),
                "--no-webui"]


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

    @property
    def api_base(self) -> str:
        return f"http://{HOST}:{self.port}/v1"


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
    deadline = time.monotonic() + config.start_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = _tail(log)
            if "couldn't bind" in tail:
                return None
            raise ServerError(f"llama-server exited with code {proc.returncode} while starting. "
                              f"Last lines of {log}:\n  {tail}")
        if healthy(port):
            return ServerState(pid=proc.pid, port=port, slots=config.slots,
                               ctx=config.slots * max(config.ctx_per_slot, MIN_CTX_PER_SLOT),
                               model=str(config.model_path), log=str(log), started=time.time())
        time.sleep(0.25)
    terminate(proc.pid)
    raise ServerError(f"llama-server did not become healthy within {config.start_timeout:.0f} s; see {log}")


def _tail(log: Path, lines: int = 8) -> str:
    with log.open(errors="replace") as f:
        return "\n  ".join(line.rstrip() for line in deque(f, maxlen=lines))


# --- the shared server: state file + lock ------------------------------------------------

def state_path(name: str, root: Path | None = None) -> Path:
    return (root or cache_dir()) / "server" / f"{name}.json"


def _lock(name: str, root: Path | None) -> FileLock:
    path = state_path(name, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path) + ".lock", timeout=600)


def read_state(name: str, root: Path | None = None) -> ServerState | None:
    try:
        return ServerState(**json.loads(state_path(name, root).read_text()))
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
    """Joins the running server for `name` (or starts one, or replaces a dead one) as `client`."""
    with _lock(name, root):
        state = read_state(name, root)
        clients = _live_clients(state.clients) if state else []
        reusable = (state is not None and is_server(state.pid) and state.model == str(config.model_path)
                    and healthy(state.port, timeout=15.0))  # patient: a busy server answers slowly
        if not reusable:
            if state and is_server(state.pid):
                terminate(state.pid)  # hung, or serving another model file
            log = state_path(name, root).with_suffix(".log")
            state = start(config, log)
        state.clients = sorted(set(clients) | {client})
        _write_state(name, root, state)
        return state


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
