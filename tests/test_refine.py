"""The simple loop with a scripted LLM and the real sandbox."""
import pytest

from coderefine.data.problem import Problem
from coderefine.loop import ProblemLoss, call_seed, problem_text
from coderefine.methods import METHODS
from coderefine.prompts import describe
from coderefine.solve import solve_problem, solve_summary
from coderefine.types import Budget
from sandbox import CallTest
from scripted_llm import ScriptedLLM

WRONG = "```python\ndef add(a, b):\n    return a - b\n```"
HALF = "```python\ndef add(a, b):\n    return a + b if a else 0\n```"
RIGHT = "Fixed:\n```python\ndef add(a, b):\n    return a + b\n```"
SIMPLE = METHODS["simple-refine"]


def make_problem(hidden=((5, 6, 11), (0, 3, 3))):
    return Problem(id="add", statement="Return a + b.", entry_point="add", starter_code="def add(a, b):",
                   visible_tests=(CallTest(args=(1, 2), expected=3), CallTest(args=(0, 4), expected=4)),
                   hidden_tests=tuple(CallTest(args=(a, b), expected=c) for a, b, c in hidden))


def simple_refine(problem, llm, box, budget, seed):
    public = problem.public_view()
    return SIMPLE.run(public, llm, ProblemLoss(public, box), budget, seed)


def test_loop_refines_until_visible_tests_pass(box):
    llm = ScriptedLLM([WRONG, "critique: it subtracts", RIGHT])
    traj = simple_refine(make_problem(), llm, box, Budget(max_iters=3), seed=4)
    assert [c.visible.passed for c in traj.candidates] == [0, 2]
    assert traj.stop_reason == "visible tests pass" and traj.final_index == 1
    # the critique travels with the candidate it produced, which records its parent
    assert traj.candidates[1].critique == "critique: it subtracts" and traj.candidates[1].parent == 0
    assert "expected: 3" in describe(traj.candidates[0].visible)
    # every call got its own reproducible seed
    assert [c["seed"] for c in llm.calls] == [call_seed(4, 0, 0), call_seed(4, 1, 1), call_seed(4, 1, 2)]
    assert traj.usage.llm_calls == 3
    assert [c.role for c in traj.calls] == ["solve", "critique", "rewrite"]


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


def test_call_budget_stops_the_run(box):
    llm = ScriptedLLM([WRONG, "c1", WRONG, "c2", WRONG])
    traj = simple_refine(make_problem(), llm, box, Budget(calls=3), seed=0)
    assert len(llm.calls) == 3 and traj.usage.calls == 3
    assert traj.stop_reason == "call budget spent" and len(traj.candidates) == 2


def test_critique_and_rewrite_share_their_prefix(box):
    llm = ScriptedLLM([WRONG, "critique: it subtracts", RIGHT])
    simple_refine(make_problem(), llm, box, Budget(max_iters=1), seed=0)
    critique, rewrite = llm.calls[1]["messages"], llm.calls[2]["messages"]
    assert rewrite[:len(critique)] == critique
    assert llm.calls[0]["messages"][0] == critique[0]  # the same system text opens every call
    problem_block = llm.calls[0]["messages"][1]["content"].split("## Signature")[0]
    assert critique[1]["content"].startswith(problem_block)


def test_coderefine_critique_patch_and_repair_continue_one_chat_after_the_shared_problem(box):
    """What a local server can reuse: each turn about a candidate extends the previous request message by
    message, and every request of the run opens with the same system text and problem block."""
    broken = "```diff\n@@ -1,2 +1,2 @@\n def plus(x):\n-    return x\n+    return 1\n```"
    llm = ScriptedLLM([HALF, "It drops a = 0.", broken, RIGHT, "```python\nadd(1, 1)\nadd(0, 0)\n```"])
    public = make_problem().public_view()
    traj = METHODS["coderefine"].run(public, llm, ProblemLoss(public, box), Budget(calls=5), 0)
    assert [c.role for c in traj.calls] == ["solve", "critique", "patch", "repair", "tests"]
    solve, critique, patch, repair, tests = (call["messages"] for call in llm.calls)
    assert patch[:len(critique)] == critique and repair[:len(patch)] == patch
    shared = problem_text(public) + "\n"     # statement and signature, byte for byte
    for messages in (solve, critique, tests):
        assert messages[0] == solve[0] and messages[1]["content"].startswith(shared)


def test_method_never_sees_hidden_tests_and_judge_runs_once(box):
    llm = ScriptedLLM([RIGHT])
    seen = []
    traj = solve_problem(make_problem(hidden=((5, 6, 11), (2, 2, 5))), SIMPLE, llm, box, Budget(max_iters=2),
                         seed=1, on_step=lambda t: seen.append(t.hidden))
    assert all(h is None for h in seen[:-1])  # no verdict exists while the method runs
    assert (traj.hidden.passed, traj.hidden.total, traj.hidden.complete) == (1, 2, False)
    assert traj.problem_hash == make_problem(hidden=((5, 6, 11), (2, 2, 5))).digest()
    assert traj.problem_hash != make_problem().digest()
    summary = solve_summary(traj)
    assert summary["final"]["hidden_total"] == 2 and summary["final"]["solved"] is False
    assert summary["iterations"][0]["visible_passed"] == 2
    assert set(summary["usage"]) >= {"llm_calls", "prompt_tokens", "completion_tokens"}
    assert "11" not in str(llm.calls) and "(2, 2)" not in str(llm.calls)


def test_a_method_refuses_a_problem_with_hidden_tests(box):
    with pytest.raises(ValueError, match="hidden"):
        SIMPLE.run(make_problem(), ScriptedLLM([]), ProblemLoss(make_problem(), box), None, 0)
