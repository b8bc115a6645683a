"""The shipped problem set: its shape, and every problem passing the validator in the real sandbox."""
from collections import Counter

import pytest

from coderefine.data.folder import default_problems_dir, load_problems, problem_folders
from coderefine.data.validate import validate_all
from sandbox import Sandbox

FOLDERS = problem_folders(default_problems_dir())


def test_set_shape():
    loaded = load_problems()
    assert not loaded.skipped, loaded.skipped
    problems = loaded.problems
    assert len(problems) >= 30
    assert sum(p.difficulty == "Hard" for p in problems) >= 20
    assert len({t for p in problems for t in p.techniques}) >= 8
    styles = Counter("class" if p.entry_point.startswith("Solution") else "function" for p in problems)
    assert styles["class"] >= 5 and styles["function"] >= 5
    assert all(len(p.hidden_tests) >= 50 and 2 <= len(p.visible_tests) <= 3 for p in problems)


@pytest.mark.slow
def test_every_problem_validates():
    # one problem at a time: the time-limit margins are measured, so keep the second core quiet
    with Sandbox(backend="bwrap", slots=1) as box:
        reports = validate_all(FOLDERS, box, workers=1)
    failing = {r.problem_id: [f"{c.name}: {c.detail}" for c in r.checks if not c.ok] for r in reports if not r.ok}
    assert not failing, failing
