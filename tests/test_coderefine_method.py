"""The coderefine method's parts with a scripted LLM and the real sandbox."""
import pytest

from coderefine.data.problem import Problem
from coderefine.loop import ProblemLoss
from coderefine.methods import get_method
from coderefine.types import Budget
from sandbox import CallTest, Limits
from scripted_llm import ScriptedLLM


def fence(code, lang="python"):
    return f"```{lang}\n{code}\n```"


CAPPED = fence("def add(a, b):\n    return a + b if a < 100 else 0")
RIGHT = fence("def add(a, b):\n    return a + b")
ORACLE = fence("def add(a, b):\n    return sum([a, b])")
WRONG = fence("def add(a, b):\n    return a - b")
HALF = fence("def add(a, b):\n    return a + b if a else 0")   # passes (1, 2), fails (0, 4): a near miss
TWO = ((1, 2, 3), (0, 4, 4))
BAD_ORACLE = fence("def add(a, b):\n    return a * b")
INPUTS = fence("add(1, 1)\nadd(200, 1)\nadd(0, 0)\nadd(1)\nadd(x, 2)")


def problem(visible=((1, 2, 3),), statement="Return a + b.", time_limit=2.0):
    return Problem(id="add", statement=statement, entry_point="add", starter_code="def add(a, b):",
                   visible_tests=tuple(CallTest(args=(a, b), expected=c, name=f"example {i + 1}")
                                       for i, (a, b, c) in enumerate(visible)), hidden_tests=(), time_limit=time_limit)


def run(replies, box, name="coderefine", budget=Budget(calls=8), visible=((1, 2, 3),), limits=None, **problem_fields):
    llm = ScriptedLLM(replies)
    p = problem(visible, **problem_fields)
    return get_method(name).run(p, llm, ProblemLoss(p, box, limits), budget, 0), llm


def test_self_tests_catch_a_visible_pass_and_a_fresh_sample_breaks_the_dispute(box):
    traj, llm = run([CAPPED, RIGHT + "\n" + INPUTS, ORACLE], box)
    assert [c.role for c in traj.calls] == ["solve", "tests", "sample"]
    assert traj.stats["selftests_proposed"] == 5 and traj.stats["selftests_parsed"] == 3  # arity and literals checked
    assert traj.stop_reason == "all tests pass"
    zero, sample = traj.candidates
    assert zero.visible.complete and zero.selftest.passed == 2 and zero.selftest.total == 3
    assert traj.final_index == 1 and sample.selftest.complete


def test_an_oracle_that_fails_a_visible_test_is_rejected(box):
    # the oracle multiplies: it fails the example, so it may not vote, and the inputs stay unlabelled
    traj, _ = run([RIGHT, BAD_ORACLE + "\n" + INPUTS, RIGHT], box, budget=Budget(calls=2))
    assert traj.candidates[0].selftest.total == 0
    assert traj.stats["selftests_agreed"] == 0
    # without validation the wrong oracle votes: it disputes add(1, 1) and add(200, 1), agrees on add(0, 0)
    traj, _ = run([RIGHT, BAD_ORACLE + "\n" + INPUTS], box, name="coderefine-no-validation", budget=Budget(calls=2))
    assert (traj.stats["selftests_disputed"], traj.stats["selftests_agreed"]) == (2, 1)


def test_a_quorum_samples_until_enough_programs_share_the_answers(box):
    # the oracle fails the example, so the capped zero-shot answer is the only vote: with no quorum it is final
    traj, _ = run([CAPPED, BAD_ORACLE + "\n" + INPUTS], box, name="coderefine:expansions=0")
    assert traj.stop_reason == "all tests pass" and traj.final_index == 0 and traj.usage.calls == 2
    # with a quorum of 2, a sample disputes add(200, 1), and a third program settles it
    traj, _ = run([CAPPED, BAD_ORACLE + "\n" + INPUTS, RIGHT, ORACLE], box, name="coderefine:expansions=0,quorum=2")
    assert [c.role for c in traj.calls] == ["solve", "tests", "sample", "sample"]
    assert traj.stop_reason == "all tests pass" and traj.final_index == 1 and traj.final.selftest.complete
    assert traj.stats["selftests_agreed"] == 3 and not traj.candidates[0].selftest.complete
    # a sample that agrees meets a quorum of 2 at once; a quorum of 3 needs one more
    traj, _ = run([RIGHT, BAD_ORACLE + "\n" + INPUTS, ORACLE], box, name="coderefine:expansions=0,quorum=2")
    assert [c.role for c in traj.calls] == ["solve", "tests", "sample"] and traj.stop_reason == "all tests pass"
    third = fence("def add(a, b):\n    return b + a")
    traj, _ = run([RIGHT, BAD_ORACLE + "\n" + INPUTS, ORACLE, third], box, name="coderefine:expansions=0,quorum=3")
    assert [c.role for c in traj.calls] == ["solve", "tests", "sample", "sample"] and traj.stop_reason == "all tests pass"
    # with no visible tests every program votes, and one that answers alone does not end the run
    traj, _ = run([RIGHT, INPUTS, ORACLE], box, name="coderefine:expansions=0,quorum=2", visible=())
    assert [c.role for c in traj.calls] == ["solve", "tests", "sample"] and traj.stop_reason == "all tests pass"


