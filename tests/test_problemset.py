"""Loading problems/<slug>/ folders, and the precise errors for malformed ones."""
import json
import shutil
from pathlib import Path

import pytest

from coderefine.data import find_problem, load_dataset
from coderefine.data.problem import ProblemError
from coderefine.data.folder import load_problem_folder, load_problems, read_hidden
from sandbox.types import CallTest

FIXTURES = Path(__file__).parent / "fixtures" / "problems"


@pytest.fixture
def folder(tmp_path) -> Path:
    """A private copy of a good fixture problem, for breaking."""
    return Path(shutil.copytree(FIXTURES / "pair-sum-count", tmp_path / "pair-sum-count"))


def set_toml(folder: Path, old: str, new: str) -> None:
    path = folder / "problem.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_loads_fixture_folder():
    p = load_problem_folder(FIXTURES / "pair-sum-count")
    assert (p.id, p.title, p.difficulty, p.entry_point) == ("pair-sum-count", "Pair Sum Count", "Hard", "Solution().countPairs")
    assert p.time_limit == 0.5 and p.compare.mode == "exact" and p.techniques == ("hashing",)
    assert p.visible_tests[0] == CallTest(args=([1, 2, 3, 2], 4), expected=2, name="example 1")
    seed, cases = read_hidden(FIXTURES / "pair-sum-count")
    assert seed == 0 and len(p.hidden_tests) == len(cases) == 12
    assert p.hidden_tests[0].args == tuple(cases[0].args) and p.hidden_tests[0].expected == cases[0].expected
    assert p.starter_code.startswith("class Solution:") and "countPairs" in p.starter_code


def test_float_problem_defaults():
    p = load_problem_folder(FIXTURES / "best-window-mean")
    assert p.compare.mode == "float" and p.compare.float_tol == 1e-6 and p.source == "" and p.difficulty == "Medium"


@pytest.mark.parametrize("field", ["title", "difficulty", "techniques", "entry_point", "time_limit", "starter_code"])
def test_missing_required_field_is_named(folder, field):
    lines = (folder / "problem.toml").read_text().split("\n")
    kept, skipping = [], False
    for line in lines:  # drop the field, including a multi-line string value
        if line.startswith(f"{field} ="):
            skipping = line.count("'''") == 1
            continue
        if skipping:
            skipping = "'''" not in line
            continue
        kept.append(line)
    (folder / "problem.toml").write_text("\n".join(kept))
    with pytest.raises(ProblemError, match=rf"problem\.toml: required field '{field}' is missing"):
        load_problem_folder(folder)


@pytest.mark.parametrize("old,new,message", [
    ("time_limit = 0.5", 'time_limit = "fast"', r"field 'time_limit' must be a number"),
    ("time_limit = 0.5", "time_limit = 0", r"field 'time_limit' must be > 0"),
    ("time_limit = 0.5", "time_limit = true", r"field 'time_limit' must be a number"),
    ("time_limit = 0.5", "time_limit = inf", r"field 'time_limit' must be > 0 seconds and finite, got inf"),
    ("time_limit = 0.5", "time_limit = nan", r"field 'time_limit' must be > 0 seconds and finite, got nan"),
    ('compare = "exact"', 'compare = "exact"\nfloat_tol = -1e-9', r"field 'float_tol' must be >= 0 and finite"),
    ('compare = "exact"', 'compare = "exact"\nfloat_tol = inf', r"field 'float_tol' must be >= 0 and finite"),
    ('difficulty = "Hard"', 'difficulty = "hardest"', r"field 'difficulty' must be one of Easy, Medium, Hard"),
    ('compare = "exact"', 'compare = "fuzzy"', r"field 'compare' must be one of exact, float, any_order"),
    ('techniques = ["hashing"]', 'techniques = "hashing"', r"field 'techniques' must be a list"),
    ('techniques = ["hashing"]', "techniques = [1]", r"field 'techniques' must be a list of strings"),
    ('entry_point = "Solution().countPairs"', 'entry_point = "Solution().count Pairs"', r"field 'entry_point' must look like"),
    *[('entry_point = "Solution().countPairs"', f'entry_point = "{bad}"', r"field 'entry_point' must look like")
      for bad in ("Solution()", "a..b", "1abc", "Solution().countPairs()", "Solution.countPairs", "")],
    ('title = "Pair Sum Count"', 'title = "unterminated', r"problem\.toml: not valid TOML"),
    ('title = "Pair Sum Count"', 'title = "x"\ndeep = ' + "[" * 100_000, r"problem\.toml: not valid TOML"),
])
def test_bad_field_values_are_named(folder, old, new, message):
    set_toml(folder, old, new)
    with pytest.raises(ProblemError, match=message) as info:
        load_problem_folder(folder)
    assert "problem.toml" in str(info.value)


