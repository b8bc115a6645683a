"""`Sandbox.run_pytest`: the command that runs pytest in a jail, its deadline, and reading its records back.

The tests share a process with the code under test, so these verdicts can be
forged by that code: every report says so (`untrusted`). The host still reads
them as hostile input: a record counts only with this run's nonce, each field
of the right type, one per test id; and the run counts only if pytest said
`done` with the exit status the process really had and as many records as it
collected (and as the caller expected). Anything short of that passes nothing.
"""
from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path

from sandbox.compare import clean
from sandbox.process import RawRun
from sandbox.types import ExecutionReport, Limits, TestOutcome
from sandbox.wire import Rejected, loads_guarded

UNTRUSTED = ("pytest runs the tests in the same process as the code under test, which can therefore forge "
             "any result pytest reports")
START_SLACK = 20.0  # pytest's own start-up and collection on a loaded 2-core machine, beyond Limits.startup
STATUSES = {"passed", "failed", "error", "skipped"}


def pytest_command() -> tuple[list[str], dict[str, bytes], dict[str, str], bytes]:
    """(command, files for /sb, read-only dirs, this run's nonce)."""
    plugin = resources.files("sandbox").joinpath("pytest_plugin.py").read_bytes()
    command = ["python3", "-c", "import sys; sys.path[:0] = ['/sb', '/pylib']; import pytest; "
               "sys.exit(pytest.main(['-p', 'pytest_plugin', '-q', '-p', 'no:cacheprovider', '/work']))"]
    return command, {"pytest_plugin.py": plugin}, {"/pylib": _pytest_home()}, secrets.token_hex(16).encode()


def pytest_wall(limits: Limits, expected_count: int | None) -> float:
    """The run's deadline: the jail's and pytest's start-up, then every test at its own limit."""
    if limits.wall is not None:
        return limits.wall
    return limits.startup + START_SLACK + limits.time_per_test * max(expected_count or 10, 1)


def _pytest_home() -> str:
    """The host dir holding our pytest (pure Python), bound read-only for backends whose python lacks it."""
    import pytest
    return str(Path(pytest.__file__).resolve().parent.parent)


def pytest_report(raw: RawRun, nonce: bytes, expected_count: int | None, backend: str,
                  limits: Limits) -> ExecutionReport:
    """Outcomes per node id; anything short of a clean, complete, consistent finish passes nothing."""
    outcomes, done, problems = _records(raw.stdout, nonce)
    if raw.killed_reason:
        limit = {"timeout": "wall"}.get(raw.killed_reason, raw.limit_hit)
        problems.append(f"killed: {raw.killed_reason}" + (f" (limit {limit})" if limit else ""))
    elif raw.limit_hit:
        problems.append(f"it ran into limit {raw.limit_hit}")
    if done is None:
        tail = (raw.stderr or raw.stdout).decode(errors="replace").strip()[-600:]
        problems.append(f"pytest did not finish (exit {raw.exit_code}){': ' + tail if tail else ''}")
    else:
        if done["exitstatus"] != raw.exit_code or raw.exit_code not in (0, 1):
            problems.append(f"pytest said exit status {done['exitstatus']}, the process exited with {raw.exit_code}")
        if done["collected"] != len(outcomes):
            problems.append(f"pytest collected {done['collected']} tests but reported {len(outcomes)}")
    if expected_count is not None and len(outcomes) != expected_count:
        problems.append(f"expected {expected_count} tests, got {len(outcomes)}")
    why = "; ".join(problems)
    limit_hit = "wall" if raw.killed_reason == "timeout" else raw.limit_hit
    if problems:
        for outcome in outcomes:
            if outcome.status == "passed":
                outcome.status, outcome.exception, outcome.limit_hit = "killed", why, limit_hit
        if not outcomes:
            outcomes = [TestOutcome(status="killed", name="pytest", exception=why, limit_hit=limit_hit)]
    return ExecutionReport(outcomes=outcomes, backend=backend, seconds=raw.seconds, error=why,
                           killed_reason=raw.killed_reason, limit_hit=limit_hit, untrusted=UNTRUSTED)


def _records(stdout: bytes, nonce: bytes) -> tuple[list[TestOutcome], dict | None, list[str]]:
    """(outcomes, the done record, problems) from the lines carrying this run's nonce."""
    marker = b"@@" + nonce + b" "
    outcomes: dict[str, TestOutcome] = {}
    done, problems = None, []
    for line in stdout.split(b"\n"):
        if not line.startswith(marker):
            continue
        try:
            record = _checked(loads_guarded(line[len(marker):], 4, 100))
        except (Rejected, ValueError) as exc:
            problems.append(f"a malformed record ({exc})")
            continue
        if "event" in record:
            if done is not None:
                problems.append("a second 'done' record")
            done = record
        elif record["nodeid"] in outcomes or done is not None:
            problems.append(f"a second or late record for {clean(record['nodeid'][:200])}")
        else:
            outcomes[record["nodeid"]] = TestOutcome(status=record["status"], name=clean(record["nodeid"]),
                                                     seconds=float(record["seconds"]),
                                                     traceback=clean(record["traceback"][-4000:]))
    return list(outcomes.values()), done, problems


def _checked(record) -> dict:
    """A test record {nodeid, status, seconds, traceback} or a done record {event, exitstatus, collected}."""
    def number(value) -> bool:  # and within float range: float() of a longer int raises OverflowError
        return type(value) is float or type(value) is int and value.bit_length() < 1024

    if isinstance(record, dict) and set(record) == {"event", "exitstatus", "collected"}:
        if record["event"] == "done" and all(type(record[k]) is int for k in ("exitstatus", "collected")):
            return record
    elif isinstance(record, dict) and set(record) == {"nodeid", "status", "seconds", "traceback"}:
        if isinstance(record["nodeid"], str) and record["status"] in STATUSES and number(record["seconds"]) \
                and isinstance(record["traceback"], str):
            return record
    raise ValueError("fields of the wrong names or types")
