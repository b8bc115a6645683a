"""Which tests run: a --tests selection checked against the tracked files, and the tests that cover changed
files, deleted and renamed ones included (the hook's choice)."""
from pathlib import Path

import pytest

from pre_commit.clientlib import load_manifest

from coderefine.repo import RepoError
from coderefine.repo.hook import changed_files, hook_selection
from coderefine.repo.selection import covering, expand, is_test_code
from coderefine.repo.snapshot import Snapshot, tracked
from git_repo import git, make_repo, write

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


@pytest.mark.parametrize("path", ["contest/solve.py", "latest/api.py", "attestation/sign.py", "src/testament/x.py"])
def test_a_folder_whose_name_merely_holds_test_is_the_codes_own(path):
    assert is_test_code(path) is False


@pytest.mark.parametrize("path", ["test/x.py", "testing/x.py", "unit_tests/x.py", "test_utils/x.py", "it-test/x.py"])
def test_a_folder_named_for_tests_holds_test_code(path):
    assert is_test_code(path) is True


def test_multi_line_and_relative_imports_cover_the_module():
    snapshot = Snapshot(Path("/r"), {
        "shop/cart.py": "", "shop/tests/__init__.py": "",
        "tests/test_multi.py": "from shop import (\n    cart,\n)\n",
        "shop/tests/test_relative.py": "from .. import cart\n",
        "shop/tests/test_dotted.py": "def test_x():\n    from ..cart import Cart\n",
        "shop/tests/test_sibling.py": "from . import cart\n",          # shop.tests.cart: not this module
        "tests/test_text.py": "s = '''\nimport shop.cart\n'''\n",      # not an import
    })
    assert covering(snapshot, ["shop/cart.py"]) == (
        "tests/test_multi.py", "shop/tests/test_relative.py", "shop/tests/test_dotted.py")


def test_a_changed_conftest_covers_every_test_file_in_its_folder_and_below():
    snapshot = Snapshot(Path("/r"), {"tests/conftest.py": "", "tests/test_a.py": "", "tests/unit/test_b.py": "",
                                     "other/test_c.py": "", "conftest.py": ""})
    assert covering(snapshot, ["tests/conftest.py"]) == ("tests/test_a.py", "tests/unit/test_b.py")
    assert covering(snapshot, ["conftest.py"]) == ("tests/test_a.py", "tests/unit/test_b.py", "other/test_c.py")


def test_the_hook_counts_deletions_and_the_old_name_of_a_rename(tmp_path):
    root = make_repo(tmp_path / "r", {"calc.py": "X = 1\n", "old.py": "Y = 1\n", "notes.py": "Z = 1\n",
                                      "test_calc.py": "import calc\n"})
    git(root, "mv", "calc.py", "calc2.py")
    git(root, "rm", "-q", "old.py")
    write(root, {"notes.py": "Z = 2\n"})
    git(root, "add", "notes.py")
    assert changed_files(root) == ["calc2.py", "notes.py", "calc.py", "old.py"]
    assert changed_files(root, ["calc2.py"]) == ["calc2.py", "calc.py", "old.py"]   # what pre-commit passes
    assert hook_selection(tracked(root, staged=True), [], changed_files(root)) == ("test_calc.py",)


def test_pre_commit_runs_the_hook_for_a_commit_with_no_python_file_to_pass():
    """pre-commit passes no deleted files, and skips a hook that matches no file unless it runs always."""
    (hook,) = load_manifest(str(Path(__file__).parent.parent / ".pre-commit-hooks.yaml"))
    assert hook["always_run"] is True and hook["pass_filenames"] is True
