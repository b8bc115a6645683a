"""How pytest runs a test selection in the sandbox, and what its run means.

`Sandbox.run_pytest` runs pytest over the whole copy with no way to pass node ids or options, so the copy
gets a generated `pytest.ini` (the repository's own pytest settings, plus `-p _coderefine_select` and any
extra arguments in `addopts`) and the selection plugin beside it. What comes back is turned into a Report
whose failing outcomes read like a test failure to a person or a model (the assertion, the values, the
frames), and, for a traced run, which repository functions each test called.
"""
from __future__ import annotations

import configparser
import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Mapping

from coderefine.repo import RepoError
from coderefine.types import Report
from sandbox import ExecutionReport, Limits, TestOutcome

PLUGIN = "_coderefine_select"
TRACE_MARK = "@@coderefine-trace "   # as in select_plugin.py
COLLECTION_ERROR = "::coderefine-collection-error"
CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")   # pytest's order
_EXIT = re.compile(r"\bexit(?: status)? (-?\d+)")
_FRAME = re.compile(r"^(\S[^\n:]*\.py):(\d+):", re.MULTILINE)
_PARAMS = re.compile(r"^\w+ = .+")
# -x or --maxfail=N would leave tests without a verdict (and the run incomplete): no limit, given last, wins
RUN_ALL = "--maxfail=0"
# Options that need pytest's cache, which the sandbox turns off (pytest would refuse them), and that would run
# fewer or other tests than the selection: stepwise stops at a failure, --lf runs only the last failures
CACHE_OPTIONS = frozenset({"--sw", "--stepwise", "--sw-skip", "--stepwise-skip", "--sw-reset", "--stepwise-reset",
                           "--lf", "--last-failed", "--ff", "--failed-first", "--nf", "--new-first", "--cache-clear"})


@dataclass(frozen=True)
class PytestRun:
    """One way to run the selection: its items, extra pytest arguments, the time limit of one test, and
    whether to trace calls."""
    selection: tuple[str, ...]           # "path.py" or "path.py::test" items
    args: tuple[str, ...] = ()           # such as ("--runslow",)
    timeout: float | None = None         # seconds per test; None: only the run's wall limit
    trace: bool = False


@dataclass(frozen=True)
class Called:
    """A repository function a test called: where it is defined, and who called it first."""
    path: str
    line: int
    qualname: str                        # co_qualname, `<locals>` included
    caller_path: str | None
    caller_line: int | None


@dataclass
class Result:
    """A run of the selection: the loss's Report (skipped tests left out: they neither pass nor fail), and
    (traced runs) the functions each test called."""
    report: Report
    collected: int = 0                   # tests pytest reported, skipped ones included
    calls: dict[str, list[Called]] = field(default_factory=dict)   # node id -> calls, first call first
    exit_status: int | None = None       # pytest's exit status when it did not finish cleanly
    ran: frozenset[str] = frozenset()    # node ids of the tests that ran (not skipped)

    @property
    def collection_errors(self) -> list[TestOutcome]:
        """Test files that could not be imported (each stands as one failing test)."""
        return [o for o in self.report.failures if o.name.endswith(COLLECTION_ERROR)]


def sandbox_files(files: Mapping[str, str], run: PytestRun) -> dict[str, str]:
    """The repository's files plus what makes pytest run only `run.selection`, and every test of it."""
    options = user_options(files)
    args = [*arguments(options.pop("addopts", "")), "-p", PLUGIN, *run.args]
    addopts = " ".join(shlex.quote(arg) for arg in args if arg not in CACHE_OPTIONS) + f" {RUN_ALL}"
    lines = ["[pytest]", *(_ini_line(key, value) for key, value in options.items()), f"addopts = {addopts}"]
    plugin = resources.files(__package__).joinpath("select_plugin.py").read_text()
    return {**files, "pytest.ini": "\n".join(lines) + "\n", f"{PLUGIN}.py": plugin,
            f"{PLUGIN}.json": json.dumps({"select": list(run.selection), "timeout": run.timeout,
                                                    "trace": run.trace})}


def arguments(addopts: str | list) -> list[str]:
    """The user's addopts as pytest reads them: a string (an ini file's lines included) split as a shell
    would, a TOML list item by item."""
    if not isinstance(addopts, str):
        return [str(arg) for arg in addopts]
    try:
        return shlex.split(addopts)
    except ValueError as exc:
        raise RepoError(f"pytest's addopts setting cannot be split into arguments ({exc}): {addopts!r}; "
                        "fix its quotes") from None


def user_options(files: Mapping[str, str]) -> dict[str, str | list]:
    """The repository's own pytest settings from the first top-level file pytest would read."""
    for name in CONFIG_FILES:
        text = files.get(name)
        if text is None:
            continue
        if name == "pyproject.toml":
            try:
                table = tomllib.loads(text).get("tool", {}).get("pytest", {}).get("ini_options")
            except tomllib.TOMLDecodeError as exc:
                raise RepoError(f"pyproject.toml is not valid TOML ({exc})") from None
            if table is not None:
                return {k: v if isinstance(v, list) else str(v) for k, v in table.items()}
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text, source=name)
        except configparser.Error as exc:
            raise RepoError(f"{name} cannot be read ({exc})") from None
        section = "tool:pytest" if name == "setup.cfg" else "pytest"
        if parser.has_section(section) or name in ("pytest.ini", ".pytest.ini"):
            return dict(parser.items(section)) if parser.has_section(section) else {}
    return {}


