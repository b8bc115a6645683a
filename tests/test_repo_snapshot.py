"""The repository copy: what git tracks, read from the working tree or (for the hook) from the index where the
two differ; files that cannot be copied are left out with the reason."""
import os

from coderefine.repo.snapshot import BAD_NAME, LINK, NOT_TEXT, read, take, tracked
from git_repo import git, make_repo, write

GOOD = "def add(a, b):\n    return a + b\n"
BUGGY = GOOD.replace("a + b", "a - b")


def test_the_staged_snapshot_holds_what_the_index_holds_where_the_working_tree_differs(tmp_path):
    root = make_repo(tmp_path / "r", {"calc.py": GOOD, "gone.py": "X = 1\n", "same.py": "Y = 2\n"})
    write(root, {"calc.py": BUGGY})
    git(root, "add", "calc.py")
    write(root, {"calc.py": GOOD})            # `git status`: MM calc.py
    (root / "gone.py").unlink()               # deleted, but not staged: the commit still holds it
    staged = read(tracked(root, staged=True))
    assert staged.files == {"calc.py": BUGGY, "gone.py": "X = 1\n", "same.py": "Y = 2\n"}
    assert take(root).files == {"calc.py": GOOD, "same.py": "Y = 2\n"}    # refine: the working tree


def test_a_tracked_file_whose_name_is_not_utf8_is_left_out_not_a_crash(tmp_path):
    root = make_repo(tmp_path / "r", {"calc.py": GOOD})
    name = os.fsdecode(b"caf\xe9.txt")
    (root / name).write_text("menu\n")
    git(root, "add", "-A")
    snapshot = read(tracked(root, staged=True))
    assert snapshot.files == {"calc.py": GOOD} and snapshot.skipped == {name: BAD_NAME}


def test_binary_files_and_links_are_left_out_with_the_reason(tmp_path):
    root = make_repo(tmp_path / "r", {"calc.py": GOOD})
    (root / "data.bin").write_bytes(b"\x89PNG\x00\xff")
    (root / "latin.py").write_bytes("s = 'caf\xe9'\n".encode("latin-1"))
    (root / "alias.py").symlink_to("calc.py")
    git(root, "add", "-A")
    assert take(root).skipped == {"alias.py": LINK, "data.bin": NOT_TEXT, "latin.py": NOT_TEXT}

