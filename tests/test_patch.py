"""The step as a patch: the almost-right diffs small models write are repaired, placed by content, and
applied; what cannot apply says why."""
import pytest

from coderefine.patch import PatchError, apply_diff, diff_text, numbered, parse_diff, unchanged_body

CODE = ("def total(xs):\n"
        "    s = 0\n"
        "\n"
        "    for x in xs:\n"
        "        s -= x\n"
        "    return s\n")
FIXED = CODE.replace("s -= x", "s += x")
FIX = "@@ -5 +5 @@\n-        s -= x\n+        s += x\n"


def patched(reply: str) -> str:
    return apply_diff(CODE, parse_diff(diff_text(reply)))


def test_a_diff_with_wrong_line_numbers_and_counts_applies_where_its_lines_are():
    reply = "```diff\n@@ -40,9 +40,9 @@\n     for x in xs:\n-        s -= x\n+        s += x\n```"
    assert patched(reply) == FIXED


def test_line_numbers_copied_from_the_numbered_view_are_dropped():
    view = numbered(CODE).splitlines()
    assert view[4] == "5 |         s -= x"
    reply = f"```diff\n@@ -4,2 +4,2 @@\n {view[3]}\n-{view[4]}\n+5 |         s += x\n```"
    assert patched(reply) == FIXED


def test_a_hunk_indented_wrong_is_shifted_to_the_codes_indentation():
    reply = "```diff\n@@ -4,2 +4,2 @@\n for x in xs:\n-    s -= x\n+    s += x\n```"
    assert patched(reply) == FIXED


@pytest.mark.parametrize("context", [
    "     s = 0\n     for x in xs:\n",          # the blank line between them left out
    "     s = 0\n \n \n     for x in xs:\n",    # one blank line too many
])
def test_blank_lines_the_model_dropped_or_added_do_not_stop_a_hunk(context):
    reply = f"```diff\n@@ -2,4 +2,4 @@\n{context}-        s -= x\n+        s += x\n```"
    assert patched(reply) == FIXED


def test_a_hunk_whose_lines_are_not_in_the_code_is_refused_with_the_line():
    with pytest.raises(PatchError, match="not in the code .*s \\*= x"):
        patched("```diff\n@@ -5 +5 @@\n-        s *= x\n+        s += x\n```")


def test_a_diff_that_changes_nothing_is_refused():
    with pytest.raises(PatchError, match="changes nothing"):
        patched("```diff\n@@ -5 +5 @@\n-        s -= x\n+        s -= x\n```")


def test_a_diff_block_after_a_python_block_is_found():
    reply = ("The fixed function:\n```python\ndef total(xs):\n    return sum(xs)\n```\nAs a diff:\n"
             f"```diff\n{FIX}```\nThis fixes the sign.")
    assert patched(reply) == FIXED


def test_a_diff_outside_a_diff_block_ends_at_its_closing_fence():
    assert patched(f"```python\n{FIX}```\nThis fixes the sign.") == FIXED
    assert patched(f"```diff\n{FIX}```\nThis fixes the sign.".replace("\n", "\r\n")) == FIXED


@pytest.mark.parametrize("files", [("solution.py", "test_solution.py"), ("tests/test_total.py", "total.py")])
def test_hunks_for_a_test_file_are_left_out(files):
    test_edit = "@@ -1,2 +1,2 @@\n def test_total():\n-    assert total([1]) == -1\n+    assert total([1]) == 1\n"
    parts = [f"--- a/{name}\n+++ b/{name}\n{test_edit if 'test' in name else FIX}" for name in files]
    assert patched("```diff\n" + "".join(parts) + "```") == FIXED


def test_a_new_program_written_as_context_lines_is_that_program():
    reply = "```diff\n@@ -1,3 +1,3 @@\n def total(xs):\n     return sum(xs)\n```"
    assert unchanged_body(parse_diff(diff_text(reply)), CODE) == "def total(xs):\n    return sum(xs)"


def test_a_line_removed_and_added_back_around_a_window_is_no_program():
    """Recorded on LCD: `-x`/`+x` around the first lines of a method; the window, taken as the new program,
    lost the method's `return`."""
    reply = "```diff\n@@ -1,4 +1,4 @@\n def total(xs):\n-    s = 0\n+    s = 0\n\n     for x in xs:\n```"
    hunks = parse_diff(diff_text(reply))
    assert unchanged_body(hunks, CODE) is None
    with pytest.raises(PatchError, match="changes nothing"):
        apply_diff(CODE, hunks)


def test_a_program_that_leaves_a_line_out_is_a_program_not_a_window():
    reply = "```diff\n@@ -1,6 +1,4 @@\n def total(xs):\n     for x in xs:\n         s -= x\n     return s\n```"
    program = "def total(xs):\n    for x in xs:\n        s -= x\n    return s"
    assert unchanged_body(parse_diff(diff_text(reply)), CODE) == program


def test_a_program_that_only_moves_a_line_out_of_a_loop_is_a_program():
    code = "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n        return s\n"
    reply = "```diff\n@@ -1,5 +1,5 @@\n def total(xs):\n     s = 0\n     for x in xs:\n         s += x\n     return s\n```"
    assert unchanged_body(parse_diff(diff_text(reply)), code).endswith("\n    return s")
