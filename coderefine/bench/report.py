"""A bench's report: per method, the solve rate over seeds, what it cost, how it stopped, how often a visible
pass hid a hidden failure, what it fixed and broke against a reference method (zero-shot unless another
is named), paired by (problem, seed), and what each kind of step yields: how often a fresh sample, or a repair
of a near or far miss, passes the visible tests. Markdown, JSON and two PNG plots.

Methods are compared on the (problem, seed) cells that every reported method has finished, so a bench
still running never compares different sets of problems.
"""
from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from coderefine.bench.store import BenchError, Manifest, ResultStore

BASELINE = "zero-shot"


@dataclass
class MethodStats:
    method: str
    runs: int
    per_seed: dict[int, float]                # seed -> solve rate
    mean: float
    sd: float
    solved: int
    calls_per_problem: float
    tokens_per_problem: float
    calls_per_solved: float | None
    tokens_per_solved: float | None
    seconds_per_run: float
    stop_reasons: dict[str, int]
    visible_pass: int                          # final answers that passed every visible test
    hidden_fail_given_visible_pass: float | None
    selftest_false_fail: str | None = None     # final answers right on hidden tests that fail a self test
    selftest_false_pass: str | None = None     # final answers wrong on hidden tests that pass every self test
    fixed: int | None = None                   # cells the reference method failed and this method solved
    broken: int | None = None                  # cells the reference method solved and this method failed
    stats: dict[str, int] = field(default_factory=dict)  # the methods' own counters, summed
    yields: dict[str, list[int]] = field(default_factory=dict)  # kind of candidate -> [passing, made]


@dataclass
class BenchReport:
    folder: str
    manifest: dict
    methods: list[str]
    problems: int
    seeds: list[int]
    cells: int                                 # (problem, seed) pairs every method finished, as a full grid
    pending: dict[str, int]                    # runs outside the common cells, per method
    rows: list[MethodStats]
    against: str = BASELINE                    # the reference of the paired columns
    paired: int = 0                            # common cells that the reference has finished too

    def to_dict(self) -> dict:
        return asdict(self)


def build_report(store: ResultStore, methods: list[str] | None = None, against: str = BASELINE) -> BenchReport:
    """`against`: the method the others are paired with (fixed and broken cells), on the common cells it has
    finished too; it need not be among `methods`. A BenchError names the methods there are when an explicitly
    chosen reference has no runs in the folder, and refuses a folder without runs (a report of nothing)."""
    manifest: Manifest = store.manifest()
    results = store.results()
    if not results:
        raise BenchError(f"{store.folder}: no finished runs yet, so nothing to report")
    present = list(dict.fromkeys(r["method"] for r in results))
    if against != BASELINE and against not in present:
        raise BenchError(f"--against {against}: no runs of that method in {store.folder}; methods there: "
                         + (", ".join(present) or "none"))
    missing = [m for m in methods or () if m not in present]
    if missing:
        raise BenchError(f"no runs of {', '.join(missing)} in {store.folder}; methods there: "
                         + (", ".join(present) or "none"))
    names = methods or present
    by_method = {m: {(r["problem"], r["seed"]): r for r in results if r["method"] == m} for m in names}
    finished = set.intersection(*(set(cells) for cells in by_method.values())) if by_method else set()
    problems, seeds = _grid(finished)
    common = {(p, s) for p in problems for s in seeds}
    reference = {(r["problem"], r["seed"]): r for r in results if r["method"] == against}
    paired = {c: reference[c] for c in common if c in reference} if reference else None
    rows = [_method_stats(m, [by_method[m][c] for c in sorted(common)], seeds, problems, paired, against)
            for m in names]
    for row in rows:
        row.yields = _yields(store.folder, [by_method[row.method][c] for c in sorted(common)])
    pending = {m: len(set(cells) - common) for m, cells in by_method.items()}
    return BenchReport(folder=str(store.folder), manifest=manifest.to_dict() | {"problems": len(manifest.problems)},
                       methods=names, problems=len(problems), seeds=seeds, cells=len(common), pending=pending,
                       rows=rows, against=against, paired=len(paired or {}))


