"""Self-generated tests, validated before they count.

Inputs come from the model as calls with literal arguments (parsed with
tree-sitter, never evaluated outside the sandbox), checked against the signature
(how many arguments, which keywords) and deduplicated. Expected outputs come
from agreement (CodeT): every program we hold (brute-force oracles and
candidates) runs on the inputs, and only programs that pass every visible test
may vote (with no visible tests, every program may). An input is labelled when
at least two votes agree and no other answer has as many; when answers differ
without such a majority it is disputed and dropped. A single answer confirms
nothing, but it does judge a program that raised or ran out of time on the
same input. Stress inputs carry no expected output: a candidate passes one by
finishing within the time limit without an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from coderefine.data.literals import NotLiteral, argument_value
from coderefine.extract import (METHOD_ENTRY, bind_as_entry, code_pieces, entry_function, entry_name, extract_code,
                                folded)
from coderefine.source import (Signature, call_parts, call_signature, defined_names, find_function, iter_nodes, parse,
                               text, without_top_level_calls)
from sandbox import CallTest, Compare, TestOutcome, values_match

MAX_INPUTS = 12
MISSING = object()   # the program raised, timed out or did not run on this input


@dataclass(frozen=True)
class Inputs:
    tests: tuple[CallTest, ...]   # parsed, checked against the signature, deduplicated; no expected values
    proposed: int                 # calls the model wrote


def entry_signature(entry_point: str, starter_code: str) -> Signature | None:
    """The entry point's signature, or None when the starter code does not define it."""
    function = find_function(starter_code, entry_name(entry_point))
    return call_signature(function) if function is not None else None


def fits(signature: Signature | None, test: CallTest) -> bool:
    """Whether the entry point (when its signature is known) accepts the test's arguments."""
    return signature is None or signature.accepts(len(test.args), test.kwargs)


def argument_lists(value: object, arity: tuple[int, float] | None) -> list[list]:
    """The calls in what a stress generator returned. Asked for a list of argument tuples, small models also
    return one call's arguments as the list itself (`[nums, queries]`), or bare values for a one-argument
    function; each reading is taken only when it fits the arity."""
    if not isinstance(value, list):
        return []
    fits = (lambda n: arity[0] <= n <= arity[1]) if arity else (lambda n: True)
    if value and all(isinstance(c, list) and fits(len(c)) for c in value):
        return value
    if arity and fits(len(value)):
        return [value]
    if arity and fits(1):
        return [[c] for c in value]
    return []


def parse_inputs(reply: str, entry_point: str, starter_code: str, *, prefix: str = "self") -> Inputs:
    """Every call of the entry point with literal arguments that fit its signature, in order."""
    names = _call_names(entry_point) | _stand_ins(reply, entry_point)
    signature = entry_signature(entry_point, starter_code)
    found: dict[str, CallTest] = {}
    proposed = 0
    for line in reply.splitlines():
        for node in iter_nodes(parse(line.strip()).root_node, {"call"}):
            parts = call_parts(node)
            if parts is None or parts.function not in names:
                continue
            proposed += 1
            try:
                test = CallTest(args=tuple(argument_value(text(a)) for a in parts.args),
                                kwargs={k: argument_value(text(v)) for k, v in parts.kwargs})
            except NotLiteral:
                break
            if fits(signature, test):
                found.setdefault(repr((test.args, sorted(test.kwargs.items()))), test)
            break  # one call per line: the outermost
    tests = [CallTest(args=t.args, kwargs=t.kwargs, name=f"{prefix} {i + 1}")
             for i, t in enumerate(list(found.values())[:MAX_INPUTS])]
    return Inputs(tuple(tests), proposed)


_STRONG_WORDS = ("brute", "reference", "naive", "oracle")   # say "brute force" whatever else the name holds
_WEAK_WORDS = ("slow", "simple")                             # only beside the entry point's name: `f_slow`


def _oracle_named(name: str, entry: str | None = None) -> bool:
    """A name a model gives its brute force: `f_brute`, `reference_solution`, `f_ref` (not `prefix_sum`), and,
    given the entry point's name `entry`, `f_slow` or `simple_f` (not a helper `slow_step`)."""
    words = name.lower()
    return (any(w in words for w in _STRONG_WORDS) or "ref" in words.split("_")
            or (entry is not None and folded(entry) in folded(name) and any(w in words for w in _WEAK_WORDS)))


