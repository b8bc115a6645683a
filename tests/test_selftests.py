"""Self-generated tests: parsing inputs, finding the oracle, labelling by agreement."""
from coderefine.selftests import MISSING, oracle_from, parse_inputs, score, vote
from sandbox import Compare

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


def test_an_oracle_named_apart_is_bound_to_the_entry_point():
    code = oracle_from(REPLY, "add")
    namespace = {}
    exec(code, namespace)
    assert namespace["add"](2, 3) == 5


def test_labels_need_two_agreeing_votes_and_a_strict_majority():
    exact = Compare()
    labels = vote([[1, 2, 3, MISSING], [1, 5, 4, 7], [1, 5, 9, MISSING]], exact)
    assert [l.status for l in labels] == ["agreed", "agreed", "disputed", "unknown"]
    assert (labels[1].value, labels[1].votes, labels[1].against) == (5, 2, 1)
    assert score([1, 2, 3, 7], labels, exact) == (1, 2, [1])
