"""Repository runs with a scripted model and the real sandbox: one function, a method, a bug that spans a
caller and its callee; and every kind of bad input refused before any model call, with nothing changed."""
import pytest

from coderefine.methods import METHODS
from coderefine.repo import RepoError
from coderefine.repo.apply import diff
from coderefine.repo.refine import Request, baseline, choose, optimise, prepare
from coderefine.repo.snapshot import relative, relative_item
from coderefine.repo.targets import TargetSpec
from coderefine.types import Budget
from git_repo import git, make_repo, write
from scripted_llm import ScriptedLLM

STATS = '''"""Statistics."""


def mean(values):
    return sum(values) / (len(values) + 1)


class Window:
    def __init__(self, size):
        self.size = size

    def last(self, values):
        return values[-self.size - 1:]
'''
SCALE = '''def normalize(values):
    top = sum(values)
    return [scale(v, top) for v in values]


def scale(value, top):
    return value * top
'''
TESTS = '''from mathx.stats import Window, mean
from mathx.scale import normalize


def test_mean():
    assert mean([1, 2, 3]) == 2


def test_window():
    assert Window(2).last([1, 2, 3]) == [2, 3]


def test_normalize():
    assert normalize([1, 2, 4]) == [0.25, 0.5, 1.0]


def test_normalize_ones():
    assert normalize([3, 3]) == [1.0, 1.0]
'''
FILES = {"mathx/__init__.py": "", "mathx/stats.py": STATS, "mathx/scale.py": SCALE, "tests/test_mathx.py": TESTS}
MEAN_FIX = "```python\ndef mean(values):\n    return sum(values) / len(values)\n```"
WINDOW_FIX = "```python\nclass Window:\n    def last(self, values):\n        return values[-self.size:]\n```"
BOTH_FIX = ("```python\ndef normalize(values):\n    top = max(values)\n    return [scale(v, top) for v in values]\n\n\n"
            "def scale(value, top):\n    return value / top\n```")
CODEREFINE = METHODS["coderefine"]


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo", FILES)


def refine(repo, box, replies, *, method=CODEREFINE, calls=3, **request):
    prepared = prepare(Request(root=repo, **request))
    result = baseline(prepared, box)
    chosen = choose(prepared, result)
    llm = ScriptedLLM(replies)
    return optimise(prepared, result, chosen, method, llm, box, Budget(calls=calls), seed=1), llm


def test_a_named_function_is_fixed_on_a_copy_and_the_diff_touches_only_it(repo, box):
    outcome, llm = refine(repo, box, [MEAN_FIX], target=TargetSpec("mathx/stats.py", "mean"),
                          tests=("tests/test_mathx.py::test_mean",))
    assert outcome.status == "fixed" and (outcome.before.passed, outcome.after.passed) == (0, 1)
    assert diff(outcome.changes) == ("--- a/mathx/stats.py\n+++ b/mathx/stats.py\n@@ -2,7 +2,7 @@\n \n \n"
                                     " def mean(values):\n-    return sum(values) / (len(values) + 1)\n"
                                     "+    return sum(values) / len(values)\n \n \n class Window:\n")
    assert (repo / "mathx/stats.py").read_text() == STATS          # nothing written without apply
    prompt = llm.calls[0]["messages"][-1]["content"]
    assert "assert mean([1, 2, 3]) == 2" in prompt and "E       assert 2.0 == 2" not in prompt
    assert "tests/test_mathx.py::test_mean" in prompt and "def mean(values):" in prompt


def test_a_method_is_fixed_inside_its_class_and_the_covering_tests_are_found_from_the_file(repo, box):
    outcome, _ = refine(repo, box, ["no code here", WINDOW_FIX, "critique"], target=TargetSpec("mathx/stats.py", "Window.last"))
    assert outcome.status == "improved"        # test_window passes now; the others of the file still fail
    assert outcome.changes[0].after == STATS.replace("values[-self.size - 1:]", "values[-self.size:]")


def test_a_bug_across_a_caller_and_its_callee_is_found_from_the_failures_and_fixed_in_one_step(repo, box):
    outcome, llm = refine(repo, box, [BOTH_FIX], tests=("tests/test_mathx.py::test_normalize",
                                                         "tests/test_mathx.py::test_normalize_ones"))
    assert [s.definition.where for s in outcome.variables] == ["mathx/scale.py::normalize", "mathx/scale.py::scale"]
    assert outcome.status == "fixed"
    assert outcome.changes[0].after == SCALE.replace("sum(values)", "max(values)").replace("value * top", "value / top")
    prompt = llm.calls[0]["messages"][-1]["content"]
    assert "give one short critique per function" in prompt and "1. `normalize` in `mathx/scale.py`" in prompt


