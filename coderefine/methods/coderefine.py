"""The coderefine method: validated self-generated tests as the loss, a critique grounded in the smallest
failing case as the gradient, a unified diff as the step, and a small best-first search over candidates.

Every round spends at most two calls. After the zero-shot candidate (the request every method opens with):
- while no candidate passes the visible tests, a near miss (at least half of the visible tests passed)
  is expanded: a critique of its smallest failing test, then a patch; a candidate is expanded at most
  twice, the second time hotter. Far misses are not worth a repair on a small model: a fresh sample
  (resample's next request: the zero-shot prompt at a rising temperature) is drawn instead;
- once a candidate passes the visible tests (or at once, when there are none), one call asks for a
  brute-force oracle and 8-12 test inputs, and, with large constraints, one more for maximum-size inputs.
  Inputs are labelled by agreement of the programs that pass the visible tests (an oracle that a candidate
  repeats does not vote again); a candidate that fails an agreed label is expanded like a near miss, and a
  disputed label calls for a fresh sample (one more vote);
- the run stops when the best candidate passes every visible, agreed and stress test and no label is
  disputed, or when the budget is spent. With a `quorum` above 1, a candidate whose answers fewer programs
  share does not stop the run either: fresh samples are drawn to vote.
With `examples`, a problem without visible tests first has the examples of its statement copied (one call,
checked against the statement) to serve as them; with `hint`, a fresh sample is told which example an earlier
one got wrong; with `plan`, it is asked to work the first example by hand before its code. On the 1.5B model
`quorum` and `hint` did not pay (BENCHMARKS.md); `examples` did, a little; `plan` showed no gain in its
development check.
A child that fails a test its parent passed (an anchor) is never expanded nor returned. The answer is the
best candidate: visible tests first, then self tests, then stress inputs; never a regression.
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

from coderefine.extract import entry_name, extract_code
from coderefine.loop import (Run, best_index, call_seed, first_candidate, fresh_sample, problem_text, rank,
                            solve_messages)
from coderefine.patch import PatchError, apply_diff, diff_text, numbered, parse_diff, unchanged_body
from coderefine.prompts import clip, render
from coderefine.selftests import (MISSING, Label, argument_lists, entry_signature, labelled_tests, oracle_from,
                                  outputs, parse_inputs, score, vote)
from coderefine.source import defined_names, program_shape, syntax_errors, without_top_level_calls
from coderefine.stated import stated_examples
from coderefine.types import Candidate, Report
from sandbox import CallTest, ExecutionReport, Limits, TestOutcome, render_call, render_value

NEAR_MISS = 0.5            # visible pass fraction from which a repair is tried instead of a fresh sample
TESTS_TOKENS = 768         # the oracle and a dozen calls fit; a reply that runs on is cut, not waited for
HOTTER = 0.2               # added to the temperature per earlier expansion of the same candidate
STRESS_LIMITS = Limits(time_per_test=10.0, output_bytes=8 << 20)
STRESS_TAKEN = 8   # values read from a stress generator: 3 calls, or one call's arguments (a generator may yield)
ANCHORS_SHOWN = 3
_LARGE = re.compile(r"10\s*\^\s*\d|10\*\*\s*\d|\d{1,3}(?:,\d{3}){1,}|\b\d{5,}\b|<sup>\d")


@dataclass(frozen=True)
class Options:
    """Each part behind a flag, so that its effect can be measured alone."""
    selftests: bool = True     # an oracle and test inputs from the model, labelled by agreement
    validate: bool = True      # only programs that pass every visible test may vote on a label
    stress: bool = True        # maximum-size inputs when the statement states large constraints
    diffs: bool = True         # the step is a unified diff (else a whole rewrite)
    beam: int = 2              # candidates considered for expansion; 1: a greedy chain, no fresh samples
    expansions: int = 2        # critiques of one candidate before fresh samples take over (later ones hotter);
                               # 0: no critiques, fresh samples chosen by the visible and self tests
    quorum: int = 1            # programs (the best included) that must give each self input's answer before
                               # the run may stop; below it fresh samples are drawn to vote. 1: no confirmation
    examples: bool = False     # with no visible tests, one call copies the statement's examples, kept as the
                               # visible tests where their values appear in the statement
    hint: bool = False         # a fresh sample is shown (without any code) an example an earlier one got wrong
    plan: bool = False         # a fresh sample first restates the task, works the first example by hand and
                               # names its algorithm, then writes the code (its requests are no longer resample's)


def parse_options(text: str) -> Options:
    """`beam=3,diffs=off` -> Options; a ValueError names the key or value that is wrong, and what is allowed."""
    values: dict[str, Any] = {}
    known = {f.name: f for f in fields(Options)}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, raw = item.partition("=")
        key = key.strip().replace("-", "_")
        if key not in known or not sep:
            raise ValueError(f"coderefine option {item!r}: use key=value with a key among {', '.join(known)}")
        raw = raw.strip().lower()
        if known[key].type in (bool, "bool"):
            if raw not in ("on", "off", "true", "false", "1", "0", "yes", "no"):
                raise ValueError(f"coderefine option {key}={raw}: use on or off")
            values[key] = raw in ("on", "true", "1", "yes")
        else:
            low = 0 if key == "expansions" else 1
            if not raw.isdigit() or int(raw) < low:
                raise ValueError(f"coderefine option {key}={raw}: use a whole number >= {low}")
            values[key] = int(raw)
    return Options(**values)


@dataclass
class Program:
    """Something that can answer the self inputs: a candidate (with its index) or an oracle."""
    code: str
    candidate: int | None
    visible: Report
    answers: list[Any] = field(default_factory=list)
    raw: list[TestOutcome] = field(default_factory=list)   # on the self inputs, then the stress inputs
    errors: tuple[str, str] = ("", "")   # a run-level error that stopped the run on a self input; on a stress input


class Search:
    """The state of one coderefine run: programs, self inputs, labels, expansions."""

    def __init__(self, run: Run, options: Options):
        self.run, self.options = run, options
        self.problem = run.problem
        self.inputs: tuple[CallTest, ...] = ()
        self.stress: tuple[CallTest, ...] = ()
        self.labels: list[Label] = []
        self.programs: list[Program] = []
        self.expansions: dict[int, int] = {}
        self.regressed: set[int] = set()
        self.pending_repair: tuple[Candidate, str, list[dict]] | None = None
        self.stated: list[dict] = []    # the statement's examples, where they stand in for visible tests
        self.samples = 0
        self.built = False
        run.select = self.select

    # --- tests and scores ----------------------------------------------------------------------

    @property
    def on_problem(self) -> bool:
        """The loss runs call tests of a problem; else it runs a repository's pytest selection, its own tests only."""
        return hasattr(self.run.loss, "execute")

    def state_examples(self) -> None:
        """With no visible tests, the examples the statement gives (checked against it) stand in for them."""
        if not self.options.examples or self.problem.visible_tests or not self.on_problem:
            return
        reply = self.run.ask("examples", _with_problem(self.problem, render(
            "coderefine.examples", entry=self.problem.entry_point)),
            seed=call_seed(self.run.seed, 0, 7), max_tokens=TESTS_TOKENS)
        examples = stated_examples(reply, self.problem.entry_point, self.problem.statement, self.problem.starter_code)
        self.run.count("examples_stated", len(examples))
        if examples:
            self.problem = replace(self.problem, visible_tests=examples)
            self.stated = [{"name": t.name, "input": render_call(t.args, t.kwargs), "status": "stated",
                            "expected": render_value(t.expected), "votes": 0, "against": 0} for t in examples]
            self.run.traj.selftests = list(self.stated)

    def needs_tests(self) -> bool:
        """Self tests are built once, when a candidate passes the visible tests (or there are none)."""
        if not self.options.selftests or self.built or not self.on_problem:
            return False
        return not self.problem.visible_tests or any(c.visible.complete for c in self.candidates())

    def build_tests(self) -> None:
        """The oracle and inputs call, then the stress call where the statement has large constraints; then
        every candidate so far runs on the new inputs."""
        self.built = True
        example = f"{self.problem.entry_point}(...)"
        reply = self.run.ask("tests", _with_problem(self.problem, render("coderefine.tests", example_call=example)),
                             seed=call_seed(self.run.seed, 0, 5), max_tokens=TESTS_TOKENS)
        inputs = parse_inputs(reply, self.problem.entry_point, self.problem.starter_code)
        self.inputs = inputs.tests
        self.run.count("selftests_proposed", inputs.proposed)
        self.run.count("selftests_parsed", len(inputs.tests))
        oracle = oracle_from(reply, self.problem.entry_point)
        if oracle is not None and program_shape(oracle) not in {program_shape(c.code) for c in self.candidates()}:
            self.programs.append(self._program(oracle, None))
            self.run.count("oracles")
        try:
            if self.options.stress and _LARGE.search(self.problem.statement):
                self._build_stress()
        finally:
            self._rescore()

    def _rescore(self) -> None:
        """Run every candidate again, now with the self inputs and stress inputs."""
        for i, program in enumerate(self.programs):
            if program.candidate is not None:
                self.programs[i] = self._score(self.candidates()[program.candidate], program.candidate)
        self.relabel()
        self.run.reselect()

    def _build_stress(self) -> None:
        reply = self.run.ask("stress", _with_problem(self.problem, render("coderefine.stress",
                                                                           entry=self.problem.entry_point)),
                             seed=call_seed(self.run.seed, 0, 6))
        code = extract_code(reply, "stress_inputs")
        if code is None:
            self.run.count("stress_unparsed")
            return
        code = without_top_level_calls(code)   # a demo call's printing would corrupt the JSON read below
        printer = "\nimport itertools as _it, json as _json\n" \
                  f"print(_json.dumps(list(_it.islice(stress_inputs(), {STRESS_TAKEN}))))\n"
        result = self.run.loss.run_program(code + printer, STRESS_LIMITS)
        try:
            value = json.loads(result.stdout) if result.exit_code == 0 else None
        except (ValueError, RecursionError):   # the generator's output is the model's: nested beyond parsing
            value = None
        if not isinstance(value, list):
            self.run.count("stress_failed")
            return
        signature = entry_signature(self.problem.entry_point, self.problem.starter_code)
        calls = "\n".join(f"{self.problem.entry_point}({', '.join(map(repr, c))})"
                          for c in argument_lists(value, signature and signature.arity))
        self.stress = tuple(replace(t, name=f"stress {i + 1}") for i, t in
                            enumerate(parse_inputs(calls, self.problem.entry_point, self.problem.starter_code).tests[:3]))
        self.run.count("stress_inputs", len(self.stress))

    def _program(self, code: str, candidate: int | None) -> Program:
        """One sandbox run: visible tests, self inputs and (for candidates) stress inputs."""
        if not self.on_problem:
            return Program(code, candidate, self.run.loss(code))
        visible = list(self.problem.visible_tests)
        stress = list(self.stress) if candidate is not None else []
        tests = visible + list(self.inputs) + stress
        raw = self.run.loss.execute(code, tests) if tests else ExecutionReport([], backend="")
        outcomes, selves = raw.outcomes, len(visible) + len(self.inputs)
        errors = ["", "", ""]   # the run-level error goes with the part of the tests it stopped
        errors[_stopped_in(raw, (len(visible), selves))] = raw.error
        report = Report.of(ExecutionReport(outcomes[:len(visible)], raw.backend, raw.seconds, errors[0]))
        return Program(code, candidate, report, outputs(outcomes[len(visible):selves]), outcomes[len(visible):],
                       (errors[1], errors[2]))

    def _score(self, candidate: Candidate, index: int) -> Program:
        """Run `candidate` on everything there is; set its visible and stress reports."""
        program = self._program(candidate.code, index)
        candidate.visible = program.visible
        if self.stress:
            stress = program.raw[len(self.inputs):]
            failing = [o for o in stress if o.status not in ("passed", "failed")]
            candidate.stress = Report(len(stress) - len(failing), len(stress), failing, error=program.errors[1])
        return program

    def add(self, candidate: Candidate) -> Candidate:
        """Score and record `candidate`. An oracle that is the same program stops voting: each program votes once
        (candidates that are the same program do vote apart: they are independent draws)."""
        program = self._score(candidate, len(self.run.traj.candidates))
        same = program_shape(candidate.code)
        self.programs = [p for p in self.programs
                         if p.candidate is not None or program_shape(p.code) != same] + [program]
        self.relabel()
        if self.inputs:
            candidate.selftest = self._selftest(program)
        return self.run.add(candidate, scored=True)

    def relabel(self) -> None:
        """Labels by agreement of the programs that may vote, and every candidate's self-test report."""
        if not self.inputs:
            return
        voters = [p.answers for p in self.programs
                  if not self.options.validate or not self.problem.visible_tests or p.visible.complete]
        self.labels = vote(voters, self.problem.compare) if voters else [Label("unknown")] * len(self.inputs)
        for program in self.programs:
            if program.candidate is not None and program.candidate < len(self.run.traj.candidates):
                self.run.traj.candidates[program.candidate].selftest = self._selftest(program)
        self.run.traj.stats["selftests_agreed"] = sum(label.status == "agreed" for label in self.labels)
        self.run.traj.stats["selftests_disputed"] = sum(label.status == "disputed" for label in self.labels)
        self.run.traj.selftests = self.stated + [
            {"name": t.name, "input": render_call(t.args, t.kwargs), "status": label.status,
             "expected": render_value(label.value) if label.status in ("agreed", "single") else "",
             "votes": label.votes,
             "against": label.against} for t, label in zip(self.inputs, self.labels)]

    def _selftest(self, program: Program) -> Report:
        passed, total, failing = score(program.answers, self.labels, self.problem.compare)
        failures = []
        for i in failing:
            outcome, label = program.raw[i], self.labels[i]
            test = self.inputs[i]
            failures.append(TestOutcome(
                status="failed" if program.answers[i] is not MISSING else outcome.status,
                name=test.name, input=render_call(test.args, test.kwargs), expected=render_value(label.value),
                actual=outcome.actual, exception=outcome.exception, traceback=outcome.traceback))
        return Report(passed, total, failures, error=program.errors[0])

    # --- the search ------------------------------------------------------------------------------

    def candidates(self) -> list[Candidate]:
        return self.run.traj.candidates

    def select(self, candidates: list[Candidate]) -> int | None:
        """The best candidate that lost no anchor (or the best of all when every one did)."""
        keep = [c for c in candidates if c.index not in self.regressed] or candidates
        index = best_index(keep)
        return None if index is None else keep[index].index

    def finished(self) -> str:
        """Why to stop now, or ""."""
        best = self.candidates()[self.run.traj.final_index]
        disputed = any(label.status == "disputed" for label in self.labels)
        reports = (best.visible, best.selftest, best.stress)
        if self.needs_tests() or not all(map(_clean, reports)) or disputed or self.unconfirmed():
            return ""   # (a program that does not load or hangs is not clean, even where nothing judges it)
        return "all tests pass" if any(r.total for r in reports) else "no tests to learn from"

    def unconfirmed(self) -> bool:
        """Some self input's answer has fewer programs behind it than the quorum. A small model's oracle often
        fails the visible tests and may not vote, or shares the candidate's misreading of the statement."""
        return any(label.status in ("agreed", "single") and label.votes < self.options.quorum
                   for label in self.labels)

    def pick(self) -> Candidate | None:
        """The candidate to expand: among the best `beam` near misses that still fail a test, the least
        expanded. (With a beam of 1 every candidate counts as a near miss: there is no sampling to fall back on.)"""
        ranked = sorted((c for c in self.candidates() if c.index not in self.regressed),
                        key=lambda c: (*rank(c), -c.index), reverse=True)[:self.options.beam]
        near = [c for c in ranked if self.options.beam == 1 or not c.visible.total or c.visible.fraction >= NEAR_MISS]
        open_ = [c for c in near if _failing_case(c) is not None
                 and self.expansions.get(c.index, 0) < self.options.expansions]
        return min(open_, key=lambda c: self.expansions.get(c.index, 0)) if open_ else None

    def sample(self) -> None:
        """A fresh candidate: resample's k-th request (the k-th without a hint is the very same request)."""
        self.samples += 1
        k = self.samples
        messages = solve_messages(self.problem)
        if self.options.hint and (case := self._missed_example()) is not None:
            messages[-1]["content"] += "\n\n" + render("coderefine.hint", input=clip(case.input),
                                                        expected=clip(case.expected),
                                                        actual=clip(case.actual or case.exception or case.status))
            self.run.count("sample_hinted")
        if self.options.plan:
            messages[-1]["content"] += "\n\n" + render("coderefine.plan")
        code = fresh_sample(self.run, k, messages)
        if code is None or any(code == c.code for c in self.candidates()):
            self.run.count("sample_duplicate" if code else "sample_unparsed")
            return
        self.add(Candidate(index=-1, code=code, origin="sample"))

    def _missed_example(self) -> TestOutcome | None:
        """The smallest visible test that the best of the candidates failing one got wrong. Only the example
        is shown, not the code: on a small model a repair stays anchored to the wrong idea."""
        missing = [c for c in self.candidates() if c.visible.failures]
        if not missing:
            return None
        return _failing_case(max(missing, key=lambda c: (c.visible.fraction, -c.index)))[0]

    def expand(self, parent: Candidate) -> None:
        """Gradient then step: a critique of the smallest failing case, then a patch (or a rewrite)."""
        times = self.expansions.get(parent.index, 0)
        self.expansions[parent.index] = times + 1
        temperature = min(1.0, self.run.budget.temperature + HOTTER * times)
        messages = self._critique_messages(parent)
        critique = self.run.ask("critique", messages, seed=call_seed(self.run.seed, self.run.next_index, 1 + 3 * times),
                                temperature=temperature, max_tokens=self.run.budget.critique_tokens).strip()
        messages += [{"role": "assistant", "content": critique},
                     {"role": "user", "content": render("coderefine.diff" if self.options.diffs else "coderefine.rewrite")}]
        reply = self.run.ask("patch" if self.options.diffs else "rewrite", messages,
                             seed=call_seed(self.run.seed, self.run.next_index, 2 + 3 * times), temperature=temperature)
        code, patch, why = self._apply(parent, reply, critique)
        if code is None:
            self.run.count("step_failed")
            self.pending_repair = (parent, critique, messages + [
                {"role": "assistant", "content": reply},
                {"role": "user", "content": render("coderefine.repair", reason=why)}])
            return
        self._child(parent, code, critique, patch, "patch" if patch else "rewrite")

    def repair(self) -> None:
        """The one repair turn after a diff that did not apply: the whole program this time."""
        parent, critique, messages = self.pending_repair
        self.pending_repair = None
        reply = self.run.ask("repair", messages, seed=call_seed(self.run.seed, self.run.next_index, 9))
        code = extract_code(reply, self.problem.entry_point)
        self.run.count("step_repaired" if code else "step_repair_failed")
        if code is not None:
            self._child(parent, code, critique, "", "repair")

    def _apply(self, parent: Candidate, reply: str, critique: str) -> tuple[str | None, str, str]:
        """(code, the diff applied, why it failed) for the step's reply. Small models often write a whole
        program instead of a diff (in the reply, or already in the critique): that is accepted too."""
        if not self.options.diffs:
            self.run.count("step_rewrite")
            return extract_code(reply, self.problem.entry_point), "", "the reply held no program"
        text = diff_text(reply)
        why = "the reply held no diff"
        if text is not None:
            try:
                hunks = parse_diff(text)
                if (body := unchanged_body(hunks, parent.code)) is not None and self._usable(body):
                    self.run.count("step_diff_as_program")
                    return body, "", ""
                code = apply_diff(parent.code, hunks)
                if not self._usable(code):
                    raise PatchError("the patched code does not parse or lost the function: "
                                     + ", ".join(syntax_errors(code)[:2]))
                self.run.count("step_diff_applied")
                return code, text, ""
            except PatchError as exc:
                why = str(exc)
        for source, key in ((reply, "step_diff_fallback_program"), (critique, "step_critique_program")):
            program = extract_code(source, self.problem.entry_point)
            if program is not None and program.strip() != parent.code.strip():
                self.run.count(key)
                return program, "", ""
        return None, "", why

    def _usable(self, code: str) -> bool:
        return not syntax_errors(code) and entry_name(self.problem.entry_point) in defined_names(code)

    def _child(self, parent: Candidate, code: str, critique: str, patch: str, origin: str) -> None:
        """Record the step's program, unless it is one we hold (up to comments, spacing and demo calls): its
        scores would be its twin's, and as a new candidate it would be critiqued again from the start."""
        shape = program_shape(code)
        if shape == program_shape(parent.code):
            self.run.count("step_unchanged")
            return
        if any(shape == program_shape(c.code) for c in self.candidates()):
            self.run.count("step_repeated")
            return
        child = self.add(Candidate(index=-1, code=code, origin=origin, parent=parent.index, critique=critique,
                                   patch=patch))
        if _lost_anchor(parent, child):
            self.regressed.add(child.index)
            self.run.count("regressions")
            self.run.reselect()

    def _critique_messages(self, parent: Candidate) -> list[dict]:
        case, source = _failing_case(parent)
        anchors = self._anchors(parent)[:ANCHORS_SHOWN]
        block = render("coderefine.candidate", numbered=numbered(parent.code),
                       case=render("coderefine.case", input=clip(case.input), expected=clip(case.expected),
                                   source=source, actual=clip(case.actual or case.exception or case.status)
                                   + _traceback(case)),
                       anchors=render("coderefine.anchors", tests="\n".join(anchors)) if anchors else "")
        return _with_problem(self.problem, block.rstrip() + "\n\n" + render("coderefine.critique"))

    def _anchors(self, candidate: Candidate) -> list[str]:
        """The tests `candidate` passes, written as calls with their expected values: what a fix must keep."""
        failing = {o.name for o in candidate.visible.failures + candidate.selftest.failures}
        agreed = labelled_tests(self.inputs, self.labels) if self.labels else []
        return [f"{self.problem.entry_point}({render_call(t.args, t.kwargs)}) == {render_value(t.expected)}"
                for t in [*self.problem.visible_tests, *agreed]
                if isinstance(t, CallTest) and t.name not in failing]


