"""The bench: its results folder, its report (from a committed fixture), and its command."""
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coderefine.bench.report import build_report, to_markdown, write_report
from coderefine.bench.run import ThreadExecutor, frontier, plan
from coderefine.bench.store import BenchError, ResultStore, RunKey, Setup
from coderefine.cli import app
from coderefine.methods import METHODS
from coderefine.types import Budget

FIXTURE = Path(__file__).parent / "fixtures" / "bench"


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "bench")
    return tmp_path / "bench"


def test_report_from_the_fixture(folder):
    report = build_report(ResultStore(folder))
    rows = {r.method: r for r in report.rows}
    assert report.cells == 6 and report.seeds == [0, 1] and report.pending == {"zero-shot": 1, "resample": 0}
    zs, rs = rows["zero-shot"], rows["resample"]
    assert (round(zs.mean, 3), zs.sd, zs.solved) == (0.333, 0.0, 2)
    assert (round(rs.mean, 3), round(rs.sd, 4), rs.per_seed) == (0.5, 0.2357, {0: 2 / 3, 1: 1 / 3})
    assert (rs.fixed, rs.broken) == (2, 1) and zs.fixed is None
    assert round(rs.hidden_fail_given_visible_pass, 3) == 0.4 and round(zs.hidden_fail_given_visible_pass, 3) == 0.333
    assert rs.calls_per_problem == 4 and rs.tokens_per_solved == 1200 and rs.stats == {"parse_failure": 2}
    text = to_markdown(report)
    assert "| resample | 0.500 ± 0.236 |" in text and "a hand-written fixture" in text
    paths = write_report(report, folder)
    assert {p.name for p in paths} == {"report.md", "report.json", "solve_rate.png", "cost.png"}
    assert all(p.stat().st_size > 0 for p in paths)
    assert json.loads((folder / "report.json").read_text())["cells"] == 6


def test_the_report_pairs_methods_with_any_reference_method(folder):
    report = build_report(ResultStore(folder), ["zero-shot"], against="resample")
    (row,) = report.rows
    assert report.methods == ["zero-shot"] and (report.cells, report.paired) == (6, 6)
    assert (row.fixed, row.broken) == (1, 2)   # the mirror of resample vs zero-shot
    assert "| fixed vs resample | broken vs resample |" in to_markdown(report)
    # a reference with fewer cells pairs on those it has, and shrinks no method's cells
    store = ResultStore(folder)
    store.repair()   # the fixture ends with a torn line
    for row in [r for r in store.results() if r["method"] == "resample"][:2]:
        store.append({**row, "method": "resample@zero-shot"})
    report = build_report(ResultStore(folder), ["zero-shot", "resample"], against="resample@zero-shot")
    assert (report.cells, report.paired) == (6, 2) and "on the 2 of these cells" in to_markdown(report)
    assert build_report(ResultStore(folder), ["resample"]).rows[0].fixed == 2   # zero-shot still pairs by default
    with pytest.raises(BenchError, match="no runs of that method .* methods there: zero-shot, resample"):
        build_report(ResultStore(folder), against="textgrad")
    result = CliRunner().invoke(app, ["bench", "report", str(folder), "--against", "textgrad"])
    assert result.exit_code == 2 and "methods there: zero-shot, resample" in result.output
    before = (folder / "report.md").read_bytes() if (folder / "report.md").exists() else None
    result = CliRunner().invoke(app, ["bench", "report", str(folder), "--methods", "resample,zerro-shot"])
    assert result.exit_code == 2 and "no runs of zerro-shot" in result.output, result.output
    assert ((folder / "report.md").read_bytes() if (folder / "report.md").exists() else None) == before


