"""The judging side of assert tests, in a jail of its own (stdlib only). No candidate code ever runs here.

    python3 -I checker.py JOB.json      (frames in on stdin, out on stdout)

It runs the problem's prelude once, then each assert source with `candidate`
(and the entry point's own name, which some HumanEval checks call) bound to a
proxy. Calling the proxy sends the arguments to the host, which runs the call
in the candidate's worker and relays its reply; the proxy rebuilds the
returned value from data, with the prelude's classes for objects such as
TreeNode and ListNode, or raises the exception the candidate raised. So `==`,
`is_same_tree` and every other part of a check run here, on plain values.
The host starts this process in another jail and, as root, under another uid
than the worker, so nothing the candidate runs can reach it.

Protocol (host -> checker, checker -> host):
  <- {"op": "hello"} | {"op": "load-error", ...}                 the prelude ran (or failed)
  -> {"op": "check", "source": "..."}
  <- {"op": "call", "call": pack([args, kwargs])}                  then -> the worker's reply, relayed
  <- {"op": "verdict", "status": "passed"|"failed"|"error", "type": "...", "message": "...", "traceback": "..."}
"""
from __future__ import annotations

import builtins
import json
import os
import sys
import traceback
import types

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__))]

from values import pack, unpack  # noqa: E402
from wire import Channel, loads_guarded  # noqa: E402


class CandidateError(Exception):
    """The candidate raised an exception that is not a builtin one."""


class Refused(BaseException):
    """A returned value this side would not rebuild. Not an Exception, so `except Exception` in a check does
    not swallow it; and the verdict is an error even if a bare `except:` did (see `refused`)."""


class Proxy:
    """Stands for the candidate in a check: arguments out as data, results back as data."""

    def __init__(self, channel: Channel, classes: dict, job: dict):
        self.channel, self.classes, self.job = channel, classes, job
        self.refused = ""  # why a value of the current check was refused, if one was

    def __call__(self, *args, **kwargs):
        self.channel.send({"op": "call", "call": pack([list(args), kwargs], self.job["value_depth"])})
        body = self.channel.receive()
        if body is None:
            raise BrokenPipeError("the host ended the run")
        try:
            reply = loads_guarded(body, 3 * self.job["value_depth"] + 4, self.job["value_items"])  # tags nest too
            if reply.get("op") == "returned":
                return unpack(reply["value"], self.classes, self.job["value_depth"])
        except (ValueError, TypeError) as exc:  # malformed, too deep, or of a class the prelude does not have
            self.refused = f"the candidate's return value was refused: {exc}"[:4000]
            raise Refused(self.refused) from None
        raise _exception(str(reply.get("type")), str(reply.get("message")))


def _exception(name: str, message: str) -> Exception:
    """The builtin exception the candidate raised, so checks that expect one still work; else CandidateError."""
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            return kind(message)
        except Exception:  # an exception type with a different constructor (e.g. UnicodeDecodeError)
            pass
    return CandidateError(f"{name}: {message}")


def verdict(exc: BaseException | None) -> dict:
    if exc is None:
        return {"op": "verdict", "status": "passed", "type": "", "message": "", "traceback": ""}
    status = "failed" if isinstance(exc, AssertionError) else "error"
    frames = exc.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename == __file__:  # our frames are no help
        frames = frames.tb_next
    return {"op": "verdict", "status": status, "type": type(exc).__name__, "message": str(exc)[:4000],
            "traceback": "".join(traceback.format_exception(type(exc), exc, frames))[-4000:]}


def main(argv: list[str]) -> int:
    with open(argv[1]) as handle:
        job = json.load(handle)
    channel = Channel(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)  # prints in a check go nowhere; only the channel carries frames
    module = types.ModuleType("prelude")
    sys.modules["prelude"] = module
    try:
        exec(compile(job["prelude"], "<prelude>", "exec"), module.__dict__)
    except BaseException as exc:
        channel.send({"op": "load-error", "exception": f"the prelude failed: {type(exc).__name__}: {exc}"[:4000]})
        return 1
    classes = {k: v for k, v in vars(module).items() if isinstance(v, type) and v.__module__ == "prelude"}
    proxy = Proxy(channel, classes, job)
    names = {"candidate": proxy, **({job["entry_name"]: proxy} if job["entry_name"] else {})}
    channel.send({"op": "hello"})
    while (body := channel.receive()) is not None:
        request = json.loads(body)
        failure = None
        proxy.refused = ""
        try:
            exec(compile(request["source"], "<test>", "exec"), {**vars(module), **names})
        except BaseException as exc:  # AssertionError is a fail; anything else an error
            failure = exc
        channel.send(verdict(Refused(proxy.refused) if proxy.refused else failure))
    return 0


if __name__ == "__main__":
    try:
        code = main(sys.argv)
    except BrokenPipeError:  # the host ended the run or gave up on this check
        code = 0
    os._exit(code)
