"""One candidate's tests, run from the host: the host is the only monitor and the only judge.

Why the host: whatever shares a process, a uid or a reachable descriptor with
the candidate can be made to lie. (An in-jail monitor of the candidate's uid
was frozen with SIGSTOP; its pipe was copied out of the jail's PID 1 with
pidfd_getfd; asserts ran `==` on the candidate's own objects.) So:

* the jailed worker only answers calls, one request at a time, and learns a
  test's arguments only when that test starts;
* the host keeps time with its own clock, reads exactly one reply per request
  (its sequence number must match: a second or out-of-order record, a
  malformed one, or a field of the wrong type invalidates the whole run),
  decodes values under the value limits, and takes no status from inside:
  a claimed exception is only ever a failure;
* call tests are compared on the host (report.py); assert tests run in a
  checker process in a jail of its own, under another uid, holding no
  candidate code; the host relays its calls to the worker.

A worker that dies or overruns is killed, and a fresh one starts at the next
test, so a crash or a timeout costs only its own test.

Why not keep a monitor inside the jail under another uid, or seccomp? Two
uids inside one jail need a multi-uid user namespace (a setuid helper) or a
monitor that keeps CAP_SETUID next to candidate code; seccomp cannot stop a
same-uid SIGSTOP or a read of /proc. The host is already outside every jail,
under another uid and PID namespace, on bwrap (root or not) and Docker alike,
and the price is one round trip per test (about 0.1 ms here).
"""
from __future__ import annotations

import json
import signal
import time
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any, Sequence

from sandbox.errors import SandboxError
from sandbox.link import Closed, Ending, Jail, Link, Timeout
from sandbox.types import AssertTest, CallTest, Limits, Test
from sandbox.wire import MEMORY_EXIT, Rejected, frame, loads_guarded

PYTHON_INSIDE = "python3"
BENIGN = {"returned", "passed", "failed"}  # statuses after which fail_fast goes on
REPLY_FIELDS = {"returned": {"op": str, "seq": int, "value": object, "stdout": str},
                "raised": {"op": str, "seq": int, "type": str, "limit": str, "errno": (int, type(None)),
                           "message": str, "traceback": str, "stdout": str}}
SENDING_LIMITS = {"value_depth", "value_bytes"}  # what a worker may name when it could not send a value
CHECKER_FIELDS = {"call": {"op": str, "call": dict},
                  "verdict": {"op": str, "status": str, "type": str, "message": str, "traceback": str}}
HELLO_FIELDS = {"hello": {"op": str}, "ready": {"op": str},
                "load-error": {"op": str, "exception": str, "traceback": str, "stdout": str}}


def default_wall(limits: Limits, count: int) -> float:
    """The whole run's deadline: start-up, every test and loading at its own limit, plus slack."""
    return limits.wall if limits.wall is not None else limits.startup + limits.time_per_test * (count + 1) + 3.0


def frame_limit(limits: Limits) -> int:
    """The largest frame a jail may send: a value, plus captured output (JSON-escaped) and a traceback."""
    return limits.value_bytes + 8 * limits.output_bytes + (64 << 10)


@dataclass
class Record:
    """What the host established about one test; a call test's value is compared later (report.py)."""
    status: str                # "returned" (a call test's value, to compare) or a final Status
    value: Any = None
    exception: str = ""
    traceback: str = ""
    stdout: str = ""
    seconds: float = 0.0
    limit_hit: str = ""


@dataclass
class Results:
    records: list[Record] = field(default_factory=list)
    error: str = ""       # why tests did not run normally (load error, start failure, wall)
    invalid: str = ""     # a protocol violation: every verdict of the run is void
    limit_hit: str = ""   # a limit that stopped the whole run


class Violation(Exception):
    """The worker broke the protocol: it cannot be told apart from a forgery, so the run is void."""


class TestEnded(Exception):
    """A test ended abnormally; `record` says how."""
    __test__ = False

    def __init__(self, record: Record):
        super().__init__(record.exception)
        self.record = record


