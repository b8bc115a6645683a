"""Self-generated tests: parsing inputs, finding the oracle, labelling by agreement."""
import pytest

from coderefine.selftests import MISSING, argument_lists, entry_signature, fits, oracle_from, parse_inputs, score, vote
from sandbox import CallTest, Compare

REPLY = """```python
def add(a, b):
    return a - b

def add_brute(a, b):
    return sum([a, b])
```
```python
add(1, 2)
add([], 0)
add(1)          # wrong arity
add(x, 1)       # not a literal
add(1, 2)       # duplicate
```"""


def test_inputs_are_literal_calls_with_the_right_arity_and_no_duplicates():
    inputs = parse_inputs(REPLY, "add", "def add(a, b):")
    assert [t.args for t in inputs.tests] == [(1, 2), ([], 0)] and inputs.proposed == 5


def test_calls_of_the_oracle_named_after_the_entry_point_count_as_inputs():
    reply = ("```python\ndef brute_force_maximum(arr, k):\n    return sorted(arr)[-k:]\n\n"
             "print(brute_force_maximum([-3, -4, 5], 3))  # Output: [-4, -3, 5]\nbrute_force_maximum([1], 1)\n"
             "helper([2], 1)\n```")
    inputs = parse_inputs(reply, "maximum", "def maximum(arr, k):")
    assert [t.args for t in inputs.tests] == [([-3, -4, 5], 3), ([1], 1)] and inputs.proposed == 2


def test_calls_of_an_oracle_named_as_one_count_as_inputs():
    reply = ("```python\nclass Solution:\n    def spam(self, words, banned):\n        return True\n\n"
             "def reference_solution(words, banned):\n    return len(set(words) & set(banned)) > 1\n\n"
             "print(reference_solution([\"a\", \"b\"], [\"a\"]))  # False\nprint(reference_solution([], [\"a\"]))\n"
             "print(is_prime(7))\n```")
    inputs = parse_inputs(reply, "Solution().spam", "class Solution:\n    def spam(self, words, banned):")
    assert [t.args for t in inputs.tests] == [(["a", "b"], ["a"]), ([], ["a"])] and inputs.proposed == 2


def test_inputs_fit_the_signature_with_splats_and_keyword_only_parameters():
    def kept(starter, calls):
        return [(t.args, t.kwargs) for t in parse_inputs("\n".join(calls), "f", starter).tests]
    assert kept("def f(*nums: int) -> int:", ["f(1, 2, 3)", "f()", "f(n=1)"]) == [((1, 2, 3), {}), ((), {})]
    assert kept("def f(a, **opts: int):", ["f(1)", "f(1, b=2)", "f()", "f(1, a=2)"]) == [((1,), {}), ((1,), {"b": 2})]
    assert kept("def f(a, *, key, flag=False):", ["f(1, 2)", "f(1)", "f(1, key=2)", "f(a=1, key=2, flag=True)"]) \
        == [((1,), {"key": 2}), ((), {"a": 1, "key": 2, "flag": True})]
    assert kept("def f(a, b=2):", ["f(1)", "f(1, 2, 3)", "f(1, c=3)", "f(b=1)", "f(1, b=3)"]) \
        == [((1,), {}), ((1,), {"b": 3})]
    method = "class Solution:\n    def f(self, a: List[int], *rest: int) -> int:"
    assert [t.args for t in parse_inputs("Solution().f([1], 2, 3)\nf()", "Solution().f", method).tests] == [([1], 2, 3)]


def test_a_positional_only_parameter_passed_by_keyword_does_not_fit():
    def kept(starter, calls):
        return [(t.args, t.kwargs) for t in parse_inputs("\n".join(calls), "f", starter).tests]
    assert kept("def f(a, b, /, c):", ["f(1, 2, 3)", "f(1, 2, c=3)", "f(1, b=2, c=3)", "f(a=1, b=2, c=3)"]) \
        == [((1, 2, 3), {}), ((1, 2), {"c": 3})]
    method = "class Solution:\n    def f(self, a, /, b):"
    assert [t.kwargs for t in parse_inputs("f(1, b=2)\nf(a=1, b=2)", "Solution().f", method).tests] == [{"b": 2}]


