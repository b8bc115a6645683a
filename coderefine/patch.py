"""The step as a patch: a unified diff from the model, parsed with unidiff and applied with tolerance.

Models, small ones most of all, write diffs that are almost right: hunk headers
with wrong counts or no numbers, missing file headers, the line numbers of the
numbered view copied into the lines, blank context lines without their leading
space, shifted indentation. We repair the text into a diff unidiff accepts
(counts recomputed from the hunk bodies), then place each hunk by its content,
nearest to the line it claims, comparing lines without their whitespace.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from coderefine.extract import fence_line, fenced_blocks

_DIFF_TAGS = ("", "diff", "patch", "udiff")
_HUNK = re.compile(r"^@@\s*-?(\d+)?(?:,\d+)?\s*\+?(\d+)?(?:,\d+)?\s*@@.*$")
_NUMBERED = re.compile(r"^([ +-]?)\s*\d+ \| ?(.*)$")  # " 12 | code" copied from the numbered view


class PatchError(ValueError):
    """The reply holds no diff that applies; the message says why (it is shown to the model)."""


@dataclass(frozen=True)
class Hunk:
    start: int                          # 1-based line the model claims, 0 when it gave none
    lines: tuple[tuple[str, str], ...]  # (" ", "-" or "+", text), in the diff's order

    @property
    def before(self) -> tuple[str, ...]:
        """Context and removed lines."""
        return tuple(text for op, text in self.lines if op != "+")

    @property
    def after(self) -> tuple[str, ...]:
        """Context and added lines."""
        return tuple(text for op, text in self.lines if op != "-")


def numbered(code: str) -> str:
    """The code as the model sees it for a patch: `  3 | line`."""
    lines = code.splitlines()
    width = len(str(len(lines)))
    return "\n".join(f"{i:>{width}} | {line}" for i, line in enumerate(lines, 1))


def diff_text(reply: str) -> str | None:
    """The diff in a reply: a fenced diff (or untagged) block with a hunk, else the text from the first hunk or
    file header to the next fence (a diff in a ```python block; the prose after it is no part of it)."""
    for tag, block in fenced_blocks(reply):
        if tag in _DIFF_TAGS and "@@" in block:
            return block
    lines = reply.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("--- ", "@@")):
            end = next((j for j in range(i + 1, len(lines)) if fence_line(lines[j])), len(lines))
            return "\n".join(lines[i:end])
    return None


def parse_diff(text: str) -> list[Hunk]:
    """Hunks of a single-file diff, via unidiff after the repairs described above; PatchError if none."""
    try:
        patch = PatchSet(_normalise(text))
    except UnidiffParseError as exc:
        raise PatchError(f"the diff does not parse: {exc}") from exc
    hunks = [Hunk(h.source_start if h.source_start else 0,
                  tuple(("+" if line.is_added else "-" if line.is_removed else " ", line.value.rstrip("\n"))
                        for line in h if line.is_added or line.is_removed or line.is_context))
             for patched in patch for h in patched]
    if not hunks:
        raise PatchError("the reply holds no hunk (lines starting with @@)")
    return hunks


def _normalise(text: str) -> str:
    raws = _solution_part(text.splitlines())
    content = [r for r in raws if r.strip() and not r.startswith(("--- ", "+++ ", "@@"))]
    copied_numbers = bool(content) and sum(bool(_NUMBERED.match(r)) for r in content) >= 0.6 * len(content)
    body: list[list[str]] = []          # hunks: header numbers, then lines
    for raw in raws:
        if raw.startswith(("--- ", "+++ ", "diff ", "index ")):
            continue
        header = _HUNK.match(raw)
        if header:
            body.append([header.group(1) or "0", header.group(2) or header.group(1) or "0"])
            continue
        if not body:
            continue
        line = raw
        if copied_numbers and (numbered := _NUMBERED.match(line)):
            line = (numbered.group(1) or " ") + numbered.group(2)
        if not line or line[0] not in " +-\\":
            line = " " + line
        body[-1].append(line)
    out = ["--- a/solution.py", "+++ b/solution.py"]
    for source, target, *lines in body:
        while lines and not lines[-1].strip():
            lines.pop()  # trailing blank lines are padding, not context
        removed = sum(1 for line in lines if line[0] in " -")
        added = sum(1 for line in lines if line[0] in " +")
        out.append(f"@@ -{source},{removed} +{target},{added} @@")
        out.extend(lines)
    return "\n".join(out) + "\n"


def _solution_part(lines: list[str]) -> list[str]:
    """The lines of the first file's part of the diff, or of the first part that is not a test file's when the
    file headers name several. The candidate is one program: a model that also edits a test to fit its change
    writes hunks whose lines are not in it, and one such hunk would fail the whole patch (or be placed wrongly
    where its lines happen to occur). Hunks before any file header are kept."""
    parts: list[tuple[str, list[str]]] = [("", [])]     # (file, lines), a part from each `--- ` header on
    for line in lines:
        if line.startswith("--- "):
            parts.append((_header_file(line), []))
        parts[-1][1].append(line)
    files = [name for name, _ in parts[1:]]
    chosen = next((name for name in files if not _test_file(name)), files[0] if files else "")
    return [line for name, part in parts if name in ("", chosen) for line in part]


def _header_file(line: str) -> str:
    """`--- a/pkg/solution.py\t2024-01-01` -> `pkg/solution.py`."""
    name = line[4:].strip().split("\t")[0].split(" ")[0]
    return name[2:] if name.startswith(("a/", "b/")) else name


def _test_file(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.startswith("test") or base.endswith("_test.py") or "tests/" in name or base == "conftest.py"


def context_only(hunks: list[Hunk]) -> list[str] | None:
    """The lines of a "diff" that removes and adds nothing (each `-x` put back by a `+x`); None for a real one."""
    if any(h.before != h.after for h in hunks):
        return None
    return [line for h in hunks for line in h.after]


def unchanged_body(hunks: list[Hunk], code: str) -> str | None:
    """A "diff" with no removed or added line is the model writing its new program as context lines: that
    program, when the hunks hold nothing else. Not when it is a run of `code`'s own lines, indentation
    included: small models also remove and re-add one line (`-x`, `+x`) around a part of the code, and that
    window is no program. (A program that drops the code's first or last lines is taken for a window too.)"""
    body = context_only(hunks)
    if body is None:
        return None
    part = [line.rstrip() for line in body if line.strip()]
    lines = [line.rstrip() for line in code.splitlines() if line.strip()]
    window = any(lines[i:i + len(part)] == part for i in range(len(lines) - len(part) + 1))
    return None if not part or window else "\n".join(body)


def apply_diff(code: str, hunks: list[Hunk]) -> str:
    """`code` with every hunk applied (each placed by content, nearest to its claimed line); PatchError when
    a hunk's lines are not in the code, or the patch changes nothing."""
    lines = code.splitlines()
    shift = 0
    for hunk in hunks:
        found = _locate(lines, hunk, hunk.start - 1 + shift)
        if found is None:
            shown = next((line for line in hunk.before if line.strip()), "")
            raise PatchError(f"a hunk's context or removed lines are not in the code (near {shown.strip()[:60]!r})")
        (start, end), placed = found
        lines[start:end] = _reindent(lines[start:end], placed)
        shift += len(placed.after) - (end - start)
    patched = "\n".join(lines) + ("\n" if code.endswith("\n") else "")
    if patched == code:
        raise PatchError("the diff changes nothing")
    return patched


def _locate(lines: list[str], hunk: Hunk, near: int) -> tuple[tuple[int, int], Hunk] | None:
    """Where the hunk's old lines are in `lines` (the span, and the hunk as it applies there), the occurrence
    nearest to `near`, comparing stripped lines; failing that, with blank lines ignored on both sides (models
    drop or add them), the hunk then fitted to the span it covers."""
    block = hunk.before
    if not block:
        at = max(0, min(near, len(lines)))
        return (at, at), hunk
    wanted = [line.strip() for line in block]
    found = [i for i in range(len(lines) - len(block) + 1)
             if [line.strip() for line in lines[i:i + len(block)]] == wanted]
    if found:
        at = min(found, key=lambda i: abs(i - near))
        return (at, at + len(block)), hunk
    solid = [line for line in wanted if line]
    if not solid:
        return None
    kept = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    starts = [k for k in range(len(kept) - len(solid) + 1) if [text for _, text in kept[k:k + len(solid)]] == solid]
    if not starts:
        return None
    k = min(starts, key=lambda k: abs(kept[k][0] - near))
    start, end = kept[k][0], kept[k + len(solid) - 1][0] + 1
    return (start, end), _fit(hunk, lines[start:end])


def _fit(hunk: Hunk, span: list[str]) -> Hunk:
    """The hunk made to cover `span` line for line: its blank context and removed lines give way to the
    span's own blank lines, kept as context (the non-blank lines match in order, as _locate found)."""
    fitted: list[tuple[str, str]] = []
    at = 0
    for op, text in hunk.lines:
        if op == "+":
            fitted.append((op, text))
            continue
        if not text.strip():
            continue
        while not span[at].strip():
            fitted.append((" ", span[at]))
            at += 1
        fitted.append((op, text))
        at += 1
    return Hunk(hunk.start, tuple(fitted))


def _reindent(original: list[str], hunk: Hunk) -> list[str]:
    """The hunk's new lines, shifted by the indentation the model got wrong on its first matched line."""
    pairs = [(o, b) for o, b in zip(original, hunk.before) if b.strip()]
    if not pairs:
        return list(hunk.after)
    ours, theirs = pairs[0]
    delta = (len(ours) - len(ours.lstrip())) - (len(theirs) - len(theirs.lstrip()))
    if delta > 0:
        return [" " * delta + line if line.strip() else line for line in hunk.after]
    if delta < 0:
        return [line[-delta:] if line[:-delta].strip() == "" else line.lstrip() for line in hunk.after]
    return list(hunk.after)