def _grid(cells: set[tuple[str, int]]) -> tuple[list[str], list[int]]:
    """The largest full problems × seeds grid inside `cells`, so that every seed's rate is over the same
    problems (a seed still running would otherwise be compared on fewer, different problems). The best grid's
    seeds are all those its problems share, so only intersections of the problems' seed sets are tried, not
    every subset of seeds (2^20 of them for 20 seeds)."""
    seeds_of: dict[str, set[int]] = {}
    for problem, seed in cells:
        seeds_of.setdefault(problem, set()).add(seed)
    shared: set[frozenset[int]] = set()
    for seeds in {frozenset(s) for s in seeds_of.values()}:
        shared |= {seeds & other for other in shared} | {seeds}
    best: tuple[int, int, list[str], list[int]] = (0, 0, [], [])
    for chosen in shared:
        problems = sorted(p for p, seeds in seeds_of.items() if chosen <= seeds)
        best = max(best, (len(problems) * len(chosen), len(chosen), problems, sorted(chosen)))
    return best[2], best[3]


def _method_stats(method: str, rows: list[dict], seeds: list[int], problems: list[str],
                  baseline: dict | None, against: str) -> MethodStats:
    per_seed = {s: _rate([r for r in rows if r["seed"] == s]) for s in seeds}
    rates = list(per_seed.values())
    solved = sum(r["solved"] for r in rows)
    calls = sum(r["calls"] for r in rows)
    tokens = sum(r["tokens"] for r in rows)
    visible_pass = [r for r in rows if r["visible_total"] and r["visible_passed"] == r["visible_total"]]
    fixed = broken = None
    if baseline and method != against:
        pairs = [(baseline[cell]["solved"], r["solved"]) for r in rows
                 if (cell := (r["problem"], r["seed"])) in baseline]
        fixed = sum(1 for base, ours in pairs if ours and not base)
        broken = sum(1 for base, ours in pairs if base and not ours)
    tested = [r for r in rows if r.get("selftest_total")]
    right = [r for r in tested if r["solved"]]
    wrong = [r for r in tested if not r["solved"]]
    false_fail = f"{sum(r['selftest_passed'] < r['selftest_total'] for r in right)}/{len(right)}" if tested else None
    false_pass = f"{sum(r['selftest_passed'] == r['selftest_total'] for r in wrong)}/{len(wrong)}" if tested else None
    counters: Counter = Counter()
    for r in rows:
        counters.update({k: v for k, v in r.get("stats", {}).items() if isinstance(v, int)})
    n = len(rows) or 1
    return MethodStats(
        method=method, runs=len(rows), per_seed=per_seed,
        mean=statistics.fmean(rates) if rates else 0.0,
        sd=statistics.stdev(rates) if len(rates) > 1 else 0.0,
        solved=solved, calls_per_problem=calls / n, tokens_per_problem=tokens / n,
        calls_per_solved=calls / solved if solved else None, tokens_per_solved=tokens / solved if solved else None,
        seconds_per_run=sum(r["seconds"] for r in rows) / n,
        stop_reasons=dict(Counter(r["stop_reason"] for r in rows).most_common()),
        visible_pass=len(visible_pass),
        hidden_fail_given_visible_pass=(sum(not r["solved"] for r in visible_pass) / len(visible_pass)
                                        if visible_pass else None),
        selftest_false_fail=false_fail, selftest_false_pass=false_pass,
        fixed=fixed, broken=broken, stats=dict(counters))


def _yields(folder: Path, rows: list[dict]) -> dict[str, list[int]]:
    """Per kind of candidate, how many there were and how many passed every visible test they were run on.
    A child's kind names its parent's visible score, because a repair of a near miss and a repair of a far
    miss are different bets; both are to be set against a fresh sample's rate. Candidates without visible
    tests are left out. Read from the runs' trajectories; one that is missing or unreadable is skipped."""
    counts: dict[str, list[int]] = {}
    for row in rows:
        try:
            kinds = _kinds(json.loads((folder / row["trajectory"]).read_text())["candidates"])
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            continue
        for kind, passed in kinds:
            tally = counts.setdefault(kind, [0, 0])
            tally[0] += passed
            tally[1] += 1
    return dict(sorted(counts.items()))


