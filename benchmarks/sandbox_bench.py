"""Sandbox speed: one candidate with 100 fast tests, unsandboxed harness vs bwrap vs docker (warm exec),
and candidates per second with 2 slots running concurrently.

    .venv/bin/python benchmarks/sandbox_bench.py [--reps 15] [--backends bwrap,docker]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sandbox import CallTest, Limits, Sandbox
from sandbox.core import harness_source
from sandbox.judge import build_job

CODE = "class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n        for i, x in enumerate(nums):\n" \
       "            if target - x in seen:\n                return [seen[target - x], i]\n            seen[x] = i\n"
TESTS = [CallTest(args=([i, 7, 11, 15 + i], 7 + i), expected=[0, 1]) for i in range(100)]
ENTRY = "Solution().twoSum"


def unsandboxed(reps: int) -> list[float]:
    """The same harness and job, started directly with /usr/bin/python3 (no isolation at all)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "harness.py").write_bytes(harness_source())
        job = build_job(CODE, TESTS, ENTRY, prelude="", limits=Limits(), fail_fast=False, sweep=False)
        (Path(tmp) / "job.json").write_text(json.dumps(job))
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            out = subprocess.run(["/usr/bin/python3", "-I", f"{tmp}/harness.py", f"{tmp}/job.json"],
                                 capture_output=True, check=True).stdout
            times.append(time.perf_counter() - started)
            assert out.count(b'"status": "returned"') == len(TESTS)
        return times


def sandboxed(box: Sandbox, reps: int) -> list[float]:
    box.run_tests(CODE, TESTS, ENTRY)  # warm-up (docker: starts the container)
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        report = box.run_tests(CODE, TESTS, ENTRY)
        times.append(time.perf_counter() - started)
        assert report.passed == len(TESTS), report.error
    return times


def throughput(box: Sandbox, candidates: int) -> float:
    with ThreadPoolExecutor(2) as pool:
        started = time.perf_counter()
        reports = list(pool.map(lambda _: box.run_tests(CODE, TESTS, ENTRY), range(candidates)))
        elapsed = time.perf_counter() - started
    assert all(r.passed == len(TESTS) for r in reports)
    return candidates / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--backends", default="bwrap,docker")
    args = parser.parse_args()
    base = statistics.median(unsandboxed(args.reps))
    print(f"unsandboxed harness: median {base * 1000:.0f} ms for {len(TESTS)} tests")
    for name in args.backends.split(","):
        with Sandbox(backend=name, slots=2) as box:
            median = statistics.median(sandboxed(box, args.reps))
            rate = throughput(box, 2 * args.reps)
        print(f"{name}: median {median * 1000:.0f} ms ({median / base:.2f}x unsandboxed; "
              f"target {(1.3 * base + 0.030) * 1000:.0f} ms), 2 slots: {rate:.1f} candidates/s")


if __name__ == "__main__":
    main()
