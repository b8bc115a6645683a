"""`check()`: which backends work here, why not, and which isolation features each one has."""
from __future__ import annotations

from sandbox.errors import SandboxUnavailable


def check() -> dict:
    """{backend: {available, reason, features}}, whether bwrap runs get a cgroup and a workdir quota, and what
    `auto` would pick.

    Probes for real."""
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
        if name == "bwrap":
            result["cgroup"] = {"used": not backend.cgroup_reason, "reason": backend.cgroup_reason or
                                "each bwrap run is in its slot's cgroup v1 memory and pids groups"}
            result["quota"] = {"used": not backend.quota_reason, "reason": backend.quota_reason or
                               "each bwrap jail's /work, /tmp and /dev/shm share one tmpfs with a size and file quota"}
        backend.close()
    result["backends"]["unsafe"] = {"available": True, "reason": "only when asked for by name (no isolation)",
                                    "features": {"rlimits": True}}
    result.setdefault("cgroup", {"used": False, "reason": "bwrap is not usable, so no slot cgroup either"})
    result["cgroup"]["docker"] = "docker enforces memory and pids through its own container cgroup"
    result["auto"] = next((n for n in ("docker", "bwrap") if result["backends"][n]["available"]), None)
    return result