def _kinds(candidates: list[dict]) -> list[tuple[str, bool]]:
    """(kind, passed every visible test) for each candidate of one trajectory that had visible tests."""
    kinds = []
    for candidate in candidates:
        passed, total = candidate["visible"]["passed"], candidate["visible"]["total"]
        if not total:
            continue
        kind = candidate["origin"]
        if candidate.get("parent") is not None:
            parent = candidates[candidate["parent"]]["visible"]
            kind += (" of a passing parent" if parent["passed"] == parent["total"] else
                     " of a near miss" if parent["passed"] else " of a far miss")
        kinds.append((kind, passed == total))
    return kinds


def _rate(rows: list[dict]) -> float:
    return sum(r["solved"] for r in rows) / len(rows) if rows else 0.0


# --- rendering ---------------------------------------------------------------------------------

def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def to_markdown(report: BenchReport) -> str:
    m = report.manifest
    budget = m["budget"]
    caps = ", ".join(f"{k} {budget[k]}" for k in ("calls", "tokens", "max_iters") if budget.get(k) is not None)
    lines = [
        f"# Bench report: `{report.folder}`",
        "",
        f"- model: `{m['model']}`; dataset: `{m['dataset']}`; budget: {caps or 'none'}; "
        f"base temperature {budget['temperature']}; max new tokens {budget['code_tokens']} (code), "
        f"{budget['critique_tokens']} (critique); decoding: "
        + (", ".join(f"{k} {v}" for k, v in m.get("decoding", {}).items()) or "plain (no speculation)"),
        f"- selection: {m.get('selection') or 'as given'}",
        f"- compared on {report.cells} (problem, seed) cells, the largest full grid that every method finished: "
        f"{report.problems} problems × seeds {', '.join(map(str, report.seeds)) or '–'}",
    ]
    matched = [name.partition("@") for name in report.methods if "@" in name]
    if matched:
        lines.append("- " + "; ".join(f"`{base}@{other}`: {base} under each cell's realized calls and tokens of "
                                      f"{other} (capped at the budget above)" for base, _, other in matched))
    if report.paired < report.cells and any(r.fixed is not None for r in report.rows):
        lines.append(f"- fixed and broken vs {report.against}: on the {report.paired} of these cells that "
                     f"{report.against} has finished")
    if any(report.pending.values()):
        lines.append("- runs outside the common cells (not in the tables): "
                     + ", ".join(f"{k} {v}" for k, v in report.pending.items() if v))
    lines += ["", "## Solve rate (hidden tests)", "",
              f"| method | mean ± sd | per seed | solved | fixed vs {report.against} | broken vs {report.against} |",
              "| --- | --- | --- | --- | --- | --- |"]
    for r in report.rows:
        seeds = ", ".join(f"{s}: {v:.3f}" for s, v in r.per_seed.items())
        lines.append(f"| {r.method} | {r.mean:.3f} ± {r.sd:.3f} | {seeds} | {r.solved}/{r.runs} | "
                     f"{_num(r.fixed)} | {_num(r.broken)} |")
    lines += ["", "## Cost", "",
              "| method | calls / problem | tokens / problem | calls / solved | tokens / solved | seconds / run |",
              "| --- | --- | --- | --- | --- | --- |"]
    for r in report.rows:
        lines.append(f"| {r.method} | {r.calls_per_problem:.2f} | {_num(r.tokens_per_problem)} | "
                     f"{_num(r.calls_per_solved, 2)} | {_num(r.tokens_per_solved)} | {r.seconds_per_run:.1f} |")
    lines += ["", "## How runs ended", "",
              "| method | P(hidden fail \\| visible pass) | visible passes | stop reasons | counters |",
              "| --- | --- | --- | --- | --- |"]
    for r in report.rows:
        reasons = "; ".join(f"{k} {v}" for k, v in r.stop_reasons.items())
        counters = "; ".join(f"{k} {v}" for k, v in sorted(r.stats.items()))
        lines.append(f"| {r.method} | {_num(r.hidden_fail_given_visible_pass, 3)} | {r.visible_pass} | "
                     f"{reasons} | {counters or '–'} |")
    if any(r.selftest_false_fail is not None for r in report.rows):
        lines += ["", "## Self-generated tests against the hidden tests (final answers)", "",
                  "| method | right on hidden, failing a self test | wrong on hidden, passing every self test |",
                  "| --- | --- | --- |"]
        lines += [f"| {r.method} | {r.selftest_false_fail} | {r.selftest_false_pass} |"
                  for r in report.rows if r.selftest_false_fail is not None]
    if any(r.yields for r in report.rows):
        lines += ["", "## What each kind of candidate yields", "",
                  "Candidates that pass every visible test they were run on, of those made (a near miss passed "
                  "some of its visible tests, a far miss none). A repair costs its method's calls per step "
                  "(coderefine: a critique and a patch), a fresh sample one call.", "",
                  "| method | kind of candidate | passing / made | rate |", "| --- | --- | --- | --- |"]
        lines += [f"| {r.method} | {kind} | {passed}/{made} | {passed / made:.3f} |"
                  for r in report.rows for kind, (passed, made) in r.yields.items()]
    lines += ["", "Plots: `solve_rate.png` (mean ± sd over seeds), `cost.png` (solve rate against LLM calls "
              "per problem)."]
    return "\n".join(lines) + "\n"


