"""Glue from a `local/<model>` name to a running llama-server and the litellm arguments to reach it.

The local model and hosted models share one code path: litellm's OpenAI
provider pointed at the server's `api_base`. Nothing here downloads or builds;
missing pieces produce an error naming the command that provides them.
"""
from __future__ import annotations

import threading
from pathlib import Path

from filelock import Timeout

from coderefine.llm import build as llama_build, server as llama_server, files as model_files
from coderefine.llm.serving import ServerOptions

LOCAL_PREFIX = "local/"
DEFAULT_MODEL = "local/qwen2.5-coder-1.5b"


class LocalModelError(RuntimeError):
    """The embedded model cannot be served; the message says which command fixes it."""


def is_local(model: str) -> bool:
    return model.startswith(LOCAL_PREFIX)


def missing_pieces(model: str, root: Path | None = None, options: ServerOptions = ServerOptions()) -> list[str]:
    """The commands still needed before `model` can be served with `options` (empty when ready)."""
    specs = [model_files.find_spec(model)]
    if options.speculation == "draft":
        specs.append(model_files.find_spec(options.draft_model))
    needed = [f"coderefine model pull {spec.alias}" for spec in dict.fromkeys(specs)
              if not model_files.is_present(spec, root)]
    if not llama_build.is_built(root):
        needed.append("coderefine model build")
    return needed


class LocalModel:
    """One engine's handle on the shared server for a local model; starts or joins it lazily."""

    def __init__(self, model: str, *, root: Path | None = None, options: ServerOptions = ServerOptions(),
                 port: int | None = None):
        try:
            self.spec = model_files.find_spec(model)
            draft = model_files.find_spec(options.draft_model) if options.speculation == "draft" else None
        except model_files.ModelFileError as exc:
            raise LocalModelError(str(exc)) from exc
        self.model = model
        self.options = options
        self._root = root
        self._config = llama_server.ServerConfig(
            binary=llama_build.server_binary(root), model_path=model_files.model_path(self.spec, root),
            options=options, draft_path=model_files.model_path(draft, root) if draft else None, port=port)
        self._client = llama_server.new_client_id()
        self._state: llama_server.ServerState | None = None
        self._lock = threading.Lock()

    def litellm_args(self) -> dict:
        """Arguments that send a litellm call to this model's server (started on first use)."""
        with self._lock:
            if self._state is None:
                self._state = self._acquire()
            state = self._state
        # cache_prompt: the server reuses the longest prefix it holds (a slot's KV or its RAM prompt cache)
        # and evaluates only the rest; said explicitly, since llama-server's default has changed before.
        return {"model": f"openai/{self.spec.name}", "api_base": state.api_base, "api_key": "sk-local",
                "extra_body": {"cache_prompt": True}}

    def recover(self) -> bool:
        """After a failed call: restarts the server if it died (or rejoins it if another process already did).
        True when the server changed, so the call is worth retrying. A server still running is left as it is,
        even if /health is slow: busy with many requests (ours or other processes'), it answers late."""
        with self._lock:
            before = self._state
            current = llama_server.read_state(self.spec.name, self._root)
            still_running = (before is not None and current is not None and current.pid == before.pid
                             and llama_server.is_server(current.pid))
            if still_running:
                return False
            self._state = self._acquire()
            return before is None or self._state.pid != before.pid

    def crash_report(self) -> str | None:
        """After a failed call: that the server we used is gone, with the end of its log (None while it runs)."""
        state = self._state
        if state is None or llama_server.pid_alive(state.pid):
            return None
        tail = llama_server.log_tail(Path(state.log))
        return (f"llama-server (pid {state.pid}) is no longer running (crashed or stopped)"
                + (f"; the last lines of {state.log}:\n  {tail}" if tail else ""))

    def close(self) -> None:
        """Leaves the shared server; the last client to leave stops it."""
        with self._lock:
            if self._state is not None:
                llama_server.release(self.spec.name, self._client, self._root)
                self._state = None

    def _acquire(self) -> llama_server.ServerState:
        if needed := missing_pieces(self.model, self._root, self.options):
            raise LocalModelError(f"the embedded model {self.model} is not ready; run: " + " && ".join(needed))
        try:
            return llama_server.acquire(self.spec.name, self._config, self._client, self._root)
        except Timeout as exc:   # before OSError, which it is
            raise LocalModelError(f"cannot serve {self.model}: another coderefine process holds {exc.lock_file}; "
                                  "wait, or run `coderefine model stop`") from exc
        except (llama_server.ServerError, OSError) as exc:
            raise LocalModelError(f"cannot serve {self.model}: {exc}") from exc