def _with_problem(problem, text: str) -> list[dict]:
    return [{"role": "system", "content": render("system")},
            {"role": "user", "content": problem_text(problem) + "\n" + text}]


def _clean(report: Report) -> bool:
    return not report.failures and not report.error


def _stopped_in(raw: ExecutionReport, bounds: tuple[int, int]) -> int:
    """Which part of the tests, split at `bounds` (0: visible, 1: self, 2: stress inputs), a run-level error
    stopped the run in. The sandbox states the cause on the first test it stopped (later ones were not run): a
    program that does not load stops at the first test; a wall-clock deadline hit on a self input stops there,
    after every visible test completed."""
    at = next((i for i, o in enumerate(raw.outcomes) if o.exception == raw.error), 0)
    return bisect.bisect_right(bounds, at)


def _failing_case(candidate: Candidate) -> tuple[TestOutcome, str] | None:
    """The smallest failing test: visible tests first, then agreed self tests, then stress inputs."""
    for report, source in ((candidate.visible, "from the problem's examples"),
                           (candidate.selftest, "what independent programs return on it"),
                           (candidate.stress, "a maximum-size input; it must finish in time")):
        if report.failures:
            return min(report.failures, key=lambda o: len(o.input)), source
        if report.error and report is candidate.visible:
            return TestOutcome(status="error", input="(loading the program)", exception=report.error), source
    return None