class RunEnded(Exception):
    """Nothing more can run: every test from this one on gets `record`."""

    def __init__(self, record: Record, why: str):
        super().__init__(why)
        self.record, self.why = record, why


def checked(message: Any, schemas: dict[str, dict[str, Any]]) -> dict:
    """`message` if its op is known and its fields are exactly that op's, each of its type; else Violation."""
    if not isinstance(message, dict):
        raise Violation(f"a message that is not an object ({type(message).__name__})")
    schema = schemas.get(message.get("op")) if isinstance(message.get("op"), str) else None
    if schema is None:
        raise Violation(f"an unknown message {str(message.get('op'))[:40]!r}")
    if set(message) != set(schema):
        raise Violation(f"a {message['op']!r} message with fields {sorted(message)[:12]}")
    for key, kind in schema.items():
        value = message[key]
        if isinstance(value, bool) and kind is int or not isinstance(value, kind):
            raise Violation(f"a {message['op']!r} message whose {key!r} is a {type(value).__name__}")
    return message


def raised_status(kind: str, errno: int | None) -> tuple[str, str]:
    """(status, limit) for an exception the candidate's side says was raised: never better than a failure."""
    if kind == "MemoryError":
        return "memory", "memory_mb"
    if errno == 27:  # EFBIG: RLIMIT_FSIZE
        return "output-limit", "fsize_mb"
    return "error", {28: "tmp_mb", 24: "nofile"}.get(errno, "")


def death_status(ending: Ending) -> tuple[str, str]:
    """(status, limit) for a jailed process that ended in the middle of a test."""
    if ending.limit_hit == "memory_mb" or ending.code == MEMORY_EXIT:
        return "memory", "memory_mb"
    if ending.signal == signal.SIGXCPU:
        return "timeout", "cpu_seconds"
    if ending.signal == signal.SIGXFSZ:
        return "output-limit", "fsize_mb"
    return "crashed", ending.limit_hit


class Peer:
    """A started jail (a worker or the checker), the link to it, and whether it is ready for tests."""

    def __init__(self, jail: Jail, limits: Limits, role: str, launched: float):
        self.jail, self.link = jail, Link(jail.transport, frame_limit(limits))
        self.role, self.launched, self.ready = role, launched, False

    def close(self) -> Ending:
        return self.jail.close()


def _source(name: str) -> bytes:
    return resources.files("sandbox").joinpath(name).read_bytes()


