"""One wording for an unknown name (problem id, dataset, method, model): the closest known names first, then
the known ones, so a typo costs one glance instead of a trip to the docs."""
from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(name: str, known: Iterable[str], n: int = 3) -> str:
    """`did you mean a or b?`, or "" when nothing is close. A known name's last part counts too, so
    `qwen2.5-coder-0.5b` finds `local/qwen2.5-coder-0.5b`."""
    known = list(known)
    tails = {k.rsplit("/", 1)[-1]: k for k in known}
    if name in tails:
        close = [tails[name]]
    else:
        close = difflib.get_close_matches(name, known, n=n) + [tails[t] for t in difflib.get_close_matches(name, tails, n=n)]
    close = list(dict.fromkeys(close))[:n]
    return f"did you mean {' or '.join(close)}?" if close else ""


def unknown(what: str, name: str, known: Iterable[str], *, where: str = "", label: str = "known",
            limit: int = 40) -> str:
    """`unknown problem 'x' in dataset 'y' (did you mean z?); known ids: a, b, ... (N in all)`."""
    known = list(known)
    hint = did_you_mean(name, known)
    shown = ", ".join(known[:limit]) + (f", ... ({len(known)} in all)" if len(known) > limit else "")
    return (f"unknown {what} '{name}'" + (f" in {where}" if where else "") + (f" ({hint})" if hint else "")
            + f"; {label}: {shown or '(none)'}")
