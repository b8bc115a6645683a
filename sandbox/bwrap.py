"""The bubblewrap backend: a fresh namespace jail per process, as an unprivileged uid per jail.

Layout inside: /usr (+ /bin, /lib* links or binds) read-only, /sb (the files
the host wrote for this jail) read-only, /work (the cwd), /tmp and /dev/shm in
one quota'd tmpfs (sandbox/rundir.py), a new /proc and /dev, root remounted
read-only. bwrap is started with an empty environment (else /proc/1/environ
leaks it), no capabilities, in new user, pid, net, ipc, uts and cgroup
namespaces. The command runs as PID 1 of its namespace (`--as-pid-1`): when it
dies, the kernel kills and reaps everything else inside, and bwrap, our child,
reaps it, so no zombie of the jail's uid is left for the host's init (bwrap's
own init would be orphaned when bwrap exits). A side effect: as PID 1, a
program cannot kill itself with a signal it does not handle. Where cgroup v1 memory
and pids groups can be made, each jail is also confined to its uid's cgroup
(sandbox/cgroup.py), which caps the sum over all its processes.

Each jail leases its own uid (as root), so the checker of a run and its
worker never share a uid, a PID namespace, or a descriptor: the candidate can
neither signal, ptrace, freeze nor read the checker. Unprivileged, both run as
the caller's uid, but still in separate user and PID namespaces, where neither
can even name the other.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
from contextlib import ExitStack
from pathlib import Path

from sandbox import cgroup
from sandbox.process import ProcessJail, RawRun, kill_session, run_to_end
from sandbox.rundir import RunDir, mount_problem
from sandbox.slots import UidPool, tasks_of
from sandbox.types import Limits

PYTHON = "/usr/bin/python3"
INSIDE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/work", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
              "PYTHONIOENCODING": "utf-8"}


def rlimit_prefix(limits: Limits, wall: float, tasks_before: int = 0) -> list[str]:
    """`prlimit` arguments that cap the whole process tree (inherited by everything it starts). RLIMIT_NPROC
    counts every task of the uid: a tree that runs as a uid with `tasks_before` tasks already gets its
    `limits.nproc` on top of them (else a busy user's jail could not even start)."""
    cpu = limits.cpu_seconds or int(wall) + 1
    return ["prlimit", f"--as={limits.memory_mb << 20}", f"--cpu={cpu}", f"--fsize={limits.fsize_mb << 20}",
            f"--nofile={limits.nofile}", f"--nproc={limits.nproc + tasks_before}", "--core=0",
            f"--stack={64 << 20}", "--"]


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
        self.quota_reason = mount_problem()

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
                "pids_cgroup": in_cgroup, "workdir_quota": not self.quota_reason}

    def probe(self) -> str:
        """'' when bwrap works here, else why not."""
        if not os.path.exists(self.bwrap):
            return "bubblewrap is not installed (apt-get install bubblewrap)"
        if not os.path.exists(PYTHON):
            return f"{PYTHON} is missing (apt-get install python3)"
        run = self._probe_run()
        if run.stdout.strip() != b"ok" and self.cgroups is not None and self.cgroups.active:
            self.cgroups.reason = f"a probe run inside the slot cgroup failed: {run.stderr.decode(errors='replace')[:300]}"
            run = self._probe_run()
        if run.stdout.strip() != b"ok":
            return f"bwrap failed: {run.stderr.decode(errors='replace').strip()[:400]}"
        return ""

    def _probe_run(self) -> RawRun:
        return run_to_end(self, [PYTHON, "-c", "print('ok')"], ro_files={}, work_files={}, limits=Limits(),
                          wall=10.0, stdout_cap=1000, stderr_cap=4000, kill_after=None)

    def argv(self, run: RunDir, command: list[str], limits: Limits, wall: float,
             ro_dirs: dict[str, str] | None = None) -> list[str]:
        extra = [arg for inside, host in (ro_dirs or {}).items() for arg in ("--ro-bind", host, inside)]
        env = [arg for key, value in INSIDE_ENV.items() for arg in ("--setenv", key, value)]
        if run.mounted:  # one quota'd tmpfs behind all three
            writable = ["--bind", str(run.path("tmp")), "/tmp", "--bind", str(run.path("shm")), "/dev/shm"]
        else:
            size = str(limits.tmp_mb << 20)
            writable = ["--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/dev/shm"]
        tasks_before = 0 if self.as_root else tasks_of(os.getuid())   # as root, each jail has a fresh uid
        return [*rlimit_prefix(limits, wall, tasks_before), self.bwrap,
                "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
                "--die-with-parent", "--new-session", "--as-pid-1", "--hostname", "sandbox",
                *system_binds(), "--proc", "/proc", "--dev", "/dev", *writable,
                "--ro-bind", str(run.ro), "/sb", *extra, "--bind", str(run.path("work")), "/work",
                "--chdir", "/work", "--remount-ro", "/", *env, *command]

    def open(self, command: list[str], *, ro_files: dict[str, bytes], work_files: dict[str, bytes],
             limits: Limits, wall: float, role: str = "worker", stderr_cap: int = 64_000,
             ro_dirs: dict[str, str] | None = None) -> ProcessJail:
        """Start `command` (paths under /sb and /work as seen inside) in a fresh jail of its own.

        `role` needs nothing special here: every jail has its own uid and namespaces anyway."""
        stack = ExitStack()
        try:
            uid = stack.enter_context(self.uids.lease()) if self.as_root else None
            run = RunDir(ro_files, work_files, limits, uid, mount=self.as_root and not self.quota_reason)
            stack.callback(run.remove)
            if uid is not None:
                stack.callback(kill_all_of_uid, uid)  # after the jail is killed, before its dir goes
            argv = self.argv(run, command, limits, wall, ro_dirs)
            slot = None
            if uid is not None and self.cgroups.active:
                slot = self.cgroups.prepare(uid, limits)
                stack.callback(slot.empty)
                argv = cgroup.gate_argv(argv)
            ids = {} if uid is None else {"user": uid, "group": uid, "extra_groups": []}
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env={}, start_new_session=True, **ids)
            jail = ProcessJail(proc, stderr_cap, stack, lambda: (slot.limit_hit() if slot else "") or run.full(),
                               stop=stop_jail)
        except BaseException:
            stack.close()
            raise
        if slot is not None:
            try:
                slot.adopt(proc.pid)
            except BaseException:
                jail.close()
                raise
            jail.transport.write(memoryview(b"go\n"))  # opens the gate; fits any pipe buffer
        return jail

    def close(self) -> None:
        pass


def stop_jail(proc: subprocess.Popen) -> None:
    """Kill the jail's PID 1 (bwrap's one child), so that bwrap itself reaps it and exits.

    Killing bwrap first would orphan that child, which would then linger as a zombie of the slot uid
    until the host's PID 1 reaps it (about 2 s here; never, under some inits). Zombies count against
    RLIMIT_NPROC, and enough of them on one uid made the next jail of that uid fail to start, which a
    pytest run reported as a single 'killed' outcome."""
    try:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    except OSError:  # it already ended
        children = []
    if not children:  # ended, or not yet past the gate: nothing inside to orphan
        kill_session(proc)
        return
    for child in children:
        try:
            os.kill(int(child), signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=2.0)
    except subprocess.TimeoutExpired:  # bwrap did not notice: kill it too
        kill_session(proc)


def kill_all_of_uid(uid: int) -> None:
    """Fork, become `uid`, kill(-1): reaches every process of that uid and nothing else."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            for _ in range(20):  # a zombie (someone else's to reap) also answers: do not wait on it
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