SIGNATURES = ["a, b, /, c", "a, b=1, /, c=2, *, k, m=3, **kw", "a, /, **kw", "a=0, /, **kw", "a, /, *args, k=1",
              "a, *args, k", "*args: int, **kw: int", "a: int, b: int = 2", "*, k", "self, a, /, b"]
CALLS = [((), ()), ((1,), ()), ((1, 2), ()), ((1, 2, 3), ()), ((1, 2, 3, 4), ()), ((1,), ("a",)), ((1,), ("b",)),
         ((1, 2), ("c",)), ((1,), ("b", "c")), ((), ("a", "b", "c")), ((1, 2), ("k",)), ((1,), ("k",)),
         ((), ("k",)), ((1, 2), ("c", "k")), ((1,), ("c", "k")), ((1,), ("x",)), ((2,), ("a", "k"))]


@pytest.mark.parametrize("parameters", SIGNATURES)
def test_a_call_fits_the_signature_exactly_when_python_can_make_it(parameters):
    # the reference is a real call: inspect's bind() before Python 3.13 refuses `f(a=1)` for `def f(a=0, /, **kw)`
    namespace = {}
    exec(f"def f({parameters}): pass", namespace)
    signature = entry_signature("f", f"def f({parameters}): pass")
    own = (None,) * parameters.startswith("self")   # a method's `self`, which the signature does not count
    for args, keywords in CALLS:
        try:
            namespace["f"](*own, *args, **dict.fromkeys(keywords))
        except TypeError:
            binds = False
        else:
            binds = True
        assert fits(signature, CallTest(args=args, kwargs=dict.fromkeys(keywords))) == binds, (args, keywords)


def test_an_oracle_named_apart_is_bound_to_the_entry_point():
    code = oracle_from(REPLY, "add")
    namespace = {}
    exec(code, namespace)
    assert namespace["add"](2, 3) == 5


@pytest.mark.parametrize("reply", [
    "```python\ndef minimum(nums):\n    return min(nums)\n\nprint(minimum([3, 1]))\n```",
    "```python\ndef minimum_brute(nums):\n    return sorted(nums)[0]\n\ndef minimum(nums):\n    return nums[0]\n```",
    "```python\nclass Solution:\n    def minimum(self, nums):\n        return min(nums)\n```",
])
def test_a_leetcode_oracle_written_as_a_plain_function_is_bound_as_the_method(reply):
    """Asked for `Solution().minimum`, small models mostly write `def minimum(nums)`: 17 of 33 recorded LCD
    replies gave no oracle before."""
    namespace = {}
    exec(oracle_from(reply, "Solution().minimum"), namespace)
    assert namespace["Solution"]().minimum([4, 2, 9]) == 2


def test_a_brute_force_named_ref_is_the_oracle_and_a_prefix_helper_is_not():
    reply = ("```python\ndef prefix_sums(xs):\n    return xs\n\ndef total(xs):\n    return 0\n\n"
             "def total_ref(xs):\n    return sum(xs)\n```")
    namespace: dict = {}
    exec(oracle_from(reply, "Solution().total"), namespace)
    assert namespace["Solution"]().total([1, 2]) == 3


def test_test_calls_of_a_snake_case_stand_in_are_read():
    reply = "```python\ndef get_sneaky_numbers(nums):\n    return nums\n\nprint(get_sneaky_numbers([0, 1, 1, 0]))\n```"
    inputs = parse_inputs(reply, "Solution().getSneakyNumbers", STARTER_SNEAKY)
    assert [t.args for t in inputs.tests] == [([0, 1, 1, 0],)]


