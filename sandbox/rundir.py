"""The host directory of one bwrap or unsafe jail: `ro/` (files it reads) and `rw/` (its writable space).

As root, `rw/` is a tmpfs mounted for this jail alone (size=tmp_mb,
nr_inodes=files), with `work/`, `tmp/` and `shm/` in it, bound into the jail
as /work, /tmp and /dev/shm: one quota covers all three, nothing reaches the
host's disk, and unmounting removes everything at once, however deep the
candidate nested its directories. Without the right to mount, `rw/work` is a
plain directory without a quota (`check()` says so), and `rm -rf`, which
walks iteratively, removes it. Removal never raises.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sandbox.types import Limits

PARTS = ("work", "tmp", "shm")
MS_NOSUID, MS_NODEV, MNT_DETACH = 2, 4, 2


LIBC = ctypes.CDLL(None, use_errno=True)


def mount_problem() -> str:
    """'' when this process may mount a tmpfs (so quotas work), else why not."""
    if os.geteuid() != 0:
        return "not root: /work is a host directory without a size or file quota"
    probe = Path(tempfile.mkdtemp(prefix="coderefine-probe-"))
    try:
        _mount_tmpfs(probe, "size=64k,nr_inodes=16,mode=0700")
        LIBC.umount2(bytes(probe), MNT_DETACH)
        return ""
    except OSError as exc:
        return f"cannot mount a tmpfs ({exc.strerror}): /work is a host directory without a quota"
    finally:
        probe.rmdir()


def _mount_tmpfs(path: Path, options: str) -> None:
    if LIBC.mount(b"tmpfs", bytes(path), b"tmpfs", MS_NOSUID | MS_NODEV, options.encode()) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), str(path))


class RunDir:
    """Made with `ro_files` in ro/ (root-owned, world-readable) and `work_files` in rw/work (owned by `uid`)."""

    def __init__(self, ro_files: dict[str, bytes], work_files: dict[str, bytes], limits: Limits,
                 uid: int | None, mount: bool):
        self.base = Path(tempfile.mkdtemp(prefix="coderefine-sb-"))
        self.mounted = False
        try:
            os.chmod(self.base, 0o711)
            self.ro, self.rw = self.base / "ro", self.base / "rw"
            self.ro.mkdir(mode=0o755)
            self.rw.mkdir(mode=0o700)
            for name, data in ro_files.items():
                (self.ro / name).write_bytes(data)
                os.chmod(self.ro / name, 0o644)
            if mount:
                owner = f",uid={uid},gid={uid}" if uid is not None else ""
                _mount_tmpfs(self.rw, f"size={limits.tmp_mb}m,nr_inodes={limits.files + len(PARTS) + 1},"
                                      f"mode=0700{owner}")
                self.mounted = True
            for part in PARTS:
                (self.rw / part).mkdir(mode=0o700)
            for name, data in work_files.items():
                target = self.rw / "work" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            if uid is not None:
                for path in [self.rw, *self.rw.rglob("*")]:
                    os.lchown(path, uid, uid)
        except BaseException:
            self.remove()
            raise

    def path(self, part: str) -> Path:
        return self.rw / part

    def full(self) -> str:
        """'tmp_mb' or 'files' when the quota'd space is exhausted (as the host sees it), else ''."""
        if not self.mounted:
            return ""
        try:
            stat = os.statvfs(self.rw)
        except OSError:
            return ""
        if stat.f_favail == 0:
            return "files"
        return "tmp_mb" if stat.f_bavail < max(16, stat.f_blocks // 100) else ""  # a failed write leaves a crumb

    def remove(self) -> None:
        """Unmount (everything inside goes with it) and delete; never raises, never recurses."""
        if self.mounted and LIBC.umount2(bytes(self.rw), MNT_DETACH) == 0:
            self.mounted = False
            try:  # left: the flat ro/ and an empty mount point
                for entry in self.ro.iterdir():
                    entry.unlink()
                for path in (self.ro, self.rw, self.base):
                    path.rmdir()
                return
            except OSError:
                pass
        try:
            if os.geteuid() != 0:  # the candidate ran as us and may have taken its own permissions away
                subprocess.run(["chmod", "-R", "u+rwX", str(self.base)], stderr=subprocess.DEVNULL, check=False)
            subprocess.run(["rm", "-rf", "--one-file-system", str(self.base)], stderr=subprocess.DEVNULL,
                           check=False)
        except OSError:  # no rm (or no fork): the ro files are small; leave the rest rather than recurse
            shutil.rmtree(self.base / "ro", ignore_errors=True)