def test_unknown_toml_fields_are_ignored(folder):
    set_toml(folder, 'title = "Pair Sum Count"', 'title = "Pair Sum Count"\nauthor = "someone"')
    assert load_problem_folder(folder).title == "Pair Sum Count"


@pytest.mark.parametrize("name,content,message", [
    ("examples.json", "{}", r"examples\.json: must be a non-empty list"),
    ("examples.json", '[{"args": [[1], 2]}]', r"examples\.json: example 1: field 'expected' is missing"),
    ("examples.json", '[{"args": 5, "expected": 1}]', r"examples\.json: example 1: field 'args' must be a list"),
    ("examples.json", "[1, 2", r"examples\.json: not valid JSON"),
    ("hidden.json", '{"tests": []}', r"hidden\.json: field 'seed' must be an integer"),
    ("hidden.json", '{"seed": 0, "tests": []}', r"hidden\.json: field 'tests' must be a non-empty list"),
    ("hidden.json", '{"seed": 0, "tests": [{"args": [], "expected": 1}]}', r"hidden\.json: tests\[0\]: field 'small' is missing"),
    ("statement.md", "  \n", r"statement\.md: file is missing or empty"),
    ("examples.json", "[" * 100_000, r"examples\.json: not valid JSON \(maximum recursion depth"),
    ("hidden.json", '{"seed": 0, "tests": [{"args": [], "expected": ' + "7" * 5000 + ', "small": true}]}',
     r"hidden\.json: not valid JSON \(Exceeds the limit"),
])
def test_bad_files_are_named(folder, name, content, message):
    (folder / name).write_text(content)
    with pytest.raises(ProblemError, match=message):
        load_problem_folder(folder)


