"""How far the model reaches on a problem set, counted over every recorded run of every method and seed: for
each problem, how many distinct programs were written and how many of them pass every visible test they were
run on. A problem no recorded program passes visibly cannot be solved by choosing among programs, only by
writing better ones. Reads trajectories only: no model call, no hidden test.

    .venv/bin/python benchmarks/visible_reach.py PROBLEM_LIST FOLDER [FOLDER ...]
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path


def reach(folders: list[Path]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per problem: the distinct programs that ran on visible tests, and those that passed all of them."""
    written: dict[str, set[str]] = defaultdict(set)
    passing: dict[str, set[str]] = defaultdict(set)
    for path in sorted(p for folder in folders for p in folder.glob("trajectories/*/*.json")):
        trajectory = json.loads(path.read_text())
        for candidate in trajectory["candidates"]:
            visible = candidate.get("visible") or {}
            if not visible.get("total"):
                continue
            written[trajectory["problem_id"]].add(candidate["code"])
            if visible["passed"] == visible["total"]:
                passing[trajectory["problem_id"]].add(candidate["code"])
    return written, passing


def main(problem_list: Path, folders: list[Path]) -> None:
    ids = [line.strip() for line in problem_list.read_text().splitlines()
           if line.strip() and not line.startswith("#")]
    written, passing = reach(folders)
    print("| problem | distinct programs | passing the visible tests |\n| --- | --- | --- |")
    for pid in ids:
        if passing[pid]:
            print(f"| {pid} | {len(written[pid])} | {len(passing[pid])} |")
    print(f"\n{sum(1 for p in ids if passing[p])} of {len(ids)} problems have a program that passes their visible "
          f"tests, among {sum(len(written[p]) for p in ids)} distinct programs "
          f"({sum(len(passing[p]) for p in ids)} passing).")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), [Path(a) for a in sys.argv[2:]])
