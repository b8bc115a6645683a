"""Which tests run: a --tests selection checked against the tracked files, and the tests that cover changed
files (the hook's choice)."""
from pathlib import Path

import pytest

from coderefine.repo import RepoError
from coderefine.repo.selection import covering, expand, is_test_code
from coderefine.repo.snapshot import Snapshot

SNAPSHOT = Snapshot(Path("/r"), {
    "src/shop/cart.py": "", "src/shop/__init__.py": "", "util.py": "", "docs/guide.md": "",
    "tests/test_cart.py": "from shop.cart import Cart\n",
    "tests/test_pricing.py": "from shop import cart as c\n",
    "tests/test_other.py": "import util\n", "tests/helpers.py": "", "tests/unit/util_test.py": "",
})


def test_changed_code_is_covered_by_tests_named_after_it_or_importing_it():
    assert covering(SNAPSHOT, ["src/shop/cart.py"]) == ("tests/test_cart.py", "tests/test_pricing.py")
    assert covering(SNAPSHOT, ["util.py"]) == ("tests/test_other.py", "tests/unit/util_test.py")
    assert covering(SNAPSHOT, ["tests/test_cart.py", "docs/guide.md"]) == ("tests/test_cart.py",)
    assert covering(SNAPSHOT, ["src/shop/__init__.py"]) == ("tests/test_pricing.py",)


def test_a_folder_means_its_test_files_and_node_ids_are_kept():
    assert expand(SNAPSHOT, ["tests/unit/", "tests/test_cart.py::test_total[3]"]) == (
        "tests/unit/util_test.py", "tests/test_cart.py::test_total[3]")


def test_a_selection_of_nothing_tracked_is_refused():
    with pytest.raises(RepoError, match="no tests found: src holds no tracked test files"):
        expand(SNAPSHOT, ["src"])
    with pytest.raises(RepoError, match="no tests found: tests/test_gone.py is not a file git tracks"):
        expand(SNAPSHOT, ["tests/test_gone.py"])


@pytest.mark.parametrize("path, test_code", [("tests/helpers.py", True), ("python_testcases/node.py", True),
                                             ("pkg/conftest.py", True), ("pkg/check_test.py", True),
                                             ("pkg/testament.py", False), ("src/shop/cart.py", False)])
def test_test_code_is_never_a_variable(path, test_code):
    assert is_test_code(path) is test_code