@pytest.mark.parametrize("reply, entry, call, answer", [
    # a helper whose name says "slow" about something else is no brute force; nor is a class
    ("```python\ndef slow_step(xs):\n    return xs[1:]\n\nclass BruteForce:\n    pass\n\n"
     "class Solution:\n    def middle(self, xs):\n        return xs[len(xs) // 2]\n```",
     "Solution().middle", "Solution().middle([1, 2, 3])", 2),
    # the entry point's own name is never its brute force, even when it holds an oracle word
    ("```python\ndef slowestKey(keys):\n    return keys[0]\n\ndef slowest_key_brute(keys):\n    return max(keys)\n```",
     "Solution().slowestKey", "Solution().slowestKey(['a', 'c', 'b'])", "c"),
    # of two brute forces, the one for the entry point
    ("```python\ndef brute_force_encode(s):\n    return s\n\ndef brute_force_decode(s):\n    return s[::-1]\n```",
     "decode", "decode('ab')", "ba"),
])
def test_the_brute_force_is_a_function_named_for_the_entry_point_first(reply, entry, call, answer):
    namespace: dict = {}
    exec(oracle_from(reply, entry), namespace)
    assert eval(call, namespace) == answer


STARTER_SNEAKY = "class Solution:\n    def getSneakyNumbers(self, nums: List[int]) -> List[int]:\n        "


def test_labels_need_two_agreeing_votes_and_a_strict_majority():
    exact = Compare()
    labels = vote([[1, 2, 3, MISSING, MISSING], [1, 5, 4, 7, MISSING], [1, 5, 9, MISSING, MISSING]], exact)
    assert [l.status for l in labels] == ["agreed", "agreed", "disputed", "single", "unknown"]
    assert (labels[1].value, labels[1].votes, labels[1].against) == (5, 2, 1)
    assert score([1, 2, 3, 7, 0], labels, exact) == (1, 2, [1])


def test_a_single_answer_judges_only_a_program_that_raised():
    labels = vote([[MISSING, 4], [3, 4]], Compare())
    assert [l.status for l in labels] == ["single", "agreed"]
    assert score([MISSING, 4], labels, Compare()) == (1, 2, [0])   # it raised where another program answered
    assert score([8, 4], labels, Compare()) == (1, 1, [])          # one program's 3 cannot overrule its 8


def test_demo_calls_after_the_oracle_are_dropped():
    reply = "```python\ndef f(xs):\n    return max(xs)\n\nprint(f([]))\nf([1])\nx = f([2])\n```"
    code = oracle_from(reply, "f")
    assert "print" not in code and "f([1])" not in code and "x = f([2])" in code


def test_of_two_brute_forces_the_first_defined_is_the_oracle_whatever_the_hash_seed():
    import subprocess
    import sys
    reply = ("```python\ndef decode_brute(s):\n    return s[::-1]\n\ndef encode_brute(s):\n    return s\n\n"
             "def decode(s):\n    return s\n```")
    probe = f"from coderefine.selftests import oracle_from; print(oracle_from({reply!r}, 'decode').splitlines()[-1])"
    chosen = {subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                             env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout.strip() for seed in range(6)}
    assert chosen == {"decode = decode_brute"}


def test_stated_examples_keep_only_values_the_statement_shows():
    from coderefine.stated import stated_examples
    statement = 'Example 1:\n    Input: arr = [-3, -4, 5], k = 3\n    Output: [-4, -3, 5]\nFor k = 0 the answer is "none".'
    reply = ("```python\nmaximum([-3, -4, 5], 3) == [-4, -3, 5]\nmaximum([-3,-4,5], 3) == [-4, -3, 5]\n"
             "maximum([1, 2], 1) == [2]\nprint(maximum([-3, -4, 5], 0)) == 'none'\nmaximum(x, 3) == []\nother([5], 3) == [5]\n```")
    examples = stated_examples(reply, "maximum", statement)
    # the invented [1, 2] example is dropped, the repeat too; quote style and spacing do not matter
    assert [(t.args, t.expected) for t in examples] == [(([-3, -4, 5], 3), [-4, -3, 5]), (([-3, -4, 5], 0), "none")]
    assert examples[0].name == "stated example 1"
    assert stated_examples("NONE", "maximum", statement) == ()
    # numbers count only whole: choose_num(12, 15) = 14 shows neither 1 nor 2
    prose = "For example: choose_num(12, 15) = 14 choose_num(13, 12) = -1"
    kept = stated_examples("choose_num(12, 15) == 14\nchoose_num(1, 1) == -1\nchoose_num(2, 2) == 2\n"
                           "choose_num(13, 12) == -1", "choose_num", prose)
    assert [t.args for t in kept] == [(12, 15), (13, 12)]


