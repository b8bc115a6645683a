"""pytest plugin loaded inside the sandbox (stdlib + pytest only): one record per test on the original stdout.

The tests run in the same process as the code under test, so nothing here can
be made unforgeable, and the host marks every pytest report untrusted. What it
does stop is the cheap forgery: a conftest.py that imports this module, calls
its emit function for every test id, and exits. There is no module-level emit
to call, and every record carries a per-run nonce that this module reads from
stdin when pytest imports it with `-p`, before any conftest.py is loaded, and
keeps only inside a closure; the host drops lines without it.
"""
import json
import os
import sys


def _install():
    nonce = sys.stdin.readline().strip()
    out = os.fdopen(os.dup(1), "w")

    def emit(record):
        out.write(f"\n@@{nonce} {json.dumps(record)}\n")
        out.flush()

    class Reporter:
        def pytest_runtest_logreport(self, report):
            if report.when == "call" or (report.when == "setup" and not report.passed):
                status = {"passed": "passed", "failed": "failed" if report.when == "call" else "error",
                          "skipped": "skipped"}[report.outcome]
                emit({"nodeid": report.nodeid, "status": status, "seconds": float(report.duration),
                      "traceback": str(report.longrepr or "")[-4000:]})

        def pytest_sessionfinish(self, session, exitstatus):
            emit({"event": "done", "exitstatus": int(exitstatus), "collected": session.testscollected})

    def pytest_configure(config):
        config.pluginmanager.register(Reporter(), "coderefine-reporter")

    return pytest_configure


pytest_configure = _install()
