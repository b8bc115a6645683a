"""Repository-mode benchmarks (issue 14): `coderefine refine` on real repositories, measured as a user runs it.

    python benchmarks/repo_bench.py quixbugs      [--seeds 0,1,2] [--methods coderefine,resample] [--calls 8]
    python benchmarks/repo_bench.py two-function  [--seeds 0,1,2] [--functions 3,1] [--calls 8]
    python benchmarks/repo_bench.py table         # the tables for BENCHMARKS.md, from the results

quixbugs: the 20 programs of ../shared/data/quixbugs-dev.tar.gz, without correct_python_programs/, as one git
repository; for each program, `coderefine refine --tests python_testcases/test_NAME.py` with each method.
two-function: the bugs in benchmarks/two_function_bugs/ (a caller and its callee both wrong), each its own
repository, `coderefine refine --tests tests` with all implicated functions as variables (--functions 3) and
with the most suspect one only (--functions 1).

Each run is the CLI command itself, with --apply, in a fresh clone of the repository. A fix counts only when
the applied change makes that program's tests pass in the sandbox, checked here after the command (for
QuixBugs with --runslow: its slow cases too). One JSONL line per (program, variant, seed) is appended to
benchmarks/results/<suite>-<model>/results.jsonl as soon as its run ends; a rerun of the same command skips
the lines already there, so an interrupted measurement resumes where it stopped.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUIXBUGS = ROOT.parent / "shared" / "data" / "quixbugs-dev.tar.gz"
BUGS = ROOT / "benchmarks" / "two_function_bugs"
WORK = ROOT / "runs" / "repo-bench"          # repositories and clones (runs/ is ignored by git)
CLI = [sys.executable, "-m", "coderefine"]
GIT_ID = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]


@dataclass(frozen=True)
class Job:
    """One run: a repository, the tests it refines against, a variant (method, functions), a seed."""
    program: str
    repo: Path
    tests: str
    variant: str
    flags: tuple[str, ...]
    seed: int
    check: tuple[str, ...] = ()          # extra pytest arguments of the check: QuixBugs' --runslow

    @property
    def key(self) -> tuple[str, str, int]:
        return self.program, self.variant, self.seed


def git_repository(source: Path, target: Path) -> Path:
    """`source`'s files as a fresh one-commit git repository at `target` (made once)."""
    if not (target / ".git").exists():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        subprocess.run(["git", "init", "-q", str(target)], check=True)
        subprocess.run(["git", "-C", str(target), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(target), *GIT_ID, "commit", "-q", "-m", "as given"], check=True)
    return target


def quixbugs_repository() -> Path:
    """The QuixBugs programs and tests, without the corrected programs the tool must never see."""
    target = WORK / "quixbugs"
    if not (target / ".git").exists():
        unpacked = WORK / "quixbugs-unpacked"
        shutil.rmtree(unpacked, ignore_errors=True)
        with tarfile.open(QUIXBUGS) as archive:
            archive.extractall(unpacked, filter="data")
        source = next(unpacked.iterdir())
        shutil.rmtree(source / "correct_python_programs")
        git_repository(source, target)
        shutil.rmtree(unpacked)
    return target


def quixbugs_jobs(seeds: list[int], methods: list[str], calls: int) -> list[Job]:
    repo = quixbugs_repository()
    programs = sorted(p.stem[len("test_"):] for p in (repo / "python_testcases").glob("test_*.py"))
    return [Job(name, repo, f"python_testcases/test_{name}.py", method, ("--method", method, "--calls", str(calls)),
                seed, ("--runslow",)) for seed in seeds for name in programs for method in methods]


def two_function_jobs(seeds: list[int], functions: list[int], calls: int) -> list[Job]:
    bugs = sorted(p.name for p in BUGS.iterdir() if p.is_dir())
    return [Job(bug, git_repository(BUGS / bug, WORK / "two-function" / bug), "tests", f"functions-{n}",
                ("--functions", str(n), "--calls", str(calls)), seed)
            for seed in seeds for bug in bugs for n in functions]


