"""pytest plugin loaded inside the sandbox (stdlib + pytest only): one JSON line per test on the original stdout.

The tests run in the same process as the code under test, so these lines can be
forged; the caller therefore also demands the expected number of tests and a
clean `done` line with pytest's exit status.
"""
import json
import os

_out = os.fdopen(os.dup(1), "w")


def _emit(record):
    _out.write("@@coderefine " + json.dumps(record) + "\n")
    _out.flush()


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and not report.passed):
        status = {"passed": "passed", "failed": "failed" if report.when == "call" else "error",
                  "skipped": "skipped"}[report.outcome]
        _emit({"nodeid": report.nodeid, "status": status, "seconds": report.duration,
               "traceback": str(report.longrepr or "")[-4000:]})


def pytest_sessionfinish(session, exitstatus):
    _emit({"event": "done", "exitstatus": int(exitstatus), "collected": session.testscollected})