def write_report(report: BenchReport, folder: Path) -> list[Path]:
    """report.md, report.json and the two plots, written into the bench folder."""
    folder = Path(folder)
    (folder / "report.md").write_text(to_markdown(report))
    (folder / "report.json").write_text(json.dumps(report.to_dict(), indent=1))
    return [folder / "report.md", folder / "report.json", *_plots(report, folder)]


def _plots(report: BenchReport, folder: Path) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report.rows
    if not rows:
        return []
    names = [r.method for r in rows]
    title = f"{report.manifest['model']} on {report.manifest['dataset']}: {report.problems} problems × {len(report.seeds)} seed{'s' if len(report.seeds) != 1 else ''}"

    fig, ax = plt.subplots(figsize=(max(5, 1.2 * len(rows) + 2), 4))
    bars = ax.bar(names, [r.mean for r in rows], yerr=[r.sd for r in rows], capsize=5, color="#4c78a8")
    for bar, r in zip(bars, rows):
        ax.annotate(f"{r.mean:.2f}", (bar.get_x() + bar.get_width() / 2, r.mean + r.sd), ha="center",
                    va="bottom", fontsize=9, xytext=(0, 2), textcoords="offset points")
    ax.set_ylabel("solve rate (hidden tests)")
    ax.set_ylim(0, min(1.05, max(r.mean + r.sd for r in rows) * 1.25 + 0.05))
    ax.set_title(title, fontsize=10)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", rotation_mode="anchor")
    fig.tight_layout()
    rate_path = folder / "solve_rate.png"
    fig.savefig(rate_path, dpi=120)
    plt.close(fig)

    # A legend, not labels beside the points: methods of equal cost and rate would print over each other.
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, r in enumerate(rows):
        ax.errorbar(r.calls_per_problem, r.mean, yerr=r.sd, fmt="osD^v<>ph"[i % 9], capsize=4, label=r.method)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, frameon=False)
    ax.set_xlabel("LLM calls per problem (mean)")
    ax.set_ylabel("solve rate (hidden tests)")
    ax.set_xlim(0, max(r.calls_per_problem for r in rows) * 1.2 + 0.5)
    ax.set_ylim(0, min(1.05, max(r.mean + r.sd for r in rows) * 1.25 + 0.05))
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    cost_path = folder / "cost.png"
    fig.savefig(cost_path, dpi=120)
    plt.close(fig)
    return [rate_path, cost_path]
