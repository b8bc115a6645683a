import json

from coderefine.trajectory import Candidate, Score, Trajectory, Verdict, best_index
from coderefine.usage import Usage


def cand(i, passed, total=3, self_passed=0):
    return Candidate(index=i, code=f"# {i}", origin="x", visible=Score(passed, total),
                     selftest=Score(self_passed, 2), usage=Usage(llm_calls=1, prompt_tokens=5))


def test_best_keeps_best_not_last():
    assert best_index([cand(0, 1), cand(1, 3), cand(2, 2)]) == 1


def test_best_ties_go_to_selftests_then_earliest():
    assert best_index([cand(0, 2), cand(1, 2, self_passed=2), cand(2, 2, self_passed=2)]) == 1
    assert best_index([cand(0, 2), cand(1, 2)]) == 0
    assert best_index([]) is None


def test_usage_sums_and_save_roundtrip(tmp_path):
    traj = Trajectory("p", "m", "model", 7, candidates=[cand(0, 1), cand(1, 2)], final_index=1)
    traj.hidden = Verdict(5, 5)
    assert traj.usage.llm_calls == 2 and traj.usage.prompt_tokens == 10
    assert traj.hidden.solved and not Verdict(0, 0).solved
    path = tmp_path / "sub" / "t.json"
    traj.save(path)
    data = json.loads(path.read_text())
    assert data["final_index"] == 1 and data["usage"]["llm_calls"] == 2
    assert data["candidates"][1]["visible"] == {"passed": 2, "total": 3}
    assert not list(path.parent.glob("*.tmp"))