@pytest.mark.parametrize("name", ["problem.toml", "statement.md", "examples.json", "hidden.json"])
def test_non_utf8_files_are_named(folder, name):
    (folder / name).write_bytes((folder / name).read_bytes() + "caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ProblemError, match=rf"{name}: not UTF-8 text \(invalid continuation byte at byte \d+\); save it as UTF-8"):
        load_problem_folder(folder)
    shutil.copytree(FIXTURES / "best-window-mean", folder.parent / "best-window-mean")
    result = load_problems(folder.parent)  # one bad file costs its own problem, not the set
    assert [p.id for p in result.problems] == ["best-window-mean"] and "not UTF-8" in result.skipped[0].reason


def test_missing_file_is_named(folder):
    (folder / "hidden.json").unlink()
    with pytest.raises(ProblemError, match=r"hidden\.json: file is missing"):
        load_problem_folder(folder)


def test_load_problems_reports_skipped_folders(tmp_path):
    for slug in ("pair-sum-count", "best-window-mean"):
        shutil.copytree(FIXTURES / slug, tmp_path / slug)
    (tmp_path / "best-window-mean" / "examples.json").write_text("[]")
    (tmp_path / "notes").mkdir()  # a folder without problem.toml: a problem whose problem.toml was lost, or misnamed
    (tmp_path / ".git").mkdir()   # hidden folders are not problems at all
    result = load_problems(tmp_path)
    assert [p.id for p in result.problems] == ["pair-sum-count"]
    assert [(s.where, s.problem_id) for s in result.skipped] == [(str(tmp_path / "best-window-mean"), "best-window-mean"),
                                                                 (str(tmp_path / "notes"), "notes")]
    assert "examples.json" in result.skipped[0].reason and "notes/problem.toml: file is missing" in result.skipped[1].reason
    assert result.summary() == "1 loaded, 2 skipped"
    assert [p.id for p in load_problems(tmp_path, difficulty="medium").problems] == []


def test_a_folder_without_problem_folders_is_an_error(tmp_path):
    with pytest.raises(ProblemError, match=rf"{tmp_path}: no problem folders \(with a problem\.toml\) under it"):
        load_problems(tmp_path)
    (tmp_path / "src").mkdir()  # a wrong folder, say the repository root
    with pytest.raises(ProblemError, match="no problem folders"):
        load_problems(tmp_path)


def test_registry_and_find_problem():
    spec = f"problems:{FIXTURES}"
    assert [p.id for p in load_dataset(spec).problems] == ["best-window-mean", "pair-sum-count"]
    assert [p.id for p in load_dataset(spec, difficulty="Hard").problems] == ["pair-sum-count"]
    assert find_problem("pair-sum-count", spec).title == "Pair Sum Count"
    assert find_problem(str(FIXTURES / "best-window-mean")).id == "best-window-mean"  # a folder path works too
    with pytest.raises(ProblemError, match=r"unknown problem 'nope'.*known ids: best-window-mean, pair-sum-count"):
        find_problem("nope", spec)


def test_find_problem_reports_why_a_malformed_one_failed(folder):
    (folder / "examples.json").write_text("[]")
    with pytest.raises(ProblemError, match=r"examples\.json: must be a non-empty list"):
        find_problem("pair-sum-count", f"problems:{folder.parent}")
    with pytest.raises(ProblemError, match=r"unknown problem 'count'"):  # only in the broken folder's path, not its id
        find_problem("count", f"problems:{folder.parent}")


def test_a_folder_in_the_current_directory_does_not_shadow_the_named_dataset(folder, monkeypatch):
    set_toml(folder, 'title = "Pair Sum Count"', 'title = "Shadow"')
    shutil.copytree(folder, folder.parent / "own-folder")
    monkeypatch.chdir(folder.parent)
    spec = f"problems:{FIXTURES}"
    assert find_problem("pair-sum-count", spec).title == "Pair Sum Count"
    assert find_problem("./pair-sum-count", spec).title == "Shadow"  # a path, said with a `/`
    assert find_problem("own-folder", spec).id == "own-folder"  # the dataset has no such id: the folder here


@pytest.mark.parametrize("spec,filters,message", [
    ("nonsense", {}, r"unknown dataset 'nonsense'"),
    ("lcd", {}, r"unknown dataset 'lcd'"),
    ("humaneval", {"difficulty": "Hard"}, r"HumanEval has no difficulty"),
    ("problems", {"since": "2024-01-01"}, r"--since/--until"),
    ("problems:/does/not/exist", {}, r"problems folder not found"),
    ("lcd:/does/not/exist.jsonl", {}, r"LeetCodeDataset file not found"),
])
def test_bad_dataset_specs(spec, filters, message):
    with pytest.raises(ProblemError, match=message):
        load_dataset(spec, **filters)


def test_a_file_given_as_the_problems_folder_is_named_so(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text("{}\n")
    with pytest.raises(ProblemError, match=r"a file, not a problems folder.*use --dataset lcd:PATH"):
        load_dataset(f"problems:{rows}")


def test_hidden_json_matches_problem_build():
    """The fixture's hidden.json is exactly what problem_build produces (so it was not hand-edited)."""
    from coderefine.data.build import build_hidden
    folder = FIXTURES / "pair-sum-count"
    assert build_hidden(folder, 0) == json.loads((folder / "hidden.json").read_text())
