import json

from coderefine.loop import best_index
from coderefine.types import CallRecord, Candidate, Report, Trajectory
from coderefine.llm.usage import Usage


def cand(i, passed, total=3, self_passed=0):
    return Candidate(index=i, code=f"# {i}", origin="x", visible=Report(passed, total),
                     selftest=Report(self_passed, 2))


def test_best_keeps_best_not_last():
    assert best_index([cand(0, 1), cand(1, 3), cand(2, 2)]) == 1


def test_best_ties_go_to_selftests_then_earliest():
    assert best_index([cand(0, 2), cand(1, 2, self_passed=2), cand(2, 2, self_passed=2)]) == 1
    assert best_index([cand(0, 2), cand(1, 2)]) == 0
    assert best_index([]) is None


def test_no_self_test_or_stress_input_judging_a_candidate_beats_failing_one():
    def judged(i, visible, selftest=(0, 0), stress=(0, 0), error=""):
        return Candidate(index=i, code=f"# {i}", origin="x", visible=Report(*visible),
                         selftest=Report(*selftest, error=error), stress=Report(*stress))
    assert best_index([judged(0, (2, 3), selftest=(0, 1)), judged(1, (2, 3))]) == 1
    assert best_index([judged(0, (0, 0), error="SyntaxError"), judged(1, (0, 0))]) == 1   # it did not load
    assert best_index([judged(0, (2, 3), stress=(0, 1)), judged(1, (2, 3))]) == 1
    assert best_index([judged(0, (2, 3), selftest=(1, 2)), judged(1, (2, 3), selftest=(1, 2))]) == 0
    # the visible tests still come first
    assert best_index([judged(0, (3, 3), selftest=(0, 1)), judged(1, (2, 3))]) == 0


def test_usage_sums_and_save_roundtrip(tmp_path):
    calls = [CallRecord("solve", 0.3, 1, Usage(llm_calls=1, prompt_tokens=5)) for _ in range(2)]
    traj = Trajectory("p", "m", "model", 7, candidates=[cand(0, 1), cand(1, 2)], calls=calls, final_index=1)
    traj.hidden = Report(5, 5)
    assert traj.usage.llm_calls == 2 and traj.usage.prompt_tokens == 10
    assert traj.hidden.complete and not Report(0, 0).complete
    path = tmp_path / "sub" / "t.json"
    traj.save(path)
    data = json.loads(path.read_text())
    assert data["final_index"] == 1 and data["usage"]["llm_calls"] == 2
    assert data["candidates"][1]["visible"] == {"passed": 2, "total": 3}
    assert not [p for p in path.parent.iterdir() if p.name != "t.json"]