def test_with_one_variable_only_the_most_suspect_function_may_change_and_the_two_line_bug_stays(repo, box):
    outcome, _ = refine(repo, box, [BOTH_FIX] * 3, tests=("tests/test_mathx.py::test_normalize",
                                                           "tests/test_mathx.py::test_normalize_ones"), functions=1)
    assert [s.definition.qualname for s in outcome.variables] == ["normalize"]
    assert outcome.status == "unchanged" and outcome.changes == []


def test_tests_that_already_pass_need_no_model(repo, box):
    write(repo, {"mathx/stats.py": STATS.replace("(len(values) + 1)", "len(values)")})
    prepared = prepare(Request(root=repo, tests=("tests/test_mathx.py::test_mean",)))
    assert baseline(prepared, box).report.complete


@pytest.mark.parametrize("request_args, message", [
    ({"target": TargetSpec("mathx/stats.py", "median")},
     "unknown function 'median' in mathx/stats.py (did you mean mean?); functions there: mean, Window.__init__"),
    ({"target": TargetSpec("mathx/missing.py", "f")}, "mathx/missing.py is not a file git tracks"),
    ({"target": TargetSpec("mathx/__init__.py", None)}, "no tests found for mathx/__init__.py"),
    ({"tests": ("tests/test_nothing.py",)}, "no tests found: tests/test_nothing.py is not a file git tracks"),
    ({"tests": ("mathx",)}, "no tests found: mathx holds no tracked test files"),
    ({}, "nothing to refine: give FILE::function, or --tests"),
    ({"tests": ("tests",), "limit_mb": 0.0001}, "tracked text files hold 0.0 MB, over the limit of 0.0001 MB"),
])
def test_bad_input_is_refused_before_the_tests_run(repo, request_args, message):
    with pytest.raises(RepoError) as caught:
        prepare(Request(root=repo, **request_args))
    assert message in str(caught.value)


def test_a_syntax_error_in_the_users_file_is_refused(repo):
    write(repo, {"mathx/stats.py": STATS.replace("def mean(values):", "def mean(values:")})
    with pytest.raises(RepoError, match=r"mathx/stats.py has a syntax error \(line \d+, column \d+"):
        prepare(Request(root=repo, target=TargetSpec("mathx/stats.py", "mean")))


def test_a_path_outside_the_repository_is_refused(repo, tmp_path):
    with pytest.raises(RepoError, match="is outside the repository"):
        relative(repo, tmp_path / "elsewhere.py")


def test_a_test_items_node_id_is_kept_as_written(repo, monkeypatch):
    monkeypatch.chdir(repo / "tests")
    assert relative_item(repo, "t.py::test_f[http://x.org/a/../b]") == "tests/t.py::test_f[http://x.org/a/../b]"
    assert relative_item(repo, "../mathx") == "mathx"


def test_a_new_file_not_yet_added_to_git_is_named(repo):
    write(repo, {"tests/test_new.py": "def test_x():\n    pass\n"})
    with pytest.raises(RepoError, match=r"tests/test_new.py is not a file git tracks .* \(new files must be added"):
        prepare(Request(root=repo, tests=("tests/test_new.py",)))


@pytest.mark.parametrize("tests, message", [
    (("tests/test_mathx.py::test_nope",), "no tests found: pytest collected no tests from tests/test_mathx.py::test_nope"),
    (("tests/test_broken.py",), "pytest could not collect tests/test_broken.py; fix that first:"),
    (("tests/test_skipped.py",), "no tests ran: pytest skipped all 2 test(s) collected from tests/test_skipped.py"),
])
def test_tests_that_collect_nothing_or_cannot_be_imported_are_refused(repo, box, tests, message):
    write(repo, {"tests/test_broken.py": "import not_installed_anywhere\n",
                 "tests/test_skipped.py": "import pytest\n\n\n@pytest.mark.skip\ndef test_s():\n    assert 0\n\n\n"
                                          "@pytest.mark.xfail\ndef test_x():\n    assert 0\n"})
    from git_repo import git
    git(repo, "add", "tests/test_broken.py", "tests/test_skipped.py")
    with pytest.raises(RepoError) as caught:
        baseline(prepare(Request(root=repo, tests=tests)), box)
    assert message in str(caught.value)


def test_a_file_without_a_function_limits_the_suspects_to_that_file(repo, box):
    prepared = prepare(Request(root=repo, target=TargetSpec("mathx/scale.py", None),
                               tests=("tests/test_mathx.py",)))
    chosen = choose(prepared, baseline(prepared, box))
    assert [s.definition.where for s in chosen] == ["mathx/scale.py::normalize", "mathx/scale.py::scale"]


