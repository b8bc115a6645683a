"""The unsafe backend: a plain subprocess with rlimits. Only when asked for by name; warns every time."""
from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from sandbox.bwrap import rlimit_prefix
from sandbox.process import RawRun, run_process
from sandbox.types import Limits

WARNING = ("sandbox backend 'unsafe': candidate code runs as YOUR user with only rlimits, "
           "no filesystem or network isolation")


class UnsafeBackend:
    name = "unsafe"

    def features(self) -> dict[str, bool]:
        return {"per_slot_uid": False, "network_denied": False, "pid_namespace": False, "read_only_root": False,
                "empty_environment": True, "capabilities_dropped": False, "nested_userns_disabled": False,
                "rlimits": True}

    def probe(self) -> str:
        return "" if shutil.which("prlimit") else "prlimit (util-linux) is missing"

    def execute(self, command: list[str], *, ro_files: dict[str, bytes], work_files: dict[str, bytes],
                limits: Limits, wall: float, stdout_cap: int, stderr_cap: int, kill_after: int | None,
                ro_dirs: dict[str, str] | None = None) -> RawRun:
        warnings.warn(WARNING, stacklevel=3)
        print(f"WARNING: {WARNING}", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="coderefine-unsafe-") as base:
            sb, work = Path(base) / "sb", Path(base) / "work"
            sb.mkdir()
            work.mkdir()
            for name, data in ro_files.items():
                (sb / name).write_bytes(data)
            for name, data in work_files.items():
                (work / name).parent.mkdir(parents=True, exist_ok=True)
                (work / name).write_bytes(data)
            argv = [arg.replace("/sb/", f"{sb}/").replace("'/sb'", f"'{sb}'").replace("/work/", f"{work}/")
                    .replace("'/work'", f"'{work}'") for arg in command]
            for inside, host in (ro_dirs or {}).items():
                argv = [arg.replace(f"'{inside}'", f"'{host}'") for arg in argv]
            return run_process([*rlimit_prefix(limits, wall), *argv], deadline=wall, stdout_cap=stdout_cap,
                               stderr_cap=stderr_cap, kill_after=kill_after, cwd=str(work),
                               env={"PATH": "/usr/bin:/bin", "HOME": str(work), "LANG": "C.UTF-8"})

    def close(self) -> None:
        pass
