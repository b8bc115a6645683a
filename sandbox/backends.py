"""Constructing backends by name, and the `auto` choice (docker, else bwrap, never unsafe silently)."""
from __future__ import annotations

from typing import Protocol

from sandbox.errors import SandboxUnavailable
from sandbox.link import Jail
from sandbox.types import Limits

INSTALL_HINT = ("install bubblewrap (`apt-get install bubblewrap`) or start Docker and build the image "
                "(`scripts/docker-engine.sh start`); the unsafe backend must be asked for by name")


class Backend(Protocol):
    name: str

    def features(self) -> dict[str, bool]: ...
    def probe(self) -> str: ...
    def open(self, command: list[str], *, ro_files: dict[str, bytes], work_files: dict[str, bytes],
             limits: Limits, wall: float, role: str = "worker", stderr_cap: int = 64_000,
             ro_dirs: dict[str, str] | None = None) -> Jail:
        """Start `command` in a fresh jail: files in /sb (read-only) and /work; `role` is "worker" (runs candidate
        code) or "checker" (must not share a uid or namespace with any worker)."""
    def close(self) -> None: ...


def make_backend(name: str, slots: int = 2) -> Backend:
    """A working backend of that name, or SandboxUnavailable saying why not."""
    if name == "bwrap":
        from sandbox.bwrap import BwrapBackend
        backend = BwrapBackend()
    elif name == "docker":
        from sandbox.docker_backend import DockerBackend
        backend = DockerBackend(slots=slots)
    elif name == "unsafe":
        from sandbox.unsafe import UnsafeBackend
        backend = UnsafeBackend()
    else:
        raise SandboxUnavailable(f"unknown sandbox backend {name!r}: use auto, docker, bwrap or unsafe")
    problem = backend.probe()
    if problem:
        backend.close()
        raise SandboxUnavailable(f"sandbox backend {name!r} is not usable: {problem}")
    return backend


def pick_auto(slots: int = 2) -> tuple[Backend, str]:
    """Docker when the engine answers and the image exists, else bwrap; say which and why."""
    reasons = []
    for name in ("docker", "bwrap"):
        try:
            backend = make_backend(name, slots)
        except SandboxUnavailable as exc:
            reasons.append(str(exc))
            continue
        skipped = f", as docker is not usable ({_first_clause(reasons[0])})" if reasons else ""
        return backend, f"{name}: the first usable backend{skipped}"
    raise SandboxUnavailable("no sandbox backend is usable here: " + "; ".join(reasons) + f". To fix: {INSTALL_HINT}")


def _first_clause(text: str, limit: int = 80) -> str:
    """The start of a long reason, for a one-line note (the whole text is in the error when nothing works)."""
    clause = text.split(": ", 2)[-1].split(";")[0].split(". ")[0].strip()
    return clause if len(clause) <= limit else clause[:limit - 1] + "…"
