"""Pulls the candidate program out of an LLM reply, robustly.

Small models wrap code in prose, emit several fenced blocks, forget to close
the fence, or skip the fence entirely. We try each plausible piece and keep
the one that parses and defines the entry point.
"""
from __future__ import annotations

import re

from coderefine.source import defined_names, find_function, syntax_errors, text

# A fence is a line of its own: three backticks, then a tag (or none), maybe more text (`</ANSWER>`).
_FENCE = re.compile(r"^[ \t]*`{3,}[ \t]*([^\s`]*)[^`\r\n]*\r?$", re.MULTILINE)
_PYTHON = ("python", "py", "python3")


def fenced_blocks(reply: str) -> list[tuple[str, str]]:
    """(tag, body) of every fenced block, in order. Fences pair up as they come: any fence line closes the
    open block (a closing fence never opens one, so a ```text block cannot swallow the ```python after it);
    an unclosed block runs to the end of the reply. Bodies have `\\n` line ends."""
    blocks, opening = [], None
    for fence in _FENCE.finditer(reply):
        if opening is None:
            opening = fence
            continue
        blocks.append((opening.group(1).lower(), reply[opening.end():fence.start()]))
        opening = None
    if opening is not None:
        blocks.append((opening.group(1).lower(), reply[opening.end():]))
    return [(tag, body.replace("\r\n", "\n").removeprefix("\n")) for tag, body in blocks]


def fence_line(line: str) -> bool:
    """Whether `line` opens or closes a fenced block."""
    return _FENCE.fullmatch(line) is not None


def _python_block(body: str) -> str:
    """The block without a first line that is only the language tag (```` ```\\npython ````, as models write)."""
    first, _, rest = body.partition("\n")
    return rest if first.strip().lower() in _PYTHON else body


def entry_name(entry_point: str) -> str:
    """`Solution().maxScore` -> `Solution.maxScore`; `f` -> `f` (as `defined_names` spells them)."""
    return entry_point.replace("()", "")


def entry_function(entry_point: str) -> str:
    """The function's own name: `Solution().maxScore` -> `maxScore`; `f` -> `f`."""
    return entry_name(entry_point).rpartition(".")[2]


MAX_TRIMMED = 30  # trailing lines dropped, at most, to find the program a cut-off reply still holds


def _pieces(reply: str) -> list[str]:
    blocks = [_python_block(body).strip("\n") for tag, body in fenced_blocks(reply)
              if tag in ("", *_PYTHON)]
    return [b for b in blocks if b.strip()] + [reply.strip()]


def _parsing_prefix(piece: str) -> str:
    """`piece`, or its longest head that parses when the reply was cut off (by the token limit) mid-line."""
    if not syntax_errors(piece):
        return piece
    lines = piece.splitlines()
    for cut in range(1, min(MAX_TRIMMED, len(lines) - 1) + 1):
        head = "\n".join(lines[:-cut])
        if not syntax_errors(head):
            return head
    return piece


def extract_code(reply: str, entry_point: str) -> str | None:
    """The best code piece in `reply`, or None when nothing defines `entry_point` and parses.

    Preference: a clean piece defining the entry point; among several, the
    longest (models often put a helper-only snippet before the full program).
    Asked for a LeetCode-style method (`Solution().maxScore`), small models
    sometimes write a plain function (`def maxScore`, `def max_score`): it is
    bound as the method.
    """
    pieces = code_pieces(reply)
    wanted = entry_name(entry_point)
    good = [p for p in pieces if wanted in defined_names(p)]
    if good:
        return max(good, key=len)
    plain = [(p, n) for p in pieces for n in defined_names(p) if METHOD_ENTRY.fullmatch(entry_point)
             and "." not in n and folded(n) == folded(entry_function(entry_point)) and _plain_function(p, n)]
    if not plain:
        return None
    piece, name = max(plain, key=lambda found: len(found[0]))
    return bind_as_entry(piece, entry_point, name)


METHOD_ENTRY = re.compile(r"([A-Za-z_]\w*)\(\)\.([A-Za-z_]\w*)")   # `Solution().f`: a method of a fresh instance


def folded(name: str) -> str:
    """`maxScore` and `max_score` as one name."""
    return name.replace("_", "").lower()


def _plain_function(code: str, name: str) -> bool:
    """Whether `name` is a top-level function that returns its answer (not a class, not an `async def`)."""
    found = find_function(code, name)
    return found is not None and not any(child.type == "async" for child in found.children)


def bind_as_entry(code: str, entry_point: str, function: str) -> str:
    """`code` with the entry point calling its top-level `function` (given `self` too when it takes one, as a
    method copied out of its class does). A class of the entry point's name that `code` defines is kept as the
    base, so its other methods (helpers the function may call on `self`) stay."""
    method = METHOD_ENTRY.fullmatch(entry_point)
    if method is None:
        return f"{code}\n\n{entry_point} = {function}\n"
    owner, name = method.groups()
    found = find_function(code, function)
    parameters = found.child_by_field_name("parameters").named_children if found is not None else []
    first = parameters[0].named_children[0] if parameters and parameters[0].type == "typed_parameter" else \
        (parameters[0] if parameters else None)
    passed = "self, *args" if first is not None and text(first) == "self" else "*args"
    base = f"({owner})" if owner in defined_names(code) else ""
    return (f"{code}\n\n\nclass {owner}{base}:\n    def {name}(self, *args, **kwargs):\n"
            f"        return {function}({passed}, **kwargs)\n")


def code_pieces(reply: str) -> list[str]:
    """Every fenced block (and the whole reply) that parses, once cut-off trailing lines are dropped."""
    return [p for p in map(_parsing_prefix, _pieces(reply)) if not syntax_errors(p)]