def test_the_statements_examples_stand_in_for_missing_visible_tests(box):
    p = Problem(id="add", statement="Return a + b. For example add(2, 3) gives 5.", entry_point="add",
                starter_code="def add(a, b):", visible_tests=(), hidden_tests=())
    stated = fence("add(2, 3) == 5\nadd(1, 1) == 2")   # the second is not in the statement
    llm = ScriptedLLM([WRONG, stated, RIGHT, ORACLE + "\n" + INPUTS])
    traj = get_method("coderefine:expansions=0,examples=on").run(p, llm, ProblemLoss(p, box), Budget(calls=8), 0)
    assert [c.role for c in traj.calls] == ["solve", "examples", "sample", "tests"]
    assert traj.stats["examples_stated"] == 1 and traj.candidates[0].visible.total == 1
    assert not traj.candidates[0].visible.complete and traj.final_index == 1 and traj.final.visible.complete
    assert traj.stop_reason == "all tests pass"
    assert traj.selftests[0]["status"] == "stated" and traj.selftests[0]["input"] == "2, 3"
    assert [t["status"] for t in traj.selftests[1:]] == ["agreed"] * 3   # the self tests follow


def test_a_planned_sample_is_asked_to_work_the_first_example_before_its_code(box):
    planned = "It returns a + b. Example 1: 1 + 2 = 3, as stated. O(1).\n" + RIGHT
    traj, llm = run([WRONG, planned, ORACLE + "\n" + INPUTS], box, name="coderefine:expansions=0,plan=on", visible=TWO)
    assert [c.role for c in traj.calls] == ["solve", "sample", "tests"] and traj.final_index == 1
    zero, sample = (call["messages"][-1]["content"] for call in llm.calls[:2])
    assert sample.startswith(zero) and "first example of the problem by hand" in sample[len(zero):]


def test_a_hinted_sample_sees_the_missed_example_but_no_code(box):
    traj, llm = run([WRONG, RIGHT, ORACLE + "\n" + INPUTS], box, name="coderefine:expansions=0,hint=on", visible=TWO)
    assert [c.role for c in traj.calls] == ["solve", "sample", "tests"] and traj.final_index == 1
    prompt = llm.calls[1]["messages"][-1]["content"]
    assert "expected: 3" in prompt and "it returned: -1" in prompt and "a - b" not in prompt
    assert traj.stats["sample_hinted"] == 1
    # without the option the sample's request is the zero-shot one
    traj, llm = run([WRONG, RIGHT, ORACLE + "\n" + INPUTS], box, name="coderefine:expansions=0", visible=TWO)
    assert llm.calls[1]["messages"] == llm.calls[0]["messages"]


def test_disputed_labels_are_dropped(box):
    traj, _ = run([CAPPED, RIGHT + "\n" + INPUTS], box, budget=Budget(calls=2))
    assert traj.stats["selftests_disputed"] == 1 and traj.stats["selftests_agreed"] == 2
    assert traj.stop_reason == "call budget spent" and traj.final.selftest.total == 2


def test_a_diff_with_shifted_line_numbers_applies(box):
    diff = fence("@@ -7,2 +7,2 @@\n def add(a, b):\n-    return a + b if a else 0\n+    return a + b", "diff")
    traj, llm = run([HALF, "Line 2 returns 0 when a is 0.", diff, ORACLE + "\n" + INPUTS], box, visible=TWO)
    assert [c.role for c in traj.calls] == ["solve", "critique", "patch", "tests"]
    child = traj.candidates[1]
    assert child.origin == "patch" and child.parent == 0 and child.patch and child.critique.startswith("Line 2")
    assert traj.stats["step_diff_applied"] == 1 and traj.stop_reason == "all tests pass"
    assert traj.final_index == 1 and traj.final.selftest.complete
    critique_prompt = llm.calls[1]["messages"][1]["content"]
    assert "2 | " in critique_prompt and "expected: 4" in critique_prompt  # numbered code, the failing case
    assert "add(1, 2) == 3" in critique_prompt  # the anchor it must keep passing