class Run:
    """Runs `tests` against one candidate on `backend`; `results()` does it once."""

    def __init__(self, backend, code: str, prelude: str, entry_point: str, tests: Sequence[Test],
                 limits: Limits, fail_fast: bool):
        self.backend, self.tests, self.limits, self.fail_fast = backend, list(tests), limits, fail_fast
        self.code, self.prelude, self.entry_point = code, prelude, entry_point
        self.wall = default_wall(limits, len(self.tests))
        self.wall_at = 0.0
        self.worker: Peer | None = None
        self.checker: Peer | None = None
        self.checker_failure = ""
        self.seq = 0

    # ------------------------------------------------------------ the run

    def results(self) -> Results:
        results = Results()
        self.wall_at = time.monotonic() + self.wall
        try:
            for index, test in enumerate(self.tests):
                try:
                    record = self._test(test)
                except TestEnded as ended:
                    record = ended.record
                results.records.append(record)
                if self.fail_fast and record.status not in BENIGN:
                    skipped = Record("skipped", exception="skipped after an earlier failure (fail_fast)")
                    results.records += [skipped] * (len(self.tests) - index - 1)
                    break
            if self.worker is not None and self.worker.ready:
                self._expect_silence(self.worker)
        except RunEnded as ended:
            # the cause is stated once, in the report's error and the first record; the rest only say so
            rest = replace(ended.record, seconds=0.0, traceback="", stdout="",
                           exception="not run: the run ended before this test (see the report's error)")
            results.records += [ended.record] + [rest] * (len(self.tests) - len(results.records) - 1)
            results.error = ended.why
            results.limit_hit = ended.record.limit_hit if ended.record.status == "killed" else ""
        except Violation as violation:
            results.invalid = f"the candidate's side broke the result protocol: {violation}"
        finally:
            for peer in (self.worker, self.checker):
                if peer is not None:
                    peer.close()
        return results

    def _expect_silence(self, worker: Peer) -> None:
        """After the last reply, the worker must say nothing more: a record nobody asked for voids the run."""
        worker.jail.transport.close_input()  # the worker exits when its requests end
        try:
            worker.link.receive(time.monotonic() + 0.2)
        except (Timeout, Closed):
            return
        except Rejected:
            pass
        raise Violation("a record after the last request")

    def _test(self, test: Test) -> Record:
        if isinstance(test, CallTest):
            return self._call_test(test)
        if isinstance(test, AssertTest):
            return self._assert_test(test)
        raise TypeError(f"not a test: {test!r}")

    def _deadline(self, started: float) -> float:
        return min(started + self.limits.time_per_test, self.wall_at)

    def _timed_out(self, started: float, deadline: float, what: str) -> Record:
        """The record for a deadline that passed; the wall deadline ends the run."""
        seconds = time.monotonic() - started
        if deadline >= self.wall_at:
            record = Record("killed", exception=f"the run hit its wall-clock deadline ({self.wall:g} s)",
                            seconds=seconds, limit_hit="wall")
            raise RunEnded(record, record.exception)
        return Record("timeout", exception=f"{what} took more than {self.limits.time_per_test:g} s",
                      seconds=seconds, limit_hit="time_per_test")

    # ------------------------------------------------------------ call tests (compared on the host)

    def _call_test(self, test: CallTest) -> Record:
        worker = self._ready_worker()
        started = time.monotonic()
        reply = self._call(worker, {"mode": "json", "args": list(test.args), "kwargs": dict(test.kwargs)},
                           started, self._deadline(started), fresh=True)[0]
        return self._returned(reply, started)

    def _returned(self, reply: dict, started: float) -> Record:
        seconds = time.monotonic() - started
        stdout = reply["stdout"][:self.limits.output_bytes]
        if reply["op"] == "returned":
            return Record("returned", value=reply["value"], stdout=stdout, seconds=seconds)
        status, limit = raised_status(reply["type"], reply["errno"])
        if reply["limit"] in SENDING_LIMITS:
            limit = reply["limit"]
        if limit == "tmp_mb" and self.worker is not None:
            limit = self.worker.jail.limit_hit() or limit  # the host's own view: bytes or files?
        return Record(status, exception=f"{reply['type']}: {reply['message']}"[:4000],
                      traceback=reply["traceback"][-4000:], stdout=stdout, seconds=seconds, limit_hit=limit)

    def _call(self, worker: Peer, request: dict, started: float, deadline: float, *, fresh: bool) -> tuple[dict, bytes]:
        """Send one call to the worker, return its validated reply (and the raw frame); TestEnded otherwise."""
        self.seq += 1
        worker.link.send(frame({"op": "call", "seq": self.seq, "fresh": fresh, **request}))
        exact = request["mode"] == "exact"  # packed values nest up to 3 JSON levels per level
        depth = (3 if exact else 1) * self.limits.value_depth + 4
        try:
            body = worker.link.receive(deadline)
            reply = checked(loads_guarded(body, depth, self.limits.value_items), REPLY_FIELDS)
        except Timeout:
            self._drop_worker()
            raise TestEnded(self._timed_out(started, deadline, "the call"))
        except Closed:
            ending = self._drop_worker()
            status, limit = death_status(ending)
            raise TestEnded(Record(status, exception=f"the candidate's process {ending.how} during the test",
                                   seconds=time.monotonic() - started, limit_hit=limit))
        except Rejected as refused:  # a frame no honest worker sends (it checks its own values): start afresh
            self._drop_worker()
            raise TestEnded(Record("error", exception=f"return value refused: {refused}",
                                   seconds=time.monotonic() - started, limit_hit=refused.limit))
        if reply["seq"] != self.seq:
            raise Violation(f"a reply to request {reply['seq']} while request {self.seq} was running")
        if exact and reply["op"] == "returned" and not isinstance(reply["value"], dict):
            raise Violation("an exact-mode value that is not a packed value")
        return reply, body

    # ------------------------------------------------------------ assert tests (judged by the checker)

    def _assert_test(self, test: AssertTest) -> Record:
        self._launch_checker()  # both jails start at once; only then wait for each
        worker = self._ready_worker()
        checker = self._ready_checker()
        started = time.monotonic()
        deadline = self._deadline(started)
        checker.link.send(frame({"op": "check", "source": test.source}))
        fresh, stdout = True, ""
        while True:
            message = self._from_checker(checker, started, deadline)
            if message["op"] == "verdict":
                break
            try:
                reply, body = self._call(worker, {"mode": "exact", "call": message["call"]}, started, deadline,
                                         fresh=fresh)
            except TestEnded:
                self._drop_checker()  # it waits for a reply that will not come
                raise
            fresh = False
            stdout = (stdout + reply["stdout"])[:self.limits.output_bytes]
            if reply["op"] == "raised" and reply["limit"] in SENDING_LIMITS:  # no value to relay: the test ends here
                self._drop_checker()
                return replace(self._returned(reply, started), stdout=stdout)
            checker.link.send_body(body)
        seconds = time.monotonic() - started
        if message["status"] == "passed":
            return Record("passed", stdout=stdout, seconds=seconds)
        if message["status"] == "failed":
            status, limit = "failed", ""
        else:
            status, limit = raised_status(message["type"], None)
        return Record(status, exception=f"{message['type']}: {message['message']}".rstrip(": ")[:4000],
                      traceback=message["traceback"][-4000:], stdout=stdout, seconds=seconds, limit_hit=limit)

    def _from_checker(self, checker: Peer, started: float, deadline: float) -> dict:
        try:
            message = checked(json.loads(checker.link.receive(deadline)), CHECKER_FIELDS)
            if message["op"] == "verdict" and message["status"] not in ("passed", "failed", "error"):
                raise Violation(f"verdict {message['status'][:20]!r}")
            return message
        except Timeout:
            self._drop_checker()
            raise TestEnded(self._timed_out(started, deadline, "the check"))
        except (Closed, Rejected, ValueError, RecursionError, Violation) as exc:  # it ended, or broke: no verdict
            ending = self._drop_checker()
            why = ending.how if isinstance(exc, Closed) else f"broke its protocol ({exc})"
            raise TestEnded(Record("error", exception=f"the checker {why}; no verdict",
                                   seconds=time.monotonic() - started, limit_hit=ending.limit_hit))

    # ------------------------------------------------------------ starting jails

    def _ready_worker(self) -> Peer:
        """The worker, started and loaded; RunEnded if the candidate cannot even be loaded."""
        peer = self._launch_worker()
        if peer.ready:
            return peer
        self._greet(peer)
        started = time.monotonic()
        deadline = self._deadline(started)
        try:
            loaded = checked(loads_guarded(peer.link.receive(deadline), 8, 100), HELLO_FIELDS)
        except Timeout:
            self._drop_worker()
            record = self._timed_out(started, deadline, "loading the candidate")
            raise RunEnded(record, record.exception)
        except Closed:
            ending = self._drop_worker()
            status, limit = death_status(ending)
            why = f"the candidate's process {ending.how} while loading"
            raise RunEnded(Record(status, exception=why, limit_hit=limit), why)
        except Rejected as refused:
            raise Violation(f"a load report refused: {refused}")
        if loaded["op"] != "ready":
            if loaded["op"] == "hello":
                raise Violation("a second hello")
            self._drop_worker()
            why = loaded["exception"][:4000]
            raise RunEnded(Record("error", exception=why, traceback=loaded["traceback"][-8000:],
                                  stdout=loaded["stdout"][:self.limits.output_bytes]), why)
        peer.ready = True
        return peer

    def _launch_worker(self) -> Peer:
        if self.worker is None:
            self.worker = self._launch("worker", {
                "code": self.code, "prelude": self.prelude, "entry_point": self.entry_point, "output_bytes": self.limits.output_bytes,
                "value_bytes": self.limits.value_bytes, "value_depth": self.limits.value_depth,
                "frame_bytes": frame_limit(self.limits)})
        return self.worker

    def _ready_checker(self) -> Peer:
        """The checker, started with the prelude loaded; TestEnded (for every assert test) if it cannot be."""
        if self.checker_failure:
            raise TestEnded(Record("error", exception=self.checker_failure))
        peer = self._launch_checker()
        if not peer.ready:
            self._greet(peer)
            peer.ready = True
        return peer

    def _launch_checker(self) -> Peer:
        if self.checker is None and not self.checker_failure:
            self.checker = self._launch("checker", {
                "prelude": self.prelude, "entry_name": self.entry_point if self.entry_point.isidentifier() else "",
                "value_depth": self.limits.value_depth, "value_items": self.limits.value_items})
        return self.checker

    def _launch(self, role: str, job: dict) -> Peer:
        files = {name: _source(name) for name in (f"{role}.py", "wire.py", "values.py")}
        files["job.json"] = json.dumps(job).encode()
        try:
            jail = self.backend.open([PYTHON_INSIDE, "-I", f"/sb/{role}.py", "/sb/job.json"], ro_files=files,
                                     work_files={}, limits=self.limits, wall=self.wall, role=role,
                                     stderr_cap=self.limits.output_bytes)
        except Exception as exc:  # the backend itself failed (no free uid, docker unreachable...), not the candidate
            raise SandboxError(f"could not start a {role} jail on {self.backend.name}: {exc}") from exc
        return Peer(jail, self.limits, role, time.monotonic())

    def _greet(self, peer: Peer) -> None:
        """Wait for a jail's hello: start-up is not charged to any test, but has its own limit."""
        deadline = min(peer.launched + self.limits.startup, self.wall_at)
        try:
            hello = json.loads(peer.link.receive(deadline))
            if isinstance(hello, dict) and hello.get("op") == "load-error":  # the checker's prelude failed
                raise ValueError(str(hello.get("exception"))[:4000])
            if hello != {"op": "hello"}:
                raise ValueError(f"it said {str(hello)[:200]} first")
            return
        except (Timeout, Closed, Rejected, ValueError, RecursionError) as exc:
            ending = self._drop_worker() if peer is self.worker else self._drop_checker()
            if isinstance(exc, Timeout):
                why, limit = f"the {peer.role}'s jail did not start within {self.limits.startup:g} s", "startup"
            elif isinstance(exc, ValueError):
                why, limit = f"the {peer.role} could not start: {exc}", ending.limit_hit
            elif isinstance(exc, Closed):   # it ended before its hello, so before any candidate code ran
                raise SandboxError(f"the {peer.role}'s jail on {self.backend.name} ended before it started "
                                   f"({ending.how}): {ending.stderr.strip()[-600:]}; no candidate code had run, so "
                                   "this is the machine or the limits, not the code") from exc
            else:
                why = f"the {peer.role}'s jail did not start ({ending.how}): {ending.stderr.strip()[-600:]}"
                limit = ending.limit_hit
        if peer.role == "checker":
            self.checker_failure = why
            raise TestEnded(Record("error", exception=why, limit_hit=limit))
        raise RunEnded(Record("killed", exception=why, limit_hit=limit), why)

    def _drop_worker(self) -> Ending:
        peer, self.worker = self.worker, None
        return peer.close()

    def _drop_checker(self) -> Ending:
        peer, self.checker = self.checker, None
        return peer.close()
