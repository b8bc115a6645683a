"""The candidate's side of a test run, inside its jail (stdlib only): load the candidate, answer calls.

    python3 -I worker.py JOB.json      (frames in on stdin, out on stdout)

It decides nothing. For each call the host sends, it returns the value the
candidate returned, or the exception it raised, and the output it printed.
Candidate code runs in this very process and can reach everything here,
including the reply descriptor, so the host treats every byte from it as
hostile data: it compares values itself (call tests) or hands them to the
checker (assert tests), and it alone keeps time.

Protocol (host -> worker, worker -> host):
  <- {"op": "hello"}                                   started; loading the candidate now
  <- {"op": "ready"} | {"op": "load-error", ...}
  -> {"op": "call", "seq": n, "fresh": bool, "mode": "json", "args": [...], "kwargs": {...}}
  -> {"op": "call", "seq": n, "fresh": bool, "mode": "exact", "call": pack([args, kwargs])}
  <- {"op": "returned", "seq": n, "value": ..., "stdout": "..."}
  <- {"op": "raised", "seq": n, "type": "...", "limit": "", "errno": int|null, "message": "...", "traceback": "...",
      "stdout": "..."}            `limit`: "value_depth" or "value_bytes" when the value could not be sent
`fresh` resolves the entry point again (a new `Solution()`); "json" mode
returns `to_jsonable(value)`, "exact" mode `pack(value)`.
"""
from __future__ import annotations

import json
import os
import sys
import types

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__))]

from values import TooDeep, pack, resolve_entry, to_jsonable, unpack  # noqa: E402
from wire import MEMORY_EXIT, Channel, frame  # noqa: E402


class Capture:
    """fd 1 and 2 go to an anonymous file, so candidate output never reaches the channel; read back per call."""

    def __init__(self, cap: int):
        self.cap = cap
        self.fd = _anonymous_file()
        for fd in (1, 2):
            os.dup2(self.fd, fd)
        sys.stdout = open(1, "w", closefd=False, errors="replace")
        sys.stderr = open(2, "w", closefd=False, errors="replace")

    def reset(self) -> None:
        try:
            os.ftruncate(self.fd, 0)
            os.lseek(self.fd, 0, os.SEEK_SET)
        except OSError:  # the candidate closed it: its output is simply lost
            pass

    def text(self) -> str:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # a candidate may have closed or replaced it
                pass
        try:
            return os.pread(self.fd, self.cap, 0).decode(errors="replace")
        except OSError:  # the candidate closed it
            return ""


def _anonymous_file() -> int:
    """An unnamed file in $TMPDIR or /tmp (not `tempfile`: importing it costs every jail about 5 ms)."""
    where = os.environ.get("TMPDIR", "/tmp")
    try:
        return os.open(where, os.O_TMPFILE | os.O_RDWR, 0o600)
    except OSError:  # no O_TMPFILE on this filesystem
        path = os.path.join(where, f"capture-{os.getpid()}-{os.urandom(6).hex()}")
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        os.unlink(path)
        return fd


def _text(function, limit: int) -> str:
    """str() of something candidate-made, which may itself raise."""
    try:
        return str(function())[:limit]
    except BaseException:
        return "<unprintable>"


def _raised(exc: BaseException, limit: str = "") -> dict:
    import traceback
    errno = getattr(exc, "errno", None)
    frames = exc.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename == __file__:  # our frames are no help
        frames = frames.tb_next
    return {"op": "raised", "type": _text(lambda: type(exc).__name__, 100), "limit": limit,
            "errno": errno if type(errno) is int else None,
            "message": _text(lambda: exc, 4000),
            "traceback": _text(lambda: "".join(traceback.format_exception(type(exc), exc, frames))[-4000:], 4000)}


def load(prelude: str, code: str, entry_point: str) -> dict:
    """The candidate's module namespace; raises what loading raised (KeyError: no entry point). The prelude
    and the code are compiled apart, so every line number in a traceback is the candidate's own."""
    # A registered module, not a bare dict: @dataclass and pickling look the module up in sys.modules.
    module = types.ModuleType("solution")
    sys.modules["solution"] = module
    exec(compile(prelude, "<prelude>", "exec"), module.__dict__)
    exec(compile(code, "<candidate>", "exec"), module.__dict__)
    resolve_entry(module.__dict__, entry_point)
    return module.__dict__


def serve(job: dict, channel: Channel, capture: Capture) -> None:
    channel.send({"op": "hello"})
    try:
        namespace = load(job["prelude"], job["code"], job["entry_point"])
    except KeyError as exc:
        channel.send({"op": "load-error", "exception": f"entry point {job['entry_point']!r} not found: "
                      f"missing name {_text(lambda: exc, 200)}", "traceback": "", "stdout": capture.text()})
        return
    except BaseException as exc:
        report = _raised(exc)
        channel.send({"op": "load-error", "exception": f"{report['type']}: {report['message']}",
                      "traceback": report["traceback"], "stdout": capture.text()})
        return
    channel.send({"op": "ready"})
    entry = None
    while (body := channel.receive()) is not None:
        request = json.loads(body)
        capture.reset()
        exact = request["mode"] == "exact"
        try:
            if request["fresh"] or entry is None:
                entry = resolve_entry(namespace, job["entry_point"])
            if exact:
                classes = {k: v for k, v in namespace.items() if isinstance(v, type)}
                args, kwargs = unpack(request["call"], classes, job["value_depth"])
                value = entry(*args, **kwargs)
            else:
                value = entry(*request["args"], **request["kwargs"])
        except BaseException as exc:
            reply = _raised(exc)
        else:
            try:
                reply = {"op": "returned", "value": (pack if exact else to_jsonable)(value, job["value_depth"])}
            except BaseException as exc:  # not data, or too deep: the candidate's failure, named
                reply = _raised(exc, "value_depth" if isinstance(exc, TooDeep) else "")
        reply.update(seq=request["seq"], stdout=capture.text())
        channel.write(_framed(reply, job))


def _framed(reply: dict, job: dict) -> bytes:
    """The reply as a frame, or a `raised` frame saying why the value cannot be sent."""
    try:
        data = frame(reply)
    except (TypeError, ValueError, RecursionError) as exc:  # e.g. an int too long for str()
        why, limit = f"the return value cannot be sent: {_text(lambda: exc, 300)}", ""
    else:
        if len(data) <= job["frame_bytes"]:
            return data
        why = f"the return value is {len(data)} bytes as JSON, more than value_bytes={job['value_bytes']}"
        limit = "value_bytes"
    return frame({"op": "raised", "seq": reply["seq"], "type": "ValueError", "limit": limit, "errno": None,
                  "message": why, "traceback": "", "stdout": reply["stdout"]})


def main(argv: list[str]) -> int:
    with open(argv[1]) as handle:
        job = json.load(handle)
    channel = Channel(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.close(null)
    capture = Capture(int(job["output_bytes"]))
    try:
        serve(job, channel, capture)
    except MemoryError:
        return MEMORY_EXIT
    except BrokenPipeError:  # the host is gone or gave up on us
        return 1
    return 0


if __name__ == "__main__":
    os._exit(main(sys.argv))