def test_a_far_miss_is_resampled_not_repaired(box):
    traj, _ = run([WRONG, RIGHT, ORACLE + "\n" + INPUTS], box, visible=TWO)
    assert [c.role for c in traj.calls] == ["solve", "sample", "tests"]
    assert traj.stop_reason == "all tests pass" and traj.final_index == 1


def test_a_broken_diff_falls_back_to_one_repair_turn(box):
    broken = fence("@@ -1,2 +1,2 @@\n def plus(x):\n-    return x\n+    return 1", "diff")
    traj, llm = run([HALF, "It drops a = 0.", broken, RIGHT, INPUTS], box, visible=TWO)
    assert [c.role for c in traj.calls] == ["solve", "critique", "patch", "repair", "tests"]
    assert "could not be applied" in llm.calls[3]["messages"][-1]["content"]
    assert traj.stats["step_failed"] == 1 and traj.stats["step_repaired"] == 1
    assert traj.final.origin == "repair" and traj.final.visible.complete


def test_anchors_prevent_a_regression(box):
    # the parent passes examples 1 and 4; the child fixes 2 and 3 but breaks 1: better on the visible tests,
    # it is never returned
    half = fence("def add(a, b):\n    return a + b if b < 5 else 0")
    better = fence("def add(a, b):\n    return a + b if b >= 5 or a > 1 else 0")
    traj, _ = run([half, "It drops large b.", better], box, budget=Budget(calls=3),
                  visible=((1, 2, 3), (1, 5, 6), (1, 6, 7), (2, 2, 4)))
    assert traj.stats["regressions"] == 1
    assert traj.candidates[1].visible.passed == 3 > traj.candidates[0].visible.passed
    assert traj.final_index == 0


def test_a_step_that_returns_a_program_we_hold_adds_no_candidate(box):
    half = "def add(a, b):\n    return a + b if a else 0"
    # the patch is the parent with a comment: the same program, which would be critiqued again from the start
    traj, _ = run([fence(half), "It drops a = 0.", fence(half + "  # handles a = 0")], box, visible=TWO,
                  budget=Budget(calls=3))
    assert traj.stats["step_unchanged"] == 1 and len(traj.candidates) == 1
    # the patch is an earlier candidate (the far-missing zero-shot answer, respaced): no new candidate either
    traj, _ = run([WRONG, fence(half), "It drops a = 0.", fence("def add(a,b):\n    return a-b\n\nprint(add(1, 2))")],
                  box, visible=TWO, budget=Budget(calls=4))
    assert [c.role for c in traj.calls] == ["solve", "sample", "critique", "patch"]
    assert traj.stats["step_repeated"] == 1 and len(traj.candidates) == 2


def test_an_oracle_that_is_a_candidate_does_not_vote_twice(box):
    capped = "def add(a, b):\n    return a + b if a < 100 else 0"
    # the oracle is the zero-shot program with another comment and without its demo call: not a second vote
    traj, _ = run([fence(capped + "\n\nprint(add(1, 2))"), fence("# brute force\n" + capped) + "\n" + INPUTS], box)
    assert "oracles" not in traj.stats and [t["status"] for t in traj.selftests] == ["single"] * 3
    # a sample that is the oracle's program takes over its vote: add(200, 1) stays disputed until a third program
    traj, _ = run([CAPPED, ORACLE + "\n" + INPUTS, ORACLE, RIGHT], box)
    assert [c.role for c in traj.calls] == ["solve", "tests", "sample", "sample"]
    assert traj.stop_reason == "all tests pass" and traj.final_index == 1
    assert [t["votes"] for t in traj.selftests] == [3, 2, 3]


def test_a_stress_failure_or_a_program_that_does_not_load_is_no_end_without_tests(box):
    slow = fence("def add(a, b):\n    while a > 1000:\n        pass\n    return a + b")
    stress = fence("def stress_inputs():\n    return [(100000, 1)]")
    traj, _ = run([slow, INPUTS, stress, RIGHT], box, name="coderefine:expansions=0", visible=(),
                  statement="Return a + b. Constraints: 1 <= a <= 10^5.", time_limit=1.0)
    zero = traj.candidates[0]
    assert zero.stress.total == 1 and [o.status for o in zero.stress.failures] == ["timeout"]
    assert [c.role for c in traj.calls] == ["solve", "tests", "stress", "sample"]
    assert traj.stop_reason == "all tests pass" and traj.final_index == 1
    broken = fence("import not_a_module\n\ndef add(a, b):\n    return a + b")
    traj, _ = run([broken, INPUTS, RIGHT], box, name="coderefine:expansions=0", visible=())
    assert "not_a_module" in traj.candidates[0].selftest.error and not traj.candidates[0].visible.error
    assert [c.role for c in traj.calls] == ["solve", "tests", "sample"] and traj.final_index == 1