def run(job: Job, model: str) -> dict:
    """The command in a fresh clone, then the check of what it applied."""
    scratch = Path(tempfile.mkdtemp(prefix=f"{job.program}-", dir=WORK / "scratch"))
    try:
        subprocess.run(["git", "clone", "-q", str(job.repo), str(scratch / "repo")], check=True)
        clone = scratch / "repo"
        # plain decoding, as in the runs measured before speculation became the default
        command = [*CLI, "refine", "--tests", job.tests, *job.flags, "--model", model, "--seed", str(job.seed),
                   "--backend", "bwrap", "--speculation", "none", "--apply", "--json"]
        started = time.monotonic()
        done = subprocess.run(command, cwd=clone, capture_output=True, text=True, timeout=3600)
        seconds = time.monotonic() - started
        try:
            document = json.loads(done.stdout)
        except ValueError:
            document = {"error": {"message": (done.stderr or done.stdout)[-2000:]}}
        check = verify(clone, job.tests, job.check) if document.get("applied") else None
        return {"program": job.program, "variant": job.variant, "seed": job.seed, "model": model,
                "command": " ".join(["coderefine", *command[len(CLI):]]), "exit": done.returncode,
                "seconds": round(seconds, 1), "status": document.get("status", "error"),
                "fixed": bool(check and check["passed"] == check["total"] and check["total"] > 0),
                "check": check, "before": _counts(document.get("before")), "after": _counts(document.get("after")),
                "variables": [v["function"] for v in document.get("variables", [])],
                "candidates": document.get("candidates"), "stop_reason": document.get("stop_reason"),
                "usage": document.get("usage"), "diff": document.get("diff", ""), "error": document.get("error")}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def verify(clone: Path, tests: str, args: tuple[str, ...]) -> dict:
    """The program's tests (with `args`: QuixBugs' slow cases too) on the clone as the command left it."""
    from coderefine.repo.refine import Request, prepare
    from coderefine.repo.runner import PytestRun, run_pytest
    from sandbox import Limits, Sandbox
    prepared = prepare(Request(root=clone, tests=(tests,)))
    with Sandbox(backend="bwrap") as box:
        result = run_pytest(box, prepared.snapshot.files, PytestRun(prepared.selection, args),
                            expected=None, limits=Limits(wall=600))
    report = result.report
    return {"passed": report.passed, "total": report.total, "error": report.error[:500]}


def _counts(report: dict | None) -> list[int] | None:
    return None if report is None else [report["passed"], report["total"]]


def measure(jobs: list[Job], out: Path, model: str, workers: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (WORK / "scratch").mkdir(parents=True, exist_ok=True)
    results = out / "results.jsonl"
    done = {(r["program"], r["variant"], r["seed"]) for r in read(results)}
    todo = [job for job in jobs if job.key not in done]
    print(f"{len(done)} runs already in {results}; {len(todo)} to go", flush=True)
    lock = threading.Lock()

    def one(job: Job) -> None:
        record = run(job, model)
        with lock, results.open("a") as file:
            file.write(json.dumps(record) + "\n")
        print(f"{job.program} {job.variant} seed {job.seed}: {'FIXED' if record['fixed'] else record['status']} "
              f"in {record['seconds']:.0f}s", flush=True)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, todo))


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def table(folder: Path) -> str:
    """Fixed fraction per variant (over programs and seeds), the median and mean time of a fix, and which
    seeds fixed each program. A run whose calls were all served from the response cache (the other method
    asked the same first question at the same seed) took seconds only for that reason: it is left out of
    the times, and the count of such fixes is given."""
    rows = read(folder / "results.jsonl")
    variants = sorted({r["variant"] for r in rows})
    lines = ["| variant | fixed | fraction | programs fixed at least once | time per fix (median / mean) |",
             "| --- | --- | --- | --- | --- |"]
    for variant in variants:
        mine = [r for r in rows if r["variant"] == variant]
        fixed = [r for r in mine if r["fixed"]]
        times = [r["seconds"] for r in fixed if (r.get("usage") or {}).get("llm_calls", 1)]
        timing = f"{statistics.median(times):.0f} s / {statistics.mean(times):.0f} s" if times else "-"
        if len(times) < len(fixed):
            timing += f" ({len(fixed) - len(times)} served from the cache left out)"
        ever = {r["program"] for r in fixed}
        lines.append(f"| {variant} | {len(fixed)}/{len(mine)} | {len(fixed) / len(mine):.2f} | "
                     f"{len(ever)}/{len({r['program'] for r in mine})} | {timing} |")
    lines += ["", "| program | " + " | ".join(f"{v}: seeds fixed" for v in variants) + " |",
              "| --- |" + " --- |" * len(variants)]
    for program in sorted({r["program"] for r in rows}):
        cells = []
        for variant in variants:
            runs = sorted((r["seed"], r["fixed"]) for r in rows if r["program"] == program and r["variant"] == variant)
            cells.append(" ".join(f"{seed}{'✓' if ok else '✗'}" for seed, ok in runs) or "-")
        lines.append(f"| {program} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suite", choices=["quixbugs", "two-function", "table"])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--methods", default="coderefine,resample")
    parser.add_argument("--functions", default="3,1")
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--model", default="local/qwen2.5-coder-1.5b")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--programs", default="", help="only these programs or bugs (comma-separated)")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    short = args.model.rsplit("-", 1)[-1]
    folders = {"quixbugs": ROOT / "benchmarks" / "results" / f"quixbugs-repo-{short}",
               "two-function": ROOT / "benchmarks" / "results" / f"two-function-repo-{short}"}
    if args.suite == "table":
        for name, folder in folders.items():
            if (folder / "results.jsonl").exists():
                print(f"{name} ({folder.relative_to(ROOT)})\n{table(folder)}\n")
        return
    jobs = (quixbugs_jobs(seeds, args.methods.split(","), args.calls) if args.suite == "quixbugs"
            else two_function_jobs(seeds, [int(n) for n in args.functions.split(",")], args.calls))
    if args.programs:
        jobs = [job for job in jobs if job.program in args.programs.split(",")]
    measure(jobs, folders[args.suite], args.model, args.workers)


if __name__ == "__main__":
    main()
