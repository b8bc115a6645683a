"""Each method's control flow with a scripted LLM and the real sandbox: call counts, budget stops, the answer."""
import pytest

from coderefine.data.problem import Problem
from coderefine.loop import ProblemLoss, call_seed
from coderefine.methods import METHODS, UnknownMethod, get_method
from coderefine.types import Budget
from sandbox import CallTest
from scripted_llm import ScriptedLLM

WRONG = "```python\ndef add(a, b):\n    return a - b\n```"
HALF = "```python\ndef add(a, b):\n    return a + b if a else 0\n```"
RIGHT = "```python\ndef add(a, b):\n    return a + b\n```"


def problem(visible=((1, 2, 3), (0, 4, 4))):
    return Problem(id="add", statement="Return a + b.", entry_point="add", starter_code="def add(a, b):",
                   visible_tests=tuple(CallTest(args=(a, b), expected=c, name=f"example {i + 1}")
                                       for i, (a, b, c) in enumerate(visible)),
                   hidden_tests=())


def run(name, replies, box, budget=Budget(calls=8), visible=((1, 2, 3), (0, 4, 4)), seed=3):
    llm = ScriptedLLM(replies)
    p = problem(visible)
    traj = get_method(name).run(p, llm, ProblemLoss(p, box), budget, seed)
    return traj, llm


def test_every_method_opens_with_the_same_zero_shot_request(box):
    firsts = []
    for name in METHODS:
        replies = [RIGHT] + ["x"] * 20
        _, llm = run(name, replies, box)
        firsts.append(llm.calls[0])
    assert all(first == firsts[0] for first in firsts)
    assert firsts[0]["seed"] == call_seed(3, 0, 0) and firsts[0]["temperature"] == Budget().temperature


def test_zero_shot_is_one_call(box):
    traj, llm = run("zero-shot", [WRONG], box)
    assert len(llm.calls) == 1 and traj.final.code.endswith("a - b") and traj.stop_reason == "zero-shot"


def test_resample_raises_temperature_and_stops_at_a_pass(box):
    traj, llm = run("resample", [WRONG, HALF, RIGHT], box)
    assert [round(c["temperature"], 2) for c in llm.calls] == [0.3, 0.4, 0.5]
    assert len({c["seed"] for c in llm.calls}) == 3
    assert traj.stop_reason == "visible tests pass" and traj.final_index == 2


def test_coderefine_samples_are_resamples_requests(box):
    # far misses (0 of 2 visible) are not repaired: each further call is a fresh sample, and the k-th is
    # resample's k-th request, so the cache serves it once and the two methods stay paired
    _, resampled = run("resample", [WRONG] * 4, box, budget=Budget(calls=4))
    _, sampled = run("coderefine:expansions=0", [WRONG] * 4, box, budget=Budget(calls=4))
    assert [c["seed"] for c in sampled.calls] == [c["seed"] for c in resampled.calls]
    assert sampled.calls == resampled.calls


def test_resample_stops_at_the_budget_and_keeps_the_earliest_best(box):
    traj, llm = run("resample", [WRONG, HALF, WRONG, HALF], box, budget=Budget(calls=4))
    assert len(llm.calls) == 4 and traj.stop_reason == "call budget spent"
    assert traj.final_index == 1  # HALF passes 1 of 2; the later HALF ties and loses


def test_reflexion_spends_2_calls_per_round_and_returns_the_last(box):
    # B = 8: M = floor(7 / 2) + 1 = 4 implementations, 1 + 3 * 2 = 7 calls
    traj, llm = run("reflexion", [HALF, "r1", WRONG, "r2", WRONG, "r3", WRONG], box)
    assert len(llm.calls) == 7 and [c.role for c in traj.calls][:3] == ["solve", "reflect", "implement"]
    assert traj.final_index == 3 and traj.final.visible.passed == 0  # the last, not the best
    assert llm.calls[1]["temperature"] == 0.2
    implement = llm.calls[2]["messages"]
    assert [m["role"] for m in implement] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert implement[4]["content"] == "r1" and "# output: 0" in implement[3]["content"]


def test_reflexion_shows_the_statement_where_the_signature_lacks_it(box):
    # a LeetCode-style problem: the starter code is a stub, the task is in the statement
    _, llm = run("reflexion", [HALF, "r1", RIGHT], box)
    assert "Return a + b." in llm.calls[2]["messages"][-1]["content"]
    _, llm = run("reflexion", ["assert add(1, 1) == 2\n", WRONG, "r1", RIGHT], box, visible=())
    assert "Return a + b." in llm.calls[0]["messages"][-1]["content"]


