"""The Docker backend: pools of warm, locked-down containers, each jail one `exec` in one of them.

Starting a container costs about 0.4 s and an exec tens of ms, so containers
are kept warm and reused, one pool per shape (role, and the limits a
container fixes: memory, tmpfs size and files, pids). Workers (candidate
code) and checkers (the judging side of assert tests) never share a
container, and every container runs its jails under a uid of its own, so no
two share RLIMIT_NPROC's count or can signal each other. A candidate therefore can
neither see, signal, ptrace nor read a checker, and the exec streams that
carry frames are held by dockerd, outside every container.

In a container: the root is read-only, /sb is a read-only bind of a host dir
holding the jail's files, /work and /tmp are tmpfs (size=tmp_mb,
nr_inodes=files each), and there is no /dev/shm (ipc none). PID 1 is
docker's init (it reaps orphans), idling as root without capabilities. After
each jail, a reset exec (off the caller's clock, except after a failure or a
whole program, whose reset also tells which quota ran out) kills every
process of the role's uid and empties /work and /tmp with `rm -rf`; a
container that fails it is removed and replaced.
"""
from __future__ import annotations

import itertools
import os
import posixpath
import shlex
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox.bwrap import rlimit_prefix
from sandbox.link import CHUNK, Ending
from sandbox.types import Limits

IMAGE = "coderefine-sandbox:latest"
LABEL = "coderefine-sandbox"
UID_BASE = 200_000   # container uids: a block of 1000 per host process, one uid per container made
RESET = """
import os, signal, subprocess, time
me, uid = os.getpid(), os.getuid()
def mine():
    found = []
    for pid in os.listdir('/proc'):
        if pid.isdigit() and int(pid) != me:
            try:
                if os.stat(f'/proc/{pid}').st_uid == uid:
                    found.append(pid)
            except OSError:
                pass
    return found
for _ in range(400):
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if not mine():
        break
    time.sleep(0.005)
full = '-'
for place in ('/work', '/tmp'):
    st = os.statvfs(place)
    full = 'files' if st.f_favail == 0 else 'tmp_mb' if st.f_bavail < max(16, st.f_blocks // 100) else full
    subprocess.run(['chmod', '-R', 'u+rwX', place], stderr=subprocess.DEVNULL)
    subprocess.run(['rm', '-rf', '--one-file-system'] + [os.path.join(place, n) for n in os.listdir(place)])
print(full, 'clean' if not mine() and not os.listdir('/work') and not os.listdir('/tmp') else 'dirty')
"""


class ExecSocket:
    """A docker exec's hijacked connection as a Transport: stdin out; stdout and stderr in, demultiplexed."""

    def __init__(self, stream, stderr_cap: int):
        self.stream = stream  # docker-py's SocketIO: keeps the HTTP response (and so the connection) alive
        self.sock: socket.socket = getattr(stream, "_sock", stream)
        self.sock.setblocking(False)
        self.stderr_cap = stderr_cap
        self.pending = bytearray()
        self.err, self.err_seen = bytearray(), 0
        self.ended = False

    def read_fds(self) -> list[int]:
        return [] if self.ended else [self.sock.fileno()]

    def write_fd(self) -> int:
        return self.sock.fileno()

    def read(self, fd: int, size: int) -> bytes | None:
        try:
            chunk = self.sock.recv(size)
        except BlockingIOError:
            return b""
        except OSError:
            chunk = b""
        if not chunk:
            self.ended = True
            return None
        self.pending += chunk
        out = bytearray()
        while len(self.pending) >= 8:  # docker's frames: stream id, 3 zero bytes, a 4-byte length
            size = int.from_bytes(self.pending[4:8], "big")
            if len(self.pending) < 8 + size:
                break
            payload, kind = bytes(self.pending[8:8 + size]), self.pending[0]
            del self.pending[:8 + size]
            if kind == 2:
                self.err_seen += size
                self.err += payload[:max(0, self.stderr_cap - len(self.err))]
            else:
                out += payload
        return bytes(out)

    def write(self, data: memoryview) -> int:
        try:
            return self.sock.send(data)
        except BlockingIOError:
            return 0
        except OSError:  # the process is gone: what it did not read no longer matters
            return len(data)

    def close_input(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self) -> None:
        try:
            self.stream.close()
            self.sock.close()
        except Exception:  # already closed, or the connection broke: nothing left to release
            pass


