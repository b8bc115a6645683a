"""How the oracle reader does on every `tests` reply the benches recorded: each distinct reply is read with the
code checked out now, and the oracle it yields (if any) is run on its problem's visible tests in the sandbox.
No model is called and no hidden test is run. Run it at another commit to compare readers.

    .venv/bin/python benchmarks/oracle_replay.py [--backend bwrap] [benchmarks/results]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from coderefine.data import load_dataset  # noqa: E402
from coderefine.selftests import oracle_from  # noqa: E402
from sandbox import Sandbox  # noqa: E402

DATASETS = ("humaneval", "problems", "lcd")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", default="benchmarks/results", type=Path)
    parser.add_argument("--backend", default="bwrap")
    parser.add_argument("--lcd", default="/work/shared/data/lcd-dev.jsonl.gz")
    args = parser.parse_args()
    problems = {p.id: p for spec in ("humaneval", "problems", f"lcd:{args.lcd}")
                for p in load_dataset(spec).problems}
    box = Sandbox(backend=args.backend, slots=1)
    counts: Counter = Counter()
    seen: set[tuple[str, str]] = set()
    for path in sorted(args.results.glob("*/trajectories/*/*.json")):
        dataset = path.parts[-4].split("-")[0]
        trajectory = json.loads(path.read_text())
        problem = problems[trajectory["problem_id"]]
        for call in trajectory["calls"]:
            if call["role"] != "tests" or (call["reply"], problem.id) in seen:
                continue
            seen.add((call["reply"], problem.id))
            oracle = oracle_from(call["reply"], problem.entry_point)
            counts[dataset, "replies"] += 1
            if oracle is None:
                continue
            counts[dataset, "oracles"] += 1
            report = box.run_tests(oracle, list(problem.visible_tests), problem.entry_point, prelude=problem.prelude,
                                   compare=problem.compare, limits=problem.limits())
            counts[dataset, "pass visible"] += bool(report.outcomes) and all(
                o.status == "passed" for o in report.outcomes)
    print("| set | distinct tests replies | oracles read | oracles passing the visible tests |\n| --- | --- | --- | --- |")
    for dataset in DATASETS:
        print(f"| {dataset} | {counts[dataset, 'replies']} | {counts[dataset, 'oracles']} | "
              f"{counts[dataset, 'pass visible']} |")


if __name__ == "__main__":
    main()
