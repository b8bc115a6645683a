"""In-sandbox test harness (stdlib only). Also imported outside the sandbox for its pure helpers.

Run as `python3 -I harness.py JOB.json`. Two processes split the work so that
candidate code never shares a process with the result channel:

* the *monitor* (this process) reads the job, never executes candidate code,
  and alone writes results, one JSON line per test, to its stdout;
* a forked *worker* loads the candidate and runs the tests in order, sending
  one result message per test without waiting to be asked (a request/reply
  round trip per test doubled the context switches, which dominate on a busy
  machine). It sees neither the monitor's stdout nor its memory (the monitor is
  made non-dumpable, so /proc/<monitor>/fd and ptrace are closed to it).

Each test gets its own deadline, counted by the monitor from the previous
message and enforced with SIGKILL, so a spin inside C code or a segfault costs
only that test: a fresh worker is forked to go on from the next one. Expected
values of call tests are not in the job at all; the worker returns actual
values and the comparison happens outside the sandbox.
"""
from __future__ import annotations

import json
import os
import select
import signal
import struct
import sys
import time
import types
from typing import Any, Callable

# A worker's exit code when a MemoryError escaped even its own error reporting.
MEMORY_EXIT = 86
# Statuses a worker may report; anything else is a protocol violation.
WORKER_STATUSES = {"returned", "passed", "failed", "error", "memory", "output-limit"}
# Statuses after which fail_fast stops the run.
BENIGN_STATUSES = {"returned", "passed", "failed"}
MAX_MESSAGE = 256 * 1024 * 1024


def resolve_entry(namespace: dict, entry_point: str) -> Callable:
    """`func` -> namespace['func']; `Solution().method` or `Solution.method` -> a bound method of a fresh instance."""
    if "." not in entry_point:
        return namespace[entry_point]
    owner, method = entry_point.rsplit(".", 1)
    cls = namespace[owner.removesuffix("()")]
    return getattr(cls(), method)


