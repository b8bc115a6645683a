"""`coderefine refine` and `coderefine hook` as a user meets them: a real litellm call to a local fake
server, the real sandbox, a real git repository; messages, exit codes, and files changed only when asked."""
import json
import os

import pytest
from typer.testing import CliRunner

from coderefine.cli import app
from coderefine.cli.output import Output
from coderefine.cli.refine import _Progress, show_outcome
from coderefine.repo.refine import Outcome
from coderefine.types import Candidate, Report, Trajectory
from git_repo import git, make_repo, write
from repo_server import ScriptedReplies

BUGGY = "def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n"
FIXED = BUGGY.replace("return a - b\n\n", "return a + b\n\n", 1)
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
FIX = "```python\ndef add(a, b):\n    return a + b\n```"
PATCH = ("--- a/calc.py\n+++ b/calc.py\n@@ -1,5 +1,5 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n"
         " \n \n def sub(a, b):\n")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", {"calc.py": BUGGY, "test_calc.py": TEST})
    monkeypatch.chdir(root)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("CODEREFINE_CACHE", str(tmp_path / "cache"))
    return root


def invoke(server, *args, calls="2"):
    return CliRunner().invoke(app, [*args, "--model", "openai/fake", "--api-base", server.api_base,
                                    "--backend", "bwrap", "--calls", calls])


def refused(result, server, *messages):
    assert result.exit_code == 2, result.output
    for message in messages:
        assert message in result.output, result.output
    assert "Traceback" not in result.output and not server.requests


def test_refine_prints_the_diff_and_the_tests_before_and_after_and_writes_nothing(repo):
    with ScriptedReplies([FIX]) as server:
        result = invoke(server, "refine", "calc.py::add")
    assert result.exit_code == 0, result.output
    assert PATCH in result.stdout and "tests: 0 of 1 pass now, 1 of 1 with this change" in result.stdout
    assert "not applied (give --apply to write it)" in result.stdout
    assert "untrusted verdicts: pytest runs the tests in the same process as the code under test" in result.stdout
    assert "the tests now: 0 of 1 tests pass" in result.stderr and "variable 1: calc.py::add" in result.stderr
    assert (repo / "calc.py").read_text() == BUGGY


def test_refine_apply_writes_the_fix_and_json_says_what_happened(repo):
    with ScriptedReplies([FIX]) as server:
        result = invoke(server, "refine", "--tests", "test_calc.py", "--apply", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["status"], document["applied"], document["files"]) == ("fixed", True, ["calc.py"])
    assert document["diff"] == PATCH and document["variables"][0]["function"] == "calc.py::add"
    assert document["untrusted"] and document["before"]["untrusted"] == document["after"]["untrusted"]
    assert (repo / "calc.py").read_text() == FIXED and git(repo, "diff", "--name-only") == "calc.py\n"


def test_apply_on_a_file_with_unstaged_changes_is_refused_before_any_model_call(repo):
    write(repo, {"calc.py": BUGGY + "# mine, not staged\n"})
    with ScriptedReplies([FIX]) as server:
        result = invoke(server, "refine", "calc.py::add", "--apply")
    refused(result, server, "calc.py has changes that are not staged", "git add calc.py")
    assert (repo / "calc.py").read_text() == BUGGY + "# mine, not staged\n"


class EditsDuringTheRun(ScriptedReplies):
    """The user edits (and stages) the file while the model works."""
    def __init__(self, replies, root):
        super().__init__(replies)
        self.root = root

    def answer(self, body):
        write(self.root, {"calc.py": BUGGY + "# edited meanwhile\n"})
        git(self.root, "add", "calc.py")
        return super().answer(body)


@pytest.mark.parametrize("as_json", [False, True])
def test_a_fix_that_can_no_longer_be_written_is_still_shown(repo, as_json):
    with EditsDuringTheRun([FIX], repo) as server:
        result = invoke(server, "refine", "calc.py::add", "--apply", *(["--json"] if as_json else []))
    assert result.exit_code == 2, result.output
    if as_json:
        error = json.loads(result.stdout)["error"]
        assert "calc.py changed since coderefine read it" in error["message"] and error["diff"] == PATCH
    else:
        assert PATCH in result.stdout and "not applied: calc.py changed since coderefine read it" in result.stdout
    assert (repo / "calc.py").read_text() == BUGGY + "# edited meanwhile\n"


