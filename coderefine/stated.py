"""Examples that a statement gives in prose, as tests, for problems that come without visible tests.

Many statements show their examples in a form no loader reads ("Input: arr = [-3, -4, 5], k = 3 /
Output: [-4, -3, 5]"). The model is asked to copy them as `f(args) == expected` lines; a line is kept only
when the statement shows it: the expected value appears in the statement, and every argument appears
shortly before it, as an example's input precedes its output, with no other example starting in between. So
an example the model invented or computed (often wrongly) is dropped, even when its numbers occur elsewhere in
the text (`get_max_triples(7) == 3` from "a = [1, 3, 7, 13, 21]"), and so is one input paired with the next
example's output. A number must appear as a whole number (12 does not show 1 or 2); other
values are compared ignoring spacing, letter case, quote style and round against square brackets.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from coderefine.data.literals import assert_to_call_test
from coderefine.extract import code_pieces
from coderefine.selftests import entry_signature, fits
from coderefine.source import parse
from sandbox import CallTest

MAX_EXAMPLES = 6
WINDOW = 300   # characters of statement between the end of an input and its output, at most
_PRINTED = re.compile(r"^print\((.+)\)\s*==")
_NEXT_EXAMPLE = r"input|example|>>>"   # words that start an example; the function's own name is another


def stated_examples(reply: str, entry_point: str, statement: str, starter_code: str = "") -> tuple[CallTest, ...]:
    """The reply's `entry_point(...) == value` lines that `statement` shows (input, then output), deduplicated,
    with arguments that fit the signature in `starter_code` (as self inputs must)."""
    where = _Statement.of(statement)
    signature = entry_signature(entry_point, starter_code)
    name = entry_point.rsplit(".", 1)[-1]
    boundary = re.compile(rf"{_NEXT_EXAMPLE}|\b{re.escape(name)}\b", re.IGNORECASE)
    found: list[CallTest] = []
    for line in _lines(reply):
        root = parse("assert " + line).root_node
        if root.has_error or not root.children or root.children[0].type != "assert_statement":
            continue
        test = assert_to_call_test(root.children[0], entry_point, "")
        if test is None or test.kwargs or not fits(signature, test) \
                or not _shown(test.args, test.expected, where, boundary):
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


Span = tuple[int, int]   # start and end in the statement's own characters


@dataclass(frozen=True)
class _Statement:
    raw: str
    text: str                   # normalised
    at: tuple[int, ...]         # the raw position of each normalised character

    @classmethod
    def of(cls, statement: str) -> _Statement:
        kept = [i for i, ch in enumerate(statement) if not ch.isspace()]
        return cls(statement, _normal(statement), tuple(kept))

    def spans(self, value: Any) -> list[Span]:
        """Where `value` occurs in the statement."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:   # an int beyond any float: no statement states it as a number
                return []
            return [m.span() for m in _NUMBER.finditer(self.raw) if float(m.group()) == number]
        forms = {_normal(f) for f in [json.dumps(value), repr(value)] + ([value] if isinstance(value, str) else [])}
        return [(self.at[i], self.at[i + len(form) - 1] + 1) for form in forms if form
                for i in _find_all(self.text, form)]


def _shown(args: tuple, expected: Any, where: _Statement, boundary: re.Pattern) -> bool:
    """Some occurrence of `expected` has every argument ending at most WINDOW characters before it, and no
    `boundary` (the start of another example) between the last of those arguments and it."""
    inputs = [where.spans(a) for a in args]
    for start, _ in where.spans(expected):
        nearest = [max((end for _, end in spans if end <= start and start - end <= WINDOW), default=None)
                   for spans in inputs]
        if None in nearest:
            continue
        if not boundary.search(where.raw, max(nearest, default=start), start):
            return True
    return False


def _find_all(text: str, form: str) -> list[int]:
    found, i = [], text.find(form)
    while i >= 0:
        found.append(i)
        i = text.find(form, i + 1)
    return found


_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?!\w|\.\d)")


def _normal(text: str) -> str:
    """Without whitespace, one character for each character kept (so positions map back to the statement)."""
    return "".join(_FOLD.get(ch, ch.lower() if len(ch.lower()) == 1 else ch) for ch in text if not ch.isspace())


_FOLD = {"'": '"', "(": "[", ")": "]"}
