"""Turning literal source text into JSON test data, shared by the dataset loaders.

Expected values must leave the sandbox's reach, so they are evaluated here
with `ast.literal_eval` (never `eval`), and only kept when they survive a
round trip to JSON unchanged.
"""
from __future__ import annotations

import ast
import json
from typing import Any

from tree_sitter import Node

from coderefine.source import call_parts, text
from sandbox import CallTest, to_jsonable
from sandbox.values import TooDeep


class NotLiteral(ValueError):
    """The text is not a literal we can carry as JSON test data."""


def is_json_data(value: Any) -> bool:
    """True for values JSON keeps as they are (no tuples, sets, non-string keys, NaN or infinity)."""
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, (bool, int, str)) or value is None:
        return True
    if isinstance(value, list):
        return all(map(is_json_data, value))
    if isinstance(value, dict):
        return all(isinstance(k, str) for k in value) and all(map(is_json_data, value.values()))
    return False


def literal(source: str, *, lenient_json: bool = False) -> Any:
    """Evaluate a Python literal; with `lenient_json`, statement-style `true`/`null` (JSON) too."""
    source = source.strip()
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    if lenient_json:
        try:
            return json.loads(source)
        except (ValueError, RecursionError):  # ValueError: malformed, or an int over Python's digit limit
            pass
    raise NotLiteral(source[:80])


def argument_value(source: str, **kw) -> Any:
    """A literal that will be passed to the candidate: must already be JSON data."""
    value = literal(source, **kw)
    if not is_json_data(value):
        raise NotLiteral(source[:80])
    return value


def expected_value(source: str, **kw) -> Any:
    """A literal the candidate's result is compared with, normalised like results are (tuples -> lists); one
    nested deeper than results may be is no test either."""
    try:
        value = to_jsonable(literal(source, **kw))
    except (TypeError, TooDeep):
        raise NotLiteral(source[:80]) from None
    if not is_json_data(value):
        raise NotLiteral(source[:80])
    return value


def assert_to_call_test(statement: Node, function: str, name: str) -> CallTest | None:
    """`assert function(literals) == literal` -> a CallTest compared outside the sandbox; None otherwise."""
    condition = statement.named_children[0] if statement.named_children else None
    if condition is None or condition.type != "comparison_operator" or len(condition.children) != 3 \
            or condition.children[1].type != "==":
        return None
    parts = call_parts(condition.children[0])
    if parts is None or parts.function != function:
        return None
    try:
        return CallTest(args=tuple(argument_value(text(a)) for a in parts.args),
                        kwargs={k: argument_value(text(v)) for k, v in parts.kwargs},
                        expected=expected_value(text(condition.children[2])), name=name)
    except NotLiteral:
        return None