def test_tests_that_pass_already_are_said_to_pass_and_no_model_is_asked(repo):
    write(repo, {"calc.py": FIXED})
    with ScriptedReplies([]) as server:
        result = invoke(server, "refine", "calc.py::add")
    assert result.exit_code == 0 and "all 1 selected tests pass already; nothing to fix" in result.stdout
    assert not server.requests


def test_no_fix_found_exits_1_and_changes_nothing(repo):
    with ScriptedReplies([FIX.replace("a + b", "a * b"), "It multiplies.", "no diff"]) as server:
        result = invoke(server, "refine", "calc.py::add", "--apply")
    assert result.exit_code == 1, result.output
    assert "no fix found: no candidate passed more than 0 of 1 tests (call budget spent)" in result.stdout
    assert (repo / "calc.py").read_text() == BUGGY


def test_a_run_a_limit_stopped_and_untrusted_verdicts_are_said_to_people_and_in_json(capsys):
    before = Report(0, 1, untrusted="shared process")
    stopped = Report(0, 1, error="killed: timeout (limit wall)", limit_hit="wall", untrusted="shared process")
    traj = Trajectory("repo", "coderefine", "m", 0, candidates=[Candidate(0, "", "rewrite", visible=stopped)],
                      stop_reason="call budget spent")
    outcome = Outcome(before=before, trajectory=traj)
    _Progress(Output())(traj)
    assert "candidate 0 (rewrite): tests 0/1  (stopped at the sandbox's wall limit)" in capsys.readouterr().err
    show_outcome(Output(), outcome, applied=False)
    shown = capsys.readouterr().out
    assert "limit hit: the sandbox's wall limit stopped 1 of 2 test runs" in shown
    assert "untrusted verdicts: shared process" in shown
    show_outcome(Output(json=True), outcome, applied=False)
    document = json.loads(capsys.readouterr().out)
    assert (document["limits_hit"], document["untrusted"]) == ({"wall": 1}, "shared process")


@pytest.mark.parametrize("args, message", [
    (["calc.py::ad"], "unknown function 'ad' in calc.py (did you mean add?); functions there: add, sub"),
    (["../elsewhere.py::f"], "is outside the repository"),
    (["calc.py::add", "--tests", "test_missing.py"], "no tests found: test_missing.py is not a file git tracks"),
    (["calc.py::add", "--tests", "test_calc.py::test_nothing"], "no tests found: pytest collected no tests"),
    (["calc.py::add", "--max-repo-mb", "0.0001"], "over the limit of 0.0001 MB"),
    (["calc.py::add", "--pytest-arg", "--no-such-flag"], "pytest refused to run (exit 4"),
    (["calc.py::add", "--speculation", "ngram"], "unknown speculation type 'ngram'"),
])
def test_bad_input_exits_2_with_a_clear_message_before_any_model_call(repo, args, message):
    with ScriptedReplies([]) as server:
        refused(invoke(server, "refine", *args), server, message)
    assert (repo / "calc.py").read_text() == BUGGY


@pytest.mark.parametrize("files, args, message", [
    ({"calc.py": "def add(a, b):\n    return a -\n"}, ["refine", "calc.py::add"], "calc.py has a syntax error"),
    ({"test_calc.py": "import not_installed_anywhere\n"}, ["refine", "--tests", "test_calc.py"],
     "pytest could not collect test_calc.py; fix that first"),
    ({"conftest.py": "raise RuntimeError('broken conftest')\n"}, ["hook", "calc.py"], "broken conftest"),
    ({"test_calc.py": "import pytest\n\n\n@pytest.mark.skip\ndef test_s():\n    assert 0\n"},
     ["refine", "--tests", "test_calc.py"], "no tests ran: pytest skipped all 1 test(s)"),
    ({}, ["refine", "calc.py::add", "--tests", "../t.py"], "is outside the repository"),
    ({}, ["hook", "../calc.py"], "is outside the repository"),
    ({}, ["hook", "calc.py", "--max-repo-mb", "0.0001"], "over the limit of 0.0001 MB"),
    ({}, ["hook", "calc.py", "--tests", "test_calc.py::test_nope"], "no tests found: pytest collected no tests"),
])
def test_broken_files_and_bad_paths_are_refused_with_exit_2_and_nothing_changes(repo, files, args, message):
    write(repo, files)
    git(repo, "add", "-A")
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    with ScriptedReplies([]) as server:
        result = invoke(server, *args)
    assert result.exit_code == 2 and message in result.output, result.output   # (pytest's own traceback may follow)
    assert "internal error" not in result.output and not server.requests
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts} == before


