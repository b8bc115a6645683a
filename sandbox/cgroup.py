"""Per-slot cgroup (v1 memory + pids) for bwrap runs, where this process may create child cgroups.

rlimits cap each process (RLIMIT_AS) and the slot uid (RLIMIT_NPROC), but not the
sum: eight children of 1 GB each stay under both. A cgroup caps the whole tree of
one run. Each leased slot uid gets its own child cgroup, so limits never mix
between concurrent runs. The (empty) slot cgroups are kept for reuse rather than
removed: another Sandbox, even in another process, may be about to use one. The run's first process joins it before it execs
anything (see `gate_argv`), so nothing it forks can start outside.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from sandbox.types import Limits

CONTROLLERS = ("memory", "pids")
V1_ROOT = Path("/sys/fs/cgroup")
GROUP = "coderefine-sandbox"
HEADROOM_MB = 64   # bwrap and the interpreter itself, beyond the candidate's own memory
EXTRA_PIDS = 4     # bwrap and the gate shell, with room to spare


def own_v1_dirs(proc_cgroup: str) -> dict[str, Path]:
    """Our own cgroup dir in each v1 memory/pids hierarchy named by /proc/self/cgroup text."""
    found = {}
    for line in proc_cgroup.splitlines():
        _, names, path = line.split(":", 2)
        for name in names.split(","):
            if name in CONTROLLERS:
                found[name] = V1_ROOT / name / path.lstrip("/")
    return found


class SlotCgroups:
    """Finds where we may create cgroups; then one child cgroup per slot uid, limited per run."""

    def __init__(self):
        self.parents: dict[str, Path] = {}
        self.reason = self._find()

    @property
    def active(self) -> bool:
        return not self.reason

    def _find(self) -> str:
        try:
            dirs = own_v1_dirs(Path("/proc/self/cgroup").read_text())
        except OSError as exc:
            return f"cannot read /proc/self/cgroup: {exc}"
        missing = [c for c in CONTROLLERS if c not in dirs or not dirs[c].is_dir()]
        if missing:
            return f"no cgroup v1 {' and '.join(missing)} hierarchy here (cgroup v2 is not supported)"
        for controller, own in dirs.items():
            parent = own / GROUP
            try:
                parent.mkdir(exist_ok=True)
            except OSError as exc:
                return f"cannot create {parent}: {exc.strerror}"
            self.parents[controller] = parent
        return ""

    def prepare(self, uid: int, limits: Limits) -> "Slot":
        """The slot's cgroups, emptied and limited for this run: memory_mb + tmp_mb (tmpfs counts) + headroom."""
        memory, pids = dirs = [self.parents[c] / f"slot-{uid}" for c in CONTROLLERS]
        limit = (limits.memory_mb + limits.tmp_mb + HEADROOM_MB) << 20
        for slot in dirs:
            slot.mkdir(exist_ok=True)
        empty(dirs)
        swap = memory / "memory.memsw.limit_in_bytes"
        if swap.exists():  # memsw >= limit always: lift it, set the limit, then forbid swap beyond it
            swap.write_text("-1")
        (memory / "memory.limit_in_bytes").write_text(str(limit))
        if swap.exists():
            swap.write_text(str(limit))
        (pids / "pids.max").write_text(str(limits.nproc + EXTRA_PIDS))
        return Slot(dirs, _counter(memory / "memory.oom_control", "oom_kill"), _counter(pids / "pids.events", "max"))


class Slot:
    """One run's cgroups, and the counters that tell the host which limit it ran into."""

    def __init__(self, dirs: list[Path], oom_kills: int, pids_refused: int):
        self.dirs, self.oom_kills, self.pids_refused = dirs, oom_kills, pids_refused

    def adopt(self, pid: int) -> None:
        """Move `pid` (still waiting at the gate) into every cgroup of the slot."""
        for slot in self.dirs:
            (slot / "cgroup.procs").write_text(str(pid))

    def limit_hit(self) -> str:
        """'memory_mb' if the kernel OOM-killed in this run, 'nproc' if it refused a fork, else ''."""
        memory, pids = self.dirs
        if _counter(memory / "memory.oom_control", "oom_kill") > self.oom_kills:
            return "memory_mb"
        if _counter(pids / "pids.events", "max") > self.pids_refused:
            return "nproc"
        return ""

    def empty(self) -> None:
        empty(self.dirs)


def _counter(path: Path, name: str) -> int:
    """A `name value` line of a cgroup file (0 when the kernel does not offer it)."""
    try:
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == name:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


def empty(dirs: list[Path]) -> None:
    """SIGKILL whatever is still in these cgroups, until they are empty (a clean run leaves nothing)."""
    for attempt in range(500):
        pids = {int(p) for slot in dirs for p in (slot / "cgroup.procs").read_text().split()}
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.002 if attempt < 50 else 0.01)


def gate_argv(argv: list[str]) -> list[str]:
    """Wrap `argv` in a shell that waits for one line on stdin (sent once its pid is adopted), then execs
    `argv`, which reads what follows on the same stdin (the shell's `read` takes no byte past the line).
    The shell exports PWD (the host's cwd) on its own; it is unset so bwrap, and through /proc/1/environ
    the candidate, still see an empty environment."""
    return ["/bin/sh", "-c", 'read -r _ && unset PWD OLDPWD && exec "$@"', "sh", *argv]
