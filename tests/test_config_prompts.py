import pytest

from coderefine.config import Settings, SettingsError, load_settings, resolve
from coderefine.methods import METHODS
from coderefine.prompts import render


def test_settings_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.coderefine]\nmodel = "gpt-4o"\nmax_iters = 2\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    settings = load_settings(sub)
    assert settings.model == "gpt-4o" and settings.max_iters == 2 and settings.backend == Settings().backend


def test_settings_reject_unknown_keys(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.coderefine]\nmodle = "x"\n')
    with pytest.raises(SettingsError, match="unknown key 'modle' in \\[tool.coderefine\\] \\(did you mean model\\?\\)"):
        load_settings(tmp_path)


def test_a_deleted_working_folder_is_a_settings_error(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with pytest.raises(SettingsError, match="the working folder no longer exists"):
        resolve()


def test_flags_override_pyproject_and_each_value_knows_its_origin(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.coderefine]\ntemperature = 1\nmax_iters = 2\n')
    resolved = resolve({"max_iters": 5, "model": None}, start=tmp_path, labels={"max_iters": "--rounds"})
    assert resolved.settings.temperature == 1.0 and isinstance(resolved.settings.temperature, float)
    assert resolved.settings.max_iters == 5 and resolved.settings.model == Settings().model
    assert dict(resolved.sources) == {**dict.fromkeys(resolved.sources, "default"),
                                      "temperature": f"{pyproject} [tool.coderefine]", "max_iters": "--rounds"}


@pytest.mark.parametrize("key, value, rule", [
    ("max_iters", True, "must be an integer >= 0"),
    ("max_iters", 1.5, "must be an integer >= 0"),
    ("calls", 0, "must be an integer >= 1"),
    ("temperature", 2.5, "must be a number from 0 to 2"),
    ("max_tokens", "many", "must be an integer >= 1"),
    ("backend", "", "unknown backend ''"),
    ("model", "", "must be a litellm model string"),
    ("model", "1.5b", "did you mean local/qwen2.5-coder-1.5b?"),
    ("slots", 0, "must be an integer from 1 to 64"),
    ("ctx_per_slot", 512, "must be an integer from 1024 to 32768"),
    ("speculation", "ngram", "unknown speculation type 'ngram' (did you mean"),
    ("draft_model", "0.5b", "known embedded models: local/qwen2.5-coder-1.5b, local/qwen2.5-coder-0.5b"),
    ("draft_max", 0, "must be an integer from 1 to 256"),
    ("method", "coderefine:beam=x", "coderefine option beam=x: use a whole number >= 1"),
    ("method", "resample:beam=2", "method 'resample' takes no options"),
])
def test_each_setting_is_checked_naming_key_value_origin_and_rule(tmp_path, key, value, rule):
    with pytest.raises(SettingsError) as caught:
        resolve({key: value}, start=tmp_path)
    assert str(caught.value).startswith(f"{key} = {value!r} from --{key.replace('_', '-')}: ") and rule in str(caught.value)


def test_every_registered_method_and_litellm_names_pass(tmp_path):
    for name in [*METHODS, "coderefine:expansions=0,beam=3"]:
        assert resolve({"method": name}, start=tmp_path).settings.method == name
    for model in ("gpt-4o", "ollama/qwen2.5-coder", "local/qwen2.5-coder-0.5b"):
        assert resolve({"model": model}, start=tmp_path).settings.model == model


def test_budget_takes_the_settings_that_were_given():
    from coderefine.types import Budget
    budget = Settings(max_iters=0, temperature=0.7, max_tokens=99).budget(Budget(calls=8, max_iters=4))
    assert (budget.calls, budget.max_iters, budget.temperature, budget.code_tokens) == (8, 0, 0.7, 99)


def test_server_settings_come_from_pyproject_and_build_the_server_options(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.coderefine]\nslots = 2\nspeculation = "draft"\n')
    options = resolve({"draft_max": 4}, start=tmp_path).settings.serving()
    assert (options.slots, options.speculation, options.draft_max) == (2, "draft", 4)
    assert options.ctx_per_slot == Settings().ctx_per_slot and options.draft_model == Settings().draft_model


def test_prompts_fill_code_with_braces():
    text = render("candidate", code="d = {1: 2}\nf'{x}'", passed="1", total="3", failures="F")
    assert "d = {1: 2}" in text and "1 of 3 passed" in text


def test_prompt_missing_value_is_an_error():
    with pytest.raises(KeyError, match="starter_code"):
        render("problem.statement", statement="only this")


def test_the_replicas_test_report_shows_assert_tests_too():
    """LeetCode's tree and list examples are asserts of the problem's own: Reflexion and TextGrad see them,
    passed or failed, as they see call tests."""
    from coderefine.prompts import assert_report
    from coderefine.types import Report
    from sandbox import AssertTest, CallTest, TestOutcome
    tests = [CallTest(args=(1,), expected=2, name="t1"),
             AssertTest(source="assert candidate(root=tree_node([1, 2]), k=1) == 2", name="t2"),
             AssertTest(source="assert candidate(root=tree_node([1]), k=1) == 1", name="t3")]
    report = Report(2, 3, failures=[TestOutcome("failed", "t2", exception="AssertionError: 3 != 2")])
    text = assert_report("f", tests, report)
    passed, failed = text.split("Tests failed:")
    assert "assert f(1) == 2" in passed and "assert candidate(root=tree_node([1]), k=1) == 1" in passed
    assert "assert candidate(root=tree_node([1, 2]), k=1) == 2  # failed: AssertionError: 3 != 2" in failed
