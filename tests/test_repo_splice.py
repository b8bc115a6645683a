"""A candidate's functions written back into their files: re-indented for their place, the rest untouched."""
import pytest

from coderefine.repo.problem import starter_code
from coderefine.repo.splice import SpliceError, add_imports, new_versions, splice
from coderefine.repo.targets import definitions, locate

SHAPES = '''"""Shapes."""
import math


class Square:
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * 2   # wrong

    def perimeter(self):
        return 4 * self.side
'''
HELPERS = '''def scale(values, k):
    def times(v):
        return v + k   # wrong
    return [times(v) for v in values]
'''
FILES = {"geo/shapes.py": SHAPES, "geo/helpers.py": HELPERS}


def variables():
    return [locate(SHAPES, "geo/shapes.py", "Square.area"), locate(HELPERS, "geo/helpers.py", "scale.times")]


def test_the_model_sees_each_variable_under_its_file_at_top_level_or_in_its_class():
    assert starter_code(variables()) == ("# geo/shapes.py\nclass Square:\n    def area(self):\n"
                                         "        return self.side * 2   # wrong\n\n"
                                         "# geo/helpers.py\ndef times(v):\n    return v + k   # wrong")


def test_both_functions_go_back_to_their_places_with_their_indentation():
    candidate = ("class Square:\n    def area(self):\n        return self.side ** 2\n\n"
                 "def times(v):\n    return v * k\n")
    changed = splice(FILES, new_versions(candidate, variables()), candidate)
    assert changed["geo/shapes.py"] == SHAPES.replace("self.side * 2   # wrong", "self.side ** 2")
    assert changed["geo/helpers.py"] == HELPERS.replace("        return v + k   # wrong", "        return v * k")


def test_code_shown_back_unchanged_changes_nothing_and_other_code_is_dropped():
    candidate = starter_code(variables()) + "\n\ndef helper():\n    return 1\n"
    assert new_versions(candidate, variables()) == {}
    assert splice(FILES, {}, candidate) == {}


def test_a_variable_the_candidate_leaves_out_stays_as_it_is():
    candidate = "def times(v):\n    return v * k\n"
    changed = splice(FILES, new_versions(candidate, variables()), candidate)
    assert list(changed) == ["geo/helpers.py"]


def test_new_imports_go_after_the_files_own_imports_and_only_those_the_new_code_uses():
    candidate = ("import functools\nimport pytest\nfrom itertools import accumulate as acc\nimport os.path\n"
                 "class Square:\n    def area(self):\n        return sum(acc([self.side] * 2)) + os.path.sep.count('/')\n"
                 "def test_area():\n    pytest.approx(1)\n")
    changed = splice(FILES, new_versions(candidate, variables()), candidate)
    assert changed["geo/shapes.py"].startswith('"""Shapes."""\nimport math\nfrom itertools import accumulate as acc\n'
                                               'import os.path\n\n\nclass Square:')


def test_imports_go_after_a_module_docstring_or_at_the_top():
    assert add_imports('"""Doc."""\nx = 1\n', "import os\n") == '"""Doc."""\nimport os\nx = 1\n'
    assert add_imports("x = 1\n", "import os\nfrom __future__ import annotations\n") == "import os\nx = 1\n"


def test_imports_go_below_a_shebang_and_an_encoding_line():
    top = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"
    assert add_imports(top + "x = 1\n", "import os\n") == top + "import os\nx = 1\n"
    assert add_imports(top + "\n# about x\nx = 1\n", "import os\n") == top + "import os\n\n# about x\nx = 1\n"
    assert add_imports(top + '"""Doc."""\nx = 1\n', "import os\n") == top + '"""Doc."""\nimport os\nx = 1\n'


def test_a_file_with_crlf_line_endings_keeps_them():
    """A candidate comes with LF: what it leaves as it was stays byte for byte, what it changes or adds gets
    the file's CRLF."""
    code = "import os\r\n\r\n\r\ndef f(x):\r\n    return x + 1\r\n\r\n\r\ndef g():\r\n    return 2\r\n"
    found = [locate(code, "m.py", name) for name in ("f", "g")]
    shown = starter_code(found).replace("\r\n", "\n")
    candidate = "import re\n" + shown.replace("return 2", "return re.escape('2')")
    changed = splice({"m.py": code}, new_versions(candidate, found), candidate)["m.py"]
    assert changed == code.replace("import os\r\n", "import os\r\nimport re\r\n").replace(
        "return 2", "return re.escape('2')")