def test_a_deadline_hit_on_a_self_input_is_no_visible_error(box):
    hangs = fence("def add(a, b):\n    while a > 100:\n        pass\n    return a + b")
    inputs = fence("\n".join(f"add({a}, 1)" for a in (1, 200, 300, 400)))
    traj, llm = run([hangs, ORACLE + "\n" + inputs, "It loops for a > 100.", "no diff"], box, budget=Budget(calls=4),
                    limits=Limits(wall=3.0), time_limit=1.0)
    zero = traj.candidates[0]
    assert zero.visible.complete and not zero.visible.error and "deadline" in zero.selftest.error
    critique_prompt = llm.calls[2]["messages"][1]["content"]
    assert "input: 200, 1" in critique_prompt and "(loading the program)" not in critique_prompt


def test_a_stress_generators_demo_call_is_dropped(box):
    stress = fence("def stress_inputs():\n    return [(100000, 1), (1, 100000)]\n\nprint(stress_inputs())")
    traj, _ = run([RIGHT, ORACLE + "\n" + INPUTS, stress], box, statement="Return a + b, with a, b <= 10^5.")
    assert traj.stats["stress_inputs"] == 2 and "stress_failed" not in traj.stats
    assert traj.stop_reason == "all tests pass" and traj.final.stress.complete


def test_the_budget_stops_the_run(box):
    wrongs = [fence(f"def add(a, b):\n    return a - b - {i}") for i in range(3)]
    traj, llm = run(wrongs, box, budget=Budget(calls=3))
    assert len(llm.calls) == 3 and traj.stop_reason == "call budget spent"
    assert traj.usage.calls == 3 and [c.role for c in traj.calls] == ["solve", "sample", "sample"]


def test_max_iters_bounds_the_steps_but_not_the_tests_call(box):
    wrongs = [fence(f"def add(a, b):\n    return a - b - {i}") for i in range(3)]
    traj, llm = run(wrongs, box, name="coderefine:expansions=0", budget=Budget(calls=8, max_iters=1))
    assert traj.stop_reason == "iteration budget spent" and [c.role for c in traj.calls] == ["solve", "sample"]
    traj, llm = run([CAPPED, RIGHT + "\n" + INPUTS, WRONG], box, budget=Budget(calls=8, max_iters=1))
    assert [c.role for c in traj.calls] == ["solve", "tests", "sample"] and traj.stop_reason == "iteration budget spent"


def test_without_self_tests_it_searches_on_visible_tests_alone(box):
    diff = fence("@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a + b if a else 0\n+    return a + b", "diff")
    traj, _ = run([HALF, "c", diff], box, name="coderefine-no-selftests", visible=TWO)
    assert [c.role for c in traj.calls] == ["solve", "critique", "patch"] and traj.stop_reason == "all tests pass"


def test_options_are_given_after_the_name(box):
    from coderefine.methods import UnknownMethod
    method = get_method("coderefine:beam=1,diffs=off")
    assert method.name == "coderefine:beam=1,diffs=off"
    traj, llm = run([HALF, "c", RIGHT], box, name="coderefine:beam=1,diffs=off,selftests=off", visible=TWO)
    assert [c.role for c in traj.calls] == ["solve", "critique", "rewrite"] and traj.final.visible.complete
    # one critique of the near miss, then fresh samples (the default allows two critiques of it)
    traj, _ = run([HALF, "c", "no diff", "still no program", RIGHT], box, name="coderefine:expansions=1,selftests=off",
                  visible=TWO)
    assert [c.role for c in traj.calls] == ["solve", "critique", "patch", "repair", "sample"]
    # no critiques at all: fresh samples only
    traj, _ = run([HALF, RIGHT], box, name="coderefine:expansions=0,selftests=off", visible=TWO)
    assert [c.role for c in traj.calls] == ["solve", "sample"] and traj.final.visible.complete
    for bad, message in (("coderefine:width=2", "key among"), ("coderefine:expansions=-1", ">= 0"), ("coderefine:beam=0", ">= 1"),
                         ("coderefine:diffs=maybe", "on or off"), ("zero-shot:beam=2", "takes no options")):
        with pytest.raises(UnknownMethod, match=message):
            get_method(bad)
