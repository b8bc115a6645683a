from coderefine.extract import entry_name, extract_code

SOL = "class Solution:\n    def f(self, x):\n        return x + 1"


def test_fenced_block_with_prose():
    reply = f"Here is the fix:\n```python\n{SOL}\n```\nThis works because..."
    assert extract_code(reply, "Solution().f") == SOL


def test_unclosed_fence():
    assert extract_code(f"```python\n{SOL}\n", "Solution().f") == SOL


def test_bare_code_without_fence():
    assert extract_code("def g(a):\n    return a * 2\n", "g") == "def g(a):\n    return a * 2"


def test_prefers_block_defining_entry_point():
    reply = f"```python\nimport math\n```\nand\n```py\n{SOL}\n```"
    assert extract_code(reply, "Solution().f") == SOL


def test_skips_block_with_syntax_error():
    broken = "class Solution:\n    def f(self, x):\n        return (x +"
    reply = f"```python\n{broken}\n```\n```python\n{SOL}\n```"
    assert extract_code(reply, "Solution().f") == SOL


def test_none_when_entry_missing():
    assert extract_code("```python\ndef other():\n    pass\n```", "Solution().f") is None
    assert extract_code("I cannot solve this.", "f") is None


def test_entry_name():
    assert entry_name("Solution().maxScore") == "Solution.maxScore"
    assert entry_name("solve") == "solve"


def test_a_reply_cut_off_by_the_token_limit_still_yields_its_program():
    reply = "```python\ndef f(x):\n    return x\n\nprint(f([1, 2, 3, 1, 1, 1, 1"
    assert extract_code(reply, "f").strip() == "def f(x):\n    return x"