def _ini_line(key: str, value: str | list) -> str:
    items = [str(v) for v in value] if isinstance(value, list) else str(value).split("\n")
    return f"{key} =" + "".join(f"\n    {item}" for item in items) if len(items) > 1 else f"{key} = {items[0]}"


def run_pytest(sandbox, files: Mapping[str, str], run: PytestRun, *, expected: int | None,
               limits: Limits, ran_before: frozenset[str] = frozenset()) -> Result:
    """The selection run once in the sandbox."""
    raw = sandbox.run_pytest(sandbox_files(files, run), expected_count=expected, limits=limits)
    return read(stopped_at_wall(raw, limits, run) if raw.limit_hit == "wall" else raw, ran_before)


def stopped_at_wall(raw: ExecutionReport, limits: Limits, run: PytestRun) -> ExecutionReport:
    """A run killed at its wall limit, said with the options that set the limits: the sandbox's words name
    neither (and give pytest's exit status as None, as it had none)."""
    wall = f" of {limits.wall:g} s" if limits.wall else ""
    per_test = f"lower --test-timeout (now {run.timeout:g} s)" if run.timeout else "set --test-timeout"
    why = (f"the selected tests ran past the --wall limit{wall} and were stopped; raise --wall, or {per_test} "
           "so that a test that runs too long fails alone")
    outcomes = [replace(o, exception=why) if o.exception == raw.error else o for o in raw.outcomes]
    return replace(raw, outcomes=outcomes, error=why)


def read(raw: ExecutionReport, ran_before: frozenset[str] = frozenset()) -> Result:
    """The Report of a pytest run, and the calls each test made (taken out of its report text). A test of
    `ran_before` (it ran on the code as it was) that is skipped now fails: a change must not pass by skipping."""
    calls: dict[str, list[Called]] = {}
    outcomes = []
    for outcome in raw.outcomes:
        text, mark, trace = outcome.traceback.rpartition(TRACE_MARK)
        if mark:
            outcome.traceback = text.rstrip("\n")
            try:
                calls[outcome.name] = [Called(*entry) for entry in json.loads(trace)]
            except (ValueError, TypeError):
                pass   # the ranking falls back on tracebacks
        if outcome.status == "skipped" and outcome.name in ran_before:
            outcomes.append(TestOutcome(status="error", name=outcome.name, seconds=outcome.seconds,
                                        exception="skipped with this change, though it ran before it"))
        elif outcome.status != "skipped":
            plain = outcome.status == "passed" or outcome.name.endswith(COLLECTION_ERROR)
            outcomes.append(outcome if plain else failure(outcome))
    exit_match = _EXIT.search(raw.error)
    report = Report.of(replace(raw, outcomes=outcomes))   # the limit hit and why it is untrusted go with it
    return Result(report, len(raw.outcomes), calls, int(exit_match.group(1)) if exit_match else None,
                  frozenset(o.name for o in raw.outcomes if o.status != "skipped"))


def failure(outcome: TestOutcome) -> TestOutcome:
    """A failing pytest outcome as a test failure reads: the call (with the parameters), the expected and
    actual values when the assertion compared two, else the exception; the traceback cut to its frames."""
    text = outcome.traceback
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    errors = [line for line in errors if line]
    pointed = [line[1:].strip() for line in text.splitlines() if line.startswith(">")]
    params = next((line for line in text.splitlines()[:1] if _PARAMS.match(line)), "")
    statement = pointed[0] if pointed else ""
    call = f"{statement}  (with {params})" if params and statement else statement or params
    compared = errors[0][len("assert "):].split(" == ") if errors and errors[0].startswith("assert ") else []
    base = TestOutcome(status=outcome.status, name=outcome.name, input=call, seconds=outcome.seconds,
                       traceback=excerpt(text), limit_hit=outcome.limit_hit)
    if len(compared) == 2 and outcome.status == "failed":
        base.actual, base.expected = compared
        return base
    base.status = "error" if outcome.status == "failed" else outcome.status
    base.exception = "\n".join(errors[:6]) or outcome.exception or outcome.status
    return base


def excerpt(longrepr: str, max_lines: int = 24) -> str:
    """A pytest failure without the test's source repeated: parameters, the lines marked `>`, each frame with
    its source line (a recursion's repeats shown once), and the `E` lines."""
    lines = longrepr.splitlines()
    kept: list[str] = []
    previous: tuple[str, str] | None = None
    for index, line in enumerate(lines):
        if _FRAME.match(line):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            entry = (line.rstrip(), following.rstrip() if " in " in line and following.startswith(" ") else "")
            if entry != previous:
                kept.extend(part for part in entry if part)
            previous = entry
        elif line.startswith((">", "E ")) or (index == 0 and _PARAMS.match(line)):
            kept.append(line.rstrip())
    if len(kept) > max_lines:
        kept = kept[:max_lines // 2] + ["..."] + kept[-max_lines // 2:]
    return "\n".join(kept)


def frames(longrepr: str) -> list[tuple[str, int]]:
    """The (path, line) of each frame a pytest traceback shows, outermost first."""
    return [(m.group(1), int(m.group(2))) for m in _FRAME.finditer(longrepr)]
