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
            return make_backend(name, slots), f"{name}: first usable backend" + (
                f" ({'; '.join(reasons)})" if reasons else "")
        except SandboxUnavailable as exc:
            reasons.append(str(exc))
    raise SandboxUnavailable("no sandbox backend is usable here: " + "; ".join(reasons) + f". To fix: {INSTALL_HINT}")
