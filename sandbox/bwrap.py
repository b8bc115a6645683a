"""The bubblewrap backend: a fresh namespace jail per run, as an unprivileged uid per slot.

Layout inside: /usr (+ /bin, /lib* links or binds) read-only, /sb (harness, job,
program files) read-only, /work the private writable cwd, /tmp a size-capped
tmpfs, a new /proc and /dev, root remounted read-only. bwrap is started with an
empty environment (else /proc/1/environ leaks it), no capabilities, in new user,
pid, net, ipc, uts and cgroup namespaces; killing it kills the whole PID namespace.
Where cgroup v1 memory and pids groups can be made, each run is also confined to
its slot's cgroup (sandbox/cgroup.py), which caps the sum over all its processes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sandbox import cgroup
from sandbox.process import RawRun, run_process
from sandbox.slots import UidPool
from sandbox.types import Limits

PYTHON = "/usr/bin/python3"
INSIDE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/work", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
              "PYTHONIOENCODING": "utf-8"}


def rlimit_prefix(limits: Limits, wall: float) -> list[str]:
    """`prlimit` arguments that cap the whole process tree (inherited by everything it starts)."""
    cpu = limits.cpu_seconds or int(wall) + 1
    return ["prlimit", f"--as={limits.memory_mb << 20}", f"--cpu={cpu}", f"--fsize={limits.fsize_mb << 20}",
            f"--nofile={limits.nofile}", f"--nproc={limits.nproc}", "--core=0", f"--stack={64 << 20}", "--"]


def system_binds() -> list[str]:
    """Bind /usr read-only and mirror the merged-/usr links (or bind real dirs) for /bin, /lib*, /sbin."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    return args