def test_stated_examples_need_the_input_shortly_before_the_output():
    from coderefine.stated import WINDOW, stated_examples
    statement = ("Example :\n    Input: n = 5\n    Output: 1\n    Explanation:\n    a = [1, 3, 7, 13, 21]\n"
                 "    The only valid triple is (1, 7, 13).")
    reply = "get_max_triples(5) == 1\nget_max_triples(7) == 3\nget_max_triples(1) == 5\nget_max_triples(3) == 7"
    # 7 and 3 both occur, but no 3 follows a 7. The rule cannot tell a list from an example: in the list a 7
    # follows a 3, so the invented (3) == 7 stays; (1) == 5 does not, as no 5 follows a 1 closely enough
    kept = stated_examples(reply, "get_max_triples", statement)
    assert [(t.args, t.expected) for t in kept] == [((5,), 1), ((3,), 7)]
    # the output must come after the input, and not too far after it
    assert stated_examples("f([1, 2, 3]) == 3", "f", "f([1, 2, 3]) returns the length") == ()
    assert stated_examples("f('ab') == 'ba'", "f", "f('ab') gives " + "x" * (WINDOW - 10) + " 'ba'") != ()
    assert stated_examples("f('ab') == 'ba'", "f", "f('ab') gives " + "x" * (WINDOW + 10) + " 'ba'") == ()
    assert stated_examples(f"f({'9' * 400}) == 1", "f", "f(9) gives 1") == ()   # beyond any float: not stated


def test_stated_examples_fit_the_signature():
    from coderefine.stated import stated_examples
    prose = "Example 1: f(2, 3) gives 5. Example 2: f(4) gives 8."
    reply = "f(2, 3) == 5\nf(4) == 8"
    assert [t.args for t in stated_examples(reply, "f", prose, "def f(a, b):")] == [(2, 3)]
    assert [t.args for t in stated_examples(reply, "f", prose, "def f(n):")] == [(4,)]


def test_an_expected_value_nested_deeper_than_a_result_may_be_is_no_example():
    from coderefine.data.literals import NotLiteral, expected_value
    from coderefine.stated import stated_examples
    deep = "[" * 110 + "]" * 110
    with pytest.raises(NotLiteral):
        expected_value(deep)
    assert stated_examples(f"f(4) == {deep}", "f", f"f(4) gives {deep}") == ()


def test_stated_examples_pair_an_input_with_its_own_output_only():
    """An input may not borrow the next example's output: another example starts in between."""
    from coderefine.stated import stated_examples
    prose = "Example 1: Input: n = 3. Output: 5. Example 2: Input: n = 4. Output: 8."
    kept = stated_examples("f(3) == 8\nf(3) == 5\nf(4) == 8", "f", prose)
    assert [(t.args, t.expected) for t in kept] == [((3,), 5), ((4,), 8)]
    doctest = ">>> double_it(3)\n6\n>>> double_it(4)\n8\n"
    assert [t.expected for t in stated_examples("double_it(3) == 8\ndouble_it(3) == 6", "double_it", doctest)] == [6]
    arrows = "count(3) \u279e 5\ncount(4) \u279e 8"   # the function's name starts the next example
    assert [t.args for t in stated_examples("count(3) == 8\ncount(4) == 8", "count", arrows)] == [(4,)]


def test_stress_values_are_read_as_calls_whatever_shape_the_model_returns():
    big, pairs = list(range(50)), [[0, 1]] * 40
    assert argument_lists([[big, pairs], [big, pairs]], (2, 2)) == [[big, pairs], [big, pairs]]   # as asked
    assert argument_lists([big, pairs], (2, 2)) == [[big, pairs]]       # one call's arguments, unwrapped
    assert argument_lists([10_000, pairs, pairs], (3, 3)) == [[10_000, pairs, pairs]]
    assert argument_lists([big], (1, 1)) == [[big]] and argument_lists([5, 10**5], (1, 1)) == [[5], [10**5]]
    assert argument_lists([big, big, big], (2, 2)) == [] and argument_lists("no", (1, 1)) == []
