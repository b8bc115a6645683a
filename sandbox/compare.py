"""Matching actual against expected values, outside the sandbox, and compact renderings for reports.

Actual values come from candidate code, decoded under the value limits (so
their nesting is bounded); still, nothing here may raise on them: a 400-digit
int against a float, NaN, or an unrenderable value makes a failed match or a
placeholder text, never an exception in the host.
"""
from __future__ import annotations

import json
import math
import reprlib
from collections import Counter
from typing import Any, Sequence

from sandbox.types import Compare


def values_match(actual: Any, expected: Any, compare: Compare) -> bool:
    """Exact by default; `float` tolerates rounding (recursively); `any_order` compares top-level lists as multisets.
    The three agree on what one value is: 2 is 2.0, True is not 1, NaN is NaN."""
    try:
        if compare.mode == "any_order" and isinstance(actual, list) and isinstance(expected, list):
            return Counter(map(_key, actual)) == Counter(map(_key, expected))
        if compare.mode == "float":
            return _close(actual, expected, compare.float_tol)
        return _same(actual, expected)
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return False


def _same(a: Any, b: Any) -> bool:
    """Equality of JSON values that keeps `True` apart from `1` (but lets `2.0` be `2`: the same number)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if _both_nan(a, b):
        return True
    if _numbers(a, b):
        return a == b  # 2 and 2.0 are the same answer; int == float never overflows
    return type(a) is type(b) and a == b


def _numbers(a: Any, b: Any) -> bool:
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
        and not isinstance(b, bool)


def _close(a: Any, b: Any, tol: float) -> bool:
    """Rounding is tolerated where a float is involved: two ints (an index beside a distance, say) are
    compared exactly, or 10**7 + 1 would pass for 10**7 at a relative tolerance of 1e-6."""
    if _numbers(a, b) and not (isinstance(a, int) and isinstance(b, int)) and not _both_nan(a, b):
        try:
            return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
        except OverflowError:  # an int beyond float range: only an equal int matches it
            return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tol) for k in a)
    return _same(a, b)


def _both_nan(a: Any, b: Any) -> bool:
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


def _key(value: Any) -> str:
    """A multiset key on which equal values agree as `_same` sees them: an integral float keys as its int."""
    return json.dumps(_canonical(value), sort_keys=True)


def _canonical(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 4, 200, 200, 200


def render(value: Any, limit: int = 300) -> str:
    """Compact one-line JSON, truncated in the middle so both ends stay visible."""
    try:
        text = json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        try:
            text = _SHORT.repr(value)
        except Exception:  # a repr that raises: say what it is, at least
            text = f"<unrenderable {type(value).__name__}>"
    return _clip_middle(text, limit)


def clean(text: str) -> str:
    """Jail text as valid UTF-8: JSON carries lone surrogates (`"\\udc80"`), which no UTF-8 file or encoder
    takes, so one in an exception message would crash whoever writes or hashes the report."""
    return text.encode("utf-8", "replace").decode("utf-8")


def render_call(args: Sequence[Any], kwargs: dict[str, Any], limit: int = 300) -> str:
    """Arguments as they would be written in the call, `[1,2], 3, k=4`, so a reader (or an LLM) sees the call."""
    parts = [render(a, limit) for a in args] + [f"{k}={render(v, limit)}" for k, v in kwargs.items()]
    return _clip_middle(", ".join(parts), limit)


def _clip_middle(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return f"{text[:half]} ... {text[-half:]}"