def test_the_report_counts_what_each_kind_of_candidate_yields(folder):
    """A child's kind names its parent's visible score; candidates without visible tests and unreadable
    trajectories are left out; a report without trajectories has no such table."""
    assert "What each kind" not in to_markdown(build_report(ResultStore(folder)))

    def candidate(index, origin, passed, total=2, parent=None):
        return {"index": index, "origin": origin, "parent": parent, "code": "",
                "visible": {"passed": passed, "total": total, "failures": []}}

    trajectories = {
        "P_1.seed0": [candidate(0, "zero-shot", 1), candidate(1, "patch", 2, parent=0),
                      candidate(2, "resample", 0, total=0)],
        "P_2.seed0": [candidate(0, "zero-shot", 0), candidate(1, "patch", 1, parent=0),
                      candidate(2, "patch", 0, parent=1), candidate(3, "resample", 2)],
        "P_3.seed0": [candidate(0, "zero-shot", 0), candidate(1, "patch", 2, parent=7)],   # broken: skipped
    }
    (folder / "trajectories" / "resample").mkdir(parents=True)
    for name, candidates in trajectories.items():
        (folder / "trajectories" / "resample" / f"{name}.json").write_text(json.dumps({"candidates": candidates}))
    (folder / "trajectories" / "resample" / "P_1.seed1.json").write_text("{not json")
    report = build_report(ResultStore(folder))
    rows = {r.method: r for r in report.rows}
    assert rows["resample"].yields == {"zero-shot": [0, 2], "patch of a near miss": [1, 2],
                                       "patch of a far miss": [0, 1], "resample": [1, 1]}
    assert rows["zero-shot"].yields == {}
    assert "| resample | patch of a near miss | 1/2 | 0.500 |" in to_markdown(report)


def test_torn_last_line_is_ignored_then_cut(folder):
    store = ResultStore(folder)
    assert len(store.results()) == 13
    store.repair()
    assert (folder / "results.jsonl").read_bytes().endswith(b"}\n")
    store.append({"method": "m", "problem": "p", "seed": 0})
    assert len(store.results()) == 14


def test_a_folder_of_another_setup_or_other_data_is_refused(folder):
    store = ResultStore(folder)
    budget = Budget(calls=8)
    with pytest.raises(BenchError, match="model"):
        store.open(Setup("humaneval", "gpt-4o", budget), {})
    with pytest.raises(BenchError, match="budget"):
        store.open(Setup("humaneval", "local/qwen2.5-coder-1.5b", Budget(calls=4)), {})
    with pytest.raises(BenchError, match="P/2"):
        store.open(Setup("humaneval", "local/qwen2.5-coder-1.5b", budget), {"P/2": "changed"})
    with pytest.raises(BenchError, match=r"decoding: \{\} there.*--speculation none"):
        store.open(Setup("humaneval", "local/qwen2.5-coder-1.5b", budget, decoding={"speculation": "ngram-mod"}), {})
    manifest = store.open(Setup("humaneval", "local/qwen2.5-coder-1.5b", budget), {"P/4": "h4"})
    assert set(manifest.problems) == {"P/1", "P/2", "P/3", "P/4"}


def test_a_folder_is_resumed_from_another_working_directory_but_not_on_another_file(tmp_path):
    store = ResultStore(tmp_path / "runs")
    budget = Budget(calls=8)
    store.open(Setup("lcd:../shared/data/lcd-dev.jsonl.gz", "m", budget), {"a": "h1"})
    store.append({"method": "zero-shot", "problem": "a", "seed": 0})
    manifest = store.open(Setup("lcd:/work/shared/data/lcd-dev.jsonl.gz", "m", budget), {"a": "h1", "b": "h2"})
    assert set(manifest.problems) == {"a", "b"}
    assert manifest.setup.dataset == "lcd:../shared/data/lcd-dev.jsonl.gz"   # as first written, for the report
    with pytest.raises(BenchError, match="dataset"):
        store.open(Setup("lcd:/work/shared/data/lcd-test.jsonl.gz", "m", budget), {})
    with pytest.raises(BenchError, match="the statement or tests changed"):   # the same name, other contents
        store.open(Setup("lcd:lcd-dev.jsonl.gz", "m", budget), {"a": "h9"})