@pytest.mark.parametrize("covering_test, message", [
    ("import pytest\n\n\n@pytest.mark.skip\ndef test_s():\n    assert 0\n", "no tests ran: pytest skipped all 1 test(s)"),
    ("import pytest\n\npytest.importorskip('not_installed_anywhere')\n\n\ndef test_s():\n    assert 0\n",
     "no tests ran: pytest skipped all 1 test(s)"),
    ("import pytest\n\npytest.skip('not here', allow_module_level=True)\n\n\ndef test_s():\n    assert 0\n",
     "no tests ran: pytest skipped all 1 test(s)"),
    ("from calc import add\n", "no tests found: pytest collected no tests from test_calc.py"),
])
def test_the_hook_lets_a_commit_through_when_no_covering_test_runs(repo, covering_test, message):
    write(repo, {"test_calc.py": covering_test})
    git(repo, "add", "-A")
    with ScriptedReplies([]) as server:
        result = invoke(server, "hook", "calc.py")
        as_json = invoke(server, "hook", "calc.py", "--json")
    assert result.exit_code == 0 and message in result.output, result.output
    assert "nothing to check" in result.output and not server.requests
    document = json.loads(as_json.stdout)
    assert as_json.exit_code == 0 and document["status"] == "untested"
    assert document["reason"] == "no covering test ran (every one skipped, or none collected)"