@dataclass(frozen=True)
class Shape:
    """What a container fixes for its life: its role and the limits enforced on the container as a whole."""
    role: str
    memory_mb: int
    tmp_mb: int
    files: int
    nproc: int

    @classmethod
    def of(cls, role: str, limits: Limits) -> "Shape":
        return cls(role, limits.memory_mb, limits.tmp_mb, limits.files, limits.nproc)


class _Container:
    """One warm container of a shape, and the host dir bound read-only at /sb inside it."""

    def __init__(self, client, shape: Shape, uid: int):
        self.shape, self.user = shape, f"{uid}:{uid}"
        memory = f"{shape.memory_mb + 2 * shape.tmp_mb}m"  # the tmpfs are memory too
        self.dir = Path(tempfile.mkdtemp(prefix="coderefine-docker-"))
        os.chmod(self.dir, 0o755)
        quota = f"size={shape.tmp_mb}m,nr_inodes={shape.files + 1},uid={uid},gid={uid},mode=0700"
        self.container = client.containers.run(
            IMAGE, ["sleep", "infinity"], detach=True, user="0", init=True, network_mode="none", ipc_mode="none",
            read_only=True, cap_drop=["ALL"], security_opt=["no-new-privileges"], labels={LABEL: shape.role},
            mem_limit=memory, memswap_limit=memory, pids_limit=shape.nproc * 2, nano_cpus=1_000_000_000,
            working_dir="/", environment={"HOME": "/work", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"},
            tmpfs={"/work": quota, "/tmp": quota}, volumes={str(self.dir): {"bind": "/sb", "mode": "ro"}})
        self.oom_file = _oom_file(self.container)

    def oom_kills(self) -> int:
        """The container's OOM-kill count, read from the host's cgroup v1 files (0 where they are not visible)."""
        try:
            for line in self.oom_file.read_text().splitlines():
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
        except (OSError, ValueError, AttributeError):
            pass
        return 0

    def reset(self) -> tuple[bool, str]:
        """(clean, full): kill the role's processes, empty /work and /tmp; `full` names a quota they ran out of."""
        try:
            output = self.container.exec_run(["python3", "-c", RESET], user=self.user).output.split()
        except Exception:  # the container is gone or broken: it will be replaced
            return False, ""
        return output[-1:] == [b"clean"], {b"files": "files", b"tmp_mb": "tmp_mb"}.get(output[0] if output else b"", "")

    def remove(self) -> None:
        try:
            self.container.remove(force=True)
        except Exception:  # already gone: nothing to leak
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def _oom_file(container) -> Path | None:
    try:
        container.reload()
        pid = container.attrs["State"]["Pid"]
        for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            if "memory" in names.split(","):
                return Path("/sys/fs/cgroup/memory") / path.lstrip("/") / "memory.oom_control"
    except (OSError, KeyError, ValueError):
        pass
    return None


class DockerJail:
    """One exec in a container; on close the container is reset in the background and rejoins its pool."""

    def __init__(self, backend: "DockerBackend", box: _Container, exec_id: str, stream, stderr_cap: int):
        self.backend, self.box, self.exec_id = backend, box, exec_id
        self.transport = ExecSocket(stream, stderr_cap)
        self.oom_kills = box.oom_kills()
        self.ending: Ending | None = None

    def limit_hit(self) -> str:
        return "memory_mb" if self.box.oom_kills() > self.oom_kills else ""

    def close(self, settle: bool = False) -> Ending:
        if self.ending is None:
            code = None
            if self.transport.ended:  # it ended on its own: its status is known
                try:
                    code = self.backend.client.api.exec_inspect(self.exec_id).get("ExitCode")
                except Exception:
                    pass
            self.transport.close_input()
            hit = self.limit_hit()
            self.transport.close()
            if settle or code:  # reset now, which also tells whether a tmpfs was full
                clean, full = self.box.reset()
                self.backend.release(self.box, clean)
                hit = hit or full
            else:  # off the caller's clock
                threading.Thread(target=self.backend.recycle, args=(self.box,), daemon=True).start()
            self.ending = Ending(code=code, limit_hit=hit, stderr=self.transport.err.decode(errors="replace"))
        return self.ending


class DockerBackend:
    name = "docker"

    def __init__(self, slots: int = 2, limits: Limits | None = None):
        self.slots, self.limits = slots, limits or Limits()
        self.client = None
        self._idle: dict[Shape, list[_Container]] = {}
        self._made: dict[Shape, int] = {}
        self._changed = threading.Condition()
        self._uids = itertools.count(UID_BASE + os.getpid() % 1000 * 1000)

    def features(self) -> dict[str, bool]:
        return {"per_slot_uid": True, "network_denied": True, "pid_namespace": True, "read_only_root": True,
                "empty_environment": True, "capabilities_dropped": True, "nested_userns_disabled": True,
                "rlimits": True, "memory_cgroup": True, "pids_cgroup": True, "workdir_quota": True}

    def probe(self) -> str:
        try:
            import docker
            self.client = docker.from_env(timeout=10)
            self.client.ping()
        except Exception as exc:
            return f"the Docker engine does not answer ({type(exc).__name__}); start it (scripts/docker-engine.sh start)"
        try:
            self.client.images.get(IMAGE)
        except Exception:
            return f"image {IMAGE} is missing; build it: docker build -t {IMAGE} ."
        from sandbox.process import run_to_end
        try:
            raw = run_to_end(self, ["python3", "-c", "print('ok')"], ro_files={}, work_files={}, limits=self.limits,
                             wall=30.0, stdout_cap=100, stderr_cap=2000, kill_after=None)
        except Exception as exc:
            return f"a probe container failed: {type(exc).__name__}: {exc}"
        return "" if raw.stdout.strip() == b"ok" else f"a probe exec failed: {raw.stderr.decode(errors='replace')[:300]}"

    def _take(self, shape: Shape) -> _Container:
        """An idle container of this shape, or a new one (at most `slots` per shape; idle ones of other
        shapes make room once there are 4 x slots in all)."""
        with self._changed:
            while not self._idle.get(shape) and self._made.get(shape, 0) >= self.slots:
                self._changed.wait(0.1)
            if self._idle.get(shape):
                return self._idle[shape].pop()
            self._made[shape] = self._made.get(shape, 0) + 1
            uid = next(self._uids)
            evicted = []
            for idle in self._idle.values():
                while idle and sum(self._made.values()) - len(evicted) > 4 * self.slots:
                    evicted.append(idle.pop())
        for box in evicted:
            self.discard(box)
        try:
            box = _Container(self.client, shape, uid)
        except BaseException:
            with self._changed:
                self._made[shape] -= 1
            raise
        return box

    def discard(self, box: _Container) -> None:
        box.remove()
        with self._changed:
            self._made[box.shape] -= 1
            self._changed.notify_all()

    def recycle(self, box: _Container) -> None:
        self.release(box, box.reset()[0])

    def release(self, box: _Container, clean: bool) -> None:
        """Back to the idle ones once reset clean; removed otherwise."""
        if not clean:
            self.discard(box)
            return
        with self._changed:
            self._idle.setdefault(box.shape, []).append(box)
            self._changed.notify_all()

    def open(self, command: list[str], *, ro_files: dict[str, bytes], work_files: dict[str, bytes],
             limits: Limits, wall: float, role: str = "worker", stderr_cap: int = 64_000,
             ro_dirs: dict[str, str] | None = None) -> DockerJail:
        """One exec of `command` in a warm container of `role`'s pool (`ro_dirs` is for backends without pytest)."""
        box = self._take(Shape.of(role, limits))
        try:
            for old in box.dir.iterdir():
                old.unlink()
            work = list(work_files.items())   # staged flat (work--0, ...): their names may hold folders
            for name, data in {**ro_files, **{f"work--{i}": data for i, (_, data) in enumerate(work)}}.items():
                (box.dir / name).write_bytes(data)
                os.chmod(box.dir / name, 0o644)
            if work:  # copied into the quota'd /work first
                copies = "; ".join(f"mkdir -p {shlex.quote(posixpath.dirname('/work/' + name))} && "
                                   f"cp /sb/work--{i} {shlex.quote('/work/' + name)}" for i, (name, _) in enumerate(work))
                box.container.exec_run(["sh", "-c", copies], user=box.user)
            api = self.client.api
            exec_id = api.exec_create(box.container.id, [*rlimit_prefix(limits, wall), *command], stdin=True,
                                      user=box.user, workdir="/work" if role == "worker" else "/")["Id"]
            stream = api.exec_start(exec_id, socket=True)
        except BaseException:
            self.discard(box)
            raise
        return DockerJail(self, box, exec_id, stream, stderr_cap)

    def close(self) -> None:
        """Remove every container, after waiting (up to 30 s) for those still being reset."""
        deadline = time.monotonic() + 30
        with self._changed:
            while sum(self._made.values()) > sum(map(len, self._idle.values())) and time.monotonic() < deadline:
                self._changed.wait(0.5)
            boxes = [box for idle in self._idle.values() for box in idle]
            self._idle.clear()
        for box in boxes:
            self.discard(box)
        if self.client is not None:
            self.client.close()