def _traceback(case: TestOutcome) -> str:
    lines = case.traceback.strip().splitlines()[-4:]
    return ("\ntraceback (last lines):\n" + "\n".join(lines)) if lines else ""


def _lost_anchor(parent: Candidate, child: Candidate) -> bool:
    """The child fails a visible or agreed self test that its parent passed."""
    def failing(c: Candidate) -> set[str]:
        return {o.name for o in c.visible.failures + c.selftest.failures}
    newly = failing(child) - failing(parent)
    return bool(newly) or (bool(child.visible.error) and not parent.visible.error)


def coderefine(options: Options):
    """The method body for `options`."""
    def body(run: Run) -> str:
        search = Search(run, options)
        zero_shot = first_candidate(run)
        search.state_examples()
        search.add(zero_shot)
        steps, limit = 0, run.budget.max_iters   # max_iters bounds the steps towards new candidates
        while not (reason := search.finished()):
            if limit is not None and steps >= limit:
                return "iteration budget spent"   # (tests built now could no longer change the answer)
            if search.needs_tests():
                search.build_tests()
                continue
            steps += 1
            if search.pending_repair is not None:
                search.repair()
            elif (parent := search.pick()) is not None:
                search.expand(parent)
            elif options.beam > 1:
                search.sample()
            else:
                return "search stagnated"
        return reason
    return body
