"""Every text an LLM reads: plain-text templates beside this module, filled with `string.Template` ($name).

`$` placeholders (not `{}`) so code containing braces needs no escaping. A file
may hold several templates as `[section]` blocks (lines starting with `#` above
the first section are comments); `render("outcomes.failed", ...)` picks one.
"""
from __future__ import annotations

import re
from functools import cache
from importlib import resources
from string import Template

from typing import Sequence

from coderefine.render import NOT_RUN
from coderefine.types import Report
from sandbox import CallTest, Test

CLIP = 400            # characters of one rendered value
MAX_FAILURES = 5      # failing tests shown per report
TRACEBACK_LINES = 4


_SECTION = re.compile(r"^\[([a-z_]+)\]$", re.MULTILINE)


@cache
def _file(name: str) -> dict[str, Template]:
    text = resources.files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    pieces = _SECTION.split(text)
    if len(pieces) == 1:
        return {"": Template(text)}
    return {key: Template(body.strip("\n")) for key, body in zip(pieces[1::2], pieces[2::2])}


def render(template: str, /, **values: object) -> str:
    """Fill `template` (a file name, or `file.section`); a missing value is a programming error (KeyError)."""
    file, _, section = template.partition(".")
    return _file(file)[section].substitute({k: str(v) for k, v in values.items()})


def clip(text: str, limit: int = CLIP) -> str:
    return text if len(text) <= limit else text[: limit - 15] + " …[truncated]"


def describe(report: Report, *, max_failures: int = MAX_FAILURES) -> str:
    """The failures of `report` as the model reads them: at most `max_failures` tests, clipped."""
    parts = [render("outcomes.program_error", error=clip(report.error, 800))] if report.error else []
    failures = [o for o in report.failures if not (report.error and o.exception.startswith(NOT_RUN))]
    for outcome in failures[:max_failures]:
        kind = outcome.status if outcome.status in ("failed", "error", "timeout", "memory") else "other"
        tail = outcome.traceback.strip().splitlines()[-TRACEBACK_LINES:]
        parts.append(render(f"outcomes.{kind}", name=outcome.name or "test", input=clip(outcome.input),
                            expected=clip(outcome.expected), actual=clip(outcome.actual),
                            exception=clip(outcome.exception), status=outcome.status.upper(),
                            seconds=f"{outcome.seconds:.2f}",
                            traceback="\n".join("    " + line for line in tail)))
    parts = ["\n".join(line for line in part.splitlines() if line.strip() not in ("input:", ""))
             for part in parts]
    if len(failures) > max_failures:
        parts.append(render("outcomes.more", count=len(failures) - max_failures))
    return "\n".join(parts) if parts else render("outcomes.all_passed")


def assert_report(entry_point: str, tests: Sequence[Test], report: Report) -> str:
    """Test results as asserts (passed, then failed with the actual output), as the replicas show them."""
    failing = {o.name: o for o in report.failures}
    passed, failed = [], []
    for test in tests:
        outcome = failing.get(test.name)
        ok = outcome is None and not report.error
        if not isinstance(test, CallTest):   # an assert of the problem's own (trees, lists): its source
            source = clip(test.source.strip())
            if ok:
                passed.append(render("test_report.source_passed", source=source))
            else:
                why = (outcome.exception if outcome else "") or report.error or "error"
                failed.append(render("test_report.source_raised", source=source,
                                     status=outcome.status if outcome else "error", exception=_last_line(why)))
            continue
        call = f"{entry_point}({', '.join([repr(a) for a in test.args] + [f'{k}={v!r}' for k, v in test.kwargs.items()])})"
        values = {"call": clip(call), "expected": clip(repr(test.expected))}
        if ok:
            passed.append(render("test_report.passed", **values))
        elif outcome is not None and outcome.status == "failed":
            failed.append(render("test_report.failed", **values, actual=clip(outcome.actual)))
        else:
            why = (outcome.exception if outcome else "") or (outcome.status if outcome else "") or report.error
            failed.append(render("test_report.raised", **values, exception=_last_line(why)))
    return render("test_report.report", passed="\n".join(passed), failed="\n".join(failed))


def _last_line(why: str) -> str:
    """The last line of why a test did not pass (an exception's message ends its traceback), clipped."""
    return clip(why.strip().splitlines()[-1] if why.strip() else "error")
