"""Fixtures for the sandbox suite: one real Sandbox per backend, shared per module, and host-side probes."""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from sandbox import Sandbox, SandboxUnavailable

BACKENDS = [pytest.param("bwrap", id="bwrap"), pytest.param("docker", id="docker", marks=pytest.mark.docker)]


@pytest.fixture(scope="module", params=BACKENDS)
def box(request):
    """A real sandbox. Docker tests FAIL when the engine is unreachable, unless CODEREFINE_SKIP_DOCKER=1."""
    try:
        sandbox = Sandbox(backend=request.param)
    except SandboxUnavailable as exc:
        if request.param == "docker" and os.environ.get("CODEREFINE_SKIP_DOCKER") == "1":
            pytest.skip(f"CODEREFINE_SKIP_DOCKER=1: {exc}")
        pytest.fail(f"backend {request.param} unavailable: {exc}")
    yield sandbox
    sandbox.close()


@pytest.fixture
def token() -> str:
    """A unique marker: attack processes carry it in argv, planted secrets and canary files in their names."""
    return f"crtok{uuid.uuid4().hex[:12]}"


@pytest.fixture
def clean_host(token):
    """Call after an attack: asserts nothing carrying the token survives or left a canary on the host."""
    def check() -> None:
        for _ in range(40):
            if not survivors(token):
                break
            time.sleep(0.05)
        assert survivors(token) == []
        for place in (Path("/tmp"), Path("/"), Path("/usr"), Path.home()):
            assert not list(place.glob(f"*{token}*")), f"canary escaped into {place}"
    return check


def survivors(token: str) -> list[str]:
    """Live (non-zombie) host processes whose command line carries `token`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in cmdline and state != "Z":
            found.append(f"{entry.name}: {cmdline!r}")
    return found