def test_reflexion_generates_tests_when_there_are_none(box):
    tests = "assert add(1, 1) == 2\nassert add(2, 5) == 7\nassert add(2, 5) == 7\nassert nope(1) == 2\n"
    traj, llm = run("reflexion", [tests, WRONG, "r1", RIGHT], box, visible=())
    assert [c.role for c in traj.calls] == ["tests", "solve", "reflect", "implement"]
    assert traj.stats["generated_tests"] == 2 and traj.stop_reason == "tests pass"
    assert traj.final.selftest.passed == 2


def test_textgrad_spends_3_calls_per_iteration_and_returns_the_untested_last(box):
    # B = 8: K = floor(7 / 3) = 2 iterations, 7 calls; v0 passing does not stop it at i = 0
    update = "<IMPROVED_VARIABLE>def add(a, b):\n    return a - b</IMPROVED_VARIABLE>"
    traj, llm = run("textgrad", [RIGHT, "loss", "grad", update, "loss", "grad", update], box)
    assert [c.role for c in traj.calls] == ["solve", "loss", "gradient", "update"] * 1 + ["loss", "gradient", "update"]
    assert traj.final_index == 2 and traj.final.visible.passed == 0
    assert "(...)" not in llm.calls[2]["messages"][1]["content"]   # a program of 20 words or fewer is shown whole


def test_textgrad_critic_and_optimizer_see_only_the_first_and_last_ten_words(box):
    from coderefine.methods.textgrad import shortened
    assert shortened(" ".join(map(str, range(30)))) == "0 1 2 3 4 5 6 7 8 9 (...) 20 21 22 23 24 25 26 27 28 29"
    long = ("```python\ndef add(a, b):\n    # a comment long enough to make this program more than twenty words "
            "so that the replica must shorten it before its critic and optimizer see it\n    return a - b\n```")
    traj, llm = run("textgrad", [long, "loss", "grad", "no tags"], box, budget=Budget(calls=4))
    view = shortened(traj.candidates[0].code)
    assert "(...)" in view
    for call in llm.calls[2:4]:   # the gradient and the update name the variable by its shortened view
        assert f"<VARIABLE>{view}</VARIABLE>" in call["messages"][1]["content"]
    assert traj.candidates[0].code in llm.calls[1]["messages"][1]["content"]   # the evaluator reads it whole


def test_textgrad_stops_after_the_iteration_in_which_its_candidate_passed(box):
    update_right = "<IMPROVED_VARIABLE>def add(a, b):\n    return a + b</IMPROVED_VARIABLE>"
    traj, llm = run("textgrad", [WRONG, "l", "g", update_right, "l", "g", "no tags here"], box,
                    budget=Budget(calls=16))
    assert len(llm.calls) == 7 and traj.stop_reason == "visible tests pass"
    assert traj.final_index == 1 and traj.final.visible.complete


def test_textgrad_reads_an_update_to_its_end_when_the_closing_tag_is_missing(box):
    """As the original's `split(open)[1].split(close)[0]`: a reply cut off before the closing tag still
    carries the new code; only a reply without the opening tag keeps the previous one."""
    cut_off = "Here is the fix.\n<IMPROVED_VARIABLE>\ndef add(a, b):\n    return a + b\n"
    traj, llm = run("textgrad", [WRONG, "l", "g", cut_off, "l", "g", "no tags here"], box, budget=Budget(calls=7))
    assert "parse_failure" not in traj.stats and len(llm.calls) == 7
    assert traj.candidates[1].code == "def add(a, b):\n    return a + b" and traj.candidates[1].visible.complete
    assert traj.stop_reason == "visible tests pass" and traj.final_index == 1


@pytest.mark.parametrize("name", sorted(METHODS))
def test_a_reply_with_a_lone_surrogate_does_not_break_a_method(box, name):
    """JSON may carry `\\udcff`, which no parser or file encodes; every method still finishes its run."""
    broken = "```python\ndef add(a, b):\n    return a + b  # \udcff\n```"
    traj, _ = run(name, [broken] + [RIGHT] * 20, box)
    assert traj.candidates and "\udcff" not in traj.candidates[0].code


def test_unknown_method_suggests_names():
    with pytest.raises(UnknownMethod, match="did you mean textgrad"):
        get_method("textgard")
