"""Sandbox speed: one candidate with 100 fast call tests, unsandboxed vs bwrap vs docker (warm containers);
one HumanEval-style check of 100 asserts (which adds the checker's jail); and candidates per second through
2 slots running concurrently.

    .venv/bin/python benchmarks/sandbox_bench.py [--reps 15] [--backends bwrap,docker]

"Unsandboxed" is the same host-driven harness with no jail at all (the unsafe backend: a plain process
with rlimits), so the ratio is what isolation costs. Every line carries the load average, because on a
shared 2-core machine that moves the numbers more than anything else.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

from sandbox import AssertTest, CallTest, Sandbox

CODE = "class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n        for i, x in enumerate(nums):\n" \
       "            if target - x in seen:\n                return [seen[target - x], i]\n            seen[x] = i\n"
TESTS = [CallTest(args=([i, 7, 11, 15 + i], 7 + i), expected=[0, 1]) for i in range(100)]
ENTRY = "Solution().twoSum"
CHECK = [AssertTest(source="def check(candidate):\n" + "".join(
    f"    assert candidate([{i}, 7, 11, {15 + i}], {7 + i}) == [0, 1]\n" for i in range(100)) + "check(candidate)\n")]


def load() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def median_ms(box: Sandbox, tests, reps: int) -> float:
    box.run_tests(CODE, tests, ENTRY)  # warm-up (docker: starts the containers)
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        report = box.run_tests(CODE, tests, ENTRY)
        times.append(time.perf_counter() - started)
        assert report.all_passed, report.error or report.failing[:1]
    return statistics.median(times) * 1000


def throughput(box: Sandbox, candidates: int) -> float:
    with ThreadPoolExecutor(2) as pool:
        started = time.perf_counter()
        reports = list(pool.map(lambda _: box.run_tests(CODE, TESTS, ENTRY), range(candidates)))
        elapsed = time.perf_counter() - started
    assert all(r.all_passed for r in reports)
    return candidates / elapsed


def unsandboxed(reps: int) -> tuple[float, float]:
    """The unsafe backend warns on every run; the warnings are not what is measured."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        with Sandbox(backend="unsafe", slots=2) as box:
            return median_ms(box, TESTS, reps), median_ms(box, CHECK, reps)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--backends", default="bwrap,docker")
    args = parser.parse_args()
    base, base_check = unsandboxed(args.reps)
    print(f"unsandboxed: 100 call tests {base:.0f} ms, 100-assert check {base_check:.0f} ms (load {load()})")
    for name in args.backends.split(","):
        with Sandbox(backend=name, slots=2) as box:
            calls, check = median_ms(box, TESTS, args.reps), median_ms(box, CHECK, args.reps)
            rate = throughput(box, 2 * args.reps)
        print(f"{name}: 100 call tests {calls:.0f} ms ({calls / base:.2f}x unsandboxed; target "
              f"{1.3 * base + 30:.0f} ms), 100-assert check {check:.0f} ms, 2 slots: {rate:.1f} candidates/s "
              f"(load {load()})")


if __name__ == "__main__":
    main()
