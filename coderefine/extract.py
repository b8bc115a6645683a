"""Pulls the candidate program out of an LLM reply, robustly.

Small models wrap code in prose, emit several fenced blocks, forget to close
the fence, or skip the fence entirely. We try each plausible piece and keep
the one that parses and defines the entry point.
"""
from __future__ import annotations

import re

from coderefine.source import defined_names, syntax_errors

_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)


def entry_name(entry_point: str) -> str:
    """`Solution().maxScore` -> `Solution.maxScore`; `f` -> `f` (as `defined_names` spells them)."""
    return entry_point.replace("()", "")


MAX_TRIMMED = 30  # trailing lines dropped, at most, to find the program a cut-off reply still holds


def _pieces(reply: str) -> list[str]:
    blocks = [b.strip("\n") for b in _FENCE.findall(reply)]
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
    """
    wanted = entry_name(entry_point)
    good = [p for p in code_pieces(reply) if wanted in defined_names(p)]
    return max(good, key=len) if good else None


def code_pieces(reply: str) -> list[str]:
    """Every fenced block (and the whole reply) that parses, once cut-off trailing lines are dropped."""
    return [p for p in map(_parsing_prefix, _pieces(reply)) if not syntax_errors(p)]
