"""How the diff step's parser and applier do on every patch reply the benches recorded: each reply is parsed
and applied (to the run's candidates, first that takes it) with the code checked out now, and counted as
applied, failed, a whole program written as context lines, or holding no diff. No model is called.

    .venv/bin/python benchmarks/patch_replay.py [benchmarks/results]
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from coderefine.patch import PatchError, apply_diff, context_only, diff_text, parse_diff, unchanged_body  # noqa: E402


def outcome(reply: str, codes: list[str]) -> str:
    text = diff_text(reply)
    if text is None:
        return "no diff"
    try:
        hunks = parse_diff(text)
    except PatchError:
        return "does not parse"
    lines = context_only(hunks)
    if lines is not None:   # a new program, unless a candidate (other than the one it made) holds all of it
        held = [code for code in codes if code.strip() != "\n".join(lines).strip()]
        return "whole program as context" if all(unchanged_body(hunks, code) is not None for code in held) \
            else "a window of a candidate, changing nothing"
    for code in codes:
        try:
            apply_diff(code, hunks)
            return "applied"
        except PatchError:
            continue
    return "failed to apply"


def main(results: Path) -> None:
    counts: Counter = Counter()
    for path in sorted(results.glob("*/trajectories/coderefine*/*.json")):
        traj = json.loads(path.read_text())
        codes = [c["code"] for c in traj["candidates"]]
        counts.update(outcome(call["reply"], codes) for call in traj["calls"] if call["role"] == "patch")
    for name, count in counts.most_common():
        print(f"{name}: {count}")
    diffs = counts["applied"] + counts["failed to apply"]
    print(f"apply rate of real diffs: {counts['applied']}/{diffs}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results")
