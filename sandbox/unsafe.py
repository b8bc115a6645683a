"""The unsafe backend: a plain subprocess with rlimits. Only when asked for by name; warns once per backend.

Candidate code runs as your own user, beside the process that judges it, so
every report from this backend is marked untrusted.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from contextlib import ExitStack

from sandbox.bwrap import rlimit_prefix
from sandbox.process import ProcessJail
from sandbox.rundir import RunDir
from sandbox.slots import tasks_of
from sandbox.types import Limits

WARNING = ("sandbox backend 'unsafe': candidate code runs as YOUR user with only rlimits, "
           "no filesystem or network isolation")


class UnsafeBackend:
    name = "unsafe"

    def __init__(self) -> None:
        warnings.warn(WARNING, stacklevel=3)

    def features(self) -> dict[str, bool]:
        return {"per_slot_uid": False, "network_denied": False, "pid_namespace": False, "read_only_root": False,
                "empty_environment": True, "capabilities_dropped": False, "nested_userns_disabled": False,
                "rlimits": True, "workdir_quota": False}

    def probe(self) -> str:
        return "" if shutil.which("prlimit") else "prlimit (util-linux) is missing"

    def open(self, command: list[str], *, ro_files: dict[str, bytes], work_files: dict[str, bytes],
             limits: Limits, wall: float, role: str = "worker", stderr_cap: int = 64_000,
             ro_dirs: dict[str, str] | None = None) -> ProcessJail:
        """Start `command` with /sb and /work (as the sandboxed backends name them) mapped to a host run dir."""
        stack = ExitStack()
        try:
            run = RunDir(ro_files, work_files, limits, uid=None, mount=False)
            stack.callback(run.remove)
            places = {"/sb": str(run.ro), "/work": str(run.path("work")), **(ro_dirs or {})}
            argv = [_mapped(arg, places) for arg in command]
            proc = subprocess.Popen([*rlimit_prefix(limits, wall, tasks_of(os.getuid())), *argv], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=run.path("work"),
                                    start_new_session=True,
                                    env={"PATH": "/usr/bin:/bin", "HOME": str(run.path("work")), "LANG": "C.UTF-8",
                                         "TMPDIR": str(run.path("tmp"))})
            return ProcessJail(proc, stderr_cap, stack, lambda: "")
        except BaseException:
            stack.close()
            raise

    def close(self) -> None:
        pass


def _mapped(arg: str, places: dict[str, str]) -> str:
    """`/sb/x` -> `<run dir>/ro/x`, and `'/sb'` inside Python source -> `'<run dir>/ro'`."""
    for inside, host in places.items():
        arg = arg.replace(f"{inside}/", f"{host}/").replace(f"'{inside}'", f"'{host}'")
    return arg