def to_jsonable(value: Any) -> Any:
    """Normalise a return value to JSON data: tuples and sets become lists, dict keys strings."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_jsonable(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    raise TypeError(f"return value of type {type(value).__name__} is not JSON data")


# ---------------------------------------------------------------- framing

def send(fd: int, message: dict) -> None:
    data = json.dumps(message).encode()
    os.write(fd, struct.pack(">I", len(data)))
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, size: int, deadline: float) -> bytes | None:
    """`size` bytes from fd before `deadline`; None on timeout, b'' on EOF."""
    chunks, got = [], 0
    while got < size:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            return b""
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def receive(fd: int, deadline: float) -> dict | str:
    """The next message, or 'timeout' / 'eof' / 'garbage'."""
    header = _read_exact(fd, 4, deadline)
    if header is None:
        return "timeout"
    if len(header) < 4:
        return "eof"
    (size,) = struct.unpack(">I", header)
    if size > MAX_MESSAGE:
        return "garbage"
    body = _read_exact(fd, size, deadline)
    if body is None:
        return "timeout"
    if len(body) < size:
        return "eof"
    try:
        message = json.loads(body)
    except ValueError:
        return "garbage"
    return message if isinstance(message, dict) else "garbage"


# ---------------------------------------------------------------- worker (runs candidate code)

def _short_traceback(exc: BaseException, limit: int = 4000) -> str:
    import traceback
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return text[-limit:]


def _classify(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, OSError) and exc.errno == 27:  # EFBIG: RLIMIT_FSIZE reached by output
        return "output-limit"
    return "error"


def _worker(job: dict, first: int, replies: int) -> None:
    """Load the candidate, then run the tests from index `first` on, one result message each."""
    import copy

    capture = os.open("/tmp", os.O_TMPFILE | os.O_RDWR, 0o600)
    for fd in (1, 2):
        os.dup2(capture, fd)
    sys.stdout = open(1, "w", closefd=False, errors="replace")
    sys.stderr = open(2, "w", closefd=False, errors="replace")
    cap = int(job.get("output_bytes", 64_000))

    def captured() -> str:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # a candidate may have closed or replaced it
                pass
        return os.pread(capture, cap, 0).decode(errors="replace")

    # A registered module, not a bare dict: @dataclass and pickling look the module up in sys.modules.
    module = types.ModuleType("solution")
    sys.modules["solution"] = module
    namespace: dict = module.__dict__
    try:
        exec(compile(job["code"], "<candidate>", "exec"), namespace)
        resolve_entry(namespace, job["entry_point"])
    except KeyError as exc:
        send(replies, {"kind": "import-error", "exception": f"entry point {job['entry_point']!r} not found: "
                       f"missing name {exc}", "traceback": "", "stdout": captured()})
        return
    except BaseException as exc:
        send(replies, {"kind": "import-error", "exception": f"{type(exc).__name__}: {exc}",
                       "traceback": _short_traceback(exc), "stdout": captured()})
        return
    send(replies, {"kind": "ready"})
    tests = job["tests"]
    for index in range(first, len(tests)):
        test = tests[index]
        os.ftruncate(capture, 0)
        os.lseek(capture, 0, os.SEEK_SET)
        reply: dict = {"kind": "result", "i": index}
        started = time.perf_counter()
        try:
            entry = resolve_entry(namespace, job["entry_point"])
            if test["kind"] == "call":
                value = entry(*copy.deepcopy(test["args"]), **copy.deepcopy(test["kwargs"]))
                reply.update(status="returned", value=to_jsonable(value))
            else:
                exec(compile(test["source"], f"<test {index}>", "exec"), {**namespace, "candidate": entry})
                reply["status"] = "passed"
        except AssertionError as exc:
            reply.update(status="failed", exception=f"AssertionError: {exc}".rstrip(": "),
                         traceback=_short_traceback(exc))
        except BaseException as exc:
            reply.update(status=_classify(exc), exception=f"{type(exc).__name__}: {exc}",
                         traceback=_short_traceback(exc))
        reply["seconds"] = time.perf_counter() - started
        reply["stdout"] = captured()
        try:
            send(replies, reply)
        except (TypeError, ValueError) as exc:  # a value json cannot encode (e.g. a huge int)
            send(replies, {"kind": "result", "i": index, "status": "error", "seconds": reply["seconds"],
                           "exception": f"return value cannot be encoded: {exc}", "stdout": reply["stdout"]})


# ---------------------------------------------------------------- monitor (trusted)

class Worker:
    """A forked worker process, running the tests from `first` on, and the pipe it reports through."""

    def __init__(self, job: dict, result_fd: int, first: int):
        self.from_worker, from_worker_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the worker: drop everything that belongs to the monitor
            code = 0
            try:
                os.setpgid(0, 0)
                os.close(result_fd)
                os.close(self.from_worker)
                signal.signal(signal.SIGPIPE, signal.SIG_DFL)
                _worker(job, first, from_worker_w)
            except MemoryError:  # so short of memory that even the failure report could not be sent
                code = MEMORY_EXIT
            finally:
                os._exit(code)
        os.close(from_worker_w)

    def kill(self) -> str:
        """Kill the worker (and its process group); return how it ended."""
        for target in (lambda: os.killpg(self.pid, signal.SIGKILL), lambda: os.kill(self.pid, signal.SIGKILL)):
            try:
                target()
            except OSError:
                pass
        _, status = os.waitpid(self.pid, 0)
        os.close(self.from_worker)
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            return f"killed by signal {number} ({signal.Signals(number).name})"
        return f"exited with code {os.WEXITSTATUS(status)}"


def _death_status(how: str) -> str:
    if how == f"exited with code {MEMORY_EXIT}":
        return "memory"
    if "SIGXCPU" in how:
        return "timeout"
    if "SIGXFSZ" in how:
        return "output-limit"
    return "crashed"


def _make_nondumpable() -> None:
    """PR_SET_DUMPABLE 0: the worker (same uid) can then neither ptrace us nor open /proc/<us>/fd."""
    import ctypes
    if ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def sweep_processes() -> None:
    """Kill every other process of our uid (a sandbox slot owns its uid), until none is left.

    PID 1 (bwrap's init, docker's `sleep`) shares the uid and survives kill(-1),
    so "none left" is read from /proc rather than from ESRCH.
    """
    me, uid = os.getpid(), os.getuid()
    for _ in range(100):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            return
        if not _others(me, uid):
            return
        time.sleep(0.002)


def _others(me: int, uid: int) -> list[int]:
    alive = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in (me, 1):
            try:
                with open(f"/proc/{name}/status") as status:
                    fields = dict(line.split(":", 1) for line in status if ":" in line)
            except OSError:
                continue
            if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
                alive.append(int(name))
    return alive


def _monitor(job: dict, out) -> None:
    flushed = [time.monotonic()]

    def emit(record: dict) -> None:
        # Flushing every line woke the host once per test; every 50 ms still bounds what a wall kill loses
        # (a lost line is reported as killed, never as passed).
        out.write(json.dumps(record) + "\n")
        if time.monotonic() - flushed[0] > 0.05:
            out.flush()
            flushed[0] = time.monotonic()

    tests = job["tests"]
    per_test = float(job["time_per_test"])
    worker: Worker | None = None
    load_error = ""
    index = 0
    while index < len(tests):
        if worker is None:
            worker = Worker(job, out.fileno(), index)
            hello = receive(worker.from_worker, time.monotonic() + per_test)
            if not (isinstance(hello, dict) and hello.get("kind") == "ready"):
                if isinstance(hello, dict) and hello.get("kind") == "import-error":
                    load_error, status = str(hello.get("exception", ""))[:4000], "error"
                    extra = {"traceback": str(hello.get("traceback", ""))[:8000],
                             "stdout": str(hello.get("stdout", ""))}
                elif hello == "timeout":
                    load_error, status, extra = f"loading the candidate took more than {per_test:g} s", "timeout", {}
                else:
                    how = worker.kill()
                    worker = None
                    load_error, status, extra = f"the candidate {how} while loading", _death_status(how), {}
                for rest in range(index, len(tests)):
                    emit({"i": rest, "status": status, "exception": load_error, "seconds": 0.0, **extra})
                break
        started = time.monotonic()
        reply = receive(worker.from_worker, started + per_test)
        if isinstance(reply, dict) and reply.get("i") == index and reply.get("status") in WORKER_STATUSES:
            record = {key: reply.get(key) for key in ("status", "value", "exception", "traceback", "stdout", "seconds")}
            emit({"i": index, **{k: v for k, v in record.items() if v is not None}})
            status = reply["status"]
        else:
            how = worker.kill()
            worker = None
            if reply == "timeout":
                status, detail = "timeout", f"took more than {per_test:g} s"
            elif reply == "eof":
                status, detail = _death_status(how), f"the process {how} during the test"
            else:
                status, detail = "crashed", f"the worker broke the result protocol ({how})"
            emit({"i": index, "status": status, "exception": detail, "seconds": time.monotonic() - started})
        index += 1
        if job.get("fail_fast") and status not in BENIGN_STATUSES:
            for rest in range(index, len(tests)):
                emit({"i": rest, "status": "skipped", "exception": "skipped after an earlier failure (fail_fast)"})
            break
    if worker is not None:
        worker.kill()
    emit({"event": "done", "count": len(tests), "error": load_error})
    out.flush()


def main(argv: list[str]) -> int:
    with open(argv[1]) as handle:
        job = json.load(handle)
    out = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing but the channel above may ever reach our stdout
    _make_nondumpable()
    _monitor(job, out)
    if job.get("sweep"):
        sweep_processes()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