def _brute_force(piece: str, entry_point: str) -> str | None:
    """The piece's brute force: a top-level function (not a class, not the entry point itself) named as one,
    those under the entry point's own name first (of `encode_brute` and `decode_brute`, the one for `decode`)."""
    own = entry_function(entry_point)
    named = [n for n in defined_names(piece) if "." not in n and folded(n) != folded(own)
             and _oracle_named(n, own) and find_function(piece, n) is not None]
    return next((n for n in named if folded(own) in folded(n)), named[0] if named else None)


def oracle_from(reply: str, entry_point: str) -> str | None:
    """The brute-force oracle in a reply. Models often name it apart (`f_brute`, `f_ref`) beside a fast `f`:
    then the oracle is the piece with `f` bound to the brute force; else the program that defines `f` (for a
    LeetCode-style method, `Solution().f`, a plain function `f` is bound as the method)."""
    if entry_point.isidentifier() or METHOD_ENTRY.fullmatch(entry_point):
        for piece in code_pieces(reply):
            brute = _brute_force(piece, entry_point)
            if brute is not None:
                return bind_as_entry(without_top_level_calls(piece), entry_point, brute)
    code = extract_code(reply, entry_point)
    return without_top_level_calls(code) if code is not None else None


def _call_names(entry_point: str) -> set[str]:
    """How a model may spell a call of the entry point: `f`, `Solution().m`, `m`."""
    return {entry_point, entry_name(entry_point), entry_function(entry_point)}


def _stand_ins(reply: str, entry_point: str) -> set[str]:
    """Functions the reply defines under the entry point's name (`f_brute_force`, `get_sneaky_numbers` for
    `getSneakyNumbers`) or an oracle's (`reference_solution`): small models often call their oracle, not `f`,
    on the test inputs."""
    name = entry_function(entry_point)
    return {n for piece in code_pieces(reply) for n in defined_names(piece)
            if "." not in n and (folded(name) in folded(n) or _oracle_named(n, name))}


@dataclass(frozen=True)
class Label:
    status: str          # "agreed" | "disputed" | "single" (one program answered) | "unknown" (none did)
    value: Any = None
    votes: int = 0       # programs behind the label
    against: int = 0     # programs with another answer


def outputs(outcomes: Sequence[TestOutcome]) -> list[Any]:
    """A program's answers, one per input: the returned value, or MISSING when it raised or timed out."""
    return [o.actual_value if o.status in ("passed", "failed") else MISSING for o in outcomes]


def vote(answers: Sequence[Sequence[Any]], compare: Compare) -> list[Label]:
    """Labels by agreement: `answers[p][i]` is voter p's answer on input i."""
    labels = []
    for i in range(len(answers[0]) if answers else 0):
        groups: list[list[Any]] = []     # [representative, count]
        for program in answers:
            value = program[i]
            if value is MISSING:
                continue
            for group in groups:
                if values_match(value, group[0], compare):
                    group[1] += 1
                    break
            else:
                groups.append([value, 1])
        if not groups:
            labels.append(Label("unknown"))
            continue
        groups.sort(key=lambda g: -g[1])
        top, runner_up = groups[0][1], groups[1][1] if len(groups) > 1 else 0
        rest = sum(g[1] for g in groups[1:])
        if top >= 2 and top > runner_up:
            labels.append(Label("agreed", groups[0][0], top, rest))
        elif rest:
            labels.append(Label("disputed", None, top, rest))
        else:
            labels.append(Label("single", groups[0][0], top, 0))
    return labels


def labelled_tests(inputs: Sequence[CallTest], labels: Sequence[Label]) -> list[CallTest]:
    """The inputs whose label was agreed, with that label as the expected value."""
    return [CallTest(args=t.args, kwargs=t.kwargs, expected=label.value, name=t.name)
            for t, label in zip(inputs, labels) if label.status == "agreed"]


def counts(label: Label, value: Any) -> bool:
    """Whether an input judges this answer: an agreed label always; a single program's answer only
    against a program that raised or ran out of time on it (an answer it cannot confirm, a crash it can)."""
    return label.status == "agreed" or (label.status == "single" and value is MISSING)


def score(answers: Sequence[Any], labels: Sequence[Label], compare: Compare) -> tuple[int, int, list[int]]:
    """(passed, total, failing input indices) of one program against the labels that judge it."""
    judged = [i for i, (value, label) in enumerate(zip(answers, labels)) if counts(label, value)]
    failing = [i for i in judged if answers[i] is MISSING or not values_match(answers[i], labels[i].value, compare)]
    return len(judged) - len(failing), len(judged), failing
