"""Examples that a statement gives in prose, as tests, for problems that come without visible tests.

Many statements show their examples in a form no loader reads ("Input: arr = [-3, -4, 5], k = 3 /
Output: [-4, -3, 5]"). The model is asked to copy them as `f(args) == expected` lines; a line is kept only
when every argument and the expected value appear in the statement itself, so an example the model
invented or computed (often wrongly) is dropped. A number must appear as a whole number (12 does not show
1 or 2); other values are compared ignoring spacing, letter case, quote style and round against square
brackets.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from coderefine.data.literals import assert_to_call_test
from coderefine.extract import code_pieces
from coderefine.source import parse
from sandbox import CallTest

MAX_EXAMPLES = 6
_PRINTED = re.compile(r"^print\((.+)\)\s*==")


def stated_examples(reply: str, entry_point: str, statement: str) -> tuple[CallTest, ...]:
    """The reply's `entry_point(...) == value` lines whose values all appear in `statement`, deduplicated."""
    where = _Statement(_normal(statement), _numbers(statement))
    found: list[CallTest] = []
    for line in _lines(reply):
        root = parse("assert " + line).root_node
        if root.has_error or not root.children or root.children[0].type != "assert_statement":
            continue
        test = assert_to_call_test(root.children[0], entry_point, "")
        if test is None or test.kwargs or not all(_appears(v, where) for v in (*test.args, test.expected)):
            continue
        if all((t.args, t.expected) != (test.args, test.expected) for t in found):
            found.append(test)
    return tuple(CallTest(args=t.args, expected=t.expected, name=f"stated example {i + 1}")
                 for i, t in enumerate(found[:MAX_EXAMPLES]))


def _lines(reply: str) -> list[str]:
    pieces = code_pieces(reply) or [reply]
    lines = [line.strip() for piece in pieces for line in piece.splitlines()]
    lines = [line.removeprefix("assert ").strip() for line in lines if line and not line.startswith("#")]
    return [_PRINTED.sub(r"\1 ==", line) for line in lines]   # `print(f(x)) == y`, as small models write it


@dataclass(frozen=True)
class _Statement:
    text: str                 # normalised
    numbers: frozenset[float]


def _appears(value: Any, where: _Statement) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) in where.numbers
    forms = [json.dumps(value), repr(value)] + ([value] if isinstance(value, str) and value.strip() else [])
    return any(_normal(form) in where.text for form in forms)


def _numbers(text: str) -> frozenset[float]:
    return frozenset(float(n) for n in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?!\w|\.\d)", text))


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text).lower().replace("'", '"').replace("(", "[").replace(")", "]")
