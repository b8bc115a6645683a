"""`check()`: which backends work here, why not, and which isolation features each one has."""
from __future__ import annotations

from sandbox.errors import SandboxUnavailable


def check() -> dict:
    """{backend: {available, reason, features}} plus what `auto` would pick. Probes for real."""
    from sandbox.backends import make_backend
    result: dict = {"backends": {}}
    for name in ("docker", "bwrap"):
        try:
            backend = make_backend(name)
        except SandboxUnavailable as exc:
            result["backends"][name] = {"available": False, "reason": str(exc), "features": {}}
            continue
        result["backends"][name] = {"available": True, "reason": "a probe program ran in it",
                                    "features": backend.features()}
        backend.close()
    result["backends"]["unsafe"] = {"available": True, "reason": "only when asked for by name (no isolation)",
                                    "features": {"rlimits": True}}
    result["cgroup"] = {"used": False, "reason": "not implemented: bwrap relies on rlimits (AS per process, "
                        "NPROC per slot uid); docker enforces memory and pids through its own cgroup"}
    result["auto"] = next((n for n in ("docker", "bwrap") if result["backends"][n]["available"]), None)
    return result