class BwrapBackend:
    name = "bwrap"

    def __init__(self, uids: UidPool | None = None):
        self.bwrap = shutil.which("bwrap") or "/usr/bin/bwrap"
        self.as_root = os.geteuid() == 0
        self.uids = uids or UidPool()
        self.cgroups = cgroup.SlotCgroups() if self.as_root else None

    @property
    def cgroup_reason(self) -> str:
        """'' when every run gets its slot's memory and pids cgroup, else why not."""
        if self.cgroups is None:
            return "not root: per-slot uids and cgroups need root; rlimits only"
        return self.cgroups.reason

    def features(self) -> dict[str, bool]:
        in_cgroup = not self.cgroup_reason
        return {"per_slot_uid": self.as_root, "network_denied": True, "pid_namespace": True,
                "read_only_root": True, "empty_environment": True, "capabilities_dropped": True,
                "nested_userns_disabled": True, "rlimits": True, "memory_cgroup": in_cgroup,
                "pids_cgroup": in_cgroup}

    def probe(self) -> str:
        """'' when bwrap works here, else why not."""
        if not os.path.exists(self.bwrap):
            return "bubblewrap is not installed (apt-get install bubblewrap)"
        if not os.path.exists(PYTHON):
            return f"{PYTHON} is missing (apt-get install python3)"
        with self.workspace({}, {}) as (ro, work, uid):
            run = run_process(self.argv(ro, work, [PYTHON, "-c", "print('ok')"], Limits(), 10.0), deadline=10.0,
                              stdout_cap=1000, stderr_cap=4000, **self._ids(uid))
        if run.stdout.strip() != b"ok":
            return f"bwrap failed: {run.stderr.decode(errors='replace').strip()[:400]}"
        if self.cgroups is not None and self.cgroups.active:  # optional: on failure, run without and say why
            try:
                run = self.execute([PYTHON, "-c", "print('ok')"], ro_files={}, work_files={}, limits=Limits(),
                                   wall=10.0, stdout_cap=1000, stderr_cap=4000, kill_after=None)
                problem = "" if run.stdout.strip() == b"ok" else run.stderr.decode(errors="replace").strip()[:300]
            except OSError as exc:
                problem = str(exc)
            if problem:
                self.cgroups.reason = f"a probe run inside the slot cgroup failed: {problem}"
        return ""

    def _ids(self, uid: int | None) -> dict:
        return {"user": uid, "group": uid} if uid is not None else {}

    @contextmanager
    def workspace(self, ro_files: dict[str, bytes], work_files: dict[str, bytes]) -> Iterator[tuple[Path, Path, int | None]]:
        """A host run dir: `ro/` (root-owned, read-only inside) and `work/` (owned by the leased uid)."""
        with self.uids.lease() if self.as_root else _no_uid() as uid:
            base = Path(tempfile.mkdtemp(prefix="coderefine-sb-"))
            try:
                os.chmod(base, 0o711)
                ro, work = base / "ro", base / "work"
                ro.mkdir(mode=0o755)
                work.mkdir(mode=0o700)
                for name, data in ro_files.items():
                    (ro / name).write_bytes(data)
                    os.chmod(ro / name, 0o644)
                for name, data in work_files.items():
                    target = work / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                if uid is not None:
                    for path in [work, *work.rglob("*")]:
                        os.lchown(path, uid, uid)
                yield ro, work, uid
            finally:
                shutil.rmtree(base, ignore_errors=True)

    def argv(self, ro: Path, work: Path, command: list[str], limits: Limits, wall: float,
             ro_dirs: dict[str, str] | None = None) -> list[str]:
        extra = [arg for inside, host in (ro_dirs or {}).items() for arg in ("--ro-bind", host, inside)]
        env = [arg for key, value in INSIDE_ENV.items() for arg in ("--setenv", key, value)]
        return [*rlimit_prefix(limits, wall), self.bwrap,
                "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
                "--die-with-parent", "--new-session", "--hostname", "sandbox",
                *system_binds(), "--proc", "/proc", "--dev", "/dev",
                "--size", str(limits.tmp_mb << 20), "--tmpfs", "/tmp",
                "--ro-bind", str(ro), "/sb", *extra, "--bind", str(work), "/work", "--chdir", "/work",
                "--remount-ro", "/", *env, *command]

    def execute(self, command: list[str], *, ro_files: dict[str, bytes], work_files: dict[str, bytes],
                limits: Limits, wall: float, stdout_cap: int, stderr_cap: int, kill_after: int | None,
                ro_dirs: dict[str, str] | None = None) -> RawRun:
        """Run `command` (paths under /sb and /work as seen inside) in a fresh jail."""
        with self.workspace(ro_files, work_files) as (ro, work, uid):
            argv = self.argv(ro, work, command, limits, wall, ro_dirs)
            if uid is None or not self.cgroups.active:
                run = run_process(argv, deadline=wall, stdout_cap=stdout_cap, stderr_cap=stderr_cap,
                                  kill_after=kill_after, **self._ids(uid),
                                  kill=lambda proc: _kill_uid_or_group(proc, uid))
            else:
                run = self._run_in_cgroup(argv, uid, limits, wall, stdout_cap, stderr_cap, kill_after)
            if uid is not None:
                kill_all_of_uid(uid)  # belt and braces: the PID namespace is already gone
            return run

    def _run_in_cgroup(self, argv: list[str], uid: int, limits: Limits, wall: float, stdout_cap: int,
                       stderr_cap: int, kill_after: int | None) -> RawRun:
        """The run's first process waits at a gate until it is in the slot's cgroups, so all it forks is too."""
        dirs = self.cgroups.prepare(uid, limits)
        gate_read, gate_write = os.pipe()
        try:
            def release(proc: subprocess.Popen) -> None:
                cgroup.adopt(dirs, proc.pid)
                os.write(gate_write, b"go\n")

            return run_process(cgroup.gate_argv(argv), deadline=wall, stdout_cap=stdout_cap,
                               stderr_cap=stderr_cap, kill_after=kill_after, **self._ids(uid),
                               kill=lambda proc: _kill_uid_or_group(proc, uid), stdin=gate_read,
                               on_start=release)
        finally:
            os.close(gate_read)
            os.close(gate_write)
            cgroup.empty(dirs)

    def close(self) -> None:
        pass


def _kill_uid_or_group(proc: subprocess.Popen, uid: int | None) -> None:
    """Kill bwrap's group (its PID namespace dies with it) and, as root, everything the slot uid runs."""
    try:
        os.killpg(proc.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
    if uid is not None:
        kill_all_of_uid(uid)


def kill_all_of_uid(uid: int) -> None:
    """Fork, become `uid`, kill(-1): reaches every process of that uid and nothing else."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            for _ in range(20):
                try:
                    os.kill(-1, 9)
                except ProcessLookupError:
                    break
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


@contextmanager
def _no_uid() -> Iterator[None]:
    yield None