def test_a_file_that_starts_with_a_byte_order_mark_is_edited_and_keeps_it_first():
    """Python skips a UTF-8 BOM; it is neither a syntax error nor the indentation of a first-line function,
    and new imports go after it."""
    code = "\ufeffdef f(x):\n    return x + 1\n"
    found = [locate(code, "m.py", "f")]
    assert found[0].indent == ""
    candidate = "import math\n\n\ndef f(x):\n    return math.floor(x)\n"
    changed = splice({"m.py": code}, new_versions(candidate, found), candidate)["m.py"]
    assert changed == "\ufeffimport math\ndef f(x):\n    return math.floor(x)\n"


def test_a_candidate_that_does_not_parse_is_refused():
    with pytest.raises(SpliceError, match="the candidate does not parse"):
        new_versions("def times(v):\n    return (v\n", variables())


def test_a_file_that_would_not_parse_is_refused():
    bad = locate(HELPERS, "geo/helpers.py", "scale.times")
    with pytest.raises(SpliceError, match="geo/helpers.py would not parse"):
        splice(FILES, {bad: "def times(v):\n        return (v"})


def test_methods_of_one_class_share_one_stub_in_the_order_of_the_file():
    code = ("class Item:\n    def a(self):\n        return 1\n\n    def b(self):\n        return 2\n\n\n"
            "class Cart:\n    def c(self):\n        return 3\n")
    found = [locate(code, "shop.py", name) for name in ("Cart.c", "Item.b", "Item.a")]
    shown = starter_code(found)
    assert shown == ("# shop.py\nclass Item:\n    def a(self):\n        return 1\n\n    def b(self):\n        return 2"
                     "\n\nclass Cart:\n    def c(self):\n        return 3")
    changed = shown.replace("return 2", "return 20").replace("return 3", "return 30")
    assert splice({"shop.py": code}, new_versions(changed, found), changed)["shop.py"] == \
        code.replace("return 2", "return 20").replace("return 3", "return 30")


def test_a_property_setter_is_written_back_from_the_setter_of_the_candidate():
    """Getter and setter share a name: the candidate's version is the one with the same first line."""
    code = ("class C:\n    @property\n    def x(self):\n        return self._x\n\n"
            "    @x.setter\n    def x(self, v):\n        self._x = -v\n")
    setter = [d for d in definitions(code, "c.py") if d.qualname == "C.x"][1]
    candidate = ("class C:\n    @property\n    def x(self):\n        return self._x\n\n"
                 "    @x.setter\n    def x(self, v):\n        self._x = v\n")
    assert splice({"c.py": code}, new_versions(candidate, [setter]), candidate)["c.py"] == code.replace("-v", "v")


def test_a_crlf_file_the_candidate_leaves_as_it_was_is_not_among_the_changed_files():
    found = [locate("def f(x):\r\n    return x + 1\r\n", "a.py", "f"), locate("def g():\r\n    return 2\r\n", "b.py", "g")]
    candidate = starter_code(found).replace("\r\n", "\n").replace("return 2", "return 3")
    assert list(new_versions(candidate, found)) == [found[1]]


TABS = ('class Square:\n\tdef area(self):\n\t\t"""Area.\n\t\tOf the square."""\n\t\tif self.side:\n'
        '\t\t\treturn self.side * 2   # wrong\n\t\treturn 0\n\n\tdef perimeter(self):\n\t\treturn 4 * self.side\n\n\n'
        'def double(x):\n\tfor _ in range(1):\n\t\tx = x + 1   # wrong\n\treturn x\n')


def test_a_file_indented_with_tabs_is_shown_with_spaces_and_keeps_its_tabs():
    """Code shown with a tab after the spaces of the class stub invites a model to retype a line with spaces
    that look the same, which Python refuses; a model writes spaces anyway, and the file gets tabs back."""
    found = [locate(TABS, "sq.py", name) for name in ("Square.area", "double")]
    shown = starter_code(found)
    assert shown == ('# sq.py\nclass Square:\n    def area(self):\n        """Area.\n\t\tOf the square."""\n'
                     '        if self.side:\n            return self.side * 2   # wrong\n        return 0\n\n'
                     'def double(x):\n    for _ in range(1):\n        x = x + 1   # wrong\n    return x')
    candidate = shown.replace("self.side * 2   # wrong", "self.side ** 2").replace("x + 1   # wrong", "x * 2")
    changed = splice({"sq.py": TABS}, new_versions(candidate, found), candidate)["sq.py"]
    assert changed == TABS.replace("self.side * 2   # wrong", "self.side ** 2").replace("x + 1   # wrong", "x * 2")


def test_a_tab_indented_definition_shown_back_unchanged_changes_nothing():
    found = [locate(TABS, "sq.py", name) for name in ("Square.area", "double")]
    tabs_again = "class Square:\n" + "\t" + found[0].text   # a model may answer with tabs too
    assert new_versions(starter_code(found), found) == {} and new_versions(tabs_again, found) == {}
