"""pytest plugin copied into the sandboxed repository (stdlib + pytest only), loaded by the generated
pytest.ini with `-p`, because `Sandbox.run_pytest` runs pytest on the whole copy and takes no node ids.

It reads `_coderefine_select.json` beside it:
- `select`: "path.py" or "path.py::test" items; other test files are not collected (their import errors are
  not ours to report) and other tests of a selected file are deselected;
- `timeout`: seconds one test may run; past them it fails with TestTimeout, raised where the code was (a
  SIGALRM handler), and raised again while the test runs on (it caught it), so an endless loop costs one test
  its verdict, not the whole run its report;
- `trace`: when true, records which functions under the repository each test calls (with the caller of the
  first call), and appends them to the test's report text as one line `@@coderefine-trace [...]`, since the
  sandbox returns nothing of a run but each test's status and report text (its traceback).
A test file that cannot be imported becomes one failing test `FILE::coderefine-collection-error` carrying
pytest's error, for the same reason: the sandbox reports tests, not collection errors. A file skipped whole
(`pytest.importorskip`, a module-level `pytest.skip`) becomes one skipped test `FILE::coderefine-skipped-module`.
"""
import json
import os
import signal
import sys

import _pytest
import pluggy
import pytest

_HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_HERE, "_coderefine_select.json")) as _file:
    _CONFIG = json.load(_file)
_SELECTED = _CONFIG["select"]
_FILES = {item.split("::", 1)[0] for item in _SELECTED}
_traces = {}
TRACE_MARK = "@@coderefine-trace "
TRACE_CHARS = 1200   # the sandbox keeps the last 4000 characters of a report: the traceback keeps the rest
COLLECTION_ERROR = "coderefine-collection-error"
SKIPPED_MODULE = "coderefine-skipped-module"
REARM = 0.1   # seconds between timeouts after the first, for code that catches even BaseException
_PYTEST_CODE = tuple(os.path.dirname(module.__file__) + os.sep for module in (_pytest, pluggy)) + (__file__,)


def _relative(path, config):
    return os.path.relpath(str(path), str(config.rootpath)).replace(os.sep, "/")


def pytest_ignore_collect(collection_path, config):
    if collection_path.suffix == ".py" and collection_path.name != "conftest.py":
        return True if _relative(collection_path, config) not in _FILES else None
    return None


class _CollectionError(pytest.Item):
    """Stands for a test file that failed to import; running it fails with pytest's collection error."""

    def __init__(self, *, text, **kwargs):
        super().__init__(**kwargs)
        self.text = text

    def runtest(self):
        raise RuntimeError(self.text)

    def repr_failure(self, excinfo, style=None):
        return self.text

    def reportinfo(self):
        return self.path, None, self.name


class _SkippedModule(pytest.Item):
    """Stands for a test file skipped whole at import; running it skips with the file's reason."""

    def __init__(self, *, reason, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason

    def runtest(self):
        pytest.skip(self.reason)

    def reportinfo(self):
        return self.path, None, self.name


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    made = yield
    report = made.get_result()
    if not isinstance(collector, pytest.Module):
        return
    if report.failed:
        item = _CollectionError.from_parent(collector, name=COLLECTION_ERROR, text=str(report.longrepr))
        report.outcome, report.longrepr, report.result = "passed", None, [item]
    elif report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        item = _SkippedModule.from_parent(collector, name=SKIPPED_MODULE, reason=reason)
        report.outcome, report.longrepr, report.result = "passed", None, [item]


def _chosen(nodeid):
    return any(nodeid == item or nodeid.startswith(item + "::") or nodeid.startswith(item + "[")
               for item in _SELECTED)


def pytest_collection_modifyitems(config, items):
    kept = [item for item in items if _chosen(item.nodeid) or isinstance(item, (_CollectionError, _SkippedModule))]
    dropped = [item for item in items if item not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


class TestTimeout(BaseException):
    """A test ran past its time limit. Not an Exception, so that `except Exception` in a retry loop does not
    swallow it (pytest still reports it as the test's failure)."""
    __test__ = False


def _alarm(signum, frame):
    """Raise TestTimeout where the test's code is. Never inside pytest's own code (the test has just ended,
    or it runs a pytest helper): the alarm, repeated every REARM seconds until the test ends, comes again."""
    if frame is None or not frame.f_code.co_filename.startswith(_PYTEST_CODE):
        raise TestTimeout(f"the test ran longer than {_CONFIG['timeout']:g} s: an endless loop, or far too slow")


class _Tracer:
    """Functions defined under `root` that run during one test, in order of first call, each with the place
    (file, line) of the code that called it first. A global trace function that returns None sees only
    calls, which keeps the cost to a dictionary lookup or two per call."""

    def __init__(self, root):
        self.root = root + os.sep
        self.places = {}
        self.calls = {}

    def place(self, code):
        """[path, first line] for code under the root (this plugin excepted), else None."""
        if code not in self.places:
            mine = code.co_filename.startswith(self.root) and code.co_filename != __file__
            self.places[code] = [code.co_filename[len(self.root):], code.co_firstlineno] if mine else None
        return self.places[code]

    def __call__(self, frame, event, arg):
        code = frame.f_code
        if code not in self.calls and self.place(code) is not None:
            caller = frame.f_back.f_code if frame.f_back is not None else None
            self.calls[code] = [*self.place(code), getattr(code, "co_qualname", code.co_name),
                                *((caller is not None and self.place(caller)) or [None, None])]
        return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    tracer = _Tracer(str(item.config.rootpath)) if _CONFIG.get("trace") else None
    previous = sys.gettrace()
    if _CONFIG.get("timeout"):
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, _CONFIG["timeout"], REARM)
    if tracer is not None:
        sys.settrace(tracer)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if tracer is not None:
            sys.settrace(previous)
            _traces[item.nodeid] = list(tracer.calls.values())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    made = yield
    calls = _traces.pop(item.nodeid, None) if call.when == "call" else None
    if calls is None:
        return
    while len(json.dumps(calls)) > TRACE_CHARS:
        calls = calls[:len(calls) // 2]   # the first calls are the test's own callees
    report = made.get_result()
    report.longrepr = (str(report.longrepr) + "\n" if report.longrepr else "") + TRACE_MARK + json.dumps(calls)
