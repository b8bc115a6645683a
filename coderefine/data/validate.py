"""The problem validator: proves each `problems/<slug>/` folder is a fair, hard, reproducible test.

Every program (reference, brute, naive, gen) runs in the sandbox. Checks:
files well-formed; gen.py deterministic and matching hidden.json; examples
right and shown in the statement; reference passes every hidden test with a
time margin; brute agrees on small inputs; naive.py (Hard) fails by timeout or memory.
"""
from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from coderefine.extract import entry_name
from coderefine.render import outcome_line
from coderefine.data.problem import Problem, ProblemError
from coderefine.data.folder import HiddenCase, hidden_tests, load_problem_folder, read_hidden, read_text
from coderefine.source import defined_names, syntax_errors
from sandbox import ExecutionReport, Limits

MIN_MARGIN = 3.0          # the reference's slowest test must fit this many times into the limit
BRUTE_TIME_PER_TEST = 10.0  # brute force may be slow, but small inputs must stay small
GEN_WALL = 120.0

_GEN_PROGRAM = """\
import hashlib, json
from gen import generate

def digest():
    cases = [{"args": list(c["args"]), "small": bool(c.get("small", False))} for c in generate(%d)]
    text = json.dumps(cases, separators=(",", ":"), sort_keys=True, default=lambda s: sorted(s, key=repr))
    return hashlib.sha256(text.encode()).hexdigest()

print(json.dumps([digest(), digest()]))
"""


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0


@dataclass
class ProblemReport:
    problem_id: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def to_dict(self) -> dict:
        return {"problem": self.problem_id, "ok": self.ok, "checks": [asdict(c) for c in self.checks]}


