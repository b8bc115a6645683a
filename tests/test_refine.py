"""The simple loop with a scripted LLM and the real sandbox."""
import pytest

from coderefine.problem import Problem
from coderefine.refine import Budget, call_seed, simple_refine
from coderefine.solve import solve_problem, solve_summary
from sandbox import CallTest, Sandbox
from scripted_llm import ScriptedLLM

WRONG = "```python\ndef add(a, b):\n    return a - b\n```"
HALF = "```python\ndef add(a, b):\n    return a + b if a else 0\n```"
RIGHT = "Fixed:\n```python\ndef add(a, b):\n    return a + b\n```"


@pytest.fixture(scope="module")
def box():
    with Sandbox(backend="bwrap") as sandbox:
        yield sandbox


def make_problem(hidden=((5, 6, 11), (0, 3, 3))):
    return Problem(id="add", statement="Return a + b.", entry_point="add", starter_code="def add(a, b):",
                   visible_tests=(CallTest(args=(1, 2), expected=3), CallTest(args=(0, 4), expected=4)),
                   hidden_tests=tuple(CallTest(args=(a, b), expected=c) for a, b, c in hidden))


def test_loop_refines_until_visible_tests_pass(box):
    llm = ScriptedLLM([WRONG, "critique: it subtracts", RIGHT])
    traj = simple_refine(make_problem(), llm, box, Budget(max_iters=3), seed=4)
    assert [c.visible.passed for c in traj.candidates] == [0, 2]
    assert traj.stop_reason == "visible tests pass" and traj.final_index == 1
    assert traj.candidates[0].critique == "critique: it subtracts"
    assert "expected: 3" in traj.candidates[0].failures
    # every call got its own reproducible seed
    assert [c["seed"] for c in llm.calls] == [call_seed(4, 0, 0), call_seed(4, 1, 1), call_seed(4, 1, 2)]
    assert traj.usage.llm_calls == 3


def test_loop_returns_best_not_last(box):
    llm = ScriptedLLM([HALF, "c1", WRONG])
    traj = simple_refine(make_problem(), llm, box, Budget(max_iters=1), seed=0)
    assert [c.visible.passed for c in traj.candidates] == [1, 0]
    assert traj.final_index == 0 and traj.stop_reason == "iteration budget spent"


def test_reply_without_code_gets_one_reminder(box):
    llm = ScriptedLLM(["I would use addition.", RIGHT])
    traj = simple_refine(make_problem(), llm, box, Budget(max_iters=2), seed=0)
    assert len(llm.calls) == 2 and "did not contain a complete program" in llm.calls[1]["messages"][-1]["content"]
    assert traj.candidates[0].visible.passed == 2


def test_method_never_sees_hidden_tests_and_judge_runs_once(box):
    llm = ScriptedLLM([RIGHT])
    seen = []
    traj = solve_problem(make_problem(hidden=((5, 6, 11), (2, 2, 5))), llm, box, Budget(max_iters=2), seed=1,
                         on_step=lambda t: seen.append(t.hidden))
    assert all(h is None for h in seen[:-1])  # no verdict exists while the method runs
    assert (traj.hidden.passed, traj.hidden.total, traj.hidden.solved) == (1, 2, False)
    summary = solve_summary(traj)
    assert summary["final"]["hidden_total"] == 2 and summary["final"]["solved"] is False
    assert summary["iterations"][0]["visible_passed"] == 2
    assert set(summary["usage"]) >= {"llm_calls", "prompt_tokens", "completion_tokens"}
    assert "11" not in str(llm.calls) and "(2, 2)" not in str(llm.calls)