@pytest.mark.parametrize("command", [["refine", "calc.py::add"], ["hook", "calc.py"]])
def test_a_missing_api_key_stops_failing_tests_before_any_call_and_never_blocks_passing_ones(repo, monkeypatch,
                                                                                            command):
    monkeypatch.delenv("OPENAI_API_KEY")
    args = [*command, "--model", "openai/gpt-4o", "--backend", "bwrap", "--apply"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3 and "needs OPENAI_API_KEY in the environment" in result.output, result.output
    assert "variable 1" not in result.output and (repo / "calc.py").read_text() == BUGGY
    write(repo, {"calc.py": FIXED})
    git(repo, "add", "calc.py")                     # the hook tests what the commit holds
    passing = CliRunner().invoke(app, args)
    assert passing.exit_code == 0 and "pass already" in passing.output, passing.output


def test_a_folder_outside_git_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with ScriptedReplies([]) as server:
        refused(invoke(server, "refine", "--tests", "t.py"), server, "is not inside a git repository")


def test_the_hook_passes_when_the_covering_tests_pass(repo):
    write(repo, {"calc.py": FIXED})
    git(repo, "add", "calc.py")
    with ScriptedReplies([]) as server:
        result = invoke(server, "hook", "calc.py")
    assert result.exit_code == 0 and "all 1 selected tests pass already" in result.stdout


def test_the_hook_proposes_a_fix_exits_1_and_writes_only_with_apply(repo):
    git(repo, "add", "calc.py")
    with ScriptedReplies([FIX]) as server:
        result = invoke(server, "hook", "calc.py")
    assert result.exit_code == 1 and PATCH in result.stdout and (repo / "calc.py").read_text() == BUGGY
    with ScriptedReplies([FIX]) as server:
        result = invoke(server, "hook", "calc.py", "--apply")
    assert result.exit_code == 1 and "applied to calc.py" in result.stdout
    assert (repo / "calc.py").read_text() == FIXED


def test_the_hook_checks_the_staged_files_or_the_configured_selection(repo):
    write(repo, {"notes.py": "X = 1\n"})
    git(repo, "add", "notes.py")
    with ScriptedReplies([]) as server:
        result = invoke(server, "hook")
    assert result.exit_code == 0 and "no tests cover the staged Python files" in result.stderr
    write(repo, {"pyproject.toml": '[tool.coderefine]\nhook_tests = ["test_calc.py"]\nhook_time_budget = 60\n'})
    with ScriptedReplies([FIX]) as server:
        result = invoke(server, "hook", "-v")
    assert result.exit_code == 1 and PATCH in result.stdout
    assert "hook_tests=('test_calc.py',) (" in result.stderr and "hook_time_budget=60.0 (" in result.stderr


def test_a_commit_without_python_changes_passes_at_once_even_with_configured_tests(repo):
    """The configured tests fail (calc.py is buggy), but a commit of notes cannot be what they fail on."""
    write(repo, {"pyproject.toml": '[tool.coderefine]\nhook_tests = ["test_calc.py"]\n', "NOTES.md": "x\n"})
    git(repo, "add", "NOTES.md", "pyproject.toml")
    with ScriptedReplies([]) as server:
        result = invoke(server, "hook", "NOTES.md", "pyproject.toml", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == {
        "status": "untested", "reason": "the commit changes no Python file", "files": ["NOTES.md", "pyproject.toml"]}
    assert server.requests == []


def test_the_hooks_time_budget_stops_the_search_with_the_best_so_far(repo):
    with ScriptedReplies([FIX.replace("a + b", "a * b")], stall=5) as server:
        result = invoke(server, "hook", "calc.py", "--time-budget", "2", calls="8")
    assert result.exit_code == 1, result.output
    assert "no fix found: no candidate passed more than 0 of 1 tests (time budget of 2 s spent)" in result.stdout


def test_a_bad_hook_setting_is_refused_naming_the_file(repo):
    write(repo, {"pyproject.toml": "[tool.coderefine]\nhook_time_budget = 0\n"})
    with ScriptedReplies([]) as server:
        refused(invoke(server, "hook", "calc.py"), server, "hook_time_budget = 0 from", "must be a number from 1")


def test_the_hook_run_by_hand_tests_the_staged_content_not_the_working_tree(repo):
    write(repo, {"calc.py": FIXED})
    git(repo, "commit", "-qam", "fixed")
    write(repo, {"calc.py": BUGGY})
    git(repo, "add", "calc.py")
    write(repo, {"calc.py": FIXED})                 # `git status`: MM calc.py; the commit would hold BUGGY
    with ScriptedReplies([FIX]) as server:
        result = invoke(server, "hook")
    assert result.exit_code == 1 and PATCH in result.stdout, result.output
    assert "the tests now: 0 of 1 tests pass" in result.stderr and (repo / "calc.py").read_text() == FIXED


def test_a_repository_over_the_size_limit_blocks_no_commit_that_no_test_covers(repo):
    write(repo, {"notes.py": "X = 1\n", "big.txt": "x" * 4096})
    git(repo, "add", "-A")
    with ScriptedReplies([]) as server:
        result = invoke(server, "hook", "notes.py", "--max-repo-mb", "0.001")
    assert result.exit_code == 0 and "no tests cover the staged Python files" in result.stderr, result.output


def test_a_renamed_module_runs_the_tests_that_still_import_its_old_name(repo):
    git(repo, "mv", "calc.py", "calc2.py")
    with ScriptedReplies([]) as server:
        result = invoke(server, "hook")
    assert result.exit_code == 2 and "pytest could not collect test_calc.py" in result.output, result.output


def test_a_tracked_file_whose_name_is_not_utf8_does_not_stop_the_hook(repo):
    (repo / os.fsdecode(b"caf\xe9.txt")).write_text("menu\n")
    write(repo, {"calc.py": FIXED})
    git(repo, "add", "-A")
    with ScriptedReplies([]) as server:
        result = invoke(server, "hook")
    assert result.exit_code == 0 and "all 1 selected tests pass already" in result.stdout, result.output


def test_the_undo_command_printed_after_apply_quotes_a_path_with_a_space(capsys):
    from coderefine.repo.apply import Change
    fixed = Report(1, 1)
    outcome = Outcome(before=Report(0, 1), after=fixed, changes=[Change("my calc.py", BUGGY, FIXED)],
                      trajectory=Trajectory("repo", "coderefine", "m", 0))
    show_outcome(Output(), outcome, applied=True)
    assert "`git checkout -- 'my calc.py'` undoes it" in capsys.readouterr().out