def cases_digest(cases: list[dict]) -> str:
    """The hash `_GEN_PROGRAM` prints, computed over hidden.json's inputs."""
    text = json.dumps(cases, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def appears_in(expected: Any, statement: str) -> bool:
    """Whether the statement shows `expected` (JSON or Python spelling, spacing ignored, floats possibly rounded)."""
    spellings = {json.dumps(expected), repr(expected), str(expected)}
    if isinstance(expected, bool):
        spellings |= {"true" if expected else "false"}
    if any(re.search(_token_pattern(s), statement) for s in spellings):
        return True
    if isinstance(expected, float):
        return any(abs(float(m.group(0)) - expected) <= 0.5 * 10 ** -len(m.group(1) or "")
                   for m in re.finditer(r"-?\d+(?:\.(\d+))?", statement))
    return False


def _token_pattern(spelling: str) -> str:
    """`spelling` as a whole token (so 3 is not found inside 10^3 or 13), with any spacing inside."""
    body = r"\s*".join(re.escape(c) for c in re.sub(r"\s+", "", spelling))
    return r"(?<![\w.^])" + body + r"(?!\w|\.\d)"


def check_files(folder: Path, problem: Problem) -> CheckResult:
    """The starter code and the programs define what they must, and the programs parse; Hard problems carry naive.py."""
    problems = []
    wanted = entry_name(problem.entry_point)
    if wanted not in defined_names(problem.starter_code + "    pass\n"):  # a starter ends in a header with no body
        problems.append(f"{folder / 'problem.toml'}: starter_code does not define `{wanted}`, "
                        f"the entry_point {problem.entry_point!r}; make them name the same function")
    needed = {"reference.py": wanted, "brute.py": wanted, "gen.py": "generate"}
    if problem.difficulty == "Hard" or (folder / "naive.py").exists():
        needed["naive.py"] = wanted
    for name, definition in needed.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{path}: file is missing" + (" (every Hard problem needs one)" if name == "naive.py" else ""))
            continue
        try:
            code = read_text(path)
        except ProblemError as exc:
            problems.append(str(exc))
            continue
        if errors := syntax_errors(code):
            problems.append(f"{path}: {errors[0]}")
        elif definition not in defined_names(code):
            problems.append(f"{path}: does not define `{definition}` (entry_point in problem.toml is {problem.entry_point!r})")
    return CheckResult("files", not problems, "; ".join(problems) or f"{len(needed)} programs parse and define their entry point")


def check_gen(folder: Path, seed: int, cases: list[HiddenCase], sandbox) -> CheckResult:
    program = _GEN_PROGRAM % seed
    result = sandbox.run_program(program, files={"gen.py": read_text(folder / "gen.py")}, limits=Limits(wall=GEN_WALL))
    if result.exit_code != 0:
        why = result.killed_reason or (result.stderr.strip().splitlines() or ["no output"])[-1]
        return CheckResult("gen", False, f"gen.py failed in the sandbox: {why}", result.seconds)
    try:
        first, second = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return CheckResult("gen", False, f"gen.py printed unexpected output: {result.stdout[:200]!r}", result.seconds)
    stored = cases_digest([{"args": c.args, "small": c.small} for c in cases])
    if first != second:
        detail, ok = f"generate({seed}) gave different cases on two calls: it must use only random.Random(seed)", False
    elif first != stored:
        detail, ok = f"hidden.json's inputs differ from generate({seed}); rebuild: coderefine problems build {folder.name}", False
    else:
        detail, ok = f"generate({seed}) is deterministic and matches hidden.json ({len(cases)} cases)", True
    return CheckResult("gen", ok, detail, result.seconds)


def _first_bad(report: ExecutionReport) -> str:
    bad = next(iter(report.failing), None)
    if bad is None:
        skipped = any(o.status == "skipped" for o in report.outcomes)
        return report.error or ("not run: fail-fast stopped at an earlier failure" if skipped else "no tests ran")
    return outcome_line(bad) + (f" [{report.error}]" if report.error else "")


def validate_problem(folder: Path, sandbox, *, min_margin: float = MIN_MARGIN) -> ProblemReport:
    """Run every check on one folder; a folder that does not load reports only that."""
    folder = Path(folder)
    report = ProblemReport(folder.name)
    try:
        problem = load_problem_folder(folder)
        seed, cases = read_hidden(folder)
    except ProblemError as exc:
        report.checks.append(CheckResult("files", False, str(exc)))
        return report
    files = check_files(folder, problem)
    report.checks.append(files)
    if _runnable(folder / "gen.py"):
        report.checks.append(check_gen(folder, seed, cases, sandbox))
    if _runnable(folder / "reference.py"):
        report.checks.extend(_reference_checks(folder, problem, sandbox, min_margin))
    if _runnable(folder / "brute.py"):
        report.checks.append(_brute_check(folder, problem, cases, sandbox))
    if _runnable(folder / "naive.py"):
        report.checks.append(_naive_check(folder, problem, cases, sandbox))
    return report


def _runnable(path: Path) -> bool:
    """Present, readable and parseable; the files check already reports the others."""
    try:
        return path.is_file() and not syntax_errors(read_text(path))
    except ProblemError:
        return False


def _run(sandbox, folder: Path, program: str, problem: Problem, tests: list, limits: Limits) -> ExecutionReport:
    return sandbox.run_tests(read_text(folder / program), tests, problem.entry_point, prelude=problem.prelude,
                             compare=problem.compare, limits=limits, fail_fast=True)


def _reference_checks(folder: Path, problem: Problem, sandbox, min_margin: float) -> list[CheckResult]:
    """One sandbox run over examples + hidden tests, reported as three checks: examples, reference, margin."""
    examples, hidden = list(problem.visible_tests), list(problem.hidden_tests)
    run = _run(sandbox, folder, "reference.py", problem, examples + hidden, problem.limits())
    shown, ran = run.outcomes[:len(examples)], run.outcomes[len(examples):]
    missing = [i + 1 for i, t in enumerate(examples)
               if not all(appears_in(v, problem.statement) for v in (*t.args, t.expected))]
    wrong = [o for o in shown if o.status != "passed"]
    if wrong:
        ex = CheckResult("examples", False, f"reference.py disagrees with examples.json: {_first_bad(replace(run, outcomes=wrong))}")
    elif missing:
        ex = CheckResult("examples", False, f"statement.md does not show the arguments or the expected output of example(s) "
                         f"{missing} from examples.json")
    else:
        ex = CheckResult("examples", True, f"{len(examples)} examples match reference.py and statement.md")
    passed = sum(o.status == "passed" for o in ran)
    ref_ok = passed == len(hidden) and not run.error
    ref = CheckResult("reference", ref_ok, f"{passed}/{len(hidden)} hidden tests passed" +
                      ("" if ref_ok else f"; first failure {_first_bad(replace(run, outcomes=ran))}"), run.seconds)
    checks = [ex, ref]
    if ref_ok:
        slowest = max(ran, key=lambda o: o.seconds)
        margin = problem.time_limit / max(slowest.seconds, 1e-6)
        checks.append(CheckResult(
            "margin", margin >= min_margin,
            f"slowest {slowest.name} took {slowest.seconds:.3f} s of the {problem.time_limit:g} s limit: "
            f"margin {margin:.1f}x (needs {min_margin:g}x)"))
    return checks


def _brute_check(folder: Path, problem: Problem, cases: list[HiddenCase], sandbox) -> CheckResult:
    small = [t for t, c in zip(hidden_tests(cases), cases) if c.small]
    if not small:
        return CheckResult("brute", False, "hidden.json has no tests marked small, so brute.py is never compared")
    limits = replace(problem.limits(), time_per_test=max(BRUTE_TIME_PER_TEST, problem.time_limit))
    run = _run(sandbox, folder, "brute.py", problem, small, limits)
    ok = run.all_passed and run.total == len(small)
    detail = f"brute.py agrees with the reference on {run.passed}/{len(small)} small tests"
    return CheckResult("brute", ok, detail + ("" if ok else f"; first disagreement {_first_bad(run)}"), run.seconds)


# How a correct but asymptotically naive program is allowed to fail on maximum-size inputs.
EXHAUSTED = ("timeout", "memory")


def _naive_check(folder: Path, problem: Problem, cases: list[HiddenCase], sandbox) -> CheckResult:
    """naive.py must be correct but too slow (or too big): largest inputs first, so fail-fast stops at the first."""
    tests = sorted(hidden_tests(cases), key=lambda t: -len(json.dumps(t.args)))
    run = _run(sandbox, folder, "naive.py", problem, tests, problem.limits())
    exhausted = next((o for o in run.outcomes if o.status in EXHAUSTED), None)
    wrong = [o for o in run.outcomes if o.status not in ("passed", "skipped", *EXHAUSTED)]
    if exhausted is not None and not wrong:
        verb = "timed out" if exhausted.status == "timeout" else "ran out of memory"
        return CheckResult("naive", True, f"naive.py {verb} on {exhausted.name} (limit {problem.time_limit:g} s), "
                           "as it must", run.seconds)
    if wrong:
        detail = f"naive.py should be correct but slow, yet {_first_bad(replace(run, outcomes=wrong))}"
    else:
        detail = f"naive.py passed {run.passed}/{run.total} hidden tests within the limit: the time limit does not separate it"
    return CheckResult("naive", False, detail, run.seconds)


def validate_all(folders: list[Path], sandbox, *, workers: int = 2, min_margin: float = MIN_MARGIN) -> list[ProblemReport]:
    """Validate folders concurrently (the sandbox runs `workers` candidates at once); order is kept."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda f: validate_problem(f, sandbox, min_margin=min_margin), folders))