def test_the_snapshot_skips_a_tracked_file_it_cannot_read_or_decode(repo, monkeypatch):
    from pathlib import Path

    from coderefine.repo.snapshot import NOT_TEXT, take
    write(repo, {"data.bin": "x"})
    (repo / "data.bin").write_bytes(b"\xff\xfe\x00")
    git(repo, "add", "data.bin")
    real = Path.read_bytes

    def locked(path):
        if path.name == "stats.py":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)
    monkeypatch.setattr(Path, "read_bytes", locked)
    snapshot = take(repo)
    assert snapshot.skipped == {"mathx/stats.py": "unreadable: Permission denied", "data.bin": NOT_TEXT}
    assert "mathx/scale.py" in snapshot.files


def test_a_target_left_out_of_the_copy_is_said_to_be_left_out_and_why(repo):
    (repo / "mathx/latin.py").write_bytes("def f():\n    return 'caf\xe9'\n".encode("latin-1"))
    git(repo, "add", "mathx/latin.py")
    with pytest.raises(RepoError, match=r"mathx/latin.py is tracked but was left out of the sandbox copy "
                                        r"\(binary, or text that is not UTF-8\)"):
        prepare(Request(root=repo, target=TargetSpec("mathx/latin.py", "f")))


@pytest.mark.parametrize("left_out, test", [
    ("tests/data.bin", "from pathlib import Path\n\n\ndef test_data():\n"
                       "    assert (Path(__file__).parent / 'data.bin').read_bytes()[:1] == b'\\x89'\n"),
    ("mathx/latin.py", "from mathx.latin import f\n\n\ndef test_f():\n    assert f()\n"),
])
def test_failures_that_come_from_a_file_left_out_of_the_copy_stop_before_the_model(repo, box, left_out, test):
    (repo / left_out).write_bytes("# caf\xe9\n\x89\ndef f():\n    return 1\n".encode("latin-1"))
    write(repo, {"tests/test_left_out.py": test})
    git(repo, "add", "-A")
    with pytest.raises(RepoError) as caught:
        baseline(prepare(Request(root=repo, tests=("tests/test_left_out.py",))), box)
    assert (f"the failing tests use files that were left out of the sandbox copy, so they fail there whatever "
            f"the code does: {left_out} (binary, or text that is not UTF-8)") in str(caught.value)


def test_a_name_defined_twice_means_the_definition_the_tests_run(repo, box):
    """Python binds the last `def` of a name: the first one is dead code, and the fix must go to the other."""
    write(repo, {"mathx/stats.py": STATS + "\n\ndef mean(values):\n    return sum(values) * len(values)\n"})
    git(repo, "add", "-A")
    prepared = prepare(Request(root=repo, target=TargetSpec("mathx/stats.py", "mean"),
                               tests=("tests/test_mathx.py::test_mean",)))
    [chosen] = choose(prepared, baseline(prepared, box))
    assert "* len(values)" in chosen.definition.text and chosen.why.startswith("called by the test")


def test_a_named_function_no_failing_test_runs_is_said_to_be_so(repo, box):
    prepared = prepare(Request(root=repo, target=TargetSpec("mathx/stats.py", "Window.last"),
                               tests=("tests/test_mathx.py::test_mean",)))
    [chosen] = choose(prepared, baseline(prepared, box))
    assert chosen.why == "named, but no failing test ran it: their failures may not come from it"


@pytest.mark.parametrize("test, said", [
    ("def test_mean(nothing_provides_this):\n    assert 0\n", "fixture 'nothing_provides_this' not found"),
    ("def test_mean():\n    import not_installed_anywhere\n    assert 0\n", "No module named 'not_installed_anywhere'"),
])
def test_tests_that_fail_before_they_reach_the_code_stop_before_the_model(repo, box, test, said):
    write(repo, {"tests/test_mathx.py": test})
    git(repo, "add", "-A")
    with pytest.raises(RepoError) as caught:
        baseline(prepare(Request(root=repo, tests=("tests/test_mathx.py",))), box)
    assert (f"the failing tests stop before they reach the code, on what no change to a function fixes: "
            f"tests/test_mathx.py::test_mean: {said}; fix the tests") in str(caught.value)


def test_a_module_the_code_itself_cannot_import_is_the_code_to_fix(repo, box):
    write(repo, {"mathx/stats.py": STATS.replace("    return sum(values)", "    import statistix\n    return sum(values)")})
    git(repo, "add", "-A")
    result = baseline(prepare(Request(root=repo, tests=("tests/test_mathx.py::test_mean",))), box)
    assert "No module named 'statistix'" in result.report.failures[0].exception
