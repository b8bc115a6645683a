"""Locating functions with tree-sitter: top level, methods, nested definitions; and moving them between
indentation levels without touching the text of their strings."""
import pytest

from coderefine.repo import RepoError
from coderefine.repo.targets import TargetSpec, definitions, enclosing, locate, reindent, shown_source

SOURCE = '''import os


@decorate
def top(x):
    return x


class Shape:
    """A shape."""

    def area(self):
        doc = """first
    kept as written
"""
        return self.w * self.h

    class Corner:
        def angle(self):
            return 90


def outer(n):
    def inner(k):
        return k + n
    return inner(1)


if os.name == "posix":
    def posix_only():
        return 1
'''


def test_every_kind_of_definition_is_found_with_its_qualified_name():
    names = [d.qualname for d in definitions(SOURCE, "m.py")]
    assert names == ["top", "Shape.area", "Shape.Corner.angle", "outer", "outer.inner", "posix_only"]


def test_a_decorated_function_starts_at_its_decorator_as_python_counts_it():
    top = locate(SOURCE, "m.py", "top")
    assert top.line == 4 and top.text.startswith("@decorate\ndef top") and top.indent == ""


def test_a_method_is_shown_inside_its_class_and_a_nested_function_at_top_level():
    angle = locate(SOURCE, "m.py", "Shape.Corner.angle")
    assert angle.shown == "Shape.Corner.angle" and angle.classes == ("Shape", "Corner")
    assert shown_source(angle) == "class Shape:\n    class Corner:\n        def angle(self):\n            return 90"
    inner = locate(SOURCE, "m.py", "outer.inner")
    assert inner.shown == "inner" and shown_source(inner) == "def inner(k):\n    return k + n"


def test_the_lines_of_a_multi_line_string_keep_their_indentation():
    area = locate(SOURCE, "m.py", "Shape.area")
    moved = reindent(area.text, area.indent, "", area.string_rows)
    assert "    kept as written\n\"\"\"" in moved and moved.splitlines()[1] == '    doc = """first'
    assert reindent(moved, "", area.indent, area.string_rows) == area.text


def test_a_missing_function_lists_the_ones_that_exist():
    with pytest.raises(RepoError, match=r"unknown function 'Shape.aera' in m.py \(did you mean Shape.area or "
                                        r"Shape.Corner.angle\?\); functions there: top, Shape.area, "):
        locate(SOURCE, "m.py", "Shape.aera")


def test_a_file_with_a_syntax_error_is_refused_with_the_place():
    with pytest.raises(RepoError, match=r"m.py has a syntax error \(line 2"):
        locate("def f(x):\n    return x +\n\nprint(1)\n", "m.py", "f")


def test_the_innermost_definition_holds_a_line():
    found = definitions(SOURCE, "m.py")
    assert enclosing(found, 25).qualname == "outer.inner" and enclosing(found, 26).qualname == "outer"
    assert enclosing(found, 1) is None


@pytest.mark.parametrize("spec, parsed", [("a/b.py::f", ("a/b.py", "f")), ("a/b.py::C.m", ("a/b.py", "C.m")),
                                          ("a/b.py", ("a/b.py", None))])
def test_target_specs(spec, parsed):
    target = TargetSpec.parse(spec)
    assert (target.path, target.qualname) == parsed


def test_a_target_that_is_not_a_python_file_is_refused():
    with pytest.raises(RepoError, match="give a Python file"):
        TargetSpec.parse("README.md::f")