def test_a_second_bench_into_a_folder_in_use_is_refused_and_nothing_changes(tmp_path):
    import subprocess
    import sys
    folder = tmp_path / "runs"
    holder = ("import sys, time\nfrom coderefine.bench.store import ResultStore\n"
              "with ResultStore(sys.argv[1]).writing():\n    print('held', flush=True)\n    time.sleep(60)\n")
    first = subprocess.Popen([sys.executable, "-c", holder, str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline() == "held\n"
        result = CliRunner().invoke(app, ["bench", "--dataset", "humaneval", "--problems", "HumanEval/0",
                                          "--out", str(folder), "--model", "openai/none", "--budget-calls", "2"])
        assert result.exit_code != 0 and "another bench is writing to" in result.output
        assert sorted(p.name for p in folder.iterdir()) == [".bench.lock"]
    finally:
        first.kill()
        first.wait()
    with ResultStore(folder).writing():   # once the first is gone, the folder is free again
        pass


def test_a_folder_without_results_takes_the_setup_of_the_next_bench(tmp_path):
    """A bench that stopped before its first run (a mistyped model) does not lock the folder to its setup."""
    store = ResultStore(tmp_path / "runs")
    store.open(Setup("humaneval", "openai/gpt-4o-mnii", Budget(calls=8)), {"P/1": "h1"})
    manifest = store.open(Setup("humaneval", "openai/gpt-4o-mini", Budget(calls=8)), {"P/2": "h2"})
    assert manifest.setup.model == "openai/gpt-4o-mini" and set(manifest.problems) == {"P/2"}
    assert store.manifest().setup.model == "openai/gpt-4o-mini"


def test_a_corrupt_manifest_is_named_not_a_crash(folder):
    (folder / "bench.json").write_text("{ not json")
    result = CliRunner().invoke(app, ["bench", "report", str(folder)])
    assert result.exit_code == 2 and "bench.json: not a bench manifest" in result.output, result.output


def test_plan_skips_done_runs_and_frontier_reads_zero_shot():
    class P:
        def __init__(self, i):
            self.id = i
    methods = [METHODS["zero-shot"], METHODS["resample"]]
    jobs = plan(methods, [P("a"), P("b")], [0, 1], {RunKey("zero-shot", "a", 0)}, Budget(calls=8))
    assert len(jobs) == 7 and jobs[0].key == RunKey("resample", "a", 0)
    assert {j.budget for j in jobs} == {Budget(calls=8)}
    rows = [{"method": "zero-shot", "problem": p, "seed": s, "solved": ok}
            for p, s, ok in [("a", 0, True), ("a", 1, False), ("b", 0, False), ("b", 1, False), ("c", 0, True)]]
    assert frontier(rows, "any") == ["a", "b"] and frontier(rows, "all") == ["b"]


def test_a_method_at_another_runs_under_that_methods_realized_spend_cell_by_cell(tmp_path):
    from coderefine.bench.run import run_bench, waiting
    from coderefine.data.problem import Problem
    from coderefine.methods import get_method
    from sandbox import CallTest, Sandbox
    from scripted_llm import ScriptedLLM

    problems = [Problem(id=f"p{i}", statement="Return a + b.", entry_point="add", starter_code="def add(a, b):",
                        visible_tests=(CallTest(args=(1, 2), expected=3),),
                        hidden_tests=(CallTest(args=(2, 2), expected=4),)) for i in range(2)]
    store = ResultStore(tmp_path / "runs")
    setup = Setup("t", "scripted", Budget(calls=8))
    store.open(setup, {})
    store.append({"method": "textgrad", "problem": "p0", "seed": 0, "calls": 3, "tokens": 10_000})
    matched = get_method("resample@textgrad")
    assert (matched.name, matched.spend_of, matched.body) == ("resample@textgrad", "textgrad", METHODS["resample"].body)
    jobs = plan([matched], problems, [0], store.done(), setup.budget, store.results())
    assert [(j.key.problem, j.budget.calls, j.budget.tokens) for j in jobs] == [("p0", 3, 10_000)]
    assert waiting([matched], problems, [0], store.done(), jobs) == 1          # p1 has no textgrad run yet
    wrong = "```python\ndef add(a, b):\n    return a - b\n```"
    with Sandbox(backend="bwrap") as box:
        run_bench(store, setup, [matched], problems, [0], ScriptedLLM([wrong] * 8), box, ThreadExecutor(1))
    (row,) = [r for r in store.results() if r["method"] == "resample@textgrad"]
    assert (row["problem"], row["calls"], row["budget"]["calls"], row["stop_reason"]) == ("p0", 3, 3, "call budget spent")
    from coderefine.config import SettingsError, resolve
    with pytest.raises(SettingsError, match="use it with `coderefine bench`"):
        resolve({"method": "resample@textgrad"}, start=tmp_path)


def test_matched_spend_edge_cases():
    from coderefine.bench.run import matched_budget
    from coderefine.cli.bench import _method_names
    from coderefine.methods import UnknownMethod, get_method
    cap = Budget(calls=8)
    row = {"method": "m", "problem": "p", "seed": 0}
    assert matched_budget(cap, {**row, "calls": 3, "tokens": 0}) == Budget(calls=3)   # no usage reported: calls only
    assert matched_budget(Budget(calls=2, tokens=50), {**row, "calls": 3, "tokens": 90}) == Budget(calls=2, tokens=50)
    with pytest.raises(BenchError, match="records no call count"):
        matched_budget(cap, row)
    for bad in ("@resample", "resample@", "resample@nope"):
        with pytest.raises(UnknownMethod):
            get_method(bad)
    assert get_method("resample@resample@coderefine").spend_of == "resample@coderefine"
    assert _method_names("coderefine:beam=3,diffs=off,resample@coderefine:expansions=0,beam=2,zero-shot") == [
        "coderefine:beam=3,diffs=off", "resample@coderefine:expansions=0,beam=2", "zero-shot"]
    from coderefine.cli.bench import _seeds
    assert _method_names("resample,zero-shot,resample") == ["resample", "zero-shot"] and _seeds("0,0,1") == [0, 1]


def test_a_method_at_a_method_that_never_ran_is_refused(tmp_path):
    result = CliRunner().invoke(app, ["bench", "--dataset", "humaneval", "--problems", "HumanEval/0", "--out",
                                      str(tmp_path / "runs"), "--model", "openai/none", "--budget-calls", "2",
                                      "--methods", "resample@textgrad"])
    assert result.exit_code == 2 and "holds no runs of textgrad to match" in result.output, result.output
    assert not (tmp_path / "runs").exists()   # refused before the folder is made


def test_executor_reraises_and_stops():
    ran = []

    def boom(x):
        ran.append(x)
        if x == 2:
            raise RuntimeError("x")
        return x
    with pytest.raises(RuntimeError, match="x"):
        list(ThreadExecutor(2).map_unordered(boom, range(10)))
    assert len(ran) <= 4 and 9 not in ran   # at most the two in flight besides it were started


def test_ctrl_c_drops_the_runs_not_started_and_keeps_those_in_flight(monkeypatch):
    import time

    import coderefine.bench.run as run
    real_wait, waits, heard = run.wait, [], []

    def interrupted_wait(*args, **kwargs):
        waits.append(1)
        if len(waits) == 2:
            time.sleep(0.05)   # the workers have taken the items just submitted
            raise KeyboardInterrupt
        return real_wait(*args, **kwargs)
    monkeypatch.setattr(run, "wait", interrupted_wait)
    got = []
    with pytest.raises(KeyboardInterrupt):
        for x in ThreadExecutor(2, on_interrupt=heard.append).map_unordered(lambda x: time.sleep(0.1) or x, range(9)):
            got.append(x)
    assert heard == [2] and len(got) in (3, 4) and sorted(got) == list(range(len(got)))   # 2 in flight, kept


@pytest.mark.parametrize("args, message", [
    (["--methods", "zero-shot,nope"], "unknown method 'nope'"),
    (["--problems", "HumanEval/0,Nope/1"], "Nope/1"),
    (["--difficulty", "Impossible"], "unknown difficulty 'Impossible'"),
    (["--budget-tokens", "0"], "--budget-tokens 0: must be at least 1"),
    (["--methods", "resample,textgrad", "--budget-tokens", "5000"], "the iterations of textgrad come from the call cap"),
    ([], "budget"),
    (["--sandbox-slots", "0"], "--sandbox-slots 0"),
    (["--speculation", "ngram"], "unknown speculation type 'ngram'"),
    (["--problems", ""], "--problems '' names no problem ids"),   # an empty variable, not every problem
    (["--difficulty", ""], "--difficulty '' names no difficulty"),
    (["--dataset", "problems", "--difficulty", "Hard", "--problems", "bakery-worst-delay"],
     "bakery-worst-delay is not of --difficulty Hard"),
    (["--backend", "unsafe"], "a bench needs verdicts its answers cannot forge"),
    (["--seeds", "0,429496"], "--seeds must lie in 0..429495"),
    (["--seeds", "-1"], "--seeds must lie in 0..429495"),
])
def test_bad_input_is_refused_before_any_work(tmp_path, args, message):
    out = tmp_path / "runs"
    base = ["bench", "--dataset", "humaneval", "--out", str(out), "--model", "openai/none"]
    token_cap_only = "--methods" in args and "--budget-tokens" in args
    budget = [] if args == [] or token_cap_only else ["--budget-calls", "2"]
    result = CliRunner().invoke(app, base + budget + args)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert not (out / "results.jsonl").exists()


@pytest.mark.parametrize("where", ["row", "trajectory"])
def test_a_full_disk_stops_the_bench_with_a_clear_message_and_keeps_what_was_written(tmp_path, monkeypatch, where):
    import errno

    from coderefine.bench.run import run_bench
    from coderefine.data.problem import Problem
    from sandbox import CallTest, Sandbox
    from scripted_llm import ScriptedLLM

    problems = [Problem(id=f"p{i}", statement="Return a + b.", entry_point="add", starter_code="def add(a, b):",
                        visible_tests=(CallTest(args=(1, 2), expected=3),),
                        hidden_tests=(CallTest(args=(2, 2), expected=4),)) for i in range(3)]
    store = ResultStore(tmp_path / "runs")
    real_append, appended = store.append, []

    def append(row):
        if appended:
            raise OSError(errno.ENOSPC, "No space left on device")
        appended.append(row)
        real_append(row)

    def save(traj, path):
        if "p1" in str(path):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_save(traj, path)

    if where == "row":
        monkeypatch.setattr(store, "append", append)
    else:
        from coderefine.types import Trajectory
        real_save = Trajectory.save
        monkeypatch.setattr(Trajectory, "save", save)
    llm = ScriptedLLM(["```python\ndef add(a, b):\n    return a + b\n```"] * 3)
    with Sandbox(backend="bwrap") as box, pytest.raises(BenchError, match="disk is full; 1 runs were saved"):
        run_bench(store, Setup("t", "scripted", Budget(calls=1)), [METHODS["zero-shot"]], problems, [0], llm, box,
                  ThreadExecutor(1))
    assert [r["problem"] for r in store.results()] == ["p0"]


def test_the_report_compares_seeds_on_the_same_problems():
    from coderefine.bench.report import _grid
    seed0 = {(f"p{i}", 0) for i in range(10)}
    assert _grid(seed0 | {("p0", 1), ("p1", 1)}) == ([f"p{i}" for i in range(10)], [0])
    both = _grid(seed0 | {(f"p{i}", 1) for i in range(6)})
    assert both == (sorted(f"p{i}" for i in range(6)), [0, 1])


def test_a_rows_visible_score_is_on_the_problems_own_visible_tests():
    """Stated examples that a method stood in for missing visible tests do not count as a visible pass."""
    from coderefine.bench.run import Job, result_row
    from coderefine.data.problem import Problem
    from coderefine.types import Candidate, Report, Trajectory
    from sandbox import CallTest
    setup = Setup("t", "scripted", Budget(calls=8))
    traj = Trajectory("p", "coderefine", "scripted", 0, candidates=[Candidate(0, "x", "sample", visible=Report(2, 2))],
                      final_index=0, hidden=Report(1, 1))
    for visible, expected in (((), (0, 0)), ((CallTest(args=(1,), expected=1),), (2, 2))):
        problem = Problem(id="p", statement="s", entry_point="f", starter_code="def f(x):", visible_tests=visible,
                          hidden_tests=(CallTest(args=(2,), expected=2),))
        row = result_row(Job(RunKey("coderefine", "p", 0), METHODS["coderefine"], problem, setup.budget), traj, setup)
        assert (row["visible_passed"], row["visible_total"]) == expected


def test_an_error_keeps_the_results_of_the_runs_in_flight():
    """The pool waits for the runs in flight anyway; their work is yielded before the error is raised."""
    import time

    def fn(x):
        if x == 0:
            raise RuntimeError("x")
        time.sleep(0.2 if x == 1 else 0)
        return x
    got = []
    with pytest.raises(RuntimeError, match="x"):
        for x in ThreadExecutor(2).map_unordered(fn, range(10)):
            got.append(x)
    assert got == [1]


@pytest.mark.timeout(30)   # a guard against the old search, not a speed target: it tried 2^20 subsets (minutes)
def test_the_grid_of_twenty_seeds_is_found_without_trying_every_subset_of_them():
    from coderefine.bench.report import _grid
    cells = {(f"p{i}", s) for i in range(164) for s in range(20)} - {("p3", 19), ("p9", 18)}
    problems, seeds = _grid(cells)
    assert (len(problems), seeds) == (162, list(range(20)))


def test_a_short_write_is_completed_not_left_torn(tmp_path, monkeypatch):
    import coderefine.bench.store as store_module
    real_write, writes = store_module.os.write, []

    def short_write(fd, data):
        writes.append(len(data))
        return real_write(fd, data[:len(data) // 2] if len(writes) == 1 else data)
    monkeypatch.setattr(store_module.os, "write", short_write)
    store = ResultStore(tmp_path)
    store.append({"method": "m", "problem": "p", "seed": 0})
    store.append({"method": "m", "problem": "p", "seed": 1})
    assert [r["seed"] for r in store.results()] == [0, 1]


def test_an_os_error_without_a_file_is_not_called_a_failed_write(tmp_path):
    import errno

    from coderefine.bench.run import run_bench
    from coderefine.data.problem import Problem
    from sandbox import CallTest

    class Failing:
        def map_unordered(self, fn, items):
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
    problem = Problem(id="p", statement="s", entry_point="f", starter_code="def f(x):", visible_tests=(),
                      hidden_tests=(CallTest(args=(2,), expected=2),))
    with pytest.raises(BenchError, match="^a run failed: Resource temporarily unavailable; 0 runs were saved"):
        run_bench(ResultStore(tmp_path), Setup("t", "scripted", Budget(calls=1)), [METHODS["zero-shot"]], [problem],
                  [0], None, None, Failing())


def test_a_report_of_a_folder_without_runs_is_refused(tmp_path):
    ResultStore(tmp_path).open(Setup("t", "m", Budget(calls=1)), {"p": "h"})
    result = CliRunner().invoke(app, ["bench", "report", str(tmp_path)])
    assert result.exit_code == 2 and "no finished runs yet" in result.output, result.output
    assert not (tmp_path / "report.md").exists()


def test_frontier_reads_only_the_selected_problems_and_seeds(tmp_path, monkeypatch):
    """A frontier folder reused for another difficulty or fewer seeds holds runs that are not this frontier's."""
    import coderefine.cli.bench as bench_cli
    store = ResultStore(tmp_path / "runs")
    store.open(Setup("humaneval", "m", Budget(calls=1)), {})
    row = json.loads((FIXTURE / "results.jsonl").read_bytes().split(b"\n")[0])
    for problem, seed, solved in [("a", 0, False), ("a", 1, True), ("b", 0, False), ("c", 1, False)]:
        store.append({**row, "problem": problem, "seed": seed, "solved": solved})
    monkeypatch.setattr(bench_cli, "_run", lambda *args, **kwargs: (["zero-shot"], ["a", "c"]))
    write = tmp_path / "frontier.txt"
    result = CliRunner().invoke(app, ["bench", "frontier", "--seeds", "0", "--out", str(tmp_path / "runs"),
                                      "--write", str(write)])
    assert result.exit_code == 0, result.output
    header, *ids = write.read_text().splitlines()
    assert ids == ["a"] and "seeds 0 (1 of 1 problems" in header
