"""Writing a fix: atomically, with the file's mode kept, never over a file that changed since it was read,
and only where git's index holds the current content (so git can undo the fix)."""
import os

import pytest

from coderefine.repo import RepoError
from coderefine.repo.apply import Change, apply_changes, check_staged
from git_repo import git, make_repo, write

OLD = "def f():\n    return 1\n"
NEW = "def f():\n    return 2\n"


@pytest.fixture
def repo(tmp_path):
    root = make_repo(tmp_path / "repo", {"pkg/m.py": OLD, "pkg/n.py": OLD, "run.py": OLD})
    (root / "run.py").chmod(0o755)
    git(root, "add", "run.py")
    return root


def test_the_fix_is_written_with_the_files_mode_and_no_temporary_file_left(repo):
    apply_changes(repo, [Change("run.py", OLD, NEW), Change("pkg/m.py", OLD, NEW)])
    assert (repo / "run.py").read_text() == NEW and (repo / "pkg/m.py").read_text() == NEW
    assert (repo / "run.py").stat().st_mode & 0o777 == 0o755
    assert sorted(p.name for p in (repo / "pkg").iterdir()) == ["m.py", "n.py"]
    git(repo, "checkout", "--", "run.py", "pkg/m.py")                 # git undoes it
    assert (repo / "run.py").read_text() == OLD


def test_a_file_changed_since_it_was_read_stops_the_whole_fix_before_any_write(repo):
    write(repo, {"pkg/n.py": OLD + "# edited meanwhile\n"})
    git(repo, "add", "pkg/n.py")
    with pytest.raises(RepoError, match="pkg/n.py changed since coderefine read it; nothing was written"):
        apply_changes(repo, [Change("pkg/m.py", OLD, NEW), Change("pkg/n.py", OLD, NEW)])
    assert (repo / "pkg/m.py").read_text() == OLD


def test_unstaged_changes_are_never_mixed_with_a_fix(repo):
    edited = OLD + "# not staged\n"
    write(repo, {"pkg/m.py": edited})
    with pytest.raises(RepoError, match=r"pkg/m.py has changes that are not staged; .*git add pkg/m.py"):
        apply_changes(repo, [Change("pkg/m.py", edited, NEW)])
    assert (repo / "pkg/m.py").read_text() == edited


def test_staged_files_pass_the_early_check_and_unstaged_ones_are_named(repo):
    check_staged(repo, ["pkg/m.py", "run.py"])
    write(repo, {"pkg/n.py": OLD + "# not staged\n"})
    with pytest.raises(RepoError, match="pkg/n.py has changes that are not staged"):
        check_staged(repo, ["pkg/m.py", "pkg/n.py"])


def test_a_path_is_a_file_name_not_a_pattern(tmp_path):
    """`pkg/m[1].py` is checked as itself: the unstaged change in `pkg/m1.py`, which it matches as a glob, is
    not its own."""
    root = make_repo(tmp_path / "repo", {"pkg/m[1].py": OLD, "pkg/m1.py": OLD})
    write(root, {"pkg/m1.py": OLD + "# not staged\n"})
    check_staged(root, ["pkg/m[1].py"])
    apply_changes(root, [Change("pkg/m[1].py", OLD, NEW)])
    assert (root / "pkg/m[1].py").read_text() == NEW


def test_a_path_git_cannot_compare_is_said_so_not_called_unstaged(repo):
    with pytest.raises(RepoError, match=r"git could not compare \.\./m\.py with its index \(fatal: .*outside "
                                        r"repository.*\); nothing was written"):
        check_staged(repo, ["../m.py"])


@pytest.mark.parametrize("broken", ["fsync", "replace"])
def test_a_write_that_dies_midway_leaves_the_old_file_whole_and_no_debris(repo, monkeypatch, broken):
    def die(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, broken, die)
    with pytest.raises(KeyboardInterrupt):
        apply_changes(repo, [Change("pkg/m.py", OLD, NEW)])
    assert (repo / "pkg/m.py").read_text() == OLD
    assert sorted(p.name for p in (repo / "pkg").iterdir()) == ["m.py", "n.py"]


def test_a_fix_of_two_files_that_fails_on_the_second_changes_neither(repo, monkeypatch):
    """The first file is already renamed over when the second rename fails (a full disk): it is put back,
    and the error is the user's to act on, not a crash."""
    real = os.replace
    calls = []

    def full_on_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)
    monkeypatch.setattr(os, "replace", full_on_second)
    with pytest.raises(RepoError, match="No space left on device.*no file was changed"):
        apply_changes(repo, [Change("pkg/m.py", OLD, NEW), Change("pkg/n.py", OLD, NEW)])
    assert (repo / "pkg/m.py").read_text() == OLD and (repo / "pkg/n.py").read_text() == OLD
    assert sorted(p.name for p in (repo / "pkg").iterdir()) == ["m.py", "n.py"]


def test_an_interrupt_right_after_a_rename_still_puts_the_old_file_back(repo, monkeypatch):
    real = os.replace

    def rename_then_interrupt(src, dst):
        real(src, dst)
        monkeypatch.setattr(os, "replace", real)
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", rename_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        apply_changes(repo, [Change("pkg/m.py", OLD, NEW)])
    assert (repo / "pkg/m.py").read_text() == OLD
    assert sorted(p.name for p in (repo / "pkg").iterdir()) == ["m.py", "n.py"]
